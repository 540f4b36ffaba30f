"""What the search layer keeps per open index: per-segment arrays (facets, dates, ids, field lengths), a cache of
decoded posting lists, and the query vocabulary.

The state hangs on the `Store` it belongs to (`state_of(store)`), so two indexes open in one process never share it
and closing a store drops it. Segments are immutable, so their arrays are read once and shared by every thread.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.columns import NumericColumn
from whoosh.util.numeric import byte_to_length

from vnnews.labels import TOPICS
from index.schema import FACET_SEPARATOR

NO_DATE = -(2**62)  # an article without a date sorts after every dated one (and can be negated)
_LONG_LIMIT = 2**63


class Codes:
    """Small integer codes for facet values (provinces, sources) and event ids, shared by the segments of one
    index."""

    def __init__(self):
        self.lock = threading.Lock()
        self.by_value: dict[tuple[str, str], int] = {}
        self.values: dict[str, list[str]] = {"p": [], "s": [], "e": []}

    def code(self, kind: str, name: str) -> int:
        with self.lock:
            key = (kind, name)
            if key not in self.by_value:
                self.by_value[key] = len(self.values[kind])
                self.values[kind].append(name)
            return self.by_value[key]

    def find(self, kind: str, name: str) -> int | None:
        """The code of a value any segment read so far holds; None when none does."""
        with self.lock:
            return self.by_value.get((kind, name))


class SegmentArrays:
    """One immutable segment's per-article values as arrays: topic bits, source code, province codes (CSR), event
    code (-1 without one), the publication time (whoosh's long, NO_DATE when absent) and, read on first need, the
    article ids."""

    def __init__(self, reader, codes: Codes):
        n = reader.doc_count_all()
        self._ids: np.ndarray | None = None
        self._lazy_lock = threading.Lock()  # guards the arrays read on first use (ids, lengths)
        self._lengths: dict[str, np.ndarray] = {}
        self.topic_bits = np.zeros(n, dtype=np.uint8)
        self.source = np.full(n, -1, dtype=np.int32)
        self.event = np.full(n, -1, dtype=np.int32)
        self.published = np.full(n, NO_DATE, dtype=np.int64)
        indptr = np.zeros(n + 1, dtype=np.int64)
        provinces: list[int] = []
        column = reader.column_reader("facets") if reader.has_column("facets") else None
        dates = reader.column_reader("published", translate=False) if reader.has_column("published") else None
        for docnum in range(n):
            raw = column[docnum] if column is not None else ""
            if isinstance(raw, bytes):
                raw = raw.decode("utf-8")
            for value in filter(None, (raw or "").split(FACET_SEPARATOR)):
                kind, _, name = value.partition(":")
                if kind == "t" and name in TOPICS:
                    self.topic_bits[docnum] |= 1 << TOPICS.index(name)
                elif kind == "p":
                    provinces.append(codes.code("p", name))
                elif kind == "s":
                    self.source[docnum] = codes.code("s", name)
                elif kind == "e":
                    self.event[docnum] = codes.code("e", name)
            indptr[docnum + 1] = len(provinces)
            if dates is not None:
                when = dates[docnum]
                if when and when < _LONG_LIMIT:  # an article without a date reads as the column's default
                    self.published[docnum] = when
        self.province_indptr = indptr
        self.province_codes = np.array(provinces, dtype=np.int32)

    def lengths(self, reader, field: str) -> np.ndarray:
        """Every document's length in a scored field, as whoosh stores it (one byte, decoded; NaN where whoosh has
        none: such a document has no posting in the field), read on first use."""
        found = self._lengths.get(field)
        if found is None:
            found = _length_column(reader, field, len(self.published))
            if found is None:  # another kind of segment: document by document, as whoosh reads them
                length = reader.doc_field_length
                found = np.array([length(d, field, 1) for d in range(len(self.published))], dtype=float)
            with self._lazy_lock:
                self._lengths[field] = found
        return found

    def ids(self, reader) -> np.ndarray:
        """Article id of every document number (from the id field's term index: one inlined posting per id);
        `reader` is the caller's open reader of this segment (each thread has its own)."""
        with self._lazy_lock:
            if self._ids is None:
                ids = np.empty(len(self.published), dtype=object)
                for raw, info in reader.iter_field("id"):
                    docnums = (info.inlined_postings()[0] if info.is_inlined()
                               else reader.postings("id", raw).all_ids())
                    for docnum in docnums:
                        ids[docnum] = raw.decode("utf-8")
                self._ids = ids
            return self._ids


class Postings:
    """One term's postings in one segment: document numbers (int32) and weights (float32); once scored, their BM25F
    scores at boost 1 for the index as it was then (`scored`: (idf, average field length, scores)) instead of the
    weights, which are dropped: the scores stay right until a commit changes the term's idf or the field's average
    length, and then the postings are read again."""

    __slots__ = ("ids", "weights", "scored")

    def __init__(self, ids: np.ndarray, weights: np.ndarray):
        self.ids = ids
        self.weights: np.ndarray | None = weights
        self.scored: tuple[float, float, np.ndarray] | None = None

    @property
    def nbytes(self) -> int:
        weights, scored = self.weights, self.scored
        return (_ENTRY_OVERHEAD + self.ids.nbytes + (weights.nbytes if weights is not None else 0)
                + (scored[2].nbytes if scored is not None else 0))


class PostingsCache:
    """Decoded posting lists (`Postings`) of recently asked terms, per segment, shared by every thread: segments
    never change, so an entry is right for as long as its segment lives. Bounded in bytes, least recently used out
    first. A term of a common query ("hà", "nội") is decoded from its blocks and scored once, not on every query."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[tuple, Postings] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Postings | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple, postings: Postings) -> None:
        """Keep a term's postings (replacing what the key held: postings read again after their index changed)."""
        size = postings.nbytes
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old.nbytes
            self._entries[key] = postings
            self.bytes += size
            self._shrink()

    def score(self, key: tuple, postings: Postings, scored: tuple[float, float, np.ndarray]) -> None:
        """Keep an entry's scores in place of its weights, counted in the cache's bytes (an entry evicted meanwhile
        keeps them for its last readers). The scores are set before the weights go: a reader that finds no weights
        finds the scores."""
        with self._lock:
            cached = self._entries.get(key) is postings
            before = postings.nbytes
            postings.scored = scored
            postings.weights = None
            if cached:
                self.bytes += postings.nbytes - before
                self._shrink()

    def _shrink(self) -> None:
        while self.bytes > self.max_bytes and self._entries:
            _, old = self._entries.popitem(last=False)
            self.bytes -= old.nbytes

    def prune(self, live: set[str]) -> None:
        """Forget the entries of segments that merges have removed."""
        with self._lock:
            for key in [k for k in self._entries if k[0] not in live]:
                self.bytes -= self._entries.pop(key).nbytes


_ENTRY_OVERHEAD = 400  # bytes of a cache entry besides its arrays (key, tuple, array headers), roughly
POSTINGS_CACHE_MB = 128


_BYTE_TO_LENGTH = np.array([np.nan] + [byte_to_length(b) for b in range(1, 256)], dtype=float)


def _length_column(reader, field: str, count: int) -> np.ndarray | None:
    """A field's length column decoded at once: whoosh's W3 segments keep one length byte per document in a numeric
    column (`_<field>_L`, 0 for none), read here as one slice of the mapped file instead of a call per document."""
    try:
        column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    except AttributeError:
        return None
    if column is None:  # no document has the field: whoosh answers the default asked for, 1
        return np.ones(count)
    if not isinstance(column, NumericColumn.Reader) or column._fixedlen != 1:
        return None
    raw = np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)
    codes = np.zeros(count, dtype=np.uint8)
    codes[:min(count, len(raw))] = raw[:count]
    return _BYTE_TO_LENGTH[codes]


