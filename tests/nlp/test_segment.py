"""Tests of nlp.segment: sentence splitting around abbreviations, whole abbreviations, multi-syllable words, the
round-trip law (segmenting loses and changes no letter of the normalized text)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.normalize import normalize
from nlp.segment import segment, segment_sentence, sentences

LOWER = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
PIECES = ["TP.HCM", "TPHCM", "TP HCM", "KH&CN", "KH,CN&ĐMST", "UBND", "ĐMST", "AI", "GS.", "TP.", "khởi nghiệp",
          "Đà Nẵng", "Hôm nay", ". ", "! ", "? ", "\n", ", ", '"', "“", "”", "(", ")", "...", "2025", "15,5%"]
vietnamese_text = st.lists(
    st.sampled_from(PIECES) | st.text(st.sampled_from(LOWER + LOWER.upper() + " .,"), max_size=10), max_size=20
).map(" ".join)


def letters(text_or_words) -> str:
    return "".join(c for part in text_or_words for c in part if c.isalnum())


# ---------------------------------------------------------------- sentences
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Sở KH&CN TP. Hồ Chí Minh vừa họp sáng nay. Các đại biểu đồng ý.",
            ["Sở KH&CN TP. Hồ Chí Minh vừa họp sáng nay.", "Các đại biểu đồng ý."],
            id="TP.-is-not-an-end",
        ),
        pytest.param(
            "Khách mời là GS. Nguyễn Văn Bình của trường. Ông phát biểu khai mạc.",
            ["Khách mời là GS. Nguyễn Văn Bình của trường.", "Ông phát biểu khai mạc."],
            id="GS.-is-not-an-end",
        ),
        pytest.param(
            "Hội chợ diễn ra ở TPHCM. Hôm nay có mưa.",
            ["Hội chợ diễn ra ở TPHCM.", "Hôm nay có mưa."],
            id="TPHCM.-ends-a-sentence",
        ),
        pytest.param(
            'Bà Lan nói: "Chúng tôi đã sẵn sàng." Buổi họp kết thúc lúc trưa.',
            ['Bà Lan nói: "Chúng tôi đã sẵn sàng."', "Buổi họp kết thúc lúc trưa."],
            id="closing-straight-quote",
        ),
        pytest.param(
            "“Ai sẽ trả tiền?” Câu hỏi vẫn chưa có lời đáp.",
            ["“Ai sẽ trả tiền?”", "Câu hỏi vẫn chưa có lời đáp."],
            id="closing-curly-quote",
        ),
        pytest.param(
            "Dòng đầu không có dấu chấm\nDòng hai. Câu ba!",
            ["Dòng đầu không có dấu chấm", "Dòng hai.", "Câu ba!"],
            id="paragraphs",
        ),
        pytest.param("Giá tăng 2.5 lần so với năm ngoái.", ["Giá tăng 2.5 lần so với năm ngoái."], id="decimal"),
        pytest.param("", [], id="empty"),
    ],
)
def test_sentences(text, expected):
    assert sentences(text) == expected


# ---------------------------------------------------------------- words
@pytest.mark.parametrize(
    ("text", "abbreviation"),
    [
        ("Sở KH&CN TP.HCM mở cuộc thi mới", "TP.HCM"),
        ("Người dân TP HCM đi làm sớm", "TP HCM"),
        ("Doanh nghiệp ở TPHCM tăng trưởng mạnh", "TPHCM"),
        ("Sở KH&CN tỉnh vừa công bố kết quả", "KH&CN"),
        ("Chiến lược KH,CN&ĐMST quốc gia được ban hành", "KH,CN&ĐMST"),
        ("Chủ tịch UBND huyện phát biểu", "UBND"),
        ("Trung tâm ĐMST của tỉnh khai trương", "ĐMST"),
        ("Ông Minh (UBND) nói thêm", "UBND"),
        ("UBND TPHCM và Sở KH&CN ký kết", "TPHCM"),
        ("UBND TPHCM và Sở KH&CN ký kết", "KH&CN"),
    ],
)
def test_abbreviations_are_whole_words(text, abbreviation):
    words = segment(text)
    assert abbreviation in words
    # not glued to a neighbour either: no other word contains it
    assert [w for w in words if abbreviation in w] == [abbreviation]


@pytest.mark.parametrize("abbreviation", ["TPHCM", "TP.HCM", "UBND"])
def test_sentence_final_abbreviation_gives_back_the_stop(abbreviation):
    words = segment(f"Hội thảo về khởi nghiệp diễn ra tại {abbreviation}. Hôm nay trời mưa.")
    i = words.index(abbreviation)
    assert words[i + 1] == "."
    assert words[i + 2] == "Hôm nay"
    assert words[-1] == "."


def test_docstring_example_start():
    words = segment("Sở KH&CN TP.HCM tổ chức cuộc thi khởi nghiệp tại TPHCM. Hôm nay")
    assert words[:3] == ["Sở", "KH&CN", "TP.HCM"]
    assert words[-3:] == ["TPHCM", ".", "Hôm nay"]
    assert "khởi nghiệp" in words and "tổ chức" in words


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Thanh niên khởi nghiệp với trí tuệ nhân tạo", "khởi nghiệp"),
        ("Thanh niên khởi nghiệp với trí tuệ nhân tạo", "trí tuệ"),
        ("Các bạn trẻ khởi nghiệp bằng nông sản sạch.", "nông sản"),
        ("Tỉnh đẩy mạnh chuyển đổi số trong y tế.", "chuyển đổi"),
        ("Doanh nghiệp ở TPHCM tăng trưởng mạnh", "tăng trưởng"),
    ],
)
def test_multi_syllable_words_come_out_whole(text, word):
    words = segment(text)
    assert word in words
    assert not any(w.endswith(" " + word.split()[0]) for w in words)


def test_segment_normalizes_first_unless_told_not_to():
    words = segment("<b>Hoà</b> bình &amp; thuỷ điện")
    assert words == segment("Hòa bình & thủy điện")
    assert letters(words) == "Hòabìnhthủyđiện"
    assert segment("Hòa bình", normalized=True) == segment("Hòa bình")
    assert segment("", normalized=True) == []
    assert segment_sentence("") == []


# ---------------------------------------------------------------- laws
# st.text() holds no lone surrogates; those are refused where text comes in (corpus.article_from_dict, the API).
@settings(max_examples=150, deadline=None)
@given(st.text() | vietnamese_text)
def test_segment_never_raises(text):
    words = segment(text)
    assert all(isinstance(w, str) and w for w in words)


@settings(max_examples=150, deadline=None)
@given(st.text(st.characters(codec="utf-8")) | vietnamese_text)
def test_segment_round_trip_keeps_every_letter(text):
    words = segment(text)
    assert letters(words) == letters(normalize(text))


def test_segment_keeps_letters_of_long_tokens_with_eth():
    """The eth look-alike Ð is read as Đ everywhere, in long runs too, by normalize and segment alike."""
    text = "Hội thảo ở Ðạihọcquốcgia hôm nay"
    assert letters(segment(text)) == letters(normalize(text))
