"""Rendering: the digest's heading, overview and labels, and the digest as Markdown (an e-mail text)."""

from __future__ import annotations

import datetime as dt
import re

from vnnews.labels import TOPIC_LABELS, place_label
from vnnews.templating import _SAFE_URL

_WEEKDAYS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")


def _d(iso: str, year: bool = True) -> str:
    day = dt.date.fromisoformat(iso)
    return day.strftime("%d/%m/%Y" if year else "%d/%m")


def heading(digest: dict) -> str:
    """'Điểm tin Khởi nghiệp tại TP. Hồ Chí Minh, 15/11–21/11/2026'."""
    subject = TOPIC_LABELS.get(digest.get("topic") or "", "")
    where = place_label(digest["province"]) if digest.get("province") else ""
    text = "Điểm tin"
    if subject:
        text += f" {subject}"
    if where:
        text += f" tại {where}"
    if not subject and not where:
        text += " tổng hợp"
    return f"{text}, {period_label(digest)}"


def period_label(digest: dict) -> str:
    first, last = digest["from"], digest["to"]
    if first == last:
        return _d(first)
    return f"{_d(first, year=first[:4] != last[:4])}–{_d(last)}"


def overview(digest: dict) -> str:
    """One sentence: how many articles, from how many outlets, the busiest day, how many stories several outlets told."""
    total = digest["total"]
    days = len(digest["per_day"])
    if not total:
        return f"Không có bài nào trong {days} ngày này."
    busiest = max(digest["per_day"].items(), key=lambda kv: (kv[1], kv[0]))
    shared = sum(1 for s in digest["stories"] if len({x["source"] for x in s["sources"]}) > 1)
    text = (f"{total} bài từ {len(digest['per_source'])} đầu báo trong {days} ngày; "
            f"nhiều nhất ngày {_d(busiest[0], year=False)} ({busiest[1]} bài).")
    if shared:
        text += f" {shared} sự kiện được từ hai đầu báo trở lên cùng đưa tin."
    read = digest.get("read")
    if read:  # a long period: stories and key terms come from a bounded sample spread over it
        text += (f" Sự kiện và từ khóa lấy từ {read['articles']} trong {read['of']} bài "
                 f"(tối đa {read['per_day_at_most']} bài mỗi ngày).")
    return text


def day_label(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{_WEEKDAYS[day.weekday()]} {day.strftime('%d/%m')}"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    """Text made inert in Markdown: no emphasis, links or raw HTML from an article's title."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _top(counts: dict[str, int], n: int = 5, label=lambda x: x) -> str:
    return " · ".join(f"{_md(label(k))} {v}" for k, v in list(counts.items())[:n])


def render_markdown(digest: dict) -> str:
    """The digest as a Markdown e-mail: heading, overview, per day, top places and outlets, key terms, top stories."""
    lines = [f"# {_md(heading(digest))}", "", overview(digest), ""]
    if digest["total"]:
        lines.append("**Theo ngày:** " + " · ".join(f"{day_label(d)}: {n}" for d, n in digest["per_day"].items()))
        if set(digest["per_province"]) - {digest.get("province")}:
            lines.append("**Tỉnh/thành nhiều tin nhất:** " + _top(digest["per_province"], label=place_label))
        lines.append("**Đầu báo đưa tin nhiều nhất:** " + _top(digest["per_source"]))
        if digest["key_terms"]:
            lines.append("**Từ khóa nổi bật:** " + ", ".join(f"{_md(t['term'])} ({t['count']})"
                                                            for t in digest["key_terms"]))
        lines += ["", "## Tin nổi bật", ""]
        for number, story in enumerate(digest["stories"], 1):
            title = f"**{_md(story['title'])}**"
            if _SAFE_URL.match(story.get("url") or ""):
                title = f"[{title}](<{story['url'].replace('>', '%3E').replace(' ', '%20')}>)"
            outlets = list(dict.fromkeys(s["source"] for s in story["sources"] if s["source"]))
            count = f" · {len(outlets)} đầu báo" if len(outlets) > 1 else ""
            lines.append(f"{number}. {title} ({_d(story['published'])}{count})")
            if story["summary"]:
                lines.append(f"   {_md(story['summary'])}")
            lines.append(f"   Nguồn: {', '.join(_md(o) for o in outlets) or '(không rõ)'}")
            lines.append("")
        lines.append("_Xếp hạng: số đầu báo cùng đưa tin trước, rồi độ mới và mức độ đúng chủ đề._")
    return "\n".join(lines).rstrip() + "\n"
