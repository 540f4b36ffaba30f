"""Queries, filters, facets and snippets over the index: `search(store, request)` returns the API's JSON."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from typing import Iterator, Mapping

import numpy as np
from whoosh import query as wq

from corpus import TOPICS, parse_date
from errors import InvalidInput
from index import query as uq
from index.highlight import snippet
from index.schema import FACET_SEPARATOR, PAIRS_FOLDED_BOOST
from index.store import Store, stored_article
from nlp.analysis import folded_syllables, has_tone_marks, pairs, syllables
from nlp.fold import fold
from nlp.normalize import normalize

SORTS = ("relevance", "date")
MAX_PAGE = 1000
MAX_COMPOUND = 4  # longest Vietnamese word we try to recognise in a query, in syllables
MIN_WORD_DF = 2  # a compound seen in one article only is a name or a segmentation accident, not vocabulary
VOCABULARY_MAX_AGE = 30.0  # seconds a vocabulary may lag behind new commits
FACET_LIMIT = 100


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    topic: str | None = None
    province: str | None = None
    source: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10

    @classmethod
    def from_params(cls, params: Mapping[str, object], *, max_per_page: int = 100) -> "SearchRequest":
        """Validate raw parameters (strings from a URL or CLI); InvalidInput names the bad field and what is allowed."""
        def text(name: str) -> str | None:
            value = params.get(name)
            if value is None:
                return None
            if not isinstance(value, str):
                raise InvalidInput(f"`{name}` must be a string", field=name)
            return value.strip() or None

        def number(name: str, default: int, low: int, high: int) -> int:
            value = params.get(name)
            if value is None or value == "":
                return default
            try:
                result = int(value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise InvalidInput(f"`{name}` must be a whole number from {low} to {high}, not {value!r}", field=name)
            if not low <= result <= high:
                raise InvalidInput(f"`{name}` must be from {low} to {high}, not {result}", field=name)
            return result

        q = text("q") or ""
        if len(q) > uq.MAX_QUERY_CHARS:
            raise InvalidInput(f"`q` is longer than {uq.MAX_QUERY_CHARS} characters", field="q")
        sort = text("sort") or "relevance"
        if sort not in SORTS:
            raise InvalidInput(f"`sort` must be one of {', '.join(SORTS)}, not {sort!r}", field="sort")
        date_from = parse_date(text("from"), "from")
        date_to = parse_date(text("to"), "to")
        if date_from and date_to and date_from > date_to:
            raise InvalidInput(f"`from` ({date_from}) is after `to` ({date_to})", field="from")
        return cls(
            q=q, topic=validate_topic(text("topic")), province=validate_province(text("province")),
            source=text("source"), date_from=date_from, date_to=date_to, sort=sort,
            page=number("page", 1, 1, MAX_PAGE), per_page=number("per_page", 10, 1, max_per_page),
        )


def validate_topic(topic: str | None) -> str | None:
    if topic is None:
        return None
    if topic not in TOPICS:
        raise InvalidInput(f"unknown topic {topic!r}; use one of: {', '.join(TOPICS)}", field="topic")
    return topic


def validate_province(province: str | None) -> str | None:
    """Any spelling of a current or former province → the name as given if former, else the current name."""
    if province is None:
        return None
    from models.provinces import CURRENT_PROVINCES, FORMER_PROVINCES, current_name

    if province in FORMER_PROVINCES and province not in CURRENT_PROVINCES:
        return province
    name = current_name(province)
    if name is None:
        raise InvalidInput(
            f"unknown province {province!r}; use a Vietnamese province name such as "
            f"{', '.join(CURRENT_PROVINCES)} (former names like Quảng Nam also work)", field="province")
    return name


# ---------------------------------------------------------------- vocabulary (tone restoration)
@dataclass
class Vocabulary:
    """Index words used to read queries: toned compounds, the most frequent toned form of each folded compound, and
    the usual toned spellings of each folded syllable (most frequent first: the first restores a tone-less one)."""

    compounds: frozenset[str]
    restore_compound: dict[str, str]
    spellings: dict[str, tuple[str, ...]]
    generation: int
    built_at: float


_vocab: dict[str, Vocabulary] = {}
_vocab_lock = threading.Lock()


def _document_frequencies(searcher, field: str) -> dict[str, int]:
    """Document frequency of every term of a field, summed over segments (reading each segment's lexicon directly
    is ten times faster than whoosh's merged multi-segment iterator; deleted documents still count, harmlessly)."""
    totals: dict[bytes, int] = {}
    for leaf, _ in _leaves(searcher):
        for raw, info in leaf.reader().iter_field(field):
            totals[raw] = totals.get(raw, 0) + info.doc_frequency()
    return {raw.decode("utf-8"): df for raw, df in totals.items()}


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


_rebuilding: set[str] = set()


def vocabulary(store: Store, searcher) -> Vocabulary:
    """The store's vocabulary. The first one is built on the spot; later, when the index has changed and the old one
    is older than VOCABULARY_MAX_AGE, a new one is built in the background while queries keep using the old one."""
    key = str(store.path)
    current = _vocab.get(key)
    if current is None:
        with _vocab_lock:
            current = _vocab.get(key)
            if current is None:
                current = _vocab[key] = _build_vocabulary(searcher, store.generation())
        return current
    if time.time() - current.built_at >= VOCABULARY_MAX_AGE and current.generation != store.generation():
        with _vocab_lock:
            if key in _rebuilding:
                return current
            _rebuilding.add(key)
        threading.Thread(target=_rebuild, args=(store, key), name="vocabulary", daemon=True).start()
    return current


def _rebuild(store: Store, key: str) -> None:
    try:
        with store.searcher() as searcher:
            _vocab[key] = _build_vocabulary(searcher, store.generation())
    except Exception:  # the index was closed meanwhile: the old vocabulary stays, the next query tries again
        pass
    finally:
        with _vocab_lock:
            _rebuilding.discard(key)


def warm(store: Store) -> None:
    """Build the vocabulary and the facet arrays now (at start-up), not on the first user's query."""
    search(store, SearchRequest(per_page=1))


# ---------------------------------------------------------------- query building
def _units(text: str, vocab: Vocabulary) -> list[tuple[list[str] | None, list[str]]]:
    """Cut plain words into Vietnamese words: (toned syllables or None when unknown, folded syllables) per word.

    Toned input is cut by the toned vocabulary; tone-less input is cut by the folded vocabulary and given the most
    frequent toned reading, so "khoi nghiep da nang" is searched as "khởi nghiệp" + "đà nẵng".
    """
    toned = has_tone_marks(text)
    tokens = syllables(text) if toned else folded_syllables(text)
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
    """A query twice over: `score` ranks the page of hits; `match` is the lighter query with the same matching set,
    used to count all matches and their facets (toned matches are a subset of folded ones, so one side suffices)."""

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
        exact = has_tone_marks(node.text)
        folded = folded_syllables(node.text)
        if not folded:
            return None
        if exact:
            toned: list[str] | None = syllables(node.text)
        else:  # the phrase's tones restored word by word, as for plain words; any unknown word: folded only
            units = _units(node.text, vocab)
            toned = None if any(t is None for t, _ in units) else [s for t, _ in units for s in t or []]
        highlight.update(toned if exact and toned else folded)
        return _unit_query(toned, folded, vocab, exact=exact)
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


def build_query(text: str, vocab: Vocabulary) -> tuple[Built, frozenset[str]]:
    """User query → (the query to score and the query to count, terms to highlight: toned where the user typed
    tones, else folded). An empty query matches every article."""
    # The same normalization as documents: "ma tuý" (old tone placement) must meet "ma túy" in the index.
    node = uq.parse(normalize(text))
    highlight: set[str] = set()
    built = _node_query(node, vocab, highlight) if node is not None else None
    return (built or Built(wq.Every(), wq.Every())), frozenset(highlight)


def filter_query(request: SearchRequest) -> wq.Query | None:
    from models.provinces import CURRENT_PROVINCES

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


# ---------------------------------------------------------------- facets
class _SegmentFacets:
    """Facet values of one immutable segment as arrays: topic bits, source code, province codes (CSR)."""

    def __init__(self, reader, codes: "_Codes"):
        n = reader.doc_count_all()
        self.topic_bits = np.zeros(n, dtype=np.uint8)
        self.source = np.full(n, -1, dtype=np.int32)
        indptr = np.zeros(n + 1, dtype=np.int64)
        provinces: list[int] = []
        column = reader.column_reader("facets") if reader.has_column("facets") else None
        for docnum in range(n):
            raw = column[docnum] if column is not None else ""
            if isinstance(raw, bytes):
                raw = raw.decode("utf-8")
            for value in filter(None, (raw or "").split(FACET_SEPARATOR)):
                kind, _, name = value.partition(":")
                if kind == "t" and name in TOPICS:
                    self.topic_bits[docnum] |= 1 << TOPICS.index(name)
                elif kind == "p":
                    provinces.append(codes.code("p", name))
                elif kind == "s":
                    self.source[docnum] = codes.code("s", name)
            indptr[docnum + 1] = len(provinces)
        self.province_indptr = indptr
        self.province_codes = np.array(provinces, dtype=np.int32)


class _Codes:
    def __init__(self):
        self.lock = threading.Lock()
        self.by_value: dict[tuple[str, str], int] = {}
        self.values: dict[str, list[str]] = {"p": [], "s": []}

    def code(self, kind: str, name: str) -> int:
        with self.lock:
            key = (kind, name)
            if key not in self.by_value:
                self.by_value[key] = len(self.values[kind])
                self.values[kind].append(name)
            return self.by_value[key]


_codes = _Codes()
_segments: dict[str, _SegmentFacets] = {}
_segments_lock = threading.Lock()
_new_segment_seen = threading.Event()


def _segment_facets(reader) -> _SegmentFacets:
    segment = reader.segment()
    key = f"{segment.segment_id()}:{reader.doc_count_all()}" if segment is not None else str(id(reader))
    cached = _segments.get(key)
    if cached is None:
        cached = _SegmentFacets(reader, _codes)
        with _segments_lock:
            _segments[key] = cached
        _new_segment_seen.set()
    return cached


def _leaves(searcher) -> list[tuple[object, int]]:
    return [(s, offset) for s, offset in searcher.subsearchers] if searcher.subsearchers else [(searcher, 0)]


def matching_docnums(searcher, q: wq.Query) -> list[tuple[object, int, np.ndarray]]:
    """All matching document numbers per segment: (leaf searcher, offset, local docnums)."""
    out = []
    for leaf, offset in _leaves(searcher):
        ids = np.fromiter(q.docs(leaf), dtype=np.int64)
        out.append((leaf, offset, ids))
    return out


def _prune_segments(live: set[str]) -> None:
    """Forget the facet arrays of segments that merges have removed."""
    with _segments_lock:
        for key in [k for k in _segments if k.split(":")[0] not in live]:
            del _segments[key]


def count_facets(matches: list[tuple[object, int, np.ndarray]]) -> dict[str, dict[str, int]]:
    topic = np.zeros(len(TOPICS), dtype=np.int64)
    province = np.zeros(len(_codes.values["p"]) + 64, dtype=np.int64)
    source = np.zeros(len(_codes.values["s"]) + 64, dtype=np.int64)
    for leaf, _, ids in matches:
        if not len(ids):
            continue
        facets = _segment_facets(leaf.reader())
        bits = facets.topic_bits[ids]
        for j in range(len(TOPICS)):
            topic[j] += int(np.count_nonzero(bits & (1 << j)))
        src = facets.source[ids]
        src = src[src >= 0]
        if len(src):
            counts = np.bincount(src)
            if len(counts) > len(source):
                source = np.pad(source, (0, len(counts) - len(source)))
            source[: len(counts)] += counts
        starts, ends = facets.province_indptr[ids], facets.province_indptr[ids + 1]
        lengths = ends - starts
        if lengths.sum():
            offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
            counts = np.bincount(facets.province_codes[offsets])
            if len(counts) > len(province):
                province = np.pad(province, (0, len(counts) - len(province)))
            province[: len(counts)] += counts

    def named(counts: np.ndarray, names: list[str]) -> dict[str, int]:
        pairs = [(names[i], int(c)) for i, c in enumerate(counts[: len(names)]) if c]
        pairs.sort(key=lambda p: (-p[1], p[0]))
        return dict(pairs[:FACET_LIMIT])

    return {
        "topic": {name: int(c) for name, c in sorted(zip(TOPICS, topic), key=lambda p: -p[1]) if c},
        "province": named(province, _codes.values["p"]),
        "source": named(source, _codes.values["s"]),
    }


# ---------------------------------------------------------------- search
def search(store: Store, request: SearchRequest) -> dict:
    """Run a search: the page of hits with snippets, the exact total, and facet counts over all matches."""
    started = time.perf_counter()
    with store.searcher() as searcher:
        vocab = vocabulary(store, searcher)
        built, terms = build_query(request.q, vocab)
        q = built.score
        fq = filter_query(request)
        matches = matching_docnums(searcher, wq.And([built.match, fq]) if fq is not None else built.match)
        total = int(sum(len(ids) for _, _, ids in matches))
        facets = count_facets(matches)
        if _new_segment_seen.is_set():
            _new_segment_seen.clear()
            _prune_segments({leaf.reader().segment().segment_id() for leaf, _, _ in matches
                             if leaf.reader().segment() is not None})
        sort_by_date = request.sort == "date" or isinstance(q, wq.Every)
        everything = wq.And([q, fq]) if fq is not None else q
        limit = request.page * request.per_page
        hits = []
        if total and (request.page - 1) * request.per_page < total:
            if sort_by_date:
                results = searcher.search(everything, limit=limit, sortedby="published", reverse=True)
            else:
                results = searcher.search(q, limit=limit, filter=fq)
            # Slice, not list(): list() asks len(results), which makes whoosh count every match a second time.
            for hit in results[(request.page - 1) * request.per_page: limit]:
                article = stored_article(hit.fields())
                hits.append({
                    "id": article["id"], "title": article["title"], "url": article["url"],
                    "source": article["source"], "published": article["published"], "topics": article["topics"],
                    "provinces": article["provinces"],
                    "score": None if sort_by_date or hit.score is None else round(float(hit.score), 4),
                    "snippet": snippet(article["title"], article["lead"], article["body"], terms),
                })
    return {
        "query": request.q, "total": total, "page": request.page, "per_page": request.per_page, "hits": hits,
        "facets": facets, "took_ms": round((time.perf_counter() - started) * 1000, 1),
    }


def iter_articles(store: Store, request: SearchRequest) -> Iterator[dict]:
    """Every stored article matching the request's query and filters (no paging, index order)."""
    with store.searcher() as searcher:
        q = build_query(request.q, vocabulary(store, searcher))[0].match if request.q else wq.Every()
        fq = filter_query(request)
        everything = wq.And([q, fq]) if fq is not None else q
        for docnum in searcher.docs_for_query(everything):
            yield stored_article(searcher.stored_fields(docnum))


def date_bounds(store: Store) -> tuple[dt.date | None, dt.date | None]:
    """Earliest and latest `published` date in the index (None, None when it has none)."""
    with store.searcher() as searcher:
        dated = wq.Every("published")
        first = searcher.search(dated, limit=1, sortedby="published")
        last = searcher.search(dated, limit=1, sortedby="published", reverse=True)
        if not len(first):
            return None, None
        return first[0]["published"].date(), last[0]["published"].date()
