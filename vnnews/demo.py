"""The demo corpus (the 1,044 articles we wrote, corpus/) kept apart from the user's news.

`vnnews serve` loads it only into a data directory that has never held anything: an empty index, no feeds, and no
record of an earlier demo. Every demo article is marked (`"demo": true`, shown as such in search results), and the
ids loaded are listed in DEMO_FILE in the data directory, so one command (`vnnews demo remove`) deletes exactly them
and leaves a note that keeps the demo from coming back. An article the user has since replaced under a demo id is
not a demo article any more and stays.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

DEMO_FILE = "demo.json"
FEEDS_FILE = "feeds.sqlite"


@dataclass
class DemoState:
    """What the data directory's DEMO_FILE says: the demo ids loaded (empty once removed) and when."""

    ids: list[str]
    loaded: str
    removed: str | None = None

    @property
    def present(self) -> bool:
        return bool(self.ids) and self.removed is None


def demo_state(data_dir: str | Path) -> DemoState | None:
    """The demo's state in a data directory; None when the demo was never loaded there."""
    path = Path(data_dir) / DEMO_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return DemoState(ids=list(raw.get("ids") or []), loaded=str(raw.get("loaded") or ""),
                         removed=raw.get("removed"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, AttributeError, TypeError):  # unreadable: treat as a demo that is not there
        return DemoState(ids=[], loaded="", removed="unreadable demo file")


def _write_state(data_dir: str | Path, state: DemoState) -> None:
    path = Path(data_dir) / DEMO_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"ids": state.ids, "loaded": state.loaded, "removed": state.removed},
                              ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)  # never half a file


def should_load(data_dir: str | Path, article_count: int) -> bool:
    """Load the demo only into a data directory that never held anything: no articles, no feeds, no demo before."""
    if article_count or demo_state(data_dir) is not None:
        return False
    return not (Path(data_dir) / FEEDS_FILE).exists()


def demo_records(files: list[Path]) -> Iterator[tuple[str, Any]]:
    """The corpus records, each marked `"demo": true` (kept with the article, returned by search)."""
    from vnnews.ingest import iter_records

    for where, record in iter_records(files):
        if isinstance(record, dict):
            record = {**record, "demo": True}
        yield where, record


def load_demo(store, model, model_path: Path, data_dir: str | Path, files: list[Path]):
    """Index the demo corpus, marked, and list its ids in DEMO_FILE (written first: an interrupted load can still
    be removed). Returns the ingest summary."""
    from vnnews.ingest import ingest_records
    from vnnews.records import record_id

    ids = [record_id(record) for _, record in demo_records(files) if isinstance(record, dict)]
    _write_state(data_dir, DemoState(ids=ids, loaded=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")))
    return ingest_records(store, demo_records(files), model, model_path)


def remove_demo(store, data_dir: str | Path, files: list[Path] | None = None) -> int:
    """Delete the demo articles still in the index (not those the user replaced since); returns how many. The note
    left in DEMO_FILE keeps `vnnews serve` from loading the demo again.

    A data directory filled by an older version has no DEMO_FILE and unmarked demo articles: with `files` (the demo
    corpus), those are found as the corpus ids whose stored title is still the corpus title."""
    state = demo_state(data_dir)
    if state is not None and state.present:
        doomed = [i for i in state.ids if (store.get(i) or {}).get("demo")]
    elif state is None and files:
        doomed = _unmarked_demo_ids(store, files)
    else:
        return 0
    if not doomed and state is None:
        return 0  # nothing of an older demo here: leave no note either
    removed = store.delete_many(doomed)
    _write_state(data_dir, DemoState(ids=[], loaded=state.loaded if state else "",
                                     removed=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")))
    return removed


def _unmarked_demo_ids(store, files: list[Path]) -> list[str]:
    from nlp.normalize import normalize
    from vnnews.records import record_id

    found = []
    for _, record in demo_records(files):
        if not isinstance(record, dict):
            continue
        article_id = record_id(record)
        stored = store.get(article_id)
        if stored is not None and stored["title"] == normalize((record.get("title") or "").strip()):
            found.append(article_id)
    return found
