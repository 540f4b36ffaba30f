"""Topic digests: what the press said about a topic and/or province over a period, as JSON, Markdown and HTML.

`build_digest` queries the index; `digest_from_articles` does the work on any list of stored-article dicts (pure);
`render_markdown` and `render_html` turn the digest dict into an e-mail text and a printable page.

How a digest is made (every rule is a named constant below):

- Stories. Copies of one story from several outlets are grouped by TF-IDF cosine similarity of the articles, over two
  kinds of features: content words (syllables and syllable pairs without stopwords) and anchors (names written with
  capitals, numbers). Paraphrases share few words but the same names and figures ("Kho Mây", "12 triệu USD", "38 kho"),
  while two hospitals adopting the same AI software share many words and no anchors. Two articles may be one story
  when their similarity reaches `SAME_STORY_SIMILARITY`, they were published at most `SAME_STORY_DAYS` apart, and
  they are not about different provinces (both tagged, no province in common). Groups merge by average linkage.
- Ranking: score = number of outlets + 0.5 × recency (0 on the first day of the period, 1 on the last) + 0.5 × topic
  score; one more outlet always outweighs recency and topic score together.
- Summary: two sentences of the story's most central article, as written and in their order: the two that best match
  the group's words (title and text of every copy), with a bonus for coming early; datelines are cut, captions,
  questions, lines ending in ":" and sentences under 8 or over 60 words are skipped.
- Key terms: multi-word terms of the articles' `key_terms` (or, when missing, of title, lead and first paragraphs),
  counted once per article; no stopwords, numbers, generic news words, the digest's own topic or place names.
"""

from vnnews.digest.build import DEFAULT_DAYS, MAX_DAYS, MAX_LIMIT, build_digest, digest_from_articles
from vnnews.digest.html import chart, render_html
from vnnews.digest.render import day_label, heading, overview, period_label, render_markdown
from vnnews.digest.stories import SAME_STORY_DAYS, SAME_STORY_SIMILARITY, group_stories, similarity_matrix
from vnnews.digest.summary import MAX_SENTENCE_WORDS, MIN_SENTENCE_WORDS, summarize, summary_candidates
from vnnews.digest.terms import article_terms, period_terms
from vnnews.labels import TOPIC_LABELS, place_label

__all__ = ["DEFAULT_DAYS", "MAX_DAYS", "MAX_LIMIT", "build_digest", "digest_from_articles", "chart", "render_html",
           "day_label", "heading", "overview", "period_label", "render_markdown", "SAME_STORY_DAYS",
           "SAME_STORY_SIMILARITY", "group_stories", "similarity_matrix", "MAX_SENTENCE_WORDS", "MIN_SENTENCE_WORDS",
           "summarize", "summary_candidates", "article_terms", "period_terms", "TOPIC_LABELS", "place_label"]
