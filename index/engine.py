"""Queries evaluated a segment at a time over numpy arrays: which articles match, and their BM25F scores.

whoosh walks a query's postings one document at a time in Python (about 10 µs a posting through the nested union
and intersection matchers), so a broad query at 100,000 articles cost seconds. Here each term's postings are read a
block at a time into arrays (and kept in the index's postings cache), a term stays its postings (`Sparse`) until a
part of the tree needs it spread over the segment's documents, and the tree is combined with array operations:
`Or` is a union and sums scores, `And` an intersection and sums, `AndMaybe` scores its optional part only where the
required part matches, `AndNot` removes. Scores are exactly whoosh's BM25F (same idf and average field length from
the whole index, same field lengths, term and field boosts); the tests compare them with whoosh's own.
"""

from __future__ import annotations

import math
import mmap
from array import array
from typing import NamedTuple

import numpy as np
from whoosh import query as wq
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.util.times import datetime_to_long

from index.codec import read_blocks
from index.state import Postings, PostingsCache, SegmentArrays
from index.vocabulary import leaves

_BM25 = BM25F()
B, K1 = _BM25.B, _BM25.K1


class TermInfos:
    """The term infos of one search's terms in every segment of the index, each looked up once: summed for the
    term's idf, and handed to each segment that reads the term's postings (whoosh looks a term up once for its
    document frequency and again for its postings, in every segment)."""

    def __init__(self, searcher):
        self.readers = [leaf.reader() for leaf, _ in leaves(searcher)]
        self._found: dict[tuple[str, str], list] = {}

    def of(self, field: str, text: str) -> list:
        """Per segment: its TermInfo, None when the term is not there, or the reader itself when it has no term
        table (whoosh's EmptyReader)."""
        key = (field, text)
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = [_term_info(reader, field, text) for reader in self.readers]
        return found


def _term_info(reader, field: str, text: str):
    terms = getattr(reader, "_terms", None)
    if terms is None:
        return reader
    try:
        return terms.term_info(field, reader._text_to_bytes(field, text))
    except TermNotFound:
        return None


