"""The public benchmark: our classifier pipeline on VNTC (10 news sections), beside underthesea's published figures.

`python bench/vntc.py [--cache DIR] [--workers 2] [--limit N]`

The same pipeline as the topic model, minus what is specific to our three labels: underthesea segmentation, the
feature text of models.topics, TF-IDF over word 1–2-grams and character 3–5-grams of the folded text, and a linear
model (one-vs-rest LinearSVC, as underthesea's own VNTC classifier, C chosen by 3-fold cross-validation on the
training split only). Trained on `vntc10-train`, scored on `vntc10-test`. underthesea reports 92.49% accuracy and
92.40% weighted F1 on this split. Segmented texts are cached in `--cache` so a rerun skips segmentation.
"""

from __future__ import annotations

import argparse
import json
import lzma
import multiprocessing
import time
from pathlib import Path

from common import SHARED_DATA

PUBLISHED = {"accuracy": 0.9249, "weighted_f1": 0.9240}


def _feature(text: str) -> str:
    from models.topics import feature_text
    return feature_text("", "", text)


def _read(path: Path, limit: int | None) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    with lzma.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            r = json.loads(line)
            texts.append(r["text"])
            labels.append(r["label"])
    if limit:  # evenly spaced: the files are ordered by section
        step = max(1, len(texts) // limit)
        texts, labels = texts[::step][:limit], labels[::step][:limit]
    return texts, labels


def _features(name: str, texts: list[str], cache: Path, workers: int) -> list[str]:
    path = cache / f"{name}-{len(texts)}.jsonl"
    if path.exists():
        return [json.loads(line) for line in path.open(encoding="utf-8")]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        out = pool.map(_feature, texts, chunksize=64)
    cache.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for text in out:
            handle.write(json.dumps(text, ensure_ascii=False) + "\n")
    return out


def main() -> None:
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.svm import LinearSVC
    from sklearn.feature_extraction.text import TfidfVectorizer

    from models.topics import folded, word_tokens

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/vnnews-vntc"))
    parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count())
    parser.add_argument("--limit", type=int, help="only N evenly spaced articles of each split (a quick run)")
    args = parser.parse_args()
    started = time.perf_counter()
    train_texts, train_y = _read(SHARED_DATA / "vntc10-train.jsonl.xz", args.limit)
    test_texts, test_y = _read(SHARED_DATA / "vntc10-test.jsonl.xz", args.limit)
    train_x = _features("train", train_texts, args.cache, args.workers)
    test_x = _features("test", test_texts, args.cache, args.workers)
    segmented = time.perf_counter()
    pipeline = Pipeline([
        ("features", FeatureUnion([
            ("words", TfidfVectorizer(tokenizer=word_tokens, token_pattern=None, lowercase=False,
                                      ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=200000)),
            ("chars", TfidfVectorizer(analyzer="char_wb", preprocessor=folded, ngram_range=(3, 5), min_df=2,
                                      sublinear_tf=True, max_features=200000)),
        ])),
        ("classify", LinearSVC()),
    ])
    search = GridSearchCV(pipeline, {"classify__C": [0.1, 0.3, 1.0]}, cv=StratifiedKFold(3, shuffle=True,
                          random_state=0), scoring="accuracy", n_jobs=1)
    search.fit(train_x, train_y)
    predicted = search.predict(test_x)
    report = {
        "train": len(train_x), "test": len(test_x), "chosen_C": search.best_params_["classify__C"],
        "cv_accuracy": round(search.best_score_, 4),
        "accuracy": round(accuracy_score(test_y, predicted), 4),
        "weighted_f1": round(f1_score(test_y, predicted, average="weighted"), 4),
        "underthesea_published": PUBLISHED,
        "segment_seconds": round(segmented - started, 1),
        "fit_and_score_seconds": round(time.perf_counter() - segmented, 1),
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
