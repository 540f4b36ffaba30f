"""HTTP for feeds (issue 13): GET/POST/DELETE /api/feeds and the feed-health page /feeds. Writes need the API key
exactly as POST /api/articles does; errors are NewsError, which the app's handlers turn into its one JSON shape."""

from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from errors import InvalidInput
from feeds.state import State, parse_interval

blueprint = Blueprint("feeds", __name__)


def _state() -> State:
    return State(current_app.config["DATA_DIR"])


def _require_key() -> None:
    from service import require_key  # the service's own check, so both write endpoints refuse alike

    require_key()


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


FEED_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "url": {"type": "string"}, "name": {"type": "string"},
        "source": {"type": "string"}, "interval": {"type": "integer", "description": "seconds"},
        "every": {"type": "string", "example": "15m"},
        "status": {"type": "string", "enum": ["new", "ok", "not modified", "error"]},
        "http_status": {"type": "integer", "nullable": True}, "last_error": {"type": "string", "nullable": True},
        "failures": {"type": "integer", "description": "consecutive failed fetches"},
        "added_at": {"type": "string", "format": "date-time"},
        "last_fetch": {"type": "string", "format": "date-time", "nullable": True},
        "next_fetch": {"type": "string", "format": "date-time", "nullable": True},
        "seen_day": {"type": "integer", "description": "items that appeared in the feed in the last 24 hours"},
        "new_day": {"type": "integer", "description": "of those, new articles"},
    },
}


def openapi_paths(error, ok, auth_errors: dict) -> dict:
    """The OpenAPI description of these routes, built with the service's own helpers."""
    ref_param = {"name": "ref", "in": "path", "required": True, "schema": {"type": "string"},
                 "description": "the feed's id (or its URL)"}
    body = {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["url"],
        "properties": {"url": {"type": "string", "example": "https://vnexpress.net/rss/so-hoa.rss"},
                       "name": {"type": "string"}, "source": {"type": "string"},
                       "every": {"type": "string", "example": "15m", "description": "1m to 7d; default 15m"}}}}}}
    return {
        "/api/feeds": {
            "get": {"summary": "The subscribed feeds and their health", "operationId": "listFeeds",
                    "responses": {"200": ok("every feed", {"type": "object", "properties": {
                        "feeds": {"type": "array", "items": FEED_SCHEMA}}})}},
            "post": {"summary": "Subscribe to an RSS or Atom feed", "operationId": "addFeed", "requestBody": body,
                     "security": [{"bearerAuth": []}],
                     "responses": {"201": ok("the new subscription", FEED_SCHEMA),
                                   "400": error("bad URL or interval, or already subscribed"), **auth_errors}},
        },
        "/api/feeds/{ref}": {
            "delete": {"summary": "Unsubscribe (the feed's articles stay)", "operationId": "removeFeed",
                       "parameters": [ref_param], "security": [{"bearerAuth": []}],
                       "responses": {"204": {"description": "unsubscribed"}, "404": error("no such feed"),
                                     **auth_errors}},
        },
    }
