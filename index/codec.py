"""whoosh's W3 codec with short posting lists kept inside the term index ("inlined"), as whoosh meant to.

whoosh writes every term's postings as a separate pickled, compressed block in the postings file, even a term found
in one article; with adjacent-syllable pairs most terms are such (about 80% of a segment's terms occur in one to
three articles), and writing and merging those blocks was most of the single writer's time. whoosh has an
`inlinelimit` for exactly this, but its writer calls a method that does not exist (`set_inline` for
`set_inlined`), and its reader hands inlined values back as `str` where a merge asserts bytes; both are mended here.
Segments remember their codec, so indexes written before this codec still open and merge.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter
from whoosh.matching import ListMatcher

INLINE_LIMIT = 4  # posting lists of fewer than this many articles live in the term index


class InlineCodec(W3Codec):
    def __init__(self, blocklimit: int = 128, compression: int = 3, inlinelimit: int = INLINE_LIMIT):
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
