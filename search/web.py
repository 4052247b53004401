"""The web site and JSON API over the search engine: ``create_app(index_dir)`` gives the ASGI app.

The engine is opened once per app and shared by every request; it refreshes
itself when the index changes. Engine calls are serialised by a lock: the
engine keeps one Whoosh searcher and a few caches that are not safe to use
from several threads at once, and Whoosh is pure Python, so the lock costs
little under the GIL.

Modules: ``web_pages`` (HTML pages), ``web_api`` (JSON and CSV), ``web_auth``
(staff token, security headers, the last-resort error page), ``web_params``
(URL parameters), ``i18n`` (every interface string) and ``charts`` (SVG).
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from contextlib import asynccontextmanager
from pathlib import Path
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape
from starlette.exceptions import HTTPException

from indexer.engines import open_engine
from indexer.errors import QueryError
from .i18n import EN, UI_LANGUAGES, MESSAGES, Translator, negotiate
from .names import ProjectNames, organisation as organisation_setting
from indexer.contract import Engine, Hit, SearchRequest, SearchResponse
from indexer.snippets import highlight_html
from .web_params import SearchParams, is_api

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
UI_COOKIE = "ui"
DOC_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class Site:
    """What every request needs: the engine, the project names, whose archive it is, the templates and who may see what."""

    def __init__(self, engine: Engine, names: ProjectNames | None = None, staff_token: str | None = None,
                 organisation: str | None = None):
        self.engine = engine
        self.names = names or ProjectNames()
        #: Set by --organisation or $ARCHIVE_ORGANISATION; None: the interface's default (ECPAT Belgique / België / Belgium).
        self.organisation = organisation
        self.staff_token = staff_token or None
        #: Staff see internal documents; everyone else never does.
        self.include_internal = self.staff_token is not None
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, auto_reload=False,
                               lstrip_blocks=True, undefined=StrictUndefined)
        self.env.filters["highlight"] = _highlight
        self.env.globals["project_name"] = self.project_name

    @property
    def cross_language(self) -> bool:
        return self.engine.cross_language

    def project_name(self, pid: str) -> str:
        return self.names(pid)

    def canonical(self, params: SearchParams) -> SearchParams:
        """Projects named by their name or in another case (``?project=ALERT``) become their ids."""
        projects = tuple(dict.fromkeys(self.names.id_of(p) for p in params.projects))
        return params if projects == params.projects else replace(params, projects=projects)

    def organisation_name(self, t: Translator) -> str:
        return self.organisation or t("organisation")

    # -- the engine (it serialises calls itself where it must) -----------------------------

    def search(self, params: SearchParams, facets: bool = True) -> SearchResponse:
        request = params.request(self.include_internal, facets)
        response = self.engine.search(request)
        if response.suggestion and not self.include_internal:
            response.suggestion = self._public_suggestion(params.q, response.suggestion)
        return response

    def _public_suggestion(self, query: str, suggestion: str) -> str | None:
        """Drop a suggestion that brings in a word no public document contains.

        The engine's spelling dictionary is built from every document, internal
        ones included, so a correction could reveal an internal-only word.
        """
        known = {w.lower() for w in query.split()}
        for word in suggestion.split():
            if word.lower() in known or word.upper() in ("AND", "OR", "NOT"):
                continue
            try:
                found = self.engine.search(SearchRequest(word, facets=False, per_page=1))
            except QueryError:
                return None
            if not found.total:
                return None
        return suggestion

    def document(self, doc_id: str, query: str | None = None) -> dict[str, Any] | None:
        if not DOC_ID.match(doc_id):
            return None
        doc = self.engine.document(doc_id, self.include_internal, query or None)
        return doc.to_dict() if doc is not None else None

    def similar(self, doc_id: str, limit: int = 5) -> list[Hit]:
        if not DOC_ID.match(doc_id):
            return []
        return self.engine.similar(doc_id, limit, self.include_internal)

    def stats(self) -> dict[str, Any]:
        return self.engine.stats(self.include_internal).to_dict()

    # -- pages ------------------------------------------------------------------

    def ui_lang(self, request: Request) -> str:
        chosen = request.query_params.get("ui", "")
        if chosen in UI_LANGUAGES:
            return chosen
        saved = request.cookies.get(UI_COOKIE, "")
        if saved in UI_LANGUAGES:
            return saved
        return negotiate(request.headers.get("accept-language"))

    def render(self, request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
        lang = self.ui_lang(request)
        t = Translator(lang)
        switch = []
        for code in UI_LANGUAGES:
            query = [(k, v) for k, v in request.query_params.multi_items() if k != "ui"] + [("ui", code)]
            switch.append({"code": code, "name": MESSAGES[code]["language_name"], "current": code == lang,
                           "url": request.url.path + "?" + urlencode(query)})
        html = self.env.get_template(template).render(
            t=t, ui=lang, switch=switch, staff=self.include_internal, path=request.url.path,
            organisation=self.organisation_name(t), **context)
        response = HTMLResponse(html, status_code=status_code)
        response.headers["Vary"] = "Accept-Language, Cookie"
        if request.query_params.get("ui") in UI_LANGUAGES:
            response.set_cookie(UI_COOKIE, lang, max_age=365 * 24 * 3600, httponly=True, samesite="lax")
        return response

    def error_page(self, request: Request, status_code: int, message: str | None = None) -> HTMLResponse:
        try:
            query = request.query_params.get("q", "")[:500]
            return self.render(request, "error.html", status_code=status_code, status=status_code, message=message, query=query)
        except Exception:  # never let the error page itself fail
            logger.exception("cannot render the error page")
            return HTMLResponse(f"<!doctype html><title>{status_code}</title><h1>Error {status_code}</h1>", status_code)


def _highlight(text: str, spans: list[list[int]]) -> Markup:
    return Markup(highlight_html(text, spans, lambda s: str(escape(s))))


#: The engine's English messages from before errors carried a key (``QueryError.key``), so that
#: they are said in the reader's language until the engine sets the keys itself.
def query_error_message(t: Translator, exc: QueryError, query: str) -> str:
    """The error in the reader's language when its kind is known, else the engine's own (English) words."""
    key, values = getattr(exc, "key", None), dict(getattr(exc, "values", None) or {})
    if key in EN:
        try:
            return t(key, **{"query": query[:100], **values})
        except (KeyError, IndexError, ValueError):
            logger.warning("message %r lacks a value: %r", key, values)
    return str(exc)


def app_from_environment() -> FastAPI:
    """The app for ``archive serve --workers N``: each worker process builds its own from these variables."""
    def path(name: str) -> Path | None:
        value = os.environ.get(name)
        return Path(value) if value else None

    token = os.environ.get("ARCHIVE_STAFF_TOKEN") if os.environ.get("ARCHIVE_WEB_STAFF") == "1" else None
    return create_app(path("ARCHIVE_WEB_INDEX"), token, path("ARCHIVE_WEB_GLOSSARY"), path("ARCHIVE_WEB_PROJECTS"))


def create_app(index_dir: Path, staff_token: str | None = None, glossary: Path | None = None,
               projects: Path | None = None, organisation: str | None = None) -> FastAPI:
    """The site for the index in ``index_dir``; with ``staff_token`` it shows internal documents, to holders of the token only.

    ``organisation`` names whose archive it is (default: ``$ARCHIVE_ORGANISATION``, else the interface's default)."""
    from . import web_api, web_auth, web_pages

    engine = open_engine(Path(index_dir), glossary)
    site = Site(engine, ProjectNames.for_index(Path(index_dir), projects), staff_token, organisation_setting(organisation))

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        engine.close()

    app = FastAPI(
        title="Archive",
        summary="Full-text search across French, Dutch and English publications.",
        version="1",
        docs_url=None,  # the interactive docs load scripts from a CDN, which the CSP forbids
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.site = site
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(web_api.router)
    app.include_router(web_pages.router)
    if site.staff_token:
        app.include_router(web_auth.router)
    app.add_middleware(web_auth.Guard, site=site)

    @app.exception_handler(QueryError)
    async def query_error(request: Request, exc: QueryError):
        if is_api(request):
            return JSONResponse({"detail": str(exc)}, status_code=400)
        t = Translator(site.ui_lang(request))
        return site.error_page(request, 400, query_error_message(t, exc, request.query_params.get("q", "")))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        if is_api(request):
            return await request_validation_exception_handler(request, exc)
        return site.error_page(request, 400, "; ".join(str(e.get("msg", "")) for e in exc.errors()))

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception):
        """An internal error: logged with a reference the user can quote, never shown as their mistake."""
        reference = uuid.uuid4().hex[:12]
        logger.error("internal error %s on %s", reference, request.url.path, exc_info=exc)
        if is_api(request):
            return JSONResponse({"detail": f"internal error (reference {reference})"}, status_code=500)
        t = Translator(site.ui_lang(request))
        return site.error_page(request, 500, t("internal_error", reference=reference))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        if is_api(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return site.error_page(request, exc.status_code)

    return app
