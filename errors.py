"""The one exception family of vnnews: every layer raises a subclass with a message that says what to do."""


class NewsError(Exception):
    """Base error; ``status`` is the HTTP status the service answers with, ``field`` names the bad input."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if status is not None:
            self.status = status

    def to_dict(self) -> dict:
        body = {"status": self.status, "message": self.message}
        if self.field:
            body["field"] = self.field
        return body


class InvalidInput(NewsError):
    """The caller gave something we cannot use (bad field, bad type, bad date)."""


class CorpusError(NewsError):
    """A corpus or input file has a bad record; the message names file and line."""


class ModelError(NewsError):
    """The topic model is missing, stale or was saved under another scikit-learn version."""

    status = 503


class IndexError_(NewsError):
    """The search index cannot be opened or written."""

    status = 503


class NotFound(NewsError):
    status = 404
