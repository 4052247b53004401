"""Errors of the index layer."""

from archive.errors import ArchiveError


class IndexProblem(ArchiveError):
    """The index is missing, outdated or damaged."""


class IndexLocked(IndexProblem):
    """Another process is writing the index."""
