"""A manager uploads the second wave of a series; the overview compares it with the first wave of
that series (not with whatever was uploaded last). Hand-computed: 总体 60 % (18 of 30) in 2024,
90 % (27 of 30) in 2025 → +30.0 个百分点.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from browser_utils import act, exceptions, login

from ui.i18n import t

pytestmark = pytest.mark.browser

SIDEBAR = "[data-testid='stSidebar']"
ITEMS = ["学生公寓", "食堂菜品", "维修响应"]


def export(year: int, n_satisfied: int, n: int = 30) -> bytes:
    """问卷星 text export: respondents 1..n_satisfied answer 比较满意 everywhere, the rest 不太满意."""
    header = (["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、您的身份"]
              + [f"第2题({it})" for it in ITEMS] + ["3、总体而言，您对后勤服务满意吗？"])
    rows = []
    for i in range(1, n + 1):
        label = "比较满意" if i <= n_satisfied else "不太满意"
        rows.append([str(i), f"{year}/5/{1 + i % 20} 10:{i % 60:02d}:00", f"{200 + 3 * i}秒", "手机提交", "直接访问",
                     f"10.{year % 100}.0.{i}(湖北-武汉)", "学生", *[label] * (len(ITEMS) + 1)])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([header, *rows])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def test_second_wave_of_a_series_is_compared_with_the_first(app_server, page):
    from analysis import store

    engine = store.get_engine(app_server.db_url)
    try:
        store.ensure_demo(engine)
        store.ingest_file(engine, export(2024, 18), "2024年测评.csv", wave="测试大学2024", meta={"unit": "测试大学"})
    finally:
        engine.dispose()

    login(page, app_server.base)
    act(page, lambda: page.locator(SIDEBAR).get_by_role("link", name=re.compile("数据管理")).click())
    page.wait_for_selector("[data-testid='stFileUploaderDropzoneInput']", state="attached")
    upload = page.locator("[data-testid='stFileUploaderDropzoneInput']")
    act(page, lambda: upload.set_input_files(
        files=[{"name": "2025年测评.csv", "mimeType": "text/csv", "buffer": export(2025, 27)}]))
    assert exceptions(page) == []
    page.get_by_label(t("data_wave_name", "zh")).fill("测试大学2025")
    # the series is suggested (the 2024 wave's, same questionnaire) and left as it is: checked in the store below
    act(page, lambda: page.get_by_role("button", name=t("data_save", "zh")).click())
    page.get_by_text(t("data_saved", "zh", name="测试大学2025", n=30)).wait_for()
    act(page, lambda: page.get_by_role("link", name=t("data_open_overview", "zh")).click())
    assert exceptions(page) == []

    total = page.locator("[data-testid='stMetric']").filter(has_text="总体").first
    total.wait_for()
    assert "90.0%" in total.inner_text()
    assert "+30.0 个百分点" in total.inner_text(), total.inner_text()
    page.get_by_text(re.compile("与本项目上一批次「测试大学2024」相比")).first.wait_for()

    engine = store.get_engine(app_server.db_url)
    try:
        w = store.list_waves(engine).set_index("name")
        assert w.loc["测试大学2025", "series_id"] == w.loc["测试大学2024", "series_id"]
    finally:
        engine.dispose()
