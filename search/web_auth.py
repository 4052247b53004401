"""The staff token, security headers on every response, and the last-resort error page.

With a staff token the site shows internal documents, so every request must
carry the token: as ``Authorization: Bearer <token>`` (scripts) or as the
cookie the login form sets (people). The cookie holds an HMAC of the token,
not the token itself.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

SESSION_COOKIE = "archive_staff"
#: Paths open without the token: the login form and the stylesheet it needs.
OPEN_PATHS = ("/login",)
OPEN_PREFIXES = ("/static/",)

PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "content-security-policy": PAGE_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


def session_value(token: str) -> str:
    return hmac.new(token.encode("utf-8"), b"archive staff session", hashlib.sha256).hexdigest()


def is_authorised(request, token: str) -> bool:
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() == "bearer" and given:
        return hmac.compare_digest(given.strip().encode("utf-8"), token.encode("utf-8"))
    cookie = request.cookies.get(SESSION_COOKIE, "")
    return bool(cookie) and hmac.compare_digest(cookie.encode("utf-8"), session_value(token).encode("utf-8"))


def safe_next(target: str | None) -> str:
    """Only a path on this site: never ``//elsewhere`` or ``https://elsewhere``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


class Guard:
    """ASGI middleware: token check, security headers, and a plain 500 page for anything unexpected."""

    def __init__(self, app: ASGIApp, site):
        self.app = app
        self.site = site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from starlette.requests import Request

        from .web_params import is_api

        request = Request(scope)
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:  # the file download sets a stricter policy of its own
                        headers[name] = value
            await send(message)

        token = self.site.staff_token
        path = scope["path"]
        if token and path not in OPEN_PATHS and not path.startswith(OPEN_PREFIXES) and not is_authorised(request, token):
            if is_api(request):
                denied: Response = JSONResponse({"detail": "a staff token is required"}, status_code=401,
                                                headers={"WWW-Authenticate": "Bearer"})
            else:
                target = path + ("?" + scope["query_string"].decode("latin-1") if scope.get("query_string") else "")
                denied = RedirectResponse("/login?next=" + quote(target, safe=""), status_code=303)
            await denied(scope, receive, send_with_headers)
            return

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            logger.exception("unexpected error on %s %s", scope.get("method"), path)
            if started:
                return  # too late for an error page; the client sees a cut-off response
            if is_api(request):
                response: Response = JSONResponse({"detail": "internal error"}, status_code=500)
            else:
                response = self.site.error_page(request, 500)
            await response(scope, receive, send_with_headers)


router = APIRouter(include_in_schema=False)


@router.get("/login")
def login_form(request: Request, next: str = "/"):
    return request.app.state.site.render(request, "login.html", next=safe_next(next), wrong=False)


@router.post("/login")
async def login(request: Request, token: str = Form(""), next: str = Form("/")):
    site = request.app.state.site
    if not hmac.compare_digest(token.encode("utf-8"), site.staff_token.encode("utf-8")):
        await asyncio.sleep(0.5)  # slows down guessing
        return site.render(request, "login.html", status_code=401, next=safe_next(next), wrong=True)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, session_value(site.staff_token), httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")
    return response


@router.post("/logout")
def logout(request: Request):
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response
