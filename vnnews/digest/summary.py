"""Summaries: the two sentences of a story's central article that best tell the story."""

from __future__ import annotations

import re
from typing import Iterable

from nlp import segment
from nlp.normalize import normalize
from vnnews.digest.features import _article_text, _vectorizer, _word_features, story_features


SUMMARY_SENTENCES = 2
MIN_SENTENCE_WORDS, MAX_SENTENCE_WORDS = 8, 60
_DATELINE = re.compile(r"^\s*(?P<head>[^\s–—-][^–—]{0,40}?)\s+[–—-]{1,2}\s+(?=\S)")
_CAPTION = re.compile(r"^\s*[(\[]?\s*(?:ảnh|hình|video|clip|đồ họa|infographic)(?:\s+minh\s+họa)?\s*[:)\]]"
                      r"|[(\[]\s*(?:ảnh|hình|nguồn ảnh|video)\s*:[^)\]]*[)\]]\s*\.?\s*$"
                      r"|(?:^|\s)(?:ảnh|hình)\s*:\s*[^\s].{0,40}$", re.IGNORECASE)
_CONNECTIVE = re.compile(r"^(?:tuy nhiên|ngoài ra|trong khi đó|bên cạnh đó|theo đó|do đó|vì vậy|vì thế|đây là|điều này"
                         r"|cũng theo|cùng ngày|trước đó|sau đó|nó |họ |còn |thêm vào đó|mặt khác|dù vậy|song|nhưng)", re.IGNORECASE)
_QUOTE_START = re.compile(r"^[\"“”'‘’«]")


def _strip_dateline(sentence: str) -> str:
    """Cut a dateline: 'NHA TRANG – Từ đầu tháng...' → 'Từ đầu tháng...'; '(Tin Nhanh Việt) - ...' likewise."""
    match = _DATELINE.match(sentence)
    if not match:
        return sentence
    head = match.group("head").strip()
    letters = [c for c in head if c.isalpha()]
    is_caps = letters and all(c.isupper() for c in letters)
    is_source = head.startswith("(") and head.endswith(")")
    is_place_date = bool(re.search(r",\s*(?:ngày\s*)?\d{1,2}/\d{1,2}", head)) and len(head.split()) <= 8
    return sentence[match.end():] if (is_caps or is_source or is_place_date) else sentence


def summary_candidates(article: dict) -> list[str]:
    """Sentences of lead and body fit for a summary, in order (datelines cut, captions and odd lengths skipped)."""
    out: list[str] = []
    for part in (article.get("lead") or "", article.get("body") or ""):
        for paragraph in normalize(part).split("\n"):
            if not paragraph.strip() or _CAPTION.search(paragraph):
                continue
            sentences = segment.sentences(paragraph)
            # A one-line paragraph without final punctuation is a caption, a byline or a sub-heading.
            if len(sentences) == 1 and not re.search(r"[.!…][\"”’»)]*$", paragraph.strip()):
                continue
            for sentence in sentences:
                sentence = _strip_dateline(sentence)
                words = len(sentence.split())
                if not MIN_SENTENCE_WORDS <= words <= MAX_SENTENCE_WORDS:
                    continue
                if sentence.rstrip().endswith((":", "?")) or _CAPTION.search(sentence):
                    continue
                out.append(sentence)
    return out


def summarize(article: dict, reference: Iterable[str] = (), n: int = SUMMARY_SENTENCES) -> str:
    """`n` sentences of the article, in their order: the ones closest to the reference texts, early ones preferred."""
    candidates = summary_candidates(article)
    if len(candidates) <= n:
        return " ".join(candidates)
    docs = [_word_features(story_features(s)) for s in candidates]
    ref = _word_features([f for text in [_article_text(article), *reference] for f in story_features(text)])
    vectorizer = _vectorizer().fit(docs + [ref])
    matrix = vectorizer.transform(docs)
    closeness = (matrix @ vectorizer.transform([ref]).T).toarray().ravel()
    scores = []
    for position, (sentence, close) in enumerate(zip(candidates, closeness)):
        score = close + 0.25 / (1 + position)
        if _QUOTE_START.match(sentence) or _CONNECTIVE.match(sentence):
            score *= 0.6   # a quote or "Tuy nhiên, ..." leans on the sentence before it
        scores.append(score)
    chosen = sorted(sorted(range(len(candidates)), key=lambda k: (-scores[k], k))[:n])
    return " ".join(candidates[k] for k in chosen)
