"""The web site and JSON API over the search engine: ``create_app(index_dir)`` gives the ASGI app.

The engine is opened once per app (once per worker process with ``archive serve
--workers N``) and shared by every request; it refreshes itself when the index
changes and serialises its own calls; the web layer holds no lock of its own.

Two small ASGI middlewares of this module sit in front of the routes: ``Limiter``
bounds the requests in flight per worker and answers 503 with ``Retry-After``
after a short wait in the queue; ``Caching`` gives pages and API responses an
``ETag`` derived from the index generation and the request, and answers
``If-None-Match`` with 304.

Modules: ``web_pages`` (HTML pages), ``web_api`` (JSON and CSV), ``web_auth``
(staff token, security headers, the last-resort error page), ``web_params``
(URL parameters), ``i18n`` (every interface string) and ``charts`` (SVG).
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import logging
import os
import re
import socket
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
from .names import Organisation, ProjectNames
from indexer.contract import DocumentView, Engine, Hit, SearchRequest, SearchResponse
from indexer.snippets import highlight_html
from .web_params import SearchParams, is_api

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
UI_COOKIE = "ui"
DOC_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


# --- serving: overload and HTTP caching ---------------------------------------------------

#: Requests served at once per worker process (the engine answers one at a time; a few more overlap rendering).
MAX_IN_FLIGHT = 4
#: Seconds a request may wait for its turn before it is answered 503 (``Retry-After``).
QUEUE_WAIT = 1.0
RETRY_AFTER = 1
#: Not limited nor revalidated: files served as they are.
STATIC_PREFIX = "/static/"
BUSY_HTML = (b"<!doctype html><meta charset=utf-8><title>503</title><h1>503</h1>"
             b"<p lang=fr>Le site est tr\xc3\xa8s sollicit\xc3\xa9 : r\xc3\xa9essayez dans un instant.</p>"
             b"<p lang=nl>De site is druk bezet: probeer het zo meteen opnieuw.</p>"
             b"<p lang=en>The site is busy: try again in a moment.</p>")


class Site:
    """What every request needs: the engine, the project names, whose archive it is, the templates and who may see what."""

    def __init__(self, engine: Engine, names: ProjectNames | None = None, staff_token: str | None = None,
                 organisation: Organisation | None = None, setting: str = ""):
        self.engine = engine
        self.names = names or ProjectNames()
        #: From the archive.toml beside the documents, --organisation and --public-url; empty: nobody is named.
        self.organisation = organisation if organisation is not None else Organisation()
        self.staff_token = staff_token or None
        #: Staff see internal documents; everyone else never does.
        self.include_internal = self.staff_token is not None
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, auto_reload=False,
                               lstrip_blocks=True, undefined=StrictUndefined)
        self.env.filters["highlight"] = _highlight
        #: Engines of the contract before ``similar(document=...)`` read the document again.
        self._similar_reuses = "document" in inspect.signature(engine.similar).parameters
        self.env.globals["project_name"] = self.project_name
        #: Changes with the static files: their URLs carry it (``/static/style.css?v=...``), so they can be cached for long.
        self.static_version = _digest(sorted(STATIC.rglob("*")))[:12]
        self.env.globals["static"] = lambda name: f"/static/{name}?v={self.static_version}"
        #: Changes with the code, templates and settings: part of every ETag, with the index generation.
        self.version = hashlib.sha1(
            "|".join((_digest(sorted(HERE.rglob("*.py")) + sorted(TEMPLATES.rglob("*"))), self.static_version,
                      repr(self.organisation), str(self.include_internal), setting)).encode()).hexdigest()[:16]

    @property
    def cross_language(self) -> bool:
        return self.engine.cross_language

    def project_name(self, pid: str) -> str:
        return self.names(pid)

    def canonical(self, params: SearchParams) -> SearchParams:
        """Projects named by their name or in another case (``?project=ALERT``) become their ids."""
        projects = tuple(dict.fromkeys(self.names.id_of(p) for p in params.projects))
        return params if projects == params.projects else replace(params, projects=projects)

    def organisation_name(self, t: Translator) -> str | None:
        """The organisation's name in the reader's language; None when no one is named."""
        return self.organisation.name(t.lang)

    def about(self, t: Translator) -> str:
        """The line saying what the archive is: the organisation's own, else the interface's, with or without a name."""
        name = self.organisation_name(t)
        return self.organisation.about_line(t.lang) or (t("footer", organisation=name) if name else t("footer_anonymous"))

    def permanent_url(self, request: Request, path: str) -> str:
        """``path``'s address for citations: on the public address when one is set, else where the request came."""
        return (self.organisation.public_url or str(request.base_url).rstrip("/")) + path

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

    def document(self, doc_id: str, query: str | None = None, cross_language: bool = False) -> DocumentView | None:
        """``cross_language``: mark what the query's translations match too (when the engine has them)."""
        if not DOC_ID.match(doc_id):
            return None
        return self.engine.document(doc_id, self.include_internal, query or None,
                                    cross_language=cross_language and self.cross_language)

    def similar(self, doc_id: str, limit: int = 5, document: DocumentView | None = None) -> list[Hit]:
        """``document``: the view already read for this request, so the engine does not read it again."""
        if not DOC_ID.match(doc_id):
            return []
        if document is not None and self._similar_reuses:
            return self.engine.similar(doc_id, limit, self.include_internal, document=document)
        return self.engine.similar(doc_id, limit, self.include_internal)

    def source(self, doc_id: str) -> tuple[str, str] | None:
        """(path, format) of the document's file, from one stored field rather than every passage."""
        if not DOC_ID.match(doc_id):
            return None
        if callable(getattr(self.engine, "source", None)):
            return self.engine.source(doc_id, self.include_internal)
        doc = self.engine.document(doc_id, self.include_internal)  # an engine without source()
        return (doc.path, doc.format) if doc is not None else None

    @property
    def generation(self) -> int | None:
        """The index generation, or None for an engine that cannot tell (its answers then carry no ETag)."""
        return getattr(self.engine, "generation", None)

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
        # The same query for every language but its ui=: encoded once.
        kept = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "ui"])
        prefix = request.url.path + "?" + (kept + "&" if kept else "")
        switch = [{"code": code, "name": MESSAGES[code]["language_name"], "current": code == lang,
                   "url": prefix + urlencode([("ui", code)])} for code in UI_LANGUAGES]
        html = self.env.get_template(template).render(
            t=t, ui=lang, switch=switch, staff=self.include_internal, path=request.url.path,
            organisation=self.organisation_name(t), about=self.about(t), **context)
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


