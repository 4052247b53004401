"""The JSON API (and CSV export) under ``/api/``, described by FastAPI's OpenAPI document.

Responses have the shapes the CLI prints with ``--format json``: a search gives
``SearchResponse.to_dict()``, a document what ``archive show --format json`` gives.
The models below only describe those shapes in the OpenAPI document (the
handlers return the dictionaries as they are); ``tests/test_web_schema.py``
checks real responses against them.
"""


import dataclasses
import datetime as dt
import inspect
import io
import typing
from typing import Annotated, Literal, Optional

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, BeforeValidator, Field, create_model

from indexer.contract import DocumentView, Hit, PassageView, SearchResponse, Stats

from .output import write_csv
from .parameters import BY_FIELD, BY_NAME, MAX_PER_PAGE, MAX_QUERY_CHARS, MAX_ROWS, PARAMETERS, Parameter, parse_day
from .web_params import SearchParams

router = APIRouter(prefix="/api", tags=["archive"])

def _lower(value):
    """Codes in any case: ``lang=FR`` is ``lang=fr``."""
    return value.lower() if isinstance(value, str) else value


DocId = Annotated[str, Path(description="Document id, as in search hits.", pattern=r"^[A-Za-z0-9_-]{1,64}$")]


def _iso_date(value):
    """Only ``YYYY-MM-DD``: pydantic alone also reads ``0.0`` as a Unix time (1970-01-01)."""
    return parse_day(value) if isinstance(value, str) else value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


# --- what the responses look like (for the OpenAPI document) ----------------------------


def model_of(cls, name: str, descriptions: dict[str, str], types: dict | None = None, exclude: tuple[str, ...] = (),
             **extra) -> type[BaseModel]:
    """A response model derived from one of the contract's dataclasses (its fields and types,
    declared once there), with descriptions for the OpenAPI document; ``types`` replaces a
    field's type (by another response model), ``extra`` adds (type, description) fields."""
    hints = {**typing.get_type_hints(cls), **(types or {})}
    fields = {f.name: (hints[f.name], Field(description=descriptions.get(f.name)))
              for f in dataclasses.fields(cls) if f.name not in exclude}
    for key, (kind, description) in extra.items():
        fields[key] = (kind, Field(description=description))
    return create_model(name, **fields)


HitOut = model_of(Hit, "HitOut", {
    "langs": "Share of the document's text in each language.",
    "date": "YYYY-MM-DD, when known.",
    "page": "PDF page of the best passage.",
    "passage_lang": "Language of the best passage.",
    "highlights": "[start, end) character offsets of the matches in the snippet.",
    "visibility": "public, or internal (staff only).",
})
SearchOut = model_of(SearchResponse, "SearchOut", {
    "facets": "For year, lang, project and type: value -> documents.",
    "suggestion": "A corrected query that finds more, if any.",
    "expanded": "The translations added by cross-language search, when any.",
    "notices": "Parts of the query that were ignored or mended, e.g. a dangling AND.",
}, types={"hits": list[HitOut]}, exclude=("notice_keys",))
PassageOut = model_of(PassageView, "PassageOut", {"highlights": "[start, end) character offsets of the matches in the text."})
DocumentOut = model_of(DocumentView, "DocumentOut", {"passages": "Every passage (a PDF page or a paragraph-sized chunk), in order."},
                       types={"passages": list[PassageOut]}, text=(str, "The passages' text, joined."))
StatsOut = model_of(Stats, "StatsOut", {
    "lang": "Documents with text in each language (as the lang facet and filter count them).",
    "main_lang": "Documents by main language (each counted once).",
    "year_lang": "Per year: documents by main language.",
})


class ErrorOut(BaseModel):
    detail: str


class SimilarOut(BaseModel):
    id: str
    hits: list[HitOut]


BAD_QUERY = {400: {"model": ErrorOut, "description": "The query cannot be parsed."}}
NOT_FOUND = {404: {"model": ErrorOut, "description": "No such (public) document."}}


def search_parameters(max_per_page: int, default_per_page: int):
    """A dependency reading the search parameters (``parameters.PARAMETERS``, declared to FastAPI
    from that table); the CSV export allows bigger pages."""
    declared = []
    for parameter in PARAMETERS:
        maximum = max_per_page if parameter.name == "per_page" else parameter.maximum
        default = default_per_page if parameter.name == "per_page" else parameter.default
        declared.append(inspect.Parameter(parameter.field, inspect.Parameter.KEYWORD_ONLY,
                                          annotation=_declared_type(parameter, maximum),
                                          default=list(default) if parameter.repeat else default))

    def dependency(**values) -> SearchParams:
        settings = {field: tuple(dict.fromkeys(value)) if BY_FIELD[field].repeat else value for field, value in values.items()}
        return SearchParams(**dict(settings, query=settings["query"].strip()))

    dependency.__signature__ = inspect.Signature(declared, return_annotation=SearchParams)
    return dependency


def _declared_type(parameter: Parameter, maximum: int | None):
    """A parameter's type and constraints as FastAPI reads them."""
    item = {"choice": Annotated[Literal[parameter.choices], BeforeValidator(_lower)], "int": int,
            "date": IsoDate, "flag": bool, "text": str}[parameter.kind]
    limits = {}
    if parameter.kind == "int":
        limits = {"ge": parameter.minimum, "le": maximum}
    elif maximum is not None:
        limits = {"max_length": maximum}
    if parameter.repeat:
        if limits:
            item = Annotated[item, Field(**limits)]
        return Annotated[list[item], Query(alias=parameter.name, description=parameter.help)]
    if parameter.kind == "date":
        item = Optional[item]
    return Annotated[item, Query(alias=parameter.name, description=parameter.help, **limits)]


def _site(request: Request):
    return request.app.state.site


@router.get("/search", summary="Search the archive", responses={200: {"model": SearchOut}, **BAD_QUERY})
def api_search(request: Request, params: Annotated[SearchParams, Depends(search_parameters(MAX_PER_PAGE, BY_NAME["per_page"].default))]):
    """Ranked documents with a highlighted snippet each, facet counts and a spelling suggestion."""
    site = _site(request)
    return JSONResponse(site.search(site.canonical(params)).to_dict())


@router.get("/search.csv", summary="Export search results as CSV", response_class=Response,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}, **BAD_QUERY})
def api_search_csv(request: Request, params: Annotated[SearchParams, Depends(search_parameters(MAX_ROWS, MAX_ROWS))]):
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
                 q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="Highlight this query's matches.")] = "",
                 cross_language: Annotated[bool, Query(description="Highlight the matches of the query's translations "
                                                                   "too, as a cross-language search finds them.")] = False):
    doc = _site(request).document(doc_id, q.strip(), cross_language)
    if doc is None:
        raise HTTPException(404, "no such document")
    return JSONResponse(doc.to_dict())


@router.get("/documents/{doc_id}/similar", summary="Documents similar to one document",
            responses={200: {"model": SimilarOut}, **NOT_FOUND})
def api_similar(request: Request, doc_id: DocId, limit: Annotated[int, Query(ge=1, le=50)] = 5):
    site = _site(request)
    doc = site.document(doc_id)  # read once: for the 404, then handed to similar()
    if doc is None:
        raise HTTPException(404, "no such document")
    return JSONResponse({"id": doc_id, "hits": [hit.to_dict() for hit in site.similar(doc_id, limit, document=doc)]})


@router.get("/stats", summary="Counts of documents per year, language, project and type",
            responses={200: {"model": StatsOut}})
def api_stats(request: Request):
    return JSONResponse(_site(request).stats())
