"""Article pages → main text, title and publication date, with trafilatura's precision settings (navigation, ads,
related links and reader comments left out)."""

from __future__ import annotations

import datetime as dt
import logging
import re
import warnings
from dataclasses import dataclass

import trafilatura

from nlp.dates import find_moment, parse_moment
from nlp.normalize import normalize

MIN_TEXT_CHARS = 80  # less than this is a teaser, a paywall or a video page, not the article (short briefs of
# two sentences are articles): keep the summary

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # it logs every page it cannot read; we record why
logging.getLogger("htmldate").setLevel(logging.CRITICAL)


@dataclass
class Extracted:
    text: str
    title: str
    published: dt.datetime | dt.date | None


def _trim(text: str, title: str, lead: str) -> str:
    """Drop what the page repeats above the article text: a date line, the title, the lead (stored apart)."""
    lines = text.split("\n")
    known = {normalize(title).casefold(), normalize(lead).casefold()} - {""}
    while lines:
        first = lines[0].strip()
        if first.casefold() in known or (len(first) < 80 and parse_moment(first) is not None):
            lines.pop(0)
        else:
            break
    return "\n".join(lines)


def extract(page: bytes | str, url: str = "", *, lead: str = "") -> Extracted | None:
    """The article in a page, or None when no main text of at least MIN_TEXT_CHARS characters is found; `lead` (the
    feed's summary) is left out of the text when the page repeats it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            doc = trafilatura.bare_extraction(page, url=url or None, favor_precision=True, include_comments=False,
                                              include_tables=False, include_images=False, include_links=False,
                                              with_metadata=True, deduplicate=False)
        except Exception:  # trafilatura on a broken page: the summary stays, and the page is retried later
            return None
    if doc is None:
        return None
    title = normalize(getattr(doc, "title", None) or "")
    text = _trim(normalize(getattr(doc, "text", None) or ""), title, lead)
    if len(text) < MIN_TEXT_CHARS:
        return None
    published = None
    raw_date = getattr(doc, "date", None)
    if raw_date:
        published = parse_moment(raw_date)
    if not isinstance(published, dt.datetime):  # trafilatura's date is a day: look for the outlet's own byline time
        html_text = page.decode("utf-8", "replace") if isinstance(page, bytes) else page
        meta = re.search(r'article:published_time"\s+content="([^"]+)"', html_text)
        moment = parse_moment(meta.group(1)) if meta else None
        if moment is None:
            moment = find_moment(re.sub(r"<[^>]+>", " ", html_text[:200_000]))
        if isinstance(moment, dt.datetime) or published is None:
            published = moment or published
    return Extracted(text=text, title=title, published=published)
