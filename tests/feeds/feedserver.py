"""A real HTTP server on 127.0.0.1 serving feeds and article pages that we write (our own corpus/ articles rendered
as RSS, Atom and news pages with navigation, ads and comments around the text), with a switch for each fault a feed
can have. Used by tests/test_feeds_*.py and bench/replay_feeds.py."""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import hashlib
import html
import json
import threading
import time
import unicodedata
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def corpus_articles(limit: int | None = None, offset: int = 0) -> list[dict]:
    """Our own written articles (corpus/articles-*.jsonl), in a fixed order."""
    out = []
    for path in sorted(CORPUS.glob("articles-*.jsonl"), key=lambda p: int(p.stem.split("-")[1])):
        with open(path, encoding="utf-8") as handle:
            out += [json.loads(line) for line in handle if line.strip()]
    return out[offset: offset + limit if limit else None]


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows wrote it: precomposed where the code page has the letter, else the base
    letter followed by a combining tone mark."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        # the letter without its tone mark (â, ơ, ư, ê... are in the code page), then the tone as a combining mark
        decomposed = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in decomposed if c in "\u0300\u0301\u0303\u0309\u0323")
        letter = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
        try:
            out += letter.encode("cp1258") + tones.encode("cp1258")
        except UnicodeEncodeError:
            out += b"?"
    return bytes(out)


def rfc822(moment: dt.datetime) -> str:
    return email.utils.format_datetime(moment)


@dataclass
class Item:
    slug: str
    title: str
    lead: str
    body: str
    published: dt.datetime
    source: str = "Báo Thử"

    @property
    def path(self) -> str:
        return f"/bai/{self.slug}.html"


def item_from_article(article: dict, published: dt.datetime, source: str = "Báo Thử") -> Item:
    slug = article["id"]
    return Item(slug=slug, title=article["title"], lead=article.get("lead", ""), body=article["body"],
                published=published, source=source)


@dataclass
class FeedSpec:
    """One feed path and what it serves; `fault` switches it to one of the faults."""

    items: list[Item]
    kind: str = "rss"  # rss | atom | rdf
    encoding: str = "utf-8"  # utf-8 | windows-1258 | utf-16
    fault: str | None = None
    # 404 410 429 500 503 timeout redirect-loop malformed truncated huge gzip-bomb html unknown-encoding
    link_suffix: str = ""  # e.g. "?utm_source=rss#x": tracking the poller must strip
    retry_after: str | None = "120"
    requests: int = 0
    conditional_hits: int = 0  # 304s answered


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a client that hung up (a killed poller) is no error here
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class FeedServer:
    """`start()` → base URL. `feeds[path] = FeedSpec(...)`; pages come from every feed's items; `page_faults[slug]`
    makes one article page fail (404 or timeout) and `redirects[path] = target` redirects a page."""

    def __init__(self, *, slow_seconds: float = 3.0):
        self.feeds: dict[str, FeedSpec] = {}
        self.page_faults: dict[str, str] = {}
        self.redirects: dict[str, str] = {}
        self.extra_pages: dict[str, Item] = {}
        self.slow_seconds = slow_seconds
        self.log: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self.base = ""

    # ---------------------------------------------------------------- rendering
    def render_feed(self, spec: FeedSpec) -> bytes:
        base = self.base
        if spec.kind == "atom":
            entries = "".join(
                f"<entry><title>{html.escape(i.title)}</title>"
                f"<link rel=\"alternate\" href=\"{html.escape(base + i.path + spec.link_suffix)}\"/>"
                f"<id>tag:thu,2024:{i.slug}</id><updated>{i.published.isoformat()}</updated>"
                f"<summary type=\"html\">{html.escape('<p>' + html.escape(i.lead) + '</p>')}</summary></entry>"
                for i in spec.items)
            text = (f'<?xml version="1.0" encoding="{spec.encoding}"?>\n'
                    f'<feed xmlns="http://www.w3.org/2005/Atom"><title>Báo Thử</title><id>{base}/</id>'
                    f'<updated>2024-03-30T00:00:00Z</updated>{entries}</feed>')
        elif spec.kind == "rdf":
            entries = "".join(
                f"<item rdf:about=\"{html.escape(base + i.path)}\"><title>{html.escape(i.title)}</title>"
                f"<link>{html.escape(base + i.path + spec.link_suffix)}</link>"
                f"<description>{html.escape(i.lead)}</description><dc:date>{i.published.isoformat()}</dc:date></item>"
                for i in spec.items)
            text = (f'<?xml version="1.0" encoding="{spec.encoding}"?>\n'
                    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                    'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                    f'<channel rdf:about="{base}/"><title>Báo Thử</title><link>{base}/</link>'
                    f'<description>Tin</description></channel>{entries}</rdf:RDF>')
        else:
            entries = "".join(
                f"<item><title>{html.escape(i.title)}</title>"
                f"<link>{html.escape(base + i.path + spec.link_suffix)}</link>"
                f"<guid isPermaLink=\"false\">{i.slug}</guid>"
                f"<description><![CDATA[<a href=\"{base + i.path}\"><img src=\"/anh/{i.slug}.jpg\"></a></br>"
                f"{html.escape(i.lead)}]]></description><pubDate>{rfc822(i.published)}</pubDate></item>"
                for i in spec.items)
            text = (f'<?xml version="1.0" encoding="{spec.encoding}"?>\n<rss version="2.0"><channel>'
                    f'<title>Báo Thử - Tin mới</title><link>{base}/</link><description>Tin</description>'
                    f'{entries}</channel></rss>')
        if spec.encoding == "windows-1258":
            return to_cp1258(text)
        return text.encode(spec.encoding)

    @staticmethod
    def render_page(item: Item) -> bytes:
        """A news page: navigation, an ad, the article, related links and reader comments."""
        date = item.published.astimezone(dt.timezone(dt.timedelta(hours=7)))
        weekday = ["Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật"][date.weekday()]
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in item.body.split("\n") if p.strip())
        page = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>{html.escape(item.title)} - {item.source}</title>
