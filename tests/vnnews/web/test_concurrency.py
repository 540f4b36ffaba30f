"""A real waitress server: 20 writers post 1000 articles while 5 readers search; every acknowledged id is found."""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from service import create_app

KEY = "concurrency-key"
WRITERS, PER_WRITER, READERS = 20, 50, 5

PLACES = ["Đà Nẵng", "Hà Nội", "TP.HCM", "Cần Thơ", "Huế", "Hải Phòng", "Nghệ An", "Khánh Hòa"]
SUBJECTS = ["Startup", "Doanh nghiệp công nghệ", "Sở Khoa học và Công nghệ", "Trường đại học", "Ngân hàng số",
            "Bệnh viện", "Hợp tác xã nông nghiệp"]
ACTIONS = ["gọi vốn hạt giống cho", "ứng dụng trí tuệ nhân tạo vào", "chuyển đổi số", "ra mắt nền tảng",
           "thử nghiệm chatbot cho", "số hoá hồ sơ của"]
OBJECTS = ["dịch vụ giao hàng", "khám chữa bệnh", "thủ tục hành chính", "nông sản sạch", "thanh toán không tiền mặt",
           "đào tạo kỹ năng số"]


def article(writer: int, k: int) -> dict:
    """A small, varied Vietnamese article with a distinct id."""
    rng = random.Random(writer * 1000 + k)
    place, subject, action, obj = (rng.choice(PLACES), rng.choice(SUBJECTS), rng.choice(ACTIONS),
                                   rng.choice(OBJECTS))
    return {
        "id": f"conc-{writer:02d}-{k:03d}",
        "title": f"{subject} tại {place} {action} {obj} (số {k})",
        "lead": f"{subject} ở {place} công bố kế hoạch {action} {obj} trong năm nay.",
        "body": f"Theo đại diện {subject.lower()}, dự án {obj} tại {place} sẽ triển khai trong {rng.randint(2, 24)} "
                f"tháng với kinh phí {rng.randint(1, 90)} tỷ đồng. Người dân và doanh nghiệp {place} được hưởng lợi.",
        "source": f"Nguồn thử {writer:02d}",
        "published": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    }


def call(base: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    req = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture
def server(demo_copy, model_path, waitress_server):
    return waitress_server(create_app({"DATA_DIR": str(demo_copy), "MODEL_PATH": str(model_path), "API_KEY": KEY}))


def test_concurrent_writes_and_searches(server):
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    acknowledged: dict[int, set[str]] = {w: set() for w in range(WRITERS)}
    failures: list[str] = []
    searches = [0]
    done = threading.Event()
    lock = threading.Lock()

    def writer(w: int) -> None:
        try:
            records = [article(w, k) for k in range(PER_WRITER)]
            # a mix of request shapes: 10 single articles, then batches of 10 (JSON) and 10 (JSON Lines)
            chunks = [[r] for r in records[:10]] + [records[i:i + 10] for i in range(10, PER_WRITER, 10)]
            for n, chunk in enumerate(chunks):
                if len(chunk) == 1:
                    status, raw = call(server, "POST", "/api/articles", json.dumps(chunk[0]).encode(), headers)
                elif n % 2:
                    status, raw = call(server, "POST", "/api/articles",
                                       "\n".join(json.dumps(r) for r in chunk).encode(),
                                       {**headers, "Content-Type": "application/x-ndjson"})
                else:
                    status, raw = call(server, "POST", "/api/articles", json.dumps({"articles": chunk}).encode(),
                                       headers)
                if status != 201:
                    with lock:
                        failures.append(f"writer {w}: POST → {status} {raw[:300]!r}")
                    continue
                body = json.loads(raw)
                if body["errors"] or [r["status"] for r in body["results"]] != ["added"] * len(chunk):
                    with lock:
                        failures.append(f"writer {w}: {body}")
                acknowledged[w].update(r["id"] for r in body["results"])
        except Exception as exc:  # any crash is a failure of the test, reported below
            with lock:
                failures.append(f"writer {w}: {exc!r}")

    def reader(r: int) -> None:
        queries = ["khoi nghiep", "chuyển đổi số", "tri tue nhan tao da nang", "", "gọi vốn"]
        try:
            while not done.is_set():
                q = urllib.parse.urlencode({"q": queries[(r + searches[0]) % len(queries)], "sort": "relevance"})
                status, raw = call(server, "GET", f"/api/search?{q}")
                if status != 200:
                    with lock:
                        failures.append(f"reader {r}: search → {status} {raw[:300]!r}")
                    return
                json.loads(raw)
                with lock:
                    searches[0] += 1
        except Exception as exc:
            with lock:
                failures.append(f"reader {r}: {exc!r}")

    readers = [threading.Thread(target=reader, args=(r,)) for r in range(READERS)]
    writers = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    started = time.perf_counter()
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join(timeout=600)
    done.set()
    for t in readers:
        t.join(timeout=120)
    elapsed = time.perf_counter() - started

    assert not failures, failures[:5]
    assert not any(t.is_alive() for t in writers + readers), "a client thread hung"
    assert searches[0] >= READERS, f"only {searches[0]} searches ran in {elapsed:.0f}s"
    assert sum(len(ids) for ids in acknowledged.values()) == WRITERS * PER_WRITER

    for w, ids in acknowledged.items():
        for article_id in sorted(ids):
            status, raw = call(server, "GET", f"/api/articles/{article_id}")
            assert status == 200 and json.loads(raw)["id"] == article_id
        q = urllib.parse.urlencode({"source": f"Nguồn thử {w:02d}", "per_page": 100})
        status, raw = call(server, "GET", f"/api/search?{q}")
        assert status == 200
        body = json.loads(raw)
        assert body["total"] == PER_WRITER
        assert {h["id"] for h in body["hits"]} == ids
    status, raw = call(server, "GET", "/api/health")
    assert status == 200 and json.loads(raw)["articles"] >= WRITERS * PER_WRITER
