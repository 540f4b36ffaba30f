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


_PLAIN: set[str] = set()  # non-ASCII characters folding leaves as they are (quotes, dashes, CJK ...), met so far


def _all_plain(text: str) -> bool:
    """True when every non-ASCII character left in `text` is one folding keeps (no combining mark, no
    decomposition): the common case of a sentence with curly quotes or a dash, which then skips the slow path."""
    for char in set(text) - _PLAIN:
        if char.isascii():
            continue
        if unicodedata.combining(char) or unicodedata.normalize("NFD", char) != char:
            return False
        _PLAIN.add(char)
    return True


def fold(text: str) -> str:
    """Lower-case and drop tone marks and diacritics, đ → d: ``fold("Đà Nẵng")`` → ``'da nang'``."""
    if text.isascii():
        return text.lower()
    text = text.translate(_TABLE)
    if not text.isascii() and not _all_plain(text):
        # Decomposed input (NFD) or rarer letters: strip whatever combining marks remain.
        text = unicodedata.normalize("NFD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
        text = unicodedata.normalize("NFC", text).translate(_TABLE)
    return text.lower()
