"""A search request, validated: `SearchRequest.from_params(mapping)` names the bad field and what is allowed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping

from index import query as uq
from vnnews.errors import InvalidInput
from vnnews.labels import validate_province, validate_topic  # re-exported: callers import them from here
from vnnews.records import parse_date

SORTS = ("relevance", "date")
MAX_PAGE = 1000
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    topic: str | None = None
    province: str | None = None
    source: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    collapse: bool = True  # copies of one event at several outlets shown as one hit (index.search)

    @classmethod
    def from_params(cls, params: Mapping[str, object], *, max_per_page: int = 100) -> "SearchRequest":
        """Validate raw parameters (strings from a URL or CLI); InvalidInput names the bad field and what is allowed."""
        def text(name: str) -> str | None:
            value = params.get(name)
            if value is None:
                return None
            if not isinstance(value, str):
                raise InvalidInput(f"`{name}` must be a string", field=name)
            return value.strip() or None

        def number(name: str, default: int, low: int, high: int) -> int:
            value = params.get(name)
            if value is None or value == "":
                return default
            try:
                result = int(value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise InvalidInput(f"`{name}` must be a whole number from {low} to {high}, not {value!r}", field=name)
            if not low <= result <= high:
                raise InvalidInput(f"`{name}` must be from {low} to {high}, not {result}", field=name)
            return result

        def flag(name: str, default: bool) -> bool:
            value = params.get(name)
            if value is None or value == "":
                return default
            if isinstance(value, bool):
                return value
            word = str(value).strip().lower()
            if word in _TRUE or word in _FALSE:
                return word in _TRUE
            raise InvalidInput(f"`{name}` must be true or false (1/0, yes/no), not {value!r}", field=name)

        q = text("q") or ""
        if len(q) > uq.MAX_QUERY_CHARS:
            raise InvalidInput(f"`q` is longer than {uq.MAX_QUERY_CHARS} characters", field="q")
        sort = text("sort") or "relevance"
        if sort not in SORTS:
            raise InvalidInput(f"`sort` must be one of {', '.join(SORTS)}, not {sort!r}", field="sort")
        date_from = parse_date(text("from"), "from")
        date_to = parse_date(text("to"), "to")
        if date_from and date_to and date_from > date_to:
            raise InvalidInput(f"`from` ({date_from}) is after `to` ({date_to})", field="from")
        return cls(
            q=q, topic=validate_topic(text("topic")), province=validate_province(text("province")),
            source=text("source"), date_from=date_from, date_to=date_to, sort=sort,
            page=number("page", 1, 1, MAX_PAGE), per_page=number("per_page", 10, 1, max_per_page),
            collapse=flag("collapse", True),
        )
