"""Merge the labeling pass's readings into corpus/real/labels.jsonl and print agreement figures.

Usage: python tools/export_labels.py LABELING_DIR [--on 2026-12-05]

LABELING_DIR holds `refs.jsonl` (key → reference, from tools/sample_for_labeling.py) and `out/batch-NN.{A,B}.jsonl`
(two independent readings of each batch) and `out/batch-X*.C.jsonl` (a third reading of every article the first two
disagreed on). Where A and B agree their labels stand; else each topic, and each province named by anyone, takes the
majority of the three readings. Prints Cohen's kappa per topic and for provinces (article × province named by
either reader), and the counts, as Markdown for corpus/real/README.md.
"""

from __future__ import annotations

import argparse
import glob
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOPICS = ("ai", "startup", "digital_transformation")


def _read(path: str) -> dict[str, dict]:
    return {r["key"]: r for r in (json.loads(line) for line in open(path, encoding="utf-8") if line.strip())}


def kappa(a: list[bool], b: list[bool]) -> float:
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("labeling", type=Path)
    ap.add_argument("--on", default="2026-12-05")
    args = ap.parse_args()
    refs = {r["key"]: r for r in (json.loads(line) for line in open(args.labeling / "refs.jsonl", encoding="utf-8"))}
    a, b, c = {}, {}, {}
    for path in sorted(glob.glob(str(args.labeling / "out" / "batch-*.A.jsonl"))):
        a.update(_read(path))
        b.update(_read(path.replace(".A.", ".B.")))
    for path in sorted(glob.glob(str(args.labeling / "out" / "batch-X*.C.jsonl"))):
        c.update(_read(path))
    keys = [k for k in refs if k in a and k in b]
    out, unresolved, third = [], [], 0
    seen: set[str] = set()
    for key in keys:
        reference = json.dumps(refs[key]["ref"], sort_keys=True)
        if reference in seen:  # drawn twice by the second round (two topic pools); read twice, kept once
            continue
        seen.add(reference)
        ra, rb = a[key], b[key]
        if set(ra["topics"]) == set(rb["topics"]) and set(ra["provinces"]) == set(rb["provinces"]):
            topics, provinces, by = ra["topics"], ra["provinces"], "two readers (agreed)"
        elif key in c:
            rc = c[key]
            topics = [t for t in TOPICS if sum(t in r["topics"] for r in (ra, rb, rc)) >= 2]
            named = dict.fromkeys(ra["provinces"] + rb["provinces"] + rc["provinces"])
            provinces = [p for p in named if sum(p in r["provinces"] for r in (ra, rb, rc)) >= 2]
            by, third = "three readers (majority)", third + 1
        else:
            unresolved.append(key)
            continue
        ref = refs[key]
        record = dict(ref["ref"], topics=[t for t in TOPICS if t in topics], provinces=provinces,
                      labeled_by=f"{by}, by LABELING.md", labeled_on=ref.get("labeled_on", args.on), pool=ref["pool"])
        out.append(record)
    target = ROOT / "corpus" / "real" / "labels.jsonl"
    with open(target, "w", encoding="utf-8") as handle:
        for record in out:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    kinds = Counter(refs[k]["kind"] for k in keys)
    print(f"{len(out)} articles written to {target} ({third} settled by a third reading; "
          f"{len(unresolved)} left out, no third reading)", file=sys.stderr)
    print("| label | kappa (A vs B) | positives (final) |\n|---|---|---|")
    for t in TOPICS:
        print(f"| {t} | {kappa([t in a[k]['topics'] for k in keys], [t in b[k]['topics'] for k in keys]):.3f} | "
              f"{sum(t in r['topics'] for r in out)} |")
    names = sorted({p for k in keys for p in a[k]["provinces"] + b[k]["provinces"]})
    pa = [p in a[k]["provinces"] for k in keys for p in names]
    pb = [p in b[k]["provinces"] for k in keys for p in names]
    with_province = sum(bool(r["provinces"]) for r in out)
    print(f"| provinces (article × province) | {kappa(pa, pb):.3f} | {with_province} articles with one or more |")
    print(f"\nDouble-read: {len(keys)} ({kinds['rss']} RSS items, {kinds['full']} full articles); "
          f"A and B agreed on everything for {len(keys) - third - len(unresolved)}.")
    by_file = Counter(r["file"] for r in out)
    print("By source: " + ", ".join(f"{f}: {n}" for f, n in sorted(by_file.items())))


if __name__ == "__main__":
    main()
