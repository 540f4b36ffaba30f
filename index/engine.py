"""Queries evaluated a segment at a time over numpy arrays: which articles match, and their BM25F scores.

whoosh walks a query's postings one document at a time in Python (about 10 µs a posting through the nested union
and intersection matchers), so a broad query at 100,000 articles cost seconds. Here each term's postings are read a
block at a time into arrays, and the query tree is combined with array operations over the segment's documents:
`Or` is a union and sums scores, `And` an intersection and sums, `AndMaybe` scores its optional part only where the
required part matches, `AndNot` removes. Scores are exactly whoosh's BM25F (same idf and average field length from
the whole index, same field lengths, term and field boosts); the tests compare them with whoosh's own.
"""

from __future__ import annotations

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import ListMatcher
from whoosh.scoring import BM25F
from whoosh.util.times import datetime_to_long

from index.state import SegmentArrays

_BM25 = BM25F()
B, K1 = _BM25.B, _BM25.K1


class Segment:
    """One segment's reader and arrays for one query: postings read once per term, whatever the tree repeats."""

    def __init__(self, searcher, leaf, arrays: SegmentArrays):
        self.top = searcher
        self.reader = leaf.reader()
        self.arrays = arrays
        self.n = self.reader.doc_count_all()
        self._postings: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        self._live: np.ndarray | None = None

    def live(self) -> np.ndarray:
        """True for every document not deleted."""
        if self._live is None:
            live = np.ones(self.n, dtype=bool)
            deleted = self.reader.deleted_docs_set if self.reader.has_deletions() else ()
            if deleted:
                live[np.fromiter(deleted, dtype=np.int64)] = False
            self._live = live
        return self._live

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, weights) of a term in this segment, deleted documents included."""
        key = (field, text)
        if key not in self._postings:
            self._postings[key] = _read_postings(self.reader, field, text)
        return self._postings[key]


def _read_postings(reader, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    if (field, text) not in reader:
        return np.empty(0, dtype=np.int64), np.empty(0)
    raw = reader._terms.matcher(field, reader._text_to_bytes(field, text), reader.schema[field].format)
    ids: list = []
    weights: list = []
    if isinstance(raw, W3LeafMatcher):
        while raw.is_active():
            raw._read_ids()
            raw._read_weights()
            ids.extend(raw._ids)
            weights.extend(raw._weights)
            raw._next_block()
    elif isinstance(raw, ListMatcher):
        ids.extend(raw._ids)
        weights.extend(raw._weights if raw._weights is not None else [1.0] * len(raw._ids))
    else:  # another matcher kind: posting by posting
        while raw.is_active():
            ids.append(raw.id())
            weights.append(raw.weight())
            raw.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=float)


def evaluate(q: wq.Query, seg: Segment) -> tuple[np.ndarray, np.ndarray]:
    """(matches, scores) of a query over the segment's documents (deleted ones never match)."""
    mask, score = _eval(q, seg)
    return mask & seg.live(), score


def _eval(q: wq.Query, seg: Segment) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(q, wq.Term):
        return _term(q, seg)
    if isinstance(q, wq.Or):
        parts = [_eval(child, seg) for child in q.subqueries]
        if not parts:
            return _none(seg)
        return np.logical_or.reduce([m for m, _ in parts]), np.sum([s for _, s in parts], axis=0)
    if isinstance(q, wq.And):
        parts = [_eval(child, seg) for child in q.subqueries]
        mask = np.logical_and.reduce([m for m, _ in parts])
        return mask, np.where(mask, np.sum([s for _, s in parts], axis=0), 0.0)
    if isinstance(q, wq.AndMaybe):
        (a_mask, a_score), (_, b_score) = _eval(q.a, seg), _eval(q.b, seg)
        return a_mask, np.where(a_mask, a_score + b_score, 0.0)
    if isinstance(q, wq.AndNot):
        (a_mask, a_score), (b_mask, _) = _eval(q.a, seg), _eval(q.b, seg)
        mask = a_mask & ~b_mask
        return mask, np.where(mask, a_score, 0.0)
    if isinstance(q, wq.Every):
        return np.ones(seg.n, dtype=bool), np.zeros(seg.n)
    if isinstance(q, wq.DateRange):
        published = seg.arrays.published
        low = datetime_to_long(q.startdate) if q.startdate is not None else np.iinfo(np.int64).min + 1
        high = datetime_to_long(q.enddate) if q.enddate is not None else np.iinfo(np.int64).max
        mask = (published >= low) & (published <= high)
        return mask, np.zeros(seg.n)
    if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
        return _none(seg)
    raise TypeError(f"the array engine does not evaluate {type(q).__name__} queries")


def _none(seg: Segment) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(seg.n, dtype=bool), np.zeros(seg.n)


def _term(q: wq.Term, seg: Segment) -> tuple[np.ndarray, np.ndarray]:
    ids, weights = seg.postings(q.fieldname, q.text)
    mask, score = _none(seg)
    if not len(ids):
        return mask, score
    mask[ids] = True
    if seg.top.schema[q.fieldname].scorable:
        idf = seg.top.idf(q.fieldname, q.text)
        average = seg.top.avg_field_length(q.fieldname) or 1
        lengths = seg.arrays.lengths(seg.reader, q.fieldname)[ids]
        score[ids] = q.boost * idf * (weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / average))
    else:
        score[ids] = q.boost * weights
    return mask, score
