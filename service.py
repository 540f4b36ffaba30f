"""The HTTP service: `create_app()` builds the Flask app (JSON API under /api, HTML pages); `serve()` runs it.

HTTP only: parsing requests, checking the API key, mapping errors to one JSON shape and rendering templates. Every
decision about articles, tags, searches and digests is made by the library layers this module calls.
"""

from __future__ import annotations

import hmac
import json
import logging
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, current_app, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException

import digest as digest_mod
import settings
from corpus import TOPICS, parse_date
from errors import InvalidInput, NewsError, NotFound
from index import search as search_mod
from index.ingest import prepare, prepare_many
from index.store import Store
from models import topics as topics_mod
from nlp import segment as segment_mod

log = logging.getLogger("vnnews.service")

MAX_BATCH = 1000  # most articles one POST /api/articles takes
NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/json-seq")
PAGE_SIZE = 10  # results per page on the HTML search page
_INT_SETTINGS = ("MAX_CONTENT_LENGTH", "MAX_PER_PAGE", "THREADS")
_STR_SETTINGS = ("DATA_DIR", "MODEL_PATH", "API_KEY")
_SAFE_URL = re.compile(r"^https?://", re.IGNORECASE)


@dataclass
class Services:
    """What the app's views use: the loaded topic model and the open index."""

    model: topics_mod.TopicModel
    store: Store


# ---------------------------------------------------------------------------------------------------- the factory
def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings defaults, then VNNEWS_* environment variables, then `config`; load model and index."""
    app = Flask(__name__, template_folder=str(Path(__file__).resolve().with_name("templates")))
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
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]  # facet counts are ordered by count

    model = topics_mod.load(Path(app.config["MODEL_PATH"]))
    segment_mod.load()  # underthesea loads lazily with no lock: load it before serving concurrent requests
    store = Store(app.config["DATA_DIR"])
    search_mod.warm(store)  # vocabulary and facet arrays now, not on the first user's query
    app.extensions["vnnews"] = Services(model=model, store=store)

    app.jinja_env.filters["safe_url"] = safe_url
    app.jinja_env.globals.update(topic_label=topic_label, place_label=digest_mod.place_label, page_url=page_url,
                                 TOPICS=TOPICS, date_label=date_label)
    _register_errors(app)
    _register_api(app)
    _register_pages(app)
    from web_feeds import blueprint as feeds_blueprint  # issue 13: /api/feeds and the feed-health page /feeds
    app.register_blueprint(feeds_blueprint)
    return app


def serve(app: Flask, host: str = "127.0.0.1", port: int = 8000, threads: int = 8) -> None:
    """Run the app under waitress (the production server) until interrupted."""
    import waitress

    waitress.serve(app, host=host, port=port, threads=threads)


def services() -> Services:
    """The current app's model and index."""
    return current_app.extensions["vnnews"]


# ---------------------------------------------------------------------------------------------------- errors
def _is_api() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def error_response(status: int, message: str, field: str | None = None, **extra: Any) -> Response:
    """The one error shape of the API: {"error": {"status", "message", "field"?}}."""
    body: dict[str, Any] = {"status": status, "message": message}
    if field:
        body["field"] = field
    body.update(extra)
    response = jsonify({"error": body})
    response.status_code = status
    return response


_HTTP_MESSAGES = {
    404: "no such API endpoint; see /api/openapi.json for the endpoints",
    405: "method {method} is not allowed on {path}; allowed: {allowed}",
    413: "the request body is larger than {limit:,} bytes (MAX_CONTENT_LENGTH); send fewer articles per request",
}


def _register_errors(app: Flask) -> None:
    @app.errorhandler(NewsError)
    def news_error(exc: NewsError):
        if _is_api():
            response = error_response(exc.status, exc.message, exc.field)
        else:
            response = app.make_response((render_template("base.html", title="Lỗi", error=exc.message), exc.status))
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="vnnews"'
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
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
            page_message = "Không tìm thấy trang này." if status == 404 else message
            response = app.make_response((render_template("base.html", title="Lỗi", error=page_message), status))
        if status == 405 and allowed:
            response.headers["Allow"] = allowed
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if isinstance(exc, HTTPException):  # pragma: no cover - handled above
            return http_error(exc)
        log.exception("unhandled error on %s %s", request.method, request.path)
        message = "internal error; the server log has the details"
        if _is_api():
            return error_response(500, message)
        return render_template("base.html", title="Lỗi", error="Đã có lỗi máy chủ; vui lòng thử lại."), 500


