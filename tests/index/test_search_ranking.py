"""The ranking is one list: any page of any size is a slice of it, on an index of many segments (property test over
real headlines from ../shared/data)."""

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


@pytest.fixture(scope="module")
def headlines(shared_data):
    rng = random.Random(17)
    with gzip.open(shared_data / "rss-2025-08-2026-02.jsonl.gz", "rt", encoding="utf-8") as handle:
        pool = [json.loads(line) for _, line in zip(range(6000), handle)]
    return [{"id": f"r{i}", "title": r["title"], "body": r.get("summary") or r["title"],
             "published": r["published"][:10], "source": r["sources"][0]} for i, r in enumerate(rng.sample(pool, ARTICLES))]


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
    full = _ids(segmented_store, q, per_page=100, sort=sort)
    size = data.draw(st.integers(1, 30))
    for page in (1, 2, 3):
        assert _ids(segmented_store, q, per_page=size, page=page, sort=sort) == full[(page - 1) * size: page * size]


def test_ties_are_broken_newer_first_then_by_id(segmented_store):
    """A query every article matches equally (sorted by date): newer first, then ids in order."""
    hits = search(segmented_store, SearchRequest(q="", per_page=100))["hits"]
    keys = [(h["published"] or "", h["id"]) for h in hits]
    assert keys == sorted(keys, key=lambda k: (_negated(k[0]), k[1]))


def _negated(day: str) -> tuple:
    return tuple(-ord(c) for c in day)
