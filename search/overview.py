"""The overview figures (``archive stats``, ``/stats``, ``/api/stats``), counted as the search counts them.

``lang`` counts the documents with text in each language: what the language
facet shows and what ``--lang`` / ``?lang=`` selects, so a bilingual document
counts under both of its languages and the numbers next to a language are the
same everywhere. ``main_lang`` counts each document once, under its main
language; it is what the per-year chart stacks, since its bars must add up to
the year's documents.
"""

from __future__ import annotations

from typing import Any

from .request import Engine, SearchRequest


def overview(engine: Engine, include_internal: bool) -> dict[str, Any]:
    data = dict(engine.stats(include_internal))
    if "main_lang" not in data:
        # The engine's stats count main languages only; the facet counts text languages.
        data["main_lang"] = data["lang"]
        every = engine.search(SearchRequest("", include_internal=include_internal, per_page=1))
        data["lang"] = dict(every.facets.get("lang", {}))
    return data
