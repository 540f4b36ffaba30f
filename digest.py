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

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from corpus import TOPICS, parse_date
from errors import InvalidInput
from nlp import segment
from nlp.analysis import display_form, stopwords, syllables
from nlp.fold import fold
from nlp.normalize import normalize

DEFAULT_DAYS = 7                # the default period: the last 7 days of the data
MAX_DAYS = 366                  # longest period a digest covers (one bar per day in the chart)
MAX_LIMIT = 50                  # most top stories a digest lists
SAME_STORY_DAYS = 3             # copies of one story appear within this many days of each other
SAME_STORY_SIMILARITY = 0.37    # story similarity from which two articles are one story (measured: see tests)
ANCHOR_WEIGHT = 0.6             # share of the anchors (names, numbers) in that similarity; the rest is words
OUTLET_WEIGHT, RECENCY_WEIGHT, TOPIC_WEIGHT = 1.0, 0.5, 0.5
SUMMARY_SENTENCES = 2
MIN_SENTENCE_WORDS, MAX_SENTENCE_WORDS = 8, 60
KEY_TERMS = 15
KEY_TERM_PARAGRAPHS = 2         # paragraphs of the body read when an article has no stored key_terms
KEY_TERM_MAX_CHARS = 1500

TOPIC_LABELS = {"ai": "Trí tuệ nhân tạo", "startup": "Khởi nghiệp", "digital_transformation": "Chuyển đổi số"}
# A topic's own name is no news in a digest of that topic (segmentation may split it: "trí tuệ" + "nhân tạo").
_TOPIC_TERMS = {
    "ai": {"trí tuệ nhân tạo", "trí tuệ", "nhân tạo", "ai", "công nghệ ai"},
    "startup": {"khởi nghiệp", "startup", "công ty khởi nghiệp", "doanh nghiệp khởi nghiệp", "startup việt"},
    "digital_transformation": {"chuyển đổi số", "chuyển đổi", "chuyển đổi số quốc gia"},
}
# Words nearly every news article uses: counted, they would top every digest and say nothing about the period.
_GENERIC_TERMS = frozenset("""
công ty|doanh nghiệp|hoạt động|công bố|thông báo|tham gia|phát triển|hỗ trợ|thành lập|triển khai|hệ thống|sử dụng
|cho phép|thời gian|kết quả|dự kiến|bắt đầu|trước đây|ban đầu|hoàn tất|hiện tại|mục tiêu|kế hoạch|chương trình
|dự án|tổ chức|thực tế|vấn đề|trở thành|đánh giá|xây dựng|nâng cao|khách hàng|người dân|thành phố|việt nam
|giám đốc|lãnh đạo|đơn vị|cơ quan|địa bàn|địa phương|tỉnh|khu vực|sự kiện|thông tin|dịch vụ|sản phẩm|giải pháp
|công nghệ|tăng|giảm|mới đây|gần đây|cuối năm|đầu năm|năm nay|năm ngoái|tuần qua|hôm nay|sáng nay|chiều nay
|tỷ đồng|triệu đồng|triệu usd|phần trăm|trong nước|nước ngoài|lần đầu|đầu tiên|cùng ngày|hiện có|có mặt
|ra đời|dẫn dắt|hướng dẫn|phân tích|giải quyết|trung bình|mức độ|phát hiện|tiếp nhận|cung cấp|áp dụng|ứng dụng
|thực hiện|đưa ra|cho thấy|ghi nhận|khả năng|quy mô|hiệu quả|chất lượng|nhu cầu|thị trường|tham dự|trường hợp
|yêu cầu|chủ yếu|năng lực|trí tuệ|nhân tạo|chuyển đổi|khởi động|ra mắt|vận hành|trung tâm|hình ảnh|kết nối|tiếp cận|quan trọng|cần thiết
""".replace("\n", "").split("|")) - {""}
# "hai nhà đầu tư", "nhiều doanh nghiệp": a count in front of a term is not part of it.
_QUANTITY_WORDS = frozenset("một hai ba bốn năm sáu bảy tám chín mười mươi trăm nghìn ngàn vài nhiều các những mọi mấy"
                            " hàng từng triệu tỷ".split())
