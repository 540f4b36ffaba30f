"""The Whoosh schema and the Vietnamese analyzers, built on `nlp.analysis`.

Design (measured, see README "Search design"). No field stores positions: a phrase of n syllables is the
conjunction of its n-1 adjacent syllable pairs ("chuyển_đổi", "đổi_số"), single terms that are cheap to look up,
where positional phrase queries over very common syllables were the slowest part of every query.
- `body_t`/`body_f`: toned / folded (tone-less) lower-case syllables of title, lead and body;
- `pairs_f`: their adjacent pairs, folded (a toned phrase is its folded pairs plus its toned syllables; toned pairs
  would add a third of the index for almost no precision);
- `title_t`/`title_f`: the title's syllables and pairs, toned / folded, boosted: the title says what matters;
- `words`: underthesea's multi-syllable words as single terms ("khởi_nghiệp"): a bonus when the query's syllables
  form a real word, and the vocabulary that restores the tones of a tone-less query;
- `topic`, `province`, `province_former`, `source`: filter keywords; `facets`: one column per article with its facet
  values, read into arrays once per segment so counting facets over all matches is a bincount, not a search;
- the article itself is stored (title, lead, body, ...) for snippets, `GET /api/articles/<id>` and digests.
"""

from __future__ import annotations

from whoosh import fields
from whoosh.analysis import Token, Tokenizer


FACET_SEPARATOR = "\x1f"

TITLE_BOOST = 3.0
TITLE_FOLDED_BOOST = 1.5
BODY_BOOST = 1.0
BODY_FOLDED_BOOST = 0.5
PAIRS_FOLDED_BOOST = 0.5
WORDS_BOOST = 1.0


class _ListTokenizer(Tokenizer):
    """Turns a function text → list of terms into a Whoosh tokenizer (positions and chars omitted: not needed)."""

    def __init__(self, split):
        self.split = split

    def __eq__(self, other):
        return type(other) is type(self) and other.split is self.split

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True, start_pos=0,
                 start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        terms = self.split(value) if tokenize else [value]
        for position, text in enumerate(terms, start_pos):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = position
            yield token


def _space_split(value: str) -> list[str]:
    return value.split()


def words_analyzer() -> Tokenizer:
    """Pre-analyzed terms, space-separated ('khởi_nghiệp đà_nẵng'): the Vietnamese analysis (nlp.analysis) ran in
    the ingest workers already, so the single index writer only splits on spaces."""
    return _ListTokenizer(_space_split)


def build_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.STORED(),
        lead=fields.STORED(),
        body=fields.STORED(),
        url=fields.STORED(),
        source=fields.ID(stored=True),
        source_f=fields.ID(),
        published=fields.DATETIME(stored=True, sortable=True),
        topic=fields.KEYWORD(stored=True, commas=True, scorable=False),
        province=fields.KEYWORD(stored=True, commas=True, scorable=False),
        province_former=fields.KEYWORD(stored=True, commas=True, scorable=False),
        facets=fields.ID(sortable=True),
        extra=fields.STORED(),
        title_t=fields.TEXT(analyzer=words_analyzer(), phrase=False, field_boost=TITLE_BOOST),
        title_f=fields.TEXT(analyzer=words_analyzer(), phrase=False, field_boost=TITLE_FOLDED_BOOST),
        body_t=fields.TEXT(analyzer=words_analyzer(), phrase=False, field_boost=BODY_BOOST),
        body_f=fields.TEXT(analyzer=words_analyzer(), phrase=False, field_boost=BODY_FOLDED_BOOST),
        pairs_f=fields.TEXT(analyzer=words_analyzer(), phrase=False, field_boost=PAIRS_FOLDED_BOOST),
        words=fields.TEXT(analyzer=words_analyzer(), phrase=False, field_boost=WORDS_BOOST),
    )
