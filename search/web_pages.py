"""The HTML pages: search, document, original file and overview. They work without JavaScript."""

from __future__ import annotations

import mimetypes
import os
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse

from .charts import series_for, stack, stacked_bars
from indexer.filters import filters_for
from .i18n import Translator
from indexer.contract import FACET_NAMES, Hit, SearchResponse
from .web_params import MAX_CSV_ROWS, SearchParams, flag

router = APIRouter(include_in_schema=False)

FACETS_SHOWN = 8
#: Media types for the formats the archive reads. Markdown is shown as text rather than downloaded.
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "text": "text/plain; charset=utf-8",
    "markdown": "text/plain; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
#: An archived web page is shown inert: sandboxed, no script, no requests elsewhere.
FILE_CSP = {
    "html": "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'",
    "pdf": "default-src 'self'; script-src 'none'; frame-ancestors 'self'",
}


@dataclass
class FacetItem:
    value: str
    label: str
    count: int
    active: bool
    url: str
    #: ``count`` as the reader's language writes it ("1\u202f234"), once rather than in each place the template shows it.
    count_text: str = ""


@dataclass
class Chip:
    label: str
    url: str


@dataclass
class HitEntry:
    """One hit of a list as the page shows it, in the reader's language: the texts are made here, once
    per hit, rather than by calls from the template (each of which costs Jinja more than the work)."""

    hit: Hit
    url: str
    title: str
    date: str
    type: str
    #: The projects' names, comma-separated.
    projects: str
    language: str
    #: "p. 4" or, for a PDF, "open at page 4" (a link); None without a page.
    page: str | None


def _with_query(query: str, cross_language: bool) -> dict:
    """What a link to a document page (or back to the results) carries to mark the search's matches."""
    return {"q": query, "cross_language": "1"} if cross_language else {"q": query}


def hit_entries(site, t: Translator, hits: list[Hit], query: str, cross_language: bool = False) -> list[HitEntry]:
    """The entries of a list of hits; their links carry ``query`` (for the highlights on the document page)
    and whether it was searched across languages (so translations are highlighted too)."""
    suffix = "?" + urlencode(_with_query(query, cross_language)) if query else ""  # the same for every hit: encoded once
    untitled = t("untitled")
    out = []
    for hit in hits:
        url = f"/documents/{hit.id}{suffix}" + (f"#page-{hit.page}" if hit.page else "")
        page = (t("doc_open_page", n=hit.page) if hit.format == "pdf" else t("on_page", n=hit.page)) if hit.page else None
        out.append(HitEntry(hit, url, hit.title or untitled, t.date(hit.date), t.doc_type(hit.type),
                            ", ".join(site.project_name(p) for p in hit.projects),
                            t.language(hit.passage_lang or hit.lang), page))
    return out


def _site(request: Request):
    return request.app.state.site


# --- search ------------------------------------------------------------------------


@router.get("/")
def search_page(request: Request):
    site = _site(request)
    t = Translator(site.ui_lang(request))
    params = site.canonical(SearchParams.from_query(request.query_params))
    response = site.search(params)
    first = (params.page - 1) * params.per_page + 1
    return site.render(
        request, "search.html",
        params=params,
        response=response,
        first=first,
        last=first + len(response.hits) - 1,
        facets=facet_view(site, t, params, response),
        chips=chips(site, t, params),
        pages=page_numbers(params.page, response.pages) if response.total else [],
        entries=hit_entries(site, t, response.hits, params.q, params.cross_language and site.cross_language),
        suggestion_url=replace(params, query=response.suggestion, page=1).url() if response.suggestion else None,
        csv_url=replace(params, page=1, per_page=MAX_CSV_ROWS).url("/api/search.csv"),
        cross_language_available=site.cross_language,
    )