# A run of words that starts with one of these is a clause ("dùng trí tuệ nhân tạo"), not a term.
_CLAUSE_START = frozenset("bằng dùng giúp đưa tạo nhận gọi mở đặt bán mua lập chạy học làm cần muốn đạt tăng giảm"
                          " xin trả bỏ giữ lấy".split())
_WEEKDAYS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")
_SAFE_URL = re.compile(r"^https?://", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------------- features
_TOKEN = re.compile(r"\d+(?:[.,/]\d+)*|[^\W\d_]\w*", re.UNICODE)
_NUMBER = re.compile(r"^\d")
_WORD = re.compile(r"[^\W\d_]+(?: [^\W\d_]+)*")
_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_PUNCTUATION = re.compile(r"[^\w\s.,/]+|(?<!\d)[.,/]|[.,/](?!\d)")


def _is_capitalised(token: str) -> bool:
    return token[:1].isupper()


def story_features(text: str) -> list[str]:
    """Grouping features of one text: words (syllables, syllable pairs) and anchors ('@kho_mây', '#12')."""
    stop = stopwords()
    features: list[str] = []
    for sentence in segment.sentences(text):
        # Punctuation ends a pair and a name: "Mekong Horizon Ventures (Singapore)" is two names.
        started = False
        for chunk in _PUNCTUATION.split(sentence):
            tokens = _TOKEN.findall(chunk)
            lower = [t.lower() for t in tokens]
            for i, word in enumerate(lower):
                if _NUMBER.match(word):
                    # "6.200" and "6200" are one figure to a reader; "3,5" keeps its comma as a decimal mark.
                    features.append("#" + (word.replace(".", "") if _THOUSANDS.fullmatch(word) else word))
                    continue
                if word not in stop and len(word) > 1:
                    features.append(word)
                if i + 1 < len(lower) and not _NUMBER.match(lower[i + 1]):
                    pair = f"{word} {lower[i + 1]}"
                    if not (word in stop and lower[i + 1] in stop) and pair not in stop:
                        features.append(pair)
            features += _names(tokens, sentence_start=not started, stop=stop)
            started = started or bool(tokens)
    return features


def _names(tokens: list[str], *, sentence_start: bool, stop: frozenset[str]) -> list[str]:
    """Anchors from runs of capitalised tokens, as pairs ('Quỹ Mekong Horizon' → '@quỹ_mekong', '@mekong_horizon').

    Pairs rather than whole runs, so that "quỹ Mekong Horizon Ventures" and "Mekong Horizon Ventures" still meet.
    A sentence's first word is capitalised anyway: alone it is a name only with a capital inside ("SwapGo"), and a
    function word ("Theo", "Ông", "Tại") never starts a name.
    """
    out: list[str] = []
    run: list[str] = []
    for i, token in enumerate(tokens + [""]):
        first = sentence_start and i == 0
        if token and _is_capitalised(token) and not _NUMBER.match(token) and not (first and token.lower() in stop):
            run.append(token.lower() if not first or len(tokens) < 2 or _is_capitalised(tokens[1]) else "")
            if run[-1] == "" and any(c.isupper() for c in token[1:]):
                run[-1] = token.lower()
            continue
        run = [t for t in run if t]
        if len(run) == 1:
            out.append("@" + run[0])
        out += [f"@{x}_{y}" for x, y in zip(run, run[1:])]
        run = []
    return out


def _article_text(article: dict) -> str:
    return "\n".join(str(article.get(k) or "") for k in ("title", "lead", "body") if article.get(k))


def _word_features(features: list[str]) -> list[str]:
    return [f for f in features if f[0] not in "@#"]


def _anchor_features(features: list[str]) -> list[str]:
    return [f for f in features if f[0] in "@#"]


def _identity(features: list[str]) -> list[str]:
    return features


def _vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=_identity, sublinear_tf=True, norm="l2")


