"""The real labeled training set: labels in `corpus/real/*.jsonl`, article text joined from ../shared/data.

Each label record names its article by reference, never by text (the text belongs to its publishers):
- `{"file": "rss-2025-08-2026-02.jsonl.gz", "id": "<pool id>", ...}`
- `{"file": "vietnews-100k.jsonl.gz", "line": 1234, "title_sha": "<10 hex>", ...}` (its ids repeat: the line
  number names the record and the hash of its title checks that the file is the one labeled)
- `{"file": "vntc10-train.jsonl.xz", "id": "<VNTC id>", ...}`
plus `topics`, `provinces` (as in force at the article's date), `labeled_by` and `labeled_on`.
`load_real(data_dir)` validates every record (file and line of the first bad one) and returns the Articles.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import lzma
import re
import unicodedata
from pathlib import Path
from typing import Any

from vnnews.labels import TOPICS
from vnnews.records import Article
from vnnews.errors import CorpusError

REAL_DIR = Path(__file__).resolve().parent / "real"
SOURCES = {"rss-2025-08-2026-02.jsonl.gz": "id", "vietnews-100k.jsonl.gz": "line", "vntc10-train.jsonl.xz": "id"}
_FIRST_SENTENCE = re.compile(r"^(.{20,200}?[.!?])\s")


def title_sha(title: str) -> str:
    """The short hash that checks a vietnews line is the article labeled: ``title_sha("Tiêu đề")`` → 10 hex."""
    return hashlib.sha1(unicodedata.normalize("NFC", title).encode("utf-8")).hexdigest()[:10]


def label_files(folder: Path = REAL_DIR) -> list[Path]:
    return sorted(folder.glob("*.jsonl"))


def read_labels(folder: Path = REAL_DIR) -> list[tuple[str, dict]]:
    """(where, record) of every label record, validated; the first bad one raises CorpusError naming file:line."""
    out = []
    first: dict[tuple, str] = {}
    for path in label_files(folder):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{where}: not valid JSON ({exc.msg})") from exc
            _check(record, where)
            reference = (record["file"], record.get("id"), record.get("line"))
            if reference in first:
                raise CorpusError(f"{where}: the same article is labeled twice (first at {first[reference]})")
            first[reference] = where
            out.append((where, record))
    return out


def _check(record: Any, where: str) -> None:
    if not isinstance(record, dict):
        raise CorpusError(f"{where}: a label record must be a JSON object")
    source = record.get("file")
    if source not in SOURCES:
        raise CorpusError(f"{where}: `file` must be one of {', '.join(SOURCES)}, not {source!r}", field="file")
    if SOURCES[source] == "line":
        if not isinstance(record.get("line"), int) or record["line"] < 1:
            raise CorpusError(f"{where}: `line` must be a line number (1 or more)", field="line")
        if not isinstance(record.get("title_sha"), str) or not re.fullmatch(r"[0-9a-f]{10}", record["title_sha"]):
            raise CorpusError(f"{where}: `title_sha` must be 10 hex digits (corpus.real.title_sha)", field="title_sha")
    elif not isinstance(record.get("id"), str) or not record["id"]:
        raise CorpusError(f"{where}: `id` must name the article in {source}", field="id")
    for name in ("topics", "provinces"):
        value = record.get(name)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise CorpusError(f"{where}: `{name}` must be a list of strings", field=name)
    unknown = sorted(set(record["topics"]) - set(TOPICS))
    if unknown:
        raise CorpusError(f"{where}: unknown topic {unknown[0]!r}; topics are {', '.join(TOPICS)}", field="topics")
    if not isinstance(record.get("labeled_by"), str) or not record["labeled_by"]:
        raise CorpusError(f"{where}: `labeled_by` must say who labeled it", field="labeled_by")
    try:
        dt.date.fromisoformat(record.get("labeled_on") or "")
    except (TypeError, ValueError):
        raise CorpusError(f"{where}: `labeled_on` must be an ISO date", field="labeled_on") from None


def load_real(data_dir: Path, folder: Path = REAL_DIR) -> list[Article]:
    """The labeled real articles with their text from `data_dir` (../shared/data). Raises CorpusError when the data
    folder is absent (then train on corpus/ alone), or naming the label record whose article cannot be found."""
    data_dir = Path(data_dir)
    labels = read_labels(folder)
    if not data_dir.is_dir():
        raise CorpusError(f"{data_dir} is absent: the real training set's text lives there; training uses corpus/ "
                          "alone")
    wanted: dict[str, dict[Any, tuple[str, dict]]] = {}
    for where, record in labels:
        key = record[SOURCES[record["file"]]]
        wanted.setdefault(record["file"], {})[key] = (where, record)
    articles: list[Article] = []
    for source, records in wanted.items():
        found = _read_source(data_dir / source, source, set(records))
        for key, (where, record) in records.items():
            if key not in found:
                raise CorpusError(f"{where}: no article {key!r} in {data_dir / source}")
            article = found[key]
            if source.startswith("vietnews") and title_sha(article.title) != record["title_sha"]:
                raise CorpusError(f"{where}: line {key} of {source} is not the article labeled (its title hash "
                                  "differs): the data file changed", field="title_sha")
            article.topics = list(record["topics"])
            article.provinces = list(record["provinces"])
            article.extra = {"kind": "rss" if source.startswith("rss") else "full", "labels": where}
            articles.append(article)
    return articles


def _read_source(path: Path, source: str, keys: set) -> dict[Any, Article]:
    if not path.exists():
        raise CorpusError(f"{path} is missing: the real training set's text lives there")
    opener = gzip.open if path.suffix == ".gz" else lzma.open
    found: dict[Any, Article] = {}
    with opener(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if source.startswith("vietnews"):
                if number not in keys:
                    continue
                r = json.loads(line)
                found[number] = Article(id=f"vietnews-line-{number}", title=r["title"], lead=r.get("lead") or "",
                                        body=r.get("body") or r.get("lead") or "")
                continue
            r = json.loads(line)
            if r["id"] not in keys:
                continue
            if source.startswith("rss"):
                summary = r.get("summary") or ""
                # As `vnnews ingest` reads an item with a summary and no body: the summary is the body.
                found[r["id"]] = Article(id=f"rss-{r['id']}", title=r["title"], body=summary or r["title"],
                                         source=", ".join(r.get("sources") or []))
            else:
                text = r["text"].strip()
                head = _FIRST_SENTENCE.match(text)
                title = head.group(1) if head else text[:120]
                found[r["id"]] = Article(id=f"vntc-{r['id']}", title=title, body=text[len(title):].strip() or text)
    return found
