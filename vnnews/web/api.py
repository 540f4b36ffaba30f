"""The JSON API, blueprint `api` under /api: health, classify, articles (add, get, delete), search, digest and
the OpenAPI description."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from index import search as searching
from vnnews import digest as digesting
from vnnews.errors import InvalidInput, NotFound, Problem
from vnnews.ingest import prepare, prepare_many
from vnnews.records import parse_date
from vnnews.web.bodies import _type, article_records, json_body, require_key
from vnnews.web.errors import PROBLEM_STATUS, error_response, problem_item
from vnnews.web.openapi import openapi_spec
from vnnews.web.services import services

blueprint = Blueprint("api", __name__, url_prefix="/api")


@blueprint.get("/health")
def health():
    s = services()
    m = s.model
    return jsonify({
        "status": "ok", "articles": s.store.count(),
        "model": {"version": m.version, "trained_at": m.trained_at, "labels": list(m.labels),
                  "thresholds": m.thresholds, "metrics": m.metrics},
    })


@blueprint.post("/classify")
def classify():
    data = json_body()
    if not isinstance(data, dict):
        raise InvalidInput(f"the body must be a JSON object with `title` and `body`, not {_type(data)}")
    record = {k: data[k] for k in ("title", "lead", "body") if k in data}
    return jsonify(prepare(record, services().model).tags.to_dict())


@blueprint.post("/articles")
def post_articles():
    require_key()
    records, batch = article_records()
    s = services()
    valid = [(i, r) for i, r in enumerate(records) if not isinstance(r, Problem)]
    prepared = prepare_many([r for _, r in valid], s.model)
    outcome: list[Any] = list(records)
    for (i, _), result in zip(valid, prepared):
        outcome[i] = result
    docs = [(i, r) for i, r in enumerate(outcome) if not isinstance(r, Problem)]
    errors = [problem_item(i, r) for i, r in enumerate(outcome) if isinstance(r, Problem)]
    if not docs:
        if not batch:
            first = outcome[0]
            return error_response(PROBLEM_STATUS, first.message, first.field)
        first = errors[0]
        return error_response(400, f"none of the {len(records)} articles was stored; the first error "
                                   f"(#{first['index']}): {first['message']}", errors=errors)
    statuses = s.store.upsert([d for _, d in docs])
    results = [{"id": d.id, "status": status, "topics": d.tags.topics, "provinces": d.tags.provinces}
               for (_, d), status in zip(docs, statuses)]
    return jsonify({"results": results, "errors": errors}), 201


@blueprint.get("/articles/<path:article_id>")
def get_article(article_id: str):
    return jsonify(services().store.require(article_id))


@blueprint.delete("/articles/<path:article_id>")
def delete_article(article_id: str):
    require_key()
    if not services().store.delete(article_id):
        raise NotFound(f"no article with id {article_id!r}", field="id")
    return Response(status=204)


@blueprint.get("/search")
def search():
    request_ = searching.SearchRequest.from_params(request.args, max_per_page=current_app.config["MAX_PER_PAGE"])
    return jsonify(searching.search(services().store, request_))


@blueprint.get("/digest")
def digest():
    fmt = (request.args.get("format") or "json").strip().lower()
    if fmt not in ("json", "markdown", "md", "html"):
        raise InvalidInput(f"`format` must be one of json, markdown, html, not {fmt!r}", field="format")
    d = digest_from_args(request.args)
    if fmt == "json":
        return jsonify(d)
    if fmt in ("markdown", "md"):
        return Response(digesting.render_markdown(d), content_type="text/markdown; charset=utf-8")
    return Response(digesting.render_html(d), content_type="text/html; charset=utf-8")


@blueprint.get("/openapi.json")
def openapi():
    return jsonify(openapi_spec(current_app.config["MAX_PER_PAGE"], current_app.config["MAX_CONTENT_LENGTH"]))


def digest_from_args(args) -> dict:
    """`build_digest` with the query parameters topic, province, from, to, limit; errors name those parameters."""
    def text(name: str) -> str | None:
        value = args.get(name)
        return value.strip() or None if isinstance(value, str) else None

    return digesting.build_digest(
        services().store, topic=text("topic"), province=text("province"),
        date_from=parse_date(text("from"), "from"), date_to=parse_date(text("to"), "to"), limit=text("limit") or 10)
