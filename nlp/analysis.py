"""Token streams for indexing and querying, built from normalize/segment/fold (no search-engine code here).

The index layer wraps these in its engine's analyzer classes; keeping the Vietnamese logic here means a query and
a document are always cut the same way, whatever the engine.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from nlp.fold import fold

_SYLLABLE = re.compile(r"\w+")
CLAUSE_BREAK = re.compile(r"[^\w\s]+|\n")  # punctuation and line ends: a phrase does not run across them
_HAS_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The Vietnamese stopword list (lower-case, segmented form: 'cho biết')."""
    path = Path(__file__).with_name("stopwords_vi.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def syllables(text: str) -> list[str]:
    """Lower-case syllables (and numbers) with tone marks: ``syllables("Khởi nghiệp, 2025")`` → ``['khởi', 'nghiệp', '2025']``."""
    return _SYLLABLE.findall(text.lower())


def folded_syllables(text: str) -> list[str]:
    """Tone-less syllables: ``folded_syllables("Đà Nẵng")`` → ``['da', 'nang']``."""
    return _SYLLABLE.findall(fold(text))


def pairs(tokens: Sequence[str]) -> list[str]:
    """Adjacent syllable pairs as single terms: ``pairs(['chuyển', 'đổi', 'số'])`` → ``['chuyển_đổi', 'đổi_số']``.

    A phrase of n syllables is then the conjunction of n-1 pair terms: no positions to store or decode.
    """
    return [f"{a}_{b}" for a, b in zip(tokens, tokens[1:])]


def clause_pairs(text: str) -> list[str]:
    """Lower-case adjacent syllable pairs of a text, never across punctuation:
    ``clause_pairs("Hà Nội. Hôm nay")`` → ``['hà_nội', 'hôm_nay']``."""
    out: list[str] = []
    for clause in CLAUSE_BREAK.split(text.lower()):
        out += pairs(_SYLLABLE.findall(clause))
    return out


def has_tone_marks(text: str) -> bool:
    """True when the text carries any Vietnamese diacritic (then the user typed tones on purpose)."""
    return fold(text) != text.lower()


def compound(word: str) -> str | None:
    """A segmented multi-syllable word as one index term: 'Khởi nghiệp' → 'khởi_nghiệp'; None for single syllables."""
    parts = syllables(word)
    return "_".join(parts) if len(parts) > 1 else None


def compounds(words: Iterable[str]) -> list[str]:
    """Index terms for the multi-syllable words of a segmented text."""
    return [c for c in map(compound, words) if c]


def display_form(written: str) -> str:
    """How a term is shown: as written when it is a name, every word capitalised ("Thủ Đức"); else in lower case
    ("Khởi nghiệp" opening a sentence, "KHỞI NGHIỆP" in a shouted title → "khởi nghiệp")."""
    words = written.split()
    if len(words) > 1 and all(w[:1].isupper() and (len(w) == 1 or not w.isupper()) for w in words):
        return " ".join(words)
    return " ".join(words).lower()


def key_terms(words: Sequence[str], limit: int = 15) -> list[str]:
    """The most frequent multi-word content words of one text (no stopwords, no numbers, no abbreviations written as
    one token such as "KH&CN" or "TP.HCM"), most frequent first, each in its most frequent `display_form`."""
    stop = stopwords()
    counts: Counter[str] = Counter()
    written: dict[str, Counter[str]] = {}
    for word in words:
        if len(word.split()) < 2 or not _HAS_LETTER.search(word):
            continue
        key = " ".join(syllables(word))
        if key in stop:
            continue
        counts[key] += 1
        written.setdefault(key, Counter())[display_form(word)] += 1
    return [written[term].most_common(1)[0][0] for term, _ in counts.most_common(limit)]
