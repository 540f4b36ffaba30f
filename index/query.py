"""The user's query language, parsed without ever failing: words, "quoted phrases", -excluded, OR, (groups).

A malformed query (unbalanced quotes or parentheses, a lone operator) is read again as plain words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_QUERY_CHARS = 500
MAX_TERMS = 32


@dataclass(frozen=True)
class Words:
    """Consecutive plain words (their grouping into Vietnamese words happens against the index vocabulary)."""

    text: str


@dataclass(frozen=True)
class Phrase:
    text: str


@dataclass(frozen=True)
class Not:
    node: object


@dataclass(frozen=True)
class And:
    nodes: tuple


@dataclass(frozen=True)
class Or:
    nodes: tuple


class _Malformed(Exception):
    pass


# Quotes of every kind are phrase quotes: curly, low, angle and CJK double quotes, paired curly single quotes, and
# straight single quotes that open and close at word boundaries ("giá 'sốc'"), never an apostrophe inside a word.
_DOUBLE_QUOTES = re.compile(r"[“”„‟«»「」『』〝〞＂]")
_CURLY_SINGLE = re.compile(r"‘([^‘’]*\w[^‘’]*)’")
_STRAIGHT_SINGLE = re.compile(r"(?<!\w)'([^'\"]*\w[^'\"]*)'(?!\w)")

# A minus is an exclusion only when it starts a word ("-điện thoại", -"cụm từ", -(a OR b)): after a space, an
# opening bracket or the start, and right before a letter, a quote or a bracket. A spaced hyphen ("Hà Nội - Hải
# Phòng"), a dash, or a minus before a digit ("Su -27", "-5 độ") is punctuation, read like the text around it.
_TOKEN = re.compile(r'(?P<phrase>"[^"]*")|(?P<open>\()|(?P<close>\))|(?P<minus>(?<![^\s(])-(?=[^\W\d_]|["(]))'
                    r'|(?P<word>[^\s"()]+)|(?P<quote>")', re.UNICODE)
MINUS = "\x00-"  # the exclusion operator, told apart from a hyphen written as a word of its own


def quotes_to_phrases(text: str) -> str:
    """Every kind of quotation mark → straight double quotes: ``quotes_to_phrases("«chuyển đổi số»")`` →
    ``'"chuyển đổi số"'``."""
    text = _DOUBLE_QUOTES.sub('"', text)
    text = _CURLY_SINGLE.sub(r'"\1"', text)
    return _STRAIGHT_SINGLE.sub(r'"\1"', text)


def _tokens(text: str) -> list[str]:
    return [MINUS if m.lastgroup == "minus" else m.group() for m in _TOKEN.finditer(quotes_to_phrases(text))]


def _is_word(token: str) -> bool:
    return token not in ("(", ")", MINUS, '"', "OR") and not token.startswith('"') and any(c.isalnum() for c in token)


def _is_punctuation(token: str) -> bool:
    """A token with no letter or digit that is not an operator ("-", "–", "...", "?", "/"): part of the words."""
    return token not in ("(", ")", MINUS, '"') and not any(c.isalnum() for c in token)


class _Parser:
    def __init__(self, tokens: list[str]):
        self.tokens = tokens
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def parse(self):
        node = self.or_expr()
        if self.peek() is not None:
            raise _Malformed
        return node

    def or_expr(self):
        nodes = [self.and_expr()]
        while self.peek() == "OR":
            self.i += 1
            nodes.append(self.and_expr())
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def and_expr(self):
        nodes = []
        words: list[str] = []
        while (token := self.peek()) is not None and token not in (")", "OR"):
            if _is_word(token) or _is_punctuation(token):
                words.append(token)
                self.i += 1
                continue
            if words:
                nodes.append(Words(" ".join(words)))
                words = []
            nodes.append(self.unary())
        if words:
            nodes.append(Words(" ".join(words)))
        nodes = [n for n in nodes if not (isinstance(n, Words) and not any(c.isalnum() for c in n.text))]
        if not nodes:
            raise _Malformed  # a lone operator or an empty group
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def unary(self):
        token = self.peek()
        if token == MINUS:
            self.i += 1
            return Not(self.atom())
        return self.atom()

    def atom(self):
        token = self.peek()
        if token is None:
            raise _Malformed
        self.i += 1
        if token == "(":
            node = self.or_expr()
            if self.peek() != ")":
                raise _Malformed
            self.i += 1
            return node
        if token.startswith('"') and token.endswith('"') and len(token) >= 2:
            inner = token[1:-1].strip()
            if not any(c.isalnum() for c in inner):
                raise _Malformed
            return Phrase(inner)
        if _is_word(token):
            return Words(token)
        raise _Malformed


def plain_words(text: str) -> str:
    """The query with every operator removed, punctuation kept (it still cuts phrases): what a malformed query is
    searched as."""
    words = [w for w in re.split(r'[\s"()]+', text.replace(MINUS, " ")) if w]
    kept = [w for w in words if w != "OR"] or words
    return " ".join(kept) if any(c.isalnum() for c in "".join(kept)) else ""


def parse(text: str):
    """Parse a query string into nodes; never raises. Returns None for a query with no searchable word.

    >>> parse('"chuyển đổi số" Đà Nẵng -Hà OR AI')
    Or(nodes=(And(nodes=(Phrase(text='chuyển đổi số'), Words(text='Đà Nẵng'), Not(node=Words(text='Hà')))), Words(text='AI')))
    """
    text = (text or "")[:MAX_QUERY_CHARS]
    tokens = _tokens(text)[: MAX_TERMS * 4]
    if not tokens:
        return None
    try:
        node = _Parser(tokens).parse()
    except _Malformed:
        words = plain_words(" ".join(tokens))
        return Words(words) if words else None
    return node if _has_positive(node) else _only_negative(node)


def _has_positive(node) -> bool:
    if isinstance(node, (Words, Phrase)):
        return True
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_has_positive(n) for n in node.nodes)
    return all(_has_positive(n) for n in node.nodes)


def _only_negative(node):
    # "-bóng đá" alone: every article except those. The caller sees an And with no positive part.
    return And((node,)) if isinstance(node, Not) else node
