"""Feed subscriptions, their health and every item seen, in SQLite (DATA_DIR/feeds.sqlite), written in transactions.

An item is written here as `pending` (with the whole record to index) in the same transaction that saves its feed's
ETag, before it is handed to the index, and marked `indexed` once the index commit returned: a poller killed at any
moment finds its pending items on restart and indexes them again under the same id (the index upserts by id), and
a feed whose items were never recorded still has its old validators, so it is fetched again in full.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator

from vnnews.errors import InvalidInput, NotFound

DB_NAME = "feeds.sqlite"
DEFAULT_INTERVAL = 15 * 60
MIN_INTERVAL = 60
MAX_INTERVAL = 7 * 24 * 3600
DAY = 24 * 3600

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    interval INTEGER NOT NULL,
    added_at REAL NOT NULL,
    etag TEXT,
    last_modified TEXT,
    last_fetch REAL,
    status TEXT NOT NULL DEFAULT 'new',
    http_status INTEGER,
    last_error TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    next_fetch REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS fetches (
    feed_id INTEGER NOT NULL, at REAL NOT NULL, seen INTEGER NOT NULL, new INTEGER NOT NULL, status TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS fetches_feed_at ON fetches (feed_id, at);
CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY,
    feed_id INTEGER,
    url TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    event_id TEXT NOT NULL,
    full_text INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    reason TEXT,
    record TEXT NOT NULL,
    first_seen REAL NOT NULL,
    indexed_at REAL,
    page_tries INTEGER NOT NULL DEFAULT 0,
    next_page_try REAL
);
CREATE INDEX IF NOT EXISTS items_state ON items (state);
CREATE INDEX IF NOT EXISTS items_hash ON items (content_hash);
CREATE TABLE IF NOT EXISTS links (url TEXT PRIMARY KEY, item_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS signatures (
    item_id TEXT PRIMARY KEY, event_id TEXT NOT NULL, day TEXT NOT NULL, sig BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS signatures_day ON signatures (day);
"""

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": DAY}


def parse_interval(text: str | int | None) -> int:
    """'15m', '1h', '1h30m', '90s' or a number of seconds → seconds, between 1 minute and 7 days."""
    if text is None or text == "":
        return DEFAULT_INTERVAL
    if isinstance(text, int) and not isinstance(text, bool):
        seconds = text
    else:
        value = str(text).strip().lower()
        if value.isdigit():
            seconds = int(value)
        elif re.fullmatch(r"(\d+\s*[smhd]\s*)+", value):
            seconds = sum(int(n) * _UNITS[u] for n, u in re.findall(r"(\d+)\s*([smhd])", value))
        else:
            raise InvalidInput(f"`every` must look like 15m, 1h or 90s, not {text!r}", field="every")
    if not MIN_INTERVAL <= seconds <= MAX_INTERVAL:
        raise InvalidInput(f"`every` must be between 1m and 7d, not {text!r}", field="every")
    return seconds


