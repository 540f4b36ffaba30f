"""Tag quality figures: per-label precision/recall/F1, micro and macro F1, and province P/R/F1 (pure functions).

>>> topic_report([["ai"], ["startup"]], [["ai"], []])["micro_f1"]
0.6667
"""

from __future__ import annotations

from typing import Sequence

from vnnews.labels import TOPICS


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": tp + fn}


def _counts(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], label: str | None = None):
    tp = fp = fn = 0
    for g, p in zip(gold, pred):
        g, p = set(g), set(p)
        if label is not None:
            g, p = g & {label}, p & {label}
        tp += len(g & p)
        fp += len(p - g)
        fn += len(g - p)
    return tp, fp, fn


def topic_report(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]],
                 labels: Sequence[str] = TOPICS) -> dict:
    """Per-label P/R/F1 plus micro and macro F1 and exact-match accuracy."""
    per_label = {label: _prf(*_counts(gold, pred, label)) for label in labels}
    micro = _prf(*_counts(gold, pred))
    return {
        "labels": per_label,
        "micro_f1": micro["f1"], "micro_precision": micro["precision"], "micro_recall": micro["recall"],
        "macro_f1": round(sum(v["f1"] for v in per_label.values()) / len(labels), 4),
        "exact_match": round(sum(set(g) == set(p) for g, p in zip(gold, pred)) / max(1, len(gold)), 4),
        "n": len(gold),
    }


def province_report(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> dict:
    """Micro P/R/F1 over (article, province) pairs, both sides already mapped to current province names."""
    out = _prf(*_counts(gold, pred))
    out["exact_match"] = round(sum(set(g) == set(p) for g, p in zip(gold, pred)) / max(1, len(gold)), 4)
    return out
