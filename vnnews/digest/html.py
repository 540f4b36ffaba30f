"""The digest as a standalone printable HTML page, and the geometry of its per-day chart."""

from __future__ import annotations

from vnnews.digest.render import _SAFE_URL, _d, day_label, heading, overview
from vnnews.labels import TOPIC_LABELS, place_label
from vnnews.templating import environment


CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 720, 200, 28


def chart(digest: dict) -> dict:
    """Geometry of the per-day bar chart (drawn as inline SVG by the template)."""
    days = list(digest["per_day"].items())
    peak = max((n for _, n in days), default=0) or 1
    inner_h = CHART_HEIGHT - 2 * CHART_PAD
    step = (CHART_WIDTH - 2 * CHART_PAD) / max(1, len(days))
    every = max(1, round(len(days) / 14))   # at most ~14 date labels under the bars
    bars = []
    for k, (iso, n) in enumerate(days):
        h = inner_h * n / peak
        x = CHART_PAD + k * step
        bars.append({
            "x": round(x + step * 0.15, 1), "y": round(CHART_PAD + inner_h - h, 1), "width": round(step * 0.7, 1),
            "height": round(h, 1), "count": n, "label": day_label(iso) if k % every == 0 else "",
            "title": f"{day_label(iso)}: {n} bài", "cx": round(x + step / 2, 1),
        })
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "base": CHART_HEIGHT - CHART_PAD, "pad": CHART_PAD,
            "bars": bars, "peak": peak}


def render_html(digest: dict) -> str:
    """The digest as a standalone printable HTML page (no JavaScript; every article text escaped)."""
    stories = []
    for story in digest["stories"]:
        outlets = list(dict.fromkeys(s["source"] for s in story["sources"] if s["source"]))
        stories.append({**story, "outlets": outlets, "published_label": _d(story["published"]),
                        "safe_url": story["url"] if _SAFE_URL.match(story.get("url") or "") else "",
                        "links": [{**s, "safe_url": s["url"] if _SAFE_URL.match(s.get("url") or "") else ""}
                                  for s in story["sources"]]})
    return environment().get_template("digest.html").render(
        digest=digest, heading=heading(digest), overview=overview(digest), chart=chart(digest), stories=stories,
        provinces=[(place_label(k), v) for k, v in list(digest["per_province"].items())[:10]],
        sources=list(digest["per_source"].items())[:10], topic_label=TOPIC_LABELS.get(digest.get("topic") or ""),
    )
