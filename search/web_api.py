"""The JSON API (and CSV export) under ``/api/``, described by FastAPI's OpenAPI document.

Responses have the shapes the CLI prints with ``--format json``: a search gives
``SearchResponse.to_dict()``, a document what ``archive show --format json`` gives.
The models below only describe those shapes in the OpenAPI document (the
handlers return the dictionaries as they are); ``tests/test_web_schema.py``
checks real responses against them.
"""


import datetime as dt
import io
import re
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, BeforeValidator, Field

from .output import write_csv
from .web_params import MAX_CSV_ROWS, MAX_PAGE, MAX_PER_PAGE, MAX_QUERY_CHARS, PER_PAGE, SearchParams

router = APIRouter(prefix="/api", tags=["archive"])

def _lower(value):
    """Codes in any case: ``lang=FR`` is ``lang=fr``."""
    return value.lower() if isinstance(value, str) else value


Lang = Annotated[Literal["fr", "nl", "en", "und"], BeforeValidator(_lower)]
DocType = Annotated[Literal["press_release", "article", "report", "other"], BeforeValidator(_lower)]
Sort = Annotated[Literal["relevance", "date"], BeforeValidator(_lower)]
DocId = Annotated[str, Path(description="Document id, as in search hits.", pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Year = Annotated[int, Field(ge=1, le=9999)]
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date(value):
    """Only ``YYYY-MM-DD``: pydantic alone also reads ``0.0`` as a Unix time (1970-01-01)."""
    if isinstance(value, str):
        if not ISO_DATE.fullmatch(value):
            raise ValueError(f"{value!r} is not a date; use YYYY-MM-DD, for example 2019-05-02")
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a date ({exc}); use YYYY-MM-DD, for example 2019-05-02") from None
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


# --- what the responses look like (for the OpenAPI document) ----------------------------


class ErrorOut(BaseModel):
    detail: str


class HitOut(BaseModel):
    id: str
    title: str
    path: str
    format: str
    type: str
    lang: str
    langs: dict[str, float] = Field(description="Share of the document's text in each language.")
    year: int | None
    date: str | None = Field(description="YYYY-MM-DD, when known.")
    projects: list[str]
    score: float
    page: int | None = Field(description="PDF page of the best passage.")
    passage_lang: str
    snippet: str
    highlights: list[list[int]] = Field(description="[start, end) character offsets of the matches in the snippet.")
    visibility: str


class SearchOut(BaseModel):
    query: str
    total: int
    page: int
    per_page: int
    hits: list[HitOut]
    facets: dict[str, dict[str, int]] = Field(description="For year, lang, project and type: value -> documents.")
    suggestion: str | None = Field(description="A corrected query that finds more, if any.")
    expanded: str | None = Field(description="The query actually run after cross-language expansion, when it differs.")
    notices: list[str] = Field(default_factory=list, description="Parts of the query that were ignored or mended, e.g. a dangling AND.")


class PassageOut(BaseModel):
    page: int | None
    lang: str
    text: str
    highlights: list[list[int]]


class DocumentOut(BaseModel):
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
    page: int | None
    visibility: str
    passages: list[PassageOut]
    text: str


class SimilarOut(BaseModel):
    id: str
    hits: list[HitOut]


class StatsOut(BaseModel):
    documents: int
    passages: int
    year: dict[str, int]
    lang: dict[str, int] = Field(description="Documents with text in each language (as the lang facet and filter count them).")
    main_lang: dict[str, int] = Field(description="Documents by main language (each counted once).")
    project: dict[str, int]
    type: dict[str, int]
    year_lang: dict[str, dict[str, int]] = Field(description="Per year: documents by main language.")
    year_project: dict[str, dict[str, int]]


BAD_QUERY = {400: {"model": ErrorOut, "description": "The query cannot be parsed."}}
NOT_FOUND = {404: {"model": ErrorOut, "description": "No such (public) document."}}


def search_parameters(max_per_page: int, default_per_page: int):
    """A dependency reading the search parameters; the CSV export allows bigger pages."""

    def dependency(
        q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="Query in Whoosh syntax: words (all required), OR, NOT, \"a phrase\", prefix*, fuzzy~, title:word. Empty: every document.")] = "",
        lang: Annotated[list[Lang], Query(description="Language of the text (repeatable): documents with a passage in it.")] = [],
        year: Annotated[list[Year], Query(description="Year of publication (repeatable).")] = [],
        project: Annotated[list[str], Query(description="Project id (repeatable); a project's name is accepted too.")] = [],
        type: Annotated[list[DocType], Query(description="Document type (repeatable).")] = [],
        date_from: Annotated[IsoDate | None, Query(alias="from", description="Published on or after (YYYY-MM-DD).")] = None,
        date_to: Annotated[IsoDate | None, Query(alias="to", description="Published on or before (YYYY-MM-DD).")] = None,
        sort: Sort = "relevance",
        page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
        per_page: Annotated[int, Query(ge=1, le=max_per_page)] = default_per_page,
        cross_language: Annotated[bool, Query(description="Also search the glossary's translations of the query's terms.")] = False,
    ) -> SearchParams:
        return SearchParams(q.strip(), tuple(dict.fromkeys(lang)), tuple(dict.fromkeys(year)), tuple(dict.fromkeys(project)),
                            tuple(dict.fromkeys(type)), date_from, date_to, sort, page, per_page, cross_language)

    return dependency


def _site(request: Request):
    return request.app.state.site


@router.get("/search", summary="Search the archive", responses={200: {"model": SearchOut}, **BAD_QUERY})
def api_search(request: Request, params: Annotated[SearchParams, Depends(search_parameters(MAX_PER_PAGE, PER_PAGE))]):
    """Ranked documents with a highlighted snippet each, facet counts and a spelling suggestion."""
    site = _site(request)
    return JSONResponse(site.search(site.canonical(params)).to_dict())


@router.get("/search.csv", summary="Export search results as CSV", response_class=Response,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}, **BAD_QUERY})
def api_search_csv(request: Request, params: Annotated[SearchParams, Depends(search_parameters(MAX_CSV_ROWS, MAX_CSV_ROWS))]):
    """The same search as ``/api/search``, one row per hit (up to 1000 per page)."""
    site = _site(request)
    response = site.search(site.canonical(params), facets=False)
    buffer = io.StringIO()
    write_csv(response, buffer)
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="archive-search.csv"'})


@router.get("/documents/{doc_id}", summary="One document with its passages",
            responses={200: {"model": DocumentOut}, **NOT_FOUND})
def api_document(request: Request, doc_id: DocId,
                 q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="Highlight this query's matches.")] = ""):
    doc = _site(request).document(doc_id, q.strip())
    if doc is None:
        raise HTTPException(404, "no such document")
    return JSONResponse(doc)


@router.get("/documents/{doc_id}/similar", summary="Documents similar to one document",
            responses={200: {"model": SimilarOut}, **NOT_FOUND})
def api_similar(request: Request, doc_id: DocId, limit: Annotated[int, Query(ge=1, le=50)] = 5):
    site = _site(request)
    if site.document(doc_id) is None:
        raise HTTPException(404, "no such document")
    return JSONResponse({"id": doc_id, "hits": [hit.to_dict() for hit in site.similar(doc_id, limit)]})


@router.get("/stats", summary="Counts of documents per year, language, project and type",
            responses={200: {"model": StatsOut}})
def api_stats(request: Request):
    return JSONResponse(_site(request).stats())
