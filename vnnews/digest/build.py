"""The digest itself: the chosen articles' counts, stories (grouped, ranked, summarized) and key terms."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, Callable

from index import search
from vnnews.digest.features import _article_text
from vnnews.digest.stories import _published, group_stories, similarity_matrix
from vnnews.digest.summary import summarize
from vnnews.digest.terms import period_terms
from vnnews.errors import InvalidInput
from vnnews.labels import TOPICS, validate_province, validate_topic
from vnnews.records import parse_date


DEFAULT_DAYS = 7                # the default period: the last 7 days of the data
MAX_DAYS = 366                  # longest period a digest covers (one bar per day in the chart)
MAX_LIMIT = 50                  # most top stories a digest lists
MAX_READ = 1000                 # most articles a digest reads for its stories and key terms, spread over the period
MIN_READ_PER_DAY = 2            # ... but at least this many of each day
OUTLET_WEIGHT, RECENCY_WEIGHT, TOPIC_WEIGHT = 1.0, 0.5, 0.5


def _check_limit(limit: Any) -> int:
    if isinstance(limit, str) and limit.strip().isdigit():
        limit = int(limit)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"`limit` must be a whole number from 1 to {MAX_LIMIT}, not {limit!r}", field="limit")
    return limit


def _check_period(date_from: dt.date, date_to: dt.date) -> None:
    if date_from > date_to:
        raise InvalidInput(f"`from` ({date_from}) is after `to` ({date_to})", field="from")
    if (date_to - date_from).days + 1 > MAX_DAYS:
        raise InvalidInput(f"a digest covers at most {MAX_DAYS} days; narrow `from`..`to`", field="to")


def _topic_score(article: dict, topic: str | None) -> float:
    scores = article.get("topic_scores") or {}
    labels = article.get("topics") or []
    wanted = [topic] if topic else list(TOPICS)
    values = [float(scores[t]) if t in scores else (1.0 if t in labels else 0.0) for t in wanted]
    return max(values, default=0.0)


def _by_count(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def digest_from_articles(articles: list[dict], *, topic: str | None, province: str | None,
                         date_from: dt.date, date_to: dt.date, limit: int = 10, counts: dict | None = None,
                         copies: Callable[[set[str]], dict[str, list[dict]]] | None = None) -> dict:
    """The digest of these articles over date_from..date_to (articles outside the period or filter are left out).

    `counts` (from `index.search.count_matches`) are the period's figures over every match when `articles` is a
    bounded sample of them: the totals, days, provinces and sources then come from `counts`, the stories and key
    terms from the sample, and the digest says how many it read. `copies` (event ids → their articles, from
    `index.search.event_copies`) completes the listed stories with the copies of their events the sample left out,
    so a story lists, and `outlets` counts, every outlet that told it."""
    topic = validate_topic(topic or None)
    limit = _check_limit(limit)
    _check_period(date_from, date_to)
    chosen: list[dict] = []
    days: list[dt.date] = []
    seen: set[str] = set()
    for article in articles:
        day = _published(article)
        if day is None or not date_from <= day <= date_to:
            continue
        if topic and topic not in (article.get("topics") or []):
            continue
        if province and province not in (article.get("provinces") or []):
            continue
        key = str(article.get("id") or id(article))
        if key in seen:
            continue
        seen.add(key)
        chosen.append(article)
        days.append(day)

    period = [date_from + dt.timedelta(days=k) for k in range((date_to - date_from).days + 1)]
    sampled = counts is not None and counts["total"] > len(chosen)
    if sampled:
        per_day = Counter(counts["per_day"])
        per_province = Counter(counts["facets"]["province"])
        per_source = Counter(counts["facets"]["source"])
    else:
        per_day = Counter(day.isoformat() for day in days)
        per_province = Counter(p for a in chosen for p in dict.fromkeys(a.get("provinces") or []))
        per_source = Counter((a.get("source") or "").strip() or "(không rõ nguồn)" for a in chosen)

    sims = similarity_matrix(chosen)
    groups = group_stories(chosen, days, sims)
    story_of = [0] * len(chosen)
    for number, group in enumerate(groups):
        for k in group:
            story_of[k] = number
    stories = []
    span = max(1, (date_to - date_from).days)
    for group in groups:
        members = [chosen[k] for k in group]
        # The story is told by its most central copy (the one closest to all others), the fuller one on a tie.
        lead_k = max(group, key=lambda k: (sims[k, group].sum(), len(_article_text(chosen[k])), -group.index(k)))
        lead = chosen[lead_k]
        outlets = list(dict.fromkeys((a.get("source") or "").strip() for a in members))
        recency = (max(days[k] for k in group) - date_from).days / span
        relevance = max(_topic_score(a, topic) for a in members)
        score = OUTLET_WEIGHT * len(outlets) + RECENCY_WEIGHT * recency + TOPIC_WEIGHT * relevance
        reference = [a.get("title") or "" for a in members] + [_article_text(a) for a in members if a is not lead]
        stories.append({
            "title": lead.get("title") or "",
            "id": lead.get("id"),
            "url": lead.get("url") or "",
            "published": min(days[k] for k in group).isoformat(),
            "sources": [{"source": a.get("source") or "", "title": a.get("title") or "", "url": a.get("url") or "",
                         "id": a.get("id"), "published": days[k].isoformat()} for k, a in zip(group, members)],
            "summary": (lead, reference),  # summarized below, for the stories listed only
            "topics": list(dict.fromkeys(t for a in members for t in a.get("topics") or [])),
            "provinces": list(dict.fromkeys(p for a in members for p in a.get("provinces") or [])),
            "score": round(score, 3),
            "outlets": len([o for o in outlets if o]),
            "_order": (-score, -len(members), lead.get("title") or ""),
            "_events": {a["event_id"] for a in members if a.get("event_id")},
        })
    stories.sort(key=lambda s: s.pop("_order"))
    stories = stories[:limit]
    _complete_events(stories, copies, date_from, date_to)
    for story in stories:
        story["summary"] = summarize(*story["summary"])

    out = {
        "topic": topic,
        "province": province,
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "total": counts["total"] if sampled else len(chosen),
        "per_day": {day.isoformat(): per_day.get(day.isoformat(), 0) for day in period},
        "per_province": _by_count(per_province),
        "per_source": _by_count(per_source),
        "key_terms": period_terms(chosen, topic=topic, province=province, places=per_province, stories=story_of),
        "stories": stories,
    }
    if sampled:
        # Stories and key terms come from a sample spread over the period: say so, with its size.
        out["read"] = {"articles": len(chosen), "of": counts["total"], "per_day_at_most": counts.get("per_day_cap")}
    return out


def _complete_events(stories: list[dict], copies, date_from: dt.date, date_to: dt.date) -> None:
    """Add to each listed story the copies of its events that were not read (within the period), and count its
    outlets again; drop the stories' working keys."""
    events = [story.pop("_events") for story in stories]
    found = copies(set().union(*events)) if copies and any(events) else {}
    for story, story_events in zip(stories, events):
        known = {s["id"] for s in story["sources"]}
        more = [c for e in sorted(story_events) for c in found.get(e, ()) if c["id"] not in known]
        more = [c for c in more if c["published"] and date_from.isoformat() <= c["published"] <= date_to.isoformat()]
        if not more:
            continue
        story["sources"] += [{"source": c["source"], "title": c["title"], "url": c["url"], "id": c["id"],
                              "published": c["published"]} for c in more]
        story["sources"].sort(key=lambda s: (s["published"], s["id"] or ""))
        story["published"] = story["sources"][0]["published"]
        story["outlets"] = len({s["source"] for s in story["sources"] if s["source"]})


