"""The one error family of vnnews: every layer raises a subclass with a message that says what to do.

A record that cannot be used in a batch (a bad line of a file, a bad article in a POST) is not raised: it becomes a
`Problem` in its place, so the batch goes on. Which HTTP status an error answers with is the web layer's choice
(vnnews.web.errors), not the raiser's.
"""

from __future__ import annotations

from dataclasses import dataclass


class NewsError(Exception):
    """Base error; ``field`` names the bad input when there is one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def problem(self, where: str = "") -> "Problem":
        """This error as a per-record problem at `where`."""
        return Problem(where, self.message, self.field)


class InvalidInput(NewsError):
    """The caller gave something we cannot use (bad field, bad type, bad date)."""


class CorpusError(NewsError):
    """A corpus or input file has a bad record; the message names file and line."""


class ModelError(NewsError):
    """The topic model is missing, stale or was saved under another scikit-learn version."""


class IndexUnavailable(NewsError):
    """The search index cannot be opened or written."""


class NoIndex(IndexUnavailable):
    """There is no index yet in the data folder (and it was not to be created)."""


class NotFound(NewsError):
    """No stored record with that id."""


class Forbidden(NewsError):
    """The request is understood but not allowed (writes with no API key configured)."""


class Unauthorized(NewsError):
    """The request lacks the right credentials."""


@dataclass(frozen=True)
class Problem:
    """Why one record of a batch was left out: where it was (``file:line``, ``file#3`` or ``""``), what is wrong,
    and the field at fault.

    >>> Problem("a.jsonl:3", "not valid JSON").describe()
    'a.jsonl:3: not valid JSON'
    """

    where: str
    message: str
    field: str | None = None

    def describe(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    def at(self, where: str) -> "Problem":
        """The same problem, placed."""
        return Problem(where, self.message, self.field)
