"""Ingest: validate → normalize → segment → tag → index document; files and folders in parallel, one writer."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from corpus import Article, BadLine, article_from_dict, json_lines
from errors import InvalidInput, NewsError
from nlp.analysis import clause_pairs, compounds, key_terms, syllables
from nlp.fold import fold
from nlp.normalize import normalize
from nlp.segment import segment
from index.schema import counted
from models.tagger import Tags, tag_many
from models.topics import TopicModel, feature_words

SMALL_BATCH = 32  # below this many records, parallel workers cost more to start than they save
WORKER_BATCH = 8  # records per task sent to a worker
COMMIT_EVERY = 2000  # articles per commit: the writer's cost per article falls with bigger segments (7.2 ms at
# 2,000 against 8–9 ms at 500, measured), and fewer segments mean fewer merges; an interrupted ingest keeps every
# commit before it
WINDOW_BATCHES = 40  # tasks in flight: enough prepared work (~320 articles) to keep the workers busy during a commit


@dataclass
class IndexDoc:
    """An article ready for the index: normalized text, tags and the analyzed words."""

    article: Article
    tags: Tags
    terms: dict[str, str]  # index field → its terms, space-separated (see `index_terms`)
    key_terms: list[str]
    content_hash: str
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.article.id


def content_hash(article: Article) -> str:
    """What makes two versions of an article the same: its text and metadata, not when we saw it."""
    payload = json.dumps(article.to_dict(), ensure_ascii=True, sort_keys=True)  # ASCII: extra fields may be odd
    return hashlib.sha256(payload.encode("ascii")).hexdigest()[:24]


def index_terms(article: Article, title_words: list[str], all_words: list[str]) -> dict[str, str]:
    """The terms of every searchable field, computed here (in the ingest workers) so the single writer only stores:
    syllables of the whole text (toned and folded) and its adjacent pairs (toned: a tone-less query asks for the
    toned spellings its syllables allow), the title's syllables and pairs (toned and folded), and the segmenter's
    multi-syllable words."""
    full = "\n".join(part for part in (article.title, article.lead, article.body) if part)
    body_t = syllables(full)
    pairs_t = clause_pairs(full)
    title_t = syllables(article.title) + clause_pairs(article.title) + compounds(title_words)
    return {"title_t": counted(title_t), "title_f": counted(map(fold, title_t)), "body_t": counted(body_t),
            "body_f": counted(map(fold, body_t)), "pairs_t": counted(pairs_t), "words": counted(compounds(all_words))}


def normalize_article(article: Article) -> Article:
    article.title = normalize(article.title)
    article.lead = normalize(article.lead)
    article.body = normalize(article.body)
    article.source = normalize(article.source)
    if not article.title:
        raise InvalidInput("`title` is empty once markup is removed", field="title")
    if not article.body:
        raise InvalidInput("`body` is empty once markup is removed", field="body")
    return article


def prepare_many(records: list[Any], model: TopicModel) -> list[IndexDoc | NewsError]:
    """Validate, normalize, segment and tag a batch of raw records; a bad record yields its error, not an exception."""
    prepared: list[tuple[int, Article, list[str], list[str], float]] = []
    out: list[IndexDoc | NewsError | None] = [None] * len(records)
    for i, record in enumerate(records):
        try:
            article = normalize_article(article_from_dict(record))
        except NewsError as exc:
            out[i] = exc
            continue
        started = time.perf_counter()
        title_w = segment(article.title, normalized=True)
        lead_w = segment(article.lead, normalized=True)
        body_w = segment(article.body, normalized=True)
        seconds = time.perf_counter() - started
        prepared.append((i, article, [title_w, lead_w, body_w], feature_words(title_w, lead_w, body_w), seconds))
    started = time.perf_counter()
    tags = tag_many([p[1] for p in prepared], model, [p[3] for p in prepared])
    tag_seconds = (time.perf_counter() - started) / max(1, len(prepared))
    for (i, article, parts, _, seg_seconds), tag in zip(prepared, tags):
        all_words = [w for part in parts for w in part]
        out[i] = IndexDoc(
            article=article, tags=tag, terms=index_terms(article, parts[0], all_words), key_terms=key_terms(all_words),
            content_hash=content_hash(article), timings={"segment": seg_seconds, "classify": tag_seconds},
        )
    return out  # type: ignore[return-value]


def prepare(record: Any, model: TopicModel) -> IndexDoc:
    """One record → IndexDoc, raising InvalidInput (naming the field) when the record is unusable."""
    result = prepare_many([record], model)[0]
    if isinstance(result, NewsError):
        raise result
    return result


# ---------------------------------------------------------------- reading files
@dataclass
class Rejected:
    where: str
    reason: str


def iter_records(paths: Iterable[str | Path]) -> Iterator[tuple[str, Any]]:
    """(where, record or Rejected) for every record in JSON / JSON Lines files, or folders of them."""
    for path in map(Path, paths):
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix in (".json", ".jsonl", ".ndjson") and p.is_file())
        elif path.is_file():
            files = [path]
        else:
            yield str(path), Rejected(str(path), "no such file or folder")
            continue
        for file in files:
            yield from _records_of(file)


def _records_of(file: Path) -> Iterator[tuple[str, Any]]:
    """A .json file holds one article or a list of them (a .json file of JSON Lines is read as such too);
    .jsonl / .ndjson hold one article per line."""
    with open(file, "rb") as handle:
        if file.suffix == ".json":
            try:
                data = json.loads(handle.read().decode("utf-8"))
            except UnicodeDecodeError as exc:
                yield str(file), Rejected(str(file), f"not UTF-8 text ({exc})")
                return
            except json.JSONDecodeError as exc:
                if exc.msg != "Extra data":  # "Extra data" after the first value: JSON Lines after all
                    yield str(file), Rejected(str(file), f"not a valid JSON file ({exc})")
                    return
                data = None
            if data is not None:
                for number, item in enumerate(data if isinstance(data, list) else [data], 1):
                    yield f"{file}#{number}", item
                return
            handle.seek(0)
        for number, record in json_lines(handle):
            where = f"{file}:{number}"
            yield where, Rejected(where, record.reason) if isinstance(record, BadLine) else record


# ---------------------------------------------------------------- parallel preparation
_worker_model: TopicModel | None = None


def _init_worker(model_path: str) -> None:
    global _worker_model
    from models import topics
    from nlp.segment import load

    _worker_model = topics.load(Path(model_path))
    load()


def _work(batch: list[tuple[str, Any]]) -> list[tuple[str, IndexDoc | NewsError]]:
    assert _worker_model is not None
    return _work_local(batch, _worker_model)


@dataclass
class IngestSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False
    timings: dict[str, float] = field(default_factory=lambda: {"segment": 0.0, "classify": 0.0, "index": 0.0})

    @property
    def processed(self) -> int:
        return self.added + self.updated + self.unchanged

    def to_dict(self) -> dict:
        return {
            "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
            "rejected": [{"where": r.where, "reason": r.reason} for r in self.rejected],
            "seconds": round(self.seconds, 2),
            "articles_per_second": round(self.processed / self.seconds, 1) if self.seconds else None,
            "interrupted": self.interrupted,
        }


def _batches(items: Iterable[tuple[str, Any]], size: int) -> Iterator[list[tuple[str, Any]]]:
    batch: list[tuple[str, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def ingest_records(store, records: Iterable[tuple[str, Any]], model: TopicModel, model_path: Path, *,
                   workers: int | None = None, commit_every: int = COMMIT_EVERY,
                   progress: Callable[[IngestSummary], None] | None = None) -> IngestSummary:
    """Prepare records (in `workers` processes) and upsert them through the store's single writer.

    Commits every `commit_every` articles, so an interrupted ingest keeps everything committed before it; on
    Ctrl-C what was prepared is committed and the summary says `interrupted`. The writer commits one batch while
    the next is prepared; `timings["index"]` is the writer's time.
    """
    summary = IngestSummary()
    started = time.perf_counter()
    written_before = store.write_seconds
    workers = workers or os.cpu_count() or 1
    pending: list[IndexDoc] = []
    committing: deque = deque()  # futures of batches handed to the writer, oldest first

    def flush(wait: bool = False) -> None:
        """Hand the pending batch to the writer and go on preparing the next one while it commits; at most one
        batch waits for the writer (so memory stays bounded), and `wait` waits for all of them."""
        if pending:
            committing.append(store.upsert_later(pending))
            pending.clear()
        while committing and (wait or len(committing) > 1 or committing[0].done()):
            statuses = committing[0].result()
            committing.popleft()
            for status in statuses:
                setattr(summary, status, getattr(summary, status) + 1)

    def take(where: str, result) -> None:
        if isinstance(result, Rejected):
            summary.rejected.append(result)
        elif isinstance(result, NewsError):
            summary.rejected.append(Rejected(where, result.message))
        else:
            summary.timings["segment"] += result.timings.get("segment", 0.0)
            summary.timings["classify"] += result.timings.get("classify", 0.0)
            pending.append(result)
            if len(pending) >= commit_every:
                flush()
        if progress:
            summary.seconds = time.perf_counter() - started
            progress(summary)

    def valid(items):
        for where, record in items:
            if isinstance(record, Rejected):
                take(where, record)
            else:
                yield where, record

    records = iter(records)
    head = []
    for item in records:
        head.append(item)
        if len(head) > SMALL_BATCH:
            break
    try:
        if len(head) <= SMALL_BATCH or workers <= 1:
            for batch in _batches(valid([*head, *records]), 16):
                for where, result in _work_local(batch, model):
                    take(where, result)
        else:
            ctx = multiprocessing.get_context("spawn" if sys.platform == "darwin" else "fork")
            with ctx.Pool(workers, initializer=_init_worker, initargs=(str(model_path),)) as pool:
                # A bounded window of batches in flight: when the writer is slower than the workers, prepared
                # articles must wait in the input, not pile up in memory (pool.imap has no back-pressure).
                window: deque = deque()
                for batch in _batches(valid(_chain(head, records)), WORKER_BATCH):
                    window.append(pool.apply_async(_work, (batch,)))
                    while len(window) > WINDOW_BATCHES or (window and window[0].ready()):
                        for where, result in window.popleft().get():
                            take(where, result)
                while window:
                    for where, result in window.popleft().get():
                        take(where, result)
        flush(wait=True)
    except KeyboardInterrupt:
        summary.interrupted = True
        flush(wait=True)
    summary.timings["index"] = store.write_seconds - written_before
    summary.seconds = time.perf_counter() - started
    return summary


def _chain(head: list, rest: Iterator) -> Iterator:
    yield from head
    yield from rest


def _work_local(batch: list[tuple[str, Any]], model: TopicModel) -> list[tuple[str, IndexDoc | NewsError]]:
    results = prepare_many([record for _, record in batch], model)
    return [(where, result) for (where, _), result in zip(batch, results)]


def published_datetime(value: dt.date | None) -> dt.datetime | None:
    return dt.datetime(value.year, value.month, value.day) if value else None
