"""Project names and aliases in the query: "declic", "Ik zeg STOP", "make it safe".

The index stores project ids; people type the names they know, in any case, with or
without accents, punctuation or spaces ("(Dé)clic", "declic", "dé-clic"). A run of the
query's words that spells a project's name, alias or id also matches that project's
documents (as an alternative to the words themselves), and ``--project``/``project=``
accept the same spellings.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from archive.errors import ArchiveError
from archive.metadata import Vocabulary, find_vocabulary
from archive.textutil import fold

from .errors import QueryError
from .store import read_manifest

logger = logging.getLogger(__name__)
#: The folders of this many indexed files are enough to find the projects.toml they were ingested with.
FOLDERS_LOOKED_AT = 20

_WORD = re.compile(r"\w+")


def _squashed(text: str) -> str:
    """A name as one run of folded letters and digits: "(Dé)clic" -> "declic"."""
    return "".join(_WORD.findall(fold(text.lower())))


class ProjectSpellings:
    """Every spelling of every project, squashed, and the project id it stands for."""

    def __init__(self, vocabulary: Vocabulary | None, ids: list[str] = ()):
        self.ids = list(dict.fromkeys([*(vocabulary.projects if vocabulary else ()), *ids]))
        self.names = {pid: vocabulary.name(pid) for pid in self.ids} if vocabulary else {pid: pid for pid in self.ids}
        self._owner: dict[str, str] = {}
        self._longest = 1
        #: Each project's names as written (id, display name, aliases).
        self.spelled: dict[str, list[str]] = {}
        for pid in self.ids:
            project = vocabulary.projects.get(pid) if vocabulary else None
            self.spelled[pid] = list(dict.fromkeys((pid, *((project.name, *project.aliases) if project else ()))))
            for name in self.spelled[pid]:
                key = _squashed(name)
                if key:
                    self._owner.setdefault(key, pid)
                    self._longest = max(self._longest, len(_WORD.findall(name)))

    def resolve(self, text: str, visible: set[str] | None = None) -> str:
        """The id of the project ``text`` names; a :class:`QueryError` listing the projects when none.

        ``visible``: the projects the requester may know of (those of the documents it may
        see); any other is unknown to it, and never listed.
        """
        pid = self._owner.get(_squashed(text))
        if pid is None or (visible is not None and pid not in visible):
            ids = [p for p in self.ids if visible is None or p in visible]
            known = ", ".join(f"{self.names[p]} ({p})" if self.names[p] != p else p for p in ids) or "none"
            raise QueryError(f"unknown project {text!r}; the projects are: {known}", "query_unknown_project",
                             project=text, known=known)
        return pid

    def find(self, words: list[str]) -> list[tuple[int, int, str]]:
        """(start, length, project id) of the runs of ``words`` that spell a project, longest first."""
        out, i = [], 0
        while i < len(words):
            for n in range(min(self._longest, len(words) - i), 0, -1):
                pid = self._owner.get("".join(_squashed(w) for w in words[i:i + n]))
                if pid:
                    out.append((i, n, pid))
                    i += n
                    break
            else:
                i += 1
        return out


#: (index, explicit, $ARCHIVE_PROJECTS, manifest and vocabulary file states) -> vocabulary: a process
#: that asks twice (the engine for project mentions, the CLI for names) reads the files once.
_LOADED: dict[tuple, tuple] = {}


def _state(path: Path | None) -> tuple[int, int] | None:
    try:
        st = os.stat(path) if path is not None else None
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size) if st else None


def vocabulary_for_index(index_dir: Path, explicit: Path | None = None) -> Vocabulary | None:
    """The project vocabulary the index was built with: ``explicit``, else ``$ARCHIVE_PROJECTS``,
    else the nearest ``projects.toml`` above the indexed files; None when there is none."""
    from .store import MANIFEST_FILE

    manifest = Path(index_dir) / MANIFEST_FILE
    key = (str(index_dir), str(explicit), os.environ.get("ARCHIVE_PROJECTS"), _state(manifest))
    found = _LOADED.get(key)
    if found is not None and _state(found[0]) == found[1]:
        return found[2]
    folders = list(dict.fromkeys(os.path.dirname(p) for p in read_manifest(Path(index_dir))))[:FOLDERS_LOOKED_AT]
    path = find_vocabulary([Path(f) for f in folders] or [Path.cwd()], explicit)
    vocabulary = None
    if path is not None:
        try:
            vocabulary = Vocabulary.load(path)
        except ArchiveError as exc:
            logger.warning("project names unavailable, showing ids: %s", exc)
    if len(_LOADED) > 16:
        _LOADED.clear()
    _LOADED[key] = (path, _state(path), vocabulary)
    return vocabulary
