"""The naive baseline for comparisons: Whoosh's StandardAnalyzer over title and body, its default query parser.

Benchmarks only; the service never uses it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from whoosh import fields, index
from whoosh.analysis import StandardAnalyzer
from whoosh.qparser import MultifieldParser


class BaselineIndex:
    def __init__(self, path: Path, articles: Iterable[dict]):
        schema = fields.Schema(id=fields.ID(stored=True, unique=True),
                               title=fields.TEXT(analyzer=StandardAnalyzer(), field_boost=3.0),
                               body=fields.TEXT(analyzer=StandardAnalyzer()))
        path.mkdir(parents=True, exist_ok=True)
        self._ix = index.create_in(path, schema)
        writer = self._ix.writer()
        for a in articles:
            writer.add_document(id=a["id"], title=a["title"], body="\n".join([a.get("lead") or "", a["body"]]))
        writer.commit()
        self._parser = MultifieldParser(["title", "body"], schema)

    def search(self, text: str) -> list[str]:
        with self._ix.searcher() as searcher:
            try:
                query = self._parser.parse(text)
            except Exception:
                return []
            return [hit["id"] for hit in searcher.search(query, limit=10)]
