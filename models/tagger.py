"""Tag articles: topics from the classifier, provinces from the gazetteer tagger, as one `Tags` record."""

from __future__ import annotations

from typing import Sequence

from models.provinces import tag_many_provinces
from models.topics import TopicModel, feature_text
from vnnews.records import Article, Tags

__all__ = ["Tags", "tag", "tag_many"]  # Tags is the record of vnnews.records, re-exported


def tag_many(articles: Sequence[Article], model: TopicModel,
             words: Sequence[Sequence[str]] | None = None) -> list[Tags]:
    """Tag a batch (one classifier call for all); `words` are pre-segmented title+lead+body words if available."""
    if not articles:
        return []
    texts = [
        feature_text(a.title, a.lead, a.body, None if words is None else words[i]) for i, a in enumerate(articles)
    ]
    out = []
    provinces = tag_many_provinces([(a.title, a.body, a.lead) for a in articles], getattr(model, "salience", None))
    for article, text, scores, matches in zip(articles, texts, model.scores(texts), provinces):
        out.append(Tags(
            topics=model.decide(scores, text), topic_scores=scores, provinces=[m.name for m in matches],
            province_details=[{"name": m.name, "as_written": list(m.as_written), "score": round(m.score, 3)}
                              for m in matches],
            former_provinces=sorted({f for m in matches for f in m.former}),
        ))
    return out


def tag(article: Article, model: TopicModel) -> Tags:
    """Tag one article: ``tag(article, model).topics`` → ``['startup']``."""
    return tag_many([article], model)[0]
