"""kill -9 at random moments: the poller, restarted, neither loses an acknowledged item nor creates a duplicate."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.feeds.feedserver import FeedServer, FeedSpec, standard_items
from feeds.state import State
from feeds.urls import article_id, canonical_url
from index.store import Store

ROOT = Path(__file__).resolve().parents[2]


def start_poller(data_dir: Path, model_path: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", "import sys; from vnnews import cli; sys.exit(cli.main(sys.argv[1:]))",
         "--data-dir", str(data_dir),
         "--model", str(model_path), "fetch", *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kill_9_loses_nothing_and_duplicates_nothing(seed, data_dir, model_path):
    rng = random.Random(seed)
    server = FeedServer()
    base = server.start()
    try:
        paths = ["/a.xml", "/b.xml", "/c.xml"]
        for n, path in enumerate(paths):
            server.feeds[path] = FeedSpec(standard_items(8, 12 * n), kind=("rss", "atom", "rss")[n],
                                          link_suffix="?utm_source=rss" if n == 2 else "")
        server.feeds["/c.xml"].items += standard_items(3, 0)  # shared with /a.xml
        with State(data_dir) as state:
            for path in paths:
                state.add_feed(base + path, interval=60)
        kills, phases = 0, []
        for round_ in range(4):
            for n, path in enumerate(paths):  # news arrives between runs
                server.feeds[path].items = standard_items(8, 300 + 40 * round_ + 10 * n) + server.feeds[path].items
            requests_before = len(server.log)
            poller = start_poller(data_dir, model_path)
            # a random moment of the work, not of the start-up: from the first request on (about 5 s of fetching,
            # extracting, recording and indexing); one round in four dies while still starting
            deadline = time.monotonic() + 120
            while round_ != 1 and len(server.log) == requests_before and poller.poll() is None:
                assert time.monotonic() < deadline, "the poller never fetched"
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 6.0))
            if poller.poll() is None:
                poller.kill()  # SIGKILL: no cleanup at all
                kills += 1
            poller.wait(timeout=60)
            with State(data_dir) as state:
                phases.append(state.counts())
        finished = start_poller(data_dir, model_path)
        out, err = finished.communicate(timeout=300)
        assert finished.returncode == 0, err.decode()
        assert kills >= 2, phases  # the test killed the poller mid-work (not only after it finished)
        print("state after each kill:", phases)
        expected = {article_id(canonical_url(base + item.path)) for item in server.served_items()}
        with Store(data_dir) as store, store.searcher() as searcher:
            ids = [fields["id"] for fields in searcher.all_stored_fields()]
        assert len(ids) == len(set(ids)), "a duplicate in the index"
        assert set(ids) == expected, f"missing {len(expected - set(ids))}, unexpected {len(set(ids) - expected)}"
        with State(data_dir) as state:
            counts = state.counts()
        assert counts.get("pending", 0) == 0 and counts["indexed"] == len(expected)
    finally:
        server.stop()
