"""Metadata the file does not state outright: projects, type, date; and staff overrides (sidecars)."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .model import LANGUAGES, TYPES, UNDETERMINED, VISIBILITIES, Document
from .textutil import LazyRegex, fold

SIDECAR_SUFFIXES = (".meta.json", ".meta.toml")


@dataclass(frozen=True)
class Project:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    case_sensitive: tuple[str, ...] = ()


class Vocabulary:
    """The projects of the organisation, matched in text accent- and case-insensitively.

    Short names that are also common words (ALERT, ReACT) can be listed under
    ``case_sensitive`` so that "alert" in a sentence is not taken for the project.
    """

    def __init__(self, projects: list[Project]):
        self.projects = {p.id: p for p in projects}
        folded: list[tuple[str, str]] = []
        exact: list[tuple[str, str]] = []
        for p in projects:
            exact_names = set(p.case_sensitive)
            for name in (p.name, *p.aliases):
                if name not in exact_names:
                    folded.append((_normalise(fold(name)), p.id))
            for name in exact_names:
                exact.append((_normalise(_strip_accents(name)), p.id))
        self._folded = _alternation(folded)
        self._exact = _alternation(exact)
        self._owner = {alias: pid for alias, pid in folded} | {alias: pid for alias, pid in exact}

    @classmethod
    def load(cls, path: Path) -> "Vocabulary":
        import tomllib  # not on the path of a search whose index has no vocabulary

        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read the project vocabulary: {exc}") from exc
        projects = []
        for pid, entry in data.items():
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                raise ConfigError(f"{path}: project {pid!r} needs a name")
            projects.append(
                Project(
                    id=pid,
                    name=entry["name"],
                    aliases=tuple(entry.get("aliases", ())),
                    case_sensitive=tuple(entry.get("case_sensitive", ())),
                )
            )
        return cls(projects)

    @classmethod
    def empty(cls) -> "Vocabulary":
        return cls([])

    def match(self, text: str) -> list[str]:
        """Project ids named in ``text``, in vocabulary order."""
        found: set[str] = set()
        if self._folded is not None:
            for m in self._folded.finditer(_normalise(fold(text))):
                found.add(self._owner[f" {m.group(0)} "])
        if self._exact is not None:
            for m in self._exact.finditer(_normalise(_strip_accents(text))):
                found.add(self._owner[f" {m.group(0)} "])
        return [pid for pid in self.projects if pid in found]

    def name(self, pid: str) -> str:
        project = self.projects.get(pid)
        return project.name if project else pid


def _strip_accents(text: str) -> str:
    return fold(text, lower=False)


def _normalise(text: str) -> str:
    """Punctuation becomes space so that "(Dé)clic", "Dé-clic" and "Déclic " line up."""
    return " " + re.sub(r"[^\w]+", " ", text).strip() + " "


def _alternation(names: list[tuple[str, str]]) -> re.Pattern[str] | None:
    keys = sorted({alias for alias, _ in names if alias.strip()}, key=len, reverse=True)
    if not keys:
        return None
    # Text and names are padded with spaces; look-arounds leave those spaces
    # unconsumed so that two adjacent names are both found.
    return re.compile("(?<= )(?:" + "|".join(re.escape(k.strip()) for k in keys) + ")(?= )")


# --- titles -----------------------------------------------------------------

#: Titles are at most this long; a longer line is body text.
MAX_TITLE_CHARS = 300
_TITLE_QUOTES = "\"'“”„«»‘’‚‹›"
_TITLE_WORD = LazyRegex(r"[^\W\d_]{2,}")
_TITLE_LETTER = LazyRegex(r"[^\W\d_]")
#: Printers' and viewers' lines, and page counters.
_PRINTER = LazyRegex(
    r"^(?:printed\s+(?:by|on|from|with)|imprimé\s+(?:par|le|à)|gedrukt\s+(?:door|op)|print(?:ed)?\s+date)\b"
    r"|^(?:page|pagina|blz|bladzijde|p)\b\.?\s*\d*\s*(?:(?:/|of|sur|de|van)\s*\d+)?\s*$",
    re.I,
)
#: Headings of any document: tables of contents and numbered parts.
_GENERIC = LazyRegex(
    r"^(?:sommaire|table\s+des\s+mati[èe]res|contents|table\s+of\s+contents|inhoud|inhoudsopgave|inhoudstafel"
    r"|inhoudstabel|index|annexes?|bijlagen?|appendix|appendices|summary|résumé|samenvatting"
    r"|(?:partie|deel|part|chapitre|hoofdstuk|chapter|section|afdeling|titre|titel|title|article|artikel|annexe"
    r"|bijlage|annex|livre|boek|book)\s+(?:[ivxlcdm]+|\d+|[a-z])\b\.?)$",
    re.I,
)
#: Words that a date is made of, in French, Dutch and English.
_DATE_WORDS = LazyRegex(
    r"\b(?:jan(?:vier|uari|uary)?|f[ée]v(?:rier)?|feb(?:ruari|ruary)?|mars|maart|march|mar|avr(?:il)?|april|apr"
    r"|mai|mei|may|juin|juni|june|jun|juil(?:let)?|juli|july|jul|ao[uû]t|augustus|august|aug|sept?(?:embre|ember)?"
    r"|oct(?:obre|ober)?|okt(?:ober)?|nov(?:embre|ember)?|d[ée]c(?:embre)?|dec(?:ember)?"
    r"|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|maandag|dinsdag|woensdag|donderdag|vrijdag"
    r"|zaterdag|zondag|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|le|the|of|den|de)\b",
    re.I,
)
#: "Page 3/12", "page 3 of 12": a header or footer, whatever else the line says.
_PAGE_COUNTER = LazyRegex(r"\b(?:page|pagina|blz|p)\.?\s*\d+\s*(?:/|of|sur|de|van)\s*\d+\b", re.I)
_FILE_NAME = LazyRegex(r"\b[\w-]+\.(?:pdf|docx?|odt|rtf|txt|tiff?|jpe?g|png|xlsx?|pptx?|html?|tex|ps|indd|qxd)\b",
                        re.I)


def plausible_title(text: str) -> bool:
    """Whether a line could be a title at all: words, not a page number, a
    printer's line, a date, a file name or a generic heading ("Sommaire")."""
    text = text.strip().strip(_TITLE_QUOTES + " ")
    if not 3 <= len(text) <= MAX_TITLE_CHARS:
        return False
    words = _TITLE_WORD.findall(text)
    if not words or _FILE_NAME.search(text) or _PRINTER.match(text) or _PAGE_COUNTER.search(text):
        return False
    if _GENERIC.match(text.rstrip(" .:")):
        return False
    letters = len(_TITLE_LETTER.findall(text))
    if letters < 0.5 * len(text.replace(" ", "")):
        return False  # "- 98 /1-1995 (S.E.)", "N° 1687", "47698"
    return bool(_TITLE_WORD.findall(_DATE_WORDS.sub(" ", text)))  # "Mittwoch Mai 30, 2018" is only a date


