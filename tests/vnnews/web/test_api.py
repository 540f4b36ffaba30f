"""The HTTP service: whole JSON bodies (errors included), auth, limits, the OpenAPI description, and the pages."""

from __future__ import annotations

import re

import pytest

from vnnews.ingest import prepare
from service import create_app

KEY = "s3cret-key"
AUTH = {"Authorization": f"Bearer {KEY}"}

ARTICLES = [
    {"id": "a1", "title": "Startup Đà Nẵng gọi vốn 2 triệu USD để mở rộng mạng lưới giao hàng",
     "lead": "Công ty khởi nghiệp logistics tại Đà Nẵng vừa hoàn tất vòng gọi vốn hạt giống.",
     "body": "Nhà sáng lập cho biết khoản đầu tư từ quỹ mạo hiểm sẽ giúp startup mở rộng mạng lưới kho tại Đà Nẵng "
             "và các tỉnh miền Trung. Đây là vòng gọi vốn thứ hai của doanh nghiệp khởi nghiệp này.",
     "source": "Báo Thử", "url": "https://example.vn/a1", "published": "2025-11-18"},
    {"id": "a2", "title": "Hà Nội đẩy mạnh chuyển đổi số dịch vụ công trực tuyến",
     "body": "UBND TP Hà Nội yêu cầu các sở, ngành số hoá hồ sơ thủ tục hành chính, đưa dịch vụ công trực tuyến "
             "toàn trình lên cổng dịch vụ công quốc gia và dùng dữ liệu dân cư để giảm giấy tờ cho người dân.",
     "source": "Tin Số", "published": "2025-11-19"},
    {"id": "a3", "title": "Bệnh viện ở TP.HCM dùng trí tuệ nhân tạo đọc phim X-quang",
     "body": "Một bệnh viện tại TP.HCM đưa mô hình trí tuệ nhân tạo (AI) vào đọc phim X-quang phổi, giúp bác sĩ "
             "phát hiện sớm tổn thương. Hệ thống học sâu được huấn luyện trên hàng chục nghìn ảnh.",
     "source": "Báo Thử", "published": "2025-11-20"},
]
XSS_TITLE = 'Tin thử <script>alert("xss")</script> khởi nghiệp AI & dữ liệu <script src=x'


def make_app(data_dir, model_path, **extra):
    return create_app({"TESTING": True, "DATA_DIR": str(data_dir), "MODEL_PATH": str(model_path), "API_KEY": KEY,
                       **extra})


@pytest.fixture
def app(data_dir, model_path):
    """An app over an empty index of its own (exact bodies do not depend on the bundled corpus)."""
    app = make_app(data_dir, model_path)
    yield app
    app.extensions["vnnews"].store.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def loaded(client):
    """The client, with ARTICLES stored."""
    resp = client.post("/api/articles", json={"articles": ARTICLES}, headers=AUTH)
    assert resp.status_code == 201, resp.get_json()
    return client


@pytest.fixture
def demo_app(demo_copy, model_path):
    app = make_app(demo_copy, model_path)
    yield app
    app.extensions["vnnews"].store.close()


@pytest.fixture
def demo(demo_app):
    return demo_app.test_client()


def expected_tags(record, model):
    return prepare(record, model).tags


def err(status, message, field=None):
    body = {"status": status, "message": message}
    if field:
        body["field"] = field
    return {"error": body}


# ---------------------------------------------------------------------------------------------------- health
def test_health(client, model):
    resp = client.get("/api/health")
    assert resp.status_code == 200
    assert resp.get_json() == {
        "status": "ok", "articles": 0,
        "model": {"version": model.version, "trained_at": model.trained_at, "labels": list(model.labels),
                  "thresholds": model.thresholds, "metrics": model.metrics},
    }


def test_health_counts_articles(loaded):
    assert loaded.get("/api/health").get_json()["articles"] == 3


def test_settings_from_environment(monkeypatch, data_dir, model_path):
    # from_prefixed_env reads JSON: a numeric key must still be the string the client sends.
    monkeypatch.setenv("VNNEWS_API_KEY", "12345")
    monkeypatch.setenv("VNNEWS_MAX_PER_PAGE", "20")
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "MODEL_PATH": str(model_path)})
    try:
        assert app.config["API_KEY"] == "12345" and app.config["MAX_PER_PAGE"] == 20
        client = app.test_client()
        resp = client.delete("/api/articles/x", headers={"Authorization": "Bearer 12345"})
        assert resp.status_code == 404
        assert client.get("/api/search?per_page=21").get_json() == err(
            400, "`per_page` must be from 1 to 20, not 21", "per_page")
    finally:
        app.extensions["vnnews"].store.close()


