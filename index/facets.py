"""Facet counts over all matches, from the segments' arrays."""

from __future__ import annotations

import numpy as np

from vnnews.labels import TOPICS
from index.state import IndexState

FACET_LIMIT = 100


def count_facets(matches: list[tuple[object, int, np.ndarray]], state: IndexState) -> dict[str, dict[str, int]]:
    """Counts of topics, provinces and sources over all matches (from the segments' arrays: a bincount each)."""
    topic = np.zeros(len(TOPICS), dtype=np.int64)
    province = np.zeros(len(state.codes.values["p"]) + 64, dtype=np.int64)
    source = np.zeros(len(state.codes.values["s"]) + 64, dtype=np.int64)
    for leaf, _, ids in matches:
        if not len(ids):
            continue
        facets = state.segment(leaf.reader())
        bits = facets.topic_bits[ids]
        for j in range(len(TOPICS)):
            topic[j] += int(np.count_nonzero(bits & (1 << j)))
        src = facets.source[ids]
        src = src[src >= 0]
        if len(src):
            counts = np.bincount(src)
            if len(counts) > len(source):
                source = np.pad(source, (0, len(counts) - len(source)))
            source[: len(counts)] += counts
        starts, ends = facets.province_indptr[ids], facets.province_indptr[ids + 1]
        lengths = ends - starts
        if lengths.sum():
            offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
            counts = np.bincount(facets.province_codes[offsets])
            if len(counts) > len(province):
                province = np.pad(province, (0, len(counts) - len(province)))
            province[: len(counts)] += counts

    def named(counts: np.ndarray, names: list[str]) -> dict[str, int]:
        pairs = [(names[i], int(c)) for i, c in enumerate(counts[: len(names)]) if c]
        pairs.sort(key=lambda p: (-p[1], p[0]))
        return dict(pairs[:FACET_LIMIT])

    return {
        "topic": {name: int(c) for name, c in sorted(zip(TOPICS, topic), key=lambda p: -p[1]) if c},
        "province": named(province, state.codes.values["p"]),
        "source": named(source, state.codes.values["s"]),
    }
