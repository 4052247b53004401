"""Which engine answers: the one place that names an engine class.

The CLI and the web app call :func:`open_engine` and then only use the
:class:`search.request.Engine` protocol, so another engine (OpenSearch or
Elasticsearch, see ``docs/SCALING.md``) can be added here without touching
them. The embedded Whoosh index is the default; ``$ARCHIVE_ENGINE`` chooses.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import EngineUnavailable
from .request import Engine

DEFAULT = "whoosh"


def _whoosh(index_dir: Path, glossary: Path | None) -> Engine:
    from .engine import WhooshEngine

    return WhooshEngine.open(index_dir, glossary)


ENGINES = {"whoosh": _whoosh}


def open_engine(index_dir: Path, glossary: Path | None = None, name: str | None = None) -> Engine:
    """The engine ``name`` (else ``$ARCHIVE_ENGINE``, else Whoosh) over the index at ``index_dir``."""
    name = (name or os.environ.get("ARCHIVE_ENGINE") or DEFAULT).strip().lower()
    try:
        factory = ENGINES[name]
    except KeyError:
        raise EngineUnavailable(f"unknown search engine {name!r} (ARCHIVE_ENGINE): available: {', '.join(sorted(ENGINES))}") from None
    return factory(Path(index_dir), glossary)
