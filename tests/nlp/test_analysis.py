"""Tests of nlp.analysis: syllables, folded syllables, tone detection, compound terms, key terms."""

from __future__ import annotations

import pytest

from nlp.analysis import (compound, compounds, display_form, folded_syllables, has_tone_marks, key_terms, stopwords,
                          syllables)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Khởi nghiệp, 2025", ["khởi", "nghiệp", "2025"]),
        ("TRÍ TUỆ nhân tạo!", ["trí", "tuệ", "nhân", "tạo"]),
        ("TP.HCM", ["tp", "hcm"]),
        ("", []),
        ("... — !!", []),
    ],
)
def test_syllables(text, expected):
    assert syllables(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đà Nẵng", ["da", "nang"]),
        ("ĐẮK LẮK, 2025", ["dak", "lak", "2025"]),
        ("Chuyển đổi số", ["chuyen", "doi", "so"]),
        ("", []),
    ],
)
def test_folded_syllables(text, expected):
    assert folded_syllables(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đà Nẵng", True),
        ("đ", True),
        ("khởi nghiệp", True),
        ("Da Nang", False),
        ("khoi nghiep 2025", False),
        ("", False),
    ],
)
def test_has_tone_marks(text, expected):
    assert has_tone_marks(text) is expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Khởi nghiệp", "khởi_nghiệp"),
        ("trí tuệ nhân tạo", "trí_tuệ_nhân_tạo"),
        ("Đà Nẵng", "đà_nẵng"),
        ("nhà", None),
        ("AI", None),
        (".", None),
    ],
)
def test_compound(word, expected):
    assert compound(word) == expected


def test_compounds_keeps_only_multi_syllable_words_in_order():
    assert compounds(["Sở", "Khởi nghiệp", "tại", "Đà Nẵng", "."]) == ["khởi_nghiệp", "đà_nẵng"]


def test_stopwords_are_lower_case_and_segmented():
    stop = stopwords()
    assert "cho biết" in stop
    assert all(w == w.lower() and w == w.strip() for w in stop)


def test_key_terms_drops_stopwords_numbers_abbreviations_and_single_syllables():
    words = ["Khởi nghiệp", "Cho biết", "cho biết", "10 000", "15,5", "2025", "nhà", "Đà Nẵng", "khởi nghiệp",
             "chúng tôi", "vườn ươm", "khởi nghiệp", "Vườn ươm", ".", "KH&CN", "KH&CN", "KH&CN", "TP.HCM", "TP.HCM"]
    assert key_terms(words) == ["khởi nghiệp", "vườn ươm", "Đà Nẵng"]


@pytest.mark.parametrize(("written", "shown"), [
    ("Thủ Đức", "Thủ Đức"), ("Khởi nghiệp", "khởi nghiệp"), ("KHỞI NGHIỆP", "khởi nghiệp"), ("vườn  ươm", "vườn ươm"),
])
def test_display_form_keeps_names_and_lowers_the_rest(written, shown):
    assert display_form(written) == shown


def test_key_terms_respects_the_limit_and_keeps_ties_in_first_seen_order():
    words = ["trí tuệ", "nông sản", "kinh tế", "nông sản"]
    assert key_terms(words, limit=2) == ["nông sản", "trí tuệ"]
    assert key_terms([]) == []
