"""Merging segments without re-sorting their postings.

whoosh merges a segment (`SegmentWriter.add_reader`) by pushing every one of its postings through the writer's
sorting pool, which sorts them in memory, spills sorted runs to temporary files (pickled) and merges the runs back:
the postings of a 20,000-article merge (about 19 million) took about 400 s, longer than indexing those articles
anew. A segment's postings are already sorted by field, term and document, and the merged segments' documents are
renumbered in order, so here each merged segment's postings stream out in order and are merged with the pool's own
(the articles of this commit) by a heap: one pass, nothing spilled. The per-document parts (stored fields, lengths,
columns) are copied as whoosh copies them.

`merge_segment(writer, segment)` replaces `writer.add_reader(reader)` in a merge policy; `install()` (called by
index.store) makes the writer stream them when it writes the new segment.
"""

from __future__ import annotations

import heapq
import itertools
import mmap
from typing import Iterator

from whoosh import writing
from whoosh.reading import SegmentReader

from index.codec import read_blocks

_MERGED = "_vnnews_merged"  # the writer attribute listing (reader, first new document number, document map)


def merge_segment(writer, segment) -> None:
    """Add a segment's documents to the writer's new segment: stored fields and lengths now, postings when the new
    segment is written (the reader stays open until then)."""
    reader = SegmentReader(writer.storage, writer.schema, segment)
    try:
        start = writer.docnum
        names = set(writer.schema.names()) | {n for n in reader.indexed_field_names() if n in writer.schema}
        docmap = writer.write_per_doc(names, reader)  # None without deletions: numbers are offset by `start`
    except BaseException:
        reader.close()
        raise
    writer.__dict__.setdefault(_MERGED, []).append((reader, start, docmap))
    writer._added = True


def _flush_segment(self) -> None:
    """SegmentWriter._flush_segment: the new segment's postings from the pool and, streamed beside them, from the
    segments merged into it; field lengths read once per field (see _Lengths)."""
    merged = self.__dict__.pop(_MERGED, None) or []
    try:
        self.perdocwriter.close()
        reader = self.per_document_reader() if self.codec.length_stats else None
        streams = [self.pool.iter_postings()]
        streams += [self._process_posts(_segment_postings(r), start, docmap) for r, start, docmap in merged]
        # (field, term, document) is unique across the streams, so plain tuple order never reaches the weights
        postings = heapq.merge(*streams) if len(streams) > 1 else streams[0]
        lengths = _Lengths(reader, self.docnum) if reader is not None else None
        self.fieldwriter.add_postings(self.schema, lengths, postings)
        self.fieldwriter.close()
        if reader is not None:
            reader.close()
    finally:
        for r, _, _ in merged:
            r.close()


class _Lengths:
    """The new segment's field lengths for the postings writer, read once per field: whoosh's writer asks the
    per-document reader once per posting (a column lookup each, about a fifth of a commit's time)."""

    def __init__(self, reader, doc_count: int):
        self._reader = reader
        self._doc_count = doc_count
        self._fields: dict[str, list] = {}

    def doc_field_length(self, docnum: int, fieldname: str):
        column = self._fields.get(fieldname)
        if column is None:
            length = self._reader.doc_field_length
            column = self._fields[fieldname] = [length(d, fieldname) for d in range(self._doc_count)]
        return column[docnum]


def _segment_postings(reader) -> Iterator[tuple]:
    """Every live posting of a segment as (field, term bytes, document, weight, value bytes), in the order of the
    writer's pool (field name, term, document): what whoosh's `reader.iter_postings()` yields, read a term at a time
    from the term index and the mapped posting blocks instead of through a matcher per term."""
    terms = reader._terms
    buf = getattr(terms._postfile, "_buf", None)
    if not isinstance(buf, (bytes, memoryview, mmap.mmap)):
        yield from reader.iter_postings()
        return
    deleted = reader.deleted_docs_set if reader.has_deletions() else frozenset()
    for fieldname in sorted(set(reader.indexed_field_names())):
        fixed = reader.schema[fieldname].format.fixed_value_size() if fieldname in reader.schema else None
        for (name, tbytes), info in terms.items_from(fieldname, b""):
            if name != fieldname:  # the term index runs on into the next field
                break
            if info.is_inlined():
                ids, weights, values = info.inlined_postings()
                values = values or [b""] * len(ids)
            else:
                ids, weights, values = _blocks(buf, info.extent()[0], fixed)
            for docnum, weight, value in zip(ids, weights, values):
                if docnum not in deleted:
                    yield fieldname, tbytes, docnum, weight, value or b""


def _blocks(buf, offset: int, fixed: int | None) -> tuple[list, list, list]:
    """A term's posting blocks (index.codec.read_blocks) as lists of document numbers, weights and value bytes."""
    ids: list = []
    weights: list = []
    values: list = []
    for count, block_ids, block_weights, block_values in read_blocks(buf, offset):
        ids.extend(itertools.accumulate(block_ids))  # delta-coded within a block
        if block_weights is None:
            weights.extend([1.0] * count)
        elif isinstance(block_weights, float):
            weights.extend([block_weights] * count)
        else:
            weights.extend(block_weights)
        if fixed == 0 or block_values is None:
            values.extend([b""] * count)
        elif fixed is None or fixed < 0:  # variable-size values: a tuple
            values.extend(block_values)
        else:  # fixed-size values: one byte string
            values.extend(block_values[i:i + fixed] for i in range(0, count * fixed, fixed))
    return ids, weights, values


def _finish(self) -> None:
    """SegmentWriter._finish, also closing the readers of a merge that was cancelled."""
    for reader, _, _ in self.__dict__.pop(_MERGED, None) or ():
        reader.close()
    _whoosh_finish(self)


_whoosh_flush_segment = writing.SegmentWriter._flush_segment
_whoosh_finish = writing.SegmentWriter._finish


def install() -> None:
    writing.SegmentWriter._flush_segment = _flush_segment
    writing.SegmentWriter._finish = _finish
