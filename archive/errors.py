"""Errors raised while reading files. Each carries a short reason a person can act on."""

from __future__ import annotations


class ArchiveError(Exception):
    """Base class of every error raised by the ``archive`` package."""


class ExtractionError(ArchiveError):
    """A file could not be turned into documents.

    ``reason`` is one short line ("encrypted: a password is needed"); ``path``
    is filled in by the pipeline when the extractor did not know it.
    """

    def __init__(self, reason: str, path: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}" if self.path else self.reason


class ConfigError(ArchiveError):
    """A vocabulary, sidecar or option file is malformed."""