# ---------------------------------------------------------------------------------------------------- request bodies
def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _loads(text: str) -> Any:
    """Strict JSON: no NaN/Infinity; every string must be encodable as UTF-8 (no unpaired surrogates)."""
    value = json.loads(text, parse_constant=_reject_constant)
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("a string holds an unpaired UTF-16 surrogate (\\ud800-\\udfff)") from None
    return value


def _body_text() -> str:
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise InvalidInput("the request body is empty; send a JSON object")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"the request body is not UTF-8 text (bad byte at position {exc.start})") from None


def json_body() -> Any:
    """The request body as JSON; InvalidInput (400) for empty, non-UTF-8 or malformed bodies."""
    text = _body_text()
    try:
        return _loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"the request body is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})")
    except (ValueError, RecursionError) as exc:
        raise InvalidInput(f"the request body is not valid JSON ({exc})") from None


def _ndjson_records() -> list[Any]:
    """JSON Lines: one record per non-blank line; a bad line becomes an InvalidInput in its place."""
    raw = request.get_data(cache=True)
    records: list[Any] = []
    for number, line in enumerate(raw.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            records.append(_loads(line.decode("utf-8")))
        except UnicodeDecodeError:
            records.append(InvalidInput(f"line {number}: not UTF-8 text"))
        except json.JSONDecodeError as exc:
            records.append(InvalidInput(f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})"))
        except (ValueError, RecursionError) as exc:
            records.append(InvalidInput(f"line {number}: not valid JSON ({exc})"))
    if not records:
        raise InvalidInput("the request body is empty; send one JSON article per line")
    return records


def article_records() -> tuple[list[Any], bool]:
    """The records of a POST /api/articles body and whether it was a batch (a list or JSON Lines)."""
    if request.mimetype in NDJSON_TYPES:
        records = _ndjson_records()
        batch = True
    else:
        data = json_body()
        if isinstance(data, dict) and "articles" in data:
            records = data["articles"]
            if not isinstance(records, list):
                raise InvalidInput(f"`articles` must be a list of article objects, not {_type(records)}",
                                   field="articles")
            if not records:
                raise InvalidInput("`articles` is empty; send at least one article", field="articles")
            batch = True
        elif isinstance(data, dict):
            records, batch = [data], False
        else:
            raise InvalidInput(f"the body must be a JSON object (one article, or {{\"articles\": [...]}}), "
                               f"not {_type(data)}")
    if len(records) > MAX_BATCH:
        raise InvalidInput(f"{len(records)} articles in one request; send at most {MAX_BATCH} per request",
                           field="articles")
    return records, batch


def _type(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


# ---------------------------------------------------------------------------------------------------- auth
def require_key() -> None:
    """Writes need `Authorization: Bearer <API_KEY>`; with no key configured, writes are refused."""
    key = current_app.config["API_KEY"]
    if not key:
        raise NewsError("writes are disabled because no API key is configured; set VNNEWS_API_KEY on the server "
                        "and send it as `Authorization: Bearer <key>`", status=403)
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if not (scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode("utf-8", "surrogateescape"),
                                                               key.encode("utf-8", "surrogateescape"))):
        raise NewsError("missing or wrong API key; send `Authorization: Bearer <key>`", status=401)


# ---------------------------------------------------------------------------------------------------- the API
def _register_api(app: Flask) -> None:
    @app.get("/api/health")
    def health():
        s = services()
        m = s.model
        return jsonify({
            "status": "ok", "articles": s.store.count(),
            "model": {"version": m.version, "trained_at": m.trained_at, "labels": list(m.labels),
                      "thresholds": m.thresholds, "metrics": m.metrics},
        })

    @app.post("/api/classify")
    def classify():
        data = json_body()
        if not isinstance(data, dict):
            raise InvalidInput(f"the body must be a JSON object with `title` and `body`, not {_type(data)}")
        record = {k: data[k] for k in ("title", "lead", "body") if k in data}
        return jsonify(prepare(record, services().model).tags.to_dict())

    @app.post("/api/articles")
    def post_articles():
        require_key()
        records, batch = article_records()
        s = services()
        valid = [(i, r) for i, r in enumerate(records) if not isinstance(r, NewsError)]
        prepared = prepare_many([r for _, r in valid], s.model)
        outcome: list[Any] = list(records)
        for (i, _), result in zip(valid, prepared):
            outcome[i] = result
        docs = [(i, r) for i, r in enumerate(outcome) if not isinstance(r, NewsError)]
        errors = [{"index": i, **r.to_dict()} for i, r in enumerate(outcome) if isinstance(r, NewsError)]
        if not docs:
            if not batch:
                first = outcome[0]
                return error_response(first.status, first.message, first.field)
            first = errors[0]
            return error_response(400, f"none of the {len(records)} articles was stored; the first error "
                                       f"(#{first['index']}): {first['message']}", errors=errors)
        statuses = s.store.upsert([d for _, d in docs])
        results = [{"id": d.id, "status": status, "topics": d.tags.topics, "provinces": d.tags.provinces}
                   for (_, d), status in zip(docs, statuses)]
        return jsonify({"results": results, "errors": errors}), 201

    @app.get("/api/articles/<path:article_id>")
    def get_article(article_id: str):
        return jsonify(services().store.require(article_id))

    @app.delete("/api/articles/<path:article_id>")
    def delete_article(article_id: str):
        require_key()
        if not services().store.delete(article_id):
            raise NotFound(f"no article with id {article_id!r}", field="id")
        return Response(status=204)

    @app.get("/api/search")
    def api_search():
        request_ = search_mod.SearchRequest.from_params(request.args, max_per_page=current_app.config["MAX_PER_PAGE"])
        return jsonify(search_mod.search(services().store, request_))

    @app.get("/api/digest")
    def api_digest():
        fmt = (request.args.get("format") or "json").strip().lower()
        if fmt not in ("json", "markdown", "md", "html"):
            raise InvalidInput(f"`format` must be one of json, markdown, html, not {fmt!r}", field="format")
        d = digest_from_args(request.args)
        if fmt == "json":
            return jsonify(d)
        if fmt in ("markdown", "md"):
            return Response(digest_mod.render_markdown(d), content_type="text/markdown; charset=utf-8")
        return Response(digest_mod.render_html(d), content_type="text/html; charset=utf-8")

    @app.get("/api/openapi.json")
    def openapi():
        return jsonify(openapi_spec(current_app.config["MAX_PER_PAGE"], current_app.config["MAX_CONTENT_LENGTH"]))


def digest_from_args(args) -> dict:
    """`build_digest` with the query parameters topic, province, from, to, limit; errors name those parameters."""
    def text(name: str) -> str | None:
        value = args.get(name)
        return value.strip() or None if isinstance(value, str) else None

    return digest_mod.build_digest(
        services().store, topic=text("topic"), province=text("province"),
        date_from=parse_date(text("from"), "from"), date_to=parse_date(text("to"), "to"), limit=text("limit") or 10)


# ---------------------------------------------------------------------------------------------------- pages
def safe_url(url: Any) -> str:
    """Only http(s) links are rendered as links (a `javascript:` url in an article must not become one)."""
    return url if isinstance(url, str) and _SAFE_URL.match(url) else ""


def topic_label(topic: str) -> str:
    """The Vietnamese name of a topic: 'startup' → 'Khởi nghiệp'."""
    return digest_mod.TOPIC_LABELS.get(topic, topic)


def date_label(iso: str | None) -> str:
    """ISO date → how Vietnamese readers write it: '2025-11-20' → '20/11/2025'."""
    if not iso:
        return ""
    try:
        y, m, d = iso[:10].split("-")
        return f"{d}/{m}/{y}"
    except ValueError:
        return iso


_PAGE_PARAMS = ("q", "topic", "province", "source", "from", "to", "sort", "page")


def page_url(params: dict, **changes: Any) -> str:
    """The search page URL with `params` changed (None removes one); changing a filter goes back to page 1."""
    merged = {k: v for k, v in params.items() if k in _PAGE_PARAMS and v not in (None, "")}
    if any(k != "page" for k in changes):
        merged.pop("page", None)
    for k, v in changes.items():
        if v in (None, ""):
            merged.pop(k, None)
        else:
            merged[k] = v
    query = urlencode(merged)
    return url_for("search_page") + (f"?{query}" if query else "")


def _register_pages(app: Flask) -> None:
    @app.get("/")
    def search_page():
        params = {k: (request.args.get(k) or "").strip() for k in _PAGE_PARAMS}
        params = {k: v for k, v in params.items() if v}
        result, error = None, None
        try:
            req = search_mod.SearchRequest.from_params({**params, "per_page": str(PAGE_SIZE)})
            result = search_mod.search(services().store, req)
        except NewsError as exc:
            error = _friendly(exc)
        pages = None
        if result:
            last = max(1, math.ceil(result["total"] / result["per_page"]))
            last = min(last, search_mod.MAX_PAGE)
            page = result["page"]
            window = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
            pages = {"current": page, "last": last, "window": window}
        active = [(k, params[k]) for k in ("topic", "province", "source", "from", "to") if params.get(k)]
        return render_template("search.html", title="Tìm kiếm", params=params, result=result, error=error,
                               pages=pages, active=active)

    @app.get("/articles/<path:article_id>")
    def article_page(article_id: str):
        article = services().store.get(article_id)
        if article is None:
            return render_template("base.html", title="Không tìm thấy",
                                   error=f"Không có bài viết với mã {article_id!r}."), 404
        paragraphs = [p.strip() for p in (article.get("body") or "").split("\n") if p.strip()]
        return render_template("base.html", title=article["title"], article=article, paragraphs=paragraphs)

    @app.get("/digest")
    def digest_page():
        params = {k: (request.args.get(k) or "").strip() for k in ("topic", "province", "from", "to", "limit")}
        params = {k: v for k, v in params.items() if v}
        d, error, chart = None, None, None
        try:
            d = digest_from_args(params)
            chart = digest_mod.chart(d)
        except NewsError as exc:
            error = _friendly(exc)
        links = {fmt: url_for("api_digest") + "?" + urlencode({**params, "format": fmt})
                 for fmt in ("markdown", "json", "html")}
        return render_template("digest_page.html", title="Bản tin", params=params, digest=d, chart=chart,
                               error=error, links=links,
                               heading=digest_mod.heading(d) if d else "",
                               overview=digest_mod.overview(d) if d else "")


_FIELD_LABELS = {"q": "Từ khoá", "topic": "Chủ đề", "province": "Tỉnh/thành", "source": "Nguồn", "from": "Từ ngày",
                 "to": "Đến ngày", "sort": "Sắp xếp", "page": "Trang", "limit": "Số tin"}


def _friendly(exc: NewsError) -> str:
    """A page-level message for a bad parameter: which box is wrong, then the library's precise message."""
    label = _FIELD_LABELS.get(exc.field or "")
    return f"{label}: giá trị không hợp lệ. ({exc.message})" if label else f"Không thực hiện được: {exc.message}"


# ---------------------------------------------------------------------------------------------------- OpenAPI
def openapi_spec(max_per_page: int = 100, max_bytes: int = 10 * 1024 * 1024) -> dict:
    """The hand-written OpenAPI 3.0 description of the JSON API (tests keep it true to the routes and responses)."""
    def ref(name: str) -> dict:
        return {"$ref": f"#/components/schemas/{name}"}

    def error(description: str) -> dict:
        return {"description": description, "content": {"application/json": {"schema": ref("Error")}}}

    def ok(description: str, schema: dict) -> dict:
        return {"description": description, "content": {"application/json": {"schema": schema}}}

    def query(name: str, description: str, schema: dict | None = None) -> dict:
        return {"name": name, "in": "query", "required": False, "description": description,
                "schema": schema or {"type": "string"}}

    string_list = {"type": "array", "items": {"type": "string"}}
    counts = {"type": "object", "additionalProperties": {"type": "integer"}}
    id_param = {"name": "article_id", "in": "path", "required": True, "schema": {"type": "string"},
                "description": "the article id (may contain slashes)"}
    bad = error("invalid input; `field` names the bad parameter or article field")
    topic_param = query("topic", f"one of {', '.join(TOPICS)}", {"type": "string", "enum": list(TOPICS)})
    province_param = query("province", "a current or former province, e.g. Đà Nẵng (any spelling, tones optional)")
    tags_props = {
        "topics": {**string_list, "description": "the topics the classifier decides on"},
        "topic_scores": {"type": "object", "additionalProperties": {"type": "number"}},
        "provinces": string_list,
        "province_details": {"type": "array", "items": ref("ProvinceDetail")},
    }
    schemas = {
        "Error": {
            "type": "object", "required": ["error"], "additionalProperties": False,
            "properties": {"error": {
                "type": "object", "required": ["status", "message"], "additionalProperties": False,
                "properties": {
                    "status": {"type": "integer", "description": "the HTTP status again"},
                    "message": {"type": "string", "description": "what went wrong and what to do"},
                    "field": {"type": "string", "description": "the parameter or article field at fault"},
                    "errors": {"type": "array", "items": ref("ItemError"),
                               "description": "every article's error when none of a batch was stored"},
                },
            }},
        },
        "ItemError": {
            "type": "object", "required": ["index", "status", "message"], "additionalProperties": False,
            "properties": {"index": {"type": "integer", "description": "0-based position of the article"},
                           "status": {"type": "integer"}, "message": {"type": "string"},
                           "field": {"type": "string"}},
        },
        "ArticleInput": {
            "type": "object", "required": ["title"],
            "description": "a news article; any other fields are kept with it. `body` (or `lead`) is required.",
            "properties": {
                "id": {"type": "string", "maxLength": 200,
                       "description": "stable id; derived from url or text if absent"},
                "title": {"type": "string"}, "lead": {"type": "string"}, "body": {"type": "string"},
                "source": {"type": "string"}, "url": {"type": "string"},
                "published": {"type": "string", "nullable": True, "description": "ISO date, e.g. 2025-11-20"},
            },
        },
        "ClassifyInput": {
            "type": "object", "required": ["title"],
            "properties": {"title": {"type": "string"}, "lead": {"type": "string"}, "body": {"type": "string"}},
        },
        "ProvinceDetail": {
            "type": "object", "required": ["name", "as_written", "score"],
            "properties": {"name": {"type": "string"}, "as_written": string_list, "score": {"type": "number"}},
        },
        "Tags": {"type": "object", "required": list(tags_props), "additionalProperties": False,
                 "properties": tags_props},
        "Article": {
            "type": "object", "additionalProperties": False,
            "required": ["id", "title", "lead", "body", "url", "source", "published", "topics", "topic_scores",
                         "provinces", "former_provinces", "province_details", "key_terms"],
            "properties": {
                "id": {"type": "string"}, "title": {"type": "string"}, "lead": {"type": "string"},
                "body": {"type": "string"}, "url": {"type": "string"}, "source": {"type": "string"},
                "published": {"type": "string", "format": "date", "nullable": True},
                **tags_props, "former_provinces": string_list, "key_terms": string_list,
            },
        },
        "IngestResult": {
            "type": "object", "required": ["results", "errors"], "additionalProperties": False,
            "properties": {
                "results": {"type": "array", "items": {
                    "type": "object", "required": ["id", "status", "topics", "provinces"],
                    "additionalProperties": False,
                    "properties": {"id": {"type": "string"},
                                   "status": {"type": "string", "enum": ["added", "updated", "unchanged"]},
                                   "topics": string_list, "provinces": string_list}}},
                "errors": {"type": "array", "items": ref("ItemError")},
            },
        },
        "Health": {
            "type": "object", "required": ["status", "articles", "model"], "additionalProperties": False,
            "properties": {
                "status": {"type": "string", "enum": ["ok"]}, "articles": {"type": "integer"},
                "model": {"type": "object", "required": ["version", "trained_at", "labels", "thresholds", "metrics"],
                          "additionalProperties": False,
                          "properties": {"version": {"type": "string"}, "trained_at": {"type": "string"},
                                         "labels": string_list,
                                         "thresholds": {"type": "object",
                                                        "additionalProperties": {"type": "number"}},
                                         "metrics": {"type": "object"}}},
            },
        },
        "SearchHit": {
            "type": "object", "additionalProperties": False,
            "required": ["id", "title", "url", "source", "published", "topics", "provinces", "score", "snippet"],
            "properties": {
                "id": {"type": "string"}, "title": {"type": "string"}, "url": {"type": "string"},
                "source": {"type": "string"}, "published": {"type": "string", "nullable": True},
                "topics": string_list, "provinces": string_list, "score": {"type": "number", "nullable": True},
                "snippet": {"type": "string", "description": "HTML-escaped text with <mark> around matches"},
            },
        },
        "SearchResult": {
            "type": "object", "additionalProperties": False,
            "required": ["query", "total", "page", "per_page", "hits", "facets", "took_ms"],
            "properties": {
                "query": {"type": "string"}, "total": {"type": "integer"}, "page": {"type": "integer"},
                "per_page": {"type": "integer"}, "hits": {"type": "array", "items": ref("SearchHit")},
                "facets": {"type": "object", "required": ["topic", "province", "source"],
                           "additionalProperties": False,
                           "properties": {"topic": counts, "province": counts, "source": counts}},
                "took_ms": {"type": "number"},
            },
        },
        "DigestStory": {
            "type": "object",
            "required": ["title", "id", "url", "published", "sources", "summary", "topics", "provinces", "score"],
            "properties": {
                "title": {"type": "string"}, "id": {"type": "string", "nullable": True}, "url": {"type": "string"},
                "published": {"type": "string", "format": "date"},
                "sources": {"type": "array", "items": {
                    "type": "object", "required": ["source", "title", "url", "id", "published"],
                    "properties": {"source": {"type": "string"}, "title": {"type": "string"},
                                   "url": {"type": "string"}, "id": {"type": "string", "nullable": True},
                                   "published": {"type": "string", "format": "date"}}}},
                "summary": {"type": "string"}, "topics": string_list, "provinces": string_list,
                "score": {"type": "number"},
            },
        },
        "Digest": {
            "type": "object",
            "required": ["topic", "province", "from", "to", "total", "per_day", "per_province", "per_source",
                         "key_terms", "stories"],
            "properties": {
                "topic": {"type": "string", "nullable": True, "enum": [*TOPICS, None]},
                "province": {"type": "string", "nullable": True},
                "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
                "total": {"type": "integer"}, "per_day": counts, "per_province": counts, "per_source": counts,
                "key_terms": {"type": "array", "items": {
                    "type": "object", "required": ["term", "count"],
                    "properties": {"term": {"type": "string"}, "count": {"type": "integer"}}}},
                "stories": {"type": "array", "items": ref("DigestStory")},
            },
        },
    }
    auth_errors = {
        "401": error("missing or wrong API key"),
        "403": error("writes are disabled: no API key is configured (set VNNEWS_API_KEY)"),
    }
    paths = {
        "/api/health": {"get": {
            "summary": "Service status, article count and the loaded model", "operationId": "health",
            "responses": {"200": ok("the service is up", ref("Health"))},
        }},
        "/api/classify": {"post": {
            "summary": "Topics and provinces of an article, without storing it", "operationId": "classify",
            "requestBody": {"required": True, "content": {"application/json": {"schema": ref("ClassifyInput")}}},
            "responses": {"200": ok("the tags", ref("Tags")), "400": bad,
                          "413": error("the body is too large")},
        }},
        "/api/articles": {"post": {
            "summary": "Add or update articles (one, a batch of up to 1000, or JSON Lines)",
            "operationId": "postArticles", "security": [{"bearerAuth": []}],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"oneOf": [
                    ref("ArticleInput"),
                    {"type": "object", "required": ["articles"], "properties": {"articles": {
                        "type": "array", "minItems": 1, "maxItems": MAX_BATCH, "items": ref("ArticleInput")}}},
                ]}},
                "application/x-ndjson": {"schema": {"type": "string",
                                                    "description": "one JSON article per line (JSON Lines)"}},
            }},
            "responses": {
                "201": ok("committed: every stored article's status, and the errors of the others",
                          ref("IngestResult")),
                "400": error("no article could be stored (`errors` lists each one's problem) or the body is bad"),
                **auth_errors, "413": error(f"the body is larger than {max_bytes:,} bytes"),
            },
        }},
        "/api/articles/{article_id}": {
            "get": {"summary": "One stored article", "operationId": "getArticle", "parameters": [id_param],
                    "responses": {"200": ok("the article", ref("Article")), "404": error("no such article")}},
            "delete": {"summary": "Delete one article", "operationId": "deleteArticle", "parameters": [id_param],
                       "security": [{"bearerAuth": []}],
                       "responses": {"204": {"description": "deleted"}, "404": error("no such article"),
                                     **auth_errors}},
        },
        "/api/search": {"get": {
            "summary": "Search articles (tones optional) with filters, facets and highlighted snippets",
            "operationId": "search",
            "parameters": [
                query("q", "the query; tone-less words match any tone, \"quoted phrases\", -excluded, OR"),
                topic_param, province_param, query("source", "a source name, e.g. VnExpress"),
                query("from", "earliest published date (ISO, e.g. 2025-11-01)", {"type": "string", "format": "date"}),
                query("to", "latest published date (ISO)", {"type": "string", "format": "date"}),
                query("sort", "relevance (default) or date", {"type": "string", "enum": list(search_mod.SORTS)}),
                query("page", "page number", {"type": "integer", "minimum": 1, "maximum": search_mod.MAX_PAGE,
                                              "default": 1}),
                query("per_page", "hits per page", {"type": "integer", "minimum": 1, "maximum": max_per_page,
                                                    "default": 10}),
            ],
            "responses": {"200": ok("one page of hits, the exact total and facet counts", ref("SearchResult")),
                          "400": bad},
        }},
        "/api/digest": {"get": {
            "summary": "A digest of the top stories over a period (default: the last 7 days of the data)",
            "operationId": "digest",
            "parameters": [
                topic_param, province_param,
                query("from", "first day (ISO)", {"type": "string", "format": "date"}),
                query("to", "last day (ISO)", {"type": "string", "format": "date"}),
                query("limit", "most stories listed", {"type": "integer", "minimum": 1,
                                                       "maximum": digest_mod.MAX_LIMIT, "default": 10}),
                query("format", "json (default), markdown or html",
                      {"type": "string", "enum": ["json", "markdown", "html"], "default": "json"}),
            ],
            "responses": {"200": {"description": "the digest", "content": {
                "application/json": {"schema": ref("Digest")},
                "text/markdown": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
            }}, "400": bad},
        }},
        "/api/openapi.json": {"get": {
            "summary": "This description", "operationId": "openapi",
            "responses": {"200": ok("the OpenAPI 3.0 document", {"type": "object"})},
        }},
    }
    from web_feeds import openapi_paths as feed_paths  # issue 13: /api/feeds
    paths.update(feed_paths(error, ok, auth_errors))
    common = {"404": error("no such endpoint"), "405": error("method not allowed"),
              "500": error("unexpected server error")}
    for operations in paths.values():
        for operation in operations.values():
            for status, response in common.items():
                operation["responses"].setdefault(status, response)
    return {
        "openapi": "3.0.3",
        "info": {"title": "vnnews", "version": "0.1.0",
                 "description": "Vietnamese news classification (topics, provinces), tone-insensitive search and "
                                "digests. Every error is {\"error\": {\"status\", \"message\", \"field\"?}}."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": schemas,
                       "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                                          "description": "the server's VNNEWS_API_KEY"}}},
    }
