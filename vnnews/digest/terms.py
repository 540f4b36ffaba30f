"""Key terms of a period: multi-word terms counted once per article, themes of several stories first."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterable

from nlp import segment
from nlp.analysis import display_form, stopwords, syllables
from nlp.fold import fold
from nlp.normalize import normalize
from vnnews.digest.features import _NUMBER, _WORD, _is_capitalised


KEY_TERMS = 15
KEY_TERM_PARAGRAPHS = 2         # paragraphs of the body read when an article has no stored key_terms
KEY_TERM_MAX_CHARS = 1500
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
        from models.provinces import current_name  # the gazetteer's spellings (loaded when a province is asked)

        return current_name(term) == province
    return False


def period_terms(articles: list[dict], *, topic: str | None, province: str | None, places: Iterable[str] = (),
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
