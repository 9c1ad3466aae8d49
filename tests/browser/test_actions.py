"""The 整改 loop in a real browser: a manager adds an IPA candidate to the register from the priorities
page, marks it done, uploads the next wave, and sees the verdict appear; a viewer cannot edit.

Own app server and store (the flow adds waves). The first wave is written so that 维修响应 is the
weakest item and drives the overall judgement (an IPA 重点改进 candidate); in the next wave every
answer on it is 很满意, so its rate is 100 % against a target of at most 95 %: 达标 by hand.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re

import pytest
from browser_utils import IDLE, MANAGER, act, exceptions, goto, login, new_page, start_app, stop_app

from ui.i18n import t

pytestmark = pytest.mark.browser

SIDEBAR = "[data-testid='stSidebar']"
SCALE = ["很满意", "比较满意", "一般", "不太满意", "很不满意"]
ITEMS = ["学生公寓", "食堂菜品", "维修响应", "开水供应"]
UNIT = "浏览器测试学院"


def wave_csv(n: int, start: dt.datetime, *, repair_all_best: bool = False, seed: int = 0) -> bytes:
    """问卷星 text export: 维修响应 low and driving 总体 (unless ``repair_all_best``), others high."""
    rng = random.Random(seed)
    header = (["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、您的身份"]
              + [f"第2题({it})" for it in ITEMS] + ["3、总体而言，您对后勤服务满意吗？", "4、其他建议"])
    rows = []
    for i in range(1, n + 1):
        z = rng.gauss(0, 1)
        repair = 0 if repair_all_best else min(4, max(0, round(2.6 - 1.2 * z)))  # mostly 一般 or worse
        others = [min(4, max(0, round(0.6 + 0.7 * rng.gauss(0, 1)))) for _ in range(3)]
        overall = min(4, max(0, round(repair * 0.9 + 0.3 * rng.gauss(0, 1))))
        codes = [others[0], others[1], repair, others[2], overall]
        when = start + dt.timedelta(minutes=9 * i)
        rows.append([str(i), when.strftime("%Y/%m/%d %H:%M:%S"), f"{120 + 13 * i}秒", "手机提交", "直接访问",
                     f"10.9.{i // 200}.{i % 200}(湖北-武汉)", "学生", *[SCALE[c] for c in codes], f"意见{seed}-{i}"])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([header, *rows])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def _warm_up(browser, base: str) -> None:
    """First script runs of a fresh server (imports, the first wave) are slow on a loaded machine:
    run the pages this flow uses once with a generous wait, so the test's own steps stay in bounds."""
    pg = new_page(browser)
    try:
        for path in ("overview", "priorities", "actions"):
            pg.goto(f"{base}/{path}")
            pg.wait_for_selector("[data-testid='stApp']", timeout=300_000)
            pg.wait_for_timeout(1_000)
            pg.wait_for_selector(IDLE, timeout=300_000)
    finally:
        pg.context.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, browser):
    from analysis import auth, store

    workdir = tmp_path_factory.mktemp("actions-app")
    url = f"sqlite:///{workdir}/survey.db"
    eng = store.get_engine(url)
    auth.create_user(eng, MANAGER[0], MANAGER[1], role="manager")
    first = wave_csv(80, dt.datetime(2026, 6, 2, 9), seed=1)
    store.ingest_file(eng, first, "上半年测评.csv", wave="2026年上半年测评", meta={"unit": UNIT, "period": "2026-06"})
    store.ensure_demo(eng)  # finds a wave: marks the store seeded, adds no demo
    from analysis.drivers import ipa

    cand = ipa(store.load_wave(eng, 1))
    assert "维修响应" in set(cand.loc[cand["quadrant"] == "concentrate", "label"]), cand
    store.close_engine(eng)
    srv = start_app(url, workdir)
    _warm_up(browser, srv.base)
    yield srv
    stop_app(srv)


def _nav(page, label: str) -> None:
    act(page, lambda: page.locator(SIDEBAR).get_by_role("link", name=re.compile(label)).click())


def test_manager_adds_from_priorities_uploads_next_wave_and_sees_the_verdict(server, page):
    from analysis import store

    login(page, server.base)
    _nav(page, "重点改进")
    assert exceptions(page) == []
    # the only 重点改进 candidate (维修响应) is preselected in the register picker
    act(page, lambda: page.get_by_role("button", name=t("a_add_to_register", "zh")).click())
    page.get_by_text("已加入整改台账").wait_for()
    assert exceptions(page) == []

    # the register shows the draft; the manager marks it done yesterday
    act(page, lambda: page.get_by_role("link", name=t("a_open_board", "zh")).click())
    page.get_by_text(t("a_edit", "zh")).first.wait_for()
    badge = page.locator("[data-testid='stMarkdownContainer']", has_text="推进中")
    assert badge.count() >= 1
    form = page.locator("[data-testid='stForm']").first
    status = form.get_by_role("combobox", name=t("a_status", "zh"))
    status.click()
    if status.get_attribute("aria-expanded") != "true":  # a click on the already focused field only keeps focus
        page.keyboard.press("ArrowDown")
    page.locator("[role='option']").filter(has_text="已完成").first.click()
    yesterday = (dt.date.today() - dt.timedelta(days=1)).strftime("%Y%m%d")
    form.get_by_role("spinbutton", name=f"year, {t('a_completed', 'zh')}").click()
    page.keyboard.type(yesterday)  # the date field's segments advance as digits are typed
    act(page, lambda: form.get_by_role("button", name=t("a_save", "zh")).click())
    page.get_by_text(t("actions_summary", "zh", total=1, parts="待验证 1")).wait_for()

    # the next wave, uploaded through the data page
    _nav(page, "数据管理")
    page.wait_for_selector("[data-testid='stFileUploaderDropzoneInput']", state="attached")
    today = dt.datetime.combine(dt.date.today(), dt.time(0, 5))
    data = wave_csv(60, today, repair_all_best=True, seed=2)
    act(page, lambda: page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        files=[{"name": "下半年测评.csv", "mimeType": "text/csv", "buffer": data}]))
    page.get_by_label(t("data_wave_name", "zh")).fill("2026年下半年测评")
    page.get_by_label(t("data_wave_unit", "zh")).fill(UNIT)
    act(page, lambda: page.get_by_role("button", name=t("data_save", "zh")).click())
    page.get_by_text(t("data_saved", "zh", name="2026年下半年测评", n=60)).wait_for()

    _nav(page, "整改台账")
    page.get_by_text(t("actions_summary", "zh", total=1, parts="达标 1")).wait_for()
    assert exceptions(page) == []
    page.get_by_text("实测 100.0%（n = 60").first.wait_for()

    eng = store.get_engine(server.db_url)
    try:
        row = store.verify_actions(eng).iloc[0]
        assert row["origin"] == "priorities" and row["target_key"] == "维修响应" and row["verdict"] == "met" and row["measured_k"] == 60
    finally:
        store.close_engine(eng)


def test_viewer_sees_the_register_but_no_forms(server, page):
    goto(page, server.base, "actions")
    assert exceptions(page) == []
    page.get_by_text(t("actions_readonly", "zh")).wait_for()
    forms = page.locator("[data-testid='stForm']").count()
    assert forms == page.locator(f"{SIDEBAR} [data-testid='stForm']").count()  # only the sidebar login form
    assert page.locator("[data-testid='stFileUploader']").count() == 0
    assert page.get_by_role("button", name=t("a_add_to_register", "zh")).count() == 0
    goto(page, server.base, "priorities")
    assert page.get_by_role("button", name=t("a_add_to_register", "zh")).count() == 0