def test_missing_model_is_a_clear_error(data_dir, tmp_path):
    from vnnews.errors import ModelError

    with pytest.raises(ModelError, match="run `vnnews train`"):
        create_app({"TESTING": True, "DATA_DIR": str(data_dir), "MODEL_PATH": str(tmp_path / "none.joblib")})


# ---------------------------------------------------------------------------------------------------- classify
def test_classify(client, model):
    record = {"title": "Startup AI ở Đà Nẵng gọi vốn thành công",
              "body": "Công ty khởi nghiệp trí tuệ nhân tạo có trụ sở tại Đà Nẵng vừa gọi vốn từ quỹ đầu tư."}
    resp = client.post("/api/classify", json=record)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body == expected_tags(record, model).to_dict()
    assert set(body) == {"topics", "topic_scores", "provinces", "province_details"}
    assert "Đà Nẵng" in body["provinces"] and "startup" in body["topics"]
    assert client.get("/api/health").get_json()["articles"] == 0  # classify stores nothing


@pytest.mark.parametrize("payload, expected", [
    ({"body": "Nội dung"}, err(400, "`title` is missing or empty; every article needs a title", "title")),
    ({"title": "Tiêu đề"}, err(400, "`body` is missing or empty; send the article text in `body`", "body")),
    ({"title": 5, "body": "Nội dung"}, err(400, "`title` must be a string, not int", "title")),
    ({"title": "Tiêu đề", "body": ["x"]}, err(400, "`body` must be a string, not list", "body")),
    ({"title": "<b></b>", "body": "Nội dung"}, err(400, "`title` is empty once markup is removed", "title")),
    ([1, 2], err(400, "the body must be a JSON object with `title` and `body`, not a list")),
])
def test_classify_bad_input(client, payload, expected):
    resp = client.post("/api/classify", json=payload)
    assert (resp.status_code, resp.get_json()) == (400, expected)


@pytest.mark.parametrize("data, expected", [
    (b"{not json", err(400, "the request body is not valid JSON (Expecting property name enclosed in double quotes "
                            "at line 1 column 2)")),
    (b"", err(400, "the request body is empty; send a JSON object")),
    (b'{"title": "T\xe1\xbb", "body": "x"}',
     err(400, "the request body is not UTF-8 text (bad byte at position 12)")),
    (b"\xff\xfe{}", err(400, "the request body is not UTF-8 text (bad byte at position 0)")),
    (b'{"title": NaN, "body": "x"}', err(400, "the request body is not valid JSON (NaN is not valid JSON)")),
    (b'{"title": "\\ud800", "body": "x"}',
     err(400, "the request body is not valid JSON (a string holds an unpaired UTF-16 surrogate (\\ud800-\\udfff))")),
    (b"[" * 100_000 + b"]" * 100_000, err(400, "the request body is not valid JSON (maximum recursion depth "
                                                "exceeded while decoding a JSON array from a unicode string)")),
])
def test_bad_json_bodies(client, data, expected):
    resp = client.post("/api/classify", data=data, content_type="application/json")
    assert (resp.status_code, resp.get_json()) == (400, expected)


# ---------------------------------------------------------------------------------------------------- writes
def test_post_one(client, model):
    record = ARTICLES[0]
    resp = client.post("/api/articles", json=record, headers=AUTH)
    tags = expected_tags(record, model)
    assert resp.status_code == 201
    assert resp.get_json() == {
        "results": [{"id": "a1", "status": "added", "topics": tags.topics, "provinces": tags.provinces}],
        "errors": []}
    assert "Đà Nẵng" in tags.provinces
    # the same again is unchanged; a changed text is updated
    assert client.post("/api/articles", json=record, headers=AUTH).get_json()["results"][0]["status"] == "unchanged"
    changed = {**record, "body": record["body"] + " Vòng gọi vốn do một quỹ Singapore dẫn dắt."}
    assert client.post("/api/articles", json=changed, headers=AUTH).get_json()["results"][0]["status"] == "updated"


def test_post_many(client, model):
    resp = client.post("/api/articles", json={"articles": ARTICLES}, headers=AUTH)
    assert resp.status_code == 201
    assert resp.get_json() == {"results": [
        {"id": r["id"], "status": "added", "topics": t.topics, "provinces": t.provinces}
        for r, t in ((r, expected_tags(r, model)) for r in ARTICLES)], "errors": []}
    assert client.get("/api/health").get_json()["articles"] == 3


