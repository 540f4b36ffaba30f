"""`vnnews tag` throughput on one core: `python bench/tag_speed.py [N]` (default 1,000 real articles)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, vietnews


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "articles.jsonl"
        with open(source, "w", encoding="utf-8") as handle:
            for record in vietnews(n):
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        chars = sum(len(json.loads(line)["body"]) for line in open(source, encoding="utf-8"))
        started = time.perf_counter()
        # One core: pin the process (Linux) so the figure is per core, as the issue asks.
        pin = ["taskset", "-c", "0"] if sys.platform.startswith("linux") and os.path.exists("/usr/bin/taskset") else []
        result = subprocess.run([*pin, sys.executable, "-m", "cli", "tag", str(source)], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seconds = time.perf_counter() - started
    tagged = result.stdout.count("\n")
    print(result.stderr.strip())
    print(f"{tagged} articles ({chars / n:.0f} body chars on average) in {seconds:.1f} s wall time including start-up, "
          f"{'one core' if pin else 'unpinned'}: {tagged / seconds:.1f} articles/s")


if __name__ == "__main__":
    main()
