"""Filters: each turns request parameters into a query clause and a label a person can read.

Shared by the CLI and the web page, so neither builds Whoosh queries itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from whoosh import query as q

from .errors import QueryError
from .request import SearchRequest

LANG_NAMES = {"fr": "French", "nl": "Dutch", "en": "English", "und": "undetermined"}
TYPE_NAMES = {"press_release": "press release", "article": "article", "report": "report", "other": "other"}


@dataclass(frozen=True)
class Filter:
    """One active filter: ``name`` is the request parameter, ``value`` one of its values."""

    name: str
    value: str
    label: str

    def clause(self) -> q.Query:
        if self.name == "lang":
            return q.Term("plang", self.value)
        if self.name == "year":
            return q.Term("year", int(self.value))
        if self.name == "project":
            return q.Term("projects", self.value)
        if self.name == "type":
            return q.Term("type", self.value)
        if self.name == "from":
            return q.NumericRange("date", _day(self.value), None)
        if self.name == "to":
            return q.NumericRange("date", 1, _day(self.value))
        raise QueryError(f"unknown filter {self.name!r}")


def _day(value: str) -> int:
    return int(dt.date.fromisoformat(value).strftime("%Y%m%d"))


def filters_for(request: SearchRequest) -> list[Filter]:
    out = [Filter("lang", lang, LANG_NAMES.get(lang, lang)) for lang in request.langs]
    out += [Filter("year", str(year), str(year)) for year in request.years]
    out += [Filter("project", project, project) for project in request.projects]
    out += [Filter("type", kind, TYPE_NAMES.get(kind, kind)) for kind in request.types]
    if request.date_from:
        out.append(Filter("from", request.date_from.isoformat(), f"from {request.date_from.isoformat()}"))
    if request.date_to:
        out.append(Filter("to", request.date_to.isoformat(), f"until {request.date_to.isoformat()}"))
    return out


def filter_query(request: SearchRequest) -> q.Query | None:
    """Values of one filter are alternatives (OR); different filters all apply (AND)."""
    groups: dict[str, list[q.Query]] = {}
    for f in filters_for(request):
        groups.setdefault(f.name, []).append(f.clause())
    clauses = [g[0] if len(g) == 1 else q.Or(g) for g in groups.values()]
    if not request.include_internal:
        clauses.append(q.Term("visibility", "public"))
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else q.And(clauses)


def visibility_query(include_internal: bool) -> q.Query | None:
    return None if include_internal else q.Term("visibility", "public")