def test_post_ndjson(client, model):
    import json

    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in ARTICLES[:2]) + "\n\n"
    resp = client.post("/api/articles", data=lines.encode("utf-8"), content_type="application/x-ndjson",
                       headers=AUTH)
    assert resp.status_code == 201
    assert resp.get_json() == {"results": [
        {"id": r["id"], "status": "added", "topics": t.topics, "provinces": t.provinces}
        for r, t in ((r, expected_tags(r, model)) for r in ARTICLES[:2])], "errors": []}


def test_post_ndjson_mixed(client, model):
    import json

    data = (json.dumps(ARTICLES[0]).encode() + b"\n{bad json\n" + b'{"title": "T\xff"}\n'
            + json.dumps({"title": "Chỉ có tiêu đề"}).encode() + b"\n" + json.dumps(ARTICLES[1]).encode())
    resp = client.post("/api/articles", data=data, content_type="application/x-ndjson", headers=AUTH)
    assert resp.status_code == 201
    t0, t1 = expected_tags(ARTICLES[0], model), expected_tags(ARTICLES[1], model)
    assert resp.get_json() == {
        "results": [{"id": "a1", "status": "added", "topics": t0.topics, "provinces": t0.provinces},
                    {"id": "a2", "status": "added", "topics": t1.topics, "provinces": t1.provinces}],
        "errors": [
            {"index": 1, "status": 400, "message": "line 2: not valid JSON (Expecting property name enclosed in "
                                                   "double quotes at column 2)"},
            {"index": 2, "status": 400, "message": "line 3: not UTF-8 text"},
            {"index": 3, "status": 400, "message": "`body` is missing or empty; send the article text in `body`",
             "field": "body"},
        ]}


def test_post_mixed_good_and_bad(client, model):
    bad = [{"title": "Tin", "body": "Nội dung", "published": "31/11/2025"}, "not an object",
           {"title": "Tin", "body": "Nội dung", "url": 7}]
    resp = client.post("/api/articles", json={"articles": [bad[0], ARTICLES[2], bad[1], bad[2]]}, headers=AUTH)
    tags = expected_tags(ARTICLES[2], model)
    assert resp.status_code == 201
    assert resp.get_json() == {
        "results": [{"id": "a3", "status": "added", "topics": tags.topics, "provinces": tags.provinces}],
        "errors": [
            {"index": 0, "status": 400, "field": "published",
             "message": "`published` must be an ISO date like 2025-11-20, not '31/11/2025'"},
            {"index": 2, "status": 400, "message": "an article must be a JSON object, not str"},
            {"index": 3, "status": 400, "message": "`url` must be a string, not int", "field": "url"},
        ]}
    assert "Hồ Chí Minh" in tags.provinces and "ai" in tags.topics


def test_post_all_bad(client):
    resp = client.post("/api/articles", json={"articles": [{"title": "x"}, {"body": "y"}]}, headers=AUTH)
    assert (resp.status_code, resp.get_json()) == (400, {"error": {
        "status": 400,
        "message": "none of the 2 articles was stored; the first error (#0): `body` is missing or empty; send the "
                   "article text in `body`",
        "errors": [
            {"index": 0, "status": 400, "message": "`body` is missing or empty; send the article text in `body`",
             "field": "body"},
            {"index": 1, "status": 400, "message": "`title` is missing or empty; every article needs a title",
             "field": "title"},
        ]}})


@pytest.mark.parametrize("payload, expected", [
    ({"title": "Tin", "body": "Nội dung", "published": "2025-13-45"},
     err(400, "`published` must be an ISO date like 2025-11-20, not '2025-13-45'", "published")),
    ({"title": "Tin", "body": "Nội dung", "published": 20251120},
     err(400, "`published` must be an ISO date like 2025-11-20, not 20251120", "published")),
    ({"title": "Tin", "body": "Nội dung", "id": "x" * 201}, err(400, "`id` is longer than 200 characters", "id")),
    ({"articles": "a1"}, err(400, "`articles` must be a list of article objects, not a string", "articles")),
    ({"articles": []}, err(400, "`articles` is empty; send at least one article", "articles")),
    ({"articles": [{}] * 1001}, err(400, "1001 articles in one request; send at most 1000 per request", "articles")),
    ("text", err(400, "the body must be a JSON object (one article, or {\"articles\": [...]}), not a string")),
])
def test_post_bad(client, payload, expected):
    resp = client.post("/api/articles", json=payload, headers=AUTH)
    assert (resp.status_code, resp.get_json()) == (400, expected)
    assert client.get("/api/health").get_json()["articles"] == 0


