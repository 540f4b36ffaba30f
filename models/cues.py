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
        "khoi nghiep", "startup", "start up", "doi moi sang tao", "goi von", "dau tu mao hiem", "dau tu thien than",
        "shark tank", "vuon uom", "uom tao", "ky lan", "nha sang lap", "dong sang lap", "founder", "vong goi von",
        "series a", "dmst", "cuoc thi y tuong", "techfest", "quy dau tu mao hiem", "huy dong von",
    ),
    "digital_transformation": (
        "chuyen doi so", "chinh quyen so", "chinh phu so", "kinh te so", "xa hoi so", "so hoa", "dich vu cong",
        "vneid", "de an 06", "khong dung tien mat", "hoa don dien tu", "nen tang so", "do thi thong minh",
        "thanh pho thong minh", "du lieu so", "cong dan so", "dinh danh dien tu", "chu ky so", "chinh phu dien tu",
        "y te so", "giao duc so", "truong hoc so", "co so du lieu", "ha tang so", "ho so dien tu", "so suc khoe",
        "thanh toan dien tu", "mot cua", "cong nghe so", "ban do so", "smart city",
    ),
}
LABELS = ("ai", "startup", "digital_transformation")
HEAD_WORDS = 60  # the title (twice) and lead come first in the feature text
_PATTERNS = {k: re.compile(r"\b(?:" + "|".join(re.escape(c) for c in v) + r")\b") for k, v in CUES.items()}
_LIST_BEFORE = re.compile(r"(?:,|&|\bva|\bnhu|\bcung)\s*$")
_LIST_AFTER = re.compile(r"^\s*(?:,|va\b|\.\.\.|…)")


def _counts(text: str, label: str) -> tuple[int, int, int, int, float]:
    """(all matches, matches in the head, matches in a list of fields, distinct cues, where the first match is as
    a share of the text) for one label."""
    head_end = len(" ".join(text.split()[:HEAD_WORDS]))
    total = head = listed = 0
    first = 1.0
    distinct = set()
    for match in _PATTERNS[label].finditer(text):
        if not total:
            first = match.start() / max(1, len(text))
        total += 1
        distinct.add(match.group())
        if match.start() < head_end:
            head += 1
        before = text[max(0, match.start() - 6):match.start()]
        after = text[match.end():match.end() + 5]
        if _LIST_BEFORE.search(before) or _LIST_AFTER.search(after):
            listed += 1
    return total, head, listed, len(distinct), first


FEATURES_PER_LABEL = 8


def cue_features(texts) -> sp.csr_matrix:
    """Per label: log counts of cues overall, in the head, in lists, not in lists; distinct cues; cue density;
    the label's share of all topic cues (a passing mention in a piece about another topic has a small share);
    how early the first cue comes."""
    rows = []
    for text in texts:
        folded = fold(text.replace("_", " "))
        words = max(1, folded.count(" ") + 1)
        counts = [_counts(folded, label) for label in LABELS]
        all_cues = sum(c[0] for c in counts)
        row: list[float] = []
        for total, head, listed, distinct, first in counts:
            row += [np.log1p(total), np.log1p(head), np.log1p(listed), np.log1p(total - listed),
                    np.log1p(distinct), min(1.0, 100.0 * total / words), total / max(1, all_cues), 1.0 - first]
        rows.append(row)
    return sp.csr_matrix(np.asarray(rows, dtype=np.float64).reshape(len(rows), FEATURES_PER_LABEL * len(LABELS)))
