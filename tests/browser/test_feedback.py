"""The feedback page in the browser: a planted <script> comment is text, a small group's comments are
hidden, and a link with filters reopens the same view.

The planted record file (written here) holds 12 student records — one of them the script — and 3
parent records; the comment threshold is 10 (default), so the parents' texts must not appear.
"""

from __future__ import annotations

import pandas as pd
import pytest
from browser_utils import act, exceptions, goto, new_page, wait_rerun

pytestmark = pytest.mark.browser

SCRIPT = "<script>window.__xss=1</script>宿舍没有热水"
PARENT_TEXT = "家长小组专属文字"
MAIN = "[data-testid='stMain']"


def _planted_csv() -> bytes:
    rows = ["日期,渠道,对象,意见内容", f"2025-03-01,座谈会,学生,\"{SCRIPT}\""]
    rows += [f"2025-03-{2 + i:02d},意见箱,学生,食堂饭菜太贵第{i}条" for i in range(11)]
    rows += [f"2025-03-{2 + i:02d},电话访谈,家长,{PARENT_TEXT}{i} 宿舍太吵" for i in range(3)]
    return ("\n".join(rows) + "\n").encode("utf-8")


@pytest.fixture
def planted(app_server, page):
    from analysis import store

    goto(page, app_server.base, "overview")  # the app seeds the demo first
    engine = store.get_engine(app_server.db_url)
    try:
        store.import_feedback(engine, _planted_csv(), "planted.csv")  # the same bytes twice: imported once
    finally:
        store.close_engine(engine)
    return app_server


def test_script_comment_renders_as_text(planted, page):
    goto(page, planted.base, "feedback?fb_src=records&fb_q=%E7%83%AD%E6%B0%B4")  # fb_q=热水
    assert exceptions(page) == []
    panel = page.locator(f"{MAIN} [data-testid='stText']")
    assert SCRIPT in [t.strip() for t in panel.all_inner_texts()]
    assert page.evaluate("window.__xss") is None
    assert page.locator(f"{MAIN} script:has-text('__xss')").count() == 0


def test_small_group_comments_are_hidden(planted, page):
    goto(page, planted.base, "feedback?fb_src=records&fb_q=" + "%E5%AE%B6%E9%95%BF%E5%B0%8F%E7%BB%84")  # 家长小组
    assert exceptions(page) == []
    main = page.locator(MAIN).inner_text()
    assert PARENT_TEXT not in main
    assert "3 条意见来自人数少于 10 的群体" in main
    assert page.locator(f"{MAIN} [data-testid='stText']").count() == 0


def test_link_with_filters_reopens_the_same_view(planted, page, browser):
    from ui.i18n import t

    goto(page, planted.base, "feedback?fb_tone=negative")
    combo = page.locator(MAIN).get_by_role("combobox", name=t("fb_channel", "zh"))
    act(page, lambda: combo.click())
    option = page.locator("[role='option']").filter(has_text="信访").first
    act(page, lambda: option.click())
    url = page.url
    assert "fb_channel=petition" in url and "fb_tone=negative" in url, url
    count = page.locator(MAIN).get_by_text("符合条件的记录").first.inner_text()

    fresh = new_page(browser)
    try:
        fresh.goto(url)
        fresh.wait_for_selector("[data-testid='stApp']")
        wait_rerun(fresh, 0, start_timeout=30_000)
        assert exceptions(fresh) == []
        main = fresh.locator(MAIN)
        assert main.get_by_role("combobox", name=t("fb_channel", "zh")).input_value().strip() == "信访"
        assert main.get_by_role("combobox", name=t("fb_tone", "zh")).input_value().strip() == "负面"
        assert main.get_by_text("符合条件的记录").first.inner_text() == count
    finally:
        fresh.context.close()


def test_manager_adds_a_record_to_the_register(planted, page):
    from browser_utils import login

    from ui.i18n import t

    login(page, planted.base)
    goto(page, planted.base, "feedback?fb_src=records&fb_q=%E7%83%AD%E6%B0%B4")  # fb_q=热水: the planted script only
    assert exceptions(page) == []
    act(page, lambda: page.locator(".st-key-fb_reg_record_add button").click())
    page.get_by_text("已加入整改台账").wait_for()
    assert exceptions(page) == []
    act(page, lambda: page.get_by_role("link", name=t("a_open_board", "zh")).click())
    page.get_by_text(t("a_edit", "zh")).first.wait_for()
    assert exceptions(page) == []
    # the innermost block holding the action's problem is its card; it shows the linked record as a table
    card = page.locator(f"{MAIN} [data-testid='stVerticalBlock']", has_text=f"{SCRIPT}").filter(
        has_text=t("a_records", "zh")).last
    card.wait_for()
    assert f"#{_new_action(planted)['id']} {SCRIPT}" in card.inner_text()
    assert card.locator("[data-testid='stDataFrame']").count() == 1  # the linked record
    assert page.evaluate("window.__xss") is None  # the problem is the comment's text, shown as text

    new = _new_action(planted)
    assert list(new["feedback_ids"]) == [new["record_id"]] and new["record_action"] == new["id"]
    assert new["origin"] == "feedback"


def _new_action(server) -> dict:
    """The action whose problem is the planted script comment, with that record's id and link."""
    from analysis import store

    engine = store.get_engine(server.db_url)
    try:
        rec = store.list_feedback(engine, text=SCRIPT).iloc[0]
        acts = store.list_actions(engine)
        row = acts[acts["problem"] == SCRIPT].iloc[0]
        return {"id": int(row["id"]), "origin": row["origin"], "feedback_ids": [int(i) for i in row["feedback_ids"]],
                "record_id": int(rec["id"]), "record_action": None if pd.isna(rec["action_id"]) else int(rec["action_id"])}
    finally:
        store.close_engine(engine)


def test_viewer_has_no_register_controls(planted, page):
    from ui.i18n import t

    goto(page, planted.base, "feedback?fb_src=records&fb_q=%E7%83%AD%E6%B0%B4")
    assert exceptions(page) == []
    panel = page.locator(f"{MAIN} [data-testid='stText']")
    assert SCRIPT in [x.strip() for x in panel.all_inner_texts()]  # the record's detail panel is there
    assert page.locator(".st-key-fb_reg_record_add").count() == 0
    assert page.locator(".st-key-fb_reg_topic_add").count() == 0
    assert page.get_by_role("button", name=t("a_add_to_register", "zh")).count() == 0
    assert page.get_by_text(t("a_fb_topic", "zh")).count() == 0
