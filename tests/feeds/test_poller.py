"""The poller against a real HTTP server on 127.0.0.1 serving feeds and pages we write: every fault recorded as
that feed's error with its reason, with backoff, never stopping the other feeds; nothing lost, nothing duplicated."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

import pytest

from tests.feeds.feedserver import FeedServer, FeedSpec, standard_items
from feeds.fetch import Fetcher
from feeds.poller import FeedsBusy, Poller, PollerLock
from feeds.state import State
from feeds.urls import article_id, canonical_url
from index.search import SearchRequest, search
from index.store import Store, stored_article


class Clock:
    def __init__(self, start: float | None = None):
        self.now = start or time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def server():
    srv = FeedServer(slow_seconds=2.5)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def run(data_dir, model, clock):
    """run(server, due_only=True) → one round's summary, with a fresh Poller each time (as a restarted process)."""
    opened = []

    def go(due_only: bool = True, **kwargs):
        store = Store(data_dir)
        opened.append(store)
        fetcher = Fetcher(read_timeout=1.0, connect_timeout=1.0, total_timeout=10.0)
        with Poller(data_dir, store, model, clock=clock, fetcher=fetcher, **kwargs) as poller:
            try:
                return poller.fetch_once(due_only=due_only)
            finally:
                fetcher.close()

    yield go
    for store in opened:
        store.close()


def subscribe(data_dir, server, *paths, every=900):
    with State(data_dir) as state:
        for path in paths:
            state.add_feed(server.base + path, name=path.strip("/"), source="Báo Thử", interval=every)


def feed_state(data_dir, server, path):
    with State(data_dir) as state:
        return state.feed(server.base + path)


def indexed_ids(data_dir) -> list[str]:
    with Store(data_dir) as store, store.searcher() as searcher:
        return [fields["id"] for fields in searcher.all_stored_fields()]


def expected_ids(server, items) -> set[str]:
    return {article_id(canonical_url(server.base + item.path)) for item in items}


def test_poll_indexes_every_item_once_with_full_text(server, data_dir, run, clock):
    server.feeds["/rss.xml"] = FeedSpec(standard_items(12), link_suffix="?utm_source=rss&utm_medium=feed#top")
    server.feeds["/atom.xml"] = FeedSpec(standard_items(12, 6), kind="atom")  # 6 items also in the RSS feed
    server.feeds["/rdf.xml"] = FeedSpec(standard_items(4, 30), kind="rdf")
    subscribe(data_dir, server, "/rss.xml", "/atom.xml", "/rdf.xml")
    summary = run()
    assert (summary.feeds, summary.ok, summary.failed, summary.errors) == (3, 3, 0, {})
    assert (summary.seen, summary.new, summary.indexed, summary.full_text) == (28, 22, 22, 22)
    ids = indexed_ids(data_dir)
    assert sorted(ids) == sorted(expected_ids(server, server.served_items()))
    with Store(data_dir) as store:
        item = standard_items(12)[0]
        got = store.get(article_id(server.base + item.path))
        assert got["title"] == item.title
        assert got["lead"] == item.lead
        assert got["body"].startswith(item.body.split("\n")[0][:60])  # the page's text, not the summary
        assert "Ý kiến bạn đọc" not in got["body"] and "Quảng cáo" not in got["body"]  # comments and ads left out
        assert got["published"] == "2024-03-30"  # 23:30 UTC on the 29th is the 30th in Việt Nam
        assert got["url"] == server.base + item.path  # no tracking parameters
        assert got["topics"] or got["provinces"]  # tagged
    # a second round adds nothing, and asks with the validators (304 Not Modified)
    again = run(due_only=False)
    assert (again.new, again.indexed, again.not_modified) == (0, 0, 3)
    assert sorted(indexed_ids(data_dir)) == sorted(ids)
    assert all(spec.conditional_hits == 1 for spec in server.feeds.values())
    assert {agent for _, agent in server.log} == {"vnnews-feeds/0.1 (news tagging and search; polite polling with "
                                                  "conditional GET)"}


def test_new_items_later_are_added(server, data_dir, run, clock):
    server.feeds["/rss.xml"] = FeedSpec(standard_items(5, 0))
    subscribe(data_dir, server, "/rss.xml")
    assert run().indexed == 5
    server.feeds["/rss.xml"].items = standard_items(3, 100) + server.feeds["/rss.xml"].items[:2]
    assert run().indexed == 0  # not due yet
    clock.advance(901)
    summary = run()
    assert (summary.new, summary.indexed) == (3, 3)
    assert len(indexed_ids(data_dir)) == 8


