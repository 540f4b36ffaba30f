"""Draw the articles to label for corpus/real/ from ../shared/data, and write reading batches outside the repository.

Usage: python tools/sample_for_labeling.py OUT_DIR [--data ../shared/data] [--seed 20261205]

The sample is stratified so each topic has enough positives: keyword pools (which only pick candidates; the labels come
from reading), the current model's uncertain cases, and plain random draws for the negatives and the provinces. The
dev set's items are left out. The batches hold the article text, so they go to OUT_DIR, never into the repository;
`refs.jsonl` in OUT_DIR lists each drawn article's reference and the pool that drew it.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import lzma
import random
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

POOLS = {
    "ai": re.compile(r"\bAI\b|A\.I\.|trí tuệ nhân tạo|chatgpt|chatbot|gemini|openai|deepfake|học máy|machine learning|"
                     r"học sâu|mô hình ngôn ngữ|robot", re.IGNORECASE),
    "startup": re.compile(r"khởi nghiệp|start-?\s?up|gọi vốn|đầu tư mạo hiểm|shark tank|vườn ươm|đổi mới sáng tạo|"
                          r"nhà đầu tư thiên thần|kỳ lân|tăng tốc khởi", re.IGNORECASE),
    "digital_transformation": re.compile(
        r"chuyển đổi số|số hó?á|chính phủ số|chính quyền số|kinh tế số|dịch vụ công trực tuyến|vneid|đề án 06|"
        r"không dùng tiền mặt|hóa đơn điện tử|hoá đơn điện tử|chính phủ điện tử|thông minh|cơ sở dữ liệu|4\.0",
        re.IGNORECASE),
}
# How many to draw per source and pool: (source, pool) → count. "uncertain" and "random" are not keyword pools.
PLAN = {
    "rss": {"ai": 300, "startup": 280, "digital_transformation": 300, "uncertain": 120, "random": 300},
    "vietnews": {"ai": 150, "startup": 250, "digital_transformation": 200, "uncertain": 100, "random": 400},
    "vntc": {"startup": 40, "digital_transformation": 40, "random": 120},
}
UNCERTAIN_SCORED = {"rss": 4000, "vietnews": 2500}


def title_hash(title: str) -> str:
    return hashlib.sha1(unicodedata.normalize("NFC", title).encode("utf-8")).hexdigest()[:10]


def read_rss(data: Path, dev_ids: set[str]) -> list[dict]:
    out = []
    with gzip.open(data / "rss-2025-08-2026-02.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            r = json.loads(line)
            if "rss-" + r["id"][:12] in dev_ids:
                continue
            out.append({"ref": {"file": "rss-2025-08-2026-02.jsonl.gz", "id": r["id"]}, "kind": "rss",
                        "date": r.get("published", "")[:10], "title": r["title"], "lead": r.get("summary", ""),
                        "body": "", "source": ", ".join(r.get("sources", []))})
    return out


def read_vietnews(data: Path, dev_ids: set[str], dev_titles: set[str]) -> list[dict]:
    out = []
    with gzip.open(data / "vietnews-100k.jsonl.gz", "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            r = json.loads(line)
            if r["id"] in dev_ids or r["title"].strip() in dev_titles:
                continue
            out.append({"ref": {"file": "vietnews-100k.jsonl.gz", "line": number, "title_sha": title_hash(r["title"])},
                        "kind": "full", "date": "2016-2019", "title": r["title"], "lead": r.get("lead", ""),
                        "body": r.get("body", "")})
    return out


def read_vntc(data: Path) -> list[dict]:
    out = []
    with lzma.open(data / "vntc10-train.jsonl.xz", "rt", encoding="utf-8") as handle:
        for line in handle:
            r = json.loads(line)
            text = r["text"].strip()
            out.append({"ref": {"file": "vntc10-train.jsonl.xz", "id": r["id"]}, "kind": "full", "date": "2006-2007",
                        "title": "", "lead": "", "body": text})
    return out


def _ref_key(item: dict) -> str:
    """One string per referenced article, to tell drawn articles apart."""
    return json.dumps(item["ref"], sort_keys=True)


def text_of(item: dict) -> str:
    return unicodedata.normalize("NFC", " ".join((item["title"], item["lead"], item["body"])))


def uncertain(items: list[dict], n_score: int, n_pick: int, rng: random.Random) -> list[dict]:
    """The `n_pick` items, among `n_score` random ones, whose topic scores sit nearest their thresholds."""
    from corpus import Article
    from models.tagger import tag_many
    from models.topics import load as load_model
    model = load_model(ROOT / "models" / "topics.joblib")
    pool = rng.sample(items, min(n_score, len(items)))
    arts = [Article(id=str(i), title=it["title"] or it["body"][:80], lead=it["lead"], body=it["body"] or it["lead"])
            for i, it in enumerate(pool)]
    margins = []
    for start in range(0, len(arts), 200):
        for j, tags in enumerate(tag_many(arts[start:start + 200], model)):
            th = model.thresholds
            margins.append(min(abs(tags.topic_scores[t] - th[t]) for t in th))
    order = sorted(range(len(pool)), key=lambda i: margins[i])
    return [pool[i] for i in order[:n_pick]]


def write_batches(out: Path, batches, refs_mode: str) -> None:
    """Write numbered batches of drawn items as reading files `batch-NN.txt` and their references to `refs.jsonl`
    (`refs_mode` "w" starts it, "a" adds to it)."""
    with open(out / "refs.jsonl", refs_mode, encoding="utf-8") as refs:
        for b, batch in batches:
            with open(out / f"batch-{b:02d}.txt", "w", encoding="utf-8") as handle:
                for k, item in enumerate(batch, 1):
                    key = f"b{b:02d}-{k:03d}"
                    ref = {"key": key, "ref": item["ref"], "pool": item["pool"], "kind": item["kind"]}
                    if "labeled_on" in item:
                        ref["labeled_on"] = item["labeled_on"]
                    refs.write(json.dumps(ref, ensure_ascii=False) + "\n")
                    handle.write(f"=== {key} | date: {item['date']}\n")
                    for label, field in (("TITLE", "title"), ("LEAD", "lead"), ("BODY", "body")):
                        if item[field]:
                            handle.write(f"{label}: {item[field]}\n")
                    handle.write("\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--seed", type=int, default=20261205)
    ap.add_argument("--no-model", action="store_true", help="skip the uncertain pool (draw random instead)")
    ap.add_argument("--round", type=int, default=1,
                    help="2: the second round's headline-keyword RSS batches; 3: the third round's batches")
    args = ap.parse_args()
    if args.round == 2:
        second_round(args.out, args.data, 230, args.seed)
        return
    if args.round == 3:
        third_round(args.out, args.data, args.seed)
        return
    rng = random.Random(args.seed)
    dev = [json.loads(line) for line in open(args.data / "dev-labeled.jsonl", encoding="utf-8")]
    dev_ids = {d["id"] for d in dev}
    dev_titles = {d["title"].strip() for d in dev}
    sources = {"rss": read_rss(args.data, dev_ids), "vietnews": read_vietnews(args.data, dev_ids, dev_titles),
               "vntc": read_vntc(args.data)}
    drawn: list[dict] = []
    taken: set[str] = set()
    for source, plan in PLAN.items():
        items = sources[source]
        rng.shuffle(items)
        drawn += draw(source, items, plan, taken, rng, model=not args.no_model)
    rng.shuffle(drawn)
    args.out.mkdir(parents=True, exist_ok=True)
    rss = [d for d in drawn if d["kind"] == "rss"]
    full = [d for d in drawn if d["kind"] == "full"]
    batches = [rss[i::4] for i in range(4)] + [full[i::8] for i in range(8)]
    write_batches(args.out, enumerate(batches, 1), "w")
    print(f"{len(drawn)} articles in {len(batches)} batches under {args.out}", file=sys.stderr)


TITLE_POOLS = {
    "ai": re.compile(r"\bAI\b|trí tuệ nhân tạo|chatgpt|chatbot|gemini|openai|deepfake|nvidia", re.IGNORECASE),
    "startup": re.compile(r"khởi nghiệp|start-?\s?up|gọi vốn|shark tank|quỹ đầu tư|đổi mới sáng tạo|kỳ lân",
                          re.IGNORECASE),
    "digital_transformation": re.compile(r"chuyển đổi số|số hó?á|chính quyền số|chính phủ số|kinh tế số|"
                                         r"dịch vụ công|vneid|đề án 06|không dùng tiền mặt|hóa đơn điện tử|"
                                         r"dữ liệu|định danh", re.IGNORECASE),
}


def draw(source: str, items: list[dict], plan: dict[str, int], taken: set[str], rng: random.Random, *,
         model: bool = True, extra: dict | None = None) -> list[dict]:
    """Draw each pool's count from `items` (shuffled) in the plan's order, skipping what is in `taken` (and adding what
    is drawn to it) and texts under 40 characters. Pools: "random", "uncertain" (the model's least sure; random
    without `model`), "title-<topic>" (a topic word in the headline) or a topic (a topic word in the text)."""
    drawn = []
    for pool, count in plan.items():
        if pool == "random":
            candidates = items
        elif pool == "uncertain":
            candidates = (uncertain([i for i in items if _ref_key(i) not in taken], UNCERTAIN_SCORED[source], count,
                                    rng) if model else []) or items
        elif pool.startswith("title-"):
            candidates = (i for i in items if TITLE_POOLS[pool[len("title-"):]].search(i["title"]))
        else:
            candidates = (i for i in items if POOLS[pool].search(text_of(i)))
        got = 0
        for item in candidates:
            key = _ref_key(item)
            if key in taken or len(text_of(item)) < 40:
                continue
            taken.add(key)
            drawn.append(dict(item, pool=f"{source}:{pool}", **(extra or {})))
            got += 1
            if got == count:
                break
        print(f"{source}:{pool}: {got}", file=sys.stderr)
    return drawn


def second_round(out: Path, data: Path, per_topic: int, seed: int) -> None:
    """Round 2: RSS items whose headline names a topic word, not drawn before, in two more batches (13, 14): the
    first round left each topic short of 300 positives."""
    rng = random.Random(seed + 2)
    dev_ids = {json.loads(line)["id"] for line in open(data / "dev-labeled.jsonl", encoding="utf-8")}
    taken = {_ref_key(json.loads(line)) for line in open(out / "refs.jsonl")}
    items = [i for i in read_rss(data, dev_ids) if _ref_key(i) not in taken]
    rng.shuffle(items)
    drawn = []
    for topic, pattern in TITLE_POOLS.items():
        chosen = {_ref_key(d) for d in drawn}
        got = [i for i in items if pattern.search(i["title"]) and _ref_key(i) not in chosen][:per_topic]
        drawn += [dict(i, pool=f"rss:title-{topic}") for i in got]
        print(f"rss:title-{topic}: {len(got)}", file=sys.stderr)
    rng.shuffle(drawn)
    write_batches(out, ((13, drawn[0::2]), (14, drawn[1::2])), "a")


# Round 3 (2026-12-06): more full articles (province salience is learned from them, and they carry few topic
# positives) and more RSS items where the model is unsure, that name startup words (round 2 took every headline that
# does) or whose headline names digital-transformation words.
THIRD_PLAN = {
    "vietnews": {"startup": 80, "digital_transformation": 60, "ai": 20, "uncertain": 60, "random": 100},
    "rss": {"uncertain": 200, "startup": 100, "title-digital_transformation": 100, "random": 100},
}


def third_round(out: Path, data: Path, seed: int) -> None:
    """Round 3: articles not drawn before, in batches 15-16 (full articles) and 17-18 (RSS items); refs are appended
    with the round's date, which export_labels.py writes as `labeled_on`."""
    rng = random.Random(seed + 3)
    dev = [json.loads(line) for line in open(data / "dev-labeled.jsonl", encoding="utf-8")]
    dev_ids, dev_titles = {d["id"] for d in dev}, {d["title"].strip() for d in dev}
    taken = {_ref_key(json.loads(line)) for line in open(out / "refs.jsonl")}
    sources = {"vietnews": read_vietnews(data, dev_ids, dev_titles), "rss": read_rss(data, dev_ids)}
    drawn: dict[str, list[dict]] = {}
    for source, plan in THIRD_PLAN.items():
        items = [i for i in sources[source] if _ref_key(i) not in taken and len(text_of(i)) >= 40]
        rng.shuffle(items)
        drawn[source] = draw(source, items, plan, taken, rng, extra={"labeled_on": "2026-12-06"})
    for items in drawn.values():
        rng.shuffle(items)
    full, rss = drawn["vietnews"], drawn["rss"]
    write_batches(out, ((15, full[0::2]), (16, full[1::2]), (17, rss[0::2]), (18, rss[1::2])), "a")


if __name__ == "__main__":
    main()