# --- type -------------------------------------------------------------------

#: Labels that open a publication of that type ("COMMUNIQUÉ DE PRESSE", "Persbericht – ...",
#: "Note d'analyse – ..."), looked for at the start of the title and of the first paragraphs.
_LABELS = {
    "press_release": ("communique de presse", "communique", "persbericht", "perscommunique", "press release",
                      "news release", "media release", "pour diffusion immediate", "for immediate release",
                      "voor onmiddellijke publicatie", "embargo"),
    "article": ("note d analyse", "analysis note", "analysenota", "opinion", "opinie", "tribune", "carte blanche",
                "editorial", "edito", "blog", "interview", "column"),
}
#: Names of a report, wherever they stand in the title or its first lines.
_REPORT_NAMES = ("rapport d activites", "rapport d activite", "rapport annuel", "rapport moral", "jaarverslag",
                 "activiteitenverslag", "jaarrapport", "annual report", "activity report", "activities report")
#: Words that make a report of a file (a PDF, a Word file, a note) when its title has them;
#: a web page with them in its title is usually news about a report.
_REPORT_WORDS = ("rapport", "verslag", "report", "etude", "studie", "study", "analyse", "analysis", "brochure",
                 "onderzoek", "research", "enquete", "survey", "evaluation", "evaluatie", "white paper",
                 "livre blanc", "witboek", "guide", "gids", "handleiding", "toolkit")
#: How many paragraphs of the text's beginning may hold a label.
LABEL_PARAGRAPHS = 3


def guess_type(doc: Document) -> str:
    """press_release, article, report or other: what the file declares precisely
    (JSON-LD, address), else the labels and names in the title and at the start of
    the text (FR/NL/EN), else what the file calls itself loosely (og:type article)
    and how it looks. Sidecars are applied afterwards and win."""
    hinted = str(doc.hints.get("type", "")).lower().replace("-", "_").replace(" ", "_")
    if hinted in ("press_release", "report"):
        return hinted
    title = _normalise(fold(doc.title))
    heads = [title] + [_normalise(fold(p)) for p in _first_paragraphs(doc.text, LABEL_PARAGRAPHS)]
    for kind in ("press_release", "article"):
        if any(head.startswith(f" {label} ") for head in heads for label in _LABELS[kind]):
            return kind
    if any(f" {name} " in head for head in heads for name in _REPORT_NAMES):
        return "report"
    if doc.format != "html" and any(f" {word} " in title for word in _REPORT_WORDS):
        return "report"
    if hinted in TYPES:
        return hinted
    if doc.format == "pdf" and (doc.hints.get("pages") or len(doc.passages)) >= 3:
        return "report"
    if doc.format == "html":
        return "article"
    return "other"


