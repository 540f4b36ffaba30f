"""Request bodies and the write key: strict JSON, JSON Lines and article batches, each fault an InvalidInput (or a
Problem in place of one bad line of a batch), and `Authorization: Bearer <API_KEY>` for writes."""

from __future__ import annotations

import hmac
import json
from typing import Any

from flask import current_app, request

from vnnews.errors import Forbidden, InvalidInput, Problem, Unauthorized

MAX_BATCH = 1000  # most articles one POST /api/articles takes
NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/json-seq")


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _loads(text: str) -> Any:
    """Strict JSON: no NaN/Infinity; every string must be encodable as UTF-8 (no unpaired surrogates)."""
    value = json.loads(text, parse_constant=_reject_constant)
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("a string holds an unpaired UTF-16 surrogate (\\ud800-\\udfff)") from None
    return value


def _body_text() -> str:
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise InvalidInput("the request body is empty; send a JSON object")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"the request body is not UTF-8 text (bad byte at position {exc.start})") from None


def json_body() -> Any:
    """The request body as JSON; InvalidInput (400) for empty, non-UTF-8 or malformed bodies."""
    text = _body_text()
    try:
        return _loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"the request body is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})")
    except (ValueError, RecursionError) as exc:
        raise InvalidInput(f"the request body is not valid JSON ({exc})") from None


def _ndjson_records() -> list[Any]:
    """JSON Lines: one record per non-blank line; a bad line becomes a Problem in its place."""
    raw = request.get_data(cache=True)
    records: list[Any] = []
    for number, line in enumerate(raw.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            records.append(_loads(line.decode("utf-8")))
        except UnicodeDecodeError:
            records.append(Problem("", f"line {number}: not UTF-8 text"))
        except json.JSONDecodeError as exc:
            records.append(Problem("", f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})"))
        except (ValueError, RecursionError) as exc:
            records.append(Problem("", f"line {number}: not valid JSON ({exc})"))
    if not records:
        raise InvalidInput("the request body is empty; send one JSON article per line")
    return records


def article_records() -> tuple[list[Any], bool]:
    """The records of a POST /api/articles body and whether it was a batch (a list or JSON Lines)."""
    if request.mimetype in NDJSON_TYPES:
        records = _ndjson_records()
        batch = True
    else:
        data = json_body()
        if isinstance(data, dict) and "articles" in data:
            records = data["articles"]
            if not isinstance(records, list):
                raise InvalidInput(f"`articles` must be a list of article objects, not {_type(records)}",
                                   field="articles")
            if not records:
                raise InvalidInput("`articles` is empty; send at least one article", field="articles")
            batch = True
        elif isinstance(data, dict):
            records, batch = [data], False
        else:
            raise InvalidInput(f"the body must be a JSON object (one article, or {{\"articles\": [...]}}), "
                               f"not {_type(data)}")
    if len(records) > MAX_BATCH:
        raise InvalidInput(f"{len(records)} articles in one request; send at most {MAX_BATCH} per request",
                           field="articles")
    return records, batch


def _type(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def require_key() -> None:
    """Writes need `Authorization: Bearer <API_KEY>`; with no key configured, writes are refused."""
    key = current_app.config["API_KEY"]
    if not key:
        raise Forbidden("writes are disabled because no API key is configured; set VNNEWS_API_KEY on the server "
                        "and send it as `Authorization: Bearer <key>`")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if not (scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode("utf-8", "surrogateescape"),
                                                               key.encode("utf-8", "surrogateescape"))):
        raise Unauthorized("missing or wrong API key; send `Authorization: Bearer <key>`")
