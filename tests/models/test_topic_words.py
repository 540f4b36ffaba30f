"""The words that carry a topic are read as one however they are written (models.topics.canonical/feature_text)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings, strategies as st

from models.topics import canonical, feature_text

STARTUP_SPELLINGS = ["startup", "start-up", "Start up", "Start-Up", "START-UP", "STARTUP", "Startup", "start up",
                     "start‑up", "Start–up"]


@settings(max_examples=60, deadline=None)
@given(spelling=st.sampled_from(STARTUP_SPELLINGS), form=st.sampled_from(["NFC", "NFD"]),
       plural=st.booleans())
def test_every_spelling_of_startup_is_one_word(spelling, form, plural):
    text = unicodedata.normalize(form, f"Các {spelling}{'s' if plural else ''} Việt gọi vốn thành công")
    word = "startups" if plural else "startup"
    assert canonical(text).split()[1] == word
    # The segmenter may join it with the next word ("startup_việt"); never split it.
    words = feature_text(text, "", text).split()
    assert any(w == word or w.startswith(word + "_") for w in words)
    assert not {"start", "up", "start-up", "ups"} & set(words)


@pytest.mark.parametrize("written", ["AI", "A.I.", "A.I"])
def test_the_acronym_ai_is_one_feature(written):
    words = feature_text(f"Ứng dụng {written} trong bệnh viện", "", "Bệnh viện dùng phần mềm mới.").split()
    assert "ai_acronym" in words


def test_the_vietnamese_word_ai_is_not_the_acronym():
    words = feature_text("Ai sẽ là người chiến thắng?", "", "Ai cũng muốn biết kết quả.").split()
    assert "ai_acronym" not in words and "ai" in words


def test_ai_in_brackets_after_its_vietnamese_name():
    words = feature_text("Trí tuệ nhân tạo (AI) vào lớp học", "", "Trường dùng trí tuệ nhân tạo (AI).").split()
    assert "ai_acronym" in words and "trí_tuệ" in words


@pytest.mark.parametrize("written", ["CĐS", "chuyển đổi số", "Chuyển đổi số"])
def test_digital_transformation_abbreviation_reads_as_the_phrase(written):
    assert "chuyển đổi số" in canonical(f"Tỉnh đẩy mạnh {written} năm nay").lower()


def test_canonical_leaves_other_words_alone():
    text = "Khởi nghiệp ở Đà Nẵng: startup gọi vốn, upstart và restart không đổi"
    assert canonical(text) == text
