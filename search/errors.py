"""Errors of the query side; all are the user's to fix (exit 1 in the CLI, 400 on the web)."""

from archive.errors import ArchiveError


class QueryError(ArchiveError):
    """The query or one of its filters cannot be understood."""


class EngineUnavailable(ArchiveError):
    """The configured search engine cannot be used (unknown name, or not installed)."""
