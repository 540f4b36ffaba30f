"""The index on disk: open or create it, and the single writer every upsert and delete goes through."""

from __future__ import annotations

import queue
import secrets
import threading
import time
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from whoosh import index as whoosh_index
from whoosh import writing as whoosh_writing
from whoosh.codec import base as whoosh_codec_base
from whoosh.filedb import compound as whoosh_compound, filestore as whoosh_filestore
from whoosh.index import LockError

from index import mapped, merge
from index.codec import InlineCodec
from index.document import IndexDoc, published_datetime
from index.schema import FACET_SEPARATOR, build_schema
from nlp.fold import fold
from vnnews.errors import IndexUnavailable, NoIndex, NotFound

INDEX_NAME = "articles"
WRITER_TIMEOUT = 60.0  # seconds to wait for another process's writer (an ingest while the server runs)
MAX_GROUP = 2000  # most documents one group commit takes
WRITER_POOL_MB = 512  # postings a writer sorts in memory before spilling runs to disk (whoosh's default: 128)
SEGMENTS_PER_TIER = 10  # merge segments of the same size class once there are this many (Lucene's default too)


def _os_random_name(size: int = 28) -> str:
    return secrets.token_hex((size + 1) // 2)[:size]


# whoosh names new segments and temporary files with the `random` module, whose state any code may seed (hypothesis
# does, for every example): two commits then picked the same segment name and the second failed on an assertion.
# Names from the operating system's randomness instead, in every module that imported whoosh's `random_name`.
for _module in (whoosh_codec_base, whoosh_compound, whoosh_filestore, whoosh_writing):
    _module.random_name = _os_random_name
mapped.install()  # segment files read in place, not copied per reader (index/mapped.py)
merge.install()  # merged segments' postings streamed in order, not re-sorted (index/merge.py)


def merge_tiers(writer, segments: list) -> list:
    """whoosh merge policy: segments of the same size class (1–9 articles, 10–99, 100–999, ...) are merged once
    there are SEGMENTS_PER_TIER of them, so each article is rewritten about once per tenfold growth.

    whoosh's own policy (MERGE_SMALL) merged everything below a Fibonacci threshold: with 500-article commits it
    rewrote 8,500 articles at 8,500 and again at 17,000, half of the writer's time in a 20,000-article ingest.
    """
    tiers: dict[int, list] = {}
    for segment in segments:
        tiers.setdefault(len(str(max(1, segment.doc_count_all()))), []).append(segment)
    chosen = [segment for tier in tiers.values() if len(tier) >= SEGMENTS_PER_TIER for segment in tier]
    for segment in chosen:
        merge.merge_segment(writer, segment)
    return [segment for segment in segments if segment not in chosen]


def merge_all(writer, segments: list) -> list:
    """whoosh merge policy: every segment into one (an optimize), streamed as merge_tiers does."""
    for segment in segments:
        merge.merge_segment(writer, segment)
    return []


def facet_value(doc: IndexDoc) -> str:
    """The facet column of one article: t:<topic>, p:<province>, s:<source>, e:<event> joined by a separator."""
    values = [f"t:{t}" for t in doc.tags.topics] + [f"p:{p}" for p in doc.tags.provinces]
    if doc.article.source:
        values.append(f"s:{doc.article.source}")
    if doc.article.event_id:
        values.append(f"e:{doc.article.event_id}")
    return FACET_SEPARATOR.join(values)


def to_fields(doc: IndexDoc) -> dict:
    a, t = doc.article, doc.tags
    fields = dict(
        id=a.id, title=a.title, lead=a.lead, body=a.body, url=a.url, source=a.source, source_f=fold(a.source),
        topic=",".join(t.topics), province=",".join(t.provinces), province_former=",".join(t.former_provinces),
        facets=facet_value(doc),
        extra={"topic_scores": t.topic_scores, "province_details": t.province_details, "key_terms": doc.key_terms,
               "content_hash": doc.content_hash, "event_id": a.event_id, "fields": a.extra},
        **doc.terms,
    )
    published = published_datetime(a.published)
    if published:
        fields["published"] = published
    return fields


def stored_article(stored: dict) -> dict:
    """Stored fields → the article dict the API returns."""
    extra = stored.get("extra") or {}
    published = stored.get("published")
    return {
        "id": stored["id"], "title": stored.get("title", ""), "lead": stored.get("lead", ""),
        "body": stored.get("body", ""), "url": stored.get("url", ""), "source": stored.get("source", ""),
        "published": published.date().isoformat() if published else None,
        "topics": [v for v in (stored.get("topic") or "").split(",") if v],
        "topic_scores": extra.get("topic_scores", {}),
        "provinces": [v for v in (stored.get("province") or "").split(",") if v],
        "former_provinces": [v for v in (stored.get("province_former") or "").split(",") if v],
        "province_details": extra.get("province_details", []),
        "key_terms": extra.get("key_terms", []),
        "event_id": extra.get("event_id") or "",
        "demo": bool((extra.get("fields") or {}).get("demo")),
    }


class Store:
    """An index folder. `upsert` and `delete` go through one writer thread that groups concurrent writes into one
    commit; each call returns only once its documents are committed (on disk, visible to new searchers)."""

    def __init__(self, data_dir: str | Path, *, create: bool = True):
        self.path = Path(data_dir) / "index"
        try:
            if whoosh_index.exists_in(self.path, INDEX_NAME):
                self._ix = whoosh_index.open_dir(self.path, indexname=INDEX_NAME)
            elif create:
                self.path.mkdir(parents=True, exist_ok=True)
                self._ix = whoosh_index.create_in(self.path, build_schema(), indexname=INDEX_NAME)
            else:
                raise NoIndex(f"no index in {self.path}; run `vnnews ingest PATH` to create one")
        except OSError as exc:
            raise IndexUnavailable(f"cannot open the index in {self.path}: {exc}") from exc
        if set(self._ix.schema.names()) != set(build_schema().names()):
            self._ix.close()
            raise IndexUnavailable(
                f"the index in {self.path} was built by another version of vnnews (its fields differ); move that "
                "folder away and run `vnnews ingest PATH` again (`vnnews serve` reloads the demo corpus by itself)")
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._thread_lock = threading.Lock()
        self._closed = False
        self._local = threading.local()
        self._searchers: set = set()
        self.write_seconds = 0.0  # time the writer spent writing and committing since the store was opened
        # What layers above keep for this open index (the search layer's segment arrays and vocabulary): it lives
        # and dies with the store, so two indexes open in one process never share it.
        self.caches: dict[str, object] = {}

    # -------------------------------------------------------- reading
    @contextmanager
    def searcher(self) -> Iterator:
        """A searcher on the latest commit, private to the calling thread.

        Each thread keeps its own searcher and reopens it only when a commit happened since: opening a searcher reads
        every segment's term index (about 35 ms at 2,000 articles), which per request was most of a query's time.
        (whoosh's own `Searcher.refresh()` reuses segment readers whose deletions have changed, and so keeps showing
        deleted articles; hence a full reopen.)
        """
        if self._closed:
            raise IndexUnavailable("the index is closed")
        local = self._local
        depth = getattr(local, "depth", 0)
        current = getattr(local, "searcher", None)
        if current is None:
            current = self._ix.searcher()
            with self._thread_lock:
                self._searchers.add(current)
        elif depth == 0 and current.reader().generation() != self._ix.latest_generation():
            # Never reopen under an outer use in the same thread: closing would pull the index from under it.
            fresh = self._ix.searcher()
            with self._thread_lock:
                self._searchers.discard(current)
                self._searchers.add(fresh)
            current.close()
            current = fresh
        local.searcher = current
        local.depth = depth + 1
        try:
            yield current
        finally:
            local.depth = depth

    def count(self) -> int:
        with self.searcher() as searcher:
            return searcher.doc_count()

    def get(self, article_id: str) -> dict | None:
        with self.searcher() as s:
            stored = s.document(id=article_id)
        return stored_article(stored) if stored else None

    def segments(self) -> int:
        """How many segments the index is in (each commit adds one; merges and `optimize` join them)."""
        with self.searcher() as searcher:
            return len(searcher.reader().leaf_readers())

    def size_bytes(self) -> int:
        """Bytes the index takes on disk."""
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())

    def generation(self) -> int:
        return self._ix.latest_generation()

    # -------------------------------------------------------- writing
    def upsert(self, docs: list[IndexDoc]) -> list[str]:
        """Add or replace documents by id: "added", "updated" or "unchanged" (same content: not rewritten)."""
        return self.upsert_later(docs).result()

    def upsert_later(self, docs: list[IndexDoc]) -> Future:
        """`upsert` without waiting: a future of its statuses, set once the documents are committed (or of the
        error that kept them out). A bulk ingest prepares the next batch while the writer commits this one."""
        if not docs:
            future: Future = Future()
            future.set_result([])
            return future
        return self._submit(("upsert", list(docs)))

    def delete(self, article_id: str) -> bool:
        """Delete one article; False when there was none with that id."""
        return self._submit(("delete", article_id)).result()

    def delete_many(self, article_ids: list[str]) -> int:
        """Delete many articles (grouped into few commits by the writer); returns how many there were."""
        futures = [self._submit(("delete", article_id)) for article_id in article_ids]
        return sum(bool(f.result()) for f in futures)

    def optimize(self) -> None:
        """Merge every segment into one: the fastest index to search, at the cost of rewriting all of it."""
        self._submit(("optimize", None)).result()

    def require(self, article_id: str) -> dict:
        article = self.get(article_id)
        if article is None:
            raise NotFound(f"no article with id {article_id!r}", field="id")
        return article

    def _submit(self, job) -> Future:
        if self._closed:
            raise IndexUnavailable("the index is closed")
        future: Future = Future()
        self._queue.put((job, future))
        with self._thread_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._writer_loop, name="index-writer", daemon=True)
                self._thread.start()
        return future

    def _writer_loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            group = [item]
            size = self._job_size(item[0])
            while size < MAX_GROUP:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._queue.put(None)
                    break
                group.append(nxt)
                size += self._job_size(nxt[0])
            started = time.perf_counter()
            try:
                results = self._write(group)
            except Exception as exc:  # every waiter hears about the failure; nothing was committed
                error = exc if isinstance(exc, IndexUnavailable) else IndexUnavailable(f"index write failed: {exc}")
                for _, future in group:
                    future.set_exception(error)
                continue
            finally:
                self.write_seconds += time.perf_counter() - started
            for (_, future), result in zip(group, results):
                future.set_result(result)

    @staticmethod
    def _job_size(job) -> int:
        return len(job[1]) if job[0] == "upsert" else 1  # delete, optimize

    def _write(self, group: list) -> list:
        try:
            writer = self._ix.writer(timeout=WRITER_TIMEOUT, codec=InlineCodec(), limitmb=WRITER_POOL_MB)
        except LockError as exc:
            raise IndexUnavailable(
                "the index is locked by another writer (a `vnnews ingest` or `vnnews serve` on the same data "
                "directory); try again when it finishes"
            ) from exc
        results = []
        try:
            with writer.searcher() as searcher:
                committed: dict[str, str | None] = {}  # id → content hash in the index before this group (None: none)
                latest: dict[str, str | None] = {}  # id → content hash after the jobs so far (None: deleted)
                final: dict[str, IndexDoc | None] = {}  # id → what to write for it (None: delete it)
                optimize = False

                def state(article_id: str) -> str | None:
                    if article_id in latest:
                        return latest[article_id]
                    if article_id not in committed:
                        stored = searcher.document(id=article_id)
                        committed[article_id] = (stored.get("extra") or {}).get("content_hash", "") if stored else None
                    return committed[article_id]

                for job, _ in group:
                    if job[0] == "optimize":
                        optimize = True
                        results.append(None)
                    elif job[0] == "delete":
                        exists = state(job[1]) is not None
                        if exists:
                            final[job[1]] = None
                        latest[job[1]] = None
                        results.append(exists)
                    else:
                        statuses = []
                        for doc in job[1]:
                            before = state(doc.id)
                            if before == doc.content_hash:
                                statuses.append("unchanged")
                                continue
                            final[doc.id] = doc
                            latest[doc.id] = doc.content_hash
                            statuses.append("added" if before is None else "updated")
                        results.append(statuses)
                # One write per id, its last state: whoosh deletes by id only in committed segments, so a second
                # copy written in this same commit could not be replaced or deleted.
                for article_id, doc in final.items():
                    if committed.get(article_id) is None:  # not in the index: nothing to delete in every segment
                        if doc is not None:
                            writer.add_document(**to_fields(doc))
                    elif doc is None:
                        writer.delete_by_term("id", article_id)
                    else:
                        writer.update_document(**to_fields(doc))
                changed = bool(final)
            if optimize:
                writer.commit(mergetype=merge_all)
            elif changed:
                writer.commit(mergetype=merge_tiers)
            else:
                writer.cancel()
        except BaseException:
            writer.cancel()
            raise
        return results

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=30)
        with self._thread_lock:
            for searcher in self._searchers:
                searcher.close()
            self._searchers.clear()
        self.caches.clear()
        self._ix.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
