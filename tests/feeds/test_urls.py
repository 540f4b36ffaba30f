"""Canonical URLs, content hashes and event grouping."""

import datetime as dt

import pytest

from feeds.events import EventIndex, content_hash, from_bytes, minhash, to_bytes
from feeds.urls import article_id, canonical_url


@pytest.mark.parametrize("url, canonical", [
    ("https://vnexpress.net/a-4729.html?utm_source=rss&utm_medium=feed#box-comment", "https://vnexpress.net/a-4729.html"),
    ("https://m.vnexpress.net/a-4729.html", "https://vnexpress.net/a-4729.html"),
    ("https://VNEXPRESS.net:443/a-4729.html?vn_source=x&vn_campaign=y&fbclid=z", "https://vnexpress.net/a-4729.html"),
    ("https://tuoitre.vn/amp/a-2024.htm", "https://tuoitre.vn/a-2024.htm"),
    ("https://thanhnien.vn/a-185.htm/amp", "https://thanhnien.vn/a-185.htm"),
    ("https://dantri.com.vn/a.amp.html", "https://dantri.com.vn/a.html"),
    ("https://amp.vietnamnet.vn/a.html?amp=1", "https://vietnamnet.vn/a.html"),
    ("https://vietnamnet.vn/a.html?zarsrc=30&gidzl=abc&id=7&page=2", "https://vietnamnet.vn/a.html?id=7&page=2"),
    ("https://vietnamnet.vn/a.html?page=2&id=7", "https://vietnamnet.vn/a.html?id=7&page=2"),
    ("http://127.0.0.1:8000/bai/x.html?utm_campaign=a", "http://127.0.0.1:8000/bai/x.html"),
    ("https://example.vn/tin/", "https://example.vn/tin"),
    ("mailto:a@b.vn", "mailto:a@b.vn"),
    ("not a url", "not a url"),
])
def test_canonical(url, canonical):
    assert canonical_url(url) == canonical
    assert canonical_url(canonical_url(url)) == canonical_url(url)


def test_article_id_is_stable():
    assert article_id("https://vnexpress.net/a.html") == article_id(canonical_url("https://m.vnexpress.net/a.html#x"))
    assert article_id("https://vnexpress.net/a.html") != article_id("https://vnexpress.net/b.html")


def test_content_hash_ignores_spacing_and_punctuation_not_words():
    a = content_hash("Giá vàng tăng", "Sáng nay, giá vàng SJC tăng 200.000 đồng.")
    assert a == content_hash("Giá vàng  tăng", "Sáng nay giá vàng SJC tăng 200.000 đồng !")
    assert a != content_hash("Giá vàng giảm", "Sáng nay, giá vàng SJC giảm 200.000 đồng.")


def test_signature_round_trip():
    m = minhash("Hà Nội khai trương tuyến metro Nhổn - ga Hà Nội")
    assert from_bytes(to_bytes(m)).jaccard(m) == 1.0


def test_events_group_copies_and_keep_stories_apart():
    story = ("Sáng 29/3, tuyến đường sắt đô thị Nhổn - ga Hà Nội chính thức chạy thử đoạn trên cao dài 8,5 km với "
             "8 nhà ga, sau gần 15 năm xây dựng. Mỗi ngày tuyến chạy 200 chuyến, giá vé từ 8.000 đồng.")
    copy = ("Tuyến metro Nhổn - ga Hà Nội chạy thử đoạn trên cao dài 8,5 km với 8 nhà ga sau gần 15 năm xây dựng. "
            "Mỗi ngày tuyến chạy 200 chuyến, giá vé từ 8.000 đồng, theo Ban quản lý.")
    other = ("Giá vàng miếng SJC sáng 29/3 tăng thêm 500.000 đồng mỗi lượng, lên mức cao nhất từ trước đến nay "
             "khi vàng thế giới vượt 2.200 USD một ounce.")
    day = dt.date(2024, 3, 29)
    events = EventIndex()
    first, _ = events.assign("a", story, day)
    assert first == "a"
    assert events.assign("b", copy, day)[0] == "a"
    assert events.assign("c", other, day)[0] == "c"
    assert events.assign("d", copy, day + dt.timedelta(days=10))[0] == "d"  # weeks apart: another event
    # restart: the same events from the stored signatures
    rows = [("a", "a", day.isoformat(), to_bytes(minhash(story)))]
    assert EventIndex(rows).assign("e", copy, day)[0] == "a"


def _words(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


def test_an_event_does_not_drift_along_a_chain_of_similar_items():
    """An item joins an event only when it is similar to every item of it: C shares A's first half, B A's second
    half, so C is not B's story. And an event whose first item lies beyond the window takes no new items."""
    a = " ".join(_words("a", 40))
    b = " ".join(_words("a", 40)[10:] + _words("b", 20))
    c = " ".join(_words("a", 25) + _words("c", 20))
    assert minhash(a).jaccard(minhash(b)) >= 0.25 and minhash(a).jaccard(minhash(c)) >= 0.25
    assert minhash(b).jaccard(minhash(c)) < 0.25
    day = dt.date(2025, 10, 1)
    events = EventIndex()
    assert events.assign("A", a, day)[0] == "A"
    assert events.assign("B", b, day)[0] == "A"
    assert events.assign("C", c, day)[0] == "C"
    # the window counts from the event's first item: a copy of B four days after A starts a new event
    later = EventIndex()
    later.assign("A", a, day)
    later.assign("B", b, day + dt.timedelta(days=2))
    assert later.assign("D", b, day + dt.timedelta(days=4))[0] == "D"
