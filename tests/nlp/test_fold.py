"""Tests of nlp.fold: tone-less, lower-case folding and its laws."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.fold import fold
from nlp.normalize import normalize

LOWER = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
VIETNAMESE_LETTERS = LOWER + LOWER.upper()
# Vietnamese words, also decomposed and with old-style tone placement, separated by spaces.
vietnamese_text = st.lists(
    st.text(st.sampled_from(VIETNAMESE_LETTERS), min_size=1, max_size=8).flatmap(
        lambda w: st.sampled_from([w, unicodedata.normalize("NFD", w)])
    ) | st.sampled_from(["hoà", "thuỷ", "Hoà", "baỏ", "Quỳnh", "Nguyễn", "ĐẮK"]),
    max_size=8,
).map(" ".join)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đà Nẵng", "da nang"),
        ("ĐẮK LẮK", "dak lak"),
        (unicodedata.normalize("NFD", "Đà Nẵng"), "da nang"),
        (unicodedata.normalize("NFD", "ĐẮK LẮK"), "dak lak"),
        ("Thừa Thiên Huế", "thua thien hue"),
        ("Hoà Bình", "hoa binh"),
        ("Trí tuệ nhân tạo", "tri tue nhan tao"),
        ("Ðà Nẵng", "da nang"),  # the look-alike eth (U+00D0) some old pages use for Đ
        ("TP.HCM", "tp.hcm"),
        ("", ""),
        ("Khởi nghiệp 2025 🚀", "khoi nghiep 2025 🚀"),
    ],
)
def test_fold_examples(text, expected):
    assert fold(text) == expected


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_fold_never_raises_is_idempotent_and_has_no_combining_marks(text):
    out = fold(text)
    assert fold(out) == out
    assert not any(unicodedata.combining(c) for c in out)


@settings(max_examples=500, deadline=None)
@given(vietnamese_text)
def test_fold_of_vietnamese_is_ascii_and_ignores_normalization(text):
    out = fold(text)
    assert out.isascii()
    # normalize() also trims and squeezes whitespace, so compare the words.
    assert out.split() == fold(normalize(text)).split()
