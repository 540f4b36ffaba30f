"""Snippets: the best sentence or two of an article for a query, with the matching words marked, HTML-escaped.

Only the top hits of a page get a snippet, and only their stored text is read: no whole-body highlighting over
all matches (that was where the naive design lost seconds).
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from functools import lru_cache
from typing import Iterator

from nlp.fold import fold
from nlp.segment import sentences

_WORD = re.compile(r"\w+")
SNIPPET_CHARS = 260
_SCAN_CHARS = 20000  # a match past this point of a very long body is not worth the scan


_fold_word = lru_cache(maxsize=2**16)(fold)  # words repeat across sentences and articles: fold each once


def _hit(word: str, terms: frozenset[str]) -> bool:
    """A word matches a toned term exactly (case aside) or a tone-less term in any tone."""
    return _term_of(word, terms) is not None


def _marked(text: str, terms: frozenset[str]) -> tuple[str, int]:
    """Escape `text` and wrap words that match a query term in <mark>; also count the marks."""
    out, last, marks = [], 0, 0
    for start, end in _matching_words(text, terms):
        out.append(html.escape(text[last:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        last = end
        marks += 1
    out.append(html.escape(text[last:]))
    return "".join(out), marks


def _matching_words(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    """(start, end) of every word of `text` that `_hit`s a term."""
    found = _spans(text, terms)
    if found is None:
        return [m.span() for m in _WORD.finditer(text) if _hit(m.group(), terms)]
    return [(start, end) for start, end, _ in found]


def _term_of(word: str, terms: frozenset[str]) -> str | None:
    """The term a word `_hit`s: its lower-case form when that is a term, else its folded form when that is one."""
    lower = word.lower()
    if lower in terms:
        return lower
    folded = _fold_word(word)
    return folded if folded in terms else None


def _terms_hit(sentence: str, terms: frozenset[str]) -> set[str]:
    """The terms the words of a sentence `_hit`, read word by word."""
    return {term for word in _WORD.findall(sentence) if (term := _term_of(word, terms)) is not None}


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
    """For the fast paths of `_found` and `_marked`: every lower-case letter that folds to another single character,
    by what it folds to ("a" → "[aàáảãạăằ…]"), and a pattern finding any character outside ASCII, the Latin and
    Vietnamese letters and the general punctuation, for which matching such classes in lower-cased text is folding
    first."""
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


def _plain_lowered(text: str) -> str | None:
    """`text` lower-cased, position for position, when the letter classes of `_toned_pattern` read it as folding
    would; None for text with other letters or marks (decomposed text, Greek, ligatures ...)."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) and not _UNUSUAL.search(text) else None


def _folded_terms(terms: frozenset[str]) -> list[str]:
    """The terms' folded forms, longest first (a regex alternation takes the first that matches)."""
    return sorted({fold(t) for t in terms}, key=lambda t: (-len(t), t))


@lru_cache(maxsize=256)
def _folded_pattern(terms: frozenset[str]) -> re.Pattern:
    """A word whose folded form is one of the terms' folded forms, in folded text."""
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, _folded_terms(terms))) + r")(?!\w)")


@lru_cache(maxsize=256)
def _toned_pattern(terms: frozenset[str]) -> re.Pattern:
    """The words `_folded_pattern` finds, in lower-case text with its tones: each letter of a folded term stands for
    every letter that folds to it."""
    spelled = ("".join(_CLASSES.get(c, re.escape(c)) for c in term) for term in _folded_terms(terms))
    return re.compile(r"(?<!\w)(?:" + "|".join(spelled) + r")(?!\w)")


def _spans(text: str, terms: frozenset[str]) -> Iterator[tuple[int, int, str]] | None:
    """(start, end, term: see `_term_of`) of every word of `text` that hits a term, lazily, found with one search: in
    the lower-cased text (the common case: no fold of the whole text) or, when it has letters the classes do not
    cover, in the folded text; each word the search finds is decided by `_term_of`. None when folding changes the
    text's length (decomposed or unusual text), which is then read word by word."""
    lowered = _plain_lowered(text)
    if lowered is not None:
        matches = _toned_pattern(terms).finditer(lowered)
    else:
        folded = fold(text)
        if len(folded) != len(text):
            return None
        matches = _folded_pattern(terms).finditer(folded)
    return ((m.start(), m.end(), term) for m in matches
            if (term := _term_of(text[m.start():m.end()], terms)) is not None)


Position = tuple[int, int]  # (paragraph, sentence in it): the article's order of its sentences


def _paragraphs(lead: str, body: str) -> list[str]:
    """The paragraphs a snippet is taken from: the lead's, then the body's up to _SCAN_CHARS."""
    return lead.split("\n") + body[:_SCAN_CHARS].split("\n")


