"""Dates as outlets write them: RSS (RFC 822), Atom (ISO 8601) and Vietnamese page dates, read into an aware time
and the day it was in Việt Nam. Pure: the standard library only, nothing of ours.

>>> vn_day(parse_moment("Fri, 29 Mar 2024 23:30:00 GMT"))
datetime.date(2024, 3, 30)
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re

try:
    from zoneinfo import ZoneInfo

    VN_TZ: dt.tzinfo = ZoneInfo("Asia/Ho_Chi_Minh")
except Exception:  # no tz database on this machine: Việt Nam has kept UTC+7 without daylight saving since 1975
    VN_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_TIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)?$", re.IGNORECASE)
# Vietnamese pages: "Thứ sáu, 29/03/2024 | 03:47 - GMT+7", "07:40 ,31/03/2021", "29-3-2024 15h20", "ngày 29/03/2024"
_VN_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?!\d)")
_VN_TIME = re.compile(r"(?<![\d/])(\d{1,2})\s*[:hg]\s*(\d{2})(?:\s*:\s*(\d{2}))?(?![\d/])", re.IGNORECASE)
_VN_ZONE = re.compile(r"(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)
_RFC_NUMERIC_ZONE = re.compile(r"\s(GMT|UTC)?([+-]\d{1,2})(?::?(\d{2}))?\s*$", re.IGNORECASE)
# Zone names RFC 822 parsers do not know but Asian feeds write
_ZONE_NAMES = {"ICT": "+0700", "ICT+7": "+0700", "GMT+7": "+0700", "GMT+07:00": "+0700"}


def vn_day(moment: dt.datetime | dt.date) -> dt.date:
    """The day a moment was in Việt Nam (a naive moment is taken as Vietnamese local time); a date is itself."""
    if isinstance(moment, dt.datetime):
        return (moment.astimezone(VN_TZ) if moment.tzinfo else moment).date()
    return moment


def _aware(moment: dt.datetime) -> dt.datetime:
    """Naive → Vietnamese local time: outlets that write no zone write the time in Việt Nam."""
    return moment if moment.tzinfo else moment.replace(tzinfo=VN_TZ)


def _iso(text: str) -> dt.datetime | dt.date | None:
    if _ISO_DATE.match(text):
        return dt.date.fromisoformat(text)
    match = _ISO_TIME.match(text)
    if not match:
        return None
    day, clock, zone = match.groups()
    clock = clock.replace(",", ".")
    if "." in clock:  # fromisoformat wants 3 or 6 fraction digits
        whole, fraction = clock.split(".")
        clock = f"{whole}.{(fraction + '000000')[:6]}"
    zone = zone or ""
    if zone.upper() == "Z":
        zone = "+00:00"
    elif zone and ":" not in zone:
        zone = f"{zone[:3]}:{zone[3:] or '00'}"
    return _aware(dt.datetime.fromisoformat(f"{day}T{clock}{zone}"))


def _rfc822(text: str) -> dt.datetime | None:
    if not re.search(r"[A-Za-z]{3}", text):
        return None
    cleaned = text.strip()
    for name, offset in _ZONE_NAMES.items():
        if cleaned.upper().endswith(" " + name):
            cleaned = cleaned[: -len(name)] + offset
    match = _RFC_NUMERIC_ZONE.search(cleaned)
    if match and (match.group(1) or len(match.group(2)) <= 3):  # "GMT+7", "+7", "+07" → "+0700"
        sign, hours = match.group(2)[0], int(match.group(2)[1:])
        cleaned = cleaned[: match.start()] + f" {sign}{hours:02d}{match.group(3) or '00'}"
    try:
        moment = email.utils.parsedate_to_datetime(cleaned)
    except (TypeError, ValueError, IndexError):
        return None
    return _aware(moment) if moment else None


def _vietnamese(text: str) -> dt.datetime | dt.date | None:
    date_match = _VN_DATE.search(text)
    if not date_match:
        return None
    day, month, year = (int(g) for g in date_match.groups())
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    rest = text[: date_match.start()] + " " + text[date_match.end():]
    time_match = _VN_TIME.search(rest)
    if not time_match:
        return date
    hour, minute, second = (int(g) if g else 0 for g in time_match.groups())
    if hour > 23 or minute > 59 or second > 59:
        return date
    zone_match = _VN_ZONE.search(rest)
    tz = VN_TZ
    if zone_match:
        sign, hours, minutes = zone_match.groups()
        offset = dt.timedelta(hours=int(hours), minutes=int(minutes or 0))
        tz = dt.timezone(-offset if sign == "-" else offset)
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=tz)


def parse_moment(text: str) -> dt.datetime | dt.date | None:
    """An aware time (or a bare date) from an ISO 8601, RFC 822 or Vietnamese page date; None when unreadable.

    >>> parse_moment("Thứ sáu, 29/03/2024 | 03:47 - GMT+7").isoformat()
    '2024-03-29T03:47:00+07:00'
    >>> parse_moment("07:40 ,31/03/2021").isoformat()
    '2021-03-31T07:40:00+07:00'
    """
    if not isinstance(text, str):
        return None
    text = " ".join(text.split())
    if not text or len(text) > 200:
        return None
    for reader in (_iso, _rfc822, _vietnamese):
        try:
            value = reader(text)
        except (ValueError, OverflowError):
            value = None
        if value is not None:
            return value
    return None


def parse_day(text: str) -> dt.date | None:
    """The Vietnamese day of any date `parse_moment` reads; None when unreadable."""
    moment = parse_moment(text)
    return vn_day(moment) if moment is not None else None


def find_moment(text: str) -> dt.datetime | dt.date | None:
    """The first Vietnamese date (with its time, when written beside it) inside a longer text (a page's byline)."""
    for match in _VN_DATE.finditer(text or ""):
        after = text[match.start(): match.end() + 40]
        value = _vietnamese(after + " " + text[max(0, match.start() - 40): match.start()])
        if value is not None:
            return value
    return None
