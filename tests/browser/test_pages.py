"""Every page renders in Chinese and English; share links reopen the view; presentation mode; anonymity."""

from __future__ import annotations

import os
import re

import pytest
from browser_utils import ARTIFACTS, PAGES, ROOT, act, exceptions, goto, new_page

pytestmark = pytest.mark.browser

SIDEBAR = "[data-testid='stSidebar']"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_page_renders_without_exception(app_server, page, path, lang):
    goto(page, app_server.base, f"{path}?lang={lang}")
    assert exceptions(page) == []
    title = page.locator("[data-testid='stMain'] h1").first.inner_text()
    assert title.strip()
    has_cjk = re.search(r"[\u4e00-\u9fff]", title) is not None
    assert has_cjk == (lang == "zh"), title


def _checkbox_state(page, label: str) -> bool:
    return page.locator(SIDEBAR).get_by_role("checkbox", name=label).is_checked()


def _selectbox_text(page, label: str) -> str:
    return page.locator(SIDEBAR).get_by_role("combobox", name=label).input_value().strip()


def test_share_link_reopens_the_same_view(app_server, page, browser):
    from ui.i18n import t

    goto(page, app_server.base, "areas")
    sidebar = page.locator(SIDEBAR)
    # change two filters: a checkbox and the service-area selectbox
    act(page, lambda: sidebar.get_by_text(t("f_basic", "zh")).click())
    act(page, lambda: sidebar.get_by_role("combobox", name=t("f_area", "zh")).click())
    options = page.locator("[role='option']")
    chosen = options.nth(2).inner_text().strip()  # the second area after "all areas"
    act(page, lambda: options.nth(2).click())
    url = page.url
    assert "basic=1" in url and "area=" in url, url
    assert _selectbox_text(page, t("f_area", "zh")) == chosen

    fresh = new_page(browser)
    try:
        fresh.goto(url)
        fresh.wait_for_selector("[data-testid='stApp']")
        from browser_utils import wait_rerun

        wait_rerun(fresh, 0, start_timeout=30_000)
        assert exceptions(fresh) == []
        assert _checkbox_state(fresh, t("f_basic", "zh")) is True
        assert _selectbox_text(fresh, t("f_area", "zh")) == chosen
        assert _selectbox_text(fresh, t("f_wave", "zh")) == _selectbox_text(page, t("f_wave", "zh"))
    finally:
        fresh.context.close()


def test_presentation_mode_hides_the_sidebar(app_server, page):
    goto(page, app_server.base, "overview")
    assert page.locator(SIDEBAR).is_visible()
    goto(page, app_server.base, "overview?present=1")
    assert exceptions(page) == []
    assert not page.locator(SIDEBAR).is_visible()
    assert page.locator("[data-testid='stMain'] h1").first.is_visible()


def test_anonymity_threshold_hides_the_small_parent_group(app_server, page):
    """The demo's newest wave asks a handful of parents (家长); their cells must be hidden, never a rate."""
    from analysis import store

    goto(page, app_server.base, "overview")  # the app fills the demo waves on first use
    engine = store.get_engine(app_server.db_url)
    try:
        waves = store.list_waves(engine)
        newest = int(waves["id"].iloc[-1])
        groups = store.load_wave(engine, newest).respondents["group"]
    finally:
        engine.dispose()
    n_parents = int((groups == "家长").sum())
    assert 0 < n_parents < 5, n_parents  # the planted small group (counted from the stored answers)

    goto(page, app_server.base, f"areas?wave={newest}")
    assert exceptions(page) == []
    page.locator("[data-testid='stDataFrame'] td", has_text="家长").first.wait_for(state="attached")
    rows = page.locator("[data-testid='stDataFrame'] table tbody tr")
    parent_rows = [r for r in rows.all() if r.locator("td").first.inner_text().strip() == "家长"]
    assert parent_rows, "no 家长 row in the group table"
    for row in parent_rows:
        cells = [c.inner_text().strip() for c in row.locator("td").all()[1:]]
        # hidden: no rate, no count (the marker itself is the page's choice: 🔒 / 已隐藏)
        assert cells and all("%" not in c and "n=" not in c and re.search(r"\d", c) is None for c in cells), cells
    # the lock comes from the threshold, not from the group's name: a large group in the same table shows its n
    other_rows = [r for r in rows.all() if r.locator("td").first.inner_text().strip() == "学生"]
    assert other_rows and any("n=" in c.inner_text() for c in other_rows[0].locator("td").all()[1:])
    # a viewer cannot lower the deployment's threshold from the address bar (issue 10): k=1 still hides them
    goto(page, app_server.base, f"areas?wave={newest}&k=1")
    assert exceptions(page) == []
    page.locator("[data-testid='stDataFrame'] td", has_text="家长").first.wait_for(state="attached")
    rows = page.locator("[data-testid='stDataFrame'] table tbody tr")
    parent_rows = [r for r in rows.all() if r.locator("td").first.inner_text().strip() == "家长"]
    assert parent_rows
    for row in parent_rows:
        cells = [c.inner_text().strip() for c in row.locator("td").all()[1:]]
        assert cells and all("%" not in c and "n=" not in c and re.search(r"\d", c) is None for c in cells), cells


def test_overview_screenshot(app_server, page):
    """The README's screenshot (docs/screenshot-overview.png when SURVEY_UPDATE_SCREENSHOT=1)."""
    goto(page, app_server.base, "overview")
    assert exceptions(page) == []
    page.locator("[data-testid='stPlotlyChart']").first.wait_for()
    page.wait_for_timeout(1000)  # let plotly finish drawing
    if os.environ.get("SURVEY_UPDATE_SCREENSHOT"):
        target = ROOT / "docs" / "screenshot-overview.png"
    else:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        target = ARTIFACTS / "overview-zh.png"
    page.screenshot(path=str(target), full_page=False)
    assert target.stat().st_size > 20_000
