"""The model card: how well the tagger does, per label and per kind of text, with 95% bootstrap intervals, beside
the cross-validated figures it was chosen by and what it was trained on (`vnnews evaluate --card`)."""

from __future__ import annotations

import random
from typing import Sequence

from models.evaluate import province_report, topic_report

BOOTSTRAP = 1000
KNOWN_ERRORS = (
    "Full-length articles are weaker than feed items: a topic met in one section of a long article (an AI "
    "paragraph in a policy speech, a startup fund in a city's plan) is sometimes taken for the subject, and a "
    "subject carried by the body alone, under a headline that does not name it, is sometimes missed.",
    "`startup` against plain business news: a founder's story at a now-large firm, a well-funded private "
    "company or an innovation award split readers too; the model follows the majority.",
    "`digital_transformation` against gadgets, cyber-security and data-protection news: named platforms (VNeID, "
    "e-invoices, data centres) pull the score up even when the article is about something else.",
    "Provinces: a place named only through a landmark, a university or a road, and the venue of a national "
    "event, are the usual misses and false alarms; a province the text never names cannot be found.",
)


def _kind(row: dict) -> str:
    return "rss" if str(row.get("id", "")).startswith("rss-") or len(row.get("body") or "") < 800 else "full"


def _interval(values: list[float]) -> list[float]:
    values = sorted(values)
    return [round(values[int(0.025 * len(values))], 3), round(values[int(0.975 * len(values)) - 1], 3)]


def _figures(gold_topics, pred_topics, gold_prov, pred_prov, seed: int) -> dict:
    """Point figures and bootstrap intervals (resampling articles) for one set of articles."""
    n = len(gold_topics)
    point = topic_report(gold_topics, pred_topics)
    prov = province_report(gold_prov, pred_prov)
    out = {"articles": n, "topics_micro_f1": point["micro_f1"],
           "labels": {k: {m: v[m] for m in ("precision", "recall", "f1", "support")}
                      for k, v in point["labels"].items()},
           "provinces": {m: prov[m] for m in ("precision", "recall", "f1", "support")}}
    rng = random.Random(seed)
    samples: dict[str, list[float]] = {}
    for _ in range(BOOTSTRAP):
        idx = [rng.randrange(n) for _ in range(n)]
        t = topic_report([gold_topics[i] for i in idx], [pred_topics[i] for i in idx])
        p = province_report([gold_prov[i] for i in idx], [pred_prov[i] for i in idx])
        samples.setdefault("topics_micro_f1", []).append(t["micro_f1"])
        for label, v in t["labels"].items():
            samples.setdefault(f"{label}.f1", []).append(v["f1"])
        samples.setdefault("provinces.f1", []).append(p["f1"])
        samples.setdefault("provinces.precision", []).append(p["precision"])
    out["ci95"] = {k: _interval(v) for k, v in samples.items()}
    return out


def card(rows: Sequence[dict], gold_prov: Sequence[list[str]], tags: Sequence, model, data_name: str) -> dict:
    """The card for labeled `rows` (dev-set layout) and the model's `tags` of them."""
    pred_topics = [t.topics for t in tags]
    pred_prov = [t.provinces for t in tags]
    gold_topics = [r.get("topics", []) for r in rows]
    kinds = [_kind(r) for r in rows]
    by_kind = {}
    for kind in ("rss", "full"):
        idx = [i for i, k in enumerate(kinds) if k == kind]
        if idx:
            by_kind[kind] = _figures([gold_topics[i] for i in idx], [pred_topics[i] for i in idx],
                                     [gold_prov[i] for i in idx], [pred_prov[i] for i in idx], seed=len(idx))
    metrics = model.metrics
    return {
        "model": model.version, "measured_on": data_name,
        "measured_on_note": "never seen in training: nothing (settings, thresholds, rules) was chosen on it",
        "all": _figures(gold_topics, pred_topics, list(gold_prov), pred_prov, seed=0), "by_kind": by_kind,
        "cross_validation": {"topics": metrics.get("cross_validation", {}).get("micro_f1"),
                             "topics_by_label": {k: v["f1"] for k, v in
                                                 metrics.get("cross_validation", {}).get("labels", {}).items()},
                             "provinces": metrics.get("provinces"), "grouped": metrics.get("grouped"),
                             "chosen": {"c": metrics.get("c"), "cue_weight": metrics.get("cue_weight"),
                                        "thresholds": model.thresholds, "rules_kept": model.rules,
                                        "grid": metrics.get("grid")}},
        "training_articles": metrics.get("training_sources"), "known_errors": list(KNOWN_ERRORS),
    }
