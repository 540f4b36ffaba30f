"""Tag quality of a model on a labeled file: tag every record and compare with its labels (models.scores)."""

from __future__ import annotations

from pathlib import Path

from models.provinces import current_name
from models.scores import province_report, topic_report
from models.tagger import tag_many
from vnnews.errors import CorpusError, Problem
from vnnews.records import Article, json_lines
from vnnews.settings import SHARED_DATA

__all__ = ["SHARED_DATA", "DEV_SET", "read_labeled", "tag_file", "evaluate_file", "topic_report", "province_report"]

DEV_SET = SHARED_DATA / "dev-labeled.jsonl"


def read_labeled(path: Path) -> list[dict]:
    """Labeled evaluation records (dev-set layout: title, body, date, topics, provinces); a line that is not JSON
    raises CorpusError naming file:line."""
    rows = []
    with open(path, "rb") as handle:
        for number, record in json_lines(handle):
            if isinstance(record, Problem):
                raise CorpusError(record.at(f"{path}:{number}").describe())
            rows.append(record)
    return rows


def tag_file(path: Path, model) -> tuple[list[dict], list[list[str]], list]:
    """A labeled file's records, their gold provinces at the 34-province level, and the model's tags of them."""
    rows = read_labeled(Path(path))
    articles = [
        Article(id=str(r.get("id", i)), title=r.get("title") or "", lead=r.get("lead") or "", body=r.get("body") or "")
        for i, r in enumerate(rows)
    ]
    gold_provinces = [sorted({current_name(p) or p for p in r.get("provinces", [])}) for r in rows]
    return rows, gold_provinces, tag_many(articles, model)


def evaluate_file(path: Path, model) -> dict:
    """Tag every record of a labeled file and compare with its labels (provinces at the 34-province level)."""
    rows, gold_provinces, tags = tag_file(path, model)
    return {
        "data": str(path),
        "topics": topic_report([r.get("topics", []) for r in rows], [t.topics for t in tags]),
        "provinces": province_report(gold_provinces, [t.provinces for t in tags]),
    }
