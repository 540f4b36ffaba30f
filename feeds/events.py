"""Duplicates and events: the same text under a new URL is the same article (content hash); near-duplicate copies
of one story at several outlets share an event id (MinHash over word shingles, LSH to find candidates)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from nlp.fold import fold

NUM_PERM = 128  # a Jaccard estimate within about ±0.04 at 0.25; 512 bytes per stored signature
SEED = 20240329  # fixed: signatures kept in SQLite must be comparable with new ones
SCHEME = "affine32"  # datasketch 2's hashing (values below 2**32, so 4 bytes each in the database)
THRESHOLD = 0.25  # Jaccard of word-pair shingles from which two texts are one story. Read on two days of the real
# RSS pool (title + summary, three outlets): pairs from 0.25 up were the same story; from 0.20 to 0.25, stories of
# one subject (two provinces' storm appeals) began to mix in. Outlets reword a story, so recall is modest.
WINDOW_DAYS = 3  # a story's copies appear within days; older signatures leave the in-memory LSH
TEXT_CHARS = 1500  # title, lead and the start of the body: where outlets' copies of a story overlap most
_WORD = re.compile(r"\w+")


def content_hash(title: str, text: str) -> str:
    """What makes a re-publication the same article: its title and text, folded and without spacing or
    punctuation differences."""
    words = _WORD.findall(fold(f"{title}\n{text}"))
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()[:24]


def shingles(text: str) -> set[bytes]:
    """Word pairs of the folded text (tone marks off: outlets differ in them less than in wording)."""
    words = _WORD.findall(fold(text))
    if len(words) < 2:
        return {w.encode("utf-8") for w in words}
    return {f"{a} {b}".encode("utf-8") for a, b in zip(words, words[1:])}


def minhash(text: str) -> LeanMinHash:
    m = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    m.update_batch(list(shingles(text)) or [b""])
    return LeanMinHash(m)


def to_bytes(m: LeanMinHash) -> bytes:
    return np.asarray(m.hashvalues, dtype=np.uint64).astype(np.uint32).tobytes()  # values are below 2**32


def from_bytes(blob: bytes) -> LeanMinHash:
    return LeanMinHash(seed=SEED, hashvalues=np.frombuffer(blob, dtype=np.uint32).astype(np.uint64), scheme=SCHEME)


def story_text(title: str, lead: str, body: str) -> str:
    return f"{title}\n{lead}\n{body}"[:TEXT_CHARS]


class EventIndex:
    """Event ids for new items, remembering the signatures of the last WINDOW_DAYS days (loaded from the feeds
    database, so events survive restarts)."""

    def __init__(self, rows: list[tuple[str, str, str, bytes]] = (), *, threshold: float = THRESHOLD,
                 window_days: int = WINDOW_DAYS):
        self.threshold = threshold
        self.window = dt.timedelta(days=window_days)
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._items: dict[str, tuple[str, dt.date, LeanMinHash]] = {}
        self._members: dict[str, list[str]] = {}  # event id → its items still in memory, the first one first
        for item_id, event_id, day, blob in rows:
            self._add(item_id, event_id, dt.date.fromisoformat(day), from_bytes(blob))

    def __len__(self) -> int:
        return len(self._items)

    def _add(self, item_id: str, event_id: str, day: dt.date, m: LeanMinHash) -> None:
        if item_id in self._items:
            return
        self._lsh.insert(item_id, m)
        self._items[item_id] = (event_id, day, m)
        self._members.setdefault(event_id, []).append(item_id)

    def forget_before(self, day: dt.date) -> None:
        """Drop signatures older than `day` from memory (they stay in the database)."""
        for item_id in [k for k, (_, d, _) in self._items.items() if d < day]:
            event_id = self._items.pop(item_id)[0]
            self._lsh.remove(item_id)
            members = self._members[event_id]
            members.remove(item_id)
            if not members:
                del self._members[event_id]

    def _fit(self, m: LeanMinHash, event_id: str, day: dt.date) -> float | None:
        """How well a new item fits an event: its least Jaccard similarity to any of the event's items (complete
        linkage), or None when the event's first item has left memory or lies more than the window away.

        Measured against every member, not any one: with the best member alone (or the first alone, once it left
        the window) a chain of each-similar items drifted off the story: a leader's school visit, then another
        leader at another school; two countries' strategic partnerships signed in one week."""
        root = self._items.get(event_id)
        if root is None or abs((root[1] - day).days) > self.window.days:
            return None
        return min(m.jaccard(self._items[k][2]) for k in self._members[event_id])

    def assign(self, item_id: str, text: str, day: dt.date) -> tuple[str, bytes]:
        """(event id, signature bytes) for a new item: the recent event it fits best (at least `threshold` with each
        of its items), or a new event under its own id."""
        m = minhash(text)
        best, best_score = item_id, None
        for event_id in sorted({self._items[other][0] for other in self._lsh.query(m)}):  # sorted: ties → first id
            score = self._fit(m, event_id, day)
            if score is not None and score >= self.threshold and (best_score is None or score > best_score):
                best, best_score = event_id, score
        self._add(item_id, best, day, m)
        return best, to_bytes(m)
