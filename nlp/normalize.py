"""Unicode, tone-mark and markup normalization of Vietnamese text."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from underthesea.pipeline.text_normalize import token_normalize

_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|</?[a-zA-Z!][^<>]{0,2000}>", re.IGNORECASE | re.DOTALL)
_BLOCK_TAG = re.compile(r"</?(p|div|br|li|h[1-6]|tr|section|article)\b[^<>]*>", re.IGNORECASE)
_SPACES = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r"\s*\n\s*")
_SYLLABLE = re.compile(r"\w+")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Ð/ð (eth) is typed for Đ/đ by some keyboards and old encodings; underthesea maps it inside short words only.
_LOOKALIKES = {0x00D0: "Đ", 0x00F0: "đ"}
# Zero-width and control characters that survive copy-paste from web pages and break matching.
_INVISIBLE = dict.fromkeys(
    [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD] + [c for c in range(32) if c not in (9, 10, 13)], None
)


@lru_cache(maxsize=65536)
def _syllable(token: str) -> str:
    # underthesea's table maps old-style tone placement ("hoà", "thuỷ") and misplaced marks ("baỏ") to the modern form.
    return token_normalize(token) if len(token) <= 7 else token


def strip_html(text: str) -> str:
    """Remove tags, comments, scripts and entities: ``strip_html("<p>Đà&nbsp;Nẵng</p>")`` → ``'Đà Nẵng'``."""
    # Feeds double-escape ("&amp;nbsp;") and escape markup ("&lt;p&gt;"): repeat until nothing changes, so that
    # normalize() is idempotent. Every pass that changes the text shortens it, so the loop ends.
    while True:
        before = text
        if "<" in text:
            text = _BLOCK_TAG.sub("\n", text)
            text = _TAG.sub(" ", text)
        if "&" in text:
            text = html.unescape(text)
        if text == before:
            return text


def normalize(text: str) -> str:
    """Clean one text for storage and analysis: NFC, modern tone placement, no markup, tidy whitespace.

    >>> normalize("<b>Hoà</b>  bình&nbsp;ở  Thuỷ Nguyên")
    'Hòa bình ở Thủy Nguyên'
    """
    if not isinstance(text, str):
        raise TypeError(f"normalize() needs a str, not {type(text).__name__}")
    if not text:
        return ""
    text = strip_html(text)
    text = _SURROGATE.sub("\ufffd", text)  # a lone surrogate (valid in JSON, not in UTF-8) is not text
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE).translate(_LOOKALIKES)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\t", " ")
    text = _SYLLABLE.sub(lambda m: _syllable(m.group()), text)
    text = unicodedata.normalize("NFC", text)
    text = _SPACES.sub(" ", text)
    text = _NEWLINES.sub("\n", text)
    return text.strip()