def facet_view(site, t: Translator, params: SearchParams, response: SearchResponse) -> list[dict]:
    label = {"year": str, "lang": t.language, "project": site.project_name, "type": t.doc_type}
    out = []
    for name in FACET_NAMES:
        counts = dict(response.facets.get(name, {}))
        for value in params.values_of(name):
            counts.setdefault(value, 0)  # an active filter stays visible (and removable) at zero
        active = set(params.values_of(name))
        urls = params.toggled_urls(name, counts)
        items = [FacetItem(value, label[name](value), count, value in active, url, t.number(count))
                 for (value, count), url in zip(counts.items(), urls)]
        shown = [item for i, item in enumerate(items) if i < FACETS_SHOWN or item.active]
        more = [item for i, item in enumerate(items) if i >= FACETS_SHOWN and not item.active]
        if items:
            out.append({"name": name, "title": t(f"facet_{name}"), "entries": shown, "more": more})
    return out


def chips(site, t: Translator, params: SearchParams) -> list[Chip]:
    """One removable chip per active filter, labelled in the reader's language."""
    request = params.request(include_internal=False, facets=False)
    label = {"lang": t.language, "type": t.doc_type, "project": site.project_name, "year": str,
             "from": lambda v: t("chip_from", date=t.date(v)), "to": lambda v: t("chip_to", date=t.date(v))}
    return [Chip(label[f.name](f.value), params.without(f.name, f.value).url()) for f in filters_for(request)]


def page_numbers(current: int, last: int) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 20: the first, the last and two either side of the current page; None is a gap."""
    wanted = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    out: list[int | None] = []
    for n in wanted:
        if out and n - out[-1] > 1:  # type: ignore[operator]
            out.append(None)
        out.append(n)
    return out


# --- one document ---------------------------------------------------------------------


@router.get("/documents/{doc_id}")
def document_page(request: Request, doc_id: str, q: str = ""):
    site = _site(request)
    query = q.strip()[:500]
    cross_language = flag(request.query_params, "cross_language")
    view = site.document(doc_id, query, cross_language)  # read once: similar() below reuses it
    if view is None:
        raise HTTPException(404)
    doc = view.to_dict()
    passages, seen = [], set()
    for n, passage in enumerate(doc["passages"], 1):
        page = passage["page"]
        anchor = f"page-{page}" if page and page not in seen else (None if page else f"passage-{n}")
        seen.add(page)
        passages.append(dict(passage, anchor=anchor, n=n))
    match_pages = list(dict.fromkeys(p["page"] for p in passages if p["highlights"] and p["page"]))
    t = Translator(site.ui_lang(request))
    return site.render(
        request, "document.html",
        doc=doc,
        citation=citation(t, doc, site.organisation_name(t), site.permanent_url(request, f"/documents/{doc['id']}")),
        query=query,
        passages=passages,
        matches=sum(len(p["highlights"]) for p in passages),
        match_pages=match_pages,
        paged=any(p["page"] for p in passages),
        similar=hit_entries(site, t, site.similar(doc_id, document=view), ""),
        back_url="/?" + urlencode(_with_query(query, cross_language)) if query else None,
        has_file=_original(doc) is not None,
    )


def citation(t: Translator, doc: dict, organisation: str | None, url: str) -> str:
    """Title. Organisation, date. Permanent address of the document page (without the query).

    Without an organisation: Title. Date. Address (no one is named who has not been configured)."""
    title = (doc.get("title") or t("untitled")).strip()
    date = t.date(doc["date"]) if doc.get("date") else t("cite_no_date")
    published = f"{organisation}, {_sentence(date)}" if organisation else _sentence(date)
    return f"{_sentence(title)} {published} {url}"


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!", "…")) else text + "."


def _original(doc: dict) -> Path | None:
    """The document's file, from the index (never from the request), if it is still there."""
    return _existing(doc.get("path") or "")


def _existing(value: str) -> Path | None:
    path = Path(value)
    return path if path.is_absolute() and path.is_file() else None


