"""Known-item search evaluation on real articles of several sources: can a user find an article again?

Five kinds of query per article, as a press officer types or pastes them:
- `title`: the headline as published, punctuation kept;
- `toneless`: the same without tone marks;
- `words`: four content words of the headline;
- `lead`: the first sentence of the lead (or of the body), pasted;
- `damaged`: the headline with one typo (two letters of one word swapped) or one word left out.

Used by `bench/search_quality.py` and the slow search-quality test; the engine is passed in as a function, so the same
queries run on our index and on the Whoosh StandardAnalyzer baseline (`bench/baseline.py`).
"""

from __future__ import annotations

import gzip
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

from nlp.analysis import stopwords, syllables
from nlp.fold import fold
from nlp.segment import segment

Engine = Callable[[str], list[str]]  # query → ranked article ids (the top 10 at least)
CONTENT_WORDS = 4
KINDS = ("title", "toneless", "words", "lead", "damaged")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZĐÀ-Ỹ\"“])")


@dataclass
class KnownItem:
    id: str
    queries: dict[str, str]  # kind → query text


def real_articles(data: Path, n: int, *, seed: int = 7) -> list[dict]:
    """`n` real articles from three sources, a third each: the RSS pool (title + summary), `vietnews-100k` (full
    articles, ids made unique from the line number) and `dev-labeled.jsonl` topped up with more of the others."""
    rng = random.Random(seed)
    third = n // 3
    rss = _sample(_rss(data / "rss-2025-08-2026-02.jsonl.gz"), third, rng)
    dev = [dict(r, published=r["date"])
           for r in map(json.loads, open(data / "dev-labeled.jsonl", encoding="utf-8"))][:third]
    full = _sample(_vietnews(data / "vietnews-100k.jsonl.gz"), n - len(rss) - len(dev), rng)
    return rss + full + dev


def _sample(records: Iterator[dict], n: int, rng: random.Random) -> list[dict]:
    """Every k-th record of the first 20·n, k chosen so about n come out; then exactly n."""
    pool = [r for _, r in zip(range(20 * n), records)]
    return rng.sample(pool, min(n, len(pool)))


def _rss(path: Path) -> Iterator[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            r = json.loads(line)
            yield {"id": "rss-" + r["id"], "title": r["title"], "lead": r.get("summary") or "",
                   "body": r.get("summary") or r["title"], "url": r.get("link", ""), "published": r.get("published"),
                   "source": (r.get("sources") or [""])[0].split(" - ")[0]}


def _vietnews(path: Path) -> Iterator[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            r = json.loads(line)
            yield {"id": f"vietnews-line-{number:06d}", "title": r["title"], "lead": r.get("lead") or "",
                   "body": r.get("body") or "", "source": "VietNews"}


def first_sentence(article: dict) -> str:
    text = (article.get("lead") or article.get("body") or "").strip()
    return _SENTENCE_END.split(text, maxsplit=1)[0][:300]


def _content_words(title: str) -> list[str]:
    stop = stopwords()
    return [w for w in segment(title) if syllables(w) and not w.replace(".", "").replace(",", "").isdigit()
            and w.lower() not in stop and any(c.isalpha() for c in w)]


def damage(title: str, rng: random.Random) -> str:
    """One typo (two adjacent letters of a word of 3+ letters swapped) or one word of 2+ left out, at random."""
    words = title.split()
    long = [i for i, w in enumerate(words) if sum(c.isalpha() for c in w) >= 3]
    if len(words) > 3 and rng.random() < 0.5:
        del words[rng.randrange(len(words))]
    elif long:
        i = rng.choice(long)
        w = words[i]
        letters = [k for k in range(len(w) - 1) if w[k].isalpha() and w[k + 1].isalpha() and w[k] != w[k + 1]]
        if letters:
            k = rng.choice(letters)
            words[i] = w[:k] + w[k + 1] + w[k] + w[k + 2:]
    return " ".join(words)


def known_items(articles: Sequence[dict], *, seed: int = 11) -> list[KnownItem]:
    rng = random.Random(seed)
    items = []
    for article in articles:
        title = article["title"].strip()
        queries = {"title": title, "toneless": fold(title), "words": " ".join(_content_words(title)[:CONTENT_WORDS]),
                   "lead": first_sentence(article), "damaged": damage(title, rng)}
        items.append(KnownItem(article["id"], {k: v for k, v in queries.items() if v.strip()}))
    return items


# kind → (measure, target): "first" means ranked first, "top10" within the first ten
TARGETS = {"title": ("first", 0.99), "toneless": ("first", 0.97), "words": ("top10", 0.97),
           "lead": ("first", 0.95), "damaged": ("top10", 0.95)}


def evaluate(engine: Engine, items: Sequence[KnownItem], *, keep_misses: int = 10) -> dict:
    """Per kind, the share of queries that find their article (first, or in the top ten), how often a tone-less
    headline gives the same top ten as the toned one, and a few misses to read."""
    found = {k: 0 for k in KINDS}
    asked = {k: 0 for k in KINDS}
    same_set = 0
    misses: dict[str, list[str]] = {k: [] for k in KINDS}
    for item in items:
        ranked = {}
        for kind, text in item.queries.items():
            ids = engine(text)[:10]
            ranked[kind] = ids
            asked[kind] += 1
            ok = ids[:1] == [item.id] if TARGETS[kind][0] == "first" else item.id in ids
            found[kind] += ok
            if not ok and len(misses[kind]) < keep_misses:
                misses[kind].append(text)
        same_set += set(ranked.get("title", [])) == set(ranked.get("toneless", []))
    out = {"queries": sum(asked.values()), "articles": len(items)}
    for kind in KINDS:
        measure, target = TARGETS[kind]
        out[f"{kind}_{measure}"] = round(found[kind] / max(1, asked[kind]), 3)
        out[f"{kind}_target"] = target
    out["toneless_same_top10"] = round(same_set / max(1, len(items)), 3)
    out["misses"] = misses
    return out
