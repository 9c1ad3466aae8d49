"""Access in a real browser (issue 16): a login survives reloads and new tabs, a logout in one tab ends
it in the other, a forged session cookie is refused, a share link works in a fresh browser without an
account and only for its wave. The app runs with ``SURVEY_OPEN_VIEWING=false`` on its own store.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_utils import CHROMIUM, IDLE, AppServer, act, exceptions, goto, new_page, start_app, stop_app, wait_idle

from ui.i18n import t

pytestmark = pytest.mark.browser

SIDEBAR = "[data-testid='stSidebar']"
USER = ("部门经理", "correct-horse-42")


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


def _logged_in(page) -> bool:
    return page.locator(SIDEBAR).get_by_text(t("login_as", "zh", name=USER[0], role=t("role_manager", "zh"))).count() > 0


def test_login_survives_reload_and_new_tab_and_logout_ends_it_everywhere(browser, closed_app):
    if not CHROMIUM:
        pytest.skip("no chromium")
    page = new_page(browser)
    try:
        goto(page, closed_app.base, "overview")
        assert page.get_by_text(t("login_required", "zh")).count() > 0
        _login_form(page)
        assert _logged_in(page)
        page.wait_for_function("document.cookie.includes('survey_session=')", timeout=30_000)
        cookie = [c for c in page.context.cookies() if c["name"] == "survey_session"][0]
        assert cookie["sameSite"] == "Strict" and len(cookie["value"]) >= 43
        from analysis import store

        assert store.session_user(_engine(closed_app), cookie["value"]).name == USER[0]

        page.reload()
        page.wait_for_selector(IDLE)
        wait_idle(page)
        assert _logged_in(page), "a reload keeps the login"

        tab2 = page.context.new_page()
        goto(tab2, closed_app.base, "trends")
        assert _logged_in(tab2), "a new tab shares the login"
        act(tab2, lambda: tab2.locator(SIDEBAR).get_by_role("button", name=t("logout", "zh")).click())
        assert tab2.get_by_text(t("login_required", "zh")).count() > 0

        # the first tab: its next rerun (any widget) finds the session ended
        act(page, lambda: page.locator(SIDEBAR).get_by_text(t("f_basic", "zh")).click())
        assert not _logged_in(page)
        assert page.get_by_text(t("login_required", "zh")).count() > 0
        assert not exceptions(page) and not exceptions(tab2)
    finally:
        page.context.close()


def test_forged_session_cookie_is_refused(browser, closed_app):
    page = new_page(browser)
    try:
        host = closed_app.base.split("//")[1].split(":")[0]
        page.context.add_cookies([{"name": "survey_session", "value": "A" * 43, "domain": host, "path": "/"}])
        goto(page, closed_app.base, "overview")
        assert not _logged_in(page)
        assert page.get_by_text(t("login_required", "zh")).count() > 0
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
