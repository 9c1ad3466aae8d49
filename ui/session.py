"""Logins that survive a reload, share links, and who the visitor is (page side of ``analysis.access``).

**Sessions.** On login the server starts a session in the store (``analysis.store.access.
create_session``: a 256-bit random id, kept there only as its SHA-256); this tab keeps that id in
``st.session_state``, on the server. The browser gets a session of its own through an HttpOnly
cookie that only the server can set: the next run emits a one-line script that posts the login's
one-time ticket (``create_ticket``: single use, bound to this address, 60 s) to
``POST /_survey/session`` (``ui.session_http``, mounted by ``dashboard.py``), whose answer sets
``survey_session`` (``HttpOnly; SameSite=Strict; Path=/``, ``Secure`` on HTTPS, for the rest of
the login). No session id ever appears in a page, and no script can read the cookie.

A reload or a new tab opens a new websocket whose handshake carries the cookie
(``st.context.cookies``); :func:`restore` looks the id up on every run, so a logout elsewhere (which
ends every session of the account), a password change, a disabled account, an expired session
and a forged id are all refused at the next rerun, and the dead cookie is dropped
(``POST /_survey/logout``, which clears only a cookie whose session is no longer open).

Started without those routes (``streamlit run home.py``, AppTest) a login lasts for its tab only
and the first one logs a warning: no script-set cookie is ever written.

**Share links.** ``?token=…`` in the URL (``ui.frame.PARAMS``) makes the visitor a read-only
principal limited to the link's one series or wave (:func:`gate`); an expired, revoked or unknown
token stops the page with one sentence, and bad tokens are rate-limited per address
(``analysis.store.access.open_link``).
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from typing import Any

import pandas as pd
import streamlit as st

from analysis import access as rules
from ui import session_http
from ui.i18n import t

__all__ = ["COOKIE", "SID_KEY", "restore", "start", "logout", "emit_cookie", "gate", "restrict", "client_address"]

COOKIE = session_http.COOKIE
SID_KEY = "auth_sid"
_PENDING = "auth_cookie_pending"  # ("set", ticket, deadline) or ("clear", nonce, deadline)
_PENDING_SECONDS = 60.0  # how long the script stays on the page (the ticket's life)
_DROPPED = "auth_cookie_dropped"  # the dead cookie of this tab's handshake, already asked to be dropped
_LINK_KEY = "access_link"
_USER_KEY = "auth_user"  # ui.auth.SESSION_KEY (not imported: ui.auth imports this module)
_LOG = logging.getLogger("survey.session")
_warned = False


def _cookie_sid() -> str | None:
    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:  # noqa: BLE001 — no browser context (bare script run)
        return None
    return str(value) if value else None


def _pend(kind: str, payload: str) -> None:
    st.session_state[_PENDING] = (kind, payload, time.time() + _PENDING_SECONDS)


def restore(engine: Any) -> Any | None:
    """The logged-in account of this browser, checked against the store on every run, or None.

    The session id comes from this tab's own login (``st.session_state``) or from the cookie of
    an earlier login (a reload, another tab). An account put into ``st.session_state`` without a
    session id (tests, a same-tab login from before sessions existed) is kept as it is.
    """
    from analysis.store import session_user

    sid = st.session_state.get(SID_KEY)
    if sid is None and st.session_state.get(_USER_KEY) is not None:
        return st.session_state[_USER_KEY]
    if sid is None:
        sid = _cookie_sid()
    if sid is None:
        return None
    try:
        found = session_user(engine, sid)
    except Exception:  # noqa: BLE001 — the store is unavailable: nobody is logged in
        found = None
    if found is None:
        st.session_state.pop(SID_KEY, None)
        st.session_state.pop(_USER_KEY, None)
        dead = _cookie_sid()
        if dead and st.session_state.get(_DROPPED) != dead:  # drop the dead id from the browser, once
            st.session_state[_DROPPED] = dead
            _pend("clear", secrets.token_hex(8))
        return None
    st.session_state[SID_KEY] = sid
    st.session_state[_USER_KEY] = found
    return found


def start(engine: Any, found: Any) -> None:
    """Begin a session for a user who just logged in; the browser gets its cookie on the next run."""
    from analysis.store import create_session, create_ticket

    global _warned
    sid = create_session(engine, found.name)
    st.session_state[SID_KEY] = sid
    st.session_state[_USER_KEY] = found
    st.session_state.pop(_PENDING, None)
    if not session_http.mounted():
        if not _warned:
            _warned = True
            _LOG.warning("logins last for their tab only: start the app with `streamlit run dashboard.py` "
                         "(it serves the session-cookie routes)")
        return
    try:
        ticket = create_ticket(engine, sid, client=session_http.client_key(_raw_address()))
    except Exception as exc:  # noqa: BLE001 — no ticket: the login still holds in this tab
        _LOG.warning("no session ticket: %s", type(exc).__name__)
        return
    _pend("set", ticket)


def logout(engine: Any) -> None:
    """Button callback: end every session of this account (all tabs and browsers) and forget the login."""
    from analysis.store import end_session

    sid = st.session_state.pop(SID_KEY, None)
    st.session_state.pop(_USER_KEY, None)
    if sid:
        try:
            end_session(engine, sid)
        except Exception as exc:  # noqa: BLE001 — the login is forgotten here in any case
            _LOG.warning("logout could not end the sessions: %s", type(exc).__name__)
    st.session_state[_DROPPED] = _cookie_sid()  # restore() need not ask again for this tab's cookie
    _pend("clear", secrets.token_hex(8))


def _script(route: str, key: str, body: dict[str, Any]) -> str:
    """A script that posts ``body`` to the route once per page (``key`` guards against a repeated element)."""
    data = json.dumps(body)
    return (
        "<script>(function(){var w=window.__surveySession=window.__surveySession||{};"
        f"var k={json.dumps(key)};if(w[k])return;w[k]=1;var b={data};b.https=location.protocol==='https:';"
        f"fetch({json.dumps(session_http.path(route))},{{method:'POST',credentials:'same-origin',cache:'no-store',"
        "headers:{'Content-Type':'application/json'},body:JSON.stringify(b)}).catch(function(){});})();</script>"
    )


def emit_cookie() -> None:
    """Have the browser fetch its session cookie (after a login) or drop it (after a logout, a dead cookie).

    Emitted on every run for up to 60 s after the event, so the element survives the login's own
    rerun; the script posts once per page whatever the number of runs. Nothing without the routes.
    """
    pending = st.session_state.get(_PENDING)
    if not pending:
        return
    kind, payload, deadline = pending
    if time.time() > deadline or not session_http.mounted():
        st.session_state.pop(_PENDING, None)
        return
    if kind == "set" and st.session_state.get(SID_KEY):
        st.html(_script("session", payload, {"ticket": payload}), unsafe_allow_javascript=True)
    elif kind == "clear" and not st.session_state.get(SID_KEY):
        st.html(_script("logout", payload, {}), unsafe_allow_javascript=True)
    else:
        st.session_state.pop(_PENDING, None)


def _raw_address() -> str | None:
    """The websocket's peer address (None for loopback, as Streamlit reports it, and outside a browser)."""
    try:
        ip = st.context.ip_address
    except Exception:  # noqa: BLE001
        return None
    return ip if isinstance(ip, str) else None


