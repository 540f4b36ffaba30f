"""Ingest and query benchmark on real articles: `python bench/bench.py N [--data-dir DIR] [--workers W]`.

Prints ingest throughput (with the share of segmentation, classification and indexing), index size, query latency
percentiles over a fixed list of realistic queries (with and without tone marks, phrases, filters), and peak memory.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from common import vietnews

from vnnews.ingest import ingest_records
from index.search import SearchRequest, search
from index.store import Store
from models import topics

QUERIES = [
    # toned words
    "khởi nghiệp", "trí tuệ nhân tạo", "chuyển đổi số", "Đà Nẵng", "Hà Nội", "TP.HCM", "bóng đá", "giá vàng",
    "tai nạn giao thông", "bất động sản", "xuất khẩu gạo", "ô nhiễm môi trường", "học sinh", "bệnh viện",
    "công an", "thị trường chứng khoán", "du lịch Phú Quốc", "bão lũ miền Trung", "ngân hàng nhà nước",
    "doanh nghiệp nhỏ và vừa", "khởi nghiệp Đà Nẵng", "tuyển sinh đại học", "vắc xin", "điện thoại thông minh",
    # tone-less
    "khoi nghiep", "tri tue nhan tao", "chuyen doi so", "da nang", "ha noi", "bong da", "gia vang",
    "tai nan giao thong", "bat dong san", "hoc sinh", "benh vien", "cong an", "du lich phu quoc",
    "khoi nghiep da nang", "tuyen sinh dai hoc", "xuat khau", "thu tuong",
    # phrases, exclusions, OR
    '"chuyển đổi số"', '"thành phố Hồ Chí Minh"', '"giá xăng"', "bóng đá -Anh", "Hà Nội OR Hải Phòng",
    '"tai nạn" -"giao thông"', "cháy OR nổ", "(lừa đảo OR chiếm đoạt) tài sản",
    # filters
    ("", {"topic": "ai"}), ("", {"province": "Đà Nẵng"}), ("doanh nghiệp", {"topic": "startup"}),
    ("giao thông", {"province": "Hà Nội"}), ("kinh tế", {"from": "2017-01-01", "to": "2017-06-30"}),
    ("cong an", {"province": "Hồ Chí Minh", "sort": "date"}), ("", {"source": "Báo A", "sort": "date"}),
    ("học sinh", {"page": "3"}),
]


def fresh_queries(n: int, *, seed: int = 11) -> list[str]:
    """`n` queries nobody asked before: two to four consecutive words of the titles of random articles among the
    first 20,000 of the sample (in every index the benchmarks build), every other one without tone marks. Asked once
    each, they show what a query costs when its terms are not in the server's postings cache yet."""
    from nlp.fold import fold

    rng = random.Random(seed)
    wanted = set(rng.sample(range(20000), n))
    out = []
    for number, record in enumerate(vietnews(20000)):
        if number not in wanted:
            continue
        words = [w for w in record["title"].split() if any(c.isalpha() for c in w)]
        size = min(len(words), rng.randint(2, 4))
        start = rng.randrange(len(words) - size + 1) if words else 0
        query = " ".join(w.strip(",.:;!?\"'()“”‘’") for w in words[start:start + size])
        out.append(fold(query) if len(out) % 2 else query)
    rng.shuffle(out)
    return out


