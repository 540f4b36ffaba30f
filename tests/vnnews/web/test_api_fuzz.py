"""Fuzzing every endpoint with hypothesis: no answer is a server error, and every /api error has the one shape."""

from __future__ import annotations

import json
import shutil
from urllib.parse import quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service import create_app

KEY = "fuzz-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
FUZZ = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def client(demo_data_dir, model_path, tmp_path_factory):
    target = tmp_path_factory.mktemp("fuzz") / "var"
    shutil.copytree(demo_data_dir, target)
    app = create_app({"TESTING": True, "DATA_DIR": str(target), "MODEL_PATH": str(model_path), "API_KEY": KEY,
                      "MAX_CONTENT_LENGTH": 512 * 1024})
    yield app.test_client()
    app.extensions["vnnews"].store.close()


def check(resp, path: str) -> None:
    """The two laws: never a 5xx; under /api every error is {"error": {"status", "message", "field"?}}."""
    assert resp.status_code < 500, (path, resp.status_code, resp.get_data(as_text=True)[:500])
    if path.startswith("/api") and resp.status_code >= 400:
        body = resp.get_json(silent=True)
        assert isinstance(body, dict) and set(body) == {"error"}, (path, resp.get_data(as_text=True)[:500])
        error = body["error"]
        assert set(error) <= {"status", "message", "field", "errors"}, error
        assert error["status"] == resp.status_code, error
        assert isinstance(error["message"], str) and error["message"], error
        assert isinstance(error.get("field", ""), str), error


# ---------------------------------------------------------------------------------------------------- values
odd_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.sampled_from(["", " ", "0", "-1", "1e9", "99999999999999999999", "NaN", "null", "true", "[]", "{}",
                     "khởi nghiệp", "khoi nghiep", "\"đà nẵng\"", "AI OR -startup", "yếu", "hoà",
                     "TP.HCM", "😀🇻🇳", "<script>alert(1)</script>", "a" * 600, "x" * 5000, "2025-11-20",
                     "2025-02-30", "0000-01-01", "9999-12-31", "2025-11-20T10:00:00", "\x00", "\u202e\u200b",
                     "Đắk Lắk", "da nang", "Quảng Nam", "ai", "startup", "digital_transformation", "date",
                     "relevance", "%ff", "(((", ")", "\"", "-", "*", "?", "OR", "AND NOT"]),
)
numbers = st.one_of(st.integers(-10**6, 10**6).map(str), st.floats(allow_nan=True).map(str))
param_value = st.one_of(odd_text, numbers)
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                      st.floats(allow_nan=False, allow_infinity=False), odd_text)
json_value = st.recursive(json_leaf, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(odd_text, children, max_size=4)), max_leaves=12)
article_like = st.fixed_dictionaries({}, optional={
    "id": st.one_of(odd_text, json_value), "title": st.one_of(odd_text, json_value),
    "body": st.one_of(odd_text, json_value), "lead": st.one_of(odd_text, json_value),
    "source": st.one_of(odd_text, json_value), "url": st.one_of(odd_text, json_value),
    "published": st.one_of(odd_text, json_value), "topics": json_value, "extra": json_value,
})


def params_of(names):
    return st.dictionaries(st.sampled_from(names), param_value, max_size=len(names))


# ---------------------------------------------------------------------------------------------------- GET endpoints
@FUZZ
@given(params=params_of(["q", "topic", "province", "source", "from", "to", "sort", "page", "per_page", "x"]))
def test_search_params(client, params):
    check(client.get("/api/search", query_string=params), "/api/search")


@FUZZ
@given(params=params_of(["topic", "province", "from", "to", "limit", "format", "x"]))
def test_digest_params(client, params):
    check(client.get("/api/digest", query_string=params), "/api/digest")


@settings(FUZZ, max_examples=20)
@given(params=params_of(["q", "topic", "province", "source", "from", "to", "sort", "page"]),
       page=st.sampled_from(["/", "/digest"]))
def test_page_params(client, params, page):
    resp = client.get(page, query_string=params)
    check(resp, page)
    assert resp.status_code == 200 and resp.mimetype == "text/html"


@settings(FUZZ, max_examples=20)
@given(raw=st.binary(max_size=60), path=st.sampled_from(["/api/search", "/api/digest", "/", "/digest"]))
def test_raw_query_strings(client, raw, path):
    # raw bytes, %-escaped (a stray "%" and non-UTF-8 bytes included): werkzeug decodes them leniently
    check(client.get(path + "?" + quote_from_bytes(raw, safe="=&+%")), path)


# ---------------------------------------------------------------------------------------------------- bodies
@FUZZ
@given(body=st.one_of(article_like, json_value))
def test_classify_bodies(client, body):
    check(client.post("/api/classify", json=body), "/api/classify")


@FUZZ
@given(body=st.one_of(article_like, json_value, st.fixed_dictionaries({"articles": st.one_of(
    st.lists(st.one_of(article_like, json_value), max_size=5), json_value)})))
def test_article_bodies(client, body):
    check(client.post("/api/articles", json=body, headers=AUTH), "/api/articles")


@settings(FUZZ, max_examples=20)
@given(data=st.one_of(st.binary(max_size=200),
                      st.lists(st.one_of(article_like, json_value), max_size=4).map(
                          lambda rs: "\n".join(json.dumps(r, ensure_ascii=False) for r in rs).encode())),
       content_type=st.sampled_from(["application/json", "application/x-ndjson", "text/plain", ""]),
       path=st.sampled_from(["/api/articles", "/api/classify"]))
def test_raw_bodies(client, data, content_type, path):
    check(client.post(path, data=data, content_type=content_type or None, headers=AUTH), path)


# ---------------------------------------------------------------------------------------------------- paths, methods
@settings(FUZZ, max_examples=20)
@given(article_id=odd_text, method=st.sampled_from(["GET", "DELETE"]))
def test_article_ids(client, article_id, method):
    path = "/api/articles/" + quote(article_id, safe="")
    check(client.open(path, method=method, headers=AUTH), path)
    check(client.get("/articles/" + quote(article_id, safe="")), "/articles/")


@settings(FUZZ, max_examples=20)
@given(method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]),
       path=st.one_of(st.sampled_from(["/api/health", "/api/classify", "/api/articles", "/api/articles/x",
                                       "/api/search", "/api/digest", "/api/openapi.json", "/api", "/api/"]),
                      odd_text.map(lambda s: "/api/" + quote(s))),
       headers=st.sampled_from([{}, AUTH, {"Authorization": "Bearer nope"}, {"Authorization": "Bearer \u00e9"}]))
def test_methods_and_paths(client, method, path, headers):
    check(client.open(path, method=method, headers=headers, data=b"{}", content_type="application/json"), path)


def test_huge_body_is_413(client):
    resp = client.post("/api/articles", data=b"[" + b"1," * 400_000 + b"1]", content_type="application/json",
                       headers=AUTH)
    check(resp, "/api/articles")
    assert resp.status_code == 413