def client_address() -> str:
    """The browser's address for the rate limit (``local`` for the server itself)."""
    try:
        ip = st.context.ip_address
    except Exception:  # noqa: BLE001
        ip = None
    return str(ip) if ip else "local"


def _link_principal(engine: Any, token: str, lang: str) -> rules.Principal:
    """The read-only principal of a share link, or stop the page with the reason in one sentence."""
    from analysis.store import open_link

    cached = st.session_state.get(_LINK_KEY)
    first = not (cached and cached[0] == token)
    if not first and cached[1] == "unknown":
        check_status, check = "unknown", None
    else:
        try:
            check = open_link(engine, token, client=client_address(), count_use=first)
        except ValueError as exc:  # rate limit: the message says how long to wait
            st.error(str(exc))
            st.stop()
        check_status = check.status
        st.session_state[_LINK_KEY] = (token, check_status)
    if check_status != "valid":
        when = ""
        if check is not None and check.expires_at is not None:
            when = pd.Timestamp(check.expires_at).strftime("%Y-%m-%d %H:%M UTC")
        st.error(t(f"link_{check_status}", lang, when=when))
        st.stop()
    return rules.Principal(kind="link", name=f"link#{check.link_id}", role="viewer", scopes=(check.scope,),
                           link_id=check.link_id, expires_at=check.expires_at)


def _sso_rules() -> Any | None:
    """The ``[survey_sso]`` table of secrets.toml when single sign-on is configured (``[auth]`` too), else None."""
    try:
        if "auth" in st.secrets and "survey_sso" in st.secrets:
            return st.secrets["survey_sso"]
    except Exception:  # noqa: BLE001 — no secrets file: no single sign-on
        return None
    return None


