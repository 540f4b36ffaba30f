"""Near-duplicate stories, grouped, so cross-validation never trains on one copy of a story and tests on another."""

from __future__ import annotations

from collections import defaultdict
from typing import Sequence

from nlp.fold import fold

SHINGLE = 3  # syllables per shingle
SAME_STORY = 0.5  # Jaccard similarity of the opening's shingles above which two articles are one story
OPENING_CHARS = 400  # title and the start of the lead/body: copies of a story share their opening
COMMON_SHINGLE = 50  # a shingle in more articles than this is a stock phrase, not evidence of a copy


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = fold(text).split()
    return {tuple(words[i:i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}


def story_groups(openings: Sequence[str]) -> list[int]:
    """A group number per text: texts whose openings share at least half their shingles are one group.

    >>> story_groups(["Hà Nội mở tuyến buýt mới ra sân bay", "Hà Nội mở tuyến buýt mới ra sân bay Nội Bài", "Giá vàng"])
    [0, 0, 2]
    """
    sets = [_shingles(t[:OPENING_CHARS]) for t in openings]
    postings: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, shingles in enumerate(sets):
        for shingle in shingles:
            postings[shingle].append(i)
    parent = list(range(len(sets)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, shingles in enumerate(sets):
        shared: dict[int, int] = defaultdict(int)
        for shingle in shingles:
            docs = postings[shingle]
            if len(docs) <= COMMON_SHINGLE:
                for j in docs:
                    if j > i:
                        shared[j] += 1
        for j, n in shared.items():
            if n / max(1, len(shingles | sets[j])) >= SAME_STORY:
                parent[root(j)] = root(i)
    return [root(i) for i in range(len(sets))]
