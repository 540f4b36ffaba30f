"""The index on disk: open or create it, and the single writer every upsert and delete goes through."""

from __future__ import annotations

import queue
import secrets
import threading
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from whoosh import index as whoosh_index
from whoosh import writing as whoosh_writing
from whoosh.codec import base as whoosh_codec_base
from whoosh.filedb import compound as whoosh_compound, filestore as whoosh_filestore
from whoosh.index import LockError

from errors import IndexError_, NotFound
from index.ingest import IndexDoc, published_datetime
from index.schema import FACET_SEPARATOR, build_schema
from nlp.fold import fold

INDEX_NAME = "articles"
WRITER_TIMEOUT = 60.0  # seconds to wait for another process's writer (an ingest while the server runs)
MAX_GROUP = 2000  # most documents one group commit takes


def _os_random_name(size: int = 28) -> str:
    return secrets.token_hex((size + 1) // 2)[:size]


# whoosh names new segments and temporary files with the `random` module, whose state any code may seed (hypothesis
# does, for every example): two commits then picked the same segment name and the second failed on an assertion.
# Names from the operating system's randomness instead, in every module that imported whoosh's `random_name`.
for _module in (whoosh_codec_base, whoosh_compound, whoosh_filestore, whoosh_writing):
    _module.random_name = _os_random_name


def facet_value(doc: IndexDoc) -> str:
    """The facet column of one article: t:<topic>, p:<province>, s:<source> joined by a separator."""
    values = [f"t:{t}" for t in doc.tags.topics] + [f"p:{p}" for p in doc.tags.provinces]
    if doc.article.source:
        values.append(f"s:{doc.article.source}")
    return FACET_SEPARATOR.join(values)


def to_fields(doc: IndexDoc) -> dict:
    a, t = doc.article, doc.tags
    fields = dict(
        id=a.id, title=a.title, lead=a.lead, body=a.body, url=a.url, source=a.source, source_f=fold(a.source),
        topic=",".join(t.topics), province=",".join(t.provinces), province_former=",".join(t.former_provinces),
        facets=facet_value(doc),
        extra={"topic_scores": t.topic_scores, "province_details": t.province_details, "key_terms": doc.key_terms,
               "content_hash": doc.content_hash, "fields": a.extra},
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
                raise IndexError_(f"no index in {self.path}; run `vnnews ingest PATH` to create one", status=404)
        except OSError as exc:
            raise IndexError_(f"cannot open the index in {self.path}: {exc}") from exc
        if set(self._ix.schema.names()) != set(build_schema().names()):
            self._ix.close()
            raise IndexError_(
                f"the index in {self.path} was built by another version of vnnews (its fields differ); move that "
                "folder away and run `vnnews ingest PATH` again (`vnnews serve` reloads the demo corpus by itself)")
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._thread_lock = threading.Lock()
        self._closed = False
        self._local = threading.local()
        self._searchers: set = set()

    # -------------------------------------------------------- reading
    @contextmanager
    def searcher(self) -> Iterator:
        """A searcher on the latest commit, private to the calling thread.

        Each thread keeps its own searcher and reopens it only when a commit happened since: opening a searcher reads
        every segment's term index (about 35 ms at 2,000 articles), which per request was most of a query's time.
        (whoosh's own `Searcher.refresh()` reuses segment readers whose deletions have changed, and so keeps showing
        deleted articles; hence a full reopen.)
        """
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

    def generation(self) -> int:
        return self._ix.latest_generation()

    # -------------------------------------------------------- writing
    def upsert(self, docs: list[IndexDoc]) -> list[str]:
        """Add or replace documents by id: "added", "updated" or "unchanged" (same content: not rewritten)."""
        if not docs:
            return []
        return self._submit(("upsert", docs)).result()

    def delete(self, article_id: str) -> bool:
        """Delete one article; False when there was none with that id."""
        return self._submit(("delete", article_id)).result()

    def require(self, article_id: str) -> dict:
        article = self.get(article_id)
        if article is None:
            raise NotFound(f"no article with id {article_id!r}", field="id")
        return article

    def _submit(self, job) -> Future:
        if self._closed:
            raise IndexError_("the index is closed")
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
            try:
                results = self._write(group)
            except Exception as exc:  # every waiter hears about the failure; nothing was committed
                error = exc if isinstance(exc, IndexError_) else IndexError_(f"index write failed: {exc}")
                for _, future in group:
                    future.set_exception(error)
                continue
            for (_, future), result in zip(group, results):
                future.set_result(result)

    @staticmethod
    def _job_size(job) -> int:
        return len(job[1]) if job[0] == "upsert" else 1

    def _write(self, group: list) -> list:
        try:
            writer = self._ix.writer(timeout=WRITER_TIMEOUT)
        except LockError as exc:
            raise IndexError_(
                "the index is locked by another writer (a `vnnews ingest` or `vnnews serve` on the same data "
                "directory); try again when it finishes"
            ) from exc
        results = []
        try:
            with writer.searcher() as searcher:
                latest: dict[str, str | None] = {}  # id → content hash written in this group (None: deleted)
                changed = False
                for job, _ in group:
                    if job[0] == "delete":
                        article_id = job[1]
                        if article_id in latest:
                            exists = latest[article_id] is not None
                        else:
                            exists = searcher.document_number(id=article_id) is not None
                        if exists:
                            writer.delete_by_term("id", article_id)
                            changed = True
                        latest[article_id] = None
                        results.append(bool(exists))
                        continue
                    statuses = []
                    for doc in job[1]:
                        if doc.id in latest:
                            before = latest[doc.id]
                        else:
                            stored = searcher.document(id=doc.id)
                            before = (stored.get("extra") or {}).get("content_hash", "") if stored else None
                        if before == doc.content_hash:
                            statuses.append("unchanged")
                            continue
                        writer.update_document(**to_fields(doc))
                        changed = True
                        latest[doc.id] = doc.content_hash
                        statuses.append("added" if before is None else "updated")
                    results.append(statuses)
            if changed:
                writer.commit()
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
        self._ix.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
