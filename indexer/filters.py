"""Filters as values: the request's parameters become (name, value, label) triples that every
engine translates for itself, and that a page can show ("filtered by French ×")."""

from __future__ import annotations

from .contract import FilterValue, SearchRequest

LANG_NAMES = {"fr": "French", "nl": "Dutch", "en": "English", "und": "undetermined"}
TYPE_NAMES = {"press_release": "press release", "article": "article", "report": "report", "other": "other"}
#: Filters that are facets too: each facet is counted with every filter but its own.
FACET_FILTERS = frozenset({"lang", "year", "project", "type"})


def filters_for(request: SearchRequest) -> list[FilterValue]:
    """Values of one filter are alternatives (OR); different filters all apply (AND)."""
    out = [FilterValue("lang", lang, LANG_NAMES.get(lang, lang)) for lang in request.langs]
    out += [FilterValue("year", str(year), str(year)) for year in request.years]
    out += [FilterValue("project", project, project) for project in request.projects]
    out += [FilterValue("type", kind, TYPE_NAMES.get(kind, kind)) for kind in request.types]
    if request.date_from:
        out.append(FilterValue("from", request.date_from.isoformat(), f"from {request.date_from.isoformat()}"))
    if request.date_to:
        out.append(FilterValue("to", request.date_to.isoformat(), f"until {request.date_to.isoformat()}"))
    return out
