"""The app factory and the production server."""

from __future__ import annotations

import os
import weakref
from pathlib import Path

from flask import Flask, request, url_for

from index import search as searching
from index.store import Store
from models import topics
from nlp import segment
from vnnews import settings, templating
from vnnews.errors import InvalidInput
from vnnews.web import api, errors, feeds, pages
from vnnews.web.services import Services

_INT_SETTINGS = ("MAX_CONTENT_LENGTH", "MAX_PER_PAGE", "THREADS")
_STR_SETTINGS = ("DATA_DIR", "MODEL_PATH", "API_KEY")


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings defaults, then VNNEWS_* environment variables, then `config`; load model and index."""
    app = Flask(__name__)
    _configure(app, config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]  # facet counts are ordered by count
    # One Jinja environment for pages and digests (vnnews.templating), with Flask's request helpers added.
    env = templating.environment()
    env.globals.update(url_for=url_for, request=request, page_url=pages.page_url)
    app.jinja_env = env  # type: ignore[misc]

    model = topics.load(Path(app.config["MODEL_PATH"]))
    segment.load()  # underthesea loads lazily with no lock: load it before serving concurrent requests
    store = Store(app.config["DATA_DIR"])
    searching.warm(store)  # vocabulary and facet arrays now, not on the first user's query
    services = Services(model=model, store=store)
    app.extensions["vnnews"] = services
    # Flask has no shutdown signal: the index closes when the app is collected or the process exits (and `serve`
    # closes it when waitress stops); closing twice is harmless.
    weakref.finalize(app, services.close)

    errors.register(app)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(feeds.blueprint)  # /api/feeds and the feed-health page /feeds
    return app


def _configure(app: Flask, config: dict | None) -> None:
    app.config.from_mapping(settings.defaults())
    app.config.from_prefixed_env("VNNEWS")
    # from_prefixed_env reads values as JSON: VNNEWS_API_KEY=123 would become the int 123. Paths and keys are text.
    for name in _STR_SETTINGS:
        if f"VNNEWS_{name}" in os.environ:
            app.config[name] = os.environ[f"VNNEWS_{name}"]
    if config:
        app.config.update(config)
    for name in _INT_SETTINGS:
        try:
            app.config[name] = int(app.config[name])
        except (TypeError, ValueError):
            raise InvalidInput(f"setting {name} must be a whole number, not {app.config[name]!r}", field=name)
    app.config["API_KEY"] = "" if app.config.get("API_KEY") is None else str(app.config["API_KEY"])


def serve(app: Flask, host: str = "127.0.0.1", port: int = 8000, threads: int = 8) -> None:
    """Run the app under waitress (the production server) until interrupted, then close its index."""
    import waitress

    try:
        waitress.serve(app, host=host, port=port, threads=threads)
    finally:
        app.extensions["vnnews"].close()
