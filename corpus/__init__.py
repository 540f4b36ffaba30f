"""The labeled training corpus: JSON Lines files under corpus/ (and the real set's labels under corpus/real/), and
their loader. The `Article` record lives in vnnews.records and the topic vocabulary in vnnews.labels; both are
re-exported here for the loader's callers."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterable, Iterator

from vnnews.errors import CorpusError, InvalidInput, Problem
from vnnews.labels import TOPICS
from vnnews.records import Article, article_from_dict, derive_id, json_lines, parse_date

__all__ = ["CORPUS_DIR", "TOPICS", "Article", "article_from_dict", "derive_id", "parse_date", "read_jsonl",
           "corpus_files", "load", "fingerprint"]

CORPUS_DIR = Path(__file__).resolve().parent


def read_jsonl(path: Path, *, labeled: bool = False) -> Iterator[tuple[int, Article | Problem]]:
    """Yield (line number, Article or the Problem of that line, placed at file:line) for every non-blank line."""
    with open(path, "rb") as handle:
        for number, record in json_lines(handle):
            if isinstance(record, Problem):
                yield number, record.at(f"{path}:{number}")
                continue
            try:
                yield number, article_from_dict(record, labeled=labeled)
            except InvalidInput as exc:
                yield number, exc.problem(f"{path}:{number}")


def corpus_files(paths: Iterable[str | Path] | None = None) -> list[Path]:
    """The .jsonl files named, or found in the folders named (default: the bundled corpus/)."""
    files: list[Path] = []
    for path in [Path(p) for p in (paths or [CORPUS_DIR])]:
        if path.is_dir():
            files += sorted(path.glob("*.jsonl"))
        elif path.is_file():
            files.append(path)
        else:
            raise CorpusError(f"no such corpus file or folder: {path}")
    if not files:
        raise CorpusError(f"no .jsonl files in {', '.join(str(p) for p in (paths or [CORPUS_DIR]))}")
    return files


def load(paths: Iterable[str | Path] | None = None) -> list[Article]:
    """Load and validate the labeled corpus; the first bad record raises CorpusError naming its file and line."""
    articles: list[Article] = []
    seen: dict[str, str] = {}
    for path in corpus_files(paths):
        for number, item in read_jsonl(path, labeled=True):
            if isinstance(item, Problem):
                raise CorpusError(item.describe(), field=item.field)
            where = f"{path}:{number}"
            if item.id in seen:
                raise CorpusError(f"{where}: duplicate id {item.id!r} (first at {seen[item.id]})", field="id")
            seen[item.id] = where
            articles.append(item)
    return articles


def fingerprint(paths: Iterable[str | Path] | None = None) -> str:
    """SHA-256 of the corpus files' bytes, in order (the default corpus with the real set's label files under
    corpus/real/): saved with the model so a stale model can be recognised."""
    digest = hashlib.sha256()
    real = sorted((CORPUS_DIR / "real").glob("*.jsonl")) if paths is None else []
    for path in corpus_files(paths) + real:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
