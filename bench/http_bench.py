"""Search and digests through a running `vnnews serve`, over HTTP: `python bench/http_bench.py DATA_DIR`.

Starts `vnnews serve` on the index in DATA_DIR (built by `python bench/bench.py N --data-dir DATA_DIR`) as shipped
(one process per core, two threads each; --processes and --threads change that), and prints: seconds from start to /api/health answering, the first search's latency, query latency
p50/p95/p99 (facets and snippets included) with 8 clients at once (every server thread busy): first over queries
nobody asked before (words of random titles, each asked once: no cache has their terms), then over bench.py's query
mix and over its tone-less queries alone, the server's anonymous memory and PSS (from /proc) after the mix, and
the time and memory of digests without a topic over 31, 183 and 366 days.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench import QUERIES, fresh_queries, percentile  # bench.py beside this file

ROOT = Path(__file__).resolve().parents[1]
TONELESS = [q for q in QUERIES if isinstance(q, str) and q.isascii() and '"' not in q and " OR " not in q]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 120) -> tuple[float, bytes]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as response:
        body = response.read()
    return (time.perf_counter() - started) * 1000, body


def _memory(pid: int) -> dict[str, int]:
    """Anonymous resident memory and PSS of the server, in MB: summed over its serving processes (the forked copies
    share the parent's pages until either writes them, so the anonymous sum counts shared pages twice; PSS
    splits them)."""
    out = {"anonymous_mb": 0, "pss_mb": 0, "processes": 0}
    for process in [pid] + _children(pid):
        try:
            for line in open(f"/proc/{process}/status", encoding="ascii"):
                if line.startswith("RssAnon:"):
                    out["anonymous_mb"] += int(line.split()[1]) // 1024
            for line in open(f"/proc/{process}/smaps_rollup", encoding="ascii"):
                if line.startswith("Pss:"):
                    out["pss_mb"] += int(line.split()[1]) // 1024
            out["processes"] += 1
        except OSError:  # gone meanwhile
            pass
    return out


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in open(f"/proc/{pid}/task/{pid}/children", encoding="ascii").read().split()]
    except OSError:
        return []


def _url(base: str, item) -> str:
    q, extra = (item, {}) if isinstance(item, str) else item
    return f"{base}/api/search?" + urllib.parse.urlencode({"q": q, **extra})


def _concurrent(base: str, items: list, clients: int) -> list[float]:
    """Latencies of `items` asked by `clients` threads at once, each over one kept-alive connection (as a browser or
    an API client does: a new connection per request costs this 2-core machine's client side as much CPU as a
    cheap query costs the server)."""
    latencies: list[float] = []
    lock = threading.Lock()
    work = list(items)
    address = urllib.parse.urlsplit(base)

    def client() -> None:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=120)
        try:
            while True:
                with lock:
                    if not work:
                        return
                    item = work.pop()
                started = time.perf_counter()
                connection.request("GET", _url("", item))
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    raise RuntimeError(f"{_url('', item)} answered {response.status}")
                with lock:
                    latencies.append((time.perf_counter() - started) * 1000)
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--processes", default="auto", help="serving processes (vnnews serve --processes)")
    parser.add_argument("--threads", type=int, default=2, help="threads of each serving process")
    parser.add_argument("--fresh", type=int, default=200,
                        help="queries nobody asked before (words of random titles), each asked once, before the mix")
    args = parser.parse_args()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, VNNEWS_THREADS=str(args.threads), VNNEWS_PROCESSES=str(args.processes))
    started = time.perf_counter()
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "vnnews"), "--data-dir", str(args.data_dir), "serve",
                               "--port", str(port),], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    try:
        while True:
            try:
                _get(f"{base}/api/health", timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    sys.exit(server.stderr.read().decode())
                time.sleep(0.1)
        report = {"start_to_health_s": round(time.perf_counter() - started, 2), "server": {
            "processes": args.processes, "threads_each": args.threads, "clients": args.clients}}
        report["first_search_ms"] = round(_get(_url(base, "khởi nghiệp Đà Nẵng"))[0], 1)
        report["memory_after_start"] = _memory(server.pid)
        fresh = _concurrent(base, fresh_queries(args.fresh), args.clients)
        mix = _concurrent(base, QUERIES * args.rounds, args.clients)
        toneless = _concurrent(base, TONELESS * args.rounds, args.clients)
        for name, values in (("fresh", fresh), ("mix", mix), ("toneless", toneless)):
            report[f"{name}_ms"] = {"n": len(values), "p50": round(percentile(values, 50), 1),
                                    "p95": round(percentile(values, 95), 1), "p99": round(percentile(values, 99), 1),
                                    "max": round(max(values), 1)}
        report["memory_after_queries"] = _memory(server.pid)
        last = dt.date(2019, 12, 31)  # bench/common.py dates the benchmark's articles 2016-01-01 .. 2019-12-31
        for days in (31, 183, 366):
            params = {"from": (last - dt.timedelta(days=days - 1)).isoformat(), "to": last.isoformat()}
            elapsed, body = _get(f"{base}/api/digest?" + urllib.parse.urlencode(params), timeout=900)
            answer = json.loads(body)
            report[f"digest_{days}d"] = {"ms": round(elapsed, 1), "memory": _memory(server.pid),
                                         "matched": answer.get("total"), "read": answer.get("read")}
        print(json.dumps(report, indent=2))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