class Segment:
    """One segment's reader and arrays for one query: postings read once per term, whatever the tree repeats, and
    kept in the index's shared postings cache (when given) for the next queries of every thread. The segments of
    one search share their `TermInfos` (made here when not given)."""

    def __init__(self, searcher, leaf, arrays: SegmentArrays, cache: PostingsCache | None = None,
                 infos: TermInfos | None = None):
        self.top = searcher
        self.reader = leaf.reader()
        self.arrays = arrays
        self.n = self.reader.doc_count_all()
        self._live: np.ndarray | None = None
        self._terms: dict[tuple[str, str], Sparse] = {}
        self._results: dict[int, tuple[wq.Query, Result]] = {}  # id(node) → (node, its result): see `_eval`
        self._cache = cache
        self.infos = infos if infos is not None else TermInfos(searcher)
        self._number = next(i for i, reader in enumerate(self.infos.readers) if reader is self.reader)
        segment = self.reader.segment()
        self._segment_id = segment.segment_id() if segment is not None else None

    def live(self) -> np.ndarray:
        """True for every document not deleted."""
        if self._live is None:
            live = np.ones(self.n, dtype=bool)
            deleted = self.reader.deleted_docs_set if self.reader.has_deletions() else ()
            if deleted:
                live[np.fromiter(deleted, dtype=np.int64)] = False
            self._live = live
        return self._live

    def term(self, field: str, text: str) -> "Sparse":
        """A term's postings with their unboosted scores in this segment, computed once per query: the match tree
        and the score tree share most terms. The arrays are shared: callers never change them in place."""
        key = (field, text)
        found = self._terms.get(key)
        if found is None:
            found = self._terms[key] = _unboosted(self, field, text)
        return found

    def postings(self, field: str, text: str) -> tuple[Postings, tuple | None]:
        """A term's postings in this segment, deleted documents included, and its key in the shared cache (None when
        not cached): from the cache, else read (`term` asks once per term and query)."""
        shared = (self._segment_id, field, text) if self._cache is not None and self._segment_id else None
        found = self._cache.get(shared) if shared else None
        if found is None:
            found = Postings(*self.read(field, text))
            if shared:
                self._cache.put(shared, found)
        return found, shared

    def read(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """A term's postings read from the segment's files, by the term info the search looked up."""
        return _read_postings(self.reader, field, text, self.infos.of(field, text)[self._number])

    def idf(self, field: str, text: str) -> float:
        """whoosh's BM25F idf of a term over the whole index, log(documents / (document frequency + 1)) + 1, from the
        search's term infos, kept in the searcher's own idf cache."""
        cache = getattr(self.top, "_idf_cache", None)
        if cache is None:
            return self.top.idf(field, text)
        found = cache.get((field, text))
        if found is None:
            frequency = 0
            for reader, info in zip(self.infos.readers, self.infos.of(field, text)):
                if info is reader:
                    frequency += reader.doc_frequency(field, text)
                elif info is not None:
                    frequency += info.doc_frequency()
            found = cache[(field, text)] = math.log(self.top.doc_count_all() / (frequency + 1)) + 1
        return found


def _read_postings(reader, field: str, text: str, info) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers as int32, term weights as float32: whoosh keeps them as 32-bit floats) of one term, by its
    term info in this segment (`_term_info`)."""
    empty = np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
    if info is None:
        return empty
    if info is reader:  # not a segment (whoosh's EmptyReader, of an index without segments): whoosh's own matcher
        return _matched(reader.postings(field, text)) if (field, text) in reader else empty
    if info.is_inlined():
        ids, weights, _ = info.inlined_postings()
        return np.array(ids, dtype=np.int32), np.array(weights, dtype=np.float32)
    terms = reader._terms
    postfile = terms._postfile
    if isinstance(getattr(postfile, "_buf", None), (bytes, memoryview, mmap.mmap)):
        return _read_blocks(postfile._buf, info.extent()[0])
    # another kind of file: whoosh's matcher
    return _matched(terms.matcher(field, reader._text_to_bytes(field, text), reader.schema[field].format))


def _matched(raw) -> tuple[np.ndarray, np.ndarray]:
    """A whoosh matcher's postings, one by one."""
    ids, weights = [], []
    while raw.is_active():
        ids.append(raw.id())
        weights.append(raw.weight())
        raw.next()
    return np.array(ids, dtype=np.int32), np.array(weights, dtype=np.float32)


