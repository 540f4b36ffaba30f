"""Province salience learned from labeled articles: is a province the text names one the article is about?

For every province an article names (`models.provinces.candidates`), a gradient-boosted classifier reads where and
how it is named (title, lead, dateline, admin cue, inside an organisation's name, one of a list, how often and how
spread out, against the other provinces named) and answers a probability; the threshold is the one with the best
F1 on out-of-fold probabilities (grouped by story). Trained by `vnnews train` on the corpus and the real labeled
set; saved inside the topic model file (`TopicModel.salience`), so one file, one version check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.model_selection import GroupKFold, cross_val_predict

from vnnews.errors import ModelError
from vnnews.records import Article
from models.provinces import FEATURES, candidates, current_name

FOLDS = 5


@dataclass
class SalienceModel:
    classifier: GradientBoostingClassifier
    threshold: float
    metrics: dict = field(default_factory=dict)
    features: tuple[str, ...] = FEATURES

    def probabilities(self, rows: Sequence[dict[str, float]]) -> list[float]:
        """P(about the province) for each candidate's features."""
        if self.features != FEATURES:
            raise ModelError("the province model in the topic model file reads other features than this version "
                             "of vnnews; run `vnnews train`")
        if not rows:
            return []
        return self.classifier.predict_proba(_matrix(rows))[:, 1].tolist()


def _matrix(rows: Sequence[dict[str, float]]) -> np.ndarray:
    return np.array([[row[name] for name in FEATURES] for row in rows], dtype=float)


def _classifier() -> GradientBoostingClassifier:
    # Not HistGradientBoosting: it runs on OpenMP, and a process that has used OpenMP hangs in the workers it forks
    # (`vnnews ingest` forks its workers). This one is plain Cython, and fast enough at a few thousand rows.
    return GradientBoostingClassifier(n_estimators=200, learning_rate=0.05, max_depth=3, min_samples_leaf=20,
                                      subsample=0.8, random_state=0)


def examples(articles: Sequence[Article], groups: Sequence[int]):
    """(features, is-a-subject label, group, article index) of every candidate province of every article."""
    rows, labels, row_groups, owners = [], [], [], []
    for i, (article, group) in enumerate(zip(articles, groups)):
        gold = {current_name(p) or p for p in article.provinces}
        for candidate in candidates(article.title, article.body, article.lead):
            rows.append(candidate.features)
            labels.append(int(candidate.name in gold))
            row_groups.append(group)
            owners.append(i)
    return rows, np.array(labels), row_groups, np.array(owners)


def _best_threshold(y: np.ndarray, p: np.ndarray, missed: int) -> tuple[float, float]:
    """Threshold with the best F1 over (article, province) pairs; gold provinces never named count as misses."""
    best = (0.5, -1.0)
    for t in np.arange(0.2, 0.81, 0.01):
        pred = p >= t
        tp = int(np.sum(pred & (y == 1)))
        f1 = 2 * tp / max(1, int(pred.sum()) + int(y.sum()) + missed)
        if f1 > best[1] + 1e-9:
            best = (round(float(t), 2), f1)
    return best


def train(articles: Sequence[Article], groups: Sequence[int]) -> SalienceModel:
    """Fit on every labeled article's candidates; threshold by grouped out-of-fold F1."""
    rows, y, row_groups, owners = examples(articles, groups)
    x = _matrix(rows)
    named = {(i, n) for i, a in enumerate(articles) for n in {current_name(p) or p for p in a.provinces}}
    missed = len(named) - int(y.sum())  # gold provinces the gazetteer never finds: no threshold recovers them
    oof = cross_val_predict(_classifier(), x, y, cv=GroupKFold(FOLDS, shuffle=True, random_state=0),
                            groups=row_groups, method="predict_proba")[:, 1]
    threshold, f1 = _best_threshold(y, oof, missed)
    kinds = np.array([articles[i].extra.get("kind", "ours") for i in owners])
    metrics = {"candidates": len(y), "threshold": threshold, "cv_f1": round(f1, 4), "never_named": missed}
    for kind in ("rss", "full"):
        mask = kinds == kind
        pred = oof[mask] >= threshold
        tp = int(np.sum(pred & (y[mask] == 1)))
        kind_named = sum(1 for i, _ in named if articles[i].extra.get("kind") == kind)
        p = tp / max(1, int(pred.sum()))
        r = tp / max(1, kind_named)
        metrics[f"cv_{kind}"] = {"precision": round(p, 4), "recall": round(r, 4),
                                 "f1": round(2 * p * r / max(1e-9, p + r), 4)}
    return SalienceModel(_classifier().fit(x, y), threshold, metrics)
