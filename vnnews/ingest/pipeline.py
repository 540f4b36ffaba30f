"""Ingest: records from files (vnnews.ingest.files) prepared in parallel worker processes (vnnews.ingest.prepare)
and written through the store's single writer, in commits of COMMIT_EVERY articles."""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from index.document import IndexDoc
from models.topics import TopicModel
from vnnews.errors import Problem
from vnnews.ingest.prepare import prepare_many

SMALL_BATCH = 32  # below this many records, parallel workers cost more to start than they save
WORKER_BATCH = 8  # records per task sent to a worker
COMMIT_EVERY = 2000  # articles per commit: the writer's cost per article falls with bigger segments (7.2 ms at
# 2,000 against 8–9 ms at 500, measured), and fewer segments mean fewer merges; an interrupted ingest keeps every
# commit before it
WINDOW_BATCHES = 40  # tasks in flight: enough prepared work (~320 articles) to keep the workers busy during a commit


_worker_model: TopicModel | None = None


def _init_worker(model_path: str) -> None:
    global _worker_model
    from models import topics
    from nlp.segment import load

    _worker_model = topics.load(Path(model_path))
    load()


def _work(batch: list[tuple[str, Any]]) -> list[tuple[str, IndexDoc | Problem]]:
    assert _worker_model is not None
    return _work_local(batch, _worker_model)


@dataclass
class IngestSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False
    timings: dict[str, float] = field(default_factory=lambda: {"segment": 0.0, "classify": 0.0, "index": 0.0})

    @property
    def processed(self) -> int:
        return self.added + self.updated + self.unchanged

    def to_dict(self) -> dict:
        return {
            "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
            "rejected": [{"where": r.where, "reason": r.message} for r in self.rejected],
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
        if isinstance(result, Problem):
            summary.rejected.append(result if result.where else result.at(where))
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
            if isinstance(record, Problem):
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


def _work_local(batch: list[tuple[str, Any]], model: TopicModel) -> list[tuple[str, IndexDoc | Problem]]:
    results = prepare_many([record for _, record in batch], model)
    return [(where, result) for (where, _), result in zip(batch, results)]
