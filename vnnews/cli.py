"""`vnnews`: the command line, a thin layer over the same functions the API calls."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Iterator

from vnnews import settings
from vnnews.errors import CorpusError, InvalidInput, ModelError, NewsError, Problem

OPTIMIZE_HINT_ARTICLES = 5000  # an ingest this large is a bulk load: say that `vnnews optimize` would speed searches


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- model
def ensure_model(path: Path):
    """Load the topic model, training it first (and saying so) when there is none yet."""
    from models import topics

    try:
        return topics.load(path)
    except ModelError:
        if path.exists():  # there is one, but stale or damaged: its message says to run `vnnews train`
            raise
    _say(f"No topic model at {path} yet: training one on the bundled corpus first (about a minute)...")
    return train_model(None, path)


def train_model(corpus_paths, path: Path, *, real_data: Path | None = None, grid: bool = False):
    """Train on the corpus (default: corpus/) plus the real labeled set (corpus/real/, text from `real_data`, by
    default ../shared/data; without it, the corpus alone, said on stderr). Everything is chosen by grouped
    cross-validation on that training data; no evaluation set is read."""
    import corpus
    from corpus.real import label_files, load_real
    from models import salience, topics
    from models.groups import story_groups

    articles = corpus.load(corpus_paths)
    sources = {"corpus (written by us)": len(articles)}
    if corpus_paths is None and label_files():
        try:
            real = load_real(Path(real_data or settings.shared_data()))
        except CorpusError as exc:
            _say(f"{exc.message}")
        else:
            articles += real
            sources["real RSS items"] = sum(a.extra.get("kind") == "rss" for a in real)
            sources["real full articles"] = sum(a.extra.get("kind") == "full" for a in real)
    started = time.perf_counter()
    groups = story_groups([f"{a.title} {a.lead or a.body}" for a in articles])
    model = topics.train(articles, corpus_hash=corpus.fingerprint(corpus_paths), groups=groups,
                         grid=topics.GRID if grid else None, sources=sources)
    model.salience = salience.train(articles, groups)
    model.metrics["provinces"] = model.salience.metrics
    model.metrics["train_seconds"] = round(time.perf_counter() - started, 1)
    model.save(path)
    return model


def cmd_train(args) -> int:
    path = settings.model_path(args.model)
    model = train_model(args.corpus or None, path, real_data=args.real_data, grid=args.grid)
    cv = model.metrics["cross_validation"]
    print(json.dumps({
        "model": str(path), "version": model.version, "articles": model.n_articles,
        "thresholds": model.thresholds, "thresholds_from": model.metrics["thresholds_from"],
        "cross_validation": cv, "c": model.metrics["c"], "cue_weight": model.metrics["cue_weight"],
        "grid": model.metrics["grid"], "rules": model.metrics["rules"], "sources": model.metrics["training_sources"],
        "provinces": model.metrics["provinces"],
        "train_seconds": model.metrics["train_seconds"],
    }, ensure_ascii=False, indent=2))
    return 0


# ---------------------------------------------------------------- tag
def _read_records(path: str) -> Iterator[tuple[int, dict | Problem]]:
    """(line number, parsed JSON or its Problem) for every non-blank line of a file, or of stdin for "-"."""
    from vnnews.records import json_lines

    handle = sys.stdin.buffer if path == "-" else open(path, "rb")
    try:
        for number, record in json_lines(handle):
            yield number, record
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()


def cmd_tag(args) -> int:
    from models.tagger import tag_many
    from vnnews.records import article_from_dict

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

    for number, item in _read_records(args.file):
        if isinstance(item, Problem):
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
        raise InvalidInput(
            f"no labeled data at {data}; pass --data PATH (JSON Lines with title, body, topics, provinces)")
    model = ensure_model(settings.model_path(args.model))
    if args.card:
        from models.card import card
        from models.evaluate import tag_file

        rows, gold_provinces, tags = tag_file(data, model)
        print(json.dumps(card(rows, gold_provinces, tags, model, data.name), ensure_ascii=False, indent=2))
        return 0
    print(json.dumps(evaluate_file(data, model), ensure_ascii=False, indent=2))
    return 0


# ---------------------------------------------------------------- ingest
def _progress_printer():
    """A one-line progress bar with a rate, on a terminal only."""
    if not sys.stderr.isatty():
        return None
    last = [0.0]

    def show(summary) -> None:
        now = time.perf_counter()
        if now - last[0] < 0.2:
            return
        last[0] = now
        done = summary.processed + len(summary.rejected)
        rate = done / summary.seconds if summary.seconds else 0.0
        sys.stderr.write(f"\r  {done:,} records  {rate:,.1f}/s  ({len(summary.rejected)} rejected)   ")
        sys.stderr.flush()

    return show


def cmd_ingest(args) -> int:
    from index.store import Store
    from vnnews.ingest import COMMIT_EVERY, ingest_records, iter_records

    for path in args.paths:
        if not Path(path).exists():
            raise InvalidInput(f"no such file or folder: {path}")
    model_path = settings.model_path(args.model)
    model = ensure_model(model_path)
    with Store(settings.data_dir(args.data_dir)) as store:
        progress = None if args.json else _progress_printer()
        summary = ingest_records(store, iter_records(args.paths), model, model_path, workers=args.workers,
                                 commit_every=args.commit_every or COMMIT_EVERY, progress=progress)
        if progress:
            sys.stderr.write("\n")
        total, segments = store.count(), store.segments()
    if args.json:
        print(json.dumps(summary.to_dict() | {"index_articles": total, "index_segments": segments},
                         ensure_ascii=False, indent=2))
    else:
        rate = summary.processed / summary.seconds if summary.seconds else 0.0
        print(f"added {summary.added}, updated {summary.updated}, unchanged {summary.unchanged}, "
              f"rejected {len(summary.rejected)} in {summary.seconds:.1f} s ({rate:.1f} articles/s); "
              f"the index now holds {total} articles")
        for rejected in summary.rejected[:50]:
            print(f"  rejected {rejected.where}: {rejected.message}")
        if len(summary.rejected) > 50:
            print(f"  ... and {len(summary.rejected) - 50} more")
        if summary.interrupted:
            print("interrupted: everything above was committed; run the same command again to finish")
        elif summary.added + summary.updated >= OPTIMIZE_HINT_ARTICLES and segments > 1:
            print(f"the index is in {segments} segments: `vnnews optimize` merges them into one, for faster searches "
                  "(about 9 ms an article; run it when nothing else writes)")
    return 130 if summary.interrupted else (1 if summary.rejected else 0)


def cmd_optimize(args) -> int:
    with _open_store(args) as store:
        before = store.size_bytes()
        started = time.perf_counter()
        store.optimize()
        seconds = time.perf_counter() - started
        count = store.count()
        after = store.size_bytes()
    print(f"merged the index of {count} articles into one segment in {seconds:.1f} s: "
          f"{before / 1e6:.1f} MB → {after / 1e6:.1f} MB")
    return 0


# ---------------------------------------------------------------- search
def _open_store(args):
    from index.store import Store

    return Store(settings.data_dir(args.data_dir), create=False)


def cmd_search(args) -> int:
    from index.search import SearchRequest, search

    params = {"q": args.query, "topic": args.topic, "province": args.province, "source": args.source,
              "from": args.date_from, "to": args.date_to, "sort": args.sort, "page": str(args.page),
              "per_page": str(args.per_page), "collapse": "0" if args.every_copy else "1"}
    request = SearchRequest.from_params(params)
    with _open_store(args) as store:
        result = search(store, request)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    import html
    import re

    def plain(snippet: str) -> str:
        marked = re.sub(r"<mark>(.*?)</mark>", lambda m: f"\033[1m{m.group(1)}\033[0m" if sys.stdout.isatty()
                        else f"[{m.group(1)}]", snippet)
        return html.unescape(marked)

    first = (result["page"] - 1) * result["per_page"]
    grouped = f", {result['groups']} events (copies at other outlets listed under each)" \
        if result["groups"] < result["total"] else ""
    print(f"{result['total']} articles{grouped} ({result['took_ms']} ms)")
    for number, hit in enumerate(result["hits"], first + 1):
        tags = ", ".join(hit["topics"] + hit["provinces"])
        print(f"\n{number}. {hit['title']}")
        print(f"   {hit['source'] or '-'} · {hit['published'] or 'no date'}" + (f" · {tags}" if tags else ""))
        print(f"   {plain(hit['snippet'])}")
        if hit["url"]:
            print(f"   {hit['url']}")
        for other in hit["others"]:
            print(f"   + {other['source'] or '-'} · {other['published'] or 'no date'} · {other['title']}")
    for name, counts in result["facets"].items():
        if counts:
            top = ", ".join(f"{value} ({count})" for value, count in list(counts.items())[:8])
            print(f"\n{name}: {top}")
    return 0


# ---------------------------------------------------------------- digest
def cmd_digest(args) -> int:
    from vnnews.digest import build_digest, render_html, render_markdown
    from vnnews.records import parse_date

    with _open_store(args) as store:
        result = build_digest(store, topic=args.topic, province=args.province,
                              date_from=parse_date(args.date_from, "from"), date_to=parse_date(args.date_to, "to"),
                              limit=args.limit)
    if args.format == "json":
        print(json.dumps(result, ensure_ascii=False, indent=2))
    elif args.format == "html":
        print(render_html(result))
    else:
        print(render_markdown(result))
    return 0


# ---------------------------------------------------------------- serve
def cmd_serve(args) -> int:
    import corpus
    from index.store import Store
    from vnnews import demo

    data_dir = settings.data_dir(args.data_dir)
    model_path = settings.model_path(args.model)
    model = ensure_model(model_path)
    with Store(data_dir) as store:
        if args.demo and demo.should_load(data_dir, store.count()):
            _say(f"The data directory {data_dir} is new: loading the demo corpus, articles we wrote "
                 f"({corpus.CORPUS_DIR}), each marked as demo; `vnnews demo remove` removes them all, `--no-demo` "
                 "starts without them...")
            summary = demo.load_demo(store, model, model_path, data_dir, corpus.corpus_files())
            _say(f"  {summary.added} demo articles indexed in {summary.seconds:.0f} s")
        count = store.count()
    state = demo.demo_state(data_dir)
    key, origin = settings.api_key(data_dir)
    from vnnews import web

    app = web.create_app({"DATA_DIR": str(data_dir), "MODEL_PATH": str(model_path), "API_KEY": key})
    host = "localhost" if args.host in ("127.0.0.1", "0.0.0.0") else args.host
    print(f"vnnews is serving {count} articles from {data_dir}", flush=True)
    if state is not None and state.present:
        print(f"  demo:         {len(state.ids)} of them are the demo articles we wrote (marked demo); remove them "
              f"with `vnnews{_data_dir_flag(args)} demo remove`", flush=True)
    print(f"  search page:  http://{host}:{args.port}/", flush=True)
    print(f"  digest page:  http://{host}:{args.port}/digest", flush=True)
    print(f"  API:          http://{host}:{args.port}/api/health  (description: /api/openapi.json)", flush=True)
    print(f"  write key:    {key}  ({origin}); send it as 'Authorization: Bearer <key>'", flush=True)
    if args.processes > 1:
        print(f"  processes:    {args.processes}, {args.threads} threads each (--processes, --threads)", flush=True)
    from feeds.poller import start_background  # the feeds of this data directory, polled while serving

    services = app.extensions["vnnews"]
    web.serve(app, host=args.host, port=args.port, threads=args.threads, processes=args.processes,
              after_fork=lambda: start_background(data_dir, services.store, services.model, say=_say))
    return 0


def _processes(value: str) -> int:
    try:
        return settings.processes(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _data_dir_flag(args) -> str:
    return f" --data-dir {args.data_dir}" if args.data_dir else ""


def cmd_demo(args) -> int:
    import corpus
    from index.store import Store
    from vnnews import demo

    data_dir = settings.data_dir(args.data_dir)
    if args.action == "remove":
        state = demo.demo_state(data_dir)
        removed = 0
        has_index = (data_dir / "index").is_dir()
        if has_index and (state is None or state.present):  # no record at all: an older version may have loaded it
            with Store(data_dir, create=False) as store:
                removed = demo.remove_demo(store, data_dir, corpus.corpus_files())
                left = store.count()
        if not removed:
            print(f"no demo articles in {data_dir}: nothing to remove")
            return 0
        print(f"removed {removed} demo articles from {data_dir}; the index now holds {left} articles, and "
              "`vnnews serve` will not load the demo again (`vnnews demo load` brings it back)")
        return 0
    model_path = settings.model_path(args.model)
    model = ensure_model(model_path)
    with Store(data_dir) as store:
        summary = demo.load_demo(store, model, model_path, data_dir, corpus.corpus_files())
        total = store.count()
    print(f"loaded {summary.added + summary.updated + summary.unchanged} demo articles (marked demo) into "
          f"{data_dir}; the index now holds {total} articles; `vnnews demo remove` removes them")
    return 0


# ---------------------------------------------------------------- main
def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vnnews", description="Vietnamese news tagging, search and digests.")
    parser.add_argument("--model", help="topic model file (default: models/topics.joblib, env VNNEWS_MODEL_PATH)")
    parser.add_argument("--data-dir", help="index folder (default ./var, env VNNEWS_DATA_DIR)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("train", help="train the topic model on the labeled corpus and print its figures")
    p.add_argument("--corpus", action="append", metavar="PATH",
                   help="corpus file or folder (repeatable; default corpus/)")
    p.add_argument("--real-data", metavar="DIR", help="folder with the real articles corpus/real/ labels "
                   "(default: ../shared/data beside the project, env VNNEWS_SHARED_DATA)")
    p.add_argument("--grid", action="store_true", help="choose C and the cue weight by grouped cross-validation "
                   "(models.topics.GRID; slower)")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("tag", help="tag JSON Lines articles: adds topics, topic_scores, provinces, province_details")
    p.add_argument("file", nargs="?", default="-", help="JSON Lines file, or - for stdin (default)")
    p.set_defaults(func=cmd_tag)

    p = sub.add_parser("evaluate", help="print tag quality (P/R/F1) on a labeled JSON Lines file")
    p.add_argument("--data", help="labeled file (default ../shared/data/dev-labeled.jsonl)")
    p.add_argument("--card", action="store_true", help="the model card: per label and kind of text, with 95%% "
                   "bootstrap intervals, beside the cross-validated figures and the training data")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("ingest", help="tag and index JSON / JSON Lines files or folders (same id → replaced)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--workers", type=_positive, default=None,
                   help="processes for segmentation and tagging (default: cores)")
    p.add_argument("--commit-every", type=_positive, default=None, metavar="N",
                   help="articles per commit; an interrupted ingest keeps every commit before it (default: 2000)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("optimize", help="merge the index into one segment: faster searches and a smaller index "
                       "after a bulk ingest (about 9 ms per article; run it when nothing else writes)")
    p.set_defaults(func=cmd_optimize)

    p = sub.add_parser("search", help="search the index; --json prints exactly what GET /api/search returns")
    p.add_argument("query", nargs="?", default="", help='words, "a phrase", -excluded, OR; tone marks optional')
    p.add_argument("--topic")
    p.add_argument("--province")
    p.add_argument("--source")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="earliest published date, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="latest published date, YYYY-MM-DD")
    p.add_argument("--sort", default="relevance", help="relevance (default) or date")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--per-page", type=int, default=10)
    p.add_argument("--every-copy", action="store_true",
                   help="list each outlet's copy of an event as its own hit (default: one hit per event)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("digest", help="a topic digest: counts, key terms, top stories (Markdown, JSON or HTML)")
    p.add_argument("--topic", help="ai, startup or digital_transformation")
    p.add_argument("--province", help="a province, e.g. 'Đà Nẵng' (former names and tone-less spellings work)")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="first day (default: 6 days before --to)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last day (default: the latest article's date)")
    p.add_argument("--limit", type=int, default=10, help="top stories to list (1-50)")
    p.add_argument("--format", choices=("markdown", "json", "html"), default="markdown")
    p.set_defaults(func=cmd_digest)

    p = sub.add_parser("serve", help="run the web service (trains the model if needed; loads the demo corpus into "
                                     "a new data directory)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5000)
    # A string default is converted by `type` only when `serve` runs: VNNEWS_THREADS=abc fails there, as a usage
    # error naming the option, and never in `vnnews --help`.
    p.add_argument("--threads", type=int, default=str(settings.from_env("THREADS")),
                   help="worker threads of each serving process (default 2, env VNNEWS_THREADS)")
    p.add_argument("--processes", type=_processes, default=str(settings.from_env("PROCESSES")),
                   help="serving processes sharing the port: a number, or auto (default: one per core, at most 4, "
                        "on Linux; env VNNEWS_PROCESSES)")
    p.add_argument("--no-demo", dest="demo", action="store_false",
                   help="never load the demo corpus (by default it is loaded into a new, empty data directory)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("demo", help="remove the demo articles from the index (or load them again)")
    p.add_argument("action", choices=("remove", "load"),
                   help="remove: delete every demo article still in the index; load: index the demo corpus, marked")
    p.set_defaults(func=cmd_demo)

    from feeds.commands import register as register_feeds  # issue 13: `vnnews feeds ...` and `vnnews fetch`
    register_feeds(sub)
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
