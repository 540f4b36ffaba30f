"""Topic cue features: counts of the phrases LABELING.md names for each topic, split by where and how they occur.

A model trained on a few hundred articles learns their vocabulary too well and real news too little; these counts
carry the labeling rules themselves (a cue in the title or lead, a cue repeated in the body, a cue that is only one
item of a list of fields) and generalize across outlets and years. They are a stateless transformer: a module-level
function over the feature text, so joblib saves the pipeline by reference.
"""

from __future__ import annotations

import re

import numpy as np
import scipy.sparse as sp

from nlp.fold import fold

# Folded (tone-less) phrases; "ai acronym" is how models.topics writes the upper-case acronym "AI".
CUES: dict[str, tuple[str, ...]] = {
    "ai": (
        "tri tue nhan tao", "ai acronym", "chatgpt", "gemini", "openai", "chatbot", "hoc may", "machine learning",
        "mo hinh ngon ngu", "llm", "deepfake", "tro ly ao", "thi giac may tinh", "deep learning", "hoc sau",
        "ai tao sinh", "tao sinh", "generative", "genai", "grok", "claude", "copilot", "deepseek", "mang no ron",
        "nhan dang giong noi", "xe tu lai", "sora", "midjourney",
    ),
    "startup": (
        "khoi nghiep doi moi sang tao", "khoi nghiep", "startup", "start up", "goi von", "dau tu mao hiem",
        "dau tu thien than", "shark tank", "vuon uom", "uom tao", "ky lan", "nha sang lap", "dong sang lap", "founder",
        "vong goi von",
        "series a", "cuoc thi y tuong", "techfest", "quy dau tu mao hiem", "huy dong von",
    ),
    # "Đổi mới sáng tạo" alone names innovation in general: science policy, institutes' and venues' names as much as
    # startups. Counted apart from the startup words, the model weighs it on its own (on the dev set, 5 of 13
    # articles with only these words are `startup`; 35 of 48 with a startup word are).
    "innovation": ("doi moi sang tao", "dmst"),
    "digital_transformation": (
        "chuyen doi so", "chinh quyen so", "chinh phu so", "kinh te so", "xa hoi so", "so hoa", "dich vu cong",
        "vneid", "de an 06", "khong dung tien mat", "hoa don dien tu", "nen tang so", "do thi thong minh",
        "thanh pho thong minh", "du lieu so", "cong dan so", "dinh danh dien tu", "chu ky so", "chinh phu dien tu",
        "y te so", "giao duc so", "truong hoc so", "co so du lieu", "ha tang so", "ho so dien tu", "so suc khoe",
        "thanh toan dien tu", "mot cua", "cong nghe so", "ban do so", "smart city",
    ),
}
GROUPS = ("ai", "startup", "innovation", "digital_transformation")
PART = "§"  # between the parts of the feature text (models.topics): title § title § lead § body
HEAD_WORDS = 60  # without PART marks (an older caller), the head is the first words
# Longest first: "khởi nghiệp đổi mới sáng tạo" is one mention, not "khởi nghiệp" and "đổi mới sáng tạo".
_PATTERNS = {k: re.compile(r"\b(?:" + "|".join(re.escape(c) for c in sorted(v, key=len, reverse=True)) + r")\b")
             for k, v in CUES.items()}
# The science-policy stock phrase ("KH,CN&ĐMST", "khoa học, công nghệ và đổi mới sáng tạo", Resolution 57's "...
# và chuyển đổi số"): LABELING.md counts it as general science policy, so its "đổi mới sáng tạo" and "chuyển đổi số"
# are not cues; it is counted on its own.
_STOCK = re.compile(
    r"\b(?:kh\s*,\s*cn|khcn|kh\s*&\s*cn|khoa hoc\s*(?:,|-|–|&|va)?\s*cong nghe)"
    r"\s*(?:,|&|va)\s*(?:dmst|doi moi sang tao)"
    r"(?:\s*(?:,|&|va)\s*(?:cds|chuyen doi so))?\b")
_ECHO = re.compile(r"^\s*\([^()]{0,60}\)")  # "trí tuệ nhân tạo (AI)": the bracket repeats the item
_ITEM_AFTER = re.compile(r"^\s*(?:,|\.\.\.|…)")
_ITEM_BEFORE = re.compile(r",\s*$")
_LAST_ITEM = re.compile(r"(?:\bva|&|\bhoac|\bhay)\s*$")
LIST_ITEM_WORDS = 5  # "A, B và C" has short items; "..., nhằm thúc đẩy A và C" is a purpose, not a list
_SENTENCE_END = re.compile(r"(?:\s[.!?]\s|" + PART + ")")


def _head_spans(text: str) -> list[tuple[int, int]]:
    """The title and the opening sentence (of the lead, else of the body): where a piece says what it is about."""
    parts = text.split(PART)
    if len(parts) < 4:
        return [(0, len(" ".join(text.split(" ")[:HEAD_WORDS])))]
    offsets, at = [], 0
    for part in parts:
        offsets.append((at, at + len(part)))
        at += len(part) + len(PART)
    spans = [offsets[0]]
    for begin, end in offsets[2:]:
        if text[begin:end].strip():
            stop = _SENTENCE_END.search(text, begin, end)
            spans.append((begin, stop.start() if stop else end))
            break
    return spans


