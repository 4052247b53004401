"""The contract between the archive and a search engine: read this module first.

The front-ends (``search/``: the CLI and the web app) and the ingest
(``indexer/sync.py``) talk to an engine only through what is declared here:

* reading — an :class:`Engine` answers a :class:`SearchRequest` with a
  :class:`SearchResponse` of :class:`Hit` s, shows a :class:`DocumentView`, lists
  similar documents, counts :class:`Stats`, suggests a correction;
* writing — ``with engine.writer() as w: w.delete_path(p); w.add(document)``: the
  changes are committed when the block ends without an error, dropped otherwise;
* queries cross it as the user's text (parsed by :mod:`indexer.query` into the
  archive's own tree, which each engine translates) and filters as values
  (:class:`FilterValue`), never as engine queries.

Engines are listed in :mod:`indexer.engines`; ``tests/contract/`` checks every one
against the same documents. Adding an engine means implementing :class:`Engine`
and adding its name there.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Protocol

FACET_NAMES = ("year", "lang", "project", "type")
SORTS = ("relevance", "date")


@dataclass(frozen=True)
class SearchRequest:
    #: The query, in the archive's language (``indexer.query``); empty: every document.
    query: str = ""
    langs: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    projects: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    cross_language: bool = False
    #: Staff only: include documents marked internal.
    include_internal: bool = False
    facets: bool = True
    #: Longest snippet, in characters; 0: hits carry no snippet (empty, no highlights) and none is cut.
    snippet_chars: int = 220


@dataclass
class Metadata:
    """What every view of a document carries: its id and metadata."""

    id: str
    title: str
    path: str
    format: str
    type: str
    lang: str
    langs: dict[str, float]
    year: int | None
    date: str | None
    projects: list[str]


@dataclass
class Hit(Metadata):
    """A document found: its best passage (page, language) with a snippet and the matches' offsets in it."""

    score: float
    page: int | None
    passage_lang: str
    snippet: str
    highlights: list[list[int]]
    visibility: str = "public"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SearchResponse:
    query: str
    total: int
    page: int
    per_page: int
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None
    #: The query actually run after cross-language expansion, when it differs.
    expanded: str | None = None
    #: What the query parser dropped or mended ("ignored AND with nothing after it").
    notices: list[str] = field(default_factory=list)
    #: The same as (key, values), for saying them in the reader's language (not in the JSON).
    notice_keys: list[tuple[str, dict]] = field(default_factory=list, repr=False)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "hits": [h.to_dict() for h in self.hits],
            "facets": self.facets,
            "suggestion": self.suggestion,
            "expanded": self.expanded,
            "notices": self.notices,
        }


@dataclass(frozen=True)
class FilterValue:
    """One active filter: ``name`` is the request parameter (lang, year, project, type, from,
    to), ``value`` one of its values, ``label`` what a person reads ("French", "2019")."""

    name: str
    value: str
    label: str


@dataclass
class PassageView:
    page: int | None
    lang: str
    text: str
    #: [start, end) character offsets of the query's matches in ``text``.
    highlights: list[list[int]] = field(default_factory=list)


@dataclass
class DocumentView(Metadata):
    """A whole document: its metadata and every passage, with the query's matches marked."""

    visibility: str
    passages: list[PassageView] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.passages)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["text"] = self.text
        return data


@dataclass
class Stats:
    """Documents counted by facet. ``lang`` counts a document under every language it has text
    in (as the language facet does); ``main_lang`` under its main language only."""

    documents: int = 0
    passages: int = 0
    year: dict[str, int] = field(default_factory=dict)
    lang: dict[str, int] = field(default_factory=dict)
    main_lang: dict[str, int] = field(default_factory=dict)
    project: dict[str, int] = field(default_factory=dict)
    type: dict[str, int] = field(default_factory=dict)
    year_lang: dict[str, dict[str, int]] = field(default_factory=dict)
    year_project: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


#: The fields of a hit, in order: CSV columns and API models are derived from them.
HIT_FIELDS = tuple(f.name for f in fields(Hit))


class Writer(Protocol):
    """Changes to an index, committed together when the ``with`` block ends without an error."""

    #: Whether committing also does the engine's housekeeping (merges, caches); a long ingest
    #: leaves it to its last block (``engine.writer(finish=False)``, then ``finish = True``).
    finish: bool

    def add(self, document) -> None:
        """Index an :class:`archive.model.Document` (all its passages)."""

    def delete_path(self, path: str) -> None:
        """Remove every document that came from the file ``path``."""

    def delete_document(self, doc_id: str) -> None:
        """Remove one document."""


class Engine(Protocol):
    """A search engine over one index.

    The contract every engine keeps: internal documents are never returned, counted,
    suggested or described unless ``include_internal`` is set; a filter that matches
    nothing gives no hits; hits, totals and facet counts are documents, not passages,
    each facet counted with every filter but its own; a malformed query raises
    :class:`indexer.errors.QueryError` (the user's to fix) and nothing else does.
    """

    #: Whether ``SearchRequest.cross_language`` does anything (a glossary or dictionary is there).
    cross_language: bool
    #: Whether the engine may be called from several threads at once (it serialises inside if it must).
    threadsafe: bool

    def search(self, request: SearchRequest) -> SearchResponse: ...

    def document(self, doc_id: str, include_internal: bool = False, query: str | None = None,
                 cross_language: bool = False) -> DocumentView | None:
        """The document's passages, each with the spans ``query`` matches in it, as the search
        marked them (with its translations when ``cross_language``)."""

    def similar(self, doc_id: str, limit: int = 5, include_internal: bool = False,
                document: DocumentView | None = None) -> list[Hit]:
        """``document``: the view of ``doc_id`` when the caller holds it already, so it is not read again."""

    def source(self, doc_id: str, include_internal: bool = False) -> tuple[str, str] | None:
        """The (path, format) of the file a document came from, without reading its passages."""

    @property
    def generation(self) -> int:
        """A number that changes whenever a commit changes what the engine answers (HTTP ETags are
        derived from it); cheap enough to read on every request."""

    def stats(self, include_internal: bool = False) -> Stats: ...

    def suggest(self, request: SearchRequest) -> str | None: ...

    def writer(self, finish: bool = True) -> AbstractContextManager[Writer]: ...

    def close(self) -> None:
        """Release the index; a later call opens it again (closing twice is harmless)."""