class IndexState:
    """The search layer's state for one open index."""

    def __init__(self):
        self.codes = Codes()
        self.segments: dict[str, SegmentArrays] = {}
        self.segments_lock = threading.Lock()
        self.vocabulary = None
        self.vocabulary_lock = threading.Lock()
        self.rebuilding = False
        self.postings = PostingsCache(POSTINGS_CACHE_MB * 2**20)
        self._live: set[str] | None = None  # the segments at the last prune

    def segment(self, reader) -> SegmentArrays:
        """The arrays of the segment behind a leaf reader, read on first use; segments gone in a merge are dropped
        whenever a new one is read."""
        segment = reader.segment()
        key = f"{segment.segment_id()}:{reader.doc_count_all()}" if segment is not None else str(id(reader))
        cached = self.segments.get(key)
        if cached is None:
            cached = SegmentArrays(reader, self.codes)
            with self.segments_lock:
                self.segments[key] = cached
        return cached

    def prune(self, live: set[str]) -> None:
        """Forget the arrays (and cached postings) of segments that merges have removed."""
        if live == self._live:
            return
        self._live = set(live)
        with self.segments_lock:
            for key in [k for k in self.segments if k.split(":")[0] not in live]:
                del self.segments[key]
        self.postings.prune(live)


def state_of(store) -> IndexState:
    """The search state of an open store (created on first use, dropped when the store closes)."""
    return store.caches.setdefault("search", IndexState())
