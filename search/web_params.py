"""The state of a search page as URL parameters: parsed, validated, and turned back into links.

The page and the API accept the same parameters (``q``, ``lang``, ``year``,
``project``, ``type``, ``from``, ``to``, ``sort``, ``page``, ``per_page``,
``cross_language``). The page parses them here so that a bad value becomes a
400 page with a sentence in the reader's language; the API declares them to
FastAPI so that they appear in the OpenAPI description.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, replace
from urllib.parse import quote_plus

from archive.model import LANGUAGES, TYPES, UNDETERMINED

from indexer.errors import QueryError
from indexer.contract import SORTS, SearchRequest

LANG_VALUES = (*LANGUAGES, UNDETERMINED)
#: Deep pages cost a collector of page * per_page hits; nobody reads page 1001.
MAX_PAGE = 1000
MAX_QUERY_CHARS = 500
PER_PAGE = 10
MAX_PER_PAGE = 100
MAX_CSV_ROWS = 1000
LIST_PARAMS = ("lang", "year", "project", "type")


class BadParameter(QueryError):
    """A URL parameter with a value the page cannot use; ``key`` and ``values`` name an i18n message."""

    def __init__(self, key: str, **values):
        super().__init__(f"bad parameter {values.get('name', '')!r}: {values.get('value', '')!r}", key, **values)


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    langs: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    projects: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = PER_PAGE
    cross_language: bool = False

    # -- from a URL ---------------------------------------------------------------

    @classmethod
    def from_query(cls, params, max_per_page: int = MAX_PER_PAGE) -> "SearchParams":
        """Parse a query string (a Starlette ``QueryParams``); empty form fields count as absent."""

        def values(name: str) -> list[str]:
            return [v.strip() for v in params.getlist(name) if v.strip()]

        def single(name: str) -> str:
            found = values(name)
            return found[-1] if found else ""

        q = params.get("q", "").strip()
        if len(q) > MAX_QUERY_CHARS:
            raise BadParameter("bad_choice", name="q", value=q[:40] + "…", choices=f"≤ {MAX_QUERY_CHARS}")
        # Codes in any case: ?lang=FR is ?lang=fr.
        langs = _unique([_choice("lang", v, LANG_VALUES) for v in values("lang")])
        types = _unique([_choice("type", v, TYPES) for v in values("type")])
        sort = _choice("sort", single("sort") or "relevance", SORTS)
        page = _int("page", single("page") or "1", 1)
        if page > MAX_PAGE:
            raise BadParameter("bad_page", maximum=MAX_PAGE)
        per_page = _int("per_page", single("per_page") or str(PER_PAGE), 1)
        if per_page > max_per_page:
            raise BadParameter("bad_choice", name="per_page", value=str(per_page), choices=f"1–{max_per_page}")
        return cls(
            q=q,
            langs=tuple(langs),
            years=tuple(_unique([_year(v) for v in values("year")])),
            projects=tuple(_unique(values("project"))),
            types=tuple(types),
            date_from=_date("from", single("from")),
            date_to=_date("to", single("to")),
            sort=sort,
            page=page,
            per_page=per_page,
            cross_language=single("cross_language").lower() in ("1", "true", "on", "yes"),
        )

    def request(self, include_internal: bool, facets: bool = True) -> SearchRequest:
        return SearchRequest(
            query=self.q, langs=self.langs, years=self.years, date_from=self.date_from, date_to=self.date_to,
            projects=self.projects, types=self.types, sort=self.sort, page=self.page, per_page=self.per_page,
            cross_language=self.cross_language, include_internal=include_internal, facets=facets,
        )

    # -- back to a URL ------------------------------------------------------------

    def pairs(self) -> list[tuple[str, str]]:
        """The parameters that differ from the defaults, in a stable order."""
        out: list[tuple[str, str]] = []
        if self.q:
            out.append(("q", self.q))
        out += [("lang", v) for v in self.langs]
        out += [("year", str(v)) for v in self.years]
        out += [("project", v) for v in self.projects]
        out += [("type", v) for v in self.types]
        if self.date_from:
            out.append(("from", self.date_from.isoformat()))
        if self.date_to:
            out.append(("to", self.date_to.isoformat()))
        if self.sort != "relevance":
            out.append(("sort", self.sort))
        if self.cross_language:
            out.append(("cross_language", "1"))
        if self.per_page != PER_PAGE:
            out.append(("per_page", str(self.per_page)))
        if self.page != 1:
            out.append(("page", str(self.page)))
        return out

    def url(self, path: str = "/", **extra: str) -> str:
        """``path?query`` as ``urlencode`` writes it; the values' encodings are remembered (a search page
        draws some thirty links that differ by one value)."""
        pairs = self.pairs() + [(k, v) for k, v in extra.items() if v]
        return path + ("?" + "&".join(_quoted(k) + "=" + _quoted(v) for k, v in pairs) if pairs else "")

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
        if name == "from":
            return replace(self, date_from=None, page=1)
        if name == "to":
            return replace(self, date_to=None, page=1)
        return self._with(name, tuple(v for v in self.values_of(name) if value is not None and v != value))

    def without_filters(self) -> "SearchParams":
        return SearchParams(q=self.q, sort=self.sort, per_page=self.per_page, cross_language=self.cross_language)

    @property
    def filtered(self) -> bool:
        return bool(self.langs or self.years or self.projects or self.types or self.date_from or self.date_to)

    def values_of(self, name: str) -> tuple[str, ...]:
        if name == "year":
            return tuple(str(y) for y in self.years)
        return {"lang": self.langs, "project": self.projects, "type": self.types}[name]

    def _with(self, name: str, values: tuple[str, ...]) -> "SearchParams":
        if name == "year":
            return replace(self, years=tuple(int(v) for v in values), page=1)
        return replace(self, page=1, **{{"lang": "langs", "project": "projects", "type": "types"}[name]: values})


@functools.lru_cache(maxsize=4096)
def _quoted(value: str) -> str:
    return quote_plus(value)


def _unique(items: list) -> list:
    return list(dict.fromkeys(items))


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    """``value`` as it is spelled in ``allowed``, whatever its case."""
    if value.lower() not in allowed:
        raise BadParameter("bad_choice", name=name, value=value, choices=", ".join(allowed))
    return value.lower()


def _int(name: str, value: str, minimum: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum or len(value) > 9:
        raise BadParameter("bad_int", name=name, value=value, minimum=minimum)
    return number


def _year(value: str) -> int:
    year = _int("year", value, 1)
    if year > 9999:
        raise BadParameter("bad_int", name="year", value=value, minimum=1)
    return year


def _date(name: str, value: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadParameter("bad_date", name=name, value=value) from None


def is_api(request) -> bool:
    """Whether a request is for the JSON API (answered in JSON, errors too) rather than a page."""
    path = request.url.path
    return path.startswith("/api/") or path == "/openapi.json"
