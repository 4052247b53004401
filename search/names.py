"""What people see in place of the ids the index stores: project names, and whose archive it is.

The index stores project ids (``je-dis-stop``); people read the names from
``projects.toml`` ("Je dis STOP"). Programs (JSON, CSV, the API) get the ids,
people (text output, the web page) the names. The names come from the same
file ``archive ingest`` used: ``--projects``, else ``$ARCHIVE_PROJECTS``, else
the nearest ``projects.toml`` above the indexed files.
"""

from __future__ import annotations

import os
from pathlib import Path

from archive.metadata import Vocabulary


#: Sets the organisation named on the public site; the default is in ``i18n`` (one per interface language).
ORGANISATION_VARIABLE = "ARCHIVE_ORGANISATION"


class ProjectNames:
    """Project id -> display name, and back (a name or an id in any case -> the id)."""

    def __init__(self, vocabulary: Vocabulary | None = None):
        self.vocabulary = vocabulary
        self._ids: dict[str, str] = {}
        for pid, project in (vocabulary.projects.items() if vocabulary else ()):
            self._ids.setdefault(project.name.casefold(), pid)
            self._ids.setdefault(pid.casefold(), pid)

    def __call__(self, pid: str) -> str:
        return self.vocabulary.name(pid) if self.vocabulary else pid

    def __bool__(self) -> bool:
        return bool(self.vocabulary and self.vocabulary.projects)

    def id_of(self, text: str) -> str:
        """The project id that ``text`` names (``ALERT``, ``Je dis stop``, ``je-dis-stop``); ``text`` when none does."""
        return self._ids.get(text.strip().casefold(), text.strip())

    @classmethod
    def for_index(cls, index_dir: Path, explicit: Path | None = None) -> "ProjectNames":
        """The names for the index in ``index_dir``; without a vocabulary, ids stand for names."""
        from indexer.projects import vocabulary_for_index

        return cls(vocabulary_for_index(index_dir, explicit))


def organisation(explicit: str | None = None) -> str | None:
    """The organisation whose archive this is, when set (``--organisation`` or ``$ARCHIVE_ORGANISATION``)."""
    name = (explicit if explicit is not None else os.environ.get(ORGANISATION_VARIABLE, "")).strip()
    return name or None
