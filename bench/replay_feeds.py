"""Replay of real feeds: ../shared/data/rss-2025-08-2026-02.jsonl.gz served as three outlets' feeds (VnExpress,
Tuổi Trẻ, Thanh Niên; the latest FEED_SIZE items each, as real feeds carry) on a local server, advancing through a
simulated month, with pages built from each item's title and summary; the poller runs at its interval against that
clock. Prints items served, ingested, duplicates, missed, events spanning two or more outlets (per day), items per
second and peak memory; writes a random sample of cross-outlet event groups for reading by eye.

    .venv/bin/python bench/replay_feeds.py [--start 2025-10-01] [--days 30] [--every 15m] [--sample 50]
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import gzip
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from tests.feeds.feedserver import FeedServer, FeedSpec, Item  # noqa: E402

POOL = ROOT.parent / "shared" / "data" / "rss-2025-08-2026-02.jsonl.gz"
FEED_SIZE = 30  # the busiest outlet publishes at most 19 items in any 15 minutes of the pool
OUTLETS = {"VnExpress": "/vnexpress.xml", "Tuổi Trẻ": "/tuoitre.xml", "Thanh Niên": "/thanhnien.xml"}


def outlet_of(record: dict) -> str:
    first = record["sources"][0]
    return "VnExpress" if first.startswith("VnExpress") else first


def load(start: dt.datetime, end: dt.datetime) -> dict[str, list[Item]]:
    items: dict[str, list[Item]] = {name: [] for name in OUTLETS}
    with gzip.open(POOL, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            published = dt.datetime.fromisoformat(record["published"])
            if not start <= published < end or not record.get("title") or not record.get("summary"):
                continue
            outlet = outlet_of(record)
            if outlet not in items:
                continue
            # the page: the summary as its lead, the title and summary as its text (all we have of the article)
            items[outlet].append(Item(slug=record["id"], title=record["title"], lead=record["summary"],
                                      body=f"{record['title']}. {record['summary']}", published=published,
                                      source=outlet))
    for outlet in items:
        items[outlet].sort(key=lambda i: (i.published, i.slug))
    return items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--start", default="2025-10-01", help="first simulated day (Việt Nam time)")
    parser.add_argument("--days", type=float, default=30)
    parser.add_argument("--every", default="15m", help="feed interval")
    parser.add_argument("--model", default=str(ROOT / "models" / "topics.joblib"))
    parser.add_argument("--sample", type=int, default=50, help="cross-outlet event groups to write for reading")
    parser.add_argument("--out", default=str(ROOT / "var" / "replay_events.md"))
    parser.add_argument("--data-dir", help="where the index and feeds.sqlite go (default: a temporary folder)")
    args = parser.parse_args(argv)
    if not POOL.exists():
        print(f"{POOL} is missing: the replay needs ../shared/data beside the project", file=sys.stderr)
        return 2

    from feeds.fetch import Fetcher
    from feeds.poller import Poller
    from feeds.state import State, parse_interval
    from index.store import Store
    from models import topics
    from nlp.dates import VN_TZ

    ict = VN_TZ
    start = dt.datetime.fromisoformat(args.start).replace(tzinfo=ict)
    end = start + dt.timedelta(days=args.days)
    items = load(start - dt.timedelta(days=1), end)  # a day before: the feeds are full when the replay starts
    model = topics.load(Path(args.model))
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="replay-"))
    server = FeedServer()
    base = server.start()
    for outlet, path in OUTLETS.items():
        server.feeds[path] = FeedSpec([], link_suffix="?utm_source=rss&utm_medium=feed")
        for item in items[outlet]:
            server.extra_pages[item.path] = item
    clock_now = [start.timestamp()]
    interval = parse_interval(args.every)
    with State(data_dir) as state:
        for outlet, path in OUTLETS.items():
            state.add_feed(base + path, name=outlet, source=outlet, interval=interval, now=clock_now[0])

    served: dict[str, Item] = {}
    served_outlet: dict[str, str] = {}
    cursor = {outlet: 0 for outlet in OUTLETS}

    def publish(now: float) -> None:
        for outlet, path in OUTLETS.items():
            pool = items[outlet]
            while cursor[outlet] < len(pool) and pool[cursor[outlet]].published.timestamp() <= now:
                cursor[outlet] += 1
            shown = pool[max(0, cursor[outlet] - FEED_SIZE): cursor[outlet]][::-1]
            server.feeds[path].items = shown
            for item in shown:  # the items of the day before the start too: the first fetch takes them in
                served.setdefault(item.slug, item)
                served_outlet[item.slug] = outlet

    rounds = 0
    started = time.perf_counter()
    fetcher = Fetcher()
    with Store(data_dir) as store, Poller(data_dir, store, model, clock=lambda: clock_now[0],
                                          fetcher=fetcher) as poller:
        while clock_now[0] < end.timestamp():
            publish(clock_now[0])
            summary = poller.fetch_once()
            rounds += 1
            if summary.errors:
                print("errors:", summary.errors, file=sys.stderr)
            if rounds % 96 == 0:
                day = dt.datetime.fromtimestamp(clock_now[0], ict).date()
                print(f"  {day}: {len(served):,} items served, {time.perf_counter() - started:,.0f} s",
                      file=sys.stderr, flush=True)
            clock_now[0] = max(poller.state.next_due() or 0, clock_now[0] + 1)
        index_count = store.count()
    seconds = time.perf_counter() - started
    fetcher.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # ---------------------------------------------------------------- the count
    from feeds.urls import canonical_url

    with State(data_dir) as state:
        rows = state._query("SELECT id, state, event_id, full_text, record FROM items")
        item_rows = {r["id"]: r for r in rows}
        mapped: dict[str, str] = {}
        missed = []
        for slug in served:
            item_id = state.item_for_link(canonical_url(base + served[slug].path))
            if item_id is None or item_rows.get(item_id, {"state": None})["state"] != "indexed":
                missed.append(slug)
            else:
                mapped[slug] = item_id
    ingested = len(mapped)
    distinct_items = len(set(mapped.values()))
    duplicates = index_count - distinct_items  # documents beyond one per article served
    same_text = ingested - distinct_items  # served items recognised as an article we had (same text, new URL)

    events: dict[str, list[str]] = collections.defaultdict(list)
    for slug, item_id in mapped.items():
        events[item_rows[item_id]["event_id"]].append(slug)
    cross = {e: slugs for e, slugs in events.items() if len({served_outlet[s] for s in slugs}) >= 2}
    per_day = collections.Counter()
    for slugs in cross.values():
        first = min(served[s].published for s in slugs).astimezone(ict).date()
        per_day[first] += 1
    grouped = sum(len(s) for s in events.values() if len(s) > 1)

    print(f"replay {args.start} + {args.days:g} days, feeds every {args.every}, {FEED_SIZE} items per feed, "
          f"{rounds} rounds")
    print(f"items served:      {len(served):,}")
    print(f"items ingested:    {ingested:,} ({distinct_items:,} articles; {same_text} recognised as the same text "
          "under another URL)")
    print(f"duplicates:        {duplicates}")
    print(f"missed:            {len(missed)}")
    print(f"index documents:   {index_count:,}")
    print(f"events:            {len(events):,}; {grouped:,} items in events of 2+; {len(cross):,} events span 2+ "
          "outlets")
    days = sorted(per_day)
    if days:
        values = [per_day.get(days[0] + dt.timedelta(days=n), 0) for n in range((days[-1] - days[0]).days + 1)]
        print(f"cross-outlet events per day: mean {sum(values) / len(values):.1f}, min {min(values)}, "
              f"max {max(values)}")
        print("  " + " ".join(f"{d:%d/%m}:{per_day[d]}" for d in days))
    print(f"seconds:           {seconds:,.1f} ({len(served) / seconds:,.1f} items/s, all stages: fetch, extract, "
          "tag, index)")
    print(f"peak memory:       {peak_mb:,.0f} MB (max RSS of this process, server included)")

    rng = random.Random(13)
    sample = rng.sample(sorted(cross), min(args.sample, len(cross)))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as handle:
        handle.write(f"# {len(sample)} cross-outlet event groups of the replay, sampled at random (seed 13)\n\n")
        for number, event_id in enumerate(sample, 1):
            handle.write(f"## {number}. {event_id}\n")
            for slug in sorted(cross[event_id], key=lambda s: served[s].published):
                item = served[slug]
                handle.write(f"- [{served_outlet[slug]}] {item.published:%d/%m %H:%M} {item.title}\n")
            handle.write("\n")
    print(f"sample of event groups: {out}")
    server.stop()
    return 0 if not missed and duplicates == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
