"""`vnnews tag` throughput on one core: `python bench/tag_speed.py [N]` (default 1,000 of each kind of text):
real RSS items (title + summary) and real full articles (vietnews-100k, about 2.5k characters)."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, SHARED_DATA, vietnews


def rss_items(n: int):
    with gzip.open(SHARED_DATA / "rss-2025-08-2026-02.jsonl.gz", "rt", encoding="utf-8") as handle:
        for _, line in zip(range(n), handle):
            r = json.loads(line)
            yield {"id": r["id"], "title": r["title"], "body": r.get("summary") or r["title"]}


def measure(name: str, records, n: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "articles.jsonl"
        with open(source, "w", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        chars = sum(len(json.loads(line)["title"]) + len(json.loads(line)["body"]) for line in open(source))
        started = time.perf_counter()
        # One core: pin the process (Linux) so the figure is per core, as the issue asks.
        pin = ["taskset", "-c", "0"] if sys.platform.startswith("linux") and os.path.exists("/usr/bin/taskset") else []
        result = subprocess.run([*pin, sys.executable, "-m", "vnnews.cli", "tag", str(source)], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seconds = time.perf_counter() - started
    tagged = result.stdout.count("\n")
    if result.returncode not in (0, 1) or not tagged:
        sys.exit(f"vnnews tag failed: {result.stderr.strip()}")
    print(f"{name}: {tagged} articles ({chars / n:.0f} characters on average) in {seconds:.1f} s wall time "
          f"including start-up, {'one core' if pin else 'unpinned'}: {tagged / seconds:.1f} articles/s")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    measure("RSS items", rss_items(n), n)
    measure("full articles", vietnews(n), n)


if __name__ == "__main__":
    main()