def format_interval(seconds: int) -> str:
    for unit, size in (("d", DAY), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@dataclass
class Feed:
    """One subscription and its health."""

    id: int
    url: str
    name: str
    source: str
    interval: int
    added_at: float
    etag: str | None
    last_modified: str | None
    last_fetch: float | None
    status: str  # new | ok | not modified | error
    http_status: int | None
    last_error: str | None
    failures: int
    next_fetch: float
    seen_day: int = 0  # items that appeared in the feed in the last 24 hours (each counted once)
    new_day: int = 0  # of those, new articles (not already brought by another feed, nor the same text)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("etag")
        out.pop("last_modified")
        out["every"] = format_interval(self.interval)
        for name in ("added_at", "last_fetch", "next_fetch"):
            out[name] = _iso(out[name])
        return out


def _iso(epoch: float | None) -> str | None:
    if not epoch:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


@dataclass
class NewItem:
    """A feed item about to be indexed: its id, canonical URL, the record for the index, and how it was read."""

    id: str
    url: str
    record: dict[str, Any]
    content_hash: str
    event_id: str
    full_text: bool
    links: list[str]  # every canonical URL it is known by (feed link, final URL after redirects)
    signature: bytes | None = None
    day: str = ""
    next_page_try: float | None = None  # when to try the page again (None: full text obtained)


def check_url(url: str) -> str:
    url = (url or "").strip()
    if not re.match(r"^https?://[^\s/]+", url, re.IGNORECASE) or len(url) > 2000:
        raise InvalidInput(f"a feed URL must start with http:// or https://, not {url[:200]!r}", field="url")
    return url


class State:
    """The feeds database of one data folder. One object per thread (sqlite3 connections are not shared)."""

    def __init__(self, data_dir: str | Path):
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / DB_NAME
        self._db = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=60000")
        with self.transaction() as db:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "State":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: everything in it is on disk together, or none of it."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # ------------------------------------------------------------ subscriptions
    def add_feed(self, url: str, *, name: str = "", source: str = "", interval: int = DEFAULT_INTERVAL,
                 now: float | None = None) -> Feed:
        """Subscribe to a feed; InvalidInput when the URL is not http(s) or is already subscribed."""
        url = check_url(url)
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM feeds WHERE url = ?", (url,)).fetchone():
                raise InvalidInput(f"already subscribed to {url}", field="url")
            cursor = db.execute(
                "INSERT INTO feeds (url, name, source, interval, added_at, next_fetch) VALUES (?, ?, ?, ?, ?, 0)",
                (url, (name or "").strip(), (source or "").strip(), int(interval), now or time.time()))
        return self.feed(cursor.lastrowid)

    def feed(self, ref: int | str) -> Feed:
        """A feed by id or URL; NotFound otherwise."""
        rows = self._query("SELECT * FROM feeds WHERE id = ? OR url = ?",
                           (int(ref) if str(ref).isdigit() else -1, str(ref).strip()))
        if not rows:
            raise NotFound(f"no feed {ref!r}; `vnnews feeds list` shows the subscriptions", field="feed")
        return self._with_counts([Feed(**dict(rows[0]))])[0]

    def remove_feed(self, ref: int | str) -> Feed:
        """Unsubscribe (its articles stay in the index); NotFound when there is no such feed."""
        feed = self.feed(ref)
        with self.transaction() as db:
            db.execute("DELETE FROM feeds WHERE id = ?", (feed.id,))
            db.execute("DELETE FROM fetches WHERE feed_id = ?", (feed.id,))
        return feed

    def feeds(self, now: float | None = None) -> list[Feed]:
        return self._with_counts([Feed(**dict(r)) for r in self._query("SELECT * FROM feeds ORDER BY id")], now)

    def due_feeds(self, now: float) -> list[Feed]:
        rows = self._query("SELECT * FROM feeds WHERE next_fetch <= ? ORDER BY next_fetch, id", (now,))
        return [Feed(**dict(r)) for r in rows]

    def next_due(self) -> float | None:
        rows = self._query("SELECT MIN(next_fetch) FROM feeds")
        return rows[0][0] if rows else None

    def _with_counts(self, feeds: list[Feed], now: float | None = None) -> list[Feed]:
        since = (now or time.time()) - DAY
        counts = {r[0]: (r[1], r[2]) for r in self._query(
            "SELECT feed_id, SUM(seen), SUM(new) FROM fetches WHERE at > ? GROUP BY feed_id", (since,))}
        for feed in feeds:
            feed.seen_day, feed.new_day = counts.get(feed.id, (0, 0))
        return feeds

    # ------------------------------------------------------------ items
    def item_for_link(self, canonical: str) -> str | None:
        rows = self._query("SELECT item_id FROM links WHERE url = ?", (canonical,))
        return rows[0][0] if rows else None

    def item_for_hash(self, content_hash: str) -> str | None:
        rows = self._query("SELECT id FROM items WHERE content_hash = ? LIMIT 1", (content_hash,))
        return rows[0][0] if rows else None

    def record_fetch(self, feed: Feed, *, now: float, status: str, http_status: int | None, error: str | None,
                     next_fetch: float, failures: int, seen: int, items: list[NewItem] = (),
                     aliases: list[tuple[str, str]] = (), etag: str | None = None,
                     last_modified: str | None = None, keep_validators: bool = True) -> None:
        """One fetch's outcome in one transaction: the feed's health and validators, its new items as `pending`,
        and the URLs now known to be an item's. `keep_validators` False keeps the old ETag / Last-Modified (a fetch
        whose items were not all taken must come back whole)."""
        with self.transaction() as db:
            for item in items:
                db.execute(
                    "INSERT OR IGNORE INTO items (id, feed_id, url, content_hash, event_id, full_text, state, record,"
                    " first_seen, next_page_try) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
                    (item.id, feed.id, item.url, item.content_hash, item.event_id, int(item.full_text),
                     json.dumps(item.record, ensure_ascii=False), now,
                     None if item.full_text else item.next_page_try))
                for link in item.links:
                    db.execute("INSERT OR IGNORE INTO links (url, item_id) VALUES (?, ?)", (link, item.id))
                if item.signature is not None:
                    db.execute("INSERT OR REPLACE INTO signatures (item_id, event_id, day, sig) VALUES (?, ?, ?, ?)",
                               (item.id, item.event_id, item.day, item.signature))
            for link, item_id in aliases:
                db.execute("INSERT OR IGNORE INTO links (url, item_id) VALUES (?, ?)", (link, item_id))
            if keep_validators:
                db.execute("UPDATE feeds SET etag = ?, last_modified = ? WHERE id = ?",
                           (etag, last_modified, feed.id))
            db.execute(
                "UPDATE feeds SET last_fetch = ?, status = ?, http_status = ?, last_error = ?, failures = ?,"
                " next_fetch = ? WHERE id = ?",
                (now, status, http_status, error, failures, next_fetch, feed.id))
            db.execute("INSERT INTO fetches (feed_id, at, seen, new, status) VALUES (?, ?, ?, ?, ?)",
                       (feed.id, now, seen, len(items), status))
            db.execute("DELETE FROM fetches WHERE at < ?", (now - 7 * DAY,))

    def pending(self, limit: int = 500) -> list[tuple[str, dict]]:
        """Items recorded but not yet known to be in the index, oldest first."""
        rows = self._query("SELECT id, record FROM items WHERE state = 'pending' ORDER BY first_seen, id LIMIT ?",
                           (limit,))
        return [(r["id"], json.loads(r["record"])) for r in rows]

    def mark_indexed(self, ids: list[str], now: float) -> None:
        with self.transaction() as db:
            db.executemany("UPDATE items SET state = 'indexed', indexed_at = ?, reason = NULL WHERE id = ?",
                           [(now, i) for i in ids])

    def mark_rejected(self, rejected: list[tuple[str, str]]) -> None:
        """Items the index refused (e.g. no text once markup is removed): kept, with why, and never retried."""
        with self.transaction() as db:
            db.executemany("UPDATE items SET state = 'rejected', reason = ? WHERE id = ?",
                           [(reason, i) for i, reason in rejected])

    def page_retries(self, now: float, max_tries: int, limit: int = 50) -> list[tuple[str, str, dict, int]]:
        """Indexed items whose page failed, due for another try: (id, url, record, tries so far)."""
        rows = self._query(
            "SELECT id, url, record, page_tries FROM items WHERE full_text = 0 AND state = 'indexed' "
            "AND page_tries < ? AND next_page_try IS NOT NULL AND next_page_try <= ? ORDER BY next_page_try LIMIT ?",
            (max_tries, now, limit))
        return [(r["id"], r["url"], json.loads(r["record"]), r["page_tries"]) for r in rows]

    def page_tried(self, item_id: str, *, record: dict | None, next_try: float | None, tries: int,
                   links: list[str] = ()) -> None:
        """After a page retry: with a record (full text obtained) the item goes back to `pending` to be indexed
        again under its id; without, the next try is scheduled (None: given up)."""
        with self.transaction() as db:
            if record is not None:
                db.execute("UPDATE items SET record = ?, full_text = 1, state = 'pending', page_tries = ?,"
                           " next_page_try = NULL WHERE id = ?",
                           (json.dumps(record, ensure_ascii=False), tries, item_id))
            else:
                db.execute("UPDATE items SET page_tries = ?, next_page_try = ? WHERE id = ?",
                           (tries, next_try, item_id))
            for link in links:
                db.execute("INSERT OR IGNORE INTO links (url, item_id) VALUES (?, ?)", (link, item_id))

    def signatures(self, since_day: str) -> list[tuple[str, str, str, bytes]]:
        """(item id, event id, day, MinHash signature) of items from `since_day` on."""
        rows = self._query("SELECT item_id, event_id, day, sig FROM signatures WHERE day >= ?", (since_day,))
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def counts(self) -> dict[str, int]:
        rows = self._query("SELECT state, COUNT(*) FROM items GROUP BY state")
        out = {r[0]: r[1] for r in rows}
        out["full_text"] = self._query("SELECT COUNT(*) FROM items WHERE full_text = 1")[0][0]
        out["links"] = self._query("SELECT COUNT(*) FROM links")[0][0]
        return out
