"""The multi-label topic classifier: train, save, load, predict.

Features are TF-IDF over underthesea words (title counted twice), TF-IDF over character n-grams of the tone-folded
text, and counts of the topic cues of LABELING.md (models.cues), fed to one logistic regression per label.
Per-label thresholds are chosen on labeled real news when given (the dev set, by `vnnews train`), else on
out-of-fold probabilities over the corpus, and saved with the model, so `decide` needs no extra data; given the
article's feature text, `decide` then applies the labeling rules the scores miss (models.cues.digital_rules). The
saved file carries the label set, the scikit-learn version, the corpus hash and the cross-validated figures; a model
saved under another scikit-learn version is refused.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import joblib
import numpy as np
import sklearn
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, KFold, cross_val_predict
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from vnnews.labels import TOPICS
from vnnews.records import Article
from vnnews.errors import ModelError
from models.cues import PART, cue_features, digital_rules
from models.scores import topic_report
from nlp.fold import fold
from nlp.segment import segment

MODEL_PATH = Path(__file__).resolve().parent / "topics.joblib"
FORMAT = 5  # bump when the feature text changes, so old files are refused
BODY_CHARS = 8000  # the topic of a news article is settled long before its end; segmenting less is faster
THRESHOLD_RANGE = (0.25, 0.75)


def feature_words(title_words: Sequence[str], lead_words: Sequence[str], body_words: Sequence[str]) -> list[str]:
    """The words the classifier reads: the title twice (titles carry the topic), the lead, the body's first part,
    separated by PART marks (the cue features find the title and the opening sentence by them)."""
    head: list[str] = []
    size = 0
    for word in body_words:
        head.append(word)
        size += len(word) + 1
        if size >= BODY_CHARS:
            break
    return [*title_words, PART, *title_words, PART, *lead_words, PART, *head]


PUNCTUATION = frozenset(",;:.!?()…")  # kept in the feature text for the cue features (lists, sentences)


# Spellings of the words that carry a topic, read as one: "start-up", "Start up", "Startups" → "startup(s)";
# "A.I." → "AI"; "CĐS" → "chuyển đổi số". Applied before segmentation, so words, characters and cues all see one
# form (the hyphenated "start-up" used to score 0.01 for startup).
_CANONICAL = (
    (re.compile(r"\b[Ss](?:TART|tart)[\s\-‐‑–]?[Uu][Pp](s?)\b"), r"startup\1"),
    (re.compile(r"(?<!\w)A\.I\.?(?!\w)"), "AI"),
    (re.compile(r"(?<!\w)CĐS(?!\w)"), "chuyển đổi số"),
)


def canonical(text: str) -> str:
    """``canonical("Các start-up và A.I.")`` → ``'Các startup và AI'`` (see _CANONICAL)."""
    text = unicodedata.normalize("NFC", text)
    for pattern, replacement in _CANONICAL:
        text = pattern.sub(replacement, text)
    return text


def feature_text(title: str, lead: str, body: str, words: Sequence[str] | None = None) -> str:
    """The single string the vectorizers see: segmented, lower-cased words, multi-syllable words joined by '_',
    with the punctuation that delimits lists and sentences and the PART marks (which the vectorizers skip)."""
    if words is None:
        words = feature_words(segment(canonical(title)), segment(canonical(lead)),
                              segment(canonical(body[: BODY_CHARS * 2])))
    return " ".join(_feature_word(w) for w in words if w == PART or w in PUNCTUATION or _is_word(w))


def _is_word(token: str) -> bool:
    return any(c.isalnum() for c in token)


def _feature_word(word: str) -> str:
    # Upper-case "AI" is the acronym; lower-cased it would be "ai", the everyday Vietnamese "who".
    if word in _AI_ACRONYMS:
        return "ai_acronym"
    return word.lower().replace(" ", "_")


_AI_ACRONYMS = frozenset({"AI", "A.I.", "GenAI", "AI-", "A.I"})


def word_tokens(text: str) -> list[str]:
    """Tokens for the word vectorizer, punctuation and marks left out (module level, so joblib can save it)."""
    return [token for token in text.split() if _is_word(token)]


def folded(text: str) -> str:
    """Preprocessor for the character vectorizer: tone-less, so 'AI', 'ai' and spelling variants meet; words only."""
    return fold(" ".join(word_tokens(text)).replace("_", " "))


def build_pipeline(c: float, cue_weight: float) -> Pipeline:
    """The untrained pipeline: word 1–2-grams, character 3–5-grams of the folded text and the topic cue counts
    (models.cues), one balanced logistic regression per label."""
    features = FeatureUnion([
        ("words", TfidfVectorizer(tokenizer=word_tokens, token_pattern=None, lowercase=False, ngram_range=(1, 2),
                                  min_df=2, sublinear_tf=True, max_features=60000)),
        ("chars", TfidfVectorizer(analyzer="char_wb", preprocessor=folded, ngram_range=(3, 5), min_df=2,
                                  sublinear_tf=True, max_features=120000)),
        ("cues", FunctionTransformer(cue_features)),
    ], transformer_weights={"words": 1.0, "chars": 1.0, "cues": cue_weight})
    classifier = OneVsRestClassifier(LogisticRegression(C=c, class_weight="balanced", max_iter=3000))
    return Pipeline([("features", features), ("classify", classifier)])


def label_matrix(label_sets: Sequence[Sequence[str]], labels: Sequence[str] = TOPICS) -> np.ndarray:
    return np.array([[int(label in chosen) for label in labels] for chosen in label_sets])


def best_thresholds(y: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Per label, the threshold in THRESHOLD_RANGE with the best F1 on out-of-fold scores."""
    grid = np.arange(THRESHOLD_RANGE[0], THRESHOLD_RANGE[1] + 1e-9, 0.01)
    best = []
    for j in range(y.shape[1]):
        f1s = []
        for t in grid:
            pred = scores[:, j] >= t
            tp = np.sum(pred & (y[:, j] == 1))
            f1s.append(2 * tp / max(1, pred.sum() + y[:, j].sum()))
        # Ties go to the middle of the best plateau, which generalizes better than its edge.
        top = np.flatnonzero(np.isclose(f1s, max(f1s)))
        best.append(round(float(grid[top[len(top) // 2]]), 2))
    return np.array(best)


def _union_transform(union: FeatureUnion, texts: list[str]):
    """What `union.transform(texts)` returns (its blocks, weighted, side by side), without its joblib dispatch."""
    weights = union.transformer_weights or {}
    blocks = []
    for name, transformer in union.transformer_list:
        block = transformer.transform(texts)
        blocks.append(sparse.csr_matrix(block * weights[name] if name in weights else block))
    return sparse.hstack(blocks).tocsr()


@dataclass
class TopicModel:
    """A trained topic classifier with everything needed to trust it later."""

    pipeline: Pipeline
    labels: tuple[str, ...]
    thresholds: dict[str, float]
    sklearn_version: str = sklearn.__version__
    corpus_hash: str = ""
    trained_at: str = ""
    n_articles: int = 0
    metrics: dict = field(default_factory=dict)
    format: int = FORMAT
    rules: bool = True  # apply models.cues.digital_rules: kept only when cross-validation supports them
    salience: object = None  # models.salience.SalienceModel for provinces (None: the hand-set weights)

    @property
    def version(self) -> str:
        return f"topics-{self.trained_at[:10]}-{self.corpus_hash[:8]}"

    def scores(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Per-label probability-like scores for feature texts (see `feature_text`)."""
        # The feature blocks and the per-label estimators directly: FeatureUnion.transform and
        # OneVsRestClassifier.predict_proba go through scikit-learn's joblib wrapper, which resets the process's
        # warning filters while it runs a task (they are global before Python 3.14), so a server's threads tagging at
        # once raced on them and warned.
        features = _union_transform(self.pipeline.named_steps["features"], list(texts))
        estimators = self.pipeline.named_steps["classify"].estimators_
        probabilities = np.column_stack([e.predict_proba(features)[:, 1] for e in estimators])
        return [{label: round(float(p), 4) for label, p in zip(self.labels, row)} for row in probabilities]

    def decide(self, scores: dict[str, float], text: str | None = None) -> list[str]:
        """Labels whose score reaches that label's threshold; given the feature text, then the labeling rules the
        scores miss (`models.cues.digital_rules`)."""
        chosen = [label for label in self.labels if scores[label] >= self.thresholds[label]]
        if text is not None and self.rules and "digital_transformation" in self.labels:
            ruled = digital_rules(chosen, text)
            chosen = [label for label in self.labels if label in ruled]
        return chosen

    def save(self, path: Path = MODEL_PATH) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        joblib.dump(self, tmp, compress=3)
        tmp.replace(path)  # atomic: a reader never sees half a model
        return path


DEFAULT_C = 32.0  # what `vnnews train --grid` chose for the shipped model (models.topics.GRID)
DEFAULT_CUE_WEIGHT = 0.25
GRID = ((4.0, 0.25), (8.0, 0.25), (16.0, 0.25), (32.0, 0.25), (16.0, 0.5))  # (C, cue weight) tried by `vnnews train --grid`


def _folds(folds: int, groups: Sequence[int] | None):
    """Grouped folds when near-duplicate groups are given (a story never on both sides), else shuffled K-fold."""
    if groups is None:
        return KFold(folds, shuffle=True, random_state=0), None
    return GroupKFold(folds, shuffle=True, random_state=0), list(groups)


def out_of_fold(texts: Sequence[str], y: np.ndarray, c: float, cue_weight: float, folds: int,
                groups: Sequence[int] | None = None) -> np.ndarray:
    """Out-of-fold probabilities of every training article."""
    cv, group_list = _folds(folds, groups)
    return cross_val_predict(build_pipeline(c, cue_weight), list(texts), y, cv=cv, groups=group_list,
                             method="predict_proba")


def _decided(oof: np.ndarray, thresholds: np.ndarray, texts: Sequence[str], rules: bool) -> list[list[str]]:
    out = []
    for i, row in enumerate(oof):
        chosen = [lab for j, lab in enumerate(TOPICS) if row[j] >= thresholds[j]]
        if rules:
            ruled = digital_rules(chosen, texts[i])
            chosen = [lab for lab in TOPICS if lab in ruled]
        out.append(chosen)
    return out


def train(articles: Sequence[Article], *, corpus_hash: str = "", c: float = DEFAULT_C,
          cue_weight: float = DEFAULT_CUE_WEIGHT, folds: int = 5, texts: Sequence[str] | None = None,
          groups: Sequence[int] | None = None, grid: Sequence[tuple[float, float]] | None = None,
          sources: dict[str, int] | None = None) -> TopicModel:
    """Fit on labeled articles; choose everything by cross-validation on them alone.

    With `grid`, (C, cue weight) is the pair with the best out-of-fold micro-F1; per-label thresholds are the best
    on out-of-fold scores; the labeling rules (`models.cues.digital_rules`) are kept only if they raise the
    out-of-fold micro-F1. `groups` (near-duplicate stories, `models.groups`) keep a story on one side of a fold.
    No evaluation set is seen: the dev set and the seeds stay for measuring, and the model records that.
    """
    if len(articles) < 20:
        raise ModelError(f"need at least 20 labeled articles to train, got {len(articles)}")
    if texts is None:
        texts = [feature_text(a.title, a.lead, a.body) for a in articles]
    y = label_matrix([a.topics for a in articles])
    missing = [label for label, count in zip(TOPICS, y.sum(axis=0)) if count < folds]
    if missing:
        raise ModelError(f"too few training articles for {', '.join(missing)}: need {folds} each")
    gold = [a.topics for a in articles]
    tried = {}
    best = None
    for c_try, cue_try in (grid or ((c, cue_weight),)):
        oof_try = out_of_fold(texts, y, c_try, cue_try, folds, groups)
        th_try = best_thresholds(y, oof_try)
        f1 = topic_report(gold, _decided(oof_try, th_try, texts, rules=False))["micro_f1"]
        tried[f"C={c_try:g} cue={cue_try:g}"] = f1
        if best is None or f1 > best[0]:
            best = (f1, c_try, cue_try, oof_try, th_try)
    _, c, cue_weight, oof, cv_thresholds = best
    without_rules = topic_report(gold, _decided(oof, cv_thresholds, texts, rules=False))
    with_rules = topic_report(gold, _decided(oof, cv_thresholds, texts, rules=True))
    rules = with_rules["micro_f1"] > without_rules["micro_f1"]
    pipeline = build_pipeline(c, cue_weight).fit(list(texts), y)
    metrics = {"cross_validation": with_rules if rules else without_rules, "folds": folds,
               "grouped": groups is not None, "c": c, "cue_weight": cue_weight, "grid": tried,
               "rules": {"kept": rules, "cv_micro_f1_with": with_rules["micro_f1"],
                         "cv_micro_f1_without": without_rules["micro_f1"]},
               "thresholds_from": "out-of-fold scores of the training data" + (" (grouped folds)" if groups else ""),
               "never_seen": "dev-labeled.jsonl and seeds-labeled.jsonl: nothing was chosen on them",
               "training_sources": sources or {}}
    return TopicModel(
        pipeline=pipeline, labels=TOPICS, thresholds=dict(zip(TOPICS, map(float, cv_thresholds))),
        corpus_hash=corpus_hash, trained_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        n_articles=len(articles), metrics=metrics, rules=rules,
    )


_cache: dict[Path, tuple[float, TopicModel]] = {}
_cache_lock = threading.Lock()


def load(path: Path = MODEL_PATH) -> TopicModel:
    """Load a saved model, refusing one from another scikit-learn version or feature format."""
    path = Path(path)
    if not path.exists():
        raise ModelError(f"no topic model at {path}; run `vnnews train` to build one")
    with _cache_lock:
        mtime = path.stat().st_mtime
        cached = _cache.get(path)
        if cached and cached[0] == mtime:
            return cached[1]
        try:
            model = joblib.load(path)
        except Exception as exc:  # a truncated or foreign file: say what to do, whatever the unpickling error
            raise ModelError(f"cannot read the topic model at {path} ({exc}); run `vnnews train`") from exc
        if not isinstance(model, TopicModel):
            raise ModelError(f"{path} is not a vnnews topic model; run `vnnews train`")
        if model.sklearn_version != sklearn.__version__:
            raise ModelError(
                f"the topic model at {path} was saved with scikit-learn {model.sklearn_version}, but "
                f"{sklearn.__version__} is installed; run `vnnews train` to retrain it"
            )
        if model.format != FORMAT:
            raise ModelError(f"the topic model at {path} uses an old feature format; run `vnnews train`")
        _cache[path] = (mtime, model)
        return model