# ---------------------------------------------------------------------------------------------------- grouping
def _published(article: dict) -> dt.date | None:
    value = article.get("published")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return parse_date(value)
    except InvalidInput:
        return None


def similarity_matrix(articles: list[dict]) -> np.ndarray:
    """Pairwise story similarity: ANCHOR_WEIGHT × anchor cosine + the rest × word cosine, 0 on the diagonal."""
    n = len(articles)
    if n < 2:
        return np.zeros((n, n))
    features = [story_features(_article_text(a)) for a in articles]
    total = np.zeros((n, n))
    for weight, pick in ((1 - ANCHOR_WEIGHT, _word_features), (ANCHOR_WEIGHT, _anchor_features)):
        docs = [pick(f) for f in features]
        if not any(docs):
            continue
        matrix = _vectorizer().fit_transform(docs)
        total += weight * (matrix @ matrix.T).toarray()
    np.fill_diagonal(total, 0.0)
    return total


def _may_be_same_story(a: dict, b: dict, day_a: dt.date, day_b: dt.date) -> bool:
    if abs((day_a - day_b).days) > SAME_STORY_DAYS:
        return False
    places_a, places_b = set(a.get("provinces") or ()), set(b.get("provinces") or ())
    # One event happens in one place: two articles tagged with different provinces are two events.
    return not (places_a and places_b and not places_a & places_b)


def group_stories(articles: list[dict], days: list[dt.date], sims: np.ndarray | None = None) -> list[list[int]]:
    """Indices of the articles grouped into stories (average linkage over allowed pairs), each group in date order."""
    n = len(articles)
    sims = similarity_matrix(articles) if sims is None else sims.copy()
    for i in range(n):
        for j in range(i + 1, n):
            if not _may_be_same_story(articles[i], articles[j], days[i], days[j]):
                sims[i, j] = sims[j, i] = 0.0
    cluster = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    pairs = sorted(((sims[i, j], i, j) for i in range(n) for j in range(i + 1, n) if sims[i, j] >= SAME_STORY_SIMILARITY),
                   reverse=True)
    for _, i, j in pairs:
        a, b = cluster[i], cluster[j]
        if a == b:
            continue
        merged = members[a] + members[b]
        span = max(days[k] for k in merged) - min(days[k] for k in merged)
        if span.days > SAME_STORY_DAYS:
            continue
        if sims[np.ix_(members[a], members[b])].mean() < SAME_STORY_SIMILARITY:
            continue
        members[a] = merged
        for k in members.pop(b):
            cluster[k] = a
    return [sorted(group, key=lambda k: (days[k], k)) for group in members.values()]


# ---------------------------------------------------------------------------------------------------- summaries
_DATELINE = re.compile(r"^\s*(?P<head>[^\s–—-][^–—]{0,40}?)\s+[–—-]{1,2}\s+(?=\S)")
_CAPTION = re.compile(r"^\s*[(\[]?\s*(?:ảnh|hình|video|clip|đồ họa|infographic)(?:\s+minh\s+họa)?\s*[:)\]]"
                      r"|[(\[]\s*(?:ảnh|hình|nguồn ảnh|video)\s*:[^)\]]*[)\]]\s*\.?\s*$"
                      r"|(?:^|\s)(?:ảnh|hình)\s*:\s*[^\s].{0,40}$", re.IGNORECASE)
_CONNECTIVE = re.compile(r"^(?:tuy nhiên|ngoài ra|trong khi đó|bên cạnh đó|theo đó|do đó|vì vậy|vì thế|đây là|điều này"
                         r"|cũng theo|cùng ngày|trước đó|sau đó|nó |họ |còn |thêm vào đó|mặt khác|dù vậy|song|nhưng)", re.IGNORECASE)
_QUOTE_START = re.compile(r"^[\"“”'‘’«]")


