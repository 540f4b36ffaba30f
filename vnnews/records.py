"""The records every layer passes around: `Article` (one news article as given), `Tags` (what the tagger says about
it), and the reading of raw input into them (`article_from_dict`, `parse_date`, `json_lines`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Iterator

from nlp.dates import parse_day
from vnnews.errors import InvalidInput, Problem
from vnnews.labels import TOPICS

_TEXT_FIELDS = ("id", "title", "lead", "body", "source", "url", "event_id")
MAX_FIELD_CHARS = 2_000_000


@dataclass
class Article:
    """One news article as given to us; ``extra`` keeps any other fields the caller sent."""

    id: str
    title: str
    body: str
    lead: str = ""
    source: str = ""
    url: str = ""
    published: dt.date | None = None
    topics: list[str] = field(default_factory=list)
    provinces: list[str] = field(default_factory=list)
    event_id: str = ""  # copies of one story at several outlets share it (given by the feed poller, feeds.events)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """Title, lead and body as one text, one paragraph each."""
        return "\n".join(part for part in (self.title, self.lead, self.body) if part)

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.extra)
        out.update(
            id=self.id, title=self.title, lead=self.lead, body=self.body, source=self.source, url=self.url,
            published=self.published.isoformat() if self.published else None,
        )
        if self.event_id:
            out["event_id"] = self.event_id
        return out



@dataclass
class Tags:
    """What the tagger says about one article; `to_dict` is the shape `vnnews tag` and the API add."""

    topics: list[str]
    topic_scores: dict[str, float]
    provinces: list[str]
    province_details: list[dict]
    former_provinces: list[str]

    def to_dict(self) -> dict:
        return {"topics": self.topics, "topic_scores": self.topic_scores, "provinces": self.provinces,
                "province_details": self.province_details}


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def record_id(record: dict[str, Any]) -> str:
    """The id a record is stored under: its `id`, stripped, else one derived from it (`derive_id`)."""
    value = record.get("id")
    return value.strip() if isinstance(value, str) and value.strip() else derive_id(record)


def derive_id(record: dict[str, Any]) -> str:
    """An id for a record without one: from its url if any, else from a hash of title and body."""
    url = record.get("url")
    basis = f"url:{url.strip()}" if isinstance(url, str) and url.strip() else (
        f"text:{record.get('title', '')}\n{record.get('body', '')}"
    )
    return hashlib.sha1(basis.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def parse_date(value: Any, field_name: str = "published") -> dt.date | None:
    """A date as outlets write it → the day it was in Việt Nam: ISO date or ISO 8601 time with offset, RFC 822
    (RSS pubDate), "Thứ sáu, 29/03/2024 | 03:47 - GMT+7"; None/"" → None; anything else → InvalidInput naming the
    field. ``parse_date("2024-03-29T23:30:00Z")`` → ``datetime.date(2024, 3, 30)`` (06:30 on the 30th in Hà Nội)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        day = parse_day(value)  # the same reading as the feeds (nlp.dates)
        if day is not None:
            return day
    raise InvalidInput(
        f"`{field_name}` must be an ISO date like 2025-11-20, not {value!r}", field=field_name
    )


def article_from_dict(record: Any, *, labeled: bool = False) -> Article:
    """Validate one input record and build an Article; raises InvalidInput naming the bad field."""
    if not isinstance(record, dict):
        raise InvalidInput(f"an article must be a JSON object, not {type(record).__name__}")
    for name in _TEXT_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            raise InvalidInput(f"`{name}` must be a string, not {type(value).__name__}", field=name)
        if isinstance(value, str) and len(value) > MAX_FIELD_CHARS:
            raise InvalidInput(f"`{name}` is longer than {MAX_FIELD_CHARS:,} characters", field=name)
        if isinstance(value, str) and not _encodable(value):
            raise InvalidInput(f"`{name}` holds an unpaired surrogate (\\ud800-\\udfff), which is not text; "
                               "send valid UTF-8", field=name)
    title = (record.get("title") or "").strip()
    body = (record.get("body") or "").strip()
    lead = (record.get("lead") or "").strip()
    if not title:
        raise InvalidInput("`title` is missing or empty; every article needs a title", field="title")
    if not body and not lead:
        raise InvalidInput("`body` is missing or empty; send the article text in `body`", field="body")
    article_id = record_id(record)
    if len(article_id) > 200:
        raise InvalidInput("`id` is longer than 200 characters", field="id")
    event_id = (record.get("event_id") or "").strip()
    if len(event_id) > 200:
        raise InvalidInput("`event_id` is longer than 200 characters", field="event_id")
    published = parse_date(record.get("published", record.get("date")), "published")
    topics = record.get("topics", [])
    provinces = record.get("provinces", [])
    if labeled:
        for name, value in (("topics", topics), ("provinces", provinces)):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InvalidInput(f"`{name}` must be a list of strings", field=name)
        unknown = sorted(set(topics) - set(TOPICS))
        if unknown:
            raise InvalidInput(f"unknown topic {unknown[0]!r}; topics are {', '.join(TOPICS)}", field="topics")
        if published is None:
            raise InvalidInput("`published` is required in the training corpus", field="published")
    known = set(_TEXT_FIELDS) | {"published", "date", "topics", "provinces"}
    return Article(
        id=article_id, title=title, body=body or lead, lead=lead if body else "",
        source=(record.get("source") or "").strip(), url=(record.get("url") or "").strip(), published=published,
        topics=list(topics) if labeled else [], provinces=list(provinces) if labeled else [], event_id=event_id,
        extra={k: v for k, v in record.items() if k not in known},
    )


def json_lines(handle: BinaryIO) -> Iterator[tuple[int, Any]]:
    """(line number, the line's JSON value or a Problem) for every non-blank line of a binary stream; the Problem's
    `where` is left empty for the caller, who knows the file."""
    for number, raw in enumerate(handle, 1):
        if not raw.strip():
            continue
        try:
            yield number, json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            yield number, Problem("", "not UTF-8 text")
        except json.JSONDecodeError as exc:
            yield number, Problem("", f"not valid JSON ({exc.msg} at column {exc.colno})")