def _digest(paths: list[Path]) -> str:
    """A hash of the files' names and contents (the same in every worker process)."""
    digest = hashlib.sha1()
    for path in paths:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


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
    return create_app(path("ARCHIVE_WEB_INDEX"), token, path("ARCHIVE_WEB_GLOSSARY"), path("ARCHIVE_WEB_PROJECTS"),
                      max_in_flight=int(os.environ.get("ARCHIVE_WEB_MAX_IN_FLIGHT") or MAX_IN_FLIGHT),
                      queue_wait=float(os.environ.get("ARCHIVE_WEB_QUEUE_WAIT") or QUEUE_WAIT))


def create_app(index_dir: Path, staff_token: str | None = None, glossary: Path | None = None,
               projects: Path | None = None, organisation: str | None = None,
               max_in_flight: int = MAX_IN_FLIGHT, queue_wait: float = QUEUE_WAIT,
               public_url: str | None = None) -> FastAPI:
    """The site for the index in ``index_dir``; with ``staff_token`` it shows internal documents, to holders of the token only.

    Whose archive it is comes from the ``archive.toml`` nearest above the indexed files (none: the site names
    nobody); ``organisation`` (default: ``$ARCHIVE_ORGANISATION``) replaces its name, ``public_url`` (default:
    ``$ARCHIVE_PUBLIC_URL``) its public address, the base of the citations' permanent URLs (none: the request's).
    ``max_in_flight`` requests are served at once (static files aside); others wait up to ``queue_wait``
    seconds for their turn, then get 503 with ``Retry-After``."""
    from . import web_api, web_auth, web_pages

    whose = Organisation.for_index(Path(index_dir), organisation, public_url)  # before the engine: a bad file stops here
    engine = open_engine(Path(index_dir), glossary)
    setting = "|".join(str(p) for p in (glossary, projects) if p) + \
        (_digest([Path(projects)]) if projects else "")
    site = Site(engine, ProjectNames.for_index(Path(index_dir), projects), staff_token, whose, setting)

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
    # The last added runs first: the token check, then caching (a 304 skips the queue), then the limit.
    app.add_middleware(Limiter, limit=max_in_flight, wait=queue_wait)
    app.add_middleware(Caching, site=site)
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


def _nodelay_protocol():
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    class NoDelayHTTP(AutoHTTPProtocol):  # type: ignore[misc,valid-type]
        """uvicorn's HTTP protocol with ``TCP_NODELAY`` on every connection.

        With ``--workers N`` uvicorn binds the listening socket itself as ``socket.socket(AF_INET)``
        (protocol number 0), so asyncio does not recognise its connections as TCP and leaves Nagle's
        algorithm on: a response written in two parts (head, then body) then waits for the client's
        delayed acknowledgement, about 40 ms on Linux, on every keep-alive request."""

        def connection_made(self, transport) -> None:
            sock = transport.get_extra_info("socket")
            if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
                try:
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                except OSError:
                    pass
            super().connection_made(transport)

    return NoDelayHTTP


#: For ``uvicorn.run(..., http="search.web:NoDelayHTTP")`` (each worker imports it).
NoDelayHTTP = _nodelay_protocol()