def test_writes_need_a_configured_key(data_dir, model_path):
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "MODEL_PATH": str(model_path), "API_KEY": ""})
    try:
        client = app.test_client()
        expected = err(403, "writes are disabled because no API key is configured; set VNNEWS_API_KEY on the "
                            "server and send it as `Authorization: Bearer <key>`")
        for resp in (client.post("/api/articles", json=ARTICLES[0], headers={"Authorization": "Bearer "}),
                     client.delete("/api/articles/a1")):
            assert (resp.status_code, resp.get_json()) == (403, expected)
    finally:
        app.extensions["vnnews"].store.close()


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY}, {"Authorization": f"Basic {KEY}"},
    {"Authorization": f"Bearer {KEY}x"}, {"Authorization": "Bearer"}, {"Authorization": "Bearer ключ"},
])
def test_wrong_or_missing_key(client, headers):
    expected = err(401, "missing or wrong API key; send `Authorization: Bearer <key>`")
    for resp in (client.post("/api/articles", json=ARTICLES[0], headers=headers),
                 client.delete("/api/articles/a1", headers=headers)):
        assert (resp.status_code, resp.get_json()) == (401, expected)
        assert resp.headers["WWW-Authenticate"] == 'Bearer realm="vnnews"'
    assert client.get("/api/health").get_json()["articles"] == 0


def test_right_key_is_case_insensitive_in_scheme(client):
    resp = client.post("/api/articles", json=ARTICLES[0], headers={"Authorization": f"bearer {KEY}"})
    assert resp.status_code == 201


# ---------------------------------------------------------------------------------------------------- get / delete
def test_get_and_delete(loaded, model):
    resp = loaded.get("/api/articles/a1")
    assert resp.status_code == 200
    body = resp.get_json()
    tags = expected_tags(ARTICLES[0], model)
    doc = prepare(ARTICLES[0], model)
    assert body == {
        "id": "a1", "title": ARTICLES[0]["title"], "lead": ARTICLES[0]["lead"], "body": ARTICLES[0]["body"],
        "url": "https://example.vn/a1", "source": "Báo Thử", "published": "2025-11-18", "topics": tags.topics,
        "topic_scores": tags.topic_scores, "provinces": tags.provinces, "former_provinces": tags.former_provinces,
        "province_details": tags.province_details, "key_terms": doc.key_terms, "event_id": "", "demo": False,
    }
    resp = loaded.delete("/api/articles/a1", headers=AUTH)
    assert (resp.status_code, resp.data) == (204, b"")
    assert loaded.get("/api/articles/a1").get_json() == err(404, "no article with id 'a1'", "id")
    resp = loaded.delete("/api/articles/a1", headers=AUTH)
    assert (resp.status_code, resp.get_json()) == (404, err(404, "no article with id 'a1'", "id"))


def test_ids_with_slashes(client):
    record = {**ARTICLES[1], "id": "vnexpress/2025/11/a2"}
    assert client.post("/api/articles", json=record, headers=AUTH).status_code == 201
    assert client.get("/api/articles/vnexpress/2025/11/a2").get_json()["id"] == "vnexpress/2025/11/a2"
    assert client.delete("/api/articles/vnexpress/2025/11/a2", headers=AUTH).status_code == 204


# ---------------------------------------------------------------------------------------------------- HTTP errors
def test_http_errors_are_json_under_api(client):
    resp = client.get("/api/nothing-here")
    assert (resp.status_code, resp.get_json()) == (
        404, err(404, "no such API endpoint; see /api/openapi.json for the endpoints"))
    resp = client.put("/api/search")
    assert (resp.status_code, resp.get_json()) == (
        405, err(405, "method PUT is not allowed on /api/search; allowed: GET, HEAD, OPTIONS"))
    assert resp.headers["Allow"] == "GET, HEAD, OPTIONS"
    resp = client.get("/api/articles")
    assert (resp.status_code, resp.get_json()) == (
        405, err(405, "method GET is not allowed on /api/articles; allowed: OPTIONS, POST"))
    resp = client.post("/api/health")
    assert resp.status_code == 405 and resp.is_json


def test_too_large_is_413_json(data_dir, model_path):
    app = make_app(data_dir, model_path, MAX_CONTENT_LENGTH=2000)
    try:
        client = app.test_client()
        big = {**ARTICLES[0], "body": "khởi nghiệp " * 500}
        for resp in (client.post("/api/articles", json=big, headers=AUTH), client.post("/api/classify", json=big)):
            assert (resp.status_code, resp.get_json()) == (413, err(
                413, "the request body is larger than 2,000 bytes (MAX_CONTENT_LENGTH); send fewer articles per "
                     "request"))
    finally:
        app.extensions["vnnews"].store.close()


