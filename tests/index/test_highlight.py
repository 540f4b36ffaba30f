"""Snippets: the sentences that can match are found in one pass over the text, and they are the ones a sentence by
sentence reading finds, whatever the text's quotes, dashes or Unicode form."""

from __future__ import annotations

import unicodedata

from hypothesis import given, strategies as st

from index.highlight import _may_match, _WORD, snippet
from nlp.fold import fold

WORDS = ["Đà", "Nẵng", "khởi", "nghiệp", "da", "nang", "trí", "tuệ", "AI", "số", "chuyển", "đổi", "Hà", "Nội", "ha",
         "“chuyển", "đổi”", "–", "…", "(5/12)", "đồng/lít", "«số»", "đá", "nặng"]


def _one_by_one(candidates: list[str], terms: frozenset[str]) -> list[tuple[int, str]]:
    folded_terms = {fold(t) for t in terms}
    return [(i, s) for i, s in enumerate(candidates) if folded_terms & set(_WORD.findall(fold(s)))]


@given(st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8), min_size=1, max_size=6),
       st.sets(st.sampled_from(["đà", "nẵng", "da", "nang", "khởi", "nghiep", "số", "so", "ai", "hà"]), min_size=1),
       st.sampled_from(["NFC", "NFD"]))
def test_sentences_that_may_match_are_those_a_sentence_by_sentence_reading_finds(sentences, terms, form):
    candidates = [unicodedata.normalize(form, " ".join(words)) for words in sentences]
    assert _may_match(candidates, frozenset(terms)) == _one_by_one(candidates, frozenset(terms))


def test_the_snippet_is_the_sentence_with_most_terms_in_either_unicode_form():
    # (Stored text is NFC: ingest normalizes it. Decomposed text still picks the right sentence.)
    body = ("Thành phố có nhiều sự kiện trong tuần. Đà Nẵng mở vườn ươm “khởi nghiệp” – cho sinh viên… "
            "Sinh viên Đà Nẵng được hỗ trợ.")
    terms = frozenset({"da", "nang", "khoi", "nghiep"})
    out = snippet("Tin", "", body, terms)
    assert out.startswith("<mark>Đà</mark> <mark>Nẵng</mark> mở vườn ươm “<mark>khởi</mark> <mark>nghiệp</mark>”")
    assert "vườn ươm" in unicodedata.normalize("NFC", snippet("Tin", "", unicodedata.normalize("NFD", body), terms))
