"""Search quality on known items: can a user find an article again by its title, toned or not, or a few of its words?

Used by the search-quality test and `bench/search_quality.py`; the engine is passed in as a function, so the same
measurement runs on our index and on the naive baseline (index/baseline.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from nlp.analysis import stopwords, syllables
from nlp.fold import fold
from nlp.segment import segment

Engine = Callable[[str], list[str]]  # query → ranked article ids (top 10 at least)
CONTENT_WORDS = 4


@dataclass
class KnownItem:
    id: str
    title: str
    toneless: str
    words: str  # four content words of the title


def known_items(articles: Sequence[dict]) -> list[KnownItem]:
    """Queries for each article: its exact title, the title without tone marks, four content words of the title.

    Content words are the first four segmented words of the title that are not stopwords or numbers.
    """
    stop = stopwords()
    items = []
    for article in articles:
        title = article["title"].strip()
        words = [w for w in segment(title) if syllables(w) and not w.replace(".", "").replace(",", "").isdigit()
                 and w.lower() not in stop and any(c.isalpha() for c in w)]
        items.append(KnownItem(article["id"], title, fold(title), " ".join(words[:CONTENT_WORDS])))
    return items


def _rank(ids: list[str], wanted: str) -> int | None:
    return ids.index(wanted) + 1 if wanted in ids else None


def evaluate(engine: Engine, items: Sequence[KnownItem]) -> dict:
    """Share of title queries ranked first, tone-less title queries ranked first, content-word queries in the top
    10, and how often a tone-less title query returns the same top 10 as the toned one (as a set, and in order)."""
    title_first = toneless_first = words_top10 = same_set = same_order = 0
    misses = []
    for item in items:
        toned = engine(item.title)[:10]
        toneless = engine(item.toneless)[:10]
        words = engine(item.words)[:10] if item.words else []
        title_first += _rank(toned, item.id) == 1
        toneless_first += _rank(toneless, item.id) == 1
        words_top10 += _rank(words, item.id) is not None
        same_set += set(toned) == set(toneless)
        same_order += toned == toneless
        if _rank(toned, item.id) != 1:
            misses.append(item.title)
    n = max(1, len(items))
    return {
        "queries": len(items), "title_first": round(title_first / n, 3),
        "toneless_title_first": round(toneless_first / n, 3),
        "words_top10": round(words_top10 / n, 3), "toneless_same_top10_set": round(same_set / n, 3),
        "toneless_same_top10_order": round(same_order / n, 3), "title_misses": misses[:10],
    }
