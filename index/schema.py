"""The Whoosh schema and the Vietnamese analyzers, built on `nlp.analysis`.

Design (measured, see README "Search design"). No field stores positions: a phrase of n syllables is the
conjunction of its n-1 adjacent syllable pairs ("chuyển_đổi", "đổi_số"), single terms that are cheap to look up,
where positional phrase queries over very common syllables were the slowest part of every query.
- `body_t`/`body_f`: toned / folded (tone-less) lower-case syllables of title, lead and body;
- `pairs_t`: their adjacent pairs (never across punctuation), toned: a toned phrase is its toned pairs, a tone-less
  one any of the toned spellings of its pairs that the index's syllables allow (index.search). A folded pairs field
  did the same with one term per pair, but it was a quarter of all postings and a third of all terms, and the
  writer's time goes by postings and terms;
- `title_t`/`title_f`: the title's syllables and pairs, toned / folded, boosted: the title says what matters;
- `words`: underthesea's multi-syllable words as single terms ("khởi_nghiệp"): a bonus when the query's syllables
  form a real word, and the vocabulary that restores the tones of a tone-less query. Never the only way to match a
  word: the segmenter cuts by context ("sau bão lũ" can be "bão" + "lũ"), and matching on its words alone lost 13%
  of the articles that hold a two-syllable word (measured on 20,000 real articles);
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
PAIRS_TONED_BOOST = 1.0
PAIRS_FOLDED_BOOST = 0.5  # a tone-less pair's toned spellings, queried in `pairs_t`
WORDS_BOOST = 1.0


COUNT_MARK = "|"  # "khởi_nghiệp|3": a term and how often it occurs, counted before it reaches the writer


class CountedTermsTokenizer(Tokenizer):
    """Reads pre-analyzed, pre-counted terms ("khởi_nghiệp|3 đà_nẵng") and yields each term once, weighted by its
    count. The Vietnamese analysis and the counting ran in the ingest workers; the single writer, the bottleneck
    of ingest, handles each distinct term of a document once instead of every occurrence."""

    def __eq__(self, other):
        return type(other) is type(self)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True, start_pos=0,
                 start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pieces = value.split() if tokenize else [value]
        for position, piece in enumerate(pieces, start_pos):
            text, mark, count = piece.rpartition(COUNT_MARK)
            if not mark or not count.isdigit():
                text, count = piece, "1"
            token.text = text
            token.boost = float(count)
            token.stopped = False
            if positions:
                token.pos = position
            yield token


def counted(terms) -> str:
    """Terms → the writer's input for CountedTermsTokenizer: each distinct term once, with its count."""
    from collections import Counter

    return " ".join(t if n == 1 else f"{t}{COUNT_MARK}{n}" for t, n in Counter(terms).items())


def words_analyzer() -> Tokenizer:
    """Pre-analyzed, pre-counted terms (see CountedTermsTokenizer)."""
    return CountedTermsTokenizer()


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
        pairs_t=fields.TEXT(analyzer=words_analyzer(), phrase=False, field_boost=PAIRS_TONED_BOOST),
        words=fields.TEXT(analyzer=words_analyzer(), phrase=False, field_boost=WORDS_BOOST),
    )