class MemorySampler:
    """Peak resident memory of this process split into anonymous memory (Python objects) and file-backed pages (the
    index files whoosh maps into memory: the kernel drops those first), sampled from /proc five times a second."""

    def __init__(self):
        self.peak: dict[str, int] = {}
        if Path("/proc/self/status").exists():
            threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            for line in open("/proc/self/status", encoding="ascii"):
                key, _, value = line.partition(":")
                if key in ("RssAnon", "RssFile"):
                    self.peak[key] = max(self.peak.get(key, 0), int(value.split()[0]) // 1024)
            time.sleep(0.2)

    def report(self) -> str:
        if not self.peak:
            return ""
        anonymous, mapped = self.peak.get("RssAnon", 0), self.peak.get("RssFile", 0)
        return f"; peaks of its parts: {anonymous} MB anonymous, {mapped} MB file-backed"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int, help="articles to ingest from vietnews-100k (ignored with --queries-only)")
    parser.add_argument("--data-dir", help="keep the index here (default: a temporary folder, removed after)")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=3, help="times the query list is run")
    parser.add_argument("--queries-only", action="store_true",
                        help="skip the ingest: time the queries on the index already in --data-dir")
    args = parser.parse_args()
    if args.queries_only and not args.data_dir:
        parser.error("--queries-only needs --data-dir (the folder of an index built by an earlier run)")

    memory = MemorySampler()
    model = topics.load(topics.MODEL_PATH)
    folder = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="vnnews-bench-"))
    try:
        if not args.queries_only:
            report_ingest(folder, args.n, args.workers, model)
        with Store(folder, create=False) as store:
            print(f"index: {store.count()} articles in {folder}")
        report_queries(folder, args.rounds)
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak memory: {own:.0f} MB (this process{memory.report()}), {children:.0f} MB (largest worker)")
    finally:
        if not args.data_dir:
            shutil.rmtree(folder, ignore_errors=True)


def report_ingest(folder: Path, n: int, workers: int | None, model) -> None:
    with Store(folder) as store:
        # vietnews-100k repeats ids (77,371 distinct in 100,000): the line number makes each article its own
        records = ((f"vietnews:{i + 1}", dict(r, id=f"vietnews-line-{i + 1:06d}")) for i, r in enumerate(vietnews(n)))
        marks = {"next": 1000}

        def progress(summary) -> None:  # a line every 1,000 articles, so a long run reports as it goes
            if summary.processed >= marks["next"]:
                marks["next"] = (summary.processed // 1000 + 1) * 1000
                print(f"  progress: {summary.processed} articles in {summary.seconds:.0f} s = "
                      f"{summary.processed / max(summary.seconds, 1e-9):.1f} articles/s", flush=True)

        summary = ingest_records(store, records, model, topics.MODEL_PATH, workers=workers, progress=progress)
        count = store.count()
        size = store.size_bytes()
    processed = summary.processed
    work = sum(summary.timings.values()) or 1.0
    print(f"ingest: {processed} articles ({len(summary.rejected)} rejected) in {summary.seconds:.1f} s = "
          f"{processed / summary.seconds:.1f} articles/s; index holds {count}")
    print("  CPU seconds summed over workers: " + ", ".join(
        f"{name} {seconds:.1f} s ({100 * seconds / work:.0f}%)" for name, seconds in summary.timings.items()))
    print(f"index size: {size / 1e6:.1f} MB ({size / max(1, count) / 1e3:.1f} kB/article)")


def report_queries(folder: Path, rounds: int) -> None:
    with Store(folder, create=False) as store:
        first = []
        latencies = []
        for round_number in range(rounds):
            for item in QUERIES:
                q, extra = (item, {}) if isinstance(item, str) else item
                request = SearchRequest.from_params({"q": q, **extra})
                started = time.perf_counter()
                result = search(store, request)
                elapsed = (time.perf_counter() - started) * 1000
                (first if round_number == 0 else latencies).append(elapsed)
                if round_number == 0 and not result["total"] and q:
                    print(f"  note: no hits for {q!r} {extra}")
        latencies = latencies or first
    print(f"queries: {len(QUERIES)} distinct, {len(latencies)} timed after a warm-up round "
          "(facets over all matches and snippets included)")
    print(f"  latency ms: p50 {percentile(latencies, 50):.1f}  p95 {percentile(latencies, 95):.1f}  "
          f"p99 {percentile(latencies, 99):.1f}  max {max(latencies):.1f}  mean {statistics.mean(latencies):.1f}")
    print(f"  first round (cold caches) ms: p50 {percentile(first, 50):.1f}  max {max(first):.1f}")


if __name__ == "__main__":
    main()
