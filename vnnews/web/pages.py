"""The HTML pages, blueprint `pages`: search (/), one article (/articles/<id>) and the digest (/digest)."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, render_template, request, url_for

from index import search as searching
from vnnews import digest as digesting
from vnnews.demo import demo_state
from vnnews.errors import NewsError
from vnnews.web.api import digest_from_args
from vnnews.web.services import services

PAGE_SIZE = 10  # results per page on the HTML search page

blueprint = Blueprint("pages", __name__)


_PAGE_PARAMS = ("q", "topic", "province", "source", "from", "to", "sort", "collapse", "page")


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
    return url_for("pages.search_page") + (f"?{query}" if query else "")


@blueprint.get("/")
def search_page():
    params = {k: (request.args.get(k) or "").strip() for k in _PAGE_PARAMS}
    params = {k: v for k, v in params.items() if v}
    result, error = None, None
    try:
        req = searching.SearchRequest.from_params({**params, "per_page": str(PAGE_SIZE)})
        result = searching.search(services().store, req)
    except NewsError as exc:
        error = _friendly(exc)
    pages = None
    if result:
        last = max(1, math.ceil(result["groups"] / result["per_page"]))
        last = min(last, searching.MAX_PAGE)
        page = result["page"]
        window = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
        pages = {"current": page, "last": last, "window": window}
    active = [(k, params[k]) for k in ("topic", "province", "source", "from", "to") if params.get(k)]
    demo = demo_state(current_app.config["DATA_DIR"])
    return render_template("search.html", title="Tìm kiếm", params=params, result=result, error=error,
                           pages=pages, active=active, demo=demo if demo is not None and demo.present else None)

@blueprint.get("/articles/<path:article_id>")
def article_page(article_id: str):
    article = services().store.get(article_id)
    if article is None:
        return render_template("base.html", title="Không tìm thấy",
                               error=f"Không có bài viết với mã {article_id!r}."), 404
    paragraphs = [p.strip() for p in (article.get("body") or "").split("\n") if p.strip()]
    return render_template("base.html", title=article["title"], article=article, paragraphs=paragraphs)

@blueprint.get("/digest")
def digest_page():
    params = {k: (request.args.get(k) or "").strip() for k in ("topic", "province", "from", "to", "limit")}
    params = {k: v for k, v in params.items() if v}
    d, error, chart = None, None, None
    try:
        d = digest_from_args(params)
        chart = digesting.chart(d)
    except NewsError as exc:
        error = _friendly(exc)
    links = {fmt: url_for("api.digest") + "?" + urlencode({**params, "format": fmt})
             for fmt in ("markdown", "json", "html")}
    return render_template("digest_page.html", title="Bản tin", params=params, digest=d, chart=chart,
                           error=error, links=links,
                           heading=digesting.heading(d) if d else "",
                           overview=digesting.overview(d) if d else "")


_FIELD_LABELS = {"q": "Từ khoá", "topic": "Chủ đề", "province": "Tỉnh/thành", "source": "Nguồn", "from": "Từ ngày",
                 "to": "Đến ngày", "sort": "Sắp xếp", "collapse": "Gộp bài đăng lại", "page": "Trang",
                 "limit": "Số tin"}


def _friendly(exc: NewsError) -> str:
    """A page-level message for a bad parameter: which box is wrong, then the library's precise message."""
    label = _FIELD_LABELS.get(exc.field or "")
    return f"{label}: giá trị không hợp lệ. ({exc.message})" if label else f"Không thực hiện được: {exc.message}"