def test_pages_404_is_html(client):
    resp = client.get("/no-such-page")
    assert resp.status_code == 404 and resp.mimetype == "text/html"
    assert "Không tìm thấy trang này." in resp.get_data(as_text=True)
    resp = client.get("/articles/nope")
    assert resp.status_code == 404 and "Không có bài viết với mã" in resp.get_data(as_text=True)


def test_unexpected_errors_are_json_500(app, client, monkeypatch):
    import index.search

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(index.search, "search", boom)
    resp = client.get("/api/search")
    assert (resp.status_code, resp.get_json()) == (500, err(500, "internal error; the server log has the details"))


# ---------------------------------------------------------------------------------------------------- search
def test_search_exact_structure(loaded, model):
    resp = loaded.get("/api/search", query_string={"q": "khoi nghiep"})
    assert resp.status_code == 200
    body = resp.get_json()
    assert list(body) == ["query", "total", "groups", "page", "per_page", "hits", "facets", "took_ms"]
    t1 = expected_tags(ARTICLES[0], model)
    assert {k: v for k, v in body.items() if k not in ("hits", "took_ms")} == {
        "query": "khoi nghiep", "total": 1, "groups": 1, "page": 1, "per_page": 10,
        "facets": {"topic": {t: 1 for t in t1.topics}, "province": {p: 1 for p in t1.provinces},
                   "source": {"Báo Thử": 1}},
    }
    assert isinstance(body["took_ms"], (int, float)) and body["took_ms"] >= 0
    [hit] = body["hits"]
    assert isinstance(hit["score"], float) and hit["score"] > 0
    assert {k: v for k, v in hit.items() if k not in ("score", "snippet")} == {
        "id": "a1", "title": ARTICLES[0]["title"], "url": "https://example.vn/a1", "source": "Báo Thử",
        "published": "2025-11-18", "topics": t1.topics, "provinces": t1.provinces, "event_id": None, "demo": False,
        "others": [], "others_total": 0}
    assert "<mark>khởi</mark> <mark>nghiệp</mark>" in hit["snippet"]


def test_search_filters_and_sort(loaded):
    body = loaded.get("/api/search?sort=date&source=b%C3%A1o+th%E1%BB%AD&per_page=1&page=2").get_json()
    assert (body["total"], body["page"], body["per_page"]) == (2, 2, 1)
    assert [h["id"] for h in body["hits"]] == ["a1"] and body["hits"][0]["score"] is None
    body = loaded.get("/api/search?from=2025-11-19&to=2025-11-19").get_json()
    assert [h["id"] for h in body["hits"]] == ["a2"]
    body = loaded.get("/api/search", query_string={"province": "da nang"}).get_json()
    assert [h["id"] for h in body["hits"]] == ["a1"]


def test_search_equals_the_library(loaded, app):
    from index.search import SearchRequest, search

    params = {"q": "chuyển đổi số", "sort": "relevance", "per_page": "5"}
    api = loaded.get("/api/search", query_string=params).get_json()
    lib = search(app.extensions["vnnews"].store, SearchRequest.from_params(params))
    api.pop("took_ms"), lib.pop("took_ms")
    assert api == lib


@pytest.mark.parametrize("query, expected", [
    ("topic=sports", err(400, "unknown topic 'sports'; use one of: ai, startup, digital_transformation", "topic")),
    ("per_page=101", err(400, "`per_page` must be from 1 to 100, not 101", "per_page")),
    ("per_page=0", err(400, "`per_page` must be from 1 to 100, not 0", "per_page")),
    ("page=abc", err(400, "`page` must be a whole number from 1 to 1000, not 'abc'", "page")),
    ("from=2025-02-30", err(400, "`from` must be an ISO date like 2025-11-20, not '2025-02-30'", "from")),
    ("to=yesterday", err(400, "`to` must be an ISO date like 2025-11-20, not 'yesterday'", "to")),
    ("from=2025-11-20&to=2025-11-01", err(400, "`from` (2025-11-20) is after `to` (2025-11-01)", "from")),
    ("sort=random", err(400, "`sort` must be one of relevance, date, not 'random'", "sort")),
    ("collapse=maybe", err(400, "`collapse` must be true or false (1/0, yes/no), not 'maybe'", "collapse")),
    ("q=" + "a" * 501, err(400, "`q` is longer than 500 characters", "q")),
])
def test_search_bad_params(client, query, expected):
    resp = client.get(f"/api/search?{query}")
    assert (resp.status_code, resp.get_json()) == (400, expected)


