"""`vnnews feeds ...` and `vnnews fetch` through cli.main, and /api/feeds with the /feeds page, against the local
feed server."""

from __future__ import annotations

import pytest

from vnnews import cli
from tests.feeds.feedserver import FeedServer, FeedSpec, standard_items
from feeds.commands import STARTER, read_feed_list
from vnnews.web import create_app

KEY = "feeds-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture
def server():
    srv = FeedServer()
    srv.start()
    yield srv
    srv.stop()


def run(capsys, *argv):
    status = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_add_fetch_twice_list(capsys, server, data_dir, model_path):
    server.feeds["/a.xml"] = FeedSpec(standard_items(6))
    server.feeds["/b.xml"] = FeedSpec(standard_items(4, 20), kind="atom")
    server.feeds["/loi.xml"] = FeedSpec(standard_items(2, 40), fault="500")
    server.feeds["/hong.xml"] = FeedSpec(standard_items(2, 50), fault="malformed")
    base = ["--data-dir", data_dir, "--model", model_path]
    for path in server.feeds:
        status, out, _ = run(capsys, *base, "feeds", "add", server.base + path, "--name", path[1:], "--every", "30m")
        assert status == 0 and "subscribed" in out
    status, out, err = run(capsys, *base, "fetch")
    assert status == 1  # some feeds failed
    assert "4 feed(s): 2 ok, 0 not modified, 2 failed" in out and "10 new (10 with full text)" in out
    assert f"{server.base}/loi.xml: HTTP 500" in out and f"{server.base}/hong.xml: malformed XML" in out
    status, out, _ = run(capsys, *base, "fetch")
    assert "0 new" in out and "2 not modified" in out
    status, out, _ = run(capsys, *base, "search", "--json")
    assert '"total": 10' in out
    status, out, _ = run(capsys, *base, "feeds", "list")
    assert status == 0
    lines = {line.split()[1]: line for line in out.splitlines()[1:]}
    assert "HTTP 500 Internal Server Error" in lines["loi.xml"] and "error" in lines["loi.xml"]
    assert "malformed XML" in lines["hong.xml"]
    assert "not modified" in lines["a.xml"] and "6/6" in lines["a.xml"]
    status, out, _ = run(capsys, *base, "feeds", "remove", "1")
    assert status == 0 and "unsubscribed" in out


@pytest.mark.parametrize("argv, message", [
    (["feeds", "add", "ftp://x"], "a feed URL must start with http:// or https://"),
    (["feeds", "add", "http://a.vn/rss", "--every", "2x"], "`every` must look like 15m"),
    (["feeds", "add", "http://a.vn/rss", "--every", "10s"], "`every` must be between 1m and 7d"),
    (["feeds", "remove", "7"], "no feed '7'"),
    (["feeds", "import", "/nonexistent.opml"], "cannot read /nonexistent.opml"),
    (["fetch"], "no feeds to fetch"),
])
def test_errors_are_one_line(capsys, data_dir, argv, message):
    status, out, err = run(capsys, "--data-dir", data_dir, *argv)
    assert status != 0 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_add_twice(capsys, data_dir):
    assert run(capsys, "--data-dir", data_dir, "feeds", "add", "http://a.vn/rss")[0] == 0
    status, _, err = run(capsys, "--data-dir", data_dir, "feeds", "add", "http://a.vn/rss")
    assert status == 2 and "already subscribed to http://a.vn/rss" in err


def test_import_opml_and_plain_list(capsys, tmp_path, data_dir):
    opml = tmp_path / "f.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><body><outline text="Báo">'
                    '<outline text="Báo A - Thời sự" xmlUrl="https://a.vn/rss/thoi-su.rss"/>'
                    '<outline text="Báo A - Số hóa" xmlUrl="https://a.vn/rss/so-hoa.rss"/></outline></body></opml>',
                    encoding="utf-8")
    plain = tmp_path / "f.txt"
    plain.write_text("# my feeds\nhttps://b.vn/rss.xml Báo B\n\nnot-a-url\nhttps://a.vn/rss/so-hoa.rss\n")
    status, out, _ = run(capsys, "--data-dir", data_dir, "feeds", "import", opml, "--every", "1h")
    assert status == 0 and "subscribed to 2 feed(s)" in out
    status, out, err = run(capsys, "--data-dir", data_dir, "feeds", "import", plain)
    assert "subscribed to 1 feed(s)" in out and "2 already there or invalid" in out and ":4: a feed URL" in err
    status, out, _ = run(capsys, "--data-dir", data_dir, "feeds", "list", "--json")
    import json
    feeds = json.loads(out)
    assert [(f["name"], f["every"]) for f in feeds] == [("Báo A - Thời sự", "1h"), ("Báo A - Số hóa", "1h"),
                                                        ("Báo B", "15m")]


def test_starter_list_names_the_outlets():
    feeds = read_feed_list(STARTER)
    hosts = {f["url"].split("/")[2] for f in feeds}
    assert hosts == {"vnexpress.net", "tuoitre.vn", "thanhnien.vn", "dantri.com.vn", "vietnamnet.vn"}
    assert all(f["url"].startswith("https://") and f["source"] for f in feeds) and len(feeds) >= 30


# ------------------------------------------------------------------------------------------- the API and the page
@pytest.fixture
def client(data_dir, model_path):
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "MODEL_PATH": str(model_path), "API_KEY": KEY})
    yield app.test_client()
    app.extensions["vnnews"].store.close()


