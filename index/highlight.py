"""Snippets: the best sentence or two of an article for a query, with the matching words marked, HTML-escaped.

Only the top hits of a page get a snippet, and only their stored text is read: no whole-body highlighting over
all matches (that was where the naive design lost seconds).
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from functools import lru_cache

from nlp.fold import fold
from nlp.segment import sentences

_WORD = re.compile(r"\w+")
SNIPPET_CHARS = 260
_SCAN_CHARS = 20000  # a match past this point of a very long body is not worth the scan


_fold_word = lru_cache(maxsize=2**16)(fold)  # words repeat across sentences and articles: fold each once


def _hit(word: str, terms: frozenset[str]) -> bool:
    """A word matches a toned term exactly (case aside) or a tone-less term in any tone."""
    return word.lower() in terms or _fold_word(word) in terms


def _marked(text: str, terms: frozenset[str]) -> tuple[str, int]:
    """Escape `text` and wrap words that match a query term in <mark>; also count the marks."""
    out, last, marks = [], 0, 0
    for match in _WORD.finditer(text):
        if _hit(match.group(), terms):
            out.append(html.escape(text[last:match.start()]))
            out.append(f"<mark>{html.escape(match.group())}</mark>")
            last = match.end()
            marks += 1
    out.append(html.escape(text[last:]))
    return "".join(out), marks


def _clip(sentence: str, terms: frozenset[str], limit: int) -> str:
    """Cut a long sentence to `limit` characters around its first match."""
    if len(sentence) <= limit:
        return sentence
    first = next((m.start() for m in _WORD.finditer(sentence) if _hit(m.group(), terms)), 0)
    start = max(0, first - limit // 3)
    if start:
        start = sentence.find(" ", start) + 1 or start
    piece = sentence[start:start + limit]
    cut = piece.rfind(" ")
    piece = piece[:cut] if cut > limit // 2 else piece
    return ("… " if start else "") + piece + " …"


def _same_when_folded() -> tuple[dict[str, str], re.Pattern]:
    """For the fast path of `_found`: every lower-case letter that folds to another single character, by what it
    folds to ("a" → "[aàáảãạăằ…]"), and a pattern finding any character outside ASCII, the Latin and Vietnamese
    letters and the general punctuation, for which matching such classes in lower-cased text is folding first."""
    classes: dict[str, set[str]] = {}
    allowed = []
    for code in [*range(0x80, 0x250), *range(0x1E00, 0x1F00)]:
        char = chr(code)
        lower = char.lower()
        if len(lower) != 1 or len(fold(char)) != 1 or fold(lower) != fold(char):
            continue
        allowed.append(char)
        if fold(lower) != lower:
            classes.setdefault(fold(lower), set()).add(lower)
    unusual = re.compile("[^\\x00-\\x7f" + re.escape("".join(allowed)) + "\\u2000-\\u206f]")
    return {base: "[" + re.escape(base + "".join(sorted(chars))) + "]" for base, chars in classes.items()}, unusual


_CLASSES, _UNUSUAL = _same_when_folded()


@lru_cache(maxsize=256)
def _folded_pattern(terms: frozenset[str]) -> re.Pattern:
    """A word whose folded form is one of the terms' folded forms, in folded text."""
    folded = sorted({fold(t) for t in terms}, key=lambda t: (-len(t), t))
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, folded)) + r")(?!\w)")


@lru_cache(maxsize=256)
def _toned_pattern(terms: frozenset[str]) -> re.Pattern:
    """The words `_folded_pattern` finds, in lower-case text with its tones: each letter of a folded term stands for
    every letter that folds to it."""
    folded = sorted({fold(t) for t in terms}, key=lambda t: (-len(t), t))
    spelled = ("".join(_CLASSES.get(c, re.escape(c)) for c in term) for term in folded)
    return re.compile(r"(?<!\w)(?:" + "|".join(spelled) + r")(?!\w)")


def _found(candidates: list[str], terms: frozenset[str]) -> list[tuple[int, str, set[str]]]:
    """(position, sentence, its words that match a term, lower-cased: see `_hit`) of every sentence with a match.

    Found with one search over all the text, not word by word: the search finds every word whose folded form is a
    term's (in the lower-cased text; in the folded text when it has letters the classes do not cover), and `_hit`
    decides each of those."""
    text = "\n".join(candidates)
    lowered = text.lower()
    if len(lowered) == len(text) and not _UNUSUAL.search(text):
        matches = _toned_pattern(terms).finditer(lowered)  # the common case: no fold of the whole text
    else:
        folded = fold(text)
        if len(folded) != len(text):  # decomposed or unusual text: folding changed lengths, sentence by sentence
            out = []
            for position, sentence in enumerate(candidates):
                found = {w.lower() for w in _WORD.findall(sentence) if _hit(w, terms)}
                if found:
                    out.append((position, sentence, found))
            return out
        matches = _folded_pattern(terms).finditer(folded)
    starts, offset = [], 0
    for sentence in candidates:
        starts.append(offset)
        offset += len(sentence) + 1
    by_sentence: dict[int, set[str]] = {}
    for match in matches:
        word = text[match.start():match.end()].lower()
        if word in terms or _fold_word(word) in terms:
            by_sentence.setdefault(bisect_right(starts, match.start()) - 1, set()).add(word)
    return [(position, candidates[position], found) for position, found in sorted(by_sentence.items())]


def snippet(title: str, lead: str, body: str, terms: frozenset[str], limit: int = SNIPPET_CHARS) -> str:
    """HTML snippet: the sentences (lead first, then body) that match the most distinct query terms.

    `terms` are lower-case syllables, toned or tone-less (see `_hit`); with no terms (browsing) the lead or the
    opening of the body is returned.
    """
    candidates = sentences(lead) + sentences(body[:_SCAN_CHARS]) if (lead or body) else [title]
    if not terms:
        return html.escape(_clip(candidates[0] if candidates else "", frozenset(), limit))
    scored = [(-len(found), position, sentence) for position, sentence, found in _found(candidates, terms)]
    if not scored:
        return html.escape(_clip(candidates[0] if candidates else title, frozenset(), limit))
    scored.sort()
    chosen = [scored[0]]
    if len(scored[0][2]) < limit // 2 and len(scored) > 1:
        chosen.append(scored[1])
    chosen.sort(key=lambda item: item[1])  # keep the article's order
    text = " … ".join(_clip(s, terms, limit if len(chosen) == 1 else limit // 2) for _, _, s in chosen)
    return _marked(text, terms)[0]