<meta property="og:title" content="{html.escape(item.title)}">
<meta property="article:published_time" content="{date.isoformat()}">
</head><body>
<header><nav><ul><li><a href="/">Trang chủ</a></li><li><a href="/thoi-su">Thời sự</a></li>
<li><a href="/kinh-doanh">Kinh doanh</a></li><li><a href="/so-hoa">Số hóa</a></li>
<li><a href="/the-thao">Thể thao</a></li>
</ul></nav></header>
<div class="ads banner"><a href="/qc">Quảng cáo: Vay tiêu dùng lãi suất 0% - đăng ký ngay hôm nay</a></div>
<main><article class="fck_detail">
<span class="date">{weekday}, {date:%d/%m/%Y} | {date:%H:%M} - GMT+7</span>
<h1 class="title-detail">{html.escape(item.title)}</h1>
<p class="description"><strong>{html.escape(item.lead)}</strong></p>
{paragraphs}
<p class="author"><strong>Phóng viên Báo Thử</strong></p>
</article>
<section class="related"><h3>Tin liên quan</h3><ul><li><a href="/bai/khac-1.html">Giá vàng hôm nay biến động</a></li>
<li><a href="/bai/khac-2.html">Thời tiết cuối tuần: miền Bắc mưa rét</a></li></ul></section>
<section id="comments" class="comments"><h3>Ý kiến bạn đọc</h3>
<div class="comment"><b>Minh Anh</b><p>Bài viết rất hay, cảm ơn tòa soạn đã thông tin kịp thời.</p></div>
<div class="comment"><b>Trần Hùng</b><p>Mong có thêm nhiều bài phân tích sâu hơn về chủ đề này.</p></div>
</section></main>
<footer><p>© Báo Thử. Giấy phép số 123/GP-BTTTT. Liên hệ quảng cáo: 0900 000 000</p></footer>
</body></html>"""
        return page.encode("utf-8")

    # ---------------------------------------------------------------- serving
    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _send(self, status: int, body: bytes, content_type: str = "application/rss+xml; charset=utf-8",
                      headers: dict | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                if "Content-Length" not in (headers or {}):
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_GET(self):
                path = urlsplit(self.path).path
                with server._lock:
                    server.log.append((path, self.headers.get("User-Agent", "")))
                try:
                    if path in server.feeds:
                        self._feed(server.feeds[path])
                    else:
                        self._page(path)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _feed(self, spec: FeedSpec) -> None:
                with server._lock:
                    spec.requests += 1
                fault = spec.fault
                if fault in ("404", "410", "500", "503"):
                    return self._send(int(fault), b"<h1>error</h1>", "text/html")
                if fault == "429":
                    return self._send(429, b"slow down", "text/plain", {"Retry-After": spec.retry_after or "60"})
                if fault == "timeout":
                    time.sleep(server.slow_seconds)
                    return self._send(200, server.render_feed(spec))
                if fault == "redirect-loop":
                    return self._send(302, b"", "text/plain", {"Location": self.path})
                if fault == "html":
                    return self._send(200, "<!doctype html><html><body><h1>Trang chủ</h1></body></html>".encode(),
                                      "text/html; charset=utf-8")
                if fault == "huge":  # 50 MB of feed: declared, so the client can refuse before reading it
                    self.send_response(200)
                    self.send_header("Content-Type", "application/rss+xml")
                    self.send_header("Content-Length", str(50 * 1024 * 1024))
                    self.end_headers()
                    chunk = b"<item><title>x</title></item>" * 2000
                    sent = 0
                    try:
                        while sent < 50 * 1024 * 1024:
                            self.wfile.write(chunk)
                            sent += len(chunk)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    self.close_connection = True
                    return None
                if fault == "huge-chunked":  # 50 MB with no Content-Length: the cap must hold while streaming
                    self.send_response(200)
                    self.send_header("Content-Type", "application/rss+xml")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    chunk = b"<item><title>x</title></item>" * 2000
                    try:
                        for _ in range(50 * 1024 * 1024 // len(chunk)):
                            self.wfile.write(chunk)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    self.close_connection = True
                    return None
                if fault == "gzip-bomb":  # 50 KB that inflates to 50 MB
                    body = gzip.compress(b"<rss><channel>" + b" " * (50 * 1024 * 1024), 9)
                    return self._send(200, body, "application/rss+xml", {"Content-Encoding": "gzip"})
                body = server.render_feed(spec)
                if fault == "malformed":
                    body = body.replace(b"</title>", b"</titel>", 2)
                if fault == "truncated":
                    body = body[: len(body) * 2 // 3]
                if fault == "unknown-encoding":
                    body = body.replace(f'encoding="{spec.encoding}"'.encode(), b'encoding="x-vn-klingon"', 1)
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    with server._lock:
                        spec.conditional_hits += 1
                    return self._send(304, b"", "application/rss+xml", {"ETag": etag})
                kind = {"atom": "application/atom+xml", "rdf": "application/rdf+xml"}.get(spec.kind,
                                                                                       "application/rss+xml")
                charset = "" if spec.fault == "unknown-encoding" else f"; charset={spec.encoding}"
                gz = "gzip" in (self.headers.get("Accept-Encoding") or "")
                headers = {"ETag": etag, "Last-Modified": "Fri, 29 Mar 2024 00:00:00 GMT"}
                if gz:
                    body = gzip.compress(body)
                    headers["Content-Encoding"] = "gzip"
                return self._send(200, body, kind + charset, headers)

            def _page(self, path: str) -> None:
                if path in server.redirects:
                    return self._send(301, b"", "text/plain", {"Location": server.redirects[path]})
                item = server.extra_pages.get(path)
                if item is None:
                    for spec in list(server.feeds.values()):
                        item = next((i for i in spec.items if i.path == path), None)
                        if item:
                            break
                if item is None:
                    return self._send(404, b"<h1>Not found</h1>", "text/html")
                fault = server.page_faults.get(item.slug)
                if fault == "404":
                    return self._send(404, b"<h1>Not found</h1>", "text/html")
                if fault == "timeout":
                    time.sleep(server.slow_seconds)
                return self._send(200, server.render_page(item), "text/html; charset=utf-8")

        return Handler

    def start(self) -> str:
        self._httpd = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        return self.base

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()

    def served_items(self) -> list[Item]:
        """Every item any working feed serves (deduplicated by slug)."""
        seen: dict[str, Item] = {}
        for spec in self.feeds.values():
            if spec.fault is None:
                for item in spec.items:
                    seen.setdefault(item.slug, item)
        return list(seen.values())


def standard_items(count: int, offset: int = 0, *, start: dt.datetime | None = None) -> list[Item]:
    """`count` corpus articles as items, an hour apart, ending at `start` (default 29/03/2024 23:30 UTC)."""
    start = start or dt.datetime(2024, 3, 29, 23, 30, tzinfo=dt.timezone.utc)
    articles = corpus_articles(count, offset)
    return [item_from_article(a, start - dt.timedelta(hours=n)) for n, a in enumerate(articles)]


def main(argv: list[str] | None = None) -> Any:  # pragma: no cover - a manual demo: serve three feeds until ^C
    server = FeedServer()
    base = server.start()
    server.feeds["/feed.xml"] = FeedSpec(standard_items(20))
    server.feeds["/atom.xml"] = FeedSpec(standard_items(20, 20), kind="atom")
    server.feeds["/loi.xml"] = FeedSpec(standard_items(5, 40), fault="500")
    print(f"serving {base}/feed.xml, {base}/atom.xml and a failing {base}/loi.xml; Ctrl-C stops", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
