"""Snippets: the matching words of every sentence are found in one pass over the text, and they are the ones a word
by word reading finds, whatever the text's case, quotes, dashes, letters or Unicode form."""

from __future__ import annotations

import unicodedata

from hypothesis import given, strategies as st

from index.highlight import _found, _hit, _WORD, snippet

WORDS = ["Đà", "Nẵng", "khởi", "nghiệp", "da", "nang", "trí", "tuệ", "AI", "số", "chuyển", "đổi", "Hà", "Nội", "ha",
         "“chuyển", "đổi”", "–", "…", "(5/12)", "đồng/lít", "«số»", "đá", "nặng", "ĐÀ", "NẴNG", "Khởi", "İ", "ǆa",
         "Ωmega", "Ḱa", "hà‐nội", "Øre", "dạ", "ðà"]


def _word_by_word(candidates: list[str], terms: frozenset[str]) -> list[tuple[int, str, set[str]]]:
    out = []
    for position, sentence in enumerate(candidates):
        found = {w.lower() for w in _WORD.findall(sentence) if _hit(w, terms)}
        if found:
            out.append((position, sentence, found))
    return out


@given(st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8), min_size=1, max_size=6),
       st.sets(st.sampled_from(["đà", "nẵng", "da", "nang", "khởi", "nghiep", "số", "so", "ai", "hà", "ka", "ore",
                                "dza"]), min_size=1),
       st.sampled_from(["NFC", "NFD"]))
def test_the_words_found_in_one_pass_are_those_a_word_by_word_reading_finds(sentences, terms, form):
    candidates = [unicodedata.normalize(form, " ".join(words)) for words in sentences]
    assert _found(candidates, frozenset(terms)) == _word_by_word(candidates, frozenset(terms))


def test_the_snippet_is_the_sentence_with_most_terms_in_either_unicode_form():
    # (Stored text is NFC: ingest normalizes it. Decomposed text still picks the right sentence.)
    body = ("Thành phố có nhiều sự kiện trong tuần. Đà Nẵng mở vườn ươm “khởi nghiệp” – cho sinh viên… "
            "Sinh viên Đà Nẵng được hỗ trợ.")
    terms = frozenset({"da", "nang", "khoi", "nghiep"})
    out = snippet("Tin", "", body, terms)
    assert out.startswith("<mark>Đà</mark> <mark>Nẵng</mark> mở vườn ươm “<mark>khởi</mark> <mark>nghiệp</mark>”")
    assert "vườn ươm" in unicodedata.normalize("NFC", snippet("Tin", "", unicodedata.normalize("NFD", body), terms))
