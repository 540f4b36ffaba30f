"""The one Jinja environment of vnnews: the templates under vnnews/templates/, their filters and globals.

The digest renders its standalone HTML page with it (no Flask needed: `vnnews digest --format html`), and the web
app renders its pages with the same environment (vnnews.web adds Flask's `url_for` and `request` to its globals).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).resolve().with_name("templates")
_SAFE_URL = re.compile(r"^https?://", re.IGNORECASE)


def safe_url(url: Any) -> str:
    """Only http(s) links are rendered as links (a `javascript:` url in an article must not become one).

    >>> safe_url("https://vnexpress.net/a"), safe_url("javascript:alert(1)")
    ('https://vnexpress.net/a', '')
    """
    return url if isinstance(url, str) and _SAFE_URL.match(url) else ""


def date_label(iso: str | None) -> str:
    """ISO date → how Vietnamese readers write it.

    >>> date_label("2025-11-20")
    '20/11/2025'
    """
    if not iso:
        return ""
    try:
        y, m, d = iso[:10].split("-")
        return f"{d}/{m}/{y}"
    except ValueError:
        return iso


@lru_cache(maxsize=1)
def environment():
    """The environment (built once): autoescaped, blocks trimmed, with the filters and globals the templates use."""
    import jinja2

    from vnnews.labels import TOPICS, place_label, topic_label

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters["safe_url"] = safe_url
    env.globals.update(topic_label=topic_label, place_label=place_label, date_label=date_label, TOPICS=TOPICS)
    return env
