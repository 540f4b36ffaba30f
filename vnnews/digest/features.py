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
    for sentence in segment.sentences(text):
        # Punctuation ends a pair and a name: "Mekong Horizon Ventures (Singapore)" is two names.
        started = False
        for chunk in _PUNCTUATION.split(sentence):
            tokens = _TOKEN.findall(chunk)
            lower = [t.lower() for t in tokens]
            for i, word in enumerate(lower):
                if _NUMBER.match(word):
                    # "6.200" and "6200" are one figure to a reader; "3,5" keeps its comma as a decimal mark.
                    features.append("#" + (word.replace(".", "") if _THOUSANDS.fullmatch(word) else word))
                    continue
                if word not in stop and len(word) > 1:
                    features.append(word)
                if i + 1 < len(lower) and not _NUMBER.match(lower[i + 1]):
                    pair = f"{word} {lower[i + 1]}"
                    if not (word in stop and lower[i + 1] in stop) and pair not in stop:
                        features.append(pair)
            features += _names(tokens, sentence_start=not started, stop=stop)
            started = started or bool(tokens)
    return features


def _names(tokens: list[str], *, sentence_start: bool, stop: frozenset[str]) -> list[str]:
    """Anchors from runs of capitalised tokens, as pairs ('Quỹ Mekong Horizon' → '@quỹ_mekong', '@mekong_horizon').

    Pairs rather than whole runs, so that "quỹ Mekong Horizon Ventures" and "Mekong Horizon Ventures" still meet.
    A sentence's first word is capitalised anyway: alone it is a name only with a capital inside ("SwapGo"), and a
    function word ("Theo", "Ông", "Tại") never starts a name.
    """
    out: list[str] = []
    run: list[str] = []
    for i, token in enumerate(tokens + [""]):
        first = sentence_start and i == 0
        if token and _is_capitalised(token) and not _NUMBER.match(token) and not (first and token.lower() in stop):
            run.append(token.lower() if not first or len(tokens) < 2 or _is_capitalised(tokens[1]) else "")
            if run[-1] == "" and any(c.isupper() for c in token[1:]):
                run[-1] = token.lower()
            continue
        run = [t for t in run if t]
        if len(run) == 1:
            out.append("@" + run[0])
        out += [f"@{x}_{y}" for x, y in zip(run, run[1:])]
        run = []
    return out


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