def _strip_dateline(sentence: str) -> str:
    """Cut a dateline: 'NHA TRANG – Từ đầu tháng...' → 'Từ đầu tháng...'; '(Tin Nhanh Việt) - ...' likewise."""
    match = _DATELINE.match(sentence)
    if not match:
        return sentence
    head = match.group("head").strip()
    letters = [c for c in head if c.isalpha()]
    is_caps = letters and all(c.isupper() for c in letters)
    is_source = head.startswith("(") and head.endswith(")")
    is_place_date = bool(re.search(r",\s*(?:ngày\s*)?\d{1,2}/\d{1,2}", head)) and len(head.split()) <= 8
    return sentence[match.end():] if (is_caps or is_source or is_place_date) else sentence


def summary_candidates(article: dict) -> list[str]:
    """Sentences of lead and body fit for a summary, in order (datelines cut, captions and odd lengths skipped)."""
    out: list[str] = []
    for part in (article.get("lead") or "", article.get("body") or ""):
        for paragraph in normalize(part).split("\n"):
            if not paragraph.strip() or _CAPTION.search(paragraph):
                continue
            sentences = segment.sentences(paragraph)
            # A one-line paragraph without final punctuation is a caption, a byline or a sub-heading.
            if len(sentences) == 1 and not re.search(r"[.!…][\"”’»)]*$", paragraph.strip()):
                continue
            for sentence in sentences:
                sentence = _strip_dateline(sentence)
                words = len(sentence.split())
                if not MIN_SENTENCE_WORDS <= words <= MAX_SENTENCE_WORDS:
                    continue
                if sentence.rstrip().endswith((":", "?")) or _CAPTION.search(sentence):
                    continue
                out.append(sentence)
    return out


def summarize(article: dict, reference: Iterable[str] = (), n: int = SUMMARY_SENTENCES) -> str:
    """`n` sentences of the article, in their order: the ones closest to the reference texts, early ones preferred."""
    candidates = summary_candidates(article)
    if len(candidates) <= n:
        return " ".join(candidates)
    docs = [_word_features(story_features(s)) for s in candidates]
    ref = _word_features([f for text in [_article_text(article), *reference] for f in story_features(text)])
    vectorizer = _vectorizer().fit(docs + [ref])
    matrix = vectorizer.transform(docs)
    closeness = (matrix @ vectorizer.transform([ref]).T).toarray().ravel()
    scores = []
    for position, (sentence, close) in enumerate(zip(candidates, closeness)):
        score = close + 0.25 / (1 + position)
        if _QUOTE_START.match(sentence) or _CONNECTIVE.match(sentence):
            score *= 0.6   # a quote or "Tuy nhiên, ..." leans on the sentence before it
        scores.append(score)
    chosen = sorted(sorted(range(len(candidates)), key=lambda k: (-scores[k], k))[:n])
    return " ".join(candidates[k] for k in chosen)


# ---------------------------------------------------------------------------------------------------- key terms
def _term(text: str) -> str:
    return " ".join(syllables(text))


def article_terms(article: dict) -> dict[str, str]:
    """Key terms of one article (key → how it is written): stored `key_terms`, else from title, lead, first paragraphs."""
    stored = article.get("key_terms")
    if isinstance(stored, list) and stored:
        return {_term(t): t for t in stored if isinstance(t, str) and len(syllables(t)) > 1}
    paragraphs = (article.get("body") or "").split("\n")[:KEY_TERM_PARAGRAPHS]
    text = "\n".join([article.get("title") or "", article.get("lead") or "", *paragraphs])[:KEY_TERM_MAX_CHARS]
    stop = stopwords()
    terms: dict[str, str] = {}
    for sentence in segment.sentences(normalize(text)):
        words = segment.segment_sentence(sentence)
        # Multi-syllable words ("khởi nghiệp") and runs of two or three words ("quỹ" + "đầu tư", "trí tuệ" +
        # "nhân tạo") without stopwords or figures, all lower-case or all capitalised: a name does not run into a
        # verb. A sentence's first word is capitalised anyway, so its case says nothing.
        for start in range(len(words)):
            for size in (1, 2, 3):
                run = words[start : start + size]
                if len(run) < size:
                    break
                if any(w.lower() in stop or not _WORD.fullmatch(w) for w in run):
                    break
                if len({_is_capitalised(w) for w in (run[1:] if start == 0 else run)}) > 1:
                    break
                parts = [p for w in run for p in syllables(w)]
                if 2 <= len(parts) <= 5:
                    terms.setdefault(" ".join(parts), " ".join(run))
    return terms


