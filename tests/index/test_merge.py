"""Merged segments hold exactly what their parts held: index.merge streams postings instead of re-sorting them."""

from __future__ import annotations

import pytest

from index.store import Store
from vnnews.ingest import prepare_many
from tests.index.test_index import ARTICLES


def _postings(store: Store) -> dict:
    """Every live posting of the index, by field and term, with documents named by article id; plus stored fields
    and field lengths by article id. Independent of how the documents are spread over segments."""
    postings: dict = {}
    documents: dict = {}
    with store.searcher() as searcher:
        for leaf, _ in searcher.reader().leaf_readers():
            ids = {docnum: stored["id"] for docnum, stored in leaf.iter_docs()}
            for docnum, stored in leaf.iter_docs():
                lengths = {f: leaf.doc_field_length(docnum, f) for f in ("title_t", "body_t", "pairs_t", "words")}
                documents[stored["id"]] = (stored, lengths)
            for field, text in leaf.all_terms():
                matcher = leaf.postings(field, text)
                while matcher.is_active():
                    postings.setdefault((field, text), set()).add((ids[matcher.id()], matcher.weight()))
                    matcher.next()
    return {"postings": postings, "documents": documents}


@pytest.mark.parametrize("deleted", [False, True])
def test_a_merge_keeps_every_posting_stored_field_and_length(tmp_path, model, deleted):
    records = [dict(article, id=f"g{i}", title=f"{article['title']} lần {i}") for i, article in enumerate(ARTICLES * 4)]
    docs = prepare_many(records, model)
    with Store(tmp_path / "var") as store:
        for start in range(0, 9, 3):  # three segments of three articles, and seven one-article segments
            store.upsert(docs[start:start + 3])
        for doc in docs[9:]:
            store.upsert([doc])
        if deleted:
            store.delete("g1")
            store.delete("g10")
        before = _postings(store)
        store.optimize()
        with store.searcher() as searcher:
            assert len(searcher.reader().leaf_readers()) == 1
        after = _postings(store)
    assert after["documents"] == before["documents"]
    assert after["postings"] == before["postings"]
    assert ("g1" in before["documents"]) is not deleted


def test_a_merge_with_new_articles_in_the_same_commit(tmp_path, model):
    # merge_tiers merges old segments in the commit that adds the new articles: the pool's postings (new) and the
    # merged segments' (old) are interleaved by term.
    docs = prepare_many([dict(ARTICLES[i % 4], id=f"n{i}", title=f"Bài {i}") for i in range(11)], model)
    with Store(tmp_path / "var") as store:
        for doc in docs[:10]:
            store.upsert([doc])
        store.upsert([docs[10]])  # ten one-article segments: merged with the new one
        merged = _postings(store)
    with Store(tmp_path / "fresh") as fresh:
        fresh.upsert(docs)  # the same articles in one commit, no merge
        assert _postings(fresh)["postings"] == merged["postings"]


def test_segment_postings_are_whoosh_postings_in_whoosh_order(tmp_path, model):
    # index.merge reads a merged segment's postings from its term table and mapped blocks; they must be exactly
    # whoosh's (`reader.iter_postings()`, deleted documents left out), for inlined terms and block terms alike.
    from index.merge import _segment_postings

    docs = prepare_many([dict(ARTICLES[i % 4], id=f"p{i}", title=f"Tin số {i}") for i in range(9)], model)
    with Store(tmp_path / "var") as store:
        store.upsert(docs)
        store.delete("p4")
        with store.searcher() as searcher:
            [(reader, _)] = searcher.reader().leaf_readers()
            assert reader.has_deletions()
            ours = list(_segment_postings(reader))
            theirs = [(f, t, d, w, v or b"") for f, t, d, w, v in reader.iter_postings()]
    assert ours == theirs
    assert any(f == "body_t" and t == "số".encode() for f, t, *_ in ours)  # a term of every article: in blocks