@pytest.mark.parametrize("endpoint", ["/api/search", "/api/digest"])
def test_unknown_province(client, endpoint):
    from models.provinces import CURRENT_PROVINCES

    resp = client.get(f"{endpoint}?province=Atlantis")
    assert (resp.status_code, resp.get_json()) == (400, err(
        400, f"unknown province 'Atlantis'; use a Vietnamese province name such as {', '.join(CURRENT_PROVINCES)} "
             "(former names like Quảng Nam also work)", "province"))


def test_search_tone_less_on_demo(demo):
    body = demo.get("/api/search?q=khoi+nghiep&per_page=100").get_json()
    assert body["total"] > 10 and len(body["hits"]) == min(100, body["total"])
    # a hit matched in its title only gets the lead as snippet, without marks
    assert all("<mark>" in h["snippet"] or "khởi nghiệp" in h["title"].lower() for h in body["hits"][:10])
    assert sum(body["facets"]["topic"].values()) >= 1


# ---------------------------------------------------------------------------------------------------- digest
def test_digest_json(loaded):
    resp = loaded.get("/api/digest?from=2025-11-14&to=2025-11-20")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    body = resp.get_json()
    assert set(body) == {"topic", "province", "from", "to", "total", "per_day", "per_province", "per_source",
                         "key_terms", "stories"}
    assert (body["topic"], body["province"], body["from"], body["to"], body["total"]) == (
        None, None, "2025-11-14", "2025-11-20", 3)
    assert body["per_day"] == {"2025-11-14": 0, "2025-11-15": 0, "2025-11-16": 0, "2025-11-17": 0,
                               "2025-11-18": 1, "2025-11-19": 1, "2025-11-20": 1}
    assert body["per_source"] == {"Báo Thử": 2, "Tin Số": 1}
    assert sorted(s["id"] for s in body["stories"]) == ["a1", "a2", "a3"]
    # the default period is the last 7 days of the data
    default = loaded.get("/api/digest").get_json()
    assert (default["from"], default["to"], default["total"]) == ("2025-11-14", "2025-11-20", 3)
    narrowed = loaded.get("/api/digest?topic=digital_transformation&province=H%C3%A0+N%E1%BB%99i&limit=1")
    assert [s["id"] for s in narrowed.get_json()["stories"]] == ["a2"]


def test_digest_markdown_and_html(loaded):
    resp = loaded.get("/api/digest?format=markdown")
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "text/markdown; charset=utf-8"
    text = resp.get_data(as_text=True)
    assert text.startswith("# ") and "Hà Nội đẩy mạnh chuyển đổi số" in text
    resp = loaded.get("/api/digest?format=html")
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Hà Nội đẩy mạnh chuyển đổi số" in resp.get_data(as_text=True)


@pytest.mark.parametrize("query, expected", [
    ("format=pdf", err(400, "`format` must be one of json, markdown, html, not 'pdf'", "format")),
    ("topic=x", err(400, "unknown topic 'x'; use one of: ai, startup, digital_transformation", "topic")),
    ("limit=0", err(400, "`limit` must be a whole number from 1 to 50, not 0", "limit")),
    ("limit=abc", err(400, "`limit` must be a whole number from 1 to 50, not 'abc'", "limit")),
    ("from=2025-11-31", err(400, "`from` must be an ISO date like 2025-11-20, not '2025-11-31'", "from")),
    ("from=2025-11-20&to=2025-11-01", err(400, "`from` (2025-11-20) is after `to` (2025-11-01)", "from")),
    ("from=2020-01-01&to=2025-01-01", err(400, "a digest covers at most 366 days; narrow `from`..`to`", "to")),
])
def test_digest_bad_params(client, query, expected):
    resp = client.get(f"/api/digest?{query}")
    assert (resp.status_code, resp.get_json()) == (400, expected)