class Limiter:
    """ASGI middleware: at most ``limit`` requests in the app at once; the others queue (first come, first
    served) for up to ``wait`` seconds, then get 503 with ``Retry-After`` rather than an ever longer wait."""

    def __init__(self, app, limit: int = MAX_IN_FLIGHT, wait: float = QUEUE_WAIT, retry_after: int = RETRY_AFTER):
        self.app = app
        self.limit = max(1, int(limit))
        self.wait = max(0.0, float(wait))
        self.retry_after = retry_after
        self._semaphore: asyncio.Semaphore | None = None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(STATIC_PREFIX):
            await self.app(scope, receive, send)
            return
        if self._semaphore is None:  # made in the server's event loop
            self._semaphore = asyncio.Semaphore(self.limit)
        try:
            await asyncio.wait_for(self._semaphore.acquire(), self.wait)
        except (asyncio.TimeoutError, TimeoutError):
            await self._busy(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._semaphore.release()

    async def _busy(self, scope, receive, send) -> None:
        from starlette.requests import Request as StarletteRequest
        from starlette.responses import Response

        headers = {"Retry-After": str(self.retry_after), "Cache-Control": "no-store"}
        if is_api(StarletteRequest(scope)):
            response = JSONResponse({"detail": "busy: try again shortly"}, status_code=503, headers=headers)
        else:
            response = Response(BUSY_HTML, status_code=503, media_type="text/html; charset=utf-8", headers=headers)
        await response(scope, receive, send)


class Caching:
    """ASGI middleware: ``ETag`` on pages and API answers, from the index generation, the site's version and
    the request (path, query, UI language, host, staff or not); a matching ``If-None-Match`` gets 304 without
    running the search. Staff answers are ``private, no-store``; versioned static files are cached for a year."""

    def __init__(self, app, site: Site):
        self.app = app
        self.site = site

    def cached(self, path: str) -> bool:
        return path in ("/", "/stats") or path.startswith("/api/") or (
            path.startswith("/documents/") and not path.endswith("/file"))

    def etag(self, request: Request) -> str | None:
        generation = self.site.generation
        if generation is None:
            return None
        path = request.url.path
        lang = "" if is_api(request) else self.site.ui_lang(request)
        key = "\n".join((self.site.version, str(generation), path, request.url.query, lang,
                         request.headers.get("host", ""), "staff" if self.site.include_internal else "public"))
        return 'W/"' + hashlib.sha1(key.encode("utf-8")).hexdigest()[:24] + '"'

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        staff = self.site.include_internal
        if path.startswith(STATIC_PREFIX):
            versioned = b"v=" + self.site.static_version.encode() in scope.get("query_string", b"")
            control = "public, max-age=31536000, immutable" if versioned else "public, max-age=3600"
            await self.app(scope, receive, _with_headers(send, {"cache-control": control}, only_ok=True))
            return
        if scope["method"] not in ("GET", "HEAD") or not self.cached(path):
            extra = {"cache-control": "private, no-store"} if staff else {}
            await self.app(scope, receive, _with_headers(send, extra))
            return
        request = Request(scope)
        etag = self.etag(request)
        control = "private, no-store" if staff else "no-cache"
        if etag and _matches(request.headers.get("if-none-match", ""), etag):
            from starlette.responses import Response

            headers = {"etag": etag, "cache-control": control}
            if not is_api(request):
                headers["vary"] = "Accept-Language, Cookie"
            await Response(status_code=304, headers=headers)(scope, receive, send)
            return

        async def send_tagged(message) -> None:
            if message["type"] == "http.response.start":
                from starlette.datastructures import MutableHeaders

                headers = MutableHeaders(scope=message)
                if staff:
                    if message["status"] == 200 and etag:
                        headers["etag"] = etag
                    headers["cache-control"] = "private, no-store"
                elif message["status"] == 200:
                    if etag:
                        headers["etag"] = etag
                    # A response that sets a cookie (?ui=) is the reader's own.
                    headers["cache-control"] = "private, no-cache" if "set-cookie" in headers else control
                elif "cache-control" not in headers:
                    headers["cache-control"] = "no-store"  # errors: asked again next time
            await send(message)

        await self.app(scope, receive, send_tagged)


def _matches(header: str, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weak comparison) or is ``*``."""
    if not header:
        return False
    bare = etag.removeprefix("W/")
    return any(tag.strip() == "*" or tag.strip().removeprefix("W/") == bare for tag in header.split(","))


def _with_headers(send, extra: dict[str, str], only_ok: bool = False):
    if not extra:
        return send

    async def wrapped(message) -> None:
        if message["type"] == "http.response.start" and (not only_ok or message["status"] in (200, 304)):
            from starlette.datastructures import MutableHeaders

            headers = MutableHeaders(scope=message)
            for name, value in extra.items():
                headers[name] = value
        await send(message)

    return wrapped
