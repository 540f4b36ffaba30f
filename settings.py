"""Settings shared by the CLI and the service: one place for names, defaults and help text."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
MODEL_PATH = ROOT / "models" / "topics.joblib"  # the shipped model (models.topics.MODEL_PATH, without importing it)


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
    Setting("THREADS", 8, "worker threads of the production server (waitress)"),
    Setting("SHARED_DATA", str(ROOT.parent / "shared" / "data"),
            "folder of the real articles behind corpus/real/ (env VNNEWS_SHARED_DATA); only `vnnews train` reads it"),
)


def defaults() -> dict:
    return {s.name: s.default for s in SETTINGS}


def from_env(name: str, fallback: object = None) -> object:
    """A setting from VNNEWS_<NAME>, else its default (or `fallback`)."""
    default = next((s.default for s in SETTINGS if s.name == name), fallback)
    return os.environ.get(f"VNNEWS_{name}", default)


def data_dir(explicit: str | None = None) -> Path:
    return Path(explicit or str(from_env("DATA_DIR")))


def model_path(explicit: str | None = None) -> Path:
    return Path(explicit or str(from_env("MODEL_PATH")))


def shared_data(explicit: str | None = None) -> Path:
    return Path(explicit or str(from_env("SHARED_DATA")))
