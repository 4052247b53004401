"""Errors of the index and query layer."""

from archive.errors import ArchiveError


class IndexProblem(ArchiveError):
    """The index is missing, outdated or damaged."""


class IndexLocked(IndexProblem):
    """Another process is writing the index."""


class QueryError(ArchiveError):
    """The query or one of its filters cannot be understood: the user's to fix (exit 1 in the
    CLI, 400 on the web).

    ``key`` (optional) names the kind of error so that the web page can say it in
    the reader's language (``search/i18n.py`` has a message per key, filled in
    with ``values``); the message itself is English, for the CLI and the API.
    """

    def __init__(self, message: str, key: str | None = None, **values):
        super().__init__(message)
        self.key = key
        self.values = values


class EngineUnavailable(ArchiveError):
    """The configured search engine cannot be used (unknown name, or not installed)."""


class EngineFailure(ArchiveError):
    """The engine failed on a well-formed request: an internal error, not the user's."""
