"""Dates as outlets write them (nlp.dates), and corpus.parse_date reading them the same way."""

import datetime as dt

import pytest
from hypothesis import given, strategies as st

from vnnews.records import parse_date
from vnnews.errors import InvalidInput
from nlp.dates import find_moment, parse_day, parse_moment, vn_day

ICT = dt.timezone(dt.timedelta(hours=7))
UTC = dt.timezone.utc


@pytest.mark.parametrize("text, moment, day", [
    # RSS pubDate, RFC 822 with a zone, without one (taken as Vietnamese time), with the zone names Asian feeds use
    ("Fri, 29 Mar 2024 23:30:00 GMT", dt.datetime(2024, 3, 29, 23, 30, tzinfo=UTC), dt.date(2024, 3, 30)),
    ("Fri, 29 Mar 2024 23:30:00 +0000", dt.datetime(2024, 3, 29, 23, 30, tzinfo=UTC), dt.date(2024, 3, 30)),
    ("Fri, 29 Mar 2024 16:59:59 GMT", dt.datetime(2024, 3, 29, 16, 59, 59, tzinfo=UTC), dt.date(2024, 3, 29)),
    ("Fri, 29 Mar 2024 17:00:00 GMT", dt.datetime(2024, 3, 29, 17, 0, tzinfo=UTC), dt.date(2024, 3, 30)),
    ("Sat, 30 Mar 2024 03:47:00 +0700", dt.datetime(2024, 3, 30, 3, 47, tzinfo=ICT), dt.date(2024, 3, 30)),
    ("Sat, 30 Mar 2024 03:47:00", dt.datetime(2024, 3, 30, 3, 47, tzinfo=ICT), dt.date(2024, 3, 30)),
    ("30 Mar 2024 03:47 GMT+7", dt.datetime(2024, 3, 30, 3, 47, tzinfo=ICT), dt.date(2024, 3, 30)),
    ("Sat, 30 Mar 2024 03:47:00 ICT", dt.datetime(2024, 3, 30, 3, 47, tzinfo=ICT), dt.date(2024, 3, 30)),
    # Atom / ISO 8601 with offsets
    ("2024-03-29T23:30:00Z", dt.datetime(2024, 3, 29, 23, 30, tzinfo=UTC), dt.date(2024, 3, 30)),
    ("2024-03-29T23:30:00+07:00", dt.datetime(2024, 3, 29, 23, 30, tzinfo=ICT), dt.date(2024, 3, 29)),
    ("2024-03-29T16:30:00.250-05:00", dt.datetime(2024, 3, 29, 21, 30, 0, 250000, tzinfo=UTC),
     dt.date(2024, 3, 30)),
    ("2024-03-29 08:00:00+0700", dt.datetime(2024, 3, 29, 1, 0, tzinfo=UTC), dt.date(2024, 3, 29)),
    # Vietnamese pages
    ("Thứ sáu, 29/03/2024 | 03:47 - GMT+7", dt.datetime(2024, 3, 29, 3, 47, tzinfo=ICT), dt.date(2024, 3, 29)),
    ("07:40 ,31/03/2021", dt.datetime(2021, 3, 31, 7, 40, tzinfo=ICT), dt.date(2021, 3, 31)),
    ("Chủ nhật, ngày 31/3/2024 - 15h20", dt.datetime(2024, 3, 31, 15, 20, tzinfo=ICT), dt.date(2024, 3, 31)),
    ("29-03-2024 23:10 (GMT+0)", dt.datetime(2024, 3, 29, 23, 10, tzinfo=UTC), dt.date(2024, 3, 30)),
])
def test_outlet_dates(text, moment, day):
    got = parse_moment(text)
    assert got == moment and got.tzinfo is not None
    assert vn_day(got) == day == parse_day(text)


@pytest.mark.parametrize("text, day", [("2025-11-20", dt.date(2025, 11, 20)), ("29/03/2024", dt.date(2024, 3, 29))])
def test_bare_days(text, day):
    assert parse_moment(text) == day and parse_day(text) == day


@pytest.mark.parametrize("text", ["", "hôm qua", "2025-02-30", "31/02/2024", "20251120", "Fri, 32 Mar 2024",
                                  "25:61 29/03/2024x", "x" * 500, "\x00"])
def test_unreadable(text):
    assert parse_day(text) in (None, dt.date(2024, 3, 29))  # a stray time is dropped, never an exception
    if text not in ("25:61 29/03/2024x",):
        assert parse_moment(text) is None


def test_find_moment_in_a_byline():
    assert find_moment("Phóng viên Minh Anh  Thứ sáu, 29/03/2024 | 03:47 - GMT+7  Chia sẻ") == \
        dt.datetime(2024, 3, 29, 3, 47, tzinfo=ICT)


@given(st.text(max_size=80))
def test_never_raises(text):
    parse_moment(text)
    find_moment(text)


@pytest.mark.parametrize("value, day", [
    ("2025-11-20", dt.date(2025, 11, 20)),
    ("2025-11-20T10:00:00", dt.date(2025, 11, 20)),
    ("2025-11-20T23:30:00Z", dt.date(2025, 11, 21)),  # 06:30 on the 21st in Hà Nội: cut at 10 characters before
    ("Thu, 20 Nov 2025 23:30:00 GMT", dt.date(2025, 11, 21)),  # refused before
    ("Thứ sáu, 29/03/2024 | 03:47 - GMT+7", dt.date(2024, 3, 29)),
    ("07:40 ,31/03/2021", dt.date(2021, 3, 31)),
    (None, None), ("", None),
])
def test_parse_date_reads_outlet_dates(value, day):
    assert parse_date(value) == day


@pytest.mark.parametrize("value", ["hôm qua", "2025-13-45", "2025-11-20garbage", 20251120, "31/02/2024"])
def test_parse_date_refuses(value):
    with pytest.raises(InvalidInput) as info:
        parse_date(value, "from")
    assert info.value.field == "from"
