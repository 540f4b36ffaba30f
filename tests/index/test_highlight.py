"""Snippets: the matching words of every sentence are found in one pass over the text, and they are the ones a word
by word reading finds, whatever the text's case, quotes, dashes, letters or Unicode form."""

from __future__ import annotations

import unicodedata

from hypothesis import given, strategies as st

from index.highlight import _found, _hit, _matching_words, _WORD, snippet
from nlp.fold import fold
from nlp.segment import sentences as cut_sentences

WORDS = ["Đà", "Nẵng", "khởi", "nghiệp", "da", "nang", "trí", "tuệ", "AI", "số", "chuyển", "đổi", "Hà", "Nội", "ha",
         "“chuyển", "đổi”", "–", "…", "(5/12)", "đồng/lít", "«số»", "đá", "nặng", "ĐÀ", "NẴNG", "Khởi", "İ", "ǆa",
         "Ωmega", "Ḱa", "hà‐nội", "Øre", "dạ", "ðà"]


def _word_by_word(paragraphs: list[str], terms: frozenset[str]) -> list[tuple[tuple[int, int], str, set[str]]]:
    out = []
    for n, paragraph in enumerate(paragraphs):
        for k, sentence in enumerate(cut_sentences(paragraph)):
            # the term each hitting word stands for: itself lower-cased when a term, else its folded form
            found = {w.lower() if w.lower() in terms else fold(w) for w in _WORD.findall(sentence) if _hit(w, terms)}
            if found:
                out.append(((n, k), sentence, found))
    return out


TERMS = ["đà", "nẵng", "da", "nang", "khởi", "nghiep", "số", "so", "ai", "hà", "ka", "ore", "dza"]
TEXTS = st.lists(st.lists(st.sampled_from(WORDS + [". Khởi", "! Đà", "? AI", "TP.", "…"]), min_size=1, max_size=8),
                 min_size=1, max_size=6)


@given(st.lists(TEXTS, min_size=1, max_size=3), st.sets(st.sampled_from(TERMS), min_size=1),
       st.sampled_from(["NFC", "NFD"]))
def test_the_words_found_in_one_pass_are_those_a_word_by_word_reading_finds(paragraphs, terms, form):
    # Paragraphs of several sentences each; one search over the whole text, then only paragraphs with a match cut.
    texts = [unicodedata.normalize(form, " ".join(" ".join(words) for words in paragraph)) for paragraph in paragraphs]
    assert list(_found(texts, frozenset(terms))) == _word_by_word(texts, frozenset(terms))


@given(TEXTS, st.sets(st.sampled_from(TERMS), min_size=1), st.sampled_from(["NFC", "NFD"]))
def test_the_words_marked_are_those_a_word_by_word_reading_finds(words, terms, form):
    text = unicodedata.normalize(form, " ".join(" ".join(w) for w in words))
    expected = [m.span() for m in _WORD.finditer(text) if _hit(m.group(), frozenset(terms))]
    assert _matching_words(text, frozenset(terms)) == expected


def test_the_snippet_is_the_sentence_with_most_terms_in_either_unicode_form():
    # (Stored text is NFC: ingest normalizes it. Decomposed text still picks the right sentence.)
    body = ("Thành phố có nhiều sự kiện trong tuần. Đà Nẵng mở vườn ươm “khởi nghiệp” – cho sinh viên… "
            "Sinh viên Đà Nẵng được hỗ trợ.")
    terms = frozenset({"da", "nang", "khoi", "nghiep"})
    out = snippet("Tin", "", body, terms)
    assert out.startswith("<mark>Đà</mark> <mark>Nẵng</mark> mở vườn ươm “<mark>khởi</mark> <mark>nghiệp</mark>”")
    assert "vườn ươm" in unicodedata.normalize("NFC", snippet("Tin", "", unicodedata.normalize("NFD", body), terms))


def test_a_sentence_counts_each_term_once_whatever_the_tones_of_its_words():
    # "tài" and "tại" both hit the tone-less term "tai": one term, not two; the sentence with both terms wins (each
    # sentence is long enough to be shown alone).
    filler = " trong những tháng cuối năm theo báo cáo của ngành chức năng địa phương"
    body = f"Họ tài trợ tại chỗ cho đội bóng{filler * 2}. Vụ tai nạn làm hai người bị thương{filler * 2}."
    out = snippet("Tin", "", body, frozenset({"tai", "nan"}))
    assert out.startswith("Vụ <mark>tai</mark> <mark>nạn</mark>")


def test_the_search_for_sentences_stops_once_the_best_cannot_change():
    from index.highlight import _best_two

    long_sentence = "Đà Nẵng " + "mở rộng vườn ươm khởi nghiệp cho sinh viên " * 5

    def hits():
        yield (0, 0), "Đà Nẵng họp.", {"da", "nang"}  # short: a second sentence is still wanted
        yield (0, 1), long_sentence, {"da", "nang"}
        raise AssertionError("read past the two best sentences")

    assert [b[1] for b in _best_two(hits(), 2, 130)] == [(0, 0), (0, 1)]

    def one_long():
        yield (0, 0), long_sentence, {"da", "nang"}
        raise AssertionError("read past a long sentence with every term")

    assert [b[1] for b in _best_two(one_long(), 2, 130)] == [(0, 0)]


def test_a_short_sentence_and_a_cut_one_are_joined_by_one_ellipsis():
    filler = "một câu rất dài về chuyện khác trong thành phố "
    body = f"Đà Nẵng họp. Một {filler * 4}khởi nghiệp ở đây {filler * 4}."
    out = snippet("Tin", "", body, frozenset({"da", "nang", "khoi", "nghiep"}))
    assert out.startswith("<mark>Đà</mark> <mark>Nẵng</mark> họp. … ") and out.count("…") == 2
    assert out.count("<mark>") == 4
