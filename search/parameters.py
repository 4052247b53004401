"""The search parameters, declared once for the page, the API and the command line.

A search is an ``indexer.contract.SearchRequest``; that dataclass declares each
setting and its default. ``PARAMETERS`` says how each one is written outside:
its name in URLs (``?lang=fr&year=2019``) and on the command line (``--lang fr``),
what values it takes and the sentence that describes it. From this one table:

- ``web_params.SearchParams.from_query`` parses a page's URL and ``pairs`` writes it back;
- ``web_api.search_parameters`` declares the API's parameters to FastAPI (and so to ``/openapi.json``);
- ``cli.search_options`` declares the ``archive search`` options to click.

A setting that is not in the table (``include_internal``, ``facets``) is never
taken from a user's request: the site or the command decides it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, fields

from archive.model import LANGUAGES, TYPES, UNDETERMINED
from indexer.contract import SORTS, SearchRequest

LANG_VALUES = (*LANGUAGES, UNDETERMINED)
#: Deep pages cost a collector of page * per_page hits; nobody reads page 1001.
MAX_PAGE = 1000
MAX_QUERY_CHARS = 500
#: The most hits on one page of the page and the JSON API; the CSV export and the CLI allow more.
MAX_PER_PAGE = 100
MAX_ROWS = 1000
MAX_YEAR = 9999

QUERY_GRAMMAR = ("The archive's query language: words (none required; documents with more of them, rarer ones, "
                 "closer together or in the title rank first), \"a phrase\" or \"a phrase\"~N, +required or a AND b, "
                 "-excluded or NOT word, a OR b, (groups), prefix*, fuzzy~ or fuzzy~1, title:word, exact:word (unstemmed), "
                 "and the filters lang:fr, year:2019, project:NAME, type:report; a sign or a field also applies to a "
                 "quoted phrase or a group: -\"a phrase\", title:\"a phrase\", project:\"Je dis STOP\", title:(a OR b). "
                 "Operators are upper case. "
                 "Empty: every document.")


_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def parse_day(text: str) -> dt.date:
    """A day written YYYY-MM-DD (as OpenAPI's `date` format); ``ValueError`` says how to write one."""
    found = _DAY.fullmatch(text.strip())
    if not found:
        raise ValueError(f"{text!r} is not a date; use YYYY-MM-DD, for example 2019-05-02")
    try:
        return dt.date(*(int(part) for part in found.groups()))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a date ({exc}); use YYYY-MM-DD, for example 2019-05-02") from None


@dataclass(frozen=True)
class Parameter:
    """How one ``SearchRequest`` field is written in a URL and on the command line."""

    #: The URL parameter (``?lang=fr``).
    name: str
    #: The ``SearchRequest`` field it sets.
    field: str
    #: ``text``, ``choice`` (one of ``choices``, any case), ``int`` (``minimum``..``maximum``),
    #: ``date`` (YYYY-MM-DD) or ``flag`` (on or off).
    kind: str
    help: str
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    #: Given several times for several values (``?lang=fr&lang=nl``), any of which matches.
    repeat: bool = False
    #: The command-line option without its dashes, when it is not ``name``; ``None``: not an option.
    option: str | None = ""

    @property
    def default(self):
        """The field's default in ``SearchRequest`` (the empty tuple for a repeated parameter)."""
        return _FIELDS[self.field].default

    @property
    def cli_name(self) -> str | None:
        return None if self.option is None else "--" + (self.option or self.name).replace("_", "-")


PARAMETERS: tuple[Parameter, ...] = (
    Parameter("q", "query", "text", QUERY_GRAMMAR, maximum=MAX_QUERY_CHARS, option=None),  # the CLI's argument
    Parameter("lang", "langs", "choice", "Language of the text (repeatable): documents with a passage in it.",
              choices=LANG_VALUES, repeat=True),
    Parameter("year", "years", "int", "Year of publication (repeatable).", minimum=1, maximum=MAX_YEAR, repeat=True),
    Parameter("project", "projects", "text", "Project id or name (repeatable), e.g. alert or \"Je dis STOP\".", repeat=True),
    Parameter("type", "types", "choice", "Document type (repeatable).", choices=TYPES, repeat=True),
    Parameter("from", "date_from", "date", "Published on or after this day (YYYY-MM-DD)."),
    Parameter("to", "date_to", "date", "Published on or before this day (YYYY-MM-DD)."),
    Parameter("sort", "sort", "choice", "relevance, or date (newest first).", choices=SORTS),
    Parameter("cross_language", "cross_language", "flag",
              "Also search for the words' translations in the other two languages (glossary, then dictionary)."),
    Parameter("per_page", "per_page", "int", "Hits per page.", minimum=1, maximum=MAX_PER_PAGE, option="limit"),
    Parameter("page", "page", "int", "Page of results.", minimum=1, maximum=MAX_PAGE),
)

_FIELDS = {f.name: f for f in fields(SearchRequest)}
BY_NAME = {p.name: p for p in PARAMETERS}
BY_FIELD = {p.field: p for p in PARAMETERS}
#: The parameters a facet toggles (several values, any of which matches).
LIST_PARAMS = tuple(p.name for p in PARAMETERS if p.repeat)
#: The parameters that narrow the results, as opposed to the query and its presentation.
FILTERS = (*LIST_PARAMS, "from", "to")

if unknown := [p.name for p in PARAMETERS if p.field not in _FIELDS]:
    raise ImportError(f"search parameters {unknown} name no field of SearchRequest")
