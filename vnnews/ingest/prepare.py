"""Prepare: one raw record → validate → normalize → segment → tag → an IndexDoc the index can store."""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from index.document import IndexDoc
from index.schema import counted
from models.tagger import tag_many
from models.topics import TopicModel, feature_words
from nlp.analysis import clause_pairs, compounds, key_terms, syllables
from nlp.fold import fold
from nlp.normalize import normalize
from nlp.segment import segment
from vnnews.errors import InvalidInput, NewsError, Problem
from vnnews.records import Article, article_from_dict

def content_hash(article: Article) -> str:
    """What makes two versions of an article the same: its text and metadata, not when we saw it."""
    payload = json.dumps(article.to_dict(), ensure_ascii=True, sort_keys=True)  # ASCII: extra fields may be odd
    return hashlib.sha256(payload.encode("ascii")).hexdigest()[:24]


def index_terms(article: Article, title_words: list[str], all_words: list[str]) -> dict[str, str]:
    """The terms of every searchable field, computed here (in the ingest workers) so the single writer only stores:
    syllables of the whole text (toned and folded) and its adjacent pairs (toned: a tone-less query asks for the
    toned spellings its syllables allow), the title's syllables and pairs (toned and folded), and the segmenter's
    multi-syllable words."""
    full = "\n".join(part for part in (article.title, article.lead, article.body) if part)
    body_t = syllables(full)
    pairs_t = clause_pairs(full)
    title_t = syllables(article.title) + clause_pairs(article.title) + compounds(title_words)
    return {"title_t": counted(title_t), "title_f": counted(map(fold, title_t)), "body_t": counted(body_t),
            "body_f": counted(map(fold, body_t)), "pairs_t": counted(pairs_t), "words": counted(compounds(all_words))}


def normalize_article(article: Article) -> Article:
    """The article with its text fields normalized; InvalidInput when title or body is left empty."""
    article.title = normalize(article.title)
    article.lead = normalize(article.lead)
    article.body = normalize(article.body)
    article.source = normalize(article.source)
    if not article.title:
        raise InvalidInput("`title` is empty once markup is removed", field="title")
    if not article.body:
        raise InvalidInput("`body` is empty once markup is removed", field="body")
    return article


def prepare_many(records: list[Any], model: TopicModel) -> list[IndexDoc | Problem]:
    """Validate, normalize, segment and tag a batch of raw records; a bad record yields its Problem (placed nowhere:
    the caller knows where it came from), not an exception."""
    prepared: list[tuple[int, Article, list[str], list[str], float]] = []
    out: list[IndexDoc | Problem | None] = [None] * len(records)
    for i, record in enumerate(records):
        try:
            article = normalize_article(article_from_dict(record))
        except NewsError as exc:
            out[i] = exc.problem()
            continue
        started = time.perf_counter()
        title_w = segment(article.title, normalized=True)
        lead_w = segment(article.lead, normalized=True)
        body_w = segment(article.body, normalized=True)
        seconds = time.perf_counter() - started
        prepared.append((i, article, [title_w, lead_w, body_w], feature_words(title_w, lead_w, body_w), seconds))
    started = time.perf_counter()
    tags = tag_many([p[1] for p in prepared], model, [p[3] for p in prepared])
    tag_seconds = (time.perf_counter() - started) / max(1, len(prepared))
    for (i, article, parts, _, seg_seconds), tag in zip(prepared, tags):
        all_words = [w for part in parts for w in part]
        out[i] = IndexDoc(
            article=article, tags=tag, terms=index_terms(article, parts[0], all_words), key_terms=key_terms(all_words),
            content_hash=content_hash(article), timings={"segment": seg_seconds, "classify": tag_seconds},
        )
    return out  # type: ignore[return-value]


def prepare(record: Any, model: TopicModel) -> IndexDoc:
    """One record → IndexDoc, raising InvalidInput (naming the field) when the record is unusable."""
    result = prepare_many([record], model)[0]
    if isinstance(result, Problem):
        raise InvalidInput(result.message, field=result.field)
    return result
