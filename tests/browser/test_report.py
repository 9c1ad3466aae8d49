"""The meeting pack in the browser: download a report from a page; presentation mode as slides.

Expected values: the file name the issue asks for (wave name + 满意度报告 + extension), the rates of
``metrics.area_summary`` of the stored wave (computed here from the store, not from the page), and
the viewport sizes a projector uses (1280×720, 1920×1080).
"""

from __future__ import annotations

import io

import pytest
from browser_utils import IDLE, OBSERVER_JS, act, exceptions, goto, new_page

pytestmark = pytest.mark.browser


def _newest(app_server) -> tuple[int, str, dict]:
    from analysis import store
    from analysis.metrics import area_summary

    engine = store.get_engine(app_server.db_url)
    try:
        waves = store.list_waves(engine)
        wid, name = int(waves["id"].iloc[-1]), str(waves["name"].iloc[-1])
        areas = area_summary(store.load_wave(engine, wid)).set_index("area")["satisfaction_rate"].to_dict()
    finally:
        engine.dispose()
    return wid, name, areas


def test_download_report_from_a_page(app_server, browser):
    page = new_page(browser, accept_downloads=True)
    goto(page, app_server.base, "trends")
    wid, name, areas = _newest(app_server)
    sidebar = page.locator("[data-testid='stSidebar']")
    act(page, lambda: sidebar.get_by_text("下载报告").click())
    pop = page.locator("[data-testid='stPopoverBody']")
    assert "匿名阈值 k = 5" in pop.inner_text() and name in pop.inner_text()
    with page.expect_download(timeout=180_000) as info:
        pop.get_by_role("button", name="生成并下载").click()
    download = info.value
    assert download.suggested_filename == f"{name}_满意度报告.pptx"
    from pptx import Presentation

    prs = Presentation(io.BytesIO(open(download.path(), "rb").read()))
    chart = next(sh.chart for sh in list(prs.slides)[1].shapes if sh.has_chart)
    values = list(chart.plots[0].series[0].values)
    assert sorted(round(v, 9) for v in values) == sorted(round(v, 9) for v in areas.values())
    assert exceptions(page) == []
    page.context.close()


def _slide_fits(page) -> None:
    """Nothing scrolls and every slide element lies inside the viewport."""
    dims = page.evaluate("""() => {
        const vw = window.innerWidth, vh = window.innerHeight;
        const out = [];
        for (const el of document.querySelectorAll('.pslide, .pslide *, .st-key-pres_bar button')) {
            const r = el.getBoundingClientRect();
            if (r.width === 0 && r.height === 0) continue;
            if (r.bottom > vh + 1 || r.right > vw + 1 || r.left < -1 || r.top < -1) out.push(el.className + ' ' + el.textContent.slice(0, 30));
        }
        const lab = [...document.querySelectorAll('.pslide .val')].filter(e => e.scrollWidth > e.clientWidth + 1);
        return {scroll: document.scrollingElement.scrollHeight - vh, outside: out, clipped: lab.map(e => e.textContent)};
    }""")
    assert dims["scroll"] <= 0 and dims["outside"] == [] and dims["clipped"] == [], dims


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_presentation_mode_is_slides(app_server, browser, size):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN")
    context.set_default_timeout(90_000)
    context.add_init_script(OBSERVER_JS)
    page = context.new_page()
    goto(page, app_server.base, "overview?present=1&basic=1")
    assert exceptions(page) == []
    assert not page.locator("[data-testid='stSidebar']").is_visible()
    assert "第 1 /" in page.locator(".st-key-pres_bar").inner_text()
    _slide_fits(page)
    act(page, lambda: page.keyboard.press("ArrowRight"))
    assert "slide=2" in page.url and "basic=1" in page.url  # the slide in the URL, the filters kept
    _slide_fits(page)
    act(page, lambda: page.keyboard.press("PageDown"))
    assert "slide=3" in page.url
    act(page, lambda: page.keyboard.press("PageUp"))
    act(page, lambda: page.keyboard.press("ArrowLeft"))
    assert "slide=1" in page.url
    act(page, lambda: page.locator(".st-key-pres_next button").click())
    assert "slide=2" in page.url
    # every slide fits (the last one is the trend across the demo series)
    total = int(page.locator(".st-key-pres_bar").inner_text().split("/")[1].split("页")[0].strip())
    for n in range(3, total + 1):
        act(page, lambda: page.keyboard.press("ArrowRight"))
        assert f"slide={n}" in page.url
        _slide_fits(page)
    page.wait_for_selector(IDLE)
    assert exceptions(page) == []
    context.close()


def test_a_link_opens_on_its_slide(app_server, page):
    goto(page, app_server.base, "overview?present=1&slide=3")
    assert "第 3 /" in page.locator(".st-key-pres_bar").inner_text()
    goto(page, app_server.base, "trends?present=1")  # the trends page opens on the trend slide
    assert page.locator(".pslide h1").inner_text().strip() == "历次趋势"