def _place_keys(province: str | None, places: Iterable[str]) -> set[str]:
    keys = {fold(p) for p in places}
    if province:
        keys.add(fold(province))
    return keys


def _is_place(term: str, province: str | None, place_keys: set[str]) -> bool:
    if fold(term) in place_keys:
        return True
    if province:
        try:
            from models.provinces import current_name
        except ImportError:   # the gazetteer is optional here: folded names above catch the plain spellings
            return False
        return current_name(term) == province
    return False


def key_terms(articles: list[dict], *, topic: str | None, province: str | None, places: Iterable[str] = (),
              stories: list[int] | None = None, limit: int = KEY_TERMS) -> list[dict]:
    """The key terms of the period: [{'term', 'count' (articles)}], the themes of several stories first.

    `stories[k]` is the story of article k: three outlets retelling one story make its names frequent, not
    key terms of the period: a term must appear in two articles and two stories (when there are four or more),
    ranked by the number of stories, then of articles. Of two nested terms the longer is kept unless the shorter is clearly
    more frequent on its own ("trí tuệ nhân tạo" over "trí tuệ").
    """
    stories = list(range(len(articles))) if stories is None else stories
    counts: Counter[str] = Counter()
    in_stories: dict[str, set[int]] = defaultdict(set)
    written: dict[str, Counter[str]] = defaultdict(Counter)
    for article, story in zip(articles, stories):
        for key, surface in article_terms(article).items():
            counts[key] += 1
            in_stories[key].add(story)
            written[key][surface] += 1
    banned = _TOPIC_TERMS.get(topic or "", set()) | _GENERIC_TERMS | stopwords()
    place_keys = _place_keys(province, places)
    story_minimum = 2 if len(set(stories)) >= 4 else 1
    kept: list[str] = []
    for key in sorted(counts, key=lambda k: (-len(k.split()), -counts[k], k)):
        parts = key.split()
        if counts[key] < 2 or len(in_stories[key]) < story_minimum or key in banned or _QUANTITY_WORDS.intersection(parts):
            continue
        # The segmenter cuts "trí tuệ nhân tạo" in two: "hệ thống trí tuệ" is a cut term.
        if key.endswith(" trí tuệ") or key.startswith("nhân tạo "):
            continue
        if parts[0] in _CLAUSE_START and len(parts) > 2:
            continue
        if any(_NUMBER.match(p) for p in parts) or _is_place(key, province, place_keys):
            continue
        if any(f" {key} " in f" {longer} " and counts[longer] >= 0.7 * counts[key] for longer in kept):
            continue
        kept.append(key)
    kept.sort(key=lambda k: (-len(in_stories[k]), -counts[k], -len(k.split()), k))
    return [{"term": display_form(written[k].most_common(1)[0][0]), "count": counts[k]} for k in kept[:limit]]


# ---------------------------------------------------------------------------------------------------- digest
def _check_limit(limit: Any) -> int:
    if isinstance(limit, str) and limit.strip().isdigit():
        limit = int(limit)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"`limit` must be a whole number from 1 to {MAX_LIMIT}, not {limit!r}", field="limit")
    return limit


def _check_period(date_from: dt.date, date_to: dt.date) -> None:
    if date_from > date_to:
        raise InvalidInput(f"`from` ({date_from}) is after `to` ({date_to})", field="from")
    if (date_to - date_from).days + 1 > MAX_DAYS:
        raise InvalidInput(f"a digest covers at most {MAX_DAYS} days; narrow `from`..`to`", field="to")


