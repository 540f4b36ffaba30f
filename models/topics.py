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
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import joblib
import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, cross_val_predict
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from corpus import TOPICS, Article
from errors import ModelError
from models.cues import PART, cue_features, digital_rules
from models.evaluate import topic_report
from nlp.fold import fold
from nlp.segment import segment

MODEL_PATH = Path(__file__).resolve().parent / "topics.joblib"
FORMAT = 4  # bump when the feature text changes, so old files are refused
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


def feature_text(title: str, lead: str, body: str, words: Sequence[str] | None = None) -> str:
    """The single string the vectorizers see: segmented, lower-cased words, multi-syllable words joined by '_',
    with the punctuation that delimits lists and sentences and the PART marks (which the vectorizers skip)."""
    if words is None:
        words = feature_words(segment(title), segment(lead), segment(body[: BODY_CHARS * 2]))
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

    @property
    def version(self) -> str:
        return f"topics-{self.trained_at[:10]}-{self.corpus_hash[:8]}"

    def scores(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Per-label probability-like scores for feature texts (see `feature_text`)."""
        # The per-label estimators directly: OneVsRestClassifier.predict_proba goes through joblib, which warns
        # when called from a server's worker threads.
        features = self.pipeline.named_steps["features"].transform(list(texts))
        estimators = self.pipeline.named_steps["classify"].estimators_
        probabilities = np.column_stack([e.predict_proba(features)[:, 1] for e in estimators])
        return [{label: round(float(p), 4) for label, p in zip(self.labels, row)} for row in probabilities]

    def decide(self, scores: dict[str, float], text: str | None = None) -> list[str]:
        """Labels whose score reaches that label's threshold; given the feature text, then the labeling rules the
        scores miss (`models.cues.digital_rules`)."""
        chosen = [label for label in self.labels if scores[label] >= self.thresholds[label]]
        if text is not None and "digital_transformation" in self.labels:
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


DEFAULT_C = 8.0
DEFAULT_CUE_WEIGHT = 0.25


def train(articles: Sequence[Article], *, corpus_hash: str = "", c: float = DEFAULT_C,
          cue_weight: float = DEFAULT_CUE_WEIGHT, folds: int = 5, texts: Sequence[str] | None = None,
          calibration: tuple[Sequence[str], Sequence[Sequence[str]]] | None = None,
          calibration_name: str = "") -> TopicModel:
    """Fit on labeled articles and choose per-label thresholds.

    Thresholds are chosen on `calibration` (feature texts and label sets of labeled *real* news) when given, else
    on `folds`-fold out-of-fold predictions over the training corpus. Our corpus is written to be clear, so its
    out-of-fold probabilities are more confident than real news deserves; real articles set better thresholds.
    The cross-validated figures are reported either way.
    """
    if len(articles) < 20:
        raise ModelError(f"need at least 20 labeled articles to train, got {len(articles)}", status=400)
    if texts is None:
        texts = [feature_text(a.title, a.lead, a.body) for a in articles]
    y = label_matrix([a.topics for a in articles])
    missing = [label for label, count in zip(TOPICS, y.sum(axis=0)) if count < folds]
    if missing:
        raise ModelError(f"too few training articles for {', '.join(missing)}: need {folds} each", status=400)
    oof = cross_val_predict(build_pipeline(c, cue_weight), list(texts), y,
                            cv=KFold(folds, shuffle=True, random_state=0), method="predict_proba")
    cv_thresholds = best_thresholds(y, oof)
    pipeline = build_pipeline(c, cue_weight).fit(list(texts), y)
    predicted = [[lab for j, lab in enumerate(TOPICS) if oof[i, j] >= cv_thresholds[j]] for i in range(len(y))]
    metrics = {"cross_validation": topic_report([a.topics for a in articles], predicted), "folds": folds,
               "c": c, "cue_weight": cue_weight}
    model = TopicModel(
        pipeline=pipeline, labels=TOPICS, thresholds=dict(zip(TOPICS, map(float, cv_thresholds))),
        corpus_hash=corpus_hash, trained_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        n_articles=len(articles), metrics=metrics,
    )
    metrics["thresholds_from"] = "cross-validation on the training corpus"
    if calibration is not None and len(calibration[0]):
        cal_texts, cal_labels = calibration
        scores = np.array([[row[label] for label in TOPICS] for row in model.scores(cal_texts)])
        model.thresholds = dict(zip(TOPICS, map(float, best_thresholds(label_matrix(cal_labels), scores))))
        metrics["thresholds_from"] = f"{len(cal_texts)} labeled real articles ({calibration_name or 'calibration set'})"
    return model


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
