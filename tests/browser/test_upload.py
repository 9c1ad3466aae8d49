"""The manager's upload flow in a real browser, and that a viewer cannot upload."""

from __future__ import annotations

import csv
import io
import re

import pytest
from browser_utils import act, exceptions, goto, login

from ui.i18n import t

pytestmark = pytest.mark.browser

SIDEBAR = "[data-testid='stSidebar']"
SCALE = ["很满意", "比较满意", "一般", "不太满意", "很不满意"]
ITEMS = ["学生公寓", "食堂菜品", "维修响应", "开水供应"]


def wjx_csv(n: int, tag: str) -> bytes:
    """A small 问卷星 按选项文本 export (UTF-8 with BOM); ``tag`` makes the bytes unique."""
    header = (
        ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、您的身份"]
        + [f"第2题({it})" for it in ITEMS]
        + ["3、总体而言，您对后勤服务满意吗？", "4、其他建议"]
    )
    rows = [
        [
            str(i),
            f"2025/5/{1 + i % 28} 10:{i % 60:02d}:00",
            f"{90 + 11 * i}秒",
            "手机提交",
            "直接访问",
            f"10.0.{i // 200}.{i % 200}(湖北-武汉)",
            ["学生", "教师", "职工"][i % 3],
            *[SCALE[(i * (j + 1)) % 5] for j in range(len(ITEMS) + 1)],
            f"{tag}{i}",
        ]
        for i in range(1, n + 1)
    ]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([header, *rows])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def _nav(page, label: str) -> None:
    act(page, lambda: page.locator(SIDEBAR).get_by_role("link", name=re.compile(label)).click())


def test_viewer_without_login_cannot_upload(app_server, page):
    goto(page, app_server.base, "data")
    assert exceptions(page) == []
    page.get_by_text(t("data_manager_only", "zh")).wait_for()
    assert page.locator("[data-testid='stFileUploader']").count() == 0
    assert page.locator("input[type=file]").count() == 0


def test_upload_edit_codebook_save_and_see_wave(app_server, page):
    from analysis import store

    login(page, app_server.base)
    _nav(page, "数据管理")
    page.wait_for_selector("[data-testid='stFileUploaderDropzoneInput']", state="attached")
    upload = page.locator("[data-testid='stFileUploaderDropzoneInput']")
    act(
        page,
        lambda: upload.set_input_files(
            files=[{"name": "浏览器上传测试.csv", "mimeType": "text/csv", "buffer": wjx_csv(30, "浏览器")}]
        ),
    )
    assert exceptions(page) == []
    page.get_by_text("问卷星").first.wait_for()

    # edit one codebook cell: the label of 第2题(学生公寓) (row 7, column "label" = index 4)
    editor = page.locator("[data-testid='stDataFrame']").filter(has=page.locator("th", has_text=t("cb_col_scale", "zh")))
    assert editor.locator("[data-testid='glide-cell-0-7']").inner_text() == "第2题(学生公寓)"
    editor.scroll_into_view_if_needed()
    box = editor.bounding_box()
    page.mouse.click(box["x"] + 30, box["y"] + 35 + 17)  # first body cell: gives the grid the focus
    page.wait_for_timeout(300)  # on a loaded machine the first key presses could arrive before the focus
    for _ in range(4):
        page.keyboard.press("ArrowRight", delay=30)
    for _ in range(7):
        page.keyboard.press("ArrowDown", delay=30)
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text("公寓住宿（浏览器改）")
    act(page, lambda: page.keyboard.press("Enter"))
    assert editor.locator("[data-testid='glide-cell-4-7']").inner_text() == "公寓住宿（浏览器改）"

    name_box = page.get_by_label(t("data_wave_name", "zh"))
    name_box.fill("浏览器上传批次")
    act(page, lambda: page.get_by_role("button", name=t("data_save", "zh")).click())
    page.get_by_text(t("data_saved", "zh", name="浏览器上传批次", n=30)).wait_for()
    assert exceptions(page) == []

    # the store holds the wave with the edited label (read back independently of the page)
    engine = store.get_engine(app_server.db_url)
    try:
        waves = store.list_waves(engine)
        row = waves[waves["name"] == "浏览器上传批次"]
        assert len(row) == 1 and int(row["n_responses"].iloc[0]) == 30
        items = store.load_wave(engine, int(row["id"].iloc[0])).items
        assert "公寓住宿（浏览器改）" in set(items["label"])
        audit = store.list_audit(engine)
        assert "ingest" in set(audit.loc[audit["user"] == "manager", "action"])
    finally:
        engine.dispose()

    # the overview of the saved wave (its own series: a questionnaire not seen before) offers the new wave
    act(page, lambda: page.get_by_role("link", name=t("data_open_overview", "zh")).click())
    from ui.i18n import t as t_core

    page.locator(SIDEBAR).get_by_role("combobox", name=t_core("f_wave", "zh")).click()
    options = [o.inner_text().strip() for o in page.locator("[role='option']").all()]
    assert "浏览器上传批次" in options, options
    page.keyboard.press("Escape")


def test_login_in_english_reaches_the_uploader(app_server, page):
    login(page, app_server.base, lang="en")
    _nav(page, "Data management")
    page.wait_for_selector("[data-testid='stFileUploaderDropzoneInput']", state="attached")
    page.get_by_text(t("data_upload_header", "en")).wait_for()
    assert exceptions(page) == []
