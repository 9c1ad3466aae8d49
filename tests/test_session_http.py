"""The HttpOnly session cookie (issue 16): one-time tickets in the store and the two routes of ui.session_http.

The store part runs on SQLite and, with ``SURVEY_TEST_PG_URL``, PostgreSQL (two threads racing on
one ticket: exactly one wins). The routes are driven through ASGI directly (a Starlette app holding
only them), the way uvicorn calls them inside ``st.App``. Expected answers are the issue's rules: a
ticket works once, from the address it was issued to, for 60 seconds; the cookie is ``HttpOnly;
SameSite=Strict; Path=/`` for the rest of the login; a refused ticket sets nothing; a logout clears.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import json
import re
import threading

import bcrypt
import pytest
import sqlalchemy as sa

from analysis import auth, store
from analysis.store import access as sa_access
from tests.test_store import db_url, engine  # noqa: F401  (fixtures: both back ends)
from ui import session_http

PW = "correct horse"
T0 = dt.datetime(2026, 3, 1, 9, 0, 0)
CLIENT = "203.0.113.5"


@pytest.fixture
def fast_bcrypt(monkeypatch):
    monkeypatch.setattr(auth, "_ROUNDS", 4)
    monkeypatch.setattr(auth, "_DUMMY_HASH", bcrypt.hashpw(b"x", bcrypt.gensalt(4)))


# --- store: tickets --------------------------------------------------------------------------------

def test_ticket_gives_a_second_session_of_the_same_login_once(engine, fast_bcrypt):  # noqa: F811
    auth.create_user(engine, "李", PW)
    tab = store.create_session(engine, "李", hours=8, now=T0)
    ticket = store.create_ticket(engine, tab, client=CLIENT, now=T0)
    got = store.redeem_ticket(engine, ticket, client=CLIENT, now=T0 + dt.timedelta(seconds=59))
    assert got is not None
    sid, expires = got
    assert sid != tab and sid != ticket and len(sid) >= 43
    assert expires == T0 + dt.timedelta(hours=8)  # the login's expiry, not a fresh 8 hours
    assert store.session_user(engine, sid, now=T0).name == "李"
    assert store.redeem_ticket(engine, ticket, client=CLIENT, now=T0 + dt.timedelta(seconds=1)) is None  # replayed
    with engine.connect() as conn:  # neither the ticket nor the ids are stored in the clear
        dump = repr(conn.execute(sa.select(sa_access.session_tickets)).all())
        dump += repr(conn.execute(sa.select(sa_access.sessions)).all())
    assert ticket not in dump and sid not in dump and tab not in dump
    # the logout of either session ends both
    assert store.end_session(engine, sid, now=T0) == 2
    assert store.session_user(engine, tab, now=T0) is None


def test_expired_unknown_foreign_and_ended_tickets_are_refused(engine, fast_bcrypt):  # noqa: F811
    auth.create_user(engine, "王", PW)
    tab = store.create_session(engine, "王", now=T0)
    old = store.create_ticket(engine, tab, client=CLIENT, now=T0)
    assert store.redeem_ticket(engine, old, client=CLIENT, now=T0 + dt.timedelta(seconds=60)) is None  # 60 s: expired
    assert store.redeem_ticket(engine, "A" * 43, client=CLIENT, now=T0) is None
    assert store.redeem_ticket(engine, "", client=CLIENT, now=T0) is None
    foreign = store.create_ticket(engine, tab, client=CLIENT, now=T0)
    assert store.redeem_ticket(engine, foreign, client="198.51.100.7", now=T0) is None
    assert store.redeem_ticket(engine, foreign, client=CLIENT, now=T0) is None  # burnt by the foreign attempt
    audit = store.list_audit(engine)
    assert "ticket_refused" in set(audit["action"])
    # a logout or a password change between the login and the exchange
    late = store.create_ticket(engine, tab, client=CLIENT, now=T0)
    store.end_session(engine, tab, now=T0)
    assert store.redeem_ticket(engine, late, client=CLIENT, now=T0) is None
    tab2 = store.create_session(engine, "王", now=T0)
    pending = store.create_ticket(engine, tab2, client=CLIENT, now=T0)
    auth.set_password(engine, "王", "another horse")
    assert store.redeem_ticket(engine, pending, client=CLIENT, now=T0) is None
    with pytest.raises(ValueError):  # no ticket for an ended session
        store.create_ticket(engine, tab2, client=CLIENT, now=T0)
    with engine.connect() as conn:  # refusals started no session
        assert conn.execute(sa.select(sa.func.count()).select_from(sa_access.sessions)).scalar() == 2


def test_two_replicas_racing_on_one_ticket_one_wins(engine, fast_bcrypt):  # noqa: F811
    auth.create_user(engine, "赵", PW)
    tab = store.create_session(engine, "赵")
    ticket = store.create_ticket(engine, tab, client=CLIENT)
    results: list = []
    barrier = threading.Barrier(4)

    def redeem() -> None:
        barrier.wait()
        results.append(store.redeem_ticket(engine, ticket, client=CLIENT))

    threads = [threading.Thread(target=redeem) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert len(results) == 4 and sum(r is not None for r in results) == 1


def test_old_tickets_are_deleted(engine, fast_bcrypt):  # noqa: F811
    auth.create_user(engine, "钱", PW)
    tab = store.create_session(engine, "钱", hours=72, now=T0)
    store.create_ticket(engine, tab, client=CLIENT, now=T0)
    store.create_ticket(engine, tab, client=CLIENT, now=T0 + dt.timedelta(days=2))
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(sa_access.session_tickets)).scalar() == 1


# --- the routes ------------------------------------------------------------------------------------

def _call(app, method: str, path: str, *, body: bytes = b"", headers: dict[str, str] | None = None,
          client: str = CLIENT, scheme: str = "http") -> tuple[int, dict[str, list[str]], dict]:
    """One HTTP request through the ASGI app: status, headers (lower-case name → values), JSON body."""
    hdrs = {"host": "dashboard.example", **{k.lower(): v for k, v in (headers or {}).items()}}
    if body:
        hdrs.setdefault("content-length", str(len(body)))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": scheme,
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in hdrs.items()],
        "client": (client, 50000), "server": ("dashboard.example", 443 if scheme == "https" else 80),
    }
    sent = False
    messages: list[dict] = []

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        messages.append(message)

    # A thread of its own: the browser tests' Playwright (sync API) keeps an event loop running on
    # this thread for the whole session, and asyncio.run refuses to nest.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result(60)
    start = messages[0]
    out: dict[str, list[str]] = {}
    for k, v in start["headers"]:
        out.setdefault(k.decode("latin-1").lower(), []).append(v.decode("latin-1"))
    data = b"".join(m.get("body", b"") for m in messages[1:])
    is_json = out.get("content-type", [""])[0].startswith("application/json")
    return start["status"], out, json.loads(data) if data and is_json else {}


@pytest.fixture
def app(engine, monkeypatch):  # noqa: F811
    from starlette.applications import Starlette

    monkeypatch.setenv("SURVEY_DB_URL", str(engine.url.render_as_string(hide_password=False)))
    monkeypatch.setenv(session_http.MOUNTED_ENV, "0")  # routes() marks the process; undone after the test
    monkeypatch.setattr(session_http, "_failures", {})
    routes = session_http.routes()
    assert session_http.mounted()
    return Starlette(routes=routes)


def _ticket(engine, name: str = "李", client: str = CLIENT) -> str:  # noqa: F811
    if not auth.has_users(engine) or name not in set(store.list_accounts(engine)["name"]):
        auth.create_user(engine, name, PW)
    return store.create_ticket(engine, store.create_session(engine, name), client=client)


JSON = {"content-type": "application/json", "sec-fetch-site": "same-origin"}


def _post(app, ticket: object, *, headers: dict[str, str] | None = None, https: bool = False, **kw):
    body = json.dumps({"ticket": ticket, "https": https}).encode()
    return _call(app, "POST", "/_survey/session", body=body, headers={**JSON, **(headers or {})}, **kw)


def _cookie(headers: dict[str, list[str]]) -> str | None:
    values = [v for v in headers.get("set-cookie", []) if v.startswith("survey_session=")]
    assert len(values) <= 1
    return values[0] if values else None


def test_a_good_ticket_sets_the_httponly_cookie(app, engine, fast_bcrypt):  # noqa: F811
    status, headers, body = _post(app, _ticket(engine))
    assert status == 200 and body["ok"]
    assert headers["cache-control"] == ["no-store"]
    cookie = _cookie(headers)
    m = re.fullmatch(r"survey_session=([A-Za-z0-9_-]{43}); Max-Age=(\d+); Path=/; HttpOnly; SameSite=Strict", cookie)
    assert m, cookie
    assert 8 * 3600 - 60 <= int(m.group(2)) <= 8 * 3600  # SURVEY_SESSION_HOURS default
    assert store.session_user(engine, m.group(1)).name == "李"
    # on HTTPS (the page says so, or the request came over TLS) the cookie is Secure too
    assert _cookie(_post(app, _ticket(engine), https=True)[1]).endswith("; Secure")
    assert _cookie(_post(app, _ticket(engine), scheme="https")[1]).endswith("; Secure")


def test_replayed_expired_unknown_and_foreign_tickets_set_nothing(app, engine, fast_bcrypt):  # noqa: F811
    ticket = _ticket(engine)
    assert _post(app, ticket)[0] == 200
    status, headers, _ = _post(app, ticket)  # replayed
    assert status == 403 and _cookie(headers) is None and headers["cache-control"] == ["no-store"]
    sid = store.create_session(engine, "李")
    past = sa_access._now() - dt.timedelta(seconds=61)
    expired = store.create_ticket(engine, sid, client=CLIENT, now=past)
    for bad in (expired, "B" * 43, _ticket(engine, client="198.51.100.7")):
        status, headers, _ = _post(app, bad)
        assert status == 403 and _cookie(headers) is None
    for malformed in ("short", "x" * 44, "é" * 43, None, 12):
        status, headers, _ = _post(app, malformed)
        assert status == 400 and _cookie(headers) is None


def test_cross_site_wrong_type_and_large_requests_are_refused(app, engine, fast_bcrypt):  # noqa: F811
    ticket = _ticket(engine)
    assert _post(app, ticket, headers={"sec-fetch-site": "cross-site"})[0] == 403
    no_fetch_meta = {"content-type": "application/json", "origin": "https://evil.example"}
    body = json.dumps({"ticket": ticket}).encode()
    assert _call(app, "POST", "/_survey/session", body=body, headers=no_fetch_meta)[0] == 403
    form = {"content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin"}
    assert _call(app, "POST", "/_survey/session", body=b"ticket=" + ticket.encode(), headers=form)[0] == 415
    assert _call(app, "POST", "/_survey/session", body=b"{" + b" " * 2000 + b"}", headers=JSON)[0] == 413
    assert _call(app, "GET", "/_survey/session")[0] == 405
    # none of that burnt the ticket; it still works from its own page
    same = {"content-type": "application/json", "origin": "http://dashboard.example"}
    status, headers, _ = _call(app, "POST", "/_survey/session", body=body, headers=same)
    assert status == 200 and _cookie(headers)


def test_failures_are_rate_limited_per_address(app, engine, fast_bcrypt):  # noqa: F811
    good = _ticket(engine)
    for _ in range(session_http.MAX_FAILURES):
        assert _post(app, "C" * 43)[0] == 403
    status, headers, _ = _post(app, good)
    assert status == 429 and _cookie(headers) is None and headers["retry-after"]
    assert _post(app, _ticket(engine, client="198.51.100.9"), client="198.51.100.9")[0] == 200  # another address


def test_logout_clears_a_dead_cookie_and_keeps_a_live_one(app, engine, fast_bcrypt):  # noqa: F811
    _, headers, _ = _post(app, _ticket(engine))
    sid = re.match(r"survey_session=([^;]+)", _cookie(headers)).group(1)
    live = {"sec-fetch-site": "same-origin", "cookie": f"survey_session={sid}"}
    status, headers, body = _call(app, "POST", "/_survey/logout", headers=live)
    assert status == 200 and body["cleared"] is False and _cookie(headers) is None  # cannot log anybody out
    assert store.session_user(engine, sid).name == "李"
    store.end_session(engine, sid)  # the page's logout button ends the sessions first
    status, headers, body = _call(app, "POST", "/_survey/logout", headers=live)
    assert status == 200 and body["cleared"] is True and headers["cache-control"] == ["no-store"]
    assert _cookie(headers) == "survey_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict"
    forged = {"sec-fetch-site": "same-origin", "cookie": "survey_session=" + "A" * 43}
    assert _cookie(_call(app, "POST", "/_survey/logout", headers=forged)[1]).startswith("survey_session=; Max-Age=0")
    assert _call(app, "POST", "/_survey/logout", headers={"sec-fetch-site": "cross-site"})[0] == 403


def test_client_key_and_paths(monkeypatch):
    assert session_http.client_key(None) == "local"
    assert session_http.client_key("127.0.0.1") == session_http.client_key("::ffff:127.0.0.1") == "local"
    assert session_http.client_key("::1") == "local"
    assert session_http.client_key("::ffff:203.0.113.5") == "203.0.113.5"
    assert session_http.client_key("2001:DB8::1") == "2001:db8::1"
    from streamlit import config

    monkeypatch.setattr(config, "get_option", lambda key: "/survey/" if key == "server.baseUrlPath" else None)
    assert session_http.path("session") == "/survey/_survey/session"
    monkeypatch.setattr(config, "get_option", lambda key: "")
    assert session_http.path("logout") == "/_survey/logout"


def test_dashboard_is_the_st_app_that_streamlit_run_finds():
    """``streamlit run dashboard.py`` (the README's command) must start the st.App, not a plain script."""
    from pathlib import Path

    from streamlit.web.server.app_discovery import discover_asgi_app

    root = Path(__file__).resolve().parents[1]
    found = discover_asgi_app(root / "dashboard.py")
    assert found.is_asgi_app and found.import_string == "dashboard:app"
    source = (root / "dashboard.py").read_text(encoding="utf-8")
    assert 'st.App("home.py", routes=routes())' in source
    assert not discover_asgi_app(root / "home.py").is_asgi_app
