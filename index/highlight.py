"""Snippets: the best sentence or two of an article for a query, with the matching words marked, HTML-escaped.

Only the top hits of a page get a snippet, and only their stored text is read: no whole-body highlighting over
all matches (that was where the naive design lost seconds).
"""

from __future__ import annotations

import html
import re
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


@lru_cache(maxsize=256)
def _folded_pattern(terms: frozenset[str]) -> re.Pattern:
    """A word whose folded form is one of the terms' folded forms."""
    folded = sorted({fold(t) for t in terms}, key=lambda t: (-len(t), t))
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, folded)) + r")(?!\w)")


def _may_match(candidates: list[str], terms: frozenset[str]) -> list[tuple[int, str]]:
    """(position, sentence) of the sentences that have a word whose folded form is a term's: only those can hold a
    match. Found with one fold and one search over all the text, not sentence by sentence."""
    text = "\n".join(candidates)
    folded = fold(text)
    if len(folded) != len(text):  # decomposed or unusual text: folding changed lengths, go sentence by sentence
        pattern = _folded_pattern(terms)
        return [(i, s) for i, s in enumerate(candidates) if pattern.search(fold(s))]
    hits = [m.start() for m in _folded_pattern(terms).finditer(folded)]
    out, start, k = [], 0, 0
    for position, sentence in enumerate(candidates):
        end = start + len(sentence)
        while k < len(hits) and hits[k] < start:
            k += 1
        if k < len(hits) and hits[k] < end:
            out.append((position, sentence))
        start = end + 1
    return out


def snippet(title: str, lead: str, body: str, terms: frozenset[str], limit: int = SNIPPET_CHARS) -> str:
    """HTML snippet: the sentences (lead first, then body) that match the most distinct query terms.

    `terms` are lower-case syllables, toned or tone-less (see `_hit`); with no terms (browsing) the lead or the
    opening of the body is returned.
    """
    candidates = sentences(lead) + sentences(body[:_SCAN_CHARS]) if (lead or body) else [title]
    if not terms:
        return html.escape(_clip(candidates[0] if candidates else "", frozenset(), limit))
    scored = []
    for position, sentence in _may_match(candidates, terms):
        words = set(_WORD.findall(sentence.lower()))
        found = (words & terms) | {w for w in words - terms if _fold_word(w) in terms}  # as _hit, word by word
        if found:
            scored.append((-len(found), position, sentence))
    if not scored:
        return html.escape(_clip(candidates[0] if candidates else title, frozenset(), limit))
    scored.sort()
    chosen = [scored[0]]
    if len(scored[0][2]) < limit // 2 and len(scored) > 1:
        chosen.append(scored[1])
    chosen.sort(key=lambda item: item[1])  # keep the article's order
    text = " … ".join(_clip(s, terms, limit if len(chosen) == 1 else limit // 2) for _, _, s in chosen)
    return _marked(text, terms)[0]