def _topic_score(article: dict, topic: str | None) -> float:
    scores = article.get("topic_scores") or {}
    labels = article.get("topics") or []
    wanted = [topic] if topic else list(TOPICS)
    values = [float(scores[t]) if t in scores else (1.0 if t in labels else 0.0) for t in wanted]
    return max(values, default=0.0)


def _by_count(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def digest_from_articles(articles: list[dict], *, topic: str | None, province: str | None,
                         date_from: dt.date, date_to: dt.date, limit: int = 10) -> dict:
    """The digest of these articles over date_from..date_to (articles outside the period or filter are left out)."""
    from index.search import validate_topic

    topic = validate_topic(topic or None)
    limit = _check_limit(limit)
    _check_period(date_from, date_to)
    chosen: list[dict] = []
    days: list[dt.date] = []
    seen: set[str] = set()
    for article in articles:
        day = _published(article)
        if day is None or not date_from <= day <= date_to:
            continue
        if topic and topic not in (article.get("topics") or []):
            continue
        if province and province not in (article.get("provinces") or []):
            continue
        key = str(article.get("id") or id(article))
        if key in seen:
            continue
        seen.add(key)
        chosen.append(article)
        days.append(day)

    period = [date_from + dt.timedelta(days=k) for k in range((date_to - date_from).days + 1)]
    per_day = Counter(day.isoformat() for day in days)
    per_province = Counter(p for a in chosen for p in dict.fromkeys(a.get("provinces") or []))
    per_source = Counter((a.get("source") or "").strip() or "(không rõ nguồn)" for a in chosen)

    sims = similarity_matrix(chosen)
    groups = group_stories(chosen, days, sims)
    story_of = [0] * len(chosen)
    for number, group in enumerate(groups):
        for k in group:
            story_of[k] = number
    stories = []
    span = max(1, (date_to - date_from).days)
    for group in groups:
        members = [chosen[k] for k in group]
        # The story is told by its most central copy (the one closest to all others), the fuller one on a tie.
        lead_k = max(group, key=lambda k: (sims[k, group].sum(), len(_article_text(chosen[k])), -group.index(k)))
        lead = chosen[lead_k]
        outlets = list(dict.fromkeys((a.get("source") or "").strip() for a in members))
        recency = (max(days[k] for k in group) - date_from).days / span
        relevance = max(_topic_score(a, topic) for a in members)
        score = OUTLET_WEIGHT * len(outlets) + RECENCY_WEIGHT * recency + TOPIC_WEIGHT * relevance
        reference = [a.get("title") or "" for a in members] + [_article_text(a) for a in members if a is not lead]
        stories.append({
            "title": lead.get("title") or "",
            "id": lead.get("id"),
            "url": lead.get("url") or "",
            "published": min(days[k] for k in group).isoformat(),
            "sources": [{"source": a.get("source") or "", "title": a.get("title") or "", "url": a.get("url") or "",
                         "id": a.get("id"), "published": days[k].isoformat()} for k, a in zip(group, members)],
            "summary": summarize(lead, reference),
            "topics": list(dict.fromkeys(t for a in members for t in a.get("topics") or [])),
            "provinces": list(dict.fromkeys(p for a in members for p in a.get("provinces") or [])),
            "score": round(score, 3),
            "_order": (-score, -len(members), lead.get("title") or ""),
        })
    stories.sort(key=lambda s: s.pop("_order"))

    return {
        "topic": topic,
        "province": province,
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "total": len(chosen),
        "per_day": {day.isoformat(): per_day.get(day.isoformat(), 0) for day in period},
        "per_province": _by_count(per_province),
        "per_source": _by_count(per_source),
        "key_terms": key_terms(chosen, topic=topic, province=province, places=per_province, stories=story_of),
        "stories": stories[:limit],
    }


def _as_date(value: Any, field: str) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date) or value is None:
        return value
    return parse_date(value, field)


