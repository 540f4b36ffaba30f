"""Search: one parsed query decides the matches (total, facets) and their ranking; a page is a slice of that ranking.

`search(store, request)` returns the API's JSON. The ranking is a pure function of the query and the index: every
matching article is scored (no top-k shortcuts: whoosh's `replace()` drops a sub-query's share of the score once a
page is full, so scores used to depend on the page size), then ordered by score, newer first, then id. With
`collapse` (the default), copies of one event at several outlets (a shared event id, given by the feed poller) are
one entry of that ranking, shown by its first copy with the others listed under it; the total and the facets still
count every matching article.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Iterator

import numpy as np
from whoosh import query as wq

from index.build import Built, Plan, build_query, filter_query
from index.engine import Segment, TermInfos, evaluate
from index.facets import count_facets
from index.highlight import snippet
from index.request import MAX_PAGE, SORTS, SearchRequest, validate_province, validate_topic
from index.state import NO_DATE, IndexState, state_of
from index.store import Store, stored_article
from index.vocabulary import leaves, vocabulary

__all__ = ["MAX_PAGE", "SORTS", "SearchRequest", "validate_province", "validate_topic", "search", "iter_articles",
           "count_matches", "event_copies", "date_bounds", "warm"]

SCORE_DIGITS = 6  # scores equal to this many decimals are ties (a toned query and its tone-less form sum the
# same parts in another order)
RELAXED_MIN_UNITS = 3  # a query of this many words or more, none of which can be left out, may miss one ...
RELAXED_MISSES_PER = 8  # ... and one more for every this many further words
MAX_COPIES_SHOWN = 20  # other copies of an event listed under its hit (`others_total` counts them all)


def warm(store: Store) -> None:
    """Build the vocabulary and the segment arrays (facets, dates, ids, the scored fields' lengths) now, at start-up,
    not on the first user's query; a server that forks its serving processes afterwards shares them."""
    search(store, SearchRequest(per_page=1))
    state = state_of(store)
    with store.searcher() as searcher:
        scored = [name for name in searcher.schema.names() if searcher.schema[name].scorable]
        for leaf, _ in leaves(searcher):
            reader = leaf.reader()
            arrays = state.segment(reader)
            arrays.ids(reader)
            for name in scored:
                arrays.lengths(reader, name)


Matches = list[tuple[object, int, np.ndarray]]  # (segment searcher, offset, local document numbers) per segment


def _segments(searcher, state: IndexState) -> list[tuple[object, int, Segment]]:
    infos = TermInfos(searcher)  # each term looked up once per segment, for its idf and its postings
    return [(leaf, offset, Segment(searcher, leaf, state.segment(leaf.reader()), state.postings, infos))
            for leaf, offset in leaves(searcher)]


def _matches(segments, q: wq.Query) -> Matches:
    """Every matching document, segment by segment."""
    return [(leaf, offset, np.flatnonzero(evaluate(q, seg)[0])) for leaf, offset, seg in segments]


def _scores(segments, q: wq.Query, matches: Matches) -> list[np.ndarray]:
    """The score of every matching document, segment by segment (0 where `q` does not score it)."""
    return [np.round(evaluate(q, seg)[1][ids], SCORE_DIGITS) if len(ids) else np.zeros(0)
            for (_, _, seg), (_, _, ids) in zip(segments, matches)]


def _relaxed_matches(segments, plan: Plan, fq: wq.Query | None) -> Matches:
    """Articles with all but one of the query's words (two for a long query): a pasted headline with a typo, or
    with a word the article does not have, still finds it. Only asked when no article has every word."""
    units = plan.units
    need = len(units) - 1 - (len(units) - RELAXED_MIN_UNITS) // RELAXED_MISSES_PER
    out = []
    for leaf, offset, seg in segments:
        counts = np.sum([evaluate(unit.match, seg)[0] for unit in units], axis=0)
        keep = counts >= need
        if fq is not None:
            keep &= evaluate(fq, seg)[0]
        out.append((leaf, offset, np.flatnonzero(keep)))
    return out


Copies = dict[tuple[int, int], list[tuple[int, int]]]  # (segment number, docnum) of a shown hit → its other copies


def _collapse(state: IndexState, matches: Matches, scores: list[np.ndarray] | None
              ) -> tuple[Matches, list[np.ndarray] | None, Copies]:
    """Keep one copy of every event among the matches: the one the ranking puts first (score, newer, id), so the
    collapsed ranking is the full ranking with later copies left out. Returns the kept matches and scores, and the
    left-out copies of each kept one, in ranking order."""
    events = [state.segment(leaf.reader()).event[ids] for leaf, _, ids in matches]
    known = np.concatenate(events) if events else np.empty(0, dtype=np.int32)
    codes, counts = np.unique(known[known >= 0], return_counts=True)
    shared = codes[counts > 1]
    if not len(shared):
        return matches, scores, {}
    groups: dict[int, list[tuple[tuple, int, int, int]]] = {}
    for number, ((leaf, _, ids), event) in enumerate(zip(matches, events)):
        picked = np.flatnonzero(np.isin(event, shared))
        if not len(picked):
            continue
        reader = leaf.reader()
        arrays = state.segment(reader)
        id_of = arrays.ids(reader)
        for k in picked.tolist():
            docnum = int(ids[k])
            score = float(scores[number][k]) if scores is not None else 0.0
            key = (-score, -int(arrays.published[docnum]), id_of[docnum])  # the ranking's own order (_order)
            groups.setdefault(int(event[k]), []).append((key, number, docnum, k))
    dropped = [np.zeros(len(ids), dtype=bool) for _, _, ids in matches]
    copies: Copies = {}
    for members in groups.values():
        members.sort()
        _, number, docnum, _ = members[0]
        copies[(number, docnum)] = [(n, d) for _, n, d, _ in members[1:]]
        for _, n, _, k in members[1:]:
            dropped[n][k] = True
    kept = [(leaf, offset, ids[~drop]) for (leaf, offset, ids), drop in zip(matches, dropped)]
    kept_scores = None if scores is None else [score[~drop] for score, drop in zip(scores, dropped)]
    return kept, kept_scores, copies


def _copy(leaf, docnum: int) -> dict:
    stored = stored_article(leaf.stored_fields(docnum))
    return {k: stored[k] for k in ("id", "title", "url", "source", "published")}


def _order(state: IndexState, matches: Matches, scores: list[np.ndarray] | None, start: int, stop: int
           ) -> list[tuple[object, int, float | None]]:
    """Items start..stop of the full ranking: by score (when given), newer first, then id, as (leaf, docnum, score).

    Ids are compared only around the slice's ends, where equal score and date leave a tie to break.
    """
    leaf_no = np.concatenate([np.full(len(ids), i, dtype=np.int64) for i, (_, _, ids) in enumerate(matches)])
    docnum = np.concatenate([ids for _, _, ids in matches])
    published = np.concatenate([state.segment(leaf.reader()).published[ids] for leaf, _, ids in matches])
    score = np.concatenate(scores) if scores is not None else np.zeros(len(docnum))
    if 0 < stop < len(docnum) // 4:
        # Only what can be among the first `stop`: everything whose first key reaches the stop-th best value (ties
        # included), found in linear time; the rest is never sorted.
        first = score if scores is not None else published
        kept = np.flatnonzero(first >= np.partition(first, len(first) - stop)[len(first) - stop])
        leaf_no, docnum, published, score = leaf_no[kept], docnum[kept], published[kept], score[kept]
    order = np.lexsort((-published, -score))  # the last key is the primary one
    if start >= len(order):
        return []
    key = np.stack([score[order], published[order]], axis=1)
    low = start
    while low > 0 and (key[low - 1] == key[start]).all():
        low -= 1
    high = min(stop, len(order))
    while high < len(order) and (key[high] == key[high - 1]).all():
        high += 1
    window = order[low:high]
    ids = np.empty(len(window), dtype=object)  # the window's article ids, a segment at a time
    segments = leaf_no[window]
    for number in np.unique(segments).tolist():
        here = segments == number
        reader = matches[number][0].reader()
        ids[here] = state.segment(reader).ids(reader)[docnum[window[here]]]
    window = window[np.argsort(ids, kind="stable")]  # by id, then (stably) by score and date: the full order
    window = window[np.lexsort((-published[window], -score[window]))]
    chosen = window[start - low: start - low + (stop - start)].tolist()
    return [(matches[leaf_no[j]][0], int(docnum[j]), None if scores is None else float(score[j])) for j in chosen]


def search(store: Store, request: SearchRequest) -> dict:
    """Run a search: the page of hits with snippets, the exact total, and facet counts over all matches."""
    started = time.perf_counter()
    state = state_of(store)
    relaxed = False
    with store.searcher() as searcher:
        plan = build_query(request.q, vocabulary(store, searcher))
        built: Built = plan.built
        fq = filter_query(request)
        segments = _segments(searcher, state)
        matches = _matches(segments, wq.And([built.match, fq]) if fq is not None else built.match)
        total = int(sum(len(ids) for _, _, ids in matches))
        score_query = built.score
        if not total and len(plan.units) >= RELAXED_MIN_UNITS:
            matches = _relaxed_matches(segments, plan, fq)
            total = int(sum(len(ids) for _, _, ids in matches))
            relaxed = total > 0
            score_query = wq.Or([unit.score for unit in plan.units])
        facets = count_facets(matches, state)
        state.prune({leaf.reader().segment().segment_id() for leaf, _ in leaves(searcher)
                     if leaf.reader().segment() is not None})
        by_date = request.sort == "date" or isinstance(built.score, wq.Every)
        scores = None if by_date or not total else _scores(segments, score_query, matches)
        copies: Copies = {}
        if request.collapse and total:
            matches, scores, copies = _collapse(state, matches, scores)
        groups = int(sum(len(ids) for _, _, ids in matches))
        number_of = {id(leaf): n for n, (leaf, _, _) in enumerate(matches)}
        start = (request.page - 1) * request.per_page
        page = _order(state, matches, scores, start, start + request.per_page) if groups else []
        hits = []
        for leaf, docnum, score in page:
            article = stored_article(leaf.stored_fields(docnum))
            others = copies.get((number_of[id(leaf)], docnum), [])
            hits.append({
                "id": article["id"], "title": article["title"], "url": article["url"],
                "source": article["source"], "published": article["published"], "topics": article["topics"],
                "provinces": article["provinces"], "score": None if score is None else round(score, 4),
                "snippet": snippet(article["title"], article["lead"], article["body"], plan.highlight),
                "event_id": article["event_id"] or None, "demo": article["demo"],
                "others": [_copy(matches[n][0], d) for n, d in others[:MAX_COPIES_SHOWN]],
                "others_total": len(others),
            })
    answer = {
        "query": request.q, "total": total, "groups": groups, "page": request.page, "per_page": request.per_page,
        "hits": hits, "facets": facets, "took_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    if relaxed:
        answer["matched"] = "most_words"  # no article has every word: these have all but one (or two)
    return answer


def _request_matches(store: Store, searcher, state: IndexState, request: SearchRequest) -> Matches:
    """Every article matching the request's query (if any) and filters, segment by segment, in no ranking."""
    q = build_query(request.q, vocabulary(store, searcher)).built.match if request.q else wq.Every()
    fq = filter_query(request)
    return _matches(_segments(searcher, state), wq.And([q, fq]) if fq is not None else q)


def iter_articles(store: Store, request: SearchRequest, *, per_day: int | None = None) -> Iterator[dict]:
    """The stored articles matching the request's query and filters, newest first (then by id). With `per_day`, at
    most that many of each day (undated articles count as one day): a digest of a year reads a bounded sample
    spread over the whole period, not every article."""
    state = state_of(store)
    with store.searcher() as searcher:
        matches = _request_matches(store, searcher, state, request)
        total = int(sum(len(ids) for _, _, ids in matches))
        if not total:
            return
        chosen = _order(state, matches, None, 0, total)
        taken: dict[int, int] = {}
        for leaf, docnum, _ in chosen:
            if per_day is not None:
                day = int(state.segment(leaf.reader()).published[docnum] // _DAY)
                if taken.get(day, 0) >= per_day:
                    continue
                taken[day] = taken.get(day, 0) + 1
            yield stored_article(leaf.stored_fields(docnum))


_DAY = 24 * 3600 * 10**6  # whoosh's datetime long is in microseconds


def count_matches(store: Store, request: SearchRequest) -> dict:
    """Over every match of the request (no stored field read): the total, the count per day (ISO dates) and the
    facet counts: what a digest reports about a whole period, at any size."""
    state = state_of(store)
    with store.searcher() as searcher:
        matches = _request_matches(store, searcher, state, request)
        days = np.concatenate([state.segment(leaf.reader()).published[ids] for leaf, _, ids in matches])
        dated = days[days != NO_DATE] // _DAY
        per_day = {}
        for number, count in zip(*np.unique(dated, return_counts=True)):
            day = (dt.datetime.min + dt.timedelta(microseconds=int(number) * _DAY)).date()
            per_day[day.isoformat()] = int(count)
        return {"total": int(len(days)), "per_day": per_day, "facets": count_facets(matches, state)}


def event_copies(store: Store, request: SearchRequest, event_ids, *, per_event: int = MAX_COPIES_SHOWN
                 ) -> dict[str, list[dict]]:
    """The articles matching the request (its query and filters) that belong to these events: up to `per_event` of
    each, as {id, title, url, source, published}, in no particular order. A digest that read a sample of a long
    period completes its listed stories with the copies it did not read."""
    state = state_of(store)
    out: dict[str, list[dict]] = {}
    with store.searcher() as searcher:
        matches = _request_matches(store, searcher, state, request)  # reads every segment's arrays first
        found = {e: state.codes.find("e", e) for e in set(event_ids)}
        codes = {code: e for e, code in found.items() if code is not None}
        if not codes:
            return out
        wanted = np.fromiter(codes, dtype=np.int32)
        for leaf, _, ids in matches:
            event = state.segment(leaf.reader()).event[ids]
            for k in np.flatnonzero(np.isin(event, wanted)).tolist():
                copies = out.setdefault(codes[int(event[k])], [])
                if len(copies) < per_event:
                    copies.append(_copy(leaf, int(ids[k])))
    return out


def date_bounds(store: Store) -> tuple:
    """Earliest and latest `published` date in the index (None, None when it has none)."""
    with store.searcher() as searcher:
        dated = wq.Every("published")
        first = searcher.search(dated, limit=1, sortedby="published")
        last = searcher.search(dated, limit=1, sortedby="published", reverse=True)
        if not len(first):
            return None, None
        return first[0]["published"].date(), last[0]["published"].date()
