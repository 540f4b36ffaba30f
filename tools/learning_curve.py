"""How the topic model's cross-validated quality grows with the real labeled articles:
`python tools/learning_curve.py [--fractions 0.25 0.5 0.75 1]`.

The shipped pipeline (models.topics.build_pipeline with the C and cue weight models/topics.joblib records) in the grouped 5-fold
cross-validation `vnnews train` uses, except that each fold trains on the articles we wrote plus only the first
fraction of its real articles (one fixed random order). Every fold is scored on all its held-out articles, so the
figures differ only by how much real training data there was; the thresholds are chosen on the out-of-fold scores
as in training. Prints one JSON line per fraction: micro-F1 over the real articles (all, RSS items, full articles)
and F1 per label. Reads only the training data (corpus/ and corpus/real/ with ../shared/data), never dev or the
seeds. About a minute per fraction on this 2-core machine, after a minute and a half of feature texts.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import corpus  # noqa: E402
from corpus.real import load_real  # noqa: E402
from models import topics  # noqa: E402
from models.groups import story_groups  # noqa: E402
from vnnews import settings  # noqa: E402
from vnnews.labels import TOPICS  # noqa: E402


def _f1(gold: np.ndarray, predicted: np.ndarray) -> float:
    return round(float(2 * (gold & predicted).sum() / max(1, gold.sum() + predicted.sum())), 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.25, 0.5, 0.75, 1.0])
    parser.add_argument("--data", type=Path, default=None, help="the shared data folder (default: ../shared/data)")
    args = parser.parse_args()
    articles = corpus.load(None)
    articles += load_real(args.data or Path(settings.shared_data()))
    groups = np.array(story_groups([f"{a.title} {a.lead or a.body}" for a in articles]))
    texts = np.array([topics.feature_text(a.title, a.lead, a.body) for a in articles], dtype=object)
    kinds = np.array([a.extra.get("kind", "ours") for a in articles])
    real = kinds != "ours"
    y = topics.label_matrix([a.topics for a in articles])
    shipped = topics.load(ROOT / "models" / "topics.joblib").metrics  # what grouped cross-validation chose
    c, cue_weight = shipped["c"], shipped["cue_weight"]
    rank = np.random.default_rng(0).permutation(len(y))  # the fixed order in which real articles are kept
    cv, group_list = topics._folds(5, groups)  # the folds `vnnews train` cross-validates with
    folds = list(cv.split(texts, y, group_list))
    for fraction in args.fractions:
        started = time.perf_counter()
        oof = np.zeros(y.shape)
        kept_per_fold = []
        for train, test in folds:
            real_train = train[real[train]]
            keep = real_train[np.argsort(rank[real_train])][: int(round(fraction * len(real_train)))]
            kept_per_fold.append(len(keep))
            chosen = np.concatenate([train[~real[train]], keep])
            model = topics.build_pipeline(c, cue_weight)
            model.fit(list(texts[chosen]), y[chosen])
            oof[test] = model.predict_proba(list(texts[test]))
        thresholds = topics.best_thresholds(y, oof)
        predicted = (oof >= thresholds).astype(int)
        print(json.dumps({
            "fraction": fraction, "real_articles_per_fold": round(float(np.mean(kept_per_fold))),
            "thresholds": thresholds.tolist(),
            "real_micro_f1": _f1(y[real], predicted[real]),
            "rss_items": _f1(y[kinds == "rss"], predicted[kinds == "rss"]),
            "full_articles": _f1(y[kinds == "full"], predicted[kinds == "full"]),
            "per_label": {label: _f1(y[real, j], predicted[real, j]) for j, label in enumerate(TOPICS)},
            "seconds": round(time.perf_counter() - started),
        }), flush=True)


if __name__ == "__main__":
    main()
