"""Access in a real browser (issue 16): the login cookie is HttpOnly and set by the server, a login
survives reloads and new tabs, a logout in one tab ends it in the other and clears the cookie, forged
and expired session cookies are refused and dropped, the first admin made from the server itself
(reached as ``::ffff:127.0.0.1``) gets the cookie too, and a share link works in a fresh browser
without an account and only for its wave. The app runs as the README starts it (``streamlit run
dashboard.py``, an ``st.App``) with ``SURVEY_OPEN_VIEWING=false`` on its own store.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator

import pytest
from browser_utils import CHROMIUM, IDLE, AppServer, act, exceptions, goto, new_page, start_app, stop_app, wait_idle

from ui.i18n import t

pytestmark = pytest.mark.browser

SIDEBAR = "[data-testid='stSidebar']"
USER = ("部门经理", "correct-horse-42")
COOKIE = "survey_session"


@pytest.fixture(scope="module")
def closed_app(tmp_path_factory) -> Iterator[AppServer]:
    from analysis import auth, store

    workdir = tmp_path_factory.mktemp("closed-app")
    db_url = f"sqlite:///{workdir}/survey.db"
    engine = store.get_engine(db_url)
    store.ensure_demo(engine)
    auth.create_user(engine, USER[0], USER[1], role="manager")
    store.close_engine(engine)
    server = start_app(db_url, workdir, {"SURVEY_OPEN_VIEWING": "false"})
    yield server
    stop_app(server)


def _engine(server: AppServer):
    from analysis import store

    return store.get_engine(server.db_url)


def _login_form(page, lang: str = "zh") -> None:
    sidebar = page.locator(SIDEBAR)
    sidebar.get_by_label(t("login_user", lang), exact=True).fill(USER[0])
    sidebar.get_by_label(t("login_password", lang), exact=True).fill(USER[1])
    act(page, lambda: sidebar.get_by_role("button", name=t("login_submit", lang)).click())


def _logged_in(page, name: str = USER[0], role: str = "manager") -> bool:
    return page.locator(SIDEBAR).get_by_text(t("login_as", "zh", name=name, role=t(f"role_{role}", "zh"))).count() > 0


def _session_cookie(context) -> dict | None:
    found = [c for c in context.cookies() if c["name"] == COOKIE]
    return found[0] if found else None


def _wait_cookie(page, present: bool, timeout: float = 30.0) -> dict | None:
    """Poll the browser's cookie jar (the page's fetch sets or clears the cookie a moment after the run)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        cookie = _session_cookie(page.context)
        if (cookie is not None) == present:
            return cookie
        page.wait_for_timeout(200)
    raise AssertionError(f"the session cookie is {'missing' if present else 'still there'} after {timeout} s")


def _post_ticket(page, ticket: str) -> int:
    return page.evaluate(
        """async t => (await fetch('/_survey/session', {method: 'POST', credentials: 'same-origin',
             headers: {'Content-Type': 'application/json'}, body: JSON.stringify({ticket: t})})).status""",
        ticket,
    )


def test_login_cookie_is_httponly_survives_reload_and_new_tab_and_logout_ends_it_everywhere(browser, closed_app):
    if not CHROMIUM:
        pytest.skip("no chromium")
    from analysis import store

    page = new_page(browser)
    try:
        goto(page, closed_app.base, "overview")
        assert page.get_by_text(t("login_required", "zh")).count() > 0
        _login_form(page)
        assert _logged_in(page)
        cookie = _wait_cookie(page, True)
        # set by the server: HttpOnly, SameSite=Strict, Path=/, for the login's 8 hours; not Secure over http
        assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
        assert cookie["secure"] is False and len(cookie["value"]) >= 43
        assert 8 * 3600 - 120 < cookie["expires"] - time.time() <= 8 * 3600 + 5
        assert COOKIE not in page.evaluate("document.cookie")  # no script in the page can read it
        html = page.content()
        assert cookie["value"] not in html  # the id never appeared in the page
        assert store.session_user(_engine(closed_app), cookie["value"]).name == USER[0]
        # the login's ticket (still in the page for its 60 s) is spent: replaying it is refused
        ticket = re.search(r'"ticket": "([A-Za-z0-9_-]{43})"', html)
        assert ticket, "the ticket script is on the page"
        assert _post_ticket(page, ticket.group(1)) == 403
        assert _post_ticket(page, "A" * 43) == 403
        assert _session_cookie(page.context)["value"] == cookie["value"]

        page.reload()
        page.wait_for_selector(IDLE)
        wait_idle(page)
        assert _logged_in(page), "a reload keeps the login (the websocket handshake carries the HttpOnly cookie)"

        tab2 = page.context.new_page()
        goto(tab2, closed_app.base, "trends")
        assert _logged_in(tab2), "a new tab shares the login"
        act(tab2, lambda: tab2.locator(SIDEBAR).get_by_role("button", name=t("logout", "zh")).click())
        assert tab2.get_by_text(t("login_required", "zh")).count() > 0
        _wait_cookie(tab2, False)  # the logout clears the cookie
        assert store.session_user(_engine(closed_app), cookie["value"]) is None

        # the first tab: its next rerun (any widget) finds the session ended
        act(page, lambda: page.locator(SIDEBAR).get_by_text(t("f_basic", "zh")).click())
        assert not _logged_in(page)
        assert page.get_by_text(t("login_required", "zh")).count() > 0
        page.reload()
        page.wait_for_selector(IDLE)
        wait_idle(page)
        assert not _logged_in(page)
        assert not exceptions(page) and not exceptions(tab2)
    finally:
        page.context.close()


