"""Errors over HTTP, in one place: which status each error of the family answers with, the one JSON error shape
under /api, and an HTML page elsewhere. werkzeug's own errors (404, 405, 413) take the same shape."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from vnnews.errors import (Forbidden, IndexUnavailable, InvalidInput, ModelError, NewsError, NoIndex, NotFound,
                           Problem, Unauthorized)

log = logging.getLogger("vnnews.service")

# Most specific first: the first class an error is an instance of decides its status.
STATUS: tuple[tuple[type[NewsError], int], ...] = (
    (InvalidInput, 400), (Unauthorized, 401), (Forbidden, 403), (NotFound, 404), (NoIndex, 404),
    (ModelError, 503), (IndexUnavailable, 503), (NewsError, 400),
)
PROBLEM_STATUS = 400  # a record of a batch that could not be used

_HTTP_MESSAGES = {
    404: "no such API endpoint; see /api/openapi.json for the endpoints",
    405: "method {method} is not allowed on {path}; allowed: {allowed}",
    413: "the request body is larger than {limit:,} bytes (MAX_CONTENT_LENGTH); send fewer articles per request",
}


def status_of(exc: NewsError) -> int:
    """The HTTP status an error of the family answers with.

    >>> status_of(InvalidInput("bad")), status_of(NoIndex("none")), status_of(ModelError("stale"))
    (400, 404, 503)
    """
    return next(status for kind, status in STATUS if isinstance(exc, kind))


def problem_item(index: int, problem: Problem) -> dict:
    """One entry of a batch's `errors`: {"index", "status", "message", "field"?}."""
    item: dict[str, Any] = {"index": index, "status": PROBLEM_STATUS, "message": problem.message}
    if problem.field:
        item["field"] = problem.field
    return item


def error_response(status: int, message: str, field: str | None = None, **extra: Any) -> Response:
    """The one error shape of the API: {"error": {"status", "message", "field"?}}."""
    body: dict[str, Any] = {"status": status, "message": message}
    if field:
        body["field"] = field
    body.update(extra)
    response = jsonify({"error": body})
    response.status_code = status
    return response


def _is_api() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def _page(message: str, status: int) -> Response:
    return current_app.make_response((render_template("base.html", title="Lỗi", error=message), status))


def news_error(exc: NewsError) -> Response:
    status = status_of(exc)
    response = error_response(status, exc.message, exc.field) if _is_api() else _page(exc.message, status)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="vnnews"'
    return response


def http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    allowed = ""
    if exc.response is None and status == 405:
        allowed = ", ".join(sorted(getattr(exc, "valid_methods", None) or []))
    template = _HTTP_MESSAGES.get(status)
    if template and (status != 404 or _is_api()):
        message = template.format(method=request.method, path=request.path, allowed=allowed or "none",
                                  limit=current_app.config["MAX_CONTENT_LENGTH"])
    else:
        message = exc.description or exc.name
    if _is_api():
        response = error_response(status, message)
    else:
        response = _page("Không tìm thấy trang này." if status == 404 else message, status)
    if status == 405 and allowed:
        response.headers["Allow"] = allowed
    return response


def unexpected(exc: Exception):
    """Any other exception: logged with its traceback, answered with a 500 that says where the details are."""
    if isinstance(exc, HTTPException):  # pragma: no cover - handled above
        return http_error(exc)
    log.exception("unhandled error on %s %s", request.method, request.path)
    if _is_api():
        return error_response(500, "internal error; the server log has the details")
    return render_template("base.html", title="Lỗi", error="Đã có lỗi máy chủ; vui lòng thử lại."), 500


def register(app: Flask) -> None:
    app.register_error_handler(NewsError, news_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected)
