"""`vnnews`: the command line, a thin layer over the same functions the API calls."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Iterator, TextIO

import settings
from errors import CorpusError, InvalidInput, ModelError, NewsError


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- model
def ensure_model(path: Path, *, quiet: bool = False):
    """Load the topic model, training it first (and saying so) when there is none yet."""
    from models import topics

    try:
        return topics.load(path)
    except ModelError:
        if path.exists():
            raise
    if not quiet:
        _say(f"No topic model at {path} yet: training one on the bundled corpus first (about a minute)...")
    model = train_model(None, path)
    return model


def train_model(corpus_paths, path: Path):
    import corpus
    from models import topics

    articles = corpus.load(corpus_paths)
    started = time.perf_counter()
    model = topics.train(articles, corpus_hash=corpus.fingerprint(corpus_paths))
    model.metrics["train_seconds"] = round(time.perf_counter() - started, 1)
    model.save(path)
    return model


def cmd_train(args) -> int:
    path = settings.model_path(args.model)
    model = train_model(args.corpus or None, path)
    cv = model.metrics["cross_validation"]
    print(json.dumps({
        "model": str(path), "version": model.version, "articles": model.n_articles,
        "thresholds": model.thresholds, "cross_validation": cv, "train_seconds": model.metrics["train_seconds"],
    }, ensure_ascii=False, indent=2))
    return 0


# ---------------------------------------------------------------- tag
def _read_records(stream: TextIO | None, path: str) -> Iterator[tuple[int, dict | NewsError]]:
    handle = sys.stdin.buffer if path == "-" else open(path, "rb")
    try:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                yield number, InvalidInput("not UTF-8 text")
                continue
            except json.JSONDecodeError as exc:
                yield number, InvalidInput(f"not valid JSON ({exc.msg} at column {exc.colno})")
                continue
            yield number, record
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()


def cmd_tag(args) -> int:
    from corpus import article_from_dict
    from models.tagger import tag_many

    model = ensure_model(settings.model_path(args.model))
    if args.file != "-" and not Path(args.file).is_file():
        raise InvalidInput(f"no such file: {args.file}")
    bad = done = 0
    started = time.perf_counter()
    batch: list[tuple[dict, object]] = []

    def flush() -> None:
        nonlocal done
        for (record, _), tags in zip(batch, tag_many([a for _, a in batch], model)):
            out = dict(record)
            out.update(tags.to_dict())
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        done += len(batch)
        batch.clear()

    for number, item in _read_records(None, args.file):
        if isinstance(item, NewsError):
            _say(f"line {number}: {item.message}; skipped")
            bad += 1
            continue
        try:
            batch.append((item, article_from_dict(item)))
        except InvalidInput as exc:
            _say(f"line {number}: {exc.message}; skipped")
            bad += 1
            continue
        if len(batch) >= 64:
            flush()
    flush()
    sys.stdout.flush()
    seconds = time.perf_counter() - started
    _say(f"tagged {done} articles in {seconds:.1f} s ({done / seconds if seconds else 0:.0f} articles/s)"
         + (f"; {bad} bad line(s) skipped" if bad else ""))
    return 1 if bad else 0


# ---------------------------------------------------------------- evaluate
def cmd_evaluate(args) -> int:
    from models.evaluate import DEV_SET, evaluate_file

    data = Path(args.data) if args.data else DEV_SET
    if not data.is_file():
        raise InvalidInput(f"no labeled data at {data}; pass --data PATH (JSON Lines with title, body, topics, provinces)")
    model = ensure_model(settings.model_path(args.model))
    print(json.dumps(evaluate_file(data, model), ensure_ascii=False, indent=2))
    return 0


# ---------------------------------------------------------------- main
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vnnews", description="Vietnamese news tagging, search and digests.")
    parser.add_argument("--model", help="topic model file (default: models/topics.joblib, env VNNEWS_MODEL_PATH)")
    parser.add_argument("--data-dir", help="index folder (default ./var, env VNNEWS_DATA_DIR)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("train", help="train the topic model on the labeled corpus and print its figures")
    p.add_argument("--corpus", action="append", metavar="PATH", help="corpus file or folder (repeatable; default corpus/)")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("tag", help="tag JSON Lines articles: adds topics, topic_scores, provinces, province_details")
    p.add_argument("file", nargs="?", default="-", help="JSON Lines file, or - for stdin (default)")
    p.set_defaults(func=cmd_tag)

    p = sub.add_parser("evaluate", help="print tag quality (P/R/F1) on a labeled JSON Lines file")
    p.add_argument("--data", help="labeled file (default ../shared/data/dev-labeled.jsonl)")
    p.set_defaults(func=cmd_evaluate)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except NewsError as exc:
        _say(f"vnnews {args.command}: error: {exc.message}")
        return 2 if isinstance(exc, (InvalidInput, CorpusError)) else 1
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