def _as_date(value: Any, field: str) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date) or value is None:
        return value
    return parse_date(value, field)


def build_digest(store, *, topic=None, province=None, date_from=None, date_to=None, limit=10) -> dict:
    """The digest of the indexed articles; the default period is the last 7 days of the data."""
    # The same validators as search, so both answer an unknown topic or province with the same message.
    topic = validate_topic(topic or None)
    province = validate_province(province or None)
    limit = _check_limit(limit)
    date_from, date_to = _as_date(date_from, "from"), _as_date(date_to, "to")
    week = dt.timedelta(days=DEFAULT_DAYS - 1)

    if date_from is None and date_to is None:
        _, latest = search.date_bounds(store)
        date_to = latest or dt.date.today()
    # Clamped at the calendar's ends: "to=0001-01-03" or "from=9999-12-30" is a short period, not a crash.
    if date_from is None:
        date_from = date_to - week if date_to - dt.date.min >= week else dt.date.min
    elif date_to is None:
        date_to = date_from + week if dt.date.max - date_from >= week else dt.date.max
    _check_period(date_from, date_to)
    request = search.SearchRequest(topic=topic, province=province, date_from=date_from, date_to=date_to)
    counts = search.count_matches(store, request)
    days = (date_to - date_from).days + 1
    counts["per_day_cap"] = cap = max(MIN_READ_PER_DAY, -(-MAX_READ // days))
    articles = list(search.iter_articles(store, request, per_day=cap))
    return digest_from_articles(articles, topic=topic, province=province, date_from=date_from, date_to=date_to,
                                limit=limit, counts=counts,
                                copies=lambda events: search.event_copies(store, request, events))