@router.get("/documents/{doc_id}/file")
def document_file(request: Request, doc_id: str):
    source = _site(request).source(doc_id)  # one stored field, not every passage
    path = _existing(source[0]) if source else None
    if path is None:
        raise HTTPException(404)
    fmt = source[1]
    media_type = MEDIA_TYPES.get(fmt) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    inline = fmt in ("pdf", "html", "text", "markdown")
    headers = {"content-security-policy": FILE_CSP.get(fmt, "default-src 'none'; sandbox")}
    if fmt in ("html", "text", "markdown"):
        # The charset the archive read the file with (windows-1252 notes, a Latin-1 page): the
        # header's charset is the one a browser believes, so it must not say UTF-8 for those.
        media_type = f"{media_type.split(';')[0]}; charset={_charset_of(path, fmt)}"
    return FileResponse(path, media_type=media_type, filename=os.path.basename(path), headers=headers,
                        content_disposition_type="inline" if inline else "attachment")


#: Python's codec names as HTTP charset labels.
_CHARSET_LABELS = {"utf-8-sig": "utf-8", "cp1252": "windows-1252", "utf-16-le": "utf-16le",
                   "utf-16-be": "utf-16be", "utf-32-le": "utf-32le", "utf-32-be": "utf-32be"}


def _charset_of(path: Path, fmt: str) -> str:
    """The charset of a text or HTML file, as the archive decoded it to index it (UTF-8 when it
    cannot be read or is not HTML any more)."""
    from archive.errors import ArchiveError
    from archive.extractors.html import encoding as html_encoding
    from archive.textutil import text_encoding

    try:
        data = path.read_bytes()
        codec = html_encoding(data) if fmt == "html" else text_encoding(data)
    except (OSError, ArchiveError):
        return "utf-8"
    return _CHARSET_LABELS.get(codec, codec)


# --- overview -------------------------------------------------------------------------


@router.get("/stats")
def stats_page(request: Request):
    site = _site(request)
    t = Translator(site.ui_lang(request))
    stats = site.stats()
    years = sorted(stats["year"], key=lambda y: (y == "unknown", y))
    year_label = {y: (t("year_unknown") if y == "unknown" else y) for y in years}

    # The chart stacks main languages: each document once, so a bar adds up to the year's documents.
    main = stats.get("main_lang", stats["lang"])
    langs = [code for code in ("fr", "nl", "en", "und") if code in main] + \
            [code for code in main if code not in ("fr", "nl", "en", "und")]
    lang_labels = {code: t.language(code) for code in langs}
    project_ids = list(stats["project"])  # most documents first
    project_labels = {p: site.project_name(p) for p in project_ids}

    charts = []
    for key, title, keys, labels, rows, what in (
        ("lang", t("stats_by_lang"), langs, lang_labels, stats["year_lang"], t("what_lang")),
        ("project", t("stats_by_project"), project_ids, project_labels, stats["year_project"], t("what_project")),
    ):
        if not keys:
            continue
        series = series_for(keys, labels, t("stats_other"))
        # The table has a column for every value, even those the chart has no colour left for.
        columns = series_for(keys, labels, t("stats_other"), limit=len(keys))
        table = stack({y: rows.get(y, {}) for y in years}, columns)
        desc = t("stats_chart_desc", what=what)
        svg = stacked_bars(f"chart-{key}", title, desc, [(year_label[y], stack({"": table[y]}, series)[""]) for y in years], series)
        charts.append({"key": key, "title": title, "desc": desc, "svg": svg, "series": columns,
                       "rows": [(year_label[y], table[y], sum(table[y].values())) for y in years],
                       "note": t("stats_project_note") if key == "project" else None})
    return site.render(request, "stats.html", stats=stats, charts=charts,
                       types=[(t.doc_type(k), v, SearchParams(types=(k,)).url()) for k, v in stats["type"].items()])
