"""The Whoosh schema and the Vietnamese analyzers, built on `nlp.analysis`.

Design (measured, see README "Search design"):
- `body_t`/`body_f`: toned / folded (tone-less) lower-case syllables of title, lead and body, with positions, for
  single-syllable words and "quoted phrases";
- `words`/`words_f`: underthesea's multi-syllable words as single terms ("khởi_nghiệp" / "khoi_nghiep"), without
  positions. A query word like "khởi nghiệp" is one posting list here instead of a phrase over two very common
  syllables (what made the naive design slow); the toned lexicon is also the vocabulary that restores the tones of
  a tone-less query;
- `title_t`/`title_f`: the title's syllables and words, toned / folded, boosted: the title says what matters;
- `topic`, `province`, `province_former`, `source`: filter keywords; `facets`: one column per article with its facet
  values, read into arrays once per segment so counting facets over all matches is a bincount, not a search;
- the article itself is stored (title, lead, body, ...) for snippets, `GET /api/articles/<id>` and digests.
"""

from __future__ import annotations

from whoosh import fields
from whoosh.analysis import Token, Tokenizer

from nlp.analysis import folded_syllables, syllables

FACET_SEPARATOR = "\x1f"

TITLE_BOOST = 3.0
TITLE_FOLDED_BOOST = 1.5
BODY_BOOST = 1.0
BODY_FOLDED_BOOST = 0.5
WORDS_BOOST = 1.0
WORDS_FOLDED_BOOST = 0.5


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


def syllable_analyzer() -> Tokenizer:
    """Toned syllables, lower-case: 'Khởi nghiệp' → khởi, nghiệp."""
    return _ListTokenizer(syllables)


def folded_analyzer() -> Tokenizer:
    """Tone-less syllables: 'Khởi nghiệp' → khoi, nghiep."""
    return _ListTokenizer(folded_syllables)


def words_analyzer() -> Tokenizer:
    """Pre-analyzed terms, space-separated ('khởi_nghiệp đà_nẵng'): the Vietnamese analysis ran in `nlp` already."""
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
        body_t=fields.TEXT(analyzer=syllable_analyzer(), field_boost=BODY_BOOST),
        body_f=fields.TEXT(analyzer=folded_analyzer(), field_boost=BODY_FOLDED_BOOST),
        words=fields.TEXT(analyzer=words_analyzer(), phrase=False, field_boost=WORDS_BOOST),
        words_f=fields.TEXT(analyzer=words_analyzer(), phrase=False, field_boost=WORDS_FOLDED_BOOST),
    )
