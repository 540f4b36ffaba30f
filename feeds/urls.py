"""Canonical article URLs: one article per canonical URL, whatever tracking, AMP or mobile variant a feed links to."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that say who sent the reader, never which article: analytics, ad clicks, social shares, and the
# outlets' own (VnExpress writes vn_source/vn_medium/vn_campaign, Zalo shares add zarsrc and gidzl).
_TRACKING = re.compile(
    r"^(utm_\w+|vn_(source|medium|campaign|content|term|position|platform)|fbclid|gclid|dclid|gbraid|wbraid|yclid|"
    r"msclkid|mc_cid|mc_eid|_ga|_gl|igshid|ref|ref_src|referer|referrer|cmpid|zarsrc|gidzl|"
    r"s_cid|ito|ncid|amp|outputtype|_hsenc|_hsmi|spm|at_\w+)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """The URL an article is known by: no fragment, no tracking parameters, no AMP or mobile variant.

    >>> canonical_url("https://m.vnexpress.net/tin-1.html?utm_source=rss&vn_medium=x#box")
    'https://vnexpress.net/tin-1.html'
    """
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return url
    host = parts.hostname.lower().rstrip(".")
    for prefix in ("m.", "amp.", "mobile."):
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix):]
            break
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    path = parts.path or "/"
    # AMP variants: /amp/... , .../amp , ....amp.html and ....amp
    path = re.sub(r"^/amp(?=/)", "", path)
    path = re.sub(r"/amp/?$", "", path) or "/"
    path = re.sub(r"\.amp(?=\.html?$)|\.amp$", "", path)
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k))
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def article_id(canonical: str) -> str:
    """The stable index id of the article at a canonical URL (the index upserts by id, so a retry never
    duplicates)."""
    return "feed-" + hashlib.sha1(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
