"""Sidebar login for managers (page side of ``analysis.auth``).

``frame()`` calls :func:`sidebar_login` on every page, so the login lives in ``st.session_state``
(key ``auth_user``) and survives page changes. Viewers need no account: the dashboards are
readable without logging in; uploading and changing data (pages/7_data.py) needs a manager.

First run (no accounts in the store): the sidebar offers a "create the first manager" form.

* If the environment variable ``SURVEY_ADMIN_TOKEN`` is set, the form asks for that token and
  compares it in constant time; this is the way for servers reached over a network.
* Without the token the form is only offered to a browser on the server itself
  (``st.context.ip_address`` is None for 127.0.0.1 / ::1). Behind a reverse proxy on the same host
  every visitor looks local unless the proxy passes ``X-Forwarded-For`` (uvicorn trusts it from
  127.0.0.1), so such deployments must set ``SURVEY_ADMIN_TOKEN`` (or create the account from the
  command line before going live).
"""

from __future__ import annotations

import hmac
import os
from typing import Any

import streamlit as st

from ui.i18n import t

__all__ = ["sidebar_login", "current_user", "is_manager", "user_name", "logout", "SESSION_KEY", "bootstrap_allowed"]

SESSION_KEY = "auth_user"
MIN_PASSWORD = 8


def current_user() -> Any | None:
    """The logged-in user kept in the session, or None."""
    return st.session_state.get(SESSION_KEY)


def user_name(user: Any | None) -> str:
    """A user's name for the audit log (``"anonymous"`` when nobody is logged in)."""
    if user is None:
        return "anonymous"
    return str(getattr(user, "name", user))


def is_manager(user: Any | None) -> bool:
    """True when ``user`` may upload and change data."""
    return user is not None and str(getattr(user, "role", "manager")) in ("admin", "manager")


def logout(engine: Any = None) -> None:
    """Forget the login and end every session of the account (used as a button callback)."""
    from ui import session

    if engine is None:
        st.session_state.pop(SESSION_KEY, None)
        st.session_state.pop(session.SID_KEY, None)
        return
    session.logout(engine)


def _lang(lang: str | None) -> str:
    if lang:
        return lang
    value = st.query_params.get("lang", "zh")
    return "en" if value == "en" else "zh"


def bootstrap_allowed(token_given: str | None = None) -> tuple[bool, bool]:
    """Whether this browser may create the first manager.

    Returns ``(allowed, token_required)``. With ``SURVEY_ADMIN_TOKEN`` set the token decides
    (``allowed`` is True only for the right token; when ``token_given`` is None it tells that the
    form may be shown). Without it only a browser on the server itself may do it.
    """
    expected = os.environ.get("SURVEY_ADMIN_TOKEN", "")
    if expected:
        if token_given is None:
            return True, True
        return hmac.compare_digest(token_given.encode(), expected.encode()), True
    return _is_local(), False


def _is_local() -> bool:
    """True when the browser runs on the server itself (Streamlit reports no address for 127.0.0.1 / ::1)."""
    from analysis.auth import is_loopback

    try:
        address = st.context.ip_address
    except Exception:  # no browser context (bare script run): treat as local
        return True
    return address is None or is_loopback(address)  # ::ffff:127.0.0.1 too (issue 10)


