"""`vnnews feeds add|list|remove|import` and `vnnews fetch [--loop]`: a thin layer over feeds.state and feeds.poller.
cli.py calls `register(subparsers)`; errors are NewsError, which the CLI prints as one line with a non-zero exit."""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from vnnews import settings
from vnnews.errors import InvalidInput
from feeds.state import State, check_url, format_interval, parse_interval

STARTER = Path(__file__).resolve().with_name("starter.opml")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _state(args) -> State:
    return State(settings.data_dir(args.data_dir))


def _when(epoch: float | None, now: float) -> str:
    if not epoch:
        return "-"
    delta = epoch - now
    if abs(delta) < 60:
        return "now"
    minutes = round(abs(delta) / 60)
    text = f"{minutes} min" if minutes < 120 else f"{minutes // 60} h" if minutes < 2880 else f"{minutes // 1440} d"
    return f"in {text}" if delta > 0 else f"{text} ago"


def read_feed_list(path: Path) -> list[dict]:
    """Feeds from an OPML file (outline xmlUrl, text/title, category) or a plain list of URLs (one a line, # comments;
    optionally followed by a name)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None
    if raw.lstrip().startswith(b"<"):
        try:
            root = ET.fromstring(raw)
        except ET.ParseError as exc:
            raise InvalidInput(f"{path} is not a valid OPML file: {exc}") from None
        found = []
        for outline in root.iter("outline"):
            url = outline.get("xmlUrl") or outline.get("xmlurl")
            if url:
                found.append({"url": url.strip(), "name": (outline.get("title") or outline.get("text") or "").strip(),
                              "source": (outline.get("source") or "").strip()})
        return found
    found = []
    for number, line in enumerate(raw.decode("utf-8", "replace").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        url, _, name = line.partition(" ")
        found.append({"url": url, "name": name.strip(), "source": "", "line": number})
    return found


def cmd_add(args) -> int:
    with _state(args) as state:
        feed = state.add_feed(args.url, name=args.name or "", source=args.source or "",
                              interval=parse_interval(args.every))
    print(f"subscribed to {feed.url} (feed {feed.id}, every {format_interval(feed.interval)}); "
          "`vnnews fetch` fetches it now")
    return 0


def cmd_remove(args) -> int:
    with _state(args) as state:
        feed = state.remove_feed(args.feed)
    print(f"unsubscribed from {feed.url}; its articles stay in the index")
    return 0


def cmd_import(args) -> int:
    path = Path(args.file)
    entries = read_feed_list(path)
    if not entries:
        raise InvalidInput(f"no feed URLs in {path} (an OPML file with xmlUrl outlines, or one URL a line)")
    interval = parse_interval(args.every)
    added = skipped = 0
    with _state(args) as state:
        known = {f.url for f in state.feeds()}
        for entry in entries:
            try:
                url = check_url(entry["url"])
            except InvalidInput as exc:
                _say(f"{path}{':' + str(entry['line']) if 'line' in entry else ''}: {exc.message}; skipped")
                skipped += 1
                continue
            if url in known:
                skipped += 1
                continue
            state.add_feed(url, name=entry["name"], source=entry["source"] or args.source or "", interval=interval)
            known.add(url)
            added += 1
    print(f"subscribed to {added} feed(s) from {path}" + (f"; {skipped} already there or invalid" if skipped else ""))
    return 0


def cmd_list(args) -> int:
    now = time.time()
    with _state(args) as state:
        feeds = state.feeds(now)
    if args.json:
        print(json.dumps([f.to_dict() for f in feeds], ensure_ascii=False, indent=2))
        return 0
    if not feeds:
        print("no feeds yet; `vnnews feeds add URL` or `vnnews feeds import feeds/starter.opml`")
        return 0
    rows = [("ID", "NAME", "URL", "LAST FETCH", "STATUS", "SEEN/NEW 24H", "NEXT FETCH", "LAST ERROR")]
    for f in feeds:
        rows.append((str(f.id), f.name or "-", f.url, _when(f.last_fetch, now),
                     f.status + (f" ×{f.failures}" if f.failures > 1 else ""), f"{f.seen_day}/{f.new_day}",
                     _when(f.next_fetch, now) if f.last_fetch else "now", f.last_error or ""))
    widths = [min(max(len(r[i]) for r in rows), 60) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell[:60].ljust(width) for cell, width in zip(row, widths)]
        print("  ".join(cells + [row[-1]]).rstrip())
    return 0


def _load_model(args):
    from models import topics

    return topics.load(settings.model_path(args.model))


def cmd_fetch(args) -> int:
    from feeds.poller import Poller, PollerLock
    from index.store import Store

    data_dir = settings.data_dir(args.data_dir)
    with State(data_dir) as state:
        if not state.feeds():
            raise InvalidInput("no feeds to fetch; `vnnews feeds add URL` or `vnnews feeds import FILE` first")
    with PollerLock(data_dir):
        model = _load_model(args)
        with Store(data_dir) as store, Poller(data_dir, store, model) as poller:
            if not args.loop:
                summary = poller.fetch_once(due_only=False)
                _report(summary, args.json)
                return 1 if summary.errors else 0
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            _say(f"fetching the feeds of {data_dir} at their intervals; Ctrl-C stops")
            try:
                poller.run(stop, on_round=lambda s: _report(s, args.json) if s.feeds or s.indexed else None)
            except KeyboardInterrupt:
                stop.set()
    return 0


def _report(summary, as_json: bool) -> None:
    if as_json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False), flush=True)
        return
    print(f"{summary.feeds} feed(s): {summary.ok} ok, {summary.not_modified} not modified, {summary.failed} failed; "
          f"{summary.seen} items seen, {summary.new} new ({summary.full_text} with full text), "
          f"{summary.duplicates} duplicate(s), {summary.indexed} indexed in {summary.seconds:.1f} s", flush=True)
    for url, reason in summary.errors.items():
        print(f"  {url}: {reason}", flush=True)


def register(subparsers) -> None:
    """Add `feeds` and `fetch` to the `vnnews` command line."""
    p = subparsers.add_parser("feeds", help="feed subscriptions: add, list, remove, import")
    sub = p.add_subparsers(dest="feeds_command", required=True, metavar="ACTION")

    q = sub.add_parser("add", help="subscribe to an RSS or Atom feed")
    q.add_argument("url")
    q.add_argument("--name", help="a name for the list (default: none)")
    q.add_argument("--source", help="the outlet written on its articles (default: the name, else the host)")
    q.add_argument("--every", default="15m", help="how often to fetch it: 15m (default), 1h, 90s, ...")
    q.set_defaults(func=cmd_add)

    q = sub.add_parser("list", help="the feeds and their health: last fetch, status, items seen/new, errors")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_list)

    q = sub.add_parser("remove", help="unsubscribe (by id or URL); the feed's articles stay in the index")
    q.add_argument("feed", metavar="ID_OR_URL")
    q.set_defaults(func=cmd_remove)

    q = sub.add_parser("import", help="subscribe to every feed of an OPML file or a list of URLs "
                       f"(e.g. feeds/{STARTER.name})")
    q.add_argument("file")
    q.add_argument("--every", default="15m", help="interval for the imported feeds (default 15m)")
    q.add_argument("--source", help="outlet name for feeds the file does not name")
    q.set_defaults(func=cmd_import)

    p = subparsers.add_parser("fetch", help="fetch the subscribed feeds once (or --loop: each at its interval) "
                              "and tag and index their new articles")
    p.add_argument("--loop", action="store_true", help="keep fetching each feed at its interval until stopped")
    p.add_argument("--json", action="store_true", help="print each round's summary as JSON")
    p.set_defaults(func=cmd_fetch)
