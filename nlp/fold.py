"""Tone-insensitive folding: the form a user types without a Vietnamese keyboard."""

from __future__ import annotations

import unicodedata

_SPECIAL = {"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"}


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x00C0, 0x1F00):
        char = chr(code)
        if char in _SPECIAL:
            table[code] = _SPECIAL[char]
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
        if base != char and base.isascii() and base:
            table[code] = base.lower()
    return table


_TABLE = _build_table()


def fold(text: str) -> str:
    """Lower-case and drop tone marks and diacritics, đ → d: ``fold("Đà Nẵng")`` → ``'da nang'``."""
    if text.isascii():
        return text.lower()
    text = text.translate(_TABLE)
    if not text.isascii():
        # Decomposed input (NFD) or rarer letters: strip whatever combining marks remain.
        text = unicodedata.normalize("NFD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
        text = unicodedata.normalize("NFC", text).translate(_TABLE)
    return text.lower()
