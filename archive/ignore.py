"""``.archiveignore``: the files a folder keeps out of the archive, in a list people can read and edit.

One glob pattern per line (``README.md``, ``drafts``, ``drafts/*``, ``*.tmp``),
relative to the folder holding the ``.archiveignore``; ``#`` starts a comment.
A pattern without a slash also matches that name in every folder below. A file
is left out when the ``.archiveignore`` of its folder, or of any folder above
it, matches the file or one of the folders on its way there, so the rule is
the same whichever folder (or single file) is ingested. Deleting a line undoes it.
"""

from __future__ import annotations

import glob
import os
from fnmatch import fnmatch
from pathlib import Path

IGNORE_FILE = ".archiveignore"

_HEADER = (
    "# Files and folders the archive leaves out: one path or pattern per line, relative to this folder.\n"
    "# `archive remove --forget` adds lines here; delete a line to index the file again.\n"
)


def read_patterns(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    return [line.strip().rstrip("/") for line in lines if line.strip() and not line.lstrip().startswith("#")]


class IgnoreRules:
    """Answers "is this path left out?" for many paths, reading each folder's ``.archiveignore`` once."""

    def __init__(self) -> None:
        self._chains: dict[str, list[tuple[str, list[str]]]] = {}
        self._folders: dict[str, bool] = {}

    def ignored(self, path: str | os.PathLike) -> bool:
        path = os.path.abspath(path)
        parent = os.path.dirname(path)
        if parent == path:
            return False
        return self._folder_ignored(parent) or self._matched(path, parent)

    def _folder_ignored(self, folder: str) -> bool:
        known = self._folders.get(folder)
        if known is None:
            known = self._folders[folder] = self.ignored(folder)
        return known

    def _matched(self, path: str, parent: str) -> bool:
        name = os.path.basename(path)
        for base, patterns in self._chain(parent):
            relative = os.path.relpath(path, base)
            if any(fnmatch(relative, p) or fnmatch(name, p) for p in patterns):
                return True
        return False

    def _chain(self, folder: str) -> list[tuple[str, list[str]]]:
        """(folder, patterns) for every ``.archiveignore`` in ``folder`` and above it that has any."""
        chain = self._chains.get(folder)
        if chain is None:
            parent = os.path.dirname(folder)
            above = self._chain(parent) if parent != folder else []
            patterns = read_patterns(Path(folder) / IGNORE_FILE)
            chain = self._chains[folder] = [(folder, patterns), *above] if patterns else above
        return chain


def keep_out(path: str | os.PathLike) -> tuple[Path, str]:
    """Add ``path`` (a file or a folder) to the ``.archiveignore`` of the folder holding it.

    Returns the ``.archiveignore`` and the line; a line already there is not added twice.
    """
    path = Path(os.path.abspath(path))
    ignore_file = path.parent / IGNORE_FILE
    line = glob.escape(path.name)  # a name with [ * ? in it stands for itself, not a pattern
    if line.startswith("#"):
        line = "[#]" + line[1:]  # not a comment
    existing = ignore_file.read_text(encoding="utf-8") if ignore_file.exists() else ""
    if line not in read_patterns(ignore_file):
        if existing and not existing.endswith("\n"):
            existing += "\n"
        text = (existing or _HEADER) + line + "\n"
        tmp = ignore_file.with_name(f".{IGNORE_FILE}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, ignore_file)
    return ignore_file, line