def _sso(lang: str) -> tuple[Any, rules.Principal] | None:
    """A single-sign-on user (``st.login``, OpenID Connect) mapped to a role by ``role_from_claims``, or None.

    Draws the sign-in button while nobody is signed in, and a refusal when the provider's account
    matches no rule. Only active when secrets.toml has both ``[auth]`` and ``[survey_sso]``.
    """
    sso_rules = _sso_rules()
    if sso_rules is None:
        return None
    if not getattr(st.user, "is_logged_in", False):
        st.sidebar.button(t("sso_login", lang), key="auth_sso_login", on_click=st.login, icon=":material/badge:")
        return None
    from analysis.auth import User

    claims = st.user.to_dict()
    mapped = rules.role_from_claims(claims, sso_rules)
    if mapped is None:
        st.sidebar.error(t("sso_refused", lang))
        st.sidebar.button(t("logout", lang), key="auth_sso_logout", on_click=st.logout)
        return None
    role, scopes = mapped
    name = str(claims.get("email") or claims.get("sub") or "sso")[:100]
    st.sidebar.caption(t("login_as", lang, name=name, role=t(f"role_{role}", lang)))
    st.sidebar.button(t("logout", lang), key="auth_sso_logout", on_click=st.logout)
    return User(id=0, name=name, role=role), rules.Principal(kind="user", name=name, role=role, scopes=scopes)


def gate(engine: Any, token: str, lang: str) -> tuple[Any | None, rules.Principal]:
    """Who is looking: ``(user, principal)``. A share-link token wins over a login (read-only)."""
    from analysis.store.access import principal_of
    from ui.auth import sidebar_login

    if token:
        principal = _link_principal(engine, token, lang)
        when = pd.Timestamp(principal.expires_at).strftime("%Y-%m-%d") if principal.expires_at is not None else ""
        st.sidebar.caption(t("link_banner", lang, when=when))
        return None, principal
    sso = _sso(lang)
    if sso is not None:
        return sso
    found = sidebar_login(engine, lang)
    if found is None:
        return None, rules.Principal()
    try:
        return found, principal_of(engine, found)
    except Exception:  # noqa: BLE001 — an account whose scopes cannot be read sees nothing
        return found, rules.Principal(kind="user", name=found.name, role=found.role, scopes=())


def restrict(view: Any, wave: str | None) -> pd.DataFrame:
    """``view.waves`` limited to the principal's scope; says so when the URL asked for a wave outside it."""
    principal = getattr(view, "principal", None)
    if principal is None or principal.scopes is None:
        return view.waves
    allowed = rules.scope_waves(view.waves, principal.scopes)
    if wave and wave not in set(allowed["id"].astype(str)):
        st.warning(t("scope_refused", view.lang))
    return allowed


def share_form(view: Any, base: str) -> None:
    """The share box's "create a read-only link" form, for managers of a closed deployment.

    Shown only when ``SURVEY_OPEN_VIEWING=false`` (an open deployment's plain link already works)
    and a wave is selected; the link carries the view's parameters and the new token.
    """
    from urllib.parse import urlencode

    from analysis.auth import open_viewing
    from analysis.store import create_link
    from ui import loaders

    if not view.is_manager or open_viewing() or not view.wave or view.principal is None or view.principal.kind != "user":
        return
    lang = view.lang
    series_id = view.wave_row.get("series_id")
    kinds = ["wave"] + (["series"] if series_id is not None and not pd.isna(series_id) else [])
    with st.form("access_share_form", clear_on_submit=True):
        st.markdown(f"**{t('link_create_title', lang)}**")
        kind = st.radio(t("link_scope", lang), kinds, format_func=lambda k: t(f"link_scope_{k}", lang), key="access_kind")
        lo, hi = rules.LINK_DAYS
        days = st.number_input(t("link_days", lang), min_value=lo, max_value=hi, value=rules.DEFAULT_LINK_DAYS, step=1,
                               key="access_days")
        note = st.text_input(t("link_note", lang), max_chars=500, key="access_note")
        submitted = st.form_submit_button(t("link_create", lang))
    if not submitted:
        return
    scope = {"series": series_id} if kind == "series" else {"wave": view.wave}
    try:
        _, token, expires = create_link(loaders.engine(), days=int(days), note=note or "", user=view.user.name, **scope)
    except ValueError as exc:
        st.error(str(exc))
        return
    params = {k: v for k, v in view.params.items() if k != "token"}
    url = f"{base}?{urlencode({**params, 'token': token})}"
    st.success(t("link_created", lang, when=pd.Timestamp(expires).strftime("%Y-%m-%d %H:%M UTC")))
    st.code(url, language=None, wrap_lines=True)


def restrict_rows(view: Any, rows: pd.DataFrame, **kw: Any) -> pd.DataFrame:
    """Rows of another feature's table limited to the principal's scope (``analysis.access.scope_rows``)."""
    principal = getattr(view, "principal", None)
    if principal is None or principal.scopes is None:
        return rows
    return rules.scope_rows(rows, view.all_waves if len(getattr(view, "all_waves", [])) else view.waves, **kw)
