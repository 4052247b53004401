"""Dates written the way French, Dutch and English pages write them.

A handful of regular expressions cover nearly every date on real pages
("Le 6 novembre 2019", "6 november 2019", "November 6, 2019", "2019-11-06",
"06/11/2019"); :mod:`dateparser` understands more but takes about a second to
import and milliseconds per call, so it is imported lazily and only asked about
short strings the regular expressions could not read.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

#: Years a date found in running text may have; outside this range a
#: four-digit number is more likely a count, a price or a law number.
MIN_YEAR, MAX_YEAR = 1990, 2100

#: dateparser is only tried on strings up to this length: beyond it, the
#: string is a sentence, not a date, and dateparser would find words like
#: "now" or "today" in it.
DATEPARSER_MAX_CHARS = 60

_MONTHS = {
    1: "january jan janvier janv januari",
    2: "february feb février fevrier févr fevr fév fev februari",
    3: "march mar mars maart mrt",
    4: "april apr avril avr",
    5: "may mai mei",
    6: "june jun juin juni",
    7: "july jul juillet juil juli",
    8: "august aug août aout augustus",
    9: "september sep sept septembre",
    10: "october oct octobre oktober okt",
    11: "november nov novembre",
    12: "december dec décembre decembre déc",
}
MONTHS = {name: num for num, names in _MONTHS.items() for name in names.split()}

_MONTH = "(?P<month>" + "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:er|e|st|nd|rd|th|ste|de)?\.?"
_YEAR = r"(?P<year>\d{4})"
_B, _E = r"(?<![\w/.-])", r"(?![\w/-]|\.\d)"

_PATTERNS = [
    # 6 novembre 2019 / 6 november 2019 / 6th of November, 2019 / 1er mai 2020
    re.compile(_B + _DAY + r"\s+(?:of\s+|de\s+)?" + _MONTH + r",?\s+" + _YEAR + _E, re.I),
    # November 6, 2019 / Nov. 6 2019
    re.compile(_B + _MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR + _E, re.I),
    # 2019-11-06, 2019/11/06, 2019.11.06, also the date part of ISO timestamps
    re.compile(_B + _YEAR + r"(?P<sep>[-/.])(?P<mnum>[01]?\d)(?P=sep)(?P<dnum>[0-3]?\d)(?![\d])"),
    # 06/11/2019, 6-11-2019, 23.05.2011: day first, as FR and NL (and British) write it
    re.compile(_B + r"(?P<dnum>[0-3]?\d)(?P<sep>[-/.])(?P<mnum>[0-3]?\d)(?P=sep)" + _YEAR + _E),
]


def _fold(text: str) -> str:
    # Non-breaking and thin spaces are common between day, month and year.
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", " ", text)


def _to_date(match: re.Match[str], month_first_ok: bool = False) -> dt.date | None:
    parts = match.groupdict()
    year = int(parts["year"])
    if parts.get("month"):
        month = MONTHS[parts["month"].lower()]
        day = int(parts["day"])
    else:
        day, month = int(parts["dnum"]), int(parts["mnum"])
        if month > 12 and day <= 12 and month_first_ok:
            # 11/25/2019: unambiguous American order.
            day, month = month, day
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _matches(text: str):
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            yield match


def find_date(text: str) -> dt.date | None:
    """The first plausible date mentioned in running text, or ``None``.

    "First" is by position in the text, whichever format it is written in;
    only years from 1990 to 2100 count, and only complete dates (a day, a
    month and a year), so "novembre 2019" alone is not a date here.
    """
    if not text:
        return None
    text = _fold(text)
    found: list[tuple[int, dt.date]] = []
    for match in _matches(text):
        date = _to_date(match, month_first_ok=True)
        if date and MIN_YEAR <= date.year <= MAX_YEAR:
            found.append((match.start(), date))
    return min(found)[1] if found else None


_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\s*$")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:T?\d{4,6}Z?)?\s*$")


def parse_date(text: str, languages: list[str] | tuple[str, ...] | None = None) -> dt.date | None:
    """Read a string that *is* a date (a meta tag value, a byline, a <time> text).

    Accepts ISO dates and timestamps, compact ``20191106``, the usual FR/NL/EN
    written forms with or without weekday and "Le"/"Published", numeric
    day-first dates; anything else short is handed to dateparser restricted to
    ``languages`` (default fr, nl, en). Returns ``None`` rather than guessing.
    """
    if not text or not text.strip():
        return None
    for pattern in (_ISO, _COMPACT):
        match = pattern.match(text)
        if match:
            try:
                return dt.date(*map(int, match.groups()))
            except ValueError:
                return None
    folded = _fold(text).strip()
    for match in _matches(folded):
        date = _to_date(match, month_first_ok=True)
        if date:
            return date
    # Without a year (or three numbers) there is no complete date to find.
    if len(folded) > DATEPARSER_MAX_CHARS or not re.search(r"\d{4}|\d+\D+\d+\D+\d+", folded):
        return None
    return _dateparser(folded, list(languages or ("fr", "nl", "en")))


def _dateparser(text: str, languages: list[str]) -> dt.date | None:
    try:
        import dateparser  # slow import: only when the fast path failed
    except ImportError:  # pragma: no cover - dateparser is a declared dependency
        return None
    settings = {
        "PREFER_DAY_OF_MONTH": "first",
        "DATE_ORDER": "DMY",
        "REQUIRE_PARTS": ["day", "month", "year"],
        "RETURN_AS_TIMEZONE_AWARE": False,
        # "il y a 3 jours" is relative to the day it was read, not a publication date.
        "PARSERS": ["custom-formats", "absolute-time"],
    }
    try:
        parsed = dateparser.parse(text, languages=languages, settings=settings)
    except Exception:  # dateparser raises assorted errors on odd input
        return None
    return parsed.date() if parsed else None