def _read_blocks(buf, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """A term's posting blocks (index.codec.read_blocks) as arrays of document numbers and weights."""
    id_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    for count, ids, weights, _ in read_blocks(buf, offset):
        # ids are delta-coded within a block: an array of uint32 (index.codec) or, as whoosh writes them, a tuple
        ids = np.frombuffer(ids, dtype=np.uint32) if isinstance(ids, array) else np.array(ids, dtype=np.int64)
        id_parts.append(np.cumsum(ids, dtype=np.int64))
        if weights is None:
            weight_parts.append(np.ones(count, dtype=np.float32))
        elif isinstance(weights, float):
            weight_parts.append(np.full(count, weights, dtype=np.float32))
        elif isinstance(weights, array) and weights.typecode == "f":
            weight_parts.append(np.frombuffer(weights, dtype=np.float32))
        else:
            weight_parts.append(np.array(weights, dtype=np.float32))
    return np.concatenate(id_parts).astype(np.int32), np.concatenate(weight_parts)


class Sparse(NamedTuple):
    """A term's result as its postings: document numbers (unique, ascending) and their scores. An Or adds it into a
    dense array without first spreading it over every document of the segment."""

    ids: np.ndarray
    score: np.ndarray


Result = tuple[np.ndarray, np.ndarray] | Sparse  # dense: (matches, scores) over all documents, 0 where no match


def evaluate(q: wq.Query, seg: Segment) -> tuple[np.ndarray, np.ndarray]:
    """(matches, scores) of a query over the segment's documents (deleted ones never match)."""
    mask, score = _dense(_eval(q, seg), seg)
    return mask & seg.live(), score


def _eval(q: wq.Query, seg: Segment) -> Result:
    """A node's result, computed once per segment and query: the score tree holds the match tree's nodes (a word's
    folded part decides the match and is also half its score), so the second evaluation reuses the first's. Results
    are shared, so no caller changes one in place: every array written below is one made here."""
    if isinstance(q, wq.Term):
        return _term(q, seg)
    found = seg._results.get(id(q))
    if found is not None and found[0] is q:
        return found[1]
    result = _compound(q, seg)
    seg._results[id(q)] = (q, result)  # the node is kept with its result, so its id is not reused meanwhile
    return result


def _compound(q: wq.Query, seg: Segment) -> Result:
    if isinstance(q, wq.Or):
        mask, score = _none(seg)
        for part in (_eval(child, seg) for child in q.subqueries):
            if isinstance(part, Sparse):
                mask[part.ids] = True
                score[part.ids] += part.score
            else:
                mask |= part[0]
                score += part[1]
        return mask, score
    if isinstance(q, wq.And):
        mask = score = None
        for child in q.subqueries:
            part = _eval(child, seg)
            if isinstance(part, Sparse) and not len(part.ids):
                return _none(seg)  # a part with no posting here: nothing matches, and the rest is not read
            part_mask, part_score = _dense(part, seg)
            if mask is None:
                mask, score = part_mask.copy(), part_score.copy()
            else:
                mask &= part_mask
                score += part_score
        score[~mask] = 0.0
        return mask, score
    if isinstance(q, wq.AndMaybe):
        a_mask, a_score = _dense(_eval(q.a, seg), seg)
        b = _eval(q.b, seg)
        if isinstance(b, Sparse):
            score = a_score.copy()  # 0 wherever a does not match
            where = a_mask[b.ids]
            score[b.ids[where]] += b.score[where]
            return a_mask, score
        return a_mask, np.where(a_mask, a_score + b[1], 0.0)
    if isinstance(q, wq.AndNot):
        (a_mask, a_score), (b_mask, _) = _dense(_eval(q.a, seg), seg), _dense(_eval(q.b, seg), seg)
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


def _dense(result: Result, seg: Segment) -> tuple[np.ndarray, np.ndarray]:
    """A result as (matches, scores) over all the segment's documents."""
    if not isinstance(result, Sparse):
        return result
    mask, score = _none(seg)
    mask[result.ids] = True
    score[result.ids] = result.score
    return mask, score


def _none(seg: Segment) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(seg.n, dtype=bool), np.zeros(seg.n)


def _average_length(searcher, field: str) -> float:
    """whoosh's average field length over the whole index, kept on the searcher (whoosh sums every segment's lengths
    on each call; a searcher is reopened whenever the index changes)."""
    cache = searcher.__dict__.setdefault("_vnnews_average_lengths", {})
    found = cache.get(field)
    if found is None:
        found = cache[field] = searcher.avg_field_length(field) or 1
    return found


def _term(q: wq.Term, seg: Segment) -> Sparse:
    ids, score = seg.term(q.fieldname, q.text)
    return Sparse(ids, score * q.boost if q.boost != 1 else score)


def _unboosted(seg: Segment, field: str, text: str) -> Sparse:
    """The postings of one term with their BM25F scores at boost 1 (kept in the cached postings in place of their
    weights: a commit that changes the idf or the average length makes the postings be read and scored again)."""
    postings, key = seg.postings(field, text)
    ids, weights = postings.ids, postings.weights  # the weights first: they are dropped only once scores are set
    if not len(ids) or not seg.top.schema[field].scorable:
        return Sparse(ids, weights.astype(float))  # never scored, so never dropped
    idf = seg.idf(field, text)
    average = _average_length(seg.top, field)
    scored = postings.scored
    if scored is not None and scored[0] == idf and scored[1] == average:
        return Sparse(ids, scored[2])
    if weights is None:  # scored for the index as it was: read again
        postings = Postings(*seg.read(field, text))
        ids, weights = postings.ids, postings.weights
        if key is not None:
            seg._cache.put(key, postings)
    lengths = seg.arrays.lengths(seg.reader, field)[ids]
    weights = weights.astype(float)
    score = idf * (weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / average))
    if key is not None:
        seg._cache.score(key, postings, (idf, average, score))
    return Sparse(ids, score)