def build_digest(store, *, topic=None, province=None, date_from=None, date_to=None, limit=10) -> dict:
    """The digest of the indexed articles; the default period is the last 7 days of the data."""
    from index import search

    # The same validators as search, so both answer an unknown topic or province with the same message.
    topic = search.validate_topic(topic or None)
    province = search.validate_province(province or None)
    limit = _check_limit(limit)
    date_from, date_to = _as_date(date_from, "from"), _as_date(date_to, "to")
    week = dt.timedelta(days=DEFAULT_DAYS - 1)

    if date_from is None and date_to is None:
        _, latest = search.date_bounds(store)
        date_to = latest or dt.date.today()
    # Clamped at the calendar's ends: "to=0001-01-03" or "from=9999-12-30" is a short period, not a crash.
    if date_from is None:
        date_from = date_to - week if date_to - dt.date.min >= week else dt.date.min
    elif date_to is None:
        date_to = date_from + week if dt.date.max - date_from >= week else dt.date.max
    _check_period(date_from, date_to)
    request = search.SearchRequest(topic=topic, province=province, date_from=date_from, date_to=date_to)
    articles = list(search.iter_articles(store, request))
    return digest_from_articles(articles, topic=topic, province=province, date_from=date_from, date_to=date_to,
                                limit=limit)


# ---------------------------------------------------------------------------------------------------- rendering
def _d(iso: str, year: bool = True) -> str:
    day = dt.date.fromisoformat(iso)
    return day.strftime("%d/%m/%Y" if year else "%d/%m")


def place_label(province: str) -> str:
    """How a province reads in a sentence: 'Hồ Chí Minh' alone is the person, so the city is 'TP. Hồ Chí Minh'."""
    return "TP. Hồ Chí Minh" if province == "Hồ Chí Minh" else province


def heading(digest: dict) -> str:
    """'Điểm tin Khởi nghiệp tại TP. Hồ Chí Minh, 15/11–21/11/2026'."""
    subject = TOPIC_LABELS.get(digest.get("topic") or "", "")
    where = place_label(digest["province"]) if digest.get("province") else ""
    text = "Điểm tin"
    if subject:
        text += f" {subject}"
    if where:
        text += f" tại {where}"
    if not subject and not where:
        text += " tổng hợp"
    return f"{text}, {period_label(digest)}"


def period_label(digest: dict) -> str:
    first, last = digest["from"], digest["to"]
    if first == last:
        return _d(first)
    return f"{_d(first, year=first[:4] != last[:4])}–{_d(last)}"


def overview(digest: dict) -> str:
    """One sentence: how many articles, from how many outlets, the busiest day, how many stories several outlets told."""
    total = digest["total"]
    days = len(digest["per_day"])
    if not total:
        return f"Không có bài nào trong {days} ngày này."
    busiest = max(digest["per_day"].items(), key=lambda kv: (kv[1], kv[0]))
    shared = sum(1 for s in digest["stories"] if len({x["source"] for x in s["sources"]}) > 1)
    text = (f"{total} bài từ {len(digest['per_source'])} đầu báo trong {days} ngày; "
            f"nhiều nhất ngày {_d(busiest[0], year=False)} ({busiest[1]} bài).")
    if shared:
        text += f" {shared} sự kiện được từ hai đầu báo trở lên cùng đưa tin."
    return text


