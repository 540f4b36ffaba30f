"""What the index stores for one article: a plain record made by the ingest layer (vnnews.ingest) from the article,
its tags and its analyzed words. The index needs no tagger to store it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from vnnews.records import Article, Tags


@dataclass
class IndexDoc:
    """An article ready for the index: normalized text, tags and the analyzed words."""

    article: Article
    tags: Tags
    terms: dict[str, str]  # index field → its terms, space-separated (see vnnews.ingest.prepare.index_terms)
    key_terms: list[str]
    content_hash: str
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.article.id


def published_datetime(value: dt.date | None) -> dt.datetime | None:
    """The stored form of a publication date (whoosh's DATETIME field): midnight of that day."""
    return dt.datetime(value.year, value.month, value.day) if value else None
