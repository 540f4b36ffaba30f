"""From the user's query to Whoosh queries: Vietnamese words found against the index vocabulary, tone-less words
given their usual tones, phrases as adjacent syllable pairs, filters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from whoosh import query as wq

from index import query as uq
from index.request import SearchRequest
from index.schema import PAIRS_FOLDED_BOOST
from index.vocabulary import Vocabulary
from nlp.analysis import CLAUSE_BREAK, folded_syllables, has_tone_marks, pairs, syllables
from nlp.fold import fold
from nlp.normalize import normalize

MAX_COMPOUND = 4  # longest Vietnamese word we try to recognise in a query, in syllables


def _units(text: str, vocab: Vocabulary) -> list[tuple[list[str] | None, list[str]]]:
    """Cut plain words into Vietnamese words: (toned syllables or None when unknown, folded syllables) per word.

    Toned input is cut by the toned vocabulary; tone-less input is cut by the folded vocabulary and given the most
    frequent toned reading, so "khoi nghiep da nang" is searched as "khởi nghiệp" + "đà nẵng".
    """
    toned = has_tone_marks(text)
    units: list[tuple[list[str] | None, list[str]]] = []
    for clause in CLAUSE_BREAK.split(text):  # a word never runs across punctuation, in the index or here
        units += _clause_units(syllables(clause) if toned else folded_syllables(clause), toned, vocab)
    return units


def _clause_units(tokens: list[str], toned: bool, vocab: Vocabulary) -> list[tuple[list[str] | None, list[str]]]:
    units: list[tuple[list[str] | None, list[str]]] = []
    i = 0
    while i < len(tokens):
        for size in range(min(MAX_COMPOUND, len(tokens) - i), 1, -1):
            candidate = "_".join(tokens[i:i + size])
            if toned and candidate in vocab.compounds:
                part = tokens[i:i + size]
                units.append((part, [fold(t) for t in part]))
                break
            if not toned and candidate in vocab.restore_compound:
                part = vocab.restore_compound[candidate].split("_")
                units.append((part, tokens[i:i + size]))
                break
        else:
            size = 1
            token = tokens[i]
            if toned:
                units.append(([token], [fold(token)]))
            else:
                restored = vocab.spellings.get(token)
                units.append(([restored[0]] if restored else None, [token]))
        i += size
    return units


def _every(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.And(queries)


def _all(field: str, terms: list[str], boost: float = 1.0) -> wq.Query:
    return _every([wq.Term(field, t, boost=boost) for t in terms])


def _toned_query(parts: list[str], vocab: Vocabulary) -> wq.Query:
    """Toned matches: a syllable in title or text; several syllables as their adjacent toned pairs in title or text,
    and as a known word (one `words` term, which scores a real word above a chance adjacency)."""
    if len(parts) == 1:
        return wq.Or([wq.Term("title_t", parts[0]), wq.Term("body_t", parts[0])])
    adjacent = pairs(parts)
    options = [_all("title_t", adjacent), _all("pairs_t", adjacent)]
    word = "_".join(parts)
    if word in vocab.compounds:
        options.append(wq.Term("words", word))
    return wq.Or(options)


def _toned_pairs(first: str, second: str, vocab: Vocabulary) -> wq.Query:
    """A tone-less pair as the usual toned spellings its syllables have in the index, `pairs_t` terms: the text's
    pairs are indexed toned only."""
    forms = [f"{a}_{b}" for a in vocab.spellings.get(first, ()) for b in vocab.spellings.get(second, ())]
    if not forms:
        return wq.NullQuery
    return wq.Or([wq.Term("pairs_t", form, boost=PAIRS_FOLDED_BOOST) for form in forms])


def _folded_query(parts: list[str], vocab: Vocabulary, toned: list[str] | None = None) -> wq.Query:
    """Tone-less matches. With `toned` (the user typed tones, so only the toned spelling can match), the text's pairs
    are that spelling alone, scored as a folded match: the same score for the same article, at a fraction of the
    lookups."""
    if len(parts) == 1:
        return wq.Or([wq.Term("title_f", parts[0]), wq.Term("body_f", parts[0])])
    if toned is not None:
        in_text = _all("pairs_t", pairs(toned), PAIRS_FOLDED_BOOST)
    else:
        in_text = _every([_toned_pairs(a, b, vocab) for a, b in zip(parts, parts[1:])])
    return wq.Or([_all("title_f", pairs(parts)), in_text])


@dataclass(frozen=True)
class Built:
    """A query twice over: `match` is the lighter query that decides which articles match (for the total, the
    facets and the ranking alike); `score` only scores them (toned matches are a subset of folded ones, so the
    folded side alone decides the match). An article `match` finds is ranked even if `score` gave it nothing."""

    score: wq.Query
    match: wq.Query


def _unit_query(toned: list[str] | None, folded: list[str], vocab: Vocabulary, *, exact: bool) -> Built:
    """One Vietnamese word or phrase. `exact` (the user typed tones): it must match with tones; otherwise any
    folded match counts. Both are scored by the same sum of toned and folded parts, so a tone-less query whose
    tones were restored ranks exactly like the toned query. Several syllables must be adjacent: every adjacent
    pair is a term of the pairs fields (and a known word is also a term of `words`)."""
    if toned is None:
        folded_q = _folded_query(folded, vocab)
        return Built(folded_q, folded_q)
    folded_q = _folded_query(folded, vocab, toned if exact else None)
    toned_q = _toned_query(toned, vocab)
    if not exact:
        return Built(wq.Or([toned_q, folded_q]), folded_q)
    # Only toned matches, scored as above (the toned part plus the folded part, which every toned match also has).
    return Built(wq.AndMaybe(toned_q, folded_q), toned_q)


def _phrase_query(text: str, vocab: Vocabulary, highlight: set[str]) -> Built | None:
    exact = has_tone_marks(text)
    folded = folded_syllables(text)
    if not folded:
        return None
    if exact:
        toned: list[str] | None = syllables(text)
    else:  # the phrase's tones restored word by word, as for plain words; any unknown word: folded only
        units = _units(text, vocab)
        toned = None if any(t is None for t, _ in units) else [s for t, _ in units for s in t or []]
    highlight.update(toned if exact and toned else folded)
    return _unit_query(toned, folded, vocab, exact=exact)


def _combine(kind, parts: list[Built]) -> Built:
    if len(parts) == 1:
        return parts[0]
    return Built(kind([p.score for p in parts]), kind([p.match for p in parts]))


def _node_query(node, vocab: Vocabulary, highlight: set[str]) -> Built | None:
    if isinstance(node, uq.Words):
        exact = has_tone_marks(node.text)
        parts = []
        for toned, folded in _units(node.text, vocab):
            highlight.update(toned if exact and toned else folded)
            parts.append(_unit_query(toned, folded, vocab, exact=exact))
        return _combine(wq.And, parts) if parts else None
    if isinstance(node, uq.Phrase):
        # Each clause of the phrase is one run of adjacent syllables: the index has no pair across punctuation.
        parts = [_phrase_query(clause, vocab, highlight) for clause in CLAUSE_BREAK.split(node.text)]
        parts = [p for p in parts if p is not None]
        return _combine(wq.And, parts) if parts else None
    if isinstance(node, uq.Not):
        return _node_query(node.node, vocab, set())
    if isinstance(node, (uq.And, uq.Or)):
        positive, negative = [], []
        for child in node.nodes:
            built = _node_query(child, vocab, highlight)
            if built is None:
                continue
            (negative if isinstance(child, uq.Not) else positive).append(built)
        if isinstance(node, uq.Or):
            return _combine(wq.Or, positive + negative) if positive or negative else None
        base = _combine(wq.And, positive) if positive else Built(wq.Every(), wq.Every())
        if not negative:
            return base
        excluded = wq.Or([n.match for n in negative])
        return Built(wq.AndNot(base.score, excluded), wq.AndNot(base.match, excluded))
    return None


@dataclass(frozen=True)
class Plan:
    """A parsed query: `built` (what matches and how it scores), the terms to highlight (toned where the user typed
    tones, else folded), and, for a query of plain words only, one Built per word, from which a query with a typo
    or an extra word is answered when no article has every word."""

    built: Built
    highlight: frozenset[str]
    units: tuple[Built, ...] = ()


def build_query(text: str, vocab: Vocabulary) -> Plan:
    """User query → its Plan. An empty query matches every article."""
    # The same normalization as documents: "ma tuý" (old tone placement) must meet "ma túy" in the index.
    node = uq.parse(normalize(text))
    highlight: set[str] = set()
    built = _node_query(node, vocab, highlight) if node is not None else None
    units: tuple[Built, ...] = ()
    if isinstance(node, uq.Words) or (isinstance(node, uq.And) and all(isinstance(n, (uq.Words, uq.Phrase))
                                                                     for n in node.nodes)):
        units = tuple(_word_units(node, vocab))
    return Plan(built or Built(wq.Every(), wq.Every()), frozenset(highlight), units)


def _word_units(node, vocab: Vocabulary) -> list[Built]:
    out: list[Built] = []
    for child in (node.nodes if isinstance(node, uq.And) else (node,)):
        if isinstance(child, uq.Phrase):
            built = _node_query(child, vocab, set())
            out += [built] if built is not None else []
            continue
        exact = has_tone_marks(child.text)
        out += [_unit_query(toned, folded, vocab, exact=exact) for toned, folded in _units(child.text, vocab)]
    return out


def filter_query(request: SearchRequest) -> wq.Query | None:
    from vnnews.labels import CURRENT_PROVINCES

    parts: list[wq.Query] = []
    if request.topic:
        parts.append(wq.Term("topic", request.topic))
    if request.province:
        field = "province" if request.province in CURRENT_PROVINCES else "province_former"
        parts.append(wq.Term(field, request.province))
    if request.source:
        parts.append(wq.Term("source_f", fold(request.source.strip())))
    if request.date_from or request.date_to:
        start = dt.datetime.combine(request.date_from, dt.time.min) if request.date_from else None
        end = dt.datetime.combine(request.date_to, dt.time.max) if request.date_to else None
        parts.append(wq.DateRange("published", start, end))
    if not parts:
        return None
    return wq.And(parts) if len(parts) > 1 else parts[0]