def day_label(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{_WEEKDAYS[day.weekday()]} {day.strftime('%d/%m')}"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    """Text made inert in Markdown: no emphasis, links or raw HTML from an article's title."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _top(counts: dict[str, int], n: int = 5, label=lambda x: x) -> str:
    return " · ".join(f"{_md(label(k))} {v}" for k, v in list(counts.items())[:n])


def render_markdown(digest: dict) -> str:
    """The digest as a Markdown e-mail: heading, overview, per day, top places and outlets, key terms, top stories."""
    lines = [f"# {_md(heading(digest))}", "", overview(digest), ""]
    if digest["total"]:
        lines.append("**Theo ngày:** " + " · ".join(f"{day_label(d)}: {n}" for d, n in digest["per_day"].items()))
        if set(digest["per_province"]) - {digest.get("province")}:
            lines.append("**Tỉnh/thành nhiều tin nhất:** " + _top(digest["per_province"], label=place_label))
        lines.append("**Đầu báo đưa tin nhiều nhất:** " + _top(digest["per_source"]))
        if digest["key_terms"]:
            lines.append("**Từ khóa nổi bật:** " + ", ".join(f"{_md(t['term'])} ({t['count']})"
                                                            for t in digest["key_terms"]))
        lines += ["", "## Tin nổi bật", ""]
        for number, story in enumerate(digest["stories"], 1):
            title = f"**{_md(story['title'])}**"
            if _SAFE_URL.match(story.get("url") or ""):
                title = f"[{title}](<{story['url'].replace('>', '%3E').replace(' ', '%20')}>)"
            outlets = list(dict.fromkeys(s["source"] for s in story["sources"] if s["source"]))
            count = f" · {len(outlets)} đầu báo" if len(outlets) > 1 else ""
            lines.append(f"{number}. {title} ({_d(story['published'])}{count})")
            if story["summary"]:
                lines.append(f"   {_md(story['summary'])}")
            lines.append(f"   Nguồn: {', '.join(_md(o) for o in outlets) or '(không rõ)'}")
            lines.append("")
        lines.append("_Xếp hạng: số đầu báo cùng đưa tin trước, rồi độ mới và mức độ đúng chủ đề._")
    return "\n".join(lines).rstrip() + "\n"


# ---------------------------------------------------------------------------------------------------- HTML
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 720, 200, 28


def chart(digest: dict) -> dict:
    """Geometry of the per-day bar chart (drawn as inline SVG by the template)."""
    days = list(digest["per_day"].items())
    peak = max((n for _, n in days), default=0) or 1
    inner_h = CHART_HEIGHT - 2 * CHART_PAD
    step = (CHART_WIDTH - 2 * CHART_PAD) / max(1, len(days))
    every = max(1, round(len(days) / 14))   # at most ~14 date labels under the bars
    bars = []
    for k, (iso, n) in enumerate(days):
        h = inner_h * n / peak
        x = CHART_PAD + k * step
        bars.append({
            "x": round(x + step * 0.15, 1), "y": round(CHART_PAD + inner_h - h, 1), "width": round(step * 0.7, 1),
            "height": round(h, 1), "count": n, "label": day_label(iso) if k % every == 0 else "",
            "title": f"{day_label(iso)}: {n} bài", "cx": round(x + step / 2, 1),
        })
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "base": CHART_HEIGHT - CHART_PAD, "pad": CHART_PAD,
            "bars": bars, "peak": peak}


@lru_cache(maxsize=1)
def _template():
    import jinja2

    folder = Path(__file__).resolve().with_name("templates")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("digest.html")


def render_html(digest: dict) -> str:
    """The digest as a standalone printable HTML page (no JavaScript; every article text escaped)."""
    stories = []
    for story in digest["stories"]:
        outlets = list(dict.fromkeys(s["source"] for s in story["sources"] if s["source"]))
        stories.append({**story, "outlets": outlets, "published_label": _d(story["published"]),
                        "safe_url": story["url"] if _SAFE_URL.match(story.get("url") or "") else "",
                        "links": [{**s, "safe_url": s["url"] if _SAFE_URL.match(s.get("url") or "") else ""}
                                  for s in story["sources"]]})
    return _template().render(
        digest=digest, heading=heading(digest), overview=overview(digest), chart=chart(digest), stories=stories,
        provinces=[(place_label(k), v) for k, v in list(digest["per_province"].items())[:10]],
        sources=list(digest["per_source"].items())[:10], topic_label=TOPIC_LABELS.get(digest.get("topic") or ""),
    )
