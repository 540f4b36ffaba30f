"""The array engine matches and scores exactly as whoosh's own matchers do, on an index of several segments."""

from __future__ import annotations

import numpy as np
import pytest
from whoosh import query as wq

import corpus
from index.build import build_query, filter_query
from index.engine import Segment, evaluate
from vnnews.ingest import ingest_records, iter_records
from index.request import SearchRequest
from index.state import state_of
from index.store import Store
from index.vocabulary import leaves, vocabulary
from nlp.analysis import syllables

QUERIES = ["khởi nghiệp Đà Nẵng", "khoi nghiep", '"chuyển đổi số"', "AI -điện thoại", "Hà Nội OR Hải Phòng",
           "(lừa đảo OR chiếm đoạt) tài sản", "trí tuệ nhân tạo", "ngân hàng số", "bệnh viện"]


@pytest.fixture(scope="module")
def store(tmp_path_factory, model, model_path):
    store = Store(tmp_path_factory.mktemp("engine") / "var")
    records = list(iter_records(corpus.corpus_files()))[:150]
    for start in range(0, len(records), 30):  # several segments
        ingest_records(store, records[start:start + 30], model, model_path, workers=1)
    store.delete(records[5][1]["id"])  # and a deletion
    yield store
    store.close()


def _reference(q: wq.Query, leaf) -> set[int]:
    """The matching set by plain set algebra over whoosh's postings (whoosh's own AndNot matcher lets excluded
    documents through when the excluded term's postings are inlined: the engine is right, as the test below
    shows)."""
    if isinstance(q, wq.Term):
        reader = leaf.reader()
        return set(reader.postings(q.fieldname, q.text).all_ids()) if (q.fieldname, q.text) in reader else set()
    if isinstance(q, wq.Or):
        return set().union(*(_reference(c, leaf) for c in q.subqueries))
    if isinstance(q, wq.And):
        return set.intersection(*(_reference(c, leaf) for c in q.subqueries))
    if isinstance(q, wq.AndMaybe):
        return _reference(q.a, leaf)
    if isinstance(q, wq.AndNot):
        return _reference(q.a, leaf) - _reference(q.b, leaf)
    if isinstance(q, wq.Every):
        return set(leaf.reader().all_doc_ids())
    return set()


def _whoosh(q: wq.Query, searcher, leaf) -> dict[int, float]:
    matcher = q.matcher(leaf, searcher.context())
    out = {}
    while matcher.is_active():
        out[matcher.id()] = matcher.score()
        matcher.next()
    return out


@pytest.mark.parametrize("text", QUERIES)
def test_scores_and_matches_equal_whoosh(store, text):
    with store.searcher() as searcher:
        plan = build_query(text, vocabulary(store, searcher))
        checked = 0
        for leaf, _ in leaves(searcher):
            seg = Segment(searcher, leaf, state_of(store).segment(leaf.reader()))
            for q in (plan.built.score, plan.built.match):
                mask, score = evaluate(q, seg)
                assert set(np.flatnonzero(mask)) == _reference(q, leaf)
                checked += int(mask.sum())
            mask, score = evaluate(plan.built.score, seg)
            for d, s in _whoosh(plan.built.score, searcher, leaf).items():
                if mask[d]:
                    assert score[d] == pytest.approx(s, rel=1e-9, abs=1e-9)
        assert checked > 0


def test_an_excluded_word_is_excluded(store):
    """Every article `AI -điện` finds has AI and never the syllable điện (whoosh's AndNot let some through)."""
    with store.searcher() as searcher:
        plan = build_query("AI -điện", vocabulary(store, searcher))
        found = 0
        for leaf, _ in leaves(searcher):
            seg = Segment(searcher, leaf, state_of(store).segment(leaf.reader()))
            for docnum in np.flatnonzero(evaluate(plan.built.match, seg)[0]):
                stored = leaf.stored_fields(int(docnum))
                words = syllables(" ".join((stored["title"], stored["lead"], stored["body"])))
                assert "điện" not in words and "ai" in words
                found += 1
        assert found > 0


def test_filters_are_masks(store):
    request = SearchRequest.from_params({"topic": "startup", "from": "2025-01-01"})
    fq = filter_query(request)
    with store.searcher() as searcher:
        for leaf, _ in leaves(searcher):
            seg = Segment(searcher, leaf, state_of(store).segment(leaf.reader()))
            mask, _ = evaluate(fq, seg)
            expected = set(fq.docs(leaf))
            assert set(np.flatnonzero(mask)) == expected


def test_cached_scores_follow_the_index_as_it_changes(tmp_path, model, model_path):
    """Scores kept in the shared postings cache are those of the index they were computed on: a commit that changes
    the idf and the average lengths makes them be computed again, still equal to whoosh's."""
    store = Store(tmp_path / "var")
    records = list(iter_records(corpus.corpus_files()))[:90]
    state = state_of(store)

    def check() -> int:
        compared = 0
        with store.searcher() as searcher:
            q = build_query("khởi nghiệp công nghệ", vocabulary(store, searcher)).built.score
            for leaf, _ in leaves(searcher):
                seg = Segment(searcher, leaf, state.segment(leaf.reader()), state.postings)
                mask, score = evaluate(q, seg)
                for d, s in _whoosh(q, searcher, leaf).items():
                    assert mask[d] and score[d] == pytest.approx(s, rel=1e-9, abs=1e-9)
                    compared += 1
        return compared

    try:
        for start in (0, 30):
            ingest_records(store, records[start:start + 30], model, model_path, workers=1)
        assert check() > 0
        scored = [p for p in state.postings._entries.values() if p.scored is not None]
        assert scored and all(p.weights is None for p in scored)  # scores kept in place of the weights
        ingest_records(store, records[60:], model, model_path, workers=1)  # another segment: new idf, new averages
        assert check() > 0
    finally:
        store.close()