@pytest.mark.parametrize("kind", ["forged", "expired"])
def test_forged_and_expired_session_cookies_are_refused_and_dropped(browser, closed_app, kind):
    from analysis import store

    if kind == "forged":
        value = "A" * 43
    else:  # a real session of the account that ended by time: started 9 hours ago for 8 hours
        past = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=9)
        value = store.create_session(_engine(closed_app), USER[0], hours=8, now=past)
    page = new_page(browser)
    try:
        host = closed_app.base.split("//")[1].split(":")[0]
        page.context.add_cookies([{"name": COOKIE, "value": value, "domain": host, "path": "/",
                                   "httpOnly": True, "sameSite": "Strict"}])
        goto(page, closed_app.base, "overview")
        assert not _logged_in(page)
        assert page.get_by_text(t("login_required", "zh")).count() > 0
        _wait_cookie(page, False)  # the dead id is dropped from the browser
        assert not exceptions(page)
    finally:
        page.context.close()


@pytest.fixture(scope="module")
def fresh_dual_stack_app(tmp_path_factory) -> Iterator[AppServer]:
    """No accounts yet; listening on ``::`` so the browser at 127.0.0.1 arrives as ``::ffff:127.0.0.1``."""
    workdir = tmp_path_factory.mktemp("fresh-app")
    server = start_app(f"sqlite:///{workdir}/survey.db", workdir, address="::")
    yield server
    stop_app(server)


def test_first_admin_from_the_server_itself_gets_the_cookie(browser, fresh_dual_stack_app):
    import sqlalchemy as sa

    from analysis import store
    from analysis.store.access import link_attempts

    page = new_page(browser)
    try:
        goto(page, fresh_dual_stack_app.base, "overview?token=" + "x" * 43)  # an unknown link: its address is recorded
        engine = _engine(fresh_dual_stack_app)
        with engine.connect() as conn:
            clients = [r.client for r in conn.execute(sa.select(link_attempts.c.client))]
        assert clients == ["::ffff:127.0.0.1"], clients  # what the app saw of this browser
        goto(page, fresh_dual_stack_app.base, "overview")
        sidebar = page.locator(SIDEBAR)
        sidebar.get_by_text(t("bootstrap_title", "zh")).wait_for()  # offered: the address is loopback
        sidebar.get_by_label(t("login_user", "zh"), exact=True).fill("首位管理员")
        sidebar.get_by_label(t("login_password", "zh"), exact=True).fill(USER[1])
        sidebar.get_by_label(t("bootstrap_password2", "zh"), exact=True).fill(USER[1])
        act(page, lambda: sidebar.get_by_role("button", name=t("bootstrap_submit", "zh")).click())
        cookie = _wait_cookie(page, True)  # the ticket, bound to "local", redeemed from ::ffff:127.0.0.1
        assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
        assert store.session_user(engine, cookie["value"]).name == "首位管理员"
        page.reload()
        page.wait_for_selector(IDLE)
        wait_idle(page)
        assert _logged_in(page, "首位管理员", "admin")
        assert not exceptions(page)
    finally:
        page.context.close()


def test_share_link_in_a_fresh_browser_shows_only_its_wave(browser, closed_app):
    from analysis import store

    engine = _engine(closed_app)
    waves = store.list_waves(engine)
    own, other = waves.iloc[1], waves.iloc[-1]
    _, token, _ = store.create_link(engine, wave=int(own["id"]), days=1, note="评议会")
    page = new_page(browser)  # a new context: no cookie, no account
    try:
        goto(page, closed_app.base, f"overview?token={token}")
        assert page.get_by_text(t("login_required", "zh")).count() == 0
        main = "[data-testid='stMain']"
        assert page.locator(main).get_by_text(str(own["name"])).count() > 0  # the heading names the wave
        assert not exceptions(page)
        # the page links keep the token: another page of the same view still works
        act(page, lambda: page.locator(SIDEBAR).get_by_role("link", name=t("nav_areas", "zh")).click())
        page.wait_for_url(lambda u: "token=" in u)
        assert page.get_by_text(t("login_required", "zh")).count() == 0
        # another wave through the URL is refused
        goto(page, closed_app.base, f"overview?token={token}&wave={int(other['id'])}")
        assert page.get_by_text(t("scope_refused", "zh")).count() > 0
        assert page.locator(main).get_by_text(str(own["name"])).count() > 0
        assert str(other["name"]) not in page.locator("[data-testid='stApp']").inner_text()
    finally:
        page.context.close()
    row = store.list_links(engine).iloc[0]
    assert row["uses"] >= 1 and row["last_used_at"] is not None
