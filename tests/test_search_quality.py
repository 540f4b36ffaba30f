"""Known-item search quality over 2,000 real articles (../shared/data), the issue's acceptance figures."""

from __future__ import annotations

import gzip
import json

import pytest

from index.evaluate import evaluate, known_items
from index.ingest import ingest_records
from index.search import SearchRequest, search
from index.store import Store

pytestmark = pytest.mark.slow
ARTICLES = 2000
QUERIES = 200


@pytest.fixture(scope="module")
def real_articles(shared_data):
    path = shared_data / "vietnews-100k.jsonl.gz"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    articles = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            articles.append(json.loads(line))
            if len(articles) == ARTICLES:
                break
    return articles


@pytest.fixture(scope="module")
def real_store(tmp_path_factory, real_articles, model, model_path):
    store = Store(tmp_path_factory.mktemp("real") / "var")
    summary = ingest_records(store, ((a["id"], a) for a in real_articles), model, model_path)
    assert summary.added == ARTICLES and not summary.rejected
    yield store
    store.close()


@pytest.fixture(scope="module")
def quality(real_store, real_articles):
    items = known_items(real_articles[:: ARTICLES // QUERIES][:QUERIES])
    return evaluate(lambda q: [h["id"] for h in search(real_store, SearchRequest(q=q))["hits"]], items)


def test_exact_title_finds_the_article_first(quality):
    assert quality["queries"] == QUERIES
    assert quality["title_first"] >= 0.95, quality["title_misses"]


def test_toneless_title_finds_the_article_first(quality):
    assert quality["toneless_title_first"] >= 0.90


def test_four_title_words_find_the_article_in_the_top_ten(quality):
    assert quality["words_top10"] >= 0.90


def test_toneless_query_returns_the_same_top_ten(quality):
    assert quality["toneless_same_top10_set"] >= 0.90


def test_facet_counts_equal_matching_articles(real_store):
    """Each facet count is the number of matching articles carrying that value, checked against the stored tags."""
    result = search(real_store, SearchRequest(q="công an", per_page=1))
    everything = search(real_store, SearchRequest(q="công an", per_page=100, page=1))
    assert result["total"] == everything["total"] > 100
    # Walk every page and count by hand.
    counts: dict[str, dict[str, int]] = {"topic": {}, "province": {}}
    pages = (result["total"] + 99) // 100
    seen = 0
    for page in range(1, pages + 1):
        for hit in search(real_store, SearchRequest(q="công an", per_page=100, page=page))["hits"]:
            seen += 1
            for name, values in (("topic", hit["topics"]), ("province", hit["provinces"])):
                for value in values:
                    counts[name][value] = counts[name].get(value, 0) + 1
    assert seen == result["total"]
    assert result["facets"]["topic"] == counts["topic"]
    assert result["facets"]["province"] == dict(sorted(counts["province"].items(), key=lambda p: (-p[1], p[0])))