def _first_paragraphs(text: str, count: int) -> list[str]:
    out = []
    for para in re.split(r"\n\s*\n", text[:2000]):
        if para.strip():
            out.append(para.split("\n", 1)[0][:200])
            if len(out) == count:
                break
    return out


# --- dates ------------------------------------------------------------------

_YEAR = LazyRegex(r"(?<!\d)(19[9]\d|20\d\d)(?!\d)")


def title_year(doc: Document) -> int | None:
    """The year a report's title names ("Rapport d'activités 2019"), when it names exactly one."""
    years = set(_YEAR.findall(doc.title))
    return int(years.pop()) if len(years) == 1 else None


def resolve_date(doc: Document) -> dt.date | None:
    """The publication date: stated by the extractor, else in the text, else the file's own metadata."""
    if doc.date:
        return doc.date
    from .dates import find_date, parse_date  # dateparser is slow to import; only when needed

    stated = doc.hints.get("date")
    if stated:
        parsed = parse_date(str(stated))
        if parsed:
            return parsed
    found = find_date(doc.text[:3000])
    if found:
        return found
    for key in ("pdf_created", "docx_created"):
        value = doc.hints.get(key)
        if value:
            try:
                return dt.date.fromisoformat(str(value)[:10])
            except ValueError:
                continue
    return None


# --- sidecars ---------------------------------------------------------------

def sidecar_for(path: Path) -> Path | None:
    for suffix in SIDECAR_SUFFIXES:
        candidate = path.with_name(path.name + suffix)
        if candidate.is_file():
            return candidate
    return None


def is_sidecar(path: Path) -> bool:
    return path.name.endswith(SIDECAR_SUFFIXES)


def read_sidecar(path: Path) -> dict[str, Any]:
    """Read and validate a sidecar; raises ConfigError naming the file and the field."""
    import tomllib

    try:
        raw = path.read_bytes()
        data = json.loads(raw) if path.name.endswith(".json") else tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read the sidecar: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the sidecar must hold an object of fields")
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "title":
            out[key] = str(value)
        elif key == "date":
            try:
                out[key] = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
            except ValueError:
                raise ConfigError(f"{path}: date must be YYYY-MM-DD, not {value!r}") from None
        elif key == "year":
            try:
                out["year_override"] = int(value)
            except (TypeError, ValueError):
                raise ConfigError(f"{path}: year must be a number, not {value!r}") from None
        elif key == "type":
            _check(path, key, value, TYPES)
            out[key] = value
        elif key == "visibility":
            _check(path, key, value, VISIBILITIES)
            out[key] = value
        elif key == "lang":
            _check(path, key, value, (*LANGUAGES, UNDETERMINED))
            out[key] = value
        elif key == "projects":
            if isinstance(value, str):
                value = [value]
            out[key] = [str(v) for v in value]
        else:
            raise ConfigError(f"{path}: unknown field {key!r} (known: title, date, year, type, projects, lang, visibility)")
    return out


def _check(path: Path, key: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{path}: {key} must be one of {', '.join(allowed)}, not {value!r}")


def apply_overrides(doc: Document, overrides: dict[str, Any]) -> None:
    for key, value in overrides.items():
        setattr(doc, key, value)
    if "lang" in overrides:
        doc.langs = {overrides["lang"]: 1.0} if overrides["lang"] != UNDETERMINED else {}


def find_vocabulary(paths: list[Path], explicit: Path | None = None) -> Path | None:
    """The project vocabulary to use: the one given, else ``$ARCHIVE_PROJECTS``, else the
    nearest ``projects.toml`` in a given folder or one of its parents."""
    import os

    if explicit is not None:
        return explicit
    env = os.environ.get("ARCHIVE_PROJECTS")
    if env:
        return Path(env)
    for start in paths:
        folder = Path(os.path.abspath(start))
        folder = folder if folder.is_dir() else folder.parent
        for candidate in (folder, *folder.parents):
            if (candidate / "projects.toml").is_file():
                return candidate / "projects.toml"
    return None