# ---------------------------------------------------------------------------------------------------- OpenAPI
def _resolve(spec, schema):
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def validate(spec, schema, value, where="$"):
    """A small JSON-schema check (the subset the spec uses): type, nullable, enum, required, properties,
    additionalProperties, items, oneOf, minimum/maximum."""
    schema = _resolve(spec, schema)
    if value is None:
        assert schema.get("nullable") or "type" not in schema, f"{where}: null not allowed"
        return
    if "oneOf" in schema:
        passed = 0
        for option in schema["oneOf"]:
            try:
                validate(spec, option, value, where)
                passed += 1
            except AssertionError:
                pass
        assert passed >= 1, f"{where}: matches no oneOf option"
        return
    kind = schema.get("type")
    checks = {"object": dict, "array": list, "string": str, "boolean": bool}
    if kind in checks:
        assert isinstance(value, checks[kind]), f"{where}: {value!r} is not {kind}"
    elif kind == "integer":
        assert isinstance(value, int) and not isinstance(value, bool), f"{where}: {value!r} is not integer"
    elif kind == "number":
        assert isinstance(value, (int, float)) and not isinstance(value, bool), f"{where}: {value!r} not number"
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if "minimum" in schema:
        assert value >= schema["minimum"], where
    if "maximum" in schema:
        assert value <= schema["maximum"], where
    if kind == "object":
        for name in schema.get("required", []):
            assert name in value, f"{where}: missing {name}"
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for name, item in value.items():
            if name in props:
                validate(spec, props[name], item, f"{where}.{name}")
            elif extra is False:
                raise AssertionError(f"{where}: unexpected property {name}")
            elif isinstance(extra, dict):
                validate(spec, extra, item, f"{where}.{name}")
    if kind == "array" and "items" in schema:
        for i, item in enumerate(value):
            validate(spec, schema["items"], item, f"{where}[{i}]")