@pytest.mark.parametrize("encoding", ["utf-8", "windows-1258", "utf-16"])
@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_declared_encodings(server, data_dir, run, encoding, kind):
    items = standard_items(3, 50)
    server.feeds["/f.xml"] = FeedSpec(items, kind=kind, encoding=encoding)
    subscribe(data_dir, server, "/f.xml")
    assert run().indexed == 3
    with Store(data_dir) as store:
        for item in items:
            assert store.get(article_id(server.base + item.path))["title"] == item.title


FAULTS = [
    ("404", "HTTP 404"), ("410", "HTTP 410"), ("429", "HTTP 429"), ("500", "HTTP 500"), ("503", "HTTP 503"),
    ("timeout", "timed out"), ("redirect-loop", "too many redirects"), ("malformed", "malformed XML"),
    ("truncated", "malformed XML"), ("huge", "cap"), ("huge-chunked", "cap"), ("gzip-bomb", "compression bomb"),
    ("html", "wrong content type"), ("unknown-encoding", "unknown encoding 'x-vn-klingon'"),
]


@pytest.mark.parametrize("fault, reason", FAULTS, ids=[f for f, _ in FAULTS])
def test_fault_is_recorded_backs_off_and_never_stops_other_feeds(server, data_dir, run, clock, fault, reason):
    good = standard_items(4)
    server.feeds["/good.xml"] = FeedSpec(good)
    server.feeds["/bad.xml"] = FeedSpec(standard_items(6, 200), fault=fault, retry_after="7200")
    server.feeds["/good2.xml"] = FeedSpec(standard_items(3, 10), kind="atom")
    subscribe(data_dir, server, "/good.xml", "/bad.xml", "/good2.xml")
    summary = run()
    assert summary.ok == 2 and summary.failed == 1
    assert reason in summary.errors[server.base + "/bad.xml"]
    bad = feed_state(data_dir, server, "/bad.xml")
    assert bad.status == "error" and reason in bad.last_error and bad.failures == 1
    assert bad.next_fetch >= clock.now + 2 * bad.interval  # backed off: twice the interval after one failure
    if fault == "429":
        assert bad.next_fetch >= clock.now + 7200  # the server's Retry-After
    assert bad.etag is None  # a failed fetch never saves validators: its items come again whole
    ids = set(indexed_ids(data_dir))
    assert expected_ids(server, good + standard_items(3, 10)) <= ids
    # the fault fixed: after the backoff the feed is fetched again, and a second failure backs off further
    clock.advance(bad.next_fetch - clock.now + 1)
    server.feeds["/bad.xml"].fault = None
    summary = run()
    assert summary.errors == {}
    assert feed_state(data_dir, server, "/bad.xml").status == "ok"
    assert expected_ids(server, standard_items(6, 200)) <= set(indexed_ids(data_dir))


def test_backoff_grows_with_consecutive_failures(server, data_dir, run, clock):
    server.feeds["/bad.xml"] = FeedSpec(standard_items(2), fault="500")
    subscribe(data_dir, server, "/bad.xml", every=600)
    delays = []
    for _ in range(4):
        run()
        feed = feed_state(data_dir, server, "/bad.xml")
        delays.append(round(feed.next_fetch - clock.now))
        clock.advance(feed.next_fetch - clock.now + 1)
    assert delays == [1200, 2400, 4800, 9600]
    assert feed.failures == 4


def test_page_failure_keeps_the_summary_and_is_retried(server, data_dir, run, clock):
    items = standard_items(3)
    server.feeds["/rss.xml"] = FeedSpec(items)
    server.page_faults[items[0].slug] = "404"
    server.page_faults[items[1].slug] = "timeout"
    subscribe(data_dir, server, "/rss.xml")
    summary = run()
    assert (summary.indexed, summary.full_text, summary.pages_failed) == (3, 1, 2)
    first = article_id(server.base + items[0].path)
    with Store(data_dir) as store:
        assert store.get(first)["body"] == items[0].lead  # indexed from the feed's summary
    with State(data_dir) as state:
        assert state.counts()["full_text"] == 1
    server.page_faults.clear()
    clock.advance(601)
    summary = run()
    assert (summary.pages_recovered, summary.indexed) == (2, 2)
    with Store(data_dir) as store:
        got = store.get(first)
        assert got["lead"] == items[0].lead and got["body"].startswith(items[0].body[:50])
    assert sorted(indexed_ids(data_dir)) == sorted(expected_ids(server, items))


