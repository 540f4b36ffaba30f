"""Reading input files: JSON (one article or a list), JSON Lines, and folders of them, as (where, record) pairs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Iterator

from vnnews.errors import Problem
from vnnews.records import json_lines


def iter_records(paths: Iterable[str | Path]) -> Iterator[tuple[str, Any]]:
    """(where, record or its Problem) for every record in JSON / JSON Lines files, or folders of them."""
    for path in map(Path, paths):
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix in (".json", ".jsonl", ".ndjson") and p.is_file())
        elif path.is_file():
            files = [path]
        else:
            yield str(path), Problem(str(path), "no such file or folder")
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
                yield str(file), Problem(str(file), f"not UTF-8 text ({exc})")
                return
            except json.JSONDecodeError as exc:
                if exc.msg != "Extra data":  # "Extra data" after the first value: JSON Lines after all
                    yield str(file), Problem(str(file), f"not a valid JSON file ({exc})")
                    return
                data = None
            if data is not None:
                for number, item in enumerate(data if isinstance(data, list) else [data], 1):
                    yield f"{file}#{number}", item
                return
            handle.seek(0)
        for number, record in json_lines(handle):
            where = f"{file}:{number}"
            yield where, record.at(where) if isinstance(record, Problem) else record
