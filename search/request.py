"""The narrow interface between the front-ends and the search engine.

The CLI and the web page build a :class:`SearchRequest` and read a
:class:`SearchResponse`; only the engine module knows Whoosh. Another engine
(OpenSearch, Elasticsearch) can serve the same requests by implementing
:class:`Engine`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

FACET_NAMES = ("year", "lang", "project", "type")
SORTS = ("relevance", "date")


@dataclass(frozen=True)
class SearchRequest:
    query: str
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
    snippet_chars: int = 220


@dataclass
class Hit:
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


class Engine(Protocol):
    """What the CLI and the web app need from a search engine (see ``search/engines.py``).

    The contract every engine keeps: internal documents are never returned, counted,
    suggested or described unless ``include_internal`` is set; a filter that matches
    nothing gives no hits; hits, totals and facet counts are documents, not passages.
    """

    #: Whether ``SearchRequest.cross_language`` does anything (a glossary is loaded).
    cross_language: bool

    def search(self, request: SearchRequest) -> SearchResponse: ...

    def document(self, doc_id: str, include_internal: bool = False, query: str | None = None) -> dict[str, Any] | None: ...

    def similar(self, doc_id: str, limit: int = 5, include_internal: bool = False) -> list[Hit]: ...

    def stats(self, include_internal: bool = False) -> dict[str, Any]: ...

    def close(self) -> None: ...
