"""Settings shared by the CLI and the service: one place for names, defaults and help text."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # the project folder
MODEL_PATH = ROOT / "models" / "topics.joblib"  # the shipped model (models.topics.MODEL_PATH, without importing it)
SHARED_DATA = ROOT.parent / "shared" / "data"  # the real-news data beside the project (labels: corpus/real/)


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str


SETTINGS = (
    Setting("DATA_DIR", "./var", "folder holding the search index (env VNNEWS_DATA_DIR, CLI --data-dir)"),
    Setting("MODEL_PATH", str(MODEL_PATH), "the trained topic model file (env VNNEWS_MODEL_PATH)"),
    Setting("API_KEY", "", "bearer key required by POST/DELETE /api/articles (env VNNEWS_API_KEY); empty refuses writes"),
    Setting("MAX_CONTENT_LENGTH", 10 * 1024 * 1024, "largest request body in bytes; larger → 413"),
    Setting("MAX_PER_PAGE", 100, "largest per_page a search may ask for"),
    Setting("THREADS", 2, "worker threads of each serving process (waitress)"),
    Setting("PROCESSES", "auto", "serving processes; auto: one per core, at most 4, on Linux (elsewhere 1)"),
    Setting("SHARED_DATA", str(SHARED_DATA),
            "folder of the real articles behind corpus/real/ (env VNNEWS_SHARED_DATA); only `vnnews train` reads it"),
)


def defaults() -> dict:
    """Every setting's default, by name."""
    return {s.name: s.default for s in SETTINGS}


def from_env(name: str, fallback: object = None) -> object:
    """A setting from VNNEWS_<NAME>, else its default (or `fallback`)."""
    default = next((s.default for s in SETTINGS if s.name == name), fallback)
    return os.environ.get(f"VNNEWS_{name}", default)


MAX_AUTO_PROCESSES = 4  # each process holds its own copy of what it writes (about 400 MB at 100,000 articles)


def processes(value: object = None) -> int:
    """Serving processes: a whole number ≥ 1, or "auto" (one per core, at most MAX_AUTO_PROCESSES, on Linux where
    forking a loaded process is safe; 1 elsewhere)."""
    value = from_env("PROCESSES") if value is None else value
    if str(value).strip().lower() == "auto":
        if not sys.platform.startswith("linux"):
            return 1
        return max(1, min(MAX_AUTO_PROCESSES, len(os.sched_getaffinity(0))))
    try:
        number = int(str(value))
    except ValueError:
        number = 0
    if number < 1:
        raise ValueError(f"processes must be a whole number of at least 1 or 'auto', not {value!r}")
    return number


def data_dir(explicit: str | None = None) -> Path:
    """The index folder: `explicit`, else VNNEWS_DATA_DIR, else ./var."""
    return Path(explicit or str(from_env("DATA_DIR")))


def model_path(explicit: str | None = None) -> Path:
    """The topic model file: `explicit`, else VNNEWS_MODEL_PATH, else the shipped model."""
    return Path(explicit or str(from_env("MODEL_PATH")))


def shared_data(explicit: str | None = None) -> Path:
    """The real-news data folder: `explicit`, else VNNEWS_SHARED_DATA, else ../shared/data."""
    return Path(explicit or str(from_env("SHARED_DATA")))


def api_key(data_dir: Path) -> tuple[str, str]:
    """The write key: VNNEWS_API_KEY if set, else one generated once and kept in the data folder (mode 600)."""
    import secrets

    configured = os.environ.get("VNNEWS_API_KEY", "").strip()
    if configured:
        return configured, "from VNNEWS_API_KEY"
    path = data_dir / "api_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip(), f"kept in {path}"
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key, f"generated and kept in {path}"