def test_duplicates_by_url_redirect_and_text(server, data_dir, run):
    items = standard_items(4)
    copy = standard_items(1)[0]
    copy.slug = "ban-sao"  # the same article re-published under a new URL
    moved = standard_items(1, 1)[0]
    moved.slug = "chuyen-huong"  # a link that redirects to an article we have
    server.redirects[moved.path] = server.base + items[1].path + "?utm_source=x"
    server.feeds["/a.xml"] = FeedSpec(items)
    subscribe(data_dir, server, "/a.xml")
    run()
    server.feeds["/b.xml"] = FeedSpec([copy, items[2]], link_suffix="?utm_campaign=b#c")
    subscribe(data_dir, server, "/b.xml")
    assert run().duplicates == 1
    server.feeds["/c.xml"] = FeedSpec([moved])
    subscribe(data_dir, server, "/c.xml")
    run()
    assert sorted(indexed_ids(data_dir)) == sorted(expected_ids(server, items))
    with State(data_dir) as state:
        assert state.item_for_link(server.base + copy.path) == article_id(server.base + items[0].path)
        assert state.item_for_link(server.base + moved.path) == article_id(server.base + items[1].path)


def test_copies_at_two_outlets_share_an_event_and_search_shows_them_as_one_hit(server, data_dir, run):
    items = standard_items(3)
    first = items[0]
    copy = dataclasses.replace(first, slug=f"{first.slug}-lai", title=f"{first.title} (theo báo bạn)",
                               body=f"{first.body}\nBài đăng lại có thêm một câu kết của toà soạn.",
                               published=first.published + dt.timedelta(hours=2))
    server.feeds["/a.xml"] = FeedSpec(items)
    server.feeds["/b.xml"] = FeedSpec([copy])
    subscribe(data_dir, server, "/a.xml")
    with State(data_dir) as state:
        state.add_feed(server.base + "/b.xml", name="b", source="Báo Khác", interval=900)
    run()
    with Store(data_dir) as store:
        with store.searcher() as searcher:
            stored = {f["id"]: stored_article(f) for f in searcher.all_stored_fields()}
        assert len(stored) == 4 and all(a["event_id"] for a in stored.values())
        first_id, copy_id = article_id(server.base + first.path), article_id(server.base + copy.path)
        assert stored[first_id]["event_id"] == stored[copy_id]["event_id"]
        assert len({a["event_id"] for a in stored.values()}) == 3  # the other two stories are their own events
        q = " ".join(first.title.split()[:4])
        collapsed = search(store, SearchRequest(q=q))
        every = search(store, SearchRequest(q=q, collapse=False))
    assert {first_id, copy_id} <= {h["id"] for h in every["hits"]}
    shown = [h for h in collapsed["hits"] if h["id"] in (first_id, copy_id)]
    assert len(shown) == 1 and collapsed["groups"] == collapsed["total"] - 1
    other = {first_id, copy_id} - {shown[0]["id"]}
    assert [o["id"] for o in shown[0]["others"]] == list(other)
    assert {shown[0]["source"], shown[0]["others"][0]["source"]} == {"Báo Thử", "Báo Khác"}


def test_concurrent_fetches_per_host_are_bounded(server, data_dir, model, clock):
    for n in range(8):
        server.feeds[f"/f{n}.xml"] = FeedSpec(standard_items(2, 2 * n))
    subscribe(data_dir, server, *server.feeds)
    fetcher = Fetcher(per_host=2)
    with Store(data_dir) as store, Poller(data_dir, store, model, fetcher=fetcher, workers=6, clock=clock) as poller:
        assert poller.fetch_once().ok == 8
    assert fetcher.limiter.peak["127.0.0.1"] <= 2
    fetcher.close()


def test_one_poller_per_data_directory(data_dir):
    with PollerLock(data_dir):
        with pytest.raises(FeedsBusy) as info:
            PollerLock(data_dir).acquire()
        assert "already fetching" in info.value.message and "pid" in info.value.message
    with PollerLock(data_dir):  # released: the next one may run
        pass


def test_pending_items_are_indexed_after_a_crash(server, data_dir, model, clock):
    """The moment between recording an item as pending and indexing it, made to fail: a restart indexes it."""
    items = standard_items(4)
    server.feeds["/a.xml"] = FeedSpec(items)
    subscribe(data_dir, server, "/a.xml")

    class Crash(Exception):
        pass

    with Store(data_dir) as store, Poller(data_dir, store, model, clock=clock) as poller:
        def crash(summary=None):
            raise Crash()
        poller.index_pending = crash
        with pytest.raises(Crash):
            poller.fetch_once()
        poller.index_pending = lambda summary=None: 0
        poller.fetch_once()
    with State(data_dir) as state:
        assert state.counts() == {"pending": 4, "full_text": 4, "links": 4}
    assert indexed_ids(data_dir) == []
    with Store(data_dir) as store, Poller(data_dir, store, model, clock=clock) as poller:
        assert poller.fetch_once().indexed == 4
    assert sorted(indexed_ids(data_dir)) == sorted(expected_ids(server, items))