def _bootstrap_form(engine: Any, lang: str) -> Any | None:
    from analysis import auth

    st.markdown(f"**{t('bootstrap_title', lang)}**")
    allowed, need_token = bootstrap_allowed()
    if not allowed:
        st.info(t("bootstrap_remote", lang))
        return None
    st.caption(t("bootstrap_intro", lang))
    with st.form("auth_bootstrap_form"):
        token = (
            st.text_input(t("bootstrap_token", lang), type="password", key="auth_bootstrap_token")
            if need_token
            else None
        )
        name = st.text_input(t("login_user", lang), key="auth_bootstrap_name")
        pw = st.text_input(t("login_password", lang), type="password", key="auth_bootstrap_pw")
        pw2 = st.text_input(t("bootstrap_password2", lang), type="password", key="auth_bootstrap_pw2")
        submitted = st.form_submit_button(t("bootstrap_submit", lang))
    if not submitted:
        return None
    if need_token:
        try:  # rate-limited and compared in constant time (issue 10)
            good = auth.verify_admin_token(engine, token or "")
        except ValueError as exc:  # locked after repeated wrong tokens: says for how long
            st.error(str(exc))
            return None
        if not good:
            st.error(t("bootstrap_bad_token", lang))
            return None
    name = (name or "").strip()
    if not name or len(pw or "") < MIN_PASSWORD:
        st.error(t("bootstrap_short", lang))
        return None
    if pw != pw2:
        st.error(t("bootstrap_mismatch", lang))
        return None
    try:
        if auth.has_users(engine):  # someone else was faster: never create a second "first" manager
            return None
        auth.create_user(engine, name, pw, role="admin", user=name)  # the first account runs the deployment
        user = auth.authenticate(engine, name, pw)
    except ValueError as exc:
        st.error(str(exc))
        return None
    if user is not None:
        from ui import session

        session.start(engine, user)
        session.emit_cookie()  # no rerun follows here: ask for the cookie in this run
        st.success(t("bootstrap_done", lang))
    return user


def sidebar_login(engine: Any, lang: str | None = None) -> Any | None:
    """Draw the login box in the sidebar and return the logged-in user, or None.

    Parameters
    ----------
    engine : SQLAlchemy engine of the store (``analysis.store.get_engine``).
    lang : ``"zh"`` or ``"en"``; defaults to the URL's ``lang`` parameter.

    Returns
    -------
    The ``analysis.auth`` user object (with ``name`` and ``role``) kept in
    ``st.session_state["auth_user"]``, or None for an anonymous viewer.
    """
    lang = _lang(lang)
    from analysis import auth
    from ui import session

    user = session.restore(engine)  # this tab's login, or a session cookie from a reload / another tab
    with st.sidebar:
        session.emit_cookie()
        if user is not None:
            role = t(f"role_{getattr(user, 'role', 'manager')}", lang)
            from ui.widgets import plain

            st.caption(t("login_as", lang, name=plain(user_name(user)), role=role))
            st.button(t("logout", lang), key="auth_logout", on_click=logout, args=(engine,))
            return user
        try:
            has_users = auth.has_users(engine)
        except Exception as exc:  # the page stays readable even if the user table is unavailable
            st.caption(f"{t('login_title', lang)}: {type(exc).__name__}")
            return None
        if not has_users:
            user = _bootstrap_form(engine, lang)
            return user if user is not None else _closed_viewing(auth, lang)
        with st.expander(t("login_title", lang), expanded=not _open_viewing(auth)):
            with st.form("auth_login_form", clear_on_submit=True):
                name = st.text_input(t("login_user", lang), key="auth_name")
                pw = st.text_input(t("login_password", lang), type="password", key="auth_pw")
                submitted = st.form_submit_button(t("login_submit", lang))
            if submitted:
                try:
                    from analysis.store.access import login as _login

                    user = _login(engine, (name or "").strip(), pw or "")  # authenticate, then refuse a disabled account
                except ValueError as exc:  # e.g. locked out: the message says for how long
                    st.error(str(exc))
                    return None
                if user is None:
                    st.error(t("login_failed", lang))
                    return None
                session.start(engine, user)
                st.rerun()
    return _closed_viewing(auth, lang)


def _open_viewing(auth: Any) -> bool:
    check = getattr(auth, "open_viewing", None)
    return True if check is None else bool(check())


def _closed_viewing(auth: Any, lang: str) -> None:
    """With ``SURVEY_OPEN_VIEWING=false`` nobody sees a page before logging in: stop here."""
    if not _open_viewing(auth):
        st.info(t("login_required", lang))
        st.stop()
    return None
