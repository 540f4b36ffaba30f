"""HTTP for feeds (issue 13): GET/POST/DELETE /api/feeds and the feed-health page /feeds. Writes need the API key
exactly as POST /api/articles does; errors are NewsError, which the app's handlers turn into its one JSON shape."""

from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from feeds.state import State, parse_interval
from vnnews.errors import InvalidInput
from vnnews.web.bodies import require_key

blueprint = Blueprint("feeds", __name__)


def _state() -> State:
    return State(current_app.config["DATA_DIR"])


def _require_key() -> None:
    require_key()  # the API's own check, so both write endpoints refuse alike


@blueprint.get("/api/feeds")
def list_feeds():
    with _state() as state:
        return jsonify({"feeds": [f.to_dict() for f in state.feeds()]})


@blueprint.post("/api/feeds")
def add_feed():
    _require_key()
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("the body must be a JSON object like {\"url\": \"https://...\", \"every\": \"15m\"}")
    for name in ("url", "name", "source", "every"):
        if name in data and data[name] is not None and not isinstance(data[name], str):
            raise InvalidInput(f"`{name}` must be a string", field=name)
    with _state() as state:
        feed = state.add_feed(data.get("url") or "", name=data.get("name") or "", source=data.get("source") or "",
                              interval=parse_interval(data.get("every")))
        return jsonify(feed.to_dict()), 201


@blueprint.delete("/api/feeds/<path:ref>")
def remove_feed(ref: str):
    _require_key()
    with _state() as state:
        state.remove_feed(ref)
    return Response(status=204)


@blueprint.get("/feeds")
def feeds_page():
    now = time.time()
    with _state() as state:
        feeds = state.feeds(now)
        counts = state.counts()
    return render_template("feeds.html", title="Nguồn tin", feeds=[f.to_dict() for f in feeds], counts=counts)