def _listed(text: str, start: int, end: int) -> bool:
    """One item of a list of several ("A, B và C"); "A và B" alone is two subjects, not a list."""
    after = _ECHO.sub("", text[end:end + 80])
    if _ITEM_AFTER.match(after):
        return True
    before = text[max(0, start - 60):start]
    if _ITEM_BEFORE.search(before):
        return True
    last = _LAST_ITEM.search(before)
    if last:  # the last item of "A, B và C": the item before "và" is short and follows a comma
        clause = re.split(r"[.;:!?()]|" + PART, before[:last.start()])[-1]
        return "," in clause and len(clause.rpartition(",")[2].split()) <= LIST_ITEM_WORDS
    return False


_PURPOSE = re.compile(r"\b(?:nham|de|thuc day|day manh|muc tieu|huong toi|ho tro|ve)\b")


def _stated_purpose(text: str, start: int, head: list[tuple[int, int]]) -> bool:
    """A mention in the title or opening sentence after "nhằm", "để", "thúc đẩy", "về"...: what the event is for."""
    for begin, end in head:
        if begin <= start < end:
            return bool(_PURPOSE.search(text, begin, start))
    return False


def _counts(text: str, label: str, head: list[tuple[int, int]]) -> tuple[int, int, int, int, int, float]:
    """(mentions, mentions in the head, mentions as one item of a list, other mentions after a purpose word in the
    head, distinct cues, where the first mention is as a share of the text) for one group of cues. A cue echoed in
    brackets ("trí tuệ nhân tạo (AI)") is one mention."""
    total = in_head = listed = purpose = 0
    first = 1.0
    distinct = set()
    last_end = -10
    for match in _PATTERNS[label].finditer(text):
        if text[last_end:match.start()].strip() == "(":
            last_end = match.end()
            continue
        last_end = match.end()
        if not total:
            first = match.start() / max(1, len(text))
        total += 1
        distinct.add(match.group())
        if any(begin <= match.start() < end for begin, end in head):
            in_head += 1
        if _listed(text, match.start(), match.end()):
            listed += 1
        elif _stated_purpose(text, match.start(), head):
            purpose += 1
    return total, in_head, listed, purpose, len(distinct), first


FEATURES_PER_LABEL = 9
FEATURES = FEATURES_PER_LABEL * len(GROUPS) + 1


def _profile(text: str) -> tuple[str, dict[str, tuple[int, int, int, int, int, float]]]:
    folded = _STOCK.sub(" khcn_stock ", fold(text.replace("_", " ")))
    head = _head_spans(folded)
    return folded, {group: _counts(folded, group, head) for group in GROUPS}


LONG_ARTICLE_WORDS = 300  # feature-text words (title twice, lead, body) above which an article is "long"
PASSING_SHARE = 0.25  # a label with less than this share of an article's topic mentions is not what it is about


def digital_rules(labels: list[str], text: str) -> list[str]:
    """Two labeling rules for `digital_transformation` that the classifier's score misses (LABELING.md, and how the
    real-news sets were labeled): digitalisation stated as the purpose in the title or opening sentence ("... nhằm
    thúc đẩy đổi mới sáng tạo và chuyển đổi số") makes it a subject, however briefly the body returns to it; one or
    two mentions deep in a long article that is mostly about another topic are passing mentions, not a subject.

    Measured (`vnnews evaluate`): on the dev set they add one right label and one wrong one (micro-F1 0.889 →
    0.890); on the seed articles they settle the two the classifier got wrong (seed-000, seed-004-3). Chosen with
    the seeds in view, so the dev figure is the check that they generalize."""
    label = "digital_transformation"
    folded, counts = _profile(text)
    total, in_head, listed, purpose, _, _ = counts[label]
    if purpose and label not in labels:
        return [*labels, label]
    all_mentions = sum(c[0] for c in counts.values())
    long = folded.count(" ") + 1 >= LONG_ARTICLE_WORDS
    if (label in labels and long and not in_head and total - listed <= 2
            and total / max(1, all_mentions) < PASSING_SHARE):
        return [lab for lab in labels if lab != label]
    return labels


def cue_features(texts) -> sp.csr_matrix:
    """Per label: log counts of mentions overall, in the head, as list items, not as list items; distinct cues;
    mention density; the label's share of all topic mentions (a passing mention in a piece about another topic has
    a small share); how early the first mention comes. Then the log count of the science-policy stock phrase."""
    rows = []
    for text in texts:
        folded, by_group = _profile(text)
        stock = folded.count(" khcn_stock ")
        words = max(1, folded.count(" ") + 1)
        counts = [by_group[group] for group in GROUPS]
        all_cues = sum(c[0] for c in counts)
        row: list[float] = []
        for total, in_head, listed, purpose, distinct, first in counts:
            row += [np.log1p(total), np.log1p(in_head), np.log1p(listed), np.log1p(total - listed), np.log1p(purpose),
                    np.log1p(distinct), min(1.0, 100.0 * total / words), total / max(1, all_cues), 1.0 - first]
        rows.append(row + [np.log1p(stock)])
    return sp.csr_matrix(np.asarray(rows, dtype=np.float64).reshape(len(rows), FEATURES))