def test_api_feeds(client):
    assert client.get("/api/feeds").get_json() == {"feeds": []}
    resp = client.post("/api/feeds", json={"url": "https://a.vn/rss", "name": "Báo A", "every": "1h"}, headers=AUTH)
    assert resp.status_code == 201
    body = resp.get_json()
    assert {k: body[k] for k in ("id", "url", "name", "every", "status", "failures", "last_error")} == {
        "id": 1, "url": "https://a.vn/rss", "name": "Báo A", "every": "1h", "status": "new", "failures": 0,
        "last_error": None}
    assert [f["url"] for f in client.get("/api/feeds").get_json()["feeds"]] == ["https://a.vn/rss"]
    page = client.get("/feeds")
    assert page.status_code == 200 and "https://a.vn/rss" in page.get_data(as_text=True)
    assert client.delete("/api/feeds/1", headers=AUTH).status_code == 204
    assert client.get("/api/feeds").get_json() == {"feeds": []}


def test_every_page_links_the_feeds_page(client):
    for path in ("/", "/digest", "/feeds"):
        html = client.get(path).get_data(as_text=True)
        assert '<a href="/feeds"' in html, path
    assert 'href="/feeds" class="active"' in client.get("/feeds").get_data(as_text=True)


@pytest.mark.parametrize("method, path, body, headers, expected", [
    ("post", "/api/feeds", {"url": "https://a.vn/rss"}, {},
     (401, {"error": {"status": 401, "message": "missing or wrong API key; send `Authorization: Bearer <key>`"}})),
    ("delete", "/api/feeds/1", None, {"Authorization": "Bearer wrong"},
     (401, {"error": {"status": 401, "message": "missing or wrong API key; send `Authorization: Bearer <key>`"}})),
    ("post", "/api/feeds", {"url": "gopher://a"}, AUTH,
     (400, {"error": {"status": 400, "message": "a feed URL must start with http:// or https://, not 'gopher://a'",
                      "field": "url"}})),
    ("post", "/api/feeds", {"url": "https://a.vn/rss", "every": "soon"}, AUTH,
     (400, {"error": {"status": 400, "message": "`every` must look like 15m, 1h or 90s, not 'soon'",
                      "field": "every"}})),
    ("post", "/api/feeds", ["x"], AUTH,
     (400, {"error": {"status": 400, "message": "the body must be a JSON object like {\"url\": \"https://...\", "
                                                "\"every\": \"15m\"}"}})),
    ("delete", "/api/feeds/9", None, AUTH,
     (404, {"error": {"status": 404, "message": "no feed '9'; `vnnews feeds list` shows the subscriptions",
                      "field": "feed"}})),
])
def test_api_feed_errors(client, method, path, body, headers, expected):
    resp = getattr(client, method)(path, json=body, headers=headers)
    assert (resp.status_code, resp.get_json()) == expected


def test_writes_refused_without_a_key(data_dir, model_path):
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "MODEL_PATH": str(model_path), "API_KEY": ""})
    resp = app.test_client().post("/api/feeds", json={"url": "https://a.vn/rss"})
    assert resp.status_code == 403 and "no API key is configured" in resp.get_json()["error"]["message"]
    app.extensions["vnnews"].store.close()


def test_health_page_shows_the_failing_feed(client, server, data_dir, model_path, capsys):
    server.feeds["/loi.xml"] = FeedSpec(standard_items(2), fault="404")
    client.post("/api/feeds", json={"url": server.base + "/loi.xml", "name": "Báo lỗi"}, headers=AUTH)
    run(capsys, "--data-dir", data_dir, "--model", model_path, "fetch")
    html = client.get("/feeds").get_data(as_text=True)
    assert "Báo lỗi" in html and "HTTP 404 Not Found" in html and "status-error" in html


def test_serving_polls_feeds_added_over_the_api(client, server, data_dir):
    """`vnnews serve`'s background poller: a feed added over the API is searchable within one idle wait."""
    import threading
    import time

    from feeds.poller import start_background

    items = standard_items(3)
    server.feeds["/feed.xml"] = FeedSpec(items)
    services = client.application.extensions["vnnews"]
    said, stop = [], threading.Event()
    thread = start_background(data_dir, services.store, services.model, say=said.append, max_sleep=0.5, stop=stop)
    assert thread and "polled in the background" in said[0]
    assert start_background(data_dir, services.store, services.model, say=said.append) is None
    assert "another poller" in said[-1]
    client.post("/api/feeds", json={"url": server.base + "/feed.xml", "source": "Báo Thử"}, headers=AUTH)
    deadline = time.monotonic() + 60
    while client.get("/api/search?source=Báo Thử").get_json()["total"] < 3:
        assert time.monotonic() < deadline, "the feed's articles never became searchable"
        time.sleep(0.2)
    hit = client.get("/api/search?q=" + items[0].title).get_json()["hits"][0]
    assert hit["title"] == items[0].title and hit["source"] == "Báo Thử"
    assert "ok" in client.get("/feeds").get_data(as_text=True)
    stop.set()
    thread.join(timeout=30)


def test_a_second_poller_says_so_and_exits(capsys, data_dir):
    from feeds.poller import PollerLock

    run(capsys, "--data-dir", data_dir, "feeds", "add", "http://127.0.0.1:9/feed.xml")
    with PollerLock(data_dir):
        status, _, err = run(capsys, "--data-dir", data_dir, "fetch", "--loop")
    assert status == 1 and "another poller (pid " in err and "is already fetching the feeds of" in err
    assert len(err.strip().splitlines()) == 1
