"""The state of a search page as URL parameters: parsed, validated, and turned back into links.

The page and the API accept the same parameters, declared once in
``parameters.PARAMETERS``. The page parses them here so that a bad value becomes
a 400 page with a sentence in the reader's language; the API declares them to
FastAPI (``web_api.search_parameters``) so that they appear in the OpenAPI description.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from urllib.parse import quote_plus

from indexer.contract import SearchRequest
from indexer.errors import QueryError

from .parameters import BY_NAME, FILTERS, MAX_PER_PAGE, MAX_ROWS, PARAMETERS, Parameter, parse_day

#: The most rows of one CSV export.
MAX_CSV_ROWS = MAX_ROWS


class BadParameter(QueryError):
    """A URL parameter with a value the page cannot use; ``key`` and ``values`` name an i18n message."""

    def __init__(self, key: str, **values):
        super().__init__(f"bad parameter {values.get('name', '')!r}: {values.get('value', '')!r}", key, **values)


@dataclass(frozen=True)
class SearchParams(SearchRequest):
    """A search as a page's URL states it: the request's fields (``parameters.PARAMETERS``
    names them in URLs), with what the page needs to draw links to other states."""

    @property
    def q(self) -> str:
        return self.query

    # -- from a URL ---------------------------------------------------------------

    @classmethod
    def from_query(cls, params, max_per_page: int = MAX_PER_PAGE) -> "SearchParams":
        """Parse a query string (a Starlette ``QueryParams``); empty form fields count as absent,
        and a value given twice to a parameter that takes one counts once (the last)."""
        settings = {}
        for parameter in PARAMETERS:
            given = [v.strip() for v in params.getlist(parameter.name) if v.strip()]
            if parameter.repeat:
                settings[parameter.field] = tuple(dict.fromkeys(_parse(parameter, v) for v in given))
            elif given:
                limit = max_per_page if parameter.name == "per_page" else parameter.maximum
                settings[parameter.field] = _parse(parameter, given[-1], limit)
        return cls(**settings)

    def request(self, include_internal: bool, facets: bool = True) -> SearchRequest:
        return replace(self, include_internal=include_internal, facets=facets)

    # -- back to a URL ------------------------------------------------------------

    def pairs(self) -> list[tuple[str, str]]:
        """The parameters that differ from the defaults, in the table's order."""
        out: list[tuple[str, str]] = []
        for parameter in PARAMETERS:
            value = getattr(self, parameter.field)
            if value == parameter.default:
                continue
            out += [(parameter.name, _written(parameter, v)) for v in (value if parameter.repeat else (value,))]
        return out

    def url(self, path: str = "/", **extra: str) -> str:
        """``path?query`` as ``urlencode`` writes it; the values' encodings are remembered (a search page
        draws some thirty links that differ by one value)."""
        pairs = self.pairs() + [(k, v) for k, v in extra.items() if v]
        return path + ("?" + "&".join(_quoted(k) + "=" + _quoted(v) for k, v in pairs) if pairs else "")

    def toggled_urls(self, name: str, values, path: str = "/") -> list[str]:
        """``self.toggled(name, value).url(path)`` for each of ``values``: the other parameters are written
        once for all of them (a facet draws a link per value, and only that facet's values differ)."""
        parameter = BY_NAME[name]
        current = self.values_of(name)
        before: list[str] = []
        after: list[str] = []
        side = before
        for other in PARAMETERS:
            if other is parameter:
                side = after
                continue
            value = 1 if other.field == "page" else getattr(self, other.field)  # a toggle goes back to page 1
            if value == other.default:
                continue
            side += [_quoted(other.name) + "=" + _quoted(_written(other, v)) for v in (value if other.repeat else (value,))]
        key = _quoted(name) + "="
        out = []
        for value in values:
            new = tuple(v for v in current if v != value) if value in current else (*current, value)
            mine = [key + _quoted(_written(parameter, _parse(parameter, v))) for v in new]
            parts = before + mine + after
            out.append(path + ("?" + "&".join(parts) if parts else ""))
        return out

    def at_page(self, page: int) -> "SearchParams":
        return replace(self, page=page)

    def has(self, name: str, value: str) -> bool:
        return value in self.values_of(name)

    def toggled(self, name: str, value: str) -> "SearchParams":
        """With the facet value added, or removed when it is already there; back to page 1."""
        current = self.values_of(name)
        new = tuple(v for v in current if v != value) if value in current else (*current, value)
        return self._with(name, new)

    def without(self, name: str, value: str | None = None) -> "SearchParams":
        """Without one value of a filter (``value``), or without the filter."""
        parameter = BY_NAME[name]
        if not parameter.repeat:
            return replace(self, page=1, **{parameter.field: parameter.default})
        return self._with(name, tuple(v for v in self.values_of(name) if value is not None and v != value))

    def without_filters(self) -> "SearchParams":
        return replace(self, page=1, **{BY_NAME[name].field: BY_NAME[name].default for name in FILTERS})

    @property
    def filtered(self) -> bool:
        return any(getattr(self, BY_NAME[name].field) != BY_NAME[name].default for name in FILTERS)

    def values_of(self, name: str) -> tuple[str, ...]:
        parameter = BY_NAME[name]
        return tuple(_written(parameter, v) for v in getattr(self, parameter.field))

    def _with(self, name: str, values: tuple[str, ...]) -> "SearchParams":
        parameter = BY_NAME[name]
        return replace(self, page=1, **{parameter.field: tuple(_parse(parameter, v) for v in values)})


@functools.lru_cache(maxsize=4096)
def _quoted(value: str) -> str:
    return quote_plus(value)


def _parse(parameter: Parameter, value: str, maximum: int | None = None):
    """One value of a URL parameter, as the request holds it; ``BadParameter`` when it cannot be."""
    name, maximum = parameter.name, maximum or parameter.maximum
    if parameter.kind == "choice":
        # Codes in any case: ?lang=FR is ?lang=fr.
        if value.lower() not in parameter.choices:
            raise BadParameter("bad_choice", name=name, value=value, choices=", ".join(parameter.choices))
        return value.lower()
    if parameter.kind == "int":
        try:
            number = int(value) if len(value) <= 9 else None
        except ValueError:
            number = None
        if number is None or number < parameter.minimum:
            raise BadParameter("bad_int", name=name, value=value, minimum=parameter.minimum)
        if maximum is not None and number > maximum:
            raise BadParameter("bad_choice", name=name, value=value, choices=f"{parameter.minimum}–{maximum}")
        return number
    if parameter.kind == "date":
        try:
            return parse_day(value)
        except ValueError:
            raise BadParameter("bad_date", name=name, value=value) from None
    if parameter.kind == "flag":
        return value.lower() in ("1", "true", "on", "yes")
    if maximum is not None and len(value) > maximum:
        raise BadParameter("bad_choice", name=name, value=value[:40] + "…", choices=f"≤ {maximum}")
    return value


def _written(parameter: Parameter, value) -> str:
    """A request's value as the URL writes it."""
    if parameter.kind == "flag":
        return "1"
    if parameter.kind == "date":
        return value.isoformat()
    return str(value)


def is_api(request) -> bool:
    """Whether a request is for the JSON API (answered in JSON, errors too) rather than a page."""
    path = request.url.path
    return path.startswith("/api/") or path == "/openapi.json"


def flag(params, name: str) -> bool:
    """An on/off parameter of a page other than the search page, parsed as the search page parses it."""
    given = [v.strip() for v in params.getlist(name) if v.strip()]
    return bool(_parse(BY_NAME[name], given[-1])) if given else False
