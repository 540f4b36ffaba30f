"""HTTP for feeds and article pages: timeouts, a size cap on the decompressed body, a redirect limit, conditional
GET, Retry-After, exponential backoff, and a bounded number of concurrent fetches per host.

Every failure is a FetchError carrying its reason (and the HTTP status / Retry-After when there was one): the poller
records it as that feed's error and backs off; nothing here raises anything else for a bad server.
"""

from __future__ import annotations

import email.utils
import threading
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import httpx

from feeds.urls import host_of

USER_AGENT = "vnnews-feeds/0.1 (news tagging and search; polite polling with conditional GET)"
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 20.0
TOTAL_TIMEOUT = 60.0  # a server that drips one byte at a time never trips the read timeout: a whole-body deadline
MAX_FEED_BYTES = 10 * 1024 * 1024  # the largest real section feeds are well under 1 MB
MAX_PAGE_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
PER_HOST = 2  # concurrent requests to one host: polite to one outlet, while other outlets' feeds go on
MAX_BACKOFF = 6 * 3600
MAX_RETRY_AFTER = 24 * 3600
FEED_TYPES = ("xml", "rss", "atom", "rdf")


class FetchError(Exception):
    """A fetch that gave no usable body; `reason` is what the feed's health shows."""

    def __init__(self, reason: str, *, http_status: int | None = None, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.http_status = http_status
        self.retry_after = retry_after


@dataclass
class Fetched:
    url: str  # after redirects
    status: int
    body: bytes
    content_type: str
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds from now: a number of seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, min(when.timestamp() - (now or time.time()), MAX_RETRY_AFTER))


def backoff_seconds(interval: int, failures: int, retry_after: float | None = None) -> float:
    """Delay before the next try after `failures` consecutive failures: the interval doubled per failure, at most
    MAX_BACKOFF (never less than the interval), and never sooner than the server's Retry-After."""
    delay = min(interval * 2 ** min(failures, 20), max(MAX_BACKOFF, interval))
    return max(delay, retry_after or 0.0)


class HostLimiter:
    """At most `per_host` requests in flight to one host across all threads."""

    def __init__(self, per_host: int = PER_HOST):
        self.per_host = per_host
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self.peak: dict[str, int] = {}  # most requests seen in flight per host (the tests read it)
        self._active: dict[str, int] = {}

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        host = host_of(url)
        with self._lock:
            semaphore = self._slots.setdefault(host, threading.BoundedSemaphore(self.per_host))
        with semaphore:
            with self._lock:
                self._active[host] = self._active.get(host, 0) + 1
                self.peak[host] = max(self.peak.get(host, 0), self._active[host])
            try:
                yield
            finally:
                with self._lock:
                    self._active[host] -= 1


def _decoder(encoding: str):
    encoding = (encoding or "identity").strip().lower()
    if encoding in ("", "identity", "none"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj(32 + zlib.MAX_WBITS)  # zlib or gzip header, detected
    raise FetchError(f"unsupported content encoding {encoding!r}")


class Fetcher:
    """One HTTP client for all feeds and pages (thread-safe)."""

    def __init__(self, *, connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = READ_TIMEOUT,
                 total_timeout: float = TOTAL_TIMEOUT, max_redirects: int = MAX_REDIRECTS, per_host: int = PER_HOST,
                 user_agent: str = USER_AGENT):
        self.total_timeout = total_timeout
        self.limiter = HostLimiter(per_host)
        self._client = httpx.Client(
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            follow_redirects=True, max_redirects=max_redirects,
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
            trust_env=False,  # no proxy from the environment: feeds are fetched as configured here
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            max_bytes: int = MAX_FEED_BYTES, accept: str = "*/*") -> Fetched:
        """GET with conditional headers; the body capped at `max_bytes` after decompression. Raises FetchError."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        with self.limiter.slot(url):
            try:
                return self._get(url, headers, max_bytes)
            except FetchError:
                raise
            except httpx.TooManyRedirects:
                raise FetchError("too many redirects (a redirect loop?)") from None
            except httpx.ConnectTimeout:
                raise FetchError("timed out connecting") from None
            except httpx.TimeoutException:
                raise FetchError("timed out waiting for the server") from None
            except httpx.ConnectError as exc:
                raise FetchError(f"cannot connect: {exc}") from None
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                raise FetchError(f"the connection broke: {exc or type(exc).__name__}") from None
            except httpx.InvalidURL as exc:
                raise FetchError(f"invalid URL: {exc}") from None
            except httpx.HTTPError as exc:
                raise FetchError(f"HTTP failure: {exc or type(exc).__name__}") from None
            except zlib.error as exc:
                raise FetchError(f"corrupt compressed body: {exc}") from None

    def _get(self, url: str, headers: dict, max_bytes: int) -> Fetched:
        started = time.monotonic()
        with self._client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            final = str(response.url)
            if status == 304:
                return Fetched(final, 304, b"", response.headers.get("content-type", ""),
                               response.headers.get("etag"), response.headers.get("last-modified"))
            if status >= 400:
                reason = f"HTTP {status} {response.reason_phrase}".strip()
                if status == 410:
                    reason += " (the feed was removed; `vnnews feeds remove` it)"
                raise FetchError(reason, http_status=status,
                                 retry_after=retry_after_seconds(response.headers.get("retry-after")))
            if status >= 300:
                raise FetchError(f"HTTP {status} without a usable Location", http_status=status)
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"body of {int(declared):,} bytes is over the {max_bytes:,}-byte cap",
                                 http_status=status)
            decoder = _decoder(response.headers.get("content-encoding", ""))
            parts: list[bytes] = []
            size = 0
            for chunk in response.iter_raw():
                if decoder is not None:
                    chunk = decoder.decompress(chunk, max_bytes - size + 1)
                size += len(chunk)
                if size > max_bytes:
                    what = "once decompressed (a compression bomb?)" if decoder is not None else ""
                    raise FetchError(f"body is over the {max_bytes:,}-byte cap {what}".strip(), http_status=status)
                parts.append(chunk)
                if time.monotonic() - started > self.total_timeout:
                    raise FetchError(f"the body took longer than {self.total_timeout:.0f} s", http_status=status)
            if decoder is not None:
                if not decoder.eof:
                    raise FetchError("truncated compressed body", http_status=status)
            return Fetched(final, status, b"".join(parts), response.headers.get("content-type", ""),
                           response.headers.get("etag"), response.headers.get("last-modified"))


def feed_type_problem(content_type: str, body: bytes) -> str | None:
    """Why a response is not a feed, judged by its Content-Type (and, for text/html or text/plain, by a look at
    the body, since some servers send feeds as text/html); None when it may be a feed."""
    mime = (content_type or "").split(";")[0].strip().lower()
    if not mime or any(word in mime for word in FEED_TYPES):
        return None
    if mime in ("text/html", "text/plain", "application/octet-stream"):
        head = body[:2048].lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").lower().replace(b"\x00", b"")
        if head.startswith(b"<?xml") or head.startswith(b"<rss") or head.startswith(b"<feed") or b"<rdf:rdf" in head:
            return None
    return f"wrong content type {mime!r}: not an RSS or Atom feed"
