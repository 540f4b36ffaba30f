"""Grouping: copies of one story from several outlets. Articles that came in through the feeds carry the event id
the poller gave them (feeds.events, over every article it took in, not only the digest's sample): those are grouped
by it. Articles without one (a JSON Lines ingest) are grouped by story similarity, date and place."""

from __future__ import annotations

import datetime as dt

import numpy as np

from vnnews.digest.features import _anchor_features, _article_text, _vectorizer, _word_features, story_features
from vnnews.errors import InvalidInput
from vnnews.records import parse_date


SAME_STORY_DAYS = 3             # copies of one story appear within this many days of each other
SAME_STORY_SIMILARITY = 0.37    # story similarity from which two articles are one story (measured: see tests)
ANCHOR_WEIGHT = 0.6             # share of the anchors (names, numbers) in that similarity; the rest is words


def _published(article: dict) -> dt.date | None:
    value = article.get("published")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return parse_date(value)
    except InvalidInput:
        return None


def similarity_matrix(articles: list[dict]) -> np.ndarray:
    """Pairwise story similarity: ANCHOR_WEIGHT × anchor cosine + the rest × word cosine, 0 on the diagonal."""
    n = len(articles)
    if n < 2:
        return np.zeros((n, n))
    features = [story_features(_article_text(a)) for a in articles]
    total = np.zeros((n, n))
    for weight, pick in ((1 - ANCHOR_WEIGHT, _word_features), (ANCHOR_WEIGHT, _anchor_features)):
        docs = [pick(f) for f in features]
        if not any(docs):
            continue
        matrix = _vectorizer().fit_transform(docs)
        total += weight * (matrix @ matrix.T).toarray()
    np.fill_diagonal(total, 0.0)
    return total


def _may_be_same_story(a: dict, b: dict, day_a: dt.date, day_b: dt.date) -> bool:
    if abs((day_a - day_b).days) > SAME_STORY_DAYS:
        return False
    places_a, places_b = set(a.get("provinces") or ()), set(b.get("provinces") or ())
    # One event happens in one place: two articles tagged with different provinces are two events.
    return not (places_a and places_b and not places_a & places_b)


def group_stories(articles: list[dict], days: list[dt.date], sims: np.ndarray | None = None) -> list[list[int]]:
    """Indices of the articles grouped into stories, each group in date order: articles with the same stored event
    id are one story; the others join a story by average linkage over allowed pairs."""
    n = len(articles)
    sims = similarity_matrix(articles) if sims is None else sims.copy()
    events = [a.get("event_id") or "" for a in articles]
    # Candidates only: pairs similar enough and close enough in time (array operations, never a loop over all
    # pairs); the place rule is then checked on those few. Two articles that both carry an event id were already
    # compared by the poller: its answer stands.
    ordinal = np.array([d.toordinal() for d in days], dtype=np.int64)
    sims[np.abs(ordinal[:, None] - ordinal[None, :]) > SAME_STORY_DAYS] = 0.0
    rows, cols = np.nonzero(np.triu(sims >= SAME_STORY_SIMILARITY, k=1))
    for i, j in zip(rows.tolist(), cols.tolist()):
        if (events[i] and events[j]) or not _may_be_same_story(articles[i], articles[j], days[i], days[j]):
            sims[i, j] = sims[j, i] = 0.0
    cluster = list(range(n))
    members: dict[int, list[int]] = {}
    first_of_event: dict[str, int] = {}
    for i, event in enumerate(events):
        head = first_of_event.setdefault(event, i) if event else i
        cluster[i] = head
        members.setdefault(head, []).append(i)
    pairs = sorted(((sims[i, j], i, j) for i, j in zip(rows.tolist(), cols.tolist()) if sims[i, j] >= SAME_STORY_SIMILARITY),
                   reverse=True)
    for _, i, j in pairs:
        a, b = cluster[i], cluster[j]
        if a == b:
            continue
        merged = members[a] + members[b]
        span = max(days[k] for k in merged) - min(days[k] for k in merged)
        if span.days > SAME_STORY_DAYS:
            continue
        if sims[np.ix_(members[a], members[b])].mean() < SAME_STORY_SIMILARITY:
            continue
        members[a] = merged
        for k in members.pop(b):
            cluster[k] = a
    return [sorted(group, key=lambda k: (days[k], k)) for group in members.values()]
