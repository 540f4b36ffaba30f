"""Helpers shared by the benchmarks: reading the real-news sample from ../shared/data."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import sys
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHARED_DATA = ROOT.parent / "shared" / "data"  # beside the project, as in CI
VIETNEWS = SHARED_DATA / "vietnews-100k.jsonl.gz"
SOURCES = ("Báo A", "Báo B", "Báo C", "Báo D", "Báo E")


def vietnews(n: int, *, offset: int = 0) -> Iterator[dict]:
    """The first `n` articles (after `offset`) of the 100k sample, with a stable made-up date and source.

    The sample carries neither; they are derived from the id so date and source filters have something to cut.
    """
    if not VIETNEWS.exists():
        sys.exit(f"{VIETNEWS} is missing: the benchmarks need ../shared/data beside the project")
    with gzip.open(VIETNEWS, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if number < offset:
                continue
            if number >= offset + n:
                return
            record = json.loads(line)
            digest = int(hashlib.md5(record["id"].encode()).hexdigest(), 16)
            record["published"] = (dt.date(2016, 1, 1) + dt.timedelta(days=digest % 1461)).isoformat()
            record["source"] = SOURCES[digest % len(SOURCES)]
            yield record
