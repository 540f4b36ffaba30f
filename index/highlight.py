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


def snippet(title: str, lead: str, body: str, terms: frozenset[str], limit: int = SNIPPET_CHARS) -> str:
    """HTML snippet: the sentences (lead first, then body) that match the most distinct query terms.

    `terms` are lower-case syllables, toned or tone-less (see `_hit`); with no terms (browsing) the lead or the
    opening of the body is returned.
    """
    candidates = sentences(lead) + sentences(body[:_SCAN_CHARS]) if (lead or body) else [title]
    if not terms:
        return html.escape(_clip(candidates[0] if candidates else "", frozenset(), limit))
    scored = []
    folded_terms = {fold(t) for t in terms}
    for position, sentence in enumerate(candidates):
        folded = fold(sentence)  # one pass over the sentence; a sentence without any term's folded form is skipped
        if not any(t in folded for t in folded_terms):
            continue
        found = {w.lower() for w in _WORD.findall(sentence) if _hit(w, terms)}
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
