"""The OpenAPI 3.0 description of the JSON API: data in openapi.json beside this module, with the two figures that
come from the app's settings (the largest `per_page`, the largest body) filled in when it is served. The spec tests
(tests/vnnews/web/test_api.py) keep it true to the routes and to real responses."""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path

DOCUMENT = Path(__file__).resolve().with_name("openapi.json")


@lru_cache(maxsize=1)
def _document() -> dict:
    return json.loads(DOCUMENT.read_text(encoding="utf-8"))


def openapi_spec(max_per_page: int = 100, max_bytes: int = 10 * 1024 * 1024) -> dict:
    """The document, with this app's MAX_PER_PAGE and MAX_CONTENT_LENGTH."""
    spec = copy.deepcopy(_document())
    for parameter in spec["paths"]["/api/search"]["get"]["parameters"]:
        if parameter["name"] == "per_page":
            parameter["schema"]["maximum"] = max_per_page
    spec["paths"]["/api/articles"]["post"]["responses"]["413"]["description"] = (
        f"the body is larger than {max_bytes:,} bytes")
    return spec
