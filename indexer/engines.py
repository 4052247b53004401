"""Which engine answers: the one list of engines, and the one place that names an engine class.

The CLI, the web app and the ingest call :func:`open_engine` and then only use
:class:`indexer.contract.Engine`. An engine is added by implementing that
contract and adding its name to :data:`ENGINES`; ``tests/contract/`` then runs
on it too. The embedded Whoosh index is the default; ``$ARCHIVE_ENGINE`` chooses.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from .contract import Engine
from .errors import EngineUnavailable

DEFAULT = "whoosh"
#: Engine name -> "module:class"; the class has ``open(folder, glossary, create)`` and ``is_current(folder)``.
ENGINES = {"whoosh": "indexer.whoosh.engine:WhooshEngine", "opensearch": "indexer.opensearch.engine:OpenSearchEngine"}


def engine_name(name: str | None = None) -> str:
    name = (name or os.environ.get("ARCHIVE_ENGINE") or DEFAULT).strip().lower()
    if name not in ENGINES:
        raise EngineUnavailable(f"unknown search engine {name!r} (ARCHIVE_ENGINE): available: {', '.join(sorted(ENGINES))}")
    return name


def engine_class(name: str | None = None):
    module, _, cls = ENGINES[engine_name(name)].partition(":")
    return getattr(importlib.import_module(module), cls)


def open_engine(index_dir: Path, glossary: Path | None = None, name: str | None = None, create: bool = False) -> Engine:
    """The engine ``name`` (else ``$ARCHIVE_ENGINE``, else Whoosh) over the index at ``index_dir``;
    ``create`` starts a new, empty index there."""
    return engine_class(name).open(Path(index_dir), glossary, create=create)


def is_current(index_dir: Path, name: str | None = None) -> bool:
    """Whether the index at ``index_dir`` was built by this code for that engine (else ingest rebuilds it)."""
    return engine_class(name).is_current(Path(index_dir))
