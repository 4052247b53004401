"""The Whoosh index on disk: create it, open it, tell whether this code built it."""

from __future__ import annotations

from pathlib import Path

from whoosh import index
from whoosh.index import EmptyIndexError

from ..errors import IndexProblem
from ..store import read_version, write_version
from . import files
from .schema import build_schema, signature

files.apply()

INDEX_NAME = "passages"
WHOOSH_DIR = "whoosh"  # Whoosh's own files, kept apart so that a rebuild can clear them


def is_current(folder: Path) -> bool:
    return read_version(folder) == signature() and index.exists_in(str(folder / WHOOSH_DIR), indexname=INDEX_NAME)


def create(folder: Path):
    """A new, empty index in ``folder`` (an existing one there is replaced; the
    manifest is left to the caller, which knows which files to add again)."""
    import shutil  # with it come lzma and bz2: not on a search's path

    shutil.rmtree(folder / WHOOSH_DIR, ignore_errors=True)
    (folder / WHOOSH_DIR).mkdir(parents=True)
    ix = index.create_in(str(folder / WHOOSH_DIR), build_schema(), indexname=INDEX_NAME)
    write_version(folder, signature())
    return ix


def open_index(folder: Path):
    """Open an existing, current index for reading; a clear error otherwise."""
    if not index.exists_in(str(folder / WHOOSH_DIR), indexname=INDEX_NAME):
        raise IndexProblem(f"no index at {folder}: run `archive ingest PATH` first (or pass --index / set $ARCHIVE_INDEX)")
    found = read_version(folder)
    if found != signature():
        raise IndexProblem(f"the index at {folder} was built by another version ({found or 'unknown'}, this is {signature()}): run `archive ingest` to rebuild it")
    try:
        return index.open_dir(str(folder / WHOOSH_DIR), indexname=INDEX_NAME)
    except (EmptyIndexError, OSError, ValueError, EOFError) as exc:
        raise IndexProblem(f"cannot open the index at {folder}: {exc}") from exc
