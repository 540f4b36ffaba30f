"""How much of the dev-set topic figure comes from choosing thresholds on the dev set itself:
`python bench/threshold_holdout.py [--repeats 10]`.

`vnnews train` chooses the per-label thresholds on ../shared/data/dev-labeled.jsonl (allowed: it is a dev set), so
`vnnews evaluate` on that file is measured in-sample. Here the shipped model's scores are split in two halves at
random, thresholds are chosen on one half and micro-F1 is measured on the other, both ways, `--repeats` times: the
figure to expect on real news neither half has seen.
"""

from __future__ import annotations

import argparse
import random
import statistics

import numpy as np
from common import ROOT  # noqa: F401  (puts the project on the path)

from models import topics
from models.cues import digital_rules
from models.evaluate import DEV_SET, read_labeled


def micro_f1(y: np.ndarray, predicted: np.ndarray) -> float:
    tp = int(np.sum(predicted & (y == 1)))
    return 2 * tp / max(1, int(predicted.sum()) + int(y.sum()))


def with_rules(predicted: np.ndarray, texts: list[str]) -> np.ndarray:
    """The thresholded labels, then the labeling rules `decide` applies (models.cues.digital_rules)."""
    ruled = predicted.copy()
    for i, text in enumerate(texts):
        labels = digital_rules([label for j, label in enumerate(topics.TOPICS) if predicted[i, j]], text)
        ruled[i] = [label in labels for label in topics.TOPICS]
    return ruled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    if not DEV_SET.is_file():
        raise SystemExit(f"{DEV_SET} is missing: this check needs ../shared/data beside the project")
    rows = read_labeled(DEV_SET)
    model = topics.load(topics.MODEL_PATH)
    texts = [topics.feature_text(r.get("title") or "", r.get("lead") or "", r.get("body") or "") for r in rows]
    scores = np.array([[s[label] for label in topics.TOPICS] for s in model.scores(texts)])
    y = topics.label_matrix([r.get("topics", []) for r in rows])
    fixed = np.array([model.thresholds[label] for label in topics.TOPICS])
    print(f"{len(rows)} dev articles; shipped thresholds {model.thresholds}: "
          f"micro-F1 {micro_f1(y, with_rules(scores >= fixed, texts)):.3f} (in-sample)")
    rng = random.Random(0)
    held_out = []
    for _ in range(args.repeats):
        order = list(range(len(rows)))
        rng.shuffle(order)
        halves = (np.array(order[: len(order) // 2]), np.array(order[len(order) // 2:]))
        for choose, measure in (halves, halves[::-1]):
            chosen = topics.best_thresholds(y[choose], scores[choose])
            held_out.append(micro_f1(y[measure], with_rules(scores[measure] >= chosen, [texts[i] for i in measure])))
    print(f"thresholds chosen on one half, measured on the other ({len(held_out)} times): micro-F1 "
          f"{statistics.mean(held_out):.3f} (min {min(held_out):.3f}, max {max(held_out):.3f})")


if __name__ == "__main__":
    main()
