"""The poller: fetch due feeds, read their new items, fetch and extract each article page, recognise duplicates and
events, then tag and index through the ingest path (index.ingest.prepare_many + Store.upsert) in batches.

One poller per data directory, held by a lock file. Fetching (network) runs in worker threads; everything written
(the feeds database, the index) is written by the calling thread, in this order for every item: recorded `pending`
with its feed's new validators (one transaction) → indexed (the store commit returns) → marked `indexed`.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from vnnews.errors import NewsError
from feeds.events import EventIndex, content_hash, story_text
from feeds.extract import Extracted, extract
from feeds.fetch import MAX_FEED_BYTES, MAX_PAGE_BYTES, FetchError, Fetcher, backoff_seconds, feed_type_problem
from feeds.parse import Entry, ParseError, parse_feed
from feeds.state import Feed, NewItem, State
from feeds.urls import article_id, canonical_url, host_of
from nlp.dates import VN_TZ, vn_day

log = logging.getLogger("vnnews.feeds")

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9"
WORKERS = 4  # feeds fetched at once (each host still gets at most fetch.PER_HOST requests at a time)
INDEX_BATCH = 64  # items tagged and committed together
MAX_PAGE_TRIES = 4  # the first try and three retries
PAGE_RETRY_DELAY = 10 * 60  # then 20, 40 minutes
LOCK_NAME = "feeds.lock"


class FeedsBusy(NewsError):
    """Another poller holds the data directory."""

    status = 409


class PollerLock:
    """An exclusive lock on DATA_DIR/feeds.lock (released by the OS when the process dies, even by kill -9)."""

    def __init__(self, data_dir: str | Path):
        self.path = Path(data_dir) / LOCK_NAME
        self._handle = None

    def acquire(self) -> "PollerLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise FeedsBusy(f"another poller ({holder}) is already fetching the feeds of {self.path.parent}; only "
                            "one runs per data directory (stop it, or let it do the fetching)") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        self._handle = handle
        return self

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def __enter__(self) -> "PollerLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


@dataclass
class FetchSummary:
    """What one round did."""

    feeds: int = 0
    ok: int = 0
    not_modified: int = 0
    failed: int = 0
    seen: int = 0  # items the fetched feeds carried
    new: int = 0  # of those, new articles recorded
    duplicates: int = 0  # new URLs whose text was an article we already had
    indexed: int = 0  # items committed to the index this round (new, retried pages, and pending from before)
    rejected: int = 0
    full_text: int = 0
    pages_failed: int = 0
    pages_recovered: int = 0
    errors: dict[str, str] = field(default_factory=dict)  # feed URL → reason
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {k: (round(v, 2) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


@dataclass
class _Candidate:
    entry: Entry
    canonical: str  # of the feed's link
    final: str  # canonical URL after the page's redirects (the feed's link when the page failed)
    page: Extracted | None


@dataclass
class _Outcome:
    feed: Feed
    error: str | None = None
    http_status: int | None = None
    retry_after: float | None = None
    not_modified: bool = False
    problem: str | None = None  # damaged feed, partly read
    etag: str | None = None
    last_modified: str | None = None
    seen: int = 0
    fresh: int = 0  # entries not known before this fetch
    candidates: list[_Candidate] = field(default_factory=list)
    aliases: list[tuple[str, str]] = field(default_factory=list)


class Poller:
    """Fetches the feeds of one data directory into its index. Use one per process, from one thread."""

    def __init__(self, data_dir: str | Path, store, model, *, fetcher: Fetcher | None = None,
                 clock: Callable[[], float] = time.time, workers: int = WORKERS, index_batch: int = INDEX_BATCH,
                 fetch_pages: bool = True):
        self.data_dir = Path(data_dir)
        self.store = store
        self.model = model
        self.clock = clock
        self.workers = workers
        self.index_batch = index_batch
        self.fetch_pages = fetch_pages
        self._own_fetcher = fetcher is None
        self.fetcher = fetcher or Fetcher()
        self.state = State(self.data_dir)
        self._readers = threading.local()
        self._reader_list: list[State] = []
        self._reader_lock = threading.Lock()
        # one pool for the poller's life: its threads keep their database connection from round to round (a pool
        # per round left one open connection, and its page cache, behind for every thread it had started)
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="feed")
        today = self._today()
        self.events = EventIndex(self.state.signatures((today - dt.timedelta(days=3)).isoformat()))

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        for reader in self._reader_list:
            reader.close()
        self.state.close()
        if self._own_fetcher:
            self.fetcher.close()

    def __enter__(self) -> "Poller":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _today(self) -> dt.date:
        return dt.datetime.fromtimestamp(self.clock(), VN_TZ).date()

    def _reader(self) -> State:
        reader = getattr(self._readers, "state", None)
        if reader is None:
            reader = State(self.data_dir)
            self._readers.state = reader
            with self._reader_lock:
                self._reader_list.append(reader)
        return reader

    # ------------------------------------------------------------ one round
    def fetch_once(self, *, due_only: bool = True) -> FetchSummary:
        """Fetch the feeds that are due (all of them, but those backing off, with `due_only` False), index their
        new items, retry failed pages, and index anything left pending by an earlier, interrupted run."""
        started = time.perf_counter()
        summary = FetchSummary()
        self.index_pending(summary)
        now = self.clock()
        feeds = self.state.due_feeds(now) if due_only else [
            f for f in self.state.feeds(now) if f.failures == 0 or f.next_fetch <= now]
        summary.feeds = len(feeds)
        self.events.forget_before(self._today() - dt.timedelta(days=4))
        futures = [self._pool.submit(self._fetch_feed, feed) for feed in feeds]
        for future in as_completed(futures):
            self._record(future.result(), summary)  # recorded as each feed arrives; indexed below, in batches
            # across feeds (a commit per feed would cost a commit for every one or two new items)
        self.retry_pages(summary)
        self.index_pending(summary)
        summary.seconds = time.perf_counter() - started
        return summary

    def _fetch_feed(self, feed: Feed) -> _Outcome:
        """Network and reading only (a worker thread): the feed, then the page of every item not seen before."""
        outcome = _Outcome(feed)
        try:
            fetched = self.fetcher.get(feed.url, etag=feed.etag, last_modified=feed.last_modified,
                                       max_bytes=MAX_FEED_BYTES, accept=FEED_ACCEPT)
            if fetched.not_modified:
                outcome.not_modified = True
                outcome.etag, outcome.last_modified = feed.etag, feed.last_modified
                return outcome
            problem = feed_type_problem(fetched.content_type, fetched.body)
            if problem:
                raise FetchError(problem, http_status=fetched.status)
            parsed = parse_feed(fetched.body, content_type=fetched.content_type, url=fetched.url)
        except FetchError as exc:
            outcome.error, outcome.http_status, outcome.retry_after = exc.reason, exc.http_status, exc.retry_after
            return outcome
        except ParseError as exc:
            outcome.error, outcome.http_status = exc.reason, fetched.status
            return outcome
        except Exception as exc:  # a bug or a library failure on one feed must not stop the others
            log.exception("feed %s", feed.url)
            outcome.error = f"unexpected failure: {type(exc).__name__}: {exc}"
            return outcome
        outcome.http_status = fetched.status
        outcome.etag, outcome.last_modified = fetched.etag, fetched.last_modified
        entries = parsed.entries
        if parsed.problem:
            outcome.problem = parsed.problem
            entries = entries[:-1]  # the last entry read before the fault may be cut off: it comes again whole
        outcome.seen = len(parsed.entries)
        reader = self._reader()
        taken: set[str] = set()
        for entry in entries:
            if not entry.link or not entry.title:
                continue
            canonical = canonical_url(entry.link)
            if canonical in taken or reader.item_for_link(canonical):
                continue
            taken.add(canonical)
            outcome.fresh += 1
            final, page = canonical, None
            if self.fetch_pages:
                try:
                    fetched_page = self.fetcher.get(entry.link, max_bytes=MAX_PAGE_BYTES, accept=PAGE_ACCEPT)
                except FetchError:
                    pass
                else:
                    final = canonical_url(fetched_page.url)
                    known = reader.item_for_link(final) if final != canonical else None
                    if known:
                        outcome.aliases.append((canonical, known))
                        continue
                    try:
                        page = extract(fetched_page.body, fetched_page.url, lead=entry.summary)
                    except Exception:  # one unreadable page: the summary stands, the page is retried later
                        page = None
            outcome.candidates.append(_Candidate(entry, canonical, final, page))
        return outcome

    def _record(self, outcome: _Outcome, summary: FetchSummary) -> None:
        """Write one feed's outcome: health, validators and new items (pending) in one transaction."""
        feed, now = outcome.feed, self.clock()
        if outcome.error:
            failures = feed.failures + 1
            summary.failed += 1
            summary.errors[feed.url] = outcome.error
            self.state.record_fetch(
                feed, now=now, status="error", http_status=outcome.http_status, error=outcome.error,
                next_fetch=now + backoff_seconds(feed.interval, failures, outcome.retry_after), failures=failures,
                seen=0, keep_validators=False)
            return
        if outcome.not_modified:
            summary.not_modified += 1
            self.state.record_fetch(feed, now=now, status="not modified", http_status=304, error=None,
                                    next_fetch=now + feed.interval, failures=0, seen=0, keep_validators=False)
            return
        items: list[NewItem] = []
        aliases = list(outcome.aliases)
        by_link: dict[str, str] = {}
        by_hash: dict[str, str] = {}
        for c in outcome.candidates:
            known = (by_link.get(c.canonical) or by_link.get(c.final) or self.state.item_for_link(c.canonical)
                     or self.state.item_for_link(c.final))
            if known:  # another feed of this round (or an earlier one) took it meanwhile
                aliases += [(c.canonical, known), (c.final, known)]
                continue
            item = self._new_item(feed, c, now)
            duplicate = by_hash.get(item.content_hash) or self.state.item_for_hash(item.content_hash)
            if duplicate:
                aliases += [(link, duplicate) for link in item.links]
                summary.duplicates += 1
                continue
            event_id, signature = self.events.assign(
                item.id, story_text(item.record["title"], item.record["lead"], item.record["body"]),
                dt.date.fromisoformat(item.day))
            item.event_id = item.record["event_id"] = event_id
            item.signature = signature
            items.append(item)
            for link in item.links:
                by_link[link] = item.id
            by_hash[item.content_hash] = item.id
        failures = feed.failures + 1 if outcome.problem else 0
        self.state.record_fetch(
            feed, now=now, status="error" if outcome.problem else "ok", http_status=outcome.http_status,
            error=outcome.problem, failures=failures,
            next_fetch=now + (backoff_seconds(feed.interval, failures) if outcome.problem else feed.interval),
            seen=outcome.fresh, items=items, aliases=aliases, etag=outcome.etag,
            last_modified=outcome.last_modified, keep_validators=not outcome.problem)
        if outcome.problem:
            summary.failed += 1
            summary.errors[feed.url] = outcome.problem
        else:
            summary.ok += 1
        summary.seen += outcome.seen
        summary.new += len(items)
        summary.full_text += sum(i.full_text for i in items)
        summary.pages_failed += sum(not i.full_text for i in items)

    def _new_item(self, feed: Feed, c: _Candidate, now: float) -> NewItem:
        entry, page = c.entry, c.page
        published = entry.published or (page.published if page else None)
        moment = published if isinstance(published, dt.datetime) else None
        day = vn_day(published) if published else dt.datetime.fromtimestamp(now, VN_TZ).date()
        title = entry.title or (page.title if page else "")
        if page:
            lead, body = entry.summary, page.text
        else:
            lead, body = "", entry.summary or title
        item_id = article_id(c.final)
        record = {
            "id": item_id, "title": title, "lead": lead, "body": body,
            "source": feed.source or feed.name or host_of(c.final), "url": c.final, "published": day.isoformat(),
            "published_at": moment.isoformat() if moment else None, "event_id": "", "full_text": page is not None,
            "feed": feed.url,
        }
        return NewItem(id=item_id, url=c.final, record=record, content_hash=content_hash(title, body), event_id="",
                       full_text=page is not None, links=sorted({c.canonical, c.final}), day=day.isoformat(),
                       next_page_try=None if page else now + PAGE_RETRY_DELAY)

    # ------------------------------------------------------------ the index
    def index_pending(self, summary: FetchSummary | None = None) -> int:
        """Tag and index every pending item in batches; each batch is marked indexed once its commit returned."""
        from vnnews.ingest import prepare_many

        done = 0
        while True:
            rows = self.state.pending(self.index_batch)
            if not rows:
                return done
            prepared = prepare_many([record for _, record in rows], self.model)
            docs = [(item_id, doc) for (item_id, _), doc in zip(rows, prepared) if not isinstance(doc, NewsError)]
            rejected = [(item_id, doc.message) for (item_id, _), doc in zip(rows, prepared)
                        if isinstance(doc, NewsError)]
            if docs:
                self.store.upsert([doc for _, doc in docs])  # returns once committed
                self.state.mark_indexed([item_id for item_id, _ in docs], self.clock())
            if rejected:
                self.state.mark_rejected(rejected)
            done += len(docs)
            if summary is not None:
                summary.indexed += len(docs)
                summary.rejected += len(rejected)

    def retry_pages(self, summary: FetchSummary | None = None) -> None:
        """Fetch again the pages that failed, for items indexed from their summary; on success the item is indexed
        again, with its full text, under the same id."""
        if not self.fetch_pages:
            return
        now = self.clock()
        for item_id, url, record, tries in self.state.page_retries(now, MAX_PAGE_TRIES):
            tries += 1
            page, links = None, []
            try:
                fetched = self.fetcher.get(url, max_bytes=MAX_PAGE_BYTES, accept=PAGE_ACCEPT)
                links = [canonical_url(fetched.url)]
                page = extract(fetched.body, fetched.url, lead=record.get("body", ""))
            except FetchError:
                pass
            except Exception:
                log.exception("page %s", url)
            if page is None:
                later = now + PAGE_RETRY_DELAY * 2 ** (tries - 1) if tries < MAX_PAGE_TRIES else None
                self.state.page_tried(item_id, record=None, next_try=later, tries=tries, links=links)
                continue
            updated = dict(record, lead=record.get("body", ""), body=page.text, full_text=True)
            self.state.page_tried(item_id, record=updated, next_try=None, tries=tries, links=links)
            if summary is not None:
                summary.pages_recovered += 1

    # ------------------------------------------------------------ the loop
    def run(self, stop: threading.Event, *, on_round: Callable[[FetchSummary], None] | None = None,
            max_sleep: float = 60.0) -> None:
        """Fetch each feed at its interval until `stop` is set; a failing round is logged and the loop goes on."""
        while not stop.is_set():
            try:
                summary = self.fetch_once()
                if on_round:
                    on_round(summary)
            except NewsError as exc:  # e.g. the index locked by a long ingest: the items stay pending
                log.warning("feeds: %s", exc.message)
            next_due = self.state.next_due()
            wait = max_sleep if next_due is None else min(max(next_due - self.clock(), 0.5), max_sleep)
            stop.wait(wait)


def start_background(data_dir: str | Path, store, model, *, say: Callable[[str], None] = print,
                     max_sleep: float = 30.0, stop: threading.Event | None = None) -> threading.Thread | None:
    """Run the poller in a daemon thread of this process (`vnnews serve`), writing through `store`; None, said with
    `say`, when another poller already holds the data directory. Feeds added later are picked up within
    `max_sleep` seconds."""
    lock = PollerLock(data_dir)
    try:
        lock.acquire()
    except FeedsBusy as exc:
        say(f"  feeds:        not polled by this server: {exc.message}")
        return None

    stop = stop or threading.Event()

    def loop() -> None:
        try:
            with Poller(data_dir, store, model) as poller:
                poller.run(stop, max_sleep=max_sleep)
        except Exception:  # the server goes on serving; the log says why the feeds stopped
            log.exception("the feed poller stopped")
        finally:
            lock.release()

    thread = threading.Thread(target=loop, name="feed-poller", daemon=True)
    thread.start()
    say("  feeds:        polled in the background (`vnnews feeds add URL`; their health on the page /feeds)")
    return thread
