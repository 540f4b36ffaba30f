"""The index's own words, used to read queries: known compounds, and the usual toned spellings of tone-less words."""

from __future__ import annotations

import struct
import threading
import time
from dataclasses import dataclass

from vnnews.errors import IndexUnavailable as IndexError_
from index.state import IndexState, state_of
from nlp.fold import fold

MIN_WORD_DF = 2  # a compound seen in one article only is a name or a segmentation accident, not vocabulary
VOCABULARY_MAX_AGE = 30.0  # seconds a vocabulary may lag behind new commits


@dataclass
class Vocabulary:
    """Index words used to read queries: toned compounds, the most frequent toned form of each folded compound, and
    the usual toned spellings of each folded syllable (most frequent first: the first restores a tone-less one)."""

    compounds: frozenset[str]
    restore_compound: dict[str, str]
    spellings: dict[str, tuple[str, ...]]
    generation: int
    built_at: float


def _document_frequencies(searcher, field: str) -> dict[str, int]:
    """Document frequency of every term of a field, summed over segments (deleted documents still count,
    harmlessly). Each segment's term table is read raw: a key is the field's number then the term, and the document
    frequency sits at a fixed place in the value (whoosh's W3 term info, `!BfIBBfII`); decoding every term info
    with whoosh, inlined postings and all, was most of the start-up at 100,000 articles."""
    totals: dict[bytes, int] = {}
    for leaf, _ in leaves(searcher):
        reader = leaf.reader()
        terms = getattr(reader, "_terms", None)
        table = getattr(terms, "_tindex", None)
        if table is None or not hasattr(terms, "_keycoder"):  # another kind of segment: whoosh's own iterator
            for raw, info in reader.iter_field(field):
                totals[raw] = totals.get(raw, 0) + info.doc_frequency()
            continue
        prefix = terms._keycoder(field, b"")
        start = len(prefix)
        for key, value in table.items_from(prefix):
            if not key.startswith(prefix):  # the next field's terms
                break
            raw = key[start:]
            totals[raw] = totals.get(raw, 0) + _DOC_FREQUENCY.unpack_from(value, _DOC_FREQUENCY_AT)[0]
    return {raw.decode("utf-8"): df for raw, df in totals.items()}


_DOC_FREQUENCY = struct.Struct("!I")
_DOC_FREQUENCY_AT = 5  # after the flags byte and the total weight (a float)


def _build_vocabulary(searcher, generation: int) -> Vocabulary:
    compounds: set[str] = set()
    best_compound: dict[str, tuple[int, str]] = {}
    for term, df in _document_frequencies(searcher, "words").items():
        if df < MIN_WORD_DF:
            continue
        compounds.add(term)
        key = fold(term)
        if df > best_compound.get(key, (0, ""))[0]:
            best_compound[key] = (df, term)
    forms: dict[str, list[tuple[int, str]]] = {}
    for term, df in _document_frequencies(searcher, "body_t").items():
        forms.setdefault(fold(term), []).append((df, term))
    return Vocabulary(
        compounds=frozenset(compounds), restore_compound={k: v[1] for k, v in best_compound.items()},
        spellings={key: _usual(found) for key, found in forms.items()}, generation=generation, built_at=time.time(),
    )


SPELLINGS_PER_SYLLABLE = 4  # toned forms of a tone-less syllable tried in a pair, most frequent first ...
RARE_SPELLING = 0.01  # ... leaving out forms a hundred times rarer than the most frequent (typos, names)


def _usual(forms: list[tuple[int, str]]) -> tuple[str, ...]:
    """(document frequency, toned form) of one folded syllable → its usual spellings, most frequent first. Each
    spelling of a tone-less pair costs a term lookup in every segment, so rare ones are left out."""
    ranked = sorted(forms, reverse=True)
    top = ranked[0][0]
    return tuple(term for df, term in ranked[:SPELLINGS_PER_SYLLABLE] if df >= RARE_SPELLING * top)


def vocabulary(store, searcher) -> Vocabulary:
    """The store's vocabulary. The first one is built on the spot; later, when the index has changed and the old one
    is older than VOCABULARY_MAX_AGE, a new one is built in the background while queries keep using the old one."""
    state = state_of(store)
    current = state.vocabulary
    if current is None:
        with state.vocabulary_lock:
            if state.vocabulary is None:
                state.vocabulary = _build_vocabulary(searcher, store.generation())
            return state.vocabulary
    if time.time() - current.built_at >= VOCABULARY_MAX_AGE and current.generation != store.generation():
        with state.vocabulary_lock:
            if state.rebuilding:
                return current
            state.rebuilding = True
        threading.Thread(target=_rebuild, args=(store, state), name="vocabulary", daemon=True).start()
    return current


def _rebuild(store, state: IndexState) -> None:
    try:
        with store.searcher() as searcher:
            state.vocabulary = _build_vocabulary(searcher, store.generation())
    except IndexError_:  # the index was closed meanwhile: nothing to rebuild for
        pass
    finally:
        with state.vocabulary_lock:
            state.rebuilding = False


def leaves(searcher) -> list[tuple[object, int]]:
    """(segment searcher, document number offset) of every segment."""
    return [(s, offset) for s, offset in searcher.subsearchers] if searcher.subsearchers else [(searcher, 0)]
