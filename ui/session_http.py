"""The HTTP side of a login that survives a reload: two small Starlette routes mounted by ``dashboard.py``.

Streamlit's own pages can read cookies (``st.context.cookies``) but not set them, and a cookie a
script sets cannot be HttpOnly. So the cookie ``survey_session`` is set here, by the server, in the
answer to a ``fetch`` the page makes right after a login (``ui.session.emit_cookie``):

``POST /_survey/session``  body ``{"ticket": "…", "https": true|false}`` (JSON). The ticket is the
    one-time ticket of the login (``analysis.store.access.create_ticket``: 256 bits, only its
    SHA-256 stored, bound to the browser's address, ``TICKET_SECONDS`` to live). A good ticket is
    burnt and answered with ``Set-Cookie: survey_session=<new session id>; Max-Age=<the rest of the
    login>; Path=/; HttpOnly; SameSite=Strict`` (``Secure`` when the page is on HTTPS). A replayed,
    expired, unknown, malformed or foreign ticket gets a 4xx and sets nothing.
``POST /_survey/logout``   clears the cookie (``Max-Age=0``) unless it still holds an open session:
    ending sessions is the page's business (its logout button ends every session of the account in
    the store first), so this route cannot log anybody out, and a tab whose stale cookie it wants
    to drop cannot clear the fresh one another tab's login has just set.

Both answer ``Cache-Control: no-store``, refuse cross-site requests (``Sec-Fetch-Site``, else
``Origin`` against ``Host``) and bodies over 1 KiB. Failed exchanges are counted per client address
in this process; ``MAX_FAILURES`` within ``FAILURE_WINDOW`` seconds get 429 without touching the
store. An unknown ticket costs one indexed read. With ``server.baseUrlPath`` set the routes live
under that prefix, like Streamlit's own.

``streamlit run dashboard.py`` mounts these routes (``dashboard.py`` is an ``st.App``); started
another way (``streamlit run home.py``, AppTest) :func:`mounted` is False and ``ui.session`` keeps a
login in its tab only.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import re
import time
from collections import deque
from typing import Any
from urllib.parse import urlsplit

__all__ = ["COOKIE", "PREFIX", "MOUNTED_ENV", "MAX_FAILURES", "FAILURE_WINDOW", "routes", "mounted", "path", "client_key",
           "cookie_header"]

COOKIE = "survey_session"
PREFIX = "/_survey"  # not one of Streamlit's reserved prefixes (/_stcore/, /media/, /component/, /static/)
MAX_FAILURES = 20
FAILURE_WINDOW = 300.0
_MAX_BODY = 1024
_MAX_CLIENTS = 10_000
_TICKET_RE = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
_LOG = logging.getLogger("survey.session")
# Set by routes() for this process. An environment variable rather than a module global because
# Streamlit's file watcher evicts edited modules of the app from sys.modules (a re-import would
# forget a global while the routes keep being served).
MOUNTED_ENV = "SURVEY_SESSION_ROUTES"
_failures: dict[str, deque[float]] = {}


def mounted() -> bool:
    """True when this process serves the routes (started through ``dashboard.py``)."""
    return os.environ.get(MOUNTED_ENV) == "1"


def _base() -> str:
    try:
        from streamlit import config

        base = str(config.get_option("server.baseUrlPath") or "").strip("/")
    except Exception:  # noqa: BLE001 — no Streamlit config (tests of the routes alone)
        base = ""
    return f"/{base}" if base else ""


def path(name: str) -> str:
    """The address of route ``name`` (``session`` or ``logout``) on this server, baseUrlPath included."""
    return f"{_base()}{PREFIX}/{name}"


def client_key(address: str | None) -> str:
    """One spelling of a client address for both sides of a ticket: ``local`` for loopback (and none)."""
    from analysis.auth import is_loopback

    if not address or is_loopback(address):
        return "local"
    text = str(address).strip().strip("[]")
    try:
        ip = ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return text[:100]
    mapped = getattr(ip, "ipv4_mapped", None)
    return str(mapped or ip)


def cookie_header(value: str, max_age: int, *, secure: bool) -> str:
    """The ``Set-Cookie`` value of the session cookie (``max_age`` 0 clears it)."""
    parts = [f"{COOKIE}={value}", f"Max-Age={max(0, int(max_age))}", "Path=/", "HttpOnly", "SameSite=Strict"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def _engine() -> Any:
    from analysis.store import get_engine

    return get_engine(os.environ.get("SURVEY_DB_URL") or None)


def _reply(status: int, body: dict[str, Any], cookie: str | None = None) -> Any:
    from starlette.responses import JSONResponse

    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    if status == 429:
        headers["Retry-After"] = str(int(FAILURE_WINDOW))
    response = JSONResponse(body, status_code=status, headers=headers)
    if cookie is not None:
        response.headers.append("Set-Cookie", cookie)
    return response


def _same_origin(request: Any) -> bool:
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None:  # not a browser's cross-site request (those always carry one of the two)
        return True
    return urlsplit(origin).netloc.lower() == str(request.headers.get("host", "")).lower()


def _secure(request: Any, asked: bool = False) -> bool:
    return bool(asked) or request.url.scheme == "https"


def _locked(client: str, now: float) -> bool:
    hits = _failures.get(client)
    if not hits:
        return False
    while hits and hits[0] <= now - FAILURE_WINDOW:
        hits.popleft()
    return len(hits) >= MAX_FAILURES


def _fail(client: str, now: float, status: int, reason: str) -> Any:
    if client not in _failures and len(_failures) >= _MAX_CLIENTS:  # forget the longest-known address
        _failures.pop(next(iter(_failures)))
    _failures.setdefault(client, deque()).append(now)
    return _reply(status, {"ok": False, "error": reason})


async def _body(request: Any) -> bytes | None:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > _MAX_BODY):
        return None
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > _MAX_BODY:
            return None
    return data


async def exchange(request: Any) -> Any:
    """``POST /_survey/session``: a login's one-time ticket for the HttpOnly session cookie."""
    from starlette.concurrency import run_in_threadpool

    from analysis.store.access import redeem_ticket

    now = time.monotonic()
    client = client_key(request.client.host if request.client else None)
    if _locked(client, now):
        return _reply(429, {"ok": False, "error": "too many failed tickets; wait a few minutes"})
    if not _same_origin(request):
        return _fail(client, now, 403, "cross-site request")
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        return _fail(client, now, 415, "expected application/json")
    raw = await _body(request)
    if raw is None:
        return _fail(client, now, 413, "body too large")
    try:
        payload = json.loads(raw)
        ticket = payload.get("ticket") if isinstance(payload, dict) else None
    except ValueError:
        ticket = None
    if not isinstance(ticket, str) or not _TICKET_RE.fullmatch(ticket):
        return _fail(client, now, 400, "malformed ticket")
    try:
        got = await run_in_threadpool(redeem_ticket, _engine(), ticket, client=client)
    except Exception as exc:  # noqa: BLE001 — the store is unavailable: no cookie, the tab stays logged in
        _LOG.warning("session ticket not redeemed: %s", type(exc).__name__)
        return _reply(503, {"ok": False, "error": "store unavailable"})
    if got is None:
        return _fail(client, now, 403, "ticket refused")
    sid, expires_at = got
    from analysis.store.schema import _now

    max_age = int((expires_at - _now()).total_seconds())
    secure = _secure(request, bool(payload.get("https")))
    return _reply(200, {"ok": True, "max_age": max_age}, cookie_header(sid, max_age, secure=secure))


async def logout(request: Any) -> Any:
    """``POST /_survey/logout``: clear the cookie once its session is no longer open."""
    from starlette.concurrency import run_in_threadpool

    from analysis.store import session_user

    if not _same_origin(request):
        return _reply(403, {"ok": False, "error": "cross-site request"})
    sid = request.cookies.get(COOKIE)
    if sid:
        try:
            alive = await run_in_threadpool(session_user, _engine(), sid) is not None
        except Exception:  # noqa: BLE001 — cannot tell: keep the cookie (the store refuses it if dead)
            return _reply(503, {"ok": False, "error": "store unavailable"})
        if alive:
            return _reply(200, {"ok": True, "cleared": False})
    return _reply(200, {"ok": True, "cleared": True}, cookie_header("", 0, secure=_secure(request)))


def routes() -> list[Any]:
    """The two routes for ``st.App(..., routes=routes())``; marks this process as serving them."""
    from starlette.routing import Route

    os.environ[MOUNTED_ENV] = "1"
    return [
        Route(path("session"), exchange, methods=["POST"]),
        Route(path("logout"), logout, methods=["POST"]),
    ]