def _all_sentences(paragraphs: list[str]) -> list[tuple[Position, str]]:
    return [((n, k), s) for n, paragraph in enumerate(paragraphs) for k, s in enumerate(sentences(paragraph))]


def _found(paragraphs: list[str], terms: frozenset[str]) -> Iterator[tuple[Position, str, set[str]]]:
    """(position, sentence, the terms its words hit: see `_term_of`) of every sentence with a match, in the
    article's order, found lazily: a reader that has what it needs stops the search there.

    Found with one search over all the text (`_spans`), not word by word, and only the paragraphs with a match are
    cut into sentences."""
    text = "\n".join(paragraphs)
    spans = _spans(text, terms)
    if spans is None:  # folding changed the text's length: sentence by sentence, word by word
        for position, sentence in _all_sentences(paragraphs):
            found = _terms_hit(sentence, terms)
            if found:
                yield position, sentence, found
        return
    starts, offset = [], 0
    for paragraph in paragraphs:
        starts.append(offset)
        offset += len(paragraph) + 1
    current, words = -1, []  # the paragraph being read, and its (offset in it, term) so far
    for start, _, term in spans:
        number = bisect_right(starts, start) - 1
        if number != current:
            if words:
                yield from _paragraph_hits(paragraphs[current], current, words)
            current, words = number, []
        words.append((start - starts[number], term))
    if words:
        yield from _paragraph_hits(paragraphs[current], current, words)


def _paragraph_hits(paragraph: str, number: int, words: list[tuple[int, str]]
                    ) -> Iterator[tuple[Position, str, set[str]]]:
    """The sentences of one paragraph that hold the (offset, term) matches, with their terms, in order."""
    cut = sentences(paragraph)  # each one a piece of the paragraph, in order
    begins, cursor = [], 0
    for sentence in cut:
        cursor = paragraph.find(sentence, cursor)
        begins.append(cursor)
        cursor += len(sentence)
    found_in: dict[int, set[str]] = {}
    for at, term in words:
        found_in.setdefault(bisect_right(begins, at) - 1, set()).add(term)
    for k, found in sorted(found_in.items()):
        yield (number, k), cut[k], found


def _sentence_hits(title: str, lead: str, body: str, terms: frozenset[str]
                   ) -> Iterator[tuple[Position, str, set[str]]]:
    if not (lead or body):  # a title alone is one sentence
        found = _terms_hit(title, terms)
        return iter([((0, 0), title, found)] if found else [])
    return _found(_paragraphs(lead, body), terms)


def _first(title: str, lead: str, body: str) -> str | None:
    """The first sentence (the title when there is no lead or body; None when they are blank)."""
    if not (lead or body):
        return title
    for paragraph in _paragraphs(lead, body):
        cut = sentences(paragraph)
        if cut:
            return cut[0]
    return None


def _best_two(hits: Iterator[tuple[Position, str, set[str]]], ceiling: int, short: int) -> list[tuple]:
    """The two best sentences as (-terms hit, position, sentence): most terms first, then the article's order. The
    search stops once nothing later can change the answer: the best sentence hits all `ceiling` terms and is not
    `short` (no second one is shown), or the two best both hit them all."""
    best: list[tuple] = []
    for position, sentence, found in hits:
        best = sorted(best + [(-len(found), position, sentence)])[:2]
        if best[0][0] == -ceiling and (len(best[0][2]) >= short or (len(best) > 1 and best[1][0] == -ceiling)):
            break
    return best


def snippet(title: str, lead: str, body: str, terms: frozenset[str], limit: int = SNIPPET_CHARS) -> str:
    """HTML snippet: the sentence (lead first, then body) whose words hit the most query terms, and the next best
    one when it is short.

    `terms` are lower-case syllables, toned or tone-less (see `_hit`); with no terms (browsing) the lead or the
    opening of the body is returned.
    """
    if not terms:
        return html.escape(_clip(_first(title, lead, body) or "", frozenset(), limit))
    best = _best_two(_sentence_hits(title, lead, body, terms), len(terms), limit // 2)
    if not best:
        first = _first(title, lead, body)
        return html.escape(_clip(title if first is None else first, frozenset(), limit))
    chosen = best[:1] if len(best[0][2]) >= limit // 2 else best
    chosen.sort(key=lambda item: item[1])  # keep the article's order
    pieces = [_clip(s, terms, limit if len(chosen) == 1 else limit // 2) for _, _, s in chosen]
    if len(pieces) > 1:  # one ellipsis between two pieces, whether or not either was cut there
        pieces = [pieces[0].removesuffix(" …"), pieces[1].removeprefix("… ")]
    text = " … ".join(pieces)
    return _marked(text, terms)[0]
