"""The ranking is one list: any page of any size is a slice of it, on an index of many segments (property test over
real headlines from ../shared/data), with copies of one event collapsed or not."""

from __future__ import annotations

import gzip
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from vnnews.ingest import ingest_records
from index.search import SearchRequest, search
from index.store import Store

ARTICLES = 240
BATCH = 12  # one commit each: twenty segments before merging, several after
EVENTS = 45


@pytest.fixture(scope="module")
def headlines(shared_data):
    rng = random.Random(17)
    with gzip.open(shared_data / "rss-2025-08-2026-02.jsonl.gz", "rt", encoding="utf-8") as handle:
        pool = [json.loads(line) for _, line in zip(range(6000), handle)]
    chosen = rng.sample(pool, ARTICLES)
    # every third article is a copy of an event: 15 events of 5 or 6 articles each, spread over the segments
    return [{"id": f"r{i}", "title": r["title"], "body": r.get("summary") or r["title"],
             "published": r["published"][:10], "source": r["sources"][0],
             "event_id": f"ev{i % EVENTS}" if i % 3 == 0 else ""} for i, r in enumerate(chosen)]


@pytest.fixture(scope="module")
def segmented_store(tmp_path_factory, headlines, model, model_path):
    store = Store(tmp_path_factory.mktemp("segments") / "var")
    for start in range(0, ARTICLES, BATCH):
        batch = headlines[start:start + BATCH]
        ingest_records(store, ((a["id"], a) for a in batch), model, model_path, workers=1)
    with store.searcher() as searcher:
        assert len(searcher.subsearchers or []) >= 3  # the property is about several segments
    yield store
    store.close()


def _ids(store, q: str, **kw) -> list[str]:
    return [h["id"] for h in search(store, SearchRequest(q=q, **kw))["hits"]]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_page_is_a_slice_of_the_one_ranking(segmented_store, headlines, data):
    title = data.draw(st.sampled_from(headlines))["title"].split()
    length = data.draw(st.integers(1, min(4, len(title))))
    start = data.draw(st.integers(0, len(title) - length))
    q = " ".join(title[start:start + length])
    sort = data.draw(st.sampled_from(["relevance", "date"]))
    collapse = data.draw(st.booleans())
    full = _ids(segmented_store, q, per_page=100, sort=sort, collapse=collapse)
    size = data.draw(st.integers(1, 30))
    for page in (1, 2, 3):
        assert _ids(segmented_store, q, per_page=size, page=page, sort=sort, collapse=collapse) == \
            full[(page - 1) * size: page * size]


@pytest.mark.parametrize("sort", ["relevance", "date"])
@pytest.mark.parametrize("q", ["", "người", "Việt Nam"])
def test_small_pages_of_many_matches_are_slices_of_the_one_ranking(segmented_store, q, sort):
    # Far more matches than a small page: only what can reach the page is sorted (index.search._order).
    full = _ids(segmented_store, q, per_page=100, sort=sort, collapse=False)
    if not q:
        assert len(full) == 100  # every article matches: 240
    for size in (1, 2, 5, 7):
        for page in (1, 2, 4):
            assert _ids(segmented_store, q, per_page=size, page=page, sort=sort, collapse=False) == \
                full[(page - 1) * size: page * size]


@pytest.mark.parametrize("sort", ["relevance", "date"])
@pytest.mark.parametrize("q", ["", "Việt Nam", "TP.HCM", "người"])
def test_collapsing_leaves_out_later_copies_of_an_event_and_lists_them(segmented_store, headlines, q, sort):
    event_of = {a["id"]: a["event_id"] for a in headlines}
    every = search(segmented_store, SearchRequest(q=q, per_page=ARTICLES, sort=sort, collapse=False))
    collapsed = search(segmented_store, SearchRequest(q=q, per_page=ARTICLES, sort=sort))
    assert every["total"] == collapsed["total"] and every["facets"] == collapsed["facets"]
    first_of: dict[str, str] = {}  # event → its first copy in the full ranking
    expected, copies = [], {}
    for article_id in (h["id"] for h in every["hits"]):
        event = event_of[article_id]
        if event in first_of:
            copies[first_of[event]].append(article_id)
            continue
        if event:
            first_of[event] = article_id
        copies[article_id] = []
        expected.append(article_id)
    assert [h["id"] for h in collapsed["hits"]] == expected
    assert collapsed["groups"] == len(expected) and every["groups"] == every["total"]
    for hit in collapsed["hits"]:
        assert [o["id"] for o in hit["others"]] == copies[hit["id"]]
        assert hit["others_total"] == len(hit["others"])
        assert hit["event_id"] == (event_of[hit["id"]] or None)
    if not q:  # every article matches: each event of 5 or 6 copies is one entry
        assert collapsed["groups"] == ARTICLES - sum(1 for a in headlines if a["event_id"]) + EVENTS // 3


def test_ties_are_broken_newer_first_then_by_id(segmented_store):
    """A query every article matches equally (sorted by date): newer first, then ids in order."""
    hits = search(segmented_store, SearchRequest(q="", per_page=100))["hits"]
    keys = [(h["published"] or "", h["id"]) for h in hits]
    assert keys == sorted(keys, key=lambda k: (_negated(k[0]), k[1]))


def _negated(day: str) -> tuple:
    return tuple(-ord(c) for c in day)