def _spec_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_openapi_describes_every_route(app, client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.0")
    described = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api"):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            served.add((_spec_path(rule.rule), method.lower()))
    assert served == described
    for path, ops in spec["paths"].items():
        params_in_path = set(re.findall(r"{([^}]+)}", path))
        for method, op in ops.items():
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == params_in_path, (path, method)
            assert "400" in op["responses"] or method == "get" and not op.get("parameters") or \
                path in ("/api/articles/{article_id}", "/api/feeds/{ref}"), (path, method)
            for response in op["responses"].values():
                for media in response.get("content", {}).values():
                    _resolve(spec, media["schema"])  # every $ref resolves
            writes = path.startswith(("/api/articles", "/api/feeds")) and method in ("post", "delete")
            assert (op.get("security") == [{"bearerAuth": []}]) == writes, (path, method)
            if writes:
                assert {"401", "403"} <= set(op["responses"])
    # the search parameters are the ones SearchRequest reads
    names = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert names == {"q", "topic", "province", "source", "from", "to", "sort", "page", "per_page", "collapse"}


def test_real_responses_match_the_spec(loaded):
    spec = loaded.get("/api/openapi.json").get_json()

    def schema_of(path, method, status, media="application/json"):
        return spec["paths"][path][method]["responses"][status]["content"][media]["schema"]

    cases = [
        (loaded.get("/api/health"), "/api/health", "get", "200"),
        (loaded.post("/api/classify", json=ARTICLES[0]), "/api/classify", "post", "200"),
        (loaded.post("/api/classify", json={}), "/api/classify", "post", "400"),
        (loaded.post("/api/articles", json={"articles": [ARTICLES[1], {"x": 1}]}, headers=AUTH),
         "/api/articles", "post", "201"),
        (loaded.post("/api/articles", json={"articles": [{"x": 1}]}, headers=AUTH), "/api/articles", "post", "400"),
        (loaded.post("/api/articles", json=ARTICLES[0]), "/api/articles", "post", "401"),
        (loaded.get("/api/articles/a1"), "/api/articles/{article_id}", "get", "200"),
        (loaded.get("/api/articles/zz"), "/api/articles/{article_id}", "get", "404"),
        (loaded.get("/api/search?q=tri+tue+nhan+tao"), "/api/search", "get", "200"),
        (loaded.get("/api/search?sort=date"), "/api/search", "get", "200"),
        (loaded.get("/api/search?page=0"), "/api/search", "get", "400"),
        (loaded.get("/api/digest"), "/api/digest", "get", "200"),
        (loaded.get("/api/digest?limit=99"), "/api/digest", "get", "400"),
        (loaded.put("/api/digest"), "/api/digest", "get", "405"),
        (loaded.get("/api/openapi.json"), "/api/openapi.json", "get", "200"),
    ]
    for resp, path, method, status in cases:
        assert str(resp.status_code) == status, (path, resp.get_json())
        validate(spec, schema_of(path, method, status), resp.get_json(), f"{method} {path} {status}")
    assert loaded.delete("/api/articles/a2", headers=AUTH).status_code == 204
    assert "204" in spec["paths"]["/api/articles/{article_id}"]["delete"]["responses"]


def test_validator_catches_mistakes(client):
    spec = client.get("/api/openapi.json").get_json()
    with pytest.raises(AssertionError):
        validate(spec, {"$ref": "#/components/schemas/Error"}, {"error": {"status": 400}})
    with pytest.raises(AssertionError):
        validate(spec, {"$ref": "#/components/schemas/Error"}, {"error": {"status": 400, "message": "m", "x": 1}})


# ---------------------------------------------------------------------------------------------------- pages
def _post_xss(client):
    record = {"id": "xss", "title": XSS_TITLE, "body": 'Nội dung 3 < 5 & "trích dẫn" <script src=y khởi nghiệp.',
              "url": "javascript:alert(1)", "source": "Nguồn <script src=z", "published": "2025-11-20"}
    assert client.post("/api/articles", json=record, headers=AUTH).status_code == 201
    stored = client.get("/api/articles/xss").get_json()
    assert "<script src=x" in stored["title"]  # markup was stripped, but a stray "<script" survives as text
    return stored


def _assert_escaped(html: str):
    assert "<script" not in html
    assert "&lt;script src=x" in html
    assert "javascript:" not in html


def test_search_page(loaded):
    _post_xss(loaded)
    resp = loaded.get("/?q=khoi+nghiep")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    html = resp.get_data(as_text=True)
    for text in ("Tìm kiếm", "Chủ đề", "Tỉnh/thành", "Nguồn", "Từ ngày", "Đến ngày", "Sắp xếp"):
        assert text in html
    assert "<mark>khởi</mark>" in html
    assert 'href="https://example.vn/a1"' in html  # a hit with a url links to it
    assert 'href="/articles/xss"' in html  # one without a (safe) url links to its page
    _assert_escaped(html)
    assert "Nguồn &lt;script src=z" in html


def test_search_page_facets_and_filters(loaded):
    html = loaded.get("/?q=khoi+nghiep").get_data(as_text=True)
    assert 'href="/?q=khoi+nghiep&amp;source=B%C3%A1o+Th%E1%BB%AD"' in html
    html = loaded.get("/?q=khoi+nghiep&source=B%C3%A1o+Th%E1%BB%AD").get_data(as_text=True)
    assert 'id="active-filters"' in html and 'href="/?q=khoi+nghiep"' in html  # remove the filter


def test_search_page_paging(demo):
    html = demo.get("/?q=khoi+nghiep&page=2").get_data(as_text=True)
    assert 'rel="prev"' in html and 'rel="next"' in html and '<span class="current">2</span>' in html


@pytest.mark.parametrize("query, shown", [
    ("topic=sports", "Chủ đề: giá trị không hợp lệ."),
    ("province=Atlantis", "Tỉnh/thành: giá trị không hợp lệ."),
    ("from=2025-02-30", "Từ ngày: giá trị không hợp lệ."),
    ("page=0", "Trang: giá trị không hợp lệ."),
    ("page=xyz", "Trang: giá trị không hợp lệ."),
    ("sort=%ff", "Sắp xếp: giá trị không hợp lệ."),
])
def test_search_page_bad_params_are_friendly(client, query, shown):
    resp = client.get(f"/?{query}")
    assert resp.status_code == 200
    assert shown in resp.get_data(as_text=True)


def test_article_page(loaded):
    _post_xss(loaded)
    html = loaded.get("/articles/a1").get_data(as_text=True)
    assert ARTICLES[0]["title"] in html and "Báo Thử" in html and "18/11/2025" in html
    html = loaded.get("/articles/xss").get_data(as_text=True)
    _assert_escaped(html)
    assert "3 &lt; 5 &amp; &#34;trích dẫn&#34;" in html


def test_digest_page(loaded):
    _post_xss(loaded)
    resp = loaded.get("/digest")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    _assert_escaped(html)
    assert "Bản tin" in html and "Chủ đề" in html and "Tỉnh/thành" in html
    assert 'href="/api/digest?format=markdown"' in html and 'href="/api/digest?format=json"' in html
    html = loaded.get("/digest?topic=ai&from=2025-11-14&to=2025-11-20").get_data(as_text=True)
    assert ARTICLES[2]["title"] in html and ARTICLES[1]["title"] not in html
    assert 'href="/api/digest?topic=ai&amp;from=2025-11-14&amp;to=2025-11-20&amp;format=markdown"' in html


def test_digest_page_bad_params_are_friendly(client):
    resp = client.get("/digest?from=2025-11-20&to=2025-11-01")
    assert resp.status_code == 200
    assert "Từ ngày: giá trị không hợp lệ." in resp.get_data(as_text=True)
    resp = client.get("/digest?province=Atlantis")
    assert resp.status_code == 200 and "Tỉnh/thành: giá trị không hợp lệ." in resp.get_data(as_text=True)


def test_demo_pages_render(demo):
    assert demo.get("/").status_code == 200
    assert demo.get("/digest").status_code == 200
    hit = demo.get("/api/search?per_page=1").get_json()["hits"][0]
    assert demo.get(f"/articles/{hit['id']}").status_code == 200
