"""Tests of nlp.normalize: Unicode form, tone placement, markup, invisible characters, whitespace; its laws."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.normalize import normalize, strip_html

NFD_YEU = unicodedata.normalize("NFD", "yếu")

# Pieces that make the hard cases: markup, entities (single and double escaped), old-style tone placement,
# decomposed letters, invisible characters, every kind of line break.
FRAGMENTS = [
    "<p>", "</p>", "<br>", "<b>", "</b>", "<div class='x'>", "<script>", "</script>", "<style>", "</style>",
    "<!--", "-->", "&amp;", "&nbsp;", "&amp;nbsp;", "&lt;", "&gt;", "&lt;p&gt;", "&#8220;", "&quot;", "&", "<", ">",
    "hoà", "thuỷ", "baỏ", "Hoà", "THUỶ", NFD_YEU, unicodedata.normalize("NFD", "Đà Nẵng"), "khởi nghiệp", "AI",
    "\u200b", "\ufeff", "\u00ad", "\u00a0", "\t", "\r\n", "\r", "\n", " ", "  ", ".", ",", "😀", "2025",
]
html_like = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=25).map("".join)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("", "", id="empty"),
        pytest.param("   \n\t  ", "", id="only-whitespace"),
        pytest.param(NFD_YEU, "yếu", id="nfd-yeu"),
        pytest.param("Sức khỏe " + NFD_YEU, "Sức khỏe yếu", id="nfd-in-sentence"),
        pytest.param("hoà", "hòa", id="old-tone-hoa"),
        pytest.param("Hoà bình", "Hòa bình", id="old-tone-capital"),
        pytest.param("thuỷ", "thủy", id="old-tone-thuy"),
        pytest.param("Nhà máy thuỷ điện", "Nhà máy thủy điện", id="old-tone-in-sentence"),
        pytest.param("baỏ", "bảo", id="misplaced-mark"),
        pytest.param("<p>Đà&nbsp;Nẵng</p>", "Đà Nẵng", id="tags-and-nbsp"),
        pytest.param("<b>Khởi</b> <i>nghiệp</i>", "Khởi nghiệp", id="inline-tags"),
        pytest.param("<p>Đoạn một</p><p>Đoạn hai</p>", "Đoạn một\nĐoạn hai", id="block-tags-become-lines"),
        pytest.param("Dòng trên<br/>dòng dưới", "Dòng trên\ndòng dưới", id="br"),
        pytest.param("Hà&amp;nbsp;Nội", "Hà Nội", id="double-escaped-nbsp"),
        pytest.param("&lt;b&gt;Đậm&lt;/b&gt; chữ", "Đậm chữ", id="escaped-markup"),
        pytest.param("Giá &lt; 5 &amp; tăng", "Giá < 5 & tăng", id="entities-that-are-text"),
        pytest.param("&#8220;Tin mới&#8221;", "\u201cTin mới\u201d", id="numeric-entities"),
        pytest.param("Trước<script>alert('hoà')</script>sau", "Trước sau", id="script-with-content"),
        pytest.param("A<STYLE type='text/css'>p { color: red }</STYLE>B", "A B", id="style-with-content"),
        pytest.param("Có <!-- ghi chú ẩn --> chữ", "Có chữ", id="comment"),
        pytest.param("Tuyệt vời 👍🇻🇳 quá", "Tuyệt vời 👍🇻🇳 quá", id="emoji-kept"),
        pytest.param("Hà\u200b Nội\ufeff", "Hà Nội", id="zero-width"),
        pytest.param("chuyển\u00ad đổi\u200c số\u2060", "chuyển đổi số", id="soft-hyphen-joiners"),
        pytest.param("Dòng một\r\nDòng hai\rDòng ba", "Dòng một\nDòng hai\nDòng ba", id="crlf-and-cr"),
        pytest.param("  Hà   Nội \t ơi  ", "Hà Nội ơi", id="spaces"),
        pytest.param("Một\n\n\n  Hai", "Một\nHai", id="blank-lines"),
        pytest.param("Hà\x00 Nội\x07", "Hà Nội", id="control-chars"),
    ],
)
def test_normalize_hard_inputs(raw, expected):
    assert normalize(raw) == expected


def test_normalize_returns_nfc_for_decomposed_text():
    out = normalize(NFD_YEU)
    assert unicodedata.is_normalized("NFC", out)
    assert len(out) == 3


def test_normalize_one_megabyte_body():
    paragraph = "<p>Sở KH&amp;CN tỉnh Hoà Bình triển khai <b>chuyển đổi số</b> ở 120 xã.</p>\r\n"
    body = paragraph * (1_000_000 // len(paragraph) + 1)
    assert len(body) >= 1_000_000
    out = normalize(body)
    assert isinstance(out, str)
    assert "<" not in out and "&amp;" not in out and "\r" not in out
    lines = out.split("\n")
    assert lines[0] == "Sở KH&CN tỉnh Hòa Bình triển khai chuyển đổi số ở 120 xã."
    assert len(set(lines)) == 1


def test_normalize_refuses_non_text():
    with pytest.raises(TypeError, match="str"):
        normalize(b"Ha Noi")  # type: ignore[arg-type]


def test_strip_html_example():
    assert strip_html("<p>Đà&nbsp;Nẵng</p>").strip() == "Đà\u00a0Nẵng"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalize_never_raises_and_returns_nfc(text):
    out = normalize(text)
    assert isinstance(out, str)
    assert unicodedata.is_normalized("NFC", out)


@settings(max_examples=300, deadline=None)
@given(st.text() | html_like)
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=300, deadline=None)
@given(html_like)
def test_normalize_output_has_no_markup_invisibles_or_cr(text):
    out = normalize(text)
    assert unicodedata.is_normalized("NFC", out)
    assert not any(c in out for c in "\u200b\ufeff\u00ad\u00a0\r\t")
    assert out == out.strip()
    assert "  " not in out
