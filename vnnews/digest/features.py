"""Story features of a text: content words (syllables, syllable pairs) and anchors (names, numbers), the two views
the story grouping and the summaries compare articles by."""

from __future__ import annotations

import re

from sklearn.feature_extraction.text import TfidfVectorizer

from nlp import segment
from nlp.analysis import stopwords


_TOKEN = re.compile(r"\d+(?:[.,/]\d+)*|[^\W\d_]\w*", re.UNICODE)
_NUMBER = re.compile(r"^\d")
_WORD = re.compile(r"[^\W\d_]+(?: [^\W\d_]+)*")
_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_PUNCTUATION = re.compile(r"[^\w\s.,/]+|(?<!\d)[.,/]|[.,/](?!\d)")


def _is_capitalised(token: str) -> bool:
    return token[:1].isupper()


def story_features(text: str) -> list[str]:
    """Grouping features of one text: words (syllables, syllable pairs) and anchors ('@kho_mây', '#12')."""
    stop = stopwords()
    features: list[str] = []
    append = features.append
    for sentence in segment.sentences(text):
        # Punctuation ends a pair and a name: "Mekong Horizon Ventures (Singapore)" is two names.
        started = False
        for chunk in _PUNCTUATION.split(sentence):
            tokens = _TOKEN.findall(chunk)
            if not tokens:
                continue
            lower = [t.lower() for t in tokens]
            number = [w[0].isdecimal() for w in lower]  # what `\d` matches
            last = len(lower) - 1
            for i, word in enumerate(lower):
                if number[i]:
                    # "6.200" and "6200" are one figure to a reader; "3,5" keeps its comma as a decimal mark.
                    append("#" + (word.replace(".", "") if _THOUSANDS.fullmatch(word) else word))
                    continue
                stopped = word in stop
                if not stopped and len(word) > 1:
                    append(word)
                if i < last and not number[i + 1]:
                    following = lower[i + 1]
                    pair = f"{word} {following}"
                    if not (stopped and following in stop) and pair not in stop:
                        append(pair)
            features += _names(tokens, lower, sentence_start=not started, stop=stop)
            started = True
    return features


def _names(tokens: list[str], lower: list[str], *, sentence_start: bool, stop: frozenset[str]) -> list[str]:
    """Anchors from runs of capitalised tokens, as pairs ('Quỹ Mekong Horizon' → '@quỹ_mekong', '@mekong_horizon').

    Pairs rather than whole runs, so that "quỹ Mekong Horizon Ventures" and "Mekong Horizon Ventures" still meet.
    A sentence's first word is capitalised anyway: alone it is a name only with a capital inside ("SwapGo"), and a
    function word ("Theo", "Ông", "Tại") never starts a name. `lower` is the tokens lower-cased.
    """
    out: list[str] = []
    run: list[str] = []
    for i, token in enumerate(tokens):
        if _is_capitalised(token):  # (never a digit)
            if i == 0 and sentence_start:
                if lower[0] in stop:
                    continue  # a function word: the run starts after it
                if len(tokens) >= 2 and not _is_capitalised(tokens[1]) and not any(c.isupper() for c in token[1:]):
                    continue  # the sentence's capital alone, not a name
            run.append(lower[i])
            continue
        if run:
            out += _run_names(run)
            run = []
    return out + _run_names(run)


def _run_names(run: list[str]) -> list[str]:
    if len(run) == 1:
        return ["@" + run[0]]
    return [f"@{x}_{y}" for x, y in zip(run, run[1:])]


def _article_text(article: dict) -> str:
    return "\n".join(str(article.get(k) or "") for k in ("title", "lead", "body") if article.get(k))


def _word_features(features: list[str]) -> list[str]:
    return [f for f in features if f[0] not in "@#"]


def _anchor_features(features: list[str]) -> list[str]:
    return [f for f in features if f[0] in "@#"]


def _identity(features: list[str]) -> list[str]:
    return features


def _vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=_identity, sublinear_tf=True, norm="l2")
