"""whoosh's W3 codec with short posting lists kept inside the term index ("inlined"), as whoosh meant to.

whoosh writes every term's postings as a separate pickled, compressed block in the postings file, even a term found
in one article; with adjacent-syllable pairs most terms are such (about 80% of a segment's terms occur in one to
three articles), and writing and merging those blocks was most of the single writer's time. whoosh has an
`inlinelimit` for exactly this, but its writer calls a method that does not exist (`set_inline` for
`set_inlined`), and its reader hands inlined values back as `str` where a merge asserts bytes; both are mended here.
Segments remember their codec, so indexes written before this codec still open and merge.

Posting blocks hold up to BLOCK_LIMIT postings (whoosh: 128), with the ids (delta-coded) and weights as `array`s
pickled with the current protocol, so they unpickle as one byte copy each (whoosh pickles tuples of Python numbers
with protocol 2: one object per posting to build on every read). `index.engine` reads a 30,000-posting term about
four times faster so; whoosh's own reader still reads these blocks (an array iterates as its numbers do), and both
still read blocks written the old way.
"""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from array import array
from typing import Iterator

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3PostingsWriter
from whoosh.matching import ListMatcher
from whoosh.util.numeric import length_to_byte

INLINE_LIMIT = 4  # posting lists of fewer than this many articles live in the term index
BLOCK_LIMIT = 1024  # postings per block


class InlineCodec(W3Codec):
    def __init__(self, blocklimit: int = BLOCK_LIMIT, compression: int = 3, inlinelimit: int = INLINE_LIMIT):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def postings_writer(self, dbfile, byteids=False):
        return InlinePostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                    compression=self._compression, inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if not terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        ids, weights, values = terminfo.inlined_postings()
        return InlineMatcher(ids, weights, values, format_, scorer=scorer, term=term, terminfo=terminfo)


class InlineMatcher(ListMatcher):
    def value(self):
        return super().value() or b""  # bytes, as from a posting block


class InlinePostingsWriter(W3PostingsWriter):
    def finish_postings(self):
        if self.written() or len(self) >= self._inlinelimit:
            return super().finish_postings()
        terminfo = self._terminfo
        terminfo.add_block(self)
        terminfo.set_inlined(self._ids, self._weights, self._values)
        self._terminfo = None
        return terminfo

    def _write_block(self, last: bool = False) -> None:
        """One block as whoosh lays it out (length, negative for the last; the pickled info tuple; the compressed
        data), its data as arrays pickled with the current protocol."""
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids = self._ids
        if self._byteids:
            mini_ids = tuple(ids)
        else:
            mini_ids = array("I", [ids[0]] + [b - a for a, b in zip(ids, ids[1:])]) if len(ids) else array("I")
        weights = self._weights
        if all(w == 1.0 for w in weights):
            mini_weights = None
        elif all(w == weights[0] for w in weights):
            mini_weights = weights[0]
        else:
            mini_weights = array("f", weights)
        data = pickle.dumps((mini_ids, mini_weights, self._mini_values()), pickle.HIGHEST_PROTOCOL)
        if self._compression:
            data = zlib.compress(data, self._compression)
        info = pickle.dumps((len(ids), ids[-1], self._maxweight, self._compression,
                             length_to_byte(self._minlength), length_to_byte(self._maxlength)), 2)
        size = len(info) + len(data)
        self._postfile.write_int(-size if last else size)
        self._postfile.write(info)
        self._postfile.write(data)
        self._blockcount += 1
        self._new_block()


_BLOCK_LENGTH = struct.Struct("!i")  # whoosh's int: a block's byte length, negative for a term's last block


def read_blocks(buf, offset: int) -> Iterator[tuple[int, object, object, object]]:
    """A term's posting blocks as (count, delta-coded ids, weights, values), read straight from a segment's mapped
    postings file: a 4-byte magic, then per block its byte length, a pickled info tuple and the compressed pickle of
    the data. Blocks written here hold arrays; whoosh's hold tuples (ids), None or one float (all weights equal).
    whoosh's matcher reads the same blocks through a Python file object, a few bytes a call. The walk ends at the
    block marked last, as whoosh's does (the term info's length is not used: whoosh decodes it as a tuple)."""
    if bytes(buf[offset:offset + 4]) != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"not a whoosh posting list at offset {offset}")
    position = offset + 4
    while True:
        size = _BLOCK_LENGTH.unpack(buf[position:position + 4])[0]
        last, size = size < 0, abs(size)
        block = io.BytesIO(buf[position + 4:position + 4 + size])
        count, _, _, compression, _, _ = pickle.load(block)
        data = block.read()
        ids, weights, values = pickle.loads(zlib.decompress(data) if compression else data)
        yield count, ids, weights, values
        if last:
            return
        position += 4 + size
