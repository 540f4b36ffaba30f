"""Feed documents → entries: feedparser reads RSS 0.9x/1.0 (RDF)/2.0 and Atom with their declared encodings;
titles and summaries are cleaned by nlp.normalize, dates read by nlp.dates."""

from __future__ import annotations

import codecs
import datetime as dt
import re
import warnings
from dataclasses import dataclass, field

import feedparser

from nlp.dates import parse_moment
from nlp.normalize import normalize

_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']", re.IGNORECASE)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([^\s;\"']+)", re.IGNORECASE)

feedparser.RESOLVE_RELATIVE_URIS = 1
feedparser.SANITIZE_HTML = 1


class ParseError(Exception):
    """The body is not a feed we can read; `reason` is what the feed's health shows."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Entry:
    """One feed item as the outlet wrote it (text already cleaned)."""

    link: str
    guid: str
    title: str
    summary: str
    published: dt.datetime | dt.date | None
    published_raw: str = ""


@dataclass
class ParsedFeed:
    title: str
    entries: list[Entry] = field(default_factory=list)
    problem: str | None = None  # malformed or truncated XML: the entries read before the fault are still here


def _declared_encodings(body: bytes, content_type: str) -> list[str]:
    found = []
    match = _CHARSET.search(content_type or "")
    if match:
        found.append(match.group(1))
    if not body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        match = _XML_DECL.match(body[:512])
        if match:
            found.append(match.group(1).decode("ascii"))
    return found


def check_encoding(body: bytes, content_type: str) -> None:
    """ParseError naming an encoding that Python does not know (feedparser would guess and garble the text)."""
    for name in _declared_encodings(body, content_type):
        try:
            codecs.lookup(name)
        except LookupError:
            raise ParseError(f"unknown encoding {name!r}") from None


def _text(value: str | None) -> str:
    return normalize(value or "") if value else ""


def _entry_date(entry) -> tuple[dt.datetime | dt.date | None, str]:
    for key in ("published", "updated", "created", "dc_date"):
        raw = entry.get(key)
        if raw:
            moment = parse_moment(raw)
            if moment is not None:
                return moment, raw
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if parsed:  # feedparser's own reading, in UTC
            return dt.datetime(*parsed[:6], tzinfo=dt.timezone.utc), entry.get(key.removesuffix("_parsed"), "")
    return None, ""


def parse_feed(body: bytes, *, content_type: str = "", url: str = "") -> ParsedFeed:
    """Read a feed body; ParseError when it holds no feed at all, `problem` when it is damaged but partly read."""
    check_encoding(body, content_type)
    headers = {"content-type": content_type} if content_type else {}
    if url:
        headers["content-location"] = url
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # feedparser warns about its own deprecated keys; our filters make that fatal
        parsed = feedparser.parse(body, response_headers=headers, sanitize_html=True)
    problem = None
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        name = type(exc).__name__
        if name == "CharacterEncodingUnknown":
            raise ParseError(f"unknown encoding ({exc})")
        if name not in ("CharacterEncodingOverride", "NonXMLContentType"):
            problem = f"malformed XML: {exc}" if exc else "malformed XML"
    version = parsed.get("version") or ""
    if not version and not parsed.entries:
        raise ParseError(problem or "not an RSS or Atom feed (no channel and no items)")
    entries = []
    for raw in parsed.entries:
        link = (raw.get("link") or "").strip()
        guid = (raw.get("id") or "").strip()
        if not link and guid.startswith(("http://", "https://")):
            link = guid
        summary = raw.get("summary") or ""
        if not summary and raw.get("content"):
            summary = raw["content"][0].get("value", "")
        published, published_raw = _entry_date(raw)
        entries.append(Entry(link=link, guid=guid, title=_text(raw.get("title")), summary=_text(summary),
                             published=published, published_raw=published_raw))
    return ParsedFeed(title=_text(parsed.feed.get("title")), entries=entries, problem=problem)
