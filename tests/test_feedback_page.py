"""App tests of the feedback page (pages/8_feedback.py) with streamlit.testing AppTest.

The planted store is written here: 12 student records (one of them a ``<script>`` comment) and 3
parent records in one record file, so the expected view is known by hand — with the default
comment threshold of 10 the parents' three texts are hidden, the students' twelve shown.
"""

from __future__ import annotations

import os

import pytest
from streamlit.testing.v1 import AppTest

from analysis import store

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGE = "pages/8_feedback.py"
SCRIPT = "<script>window.__xss=1</script>宿舍没有热水"
PARENT_TEXT = "家长小组专属文字"


def _planted_csv() -> bytes:
    rows = ["日期,渠道,对象,意见内容"]
    rows.append(f"2025-03-01,座谈会,学生,\"{SCRIPT}\"")
    for i in range(11):
        rows.append(f"2025-03-{2 + i:02d},意见箱,学生,食堂饭菜太贵第{i}条")
    for i in range(3):
        rows.append(f"2025-03-{2 + i:02d},电话访谈,家长,{PARENT_TEXT}{i} 宿舍太吵")
    return ("\n".join(rows) + "\n").encode("utf-8")


@pytest.fixture(scope="module")
def planted_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('fbpage')}/fb.db"
    eng = store.get_engine(url)
    store.ensure_demo(eng)  # empty store: the demo waves and records; then the planted file
    res = store.import_feedback(eng, _planted_csv(), "planted.csv")
    assert res.n_records == 15
    return url


def _open(monkeypatch, url: str, user=None, **params: str) -> AppTest:
    monkeypatch.setenv("SURVEY_DB_URL", url)
    monkeypatch.delenv("SURVEY_K_COMMENTS", raising=False)
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(os.path.join(ROOT, "home.py"), default_timeout=180)
    if user is not None:
        at.session_state["auth_user"] = user
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _record_table(at: AppTest):
    tables = [d.value for d in at.dataframe if any("内容" in str(c) or "Text" in str(c) for c in d.value.columns)]
    assert tables, "the record list is drawn"
    return tables[-1]


def _all_markdown(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in [*at.markdown, *at.caption, *at.info, *at.warning])


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_renders_on_the_demo_store(monkeypatch, planted_url, lang):
    at = _open(monkeypatch, planted_url, lang=lang)
    assert at.title[0].value == ("意见与访谈" if lang == "zh" else "Feedback and interviews")
    assert len(at.get("plotly_chart")) == 2  # area × channel, area × tone
    assert len(_record_table(at)) > 0


@pytest.mark.slow
def test_script_is_text_and_small_group_is_hidden(monkeypatch, planted_url):
    at = _open(monkeypatch, planted_url, fb_src="records", fb_q="热水")
    table = _record_table(at)
    texts = table.iloc[:, 6].tolist()
    assert SCRIPT in texts  # the text as it was written, in a dataframe cell (rendered as text)
    assert not any(PARENT_TEXT in t for t in texts)
    assert SCRIPT in [t.value for t in at.text]  # the full-text panel uses st.text
    assert "<script>" not in _all_markdown(at)
    at = _open(monkeypatch, planted_url, fb_src="records", fb_q=PARENT_TEXT)
    assert "fb_detail_pick" not in [getattr(s, "key", None) for s in at.selectbox]
    assert any("3 条意见来自人数少于 10 的群体" in str(c.value) for c in at.caption)


@pytest.mark.slow
def test_url_filters_set_the_widgets_and_the_view(monkeypatch, planted_url):
    at = _open(monkeypatch, planted_url, fb_channel="petition", fb_area="catering", fb_from="2019-10-01",
               fb_to="2019-12-31")
    assert at.selectbox(key="page_fb_channel").value == "petition"
    assert at.selectbox(key="page_fb_area").value == "catering"
    # the one demo petition about catering: 阳光信访：食堂饭菜价格偏高 (2019-10-16), from a parent; the demo
    # has 5 parent records (3 calls, 1 interview, 1 petition) < 10, so it is counted but its text is hidden
    captions = [str(c.value) for c in at.caption]
    assert any("符合条件的记录 1 条" in c for c in captions)
    assert any("1 条意见来自人数少于 10 的群体" in c for c in captions)
    at = _open(monkeypatch, planted_url, fb_channel="not-a-channel", fb_from="yesterday")
    assert at.selectbox(key="page_fb_channel").value == ""
    assert "fb_channel" not in at.query_params and "fb_from" not in at.query_params


@pytest.mark.slow
def test_overview_cards_link_to_their_records(monkeypatch, planted_url):
    monkeypatch.setenv("SURVEY_DB_URL", planted_url)
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(os.path.join(ROOT, "home.py"), default_timeout=180)
    at.switch_page("pages/1_overview.py")
    at.run()
    links = [p for p in at.get("page_link") if p.proto.page == "feedback" and p.proto.label == "查看意见"]
    assert links and any("fb_area=catering" in str(p.proto.query_string) for p in links)


@pytest.mark.slow
def test_manager_tools_only_for_managers(monkeypatch, planted_url):
    at = _open(monkeypatch, planted_url)
    assert not at.tabs
    from analysis import auth

    eng = store.get_engine(planted_url)
    auth.create_user(eng, "fbmgr", "secret-pass-1", role="manager")
    user = auth.authenticate(eng, "fbmgr", "secret-pass-1")
    at = _open(monkeypatch, planted_url, user=user)
    assert [t.label for t in at.tabs] == ["导入记录文件", "录入一条记录", "更改状态", "后勤词库（补充词）"]


@pytest.fixture
def planted_copy(planted_url, tmp_path):
    """A private copy of the planted store with a manager (the tests below write to it)."""
    import sqlite3

    from analysis import auth

    path = tmp_path / "copy.db"
    src, dst = sqlite3.connect(planted_url.removeprefix("sqlite:///")), sqlite3.connect(path)
    try:
        src.backup(dst)  # the backup API also copies what is still in the write-ahead log
    finally:
        src.close()
        dst.close()
    url = f"sqlite:///{path}"
    eng = store.get_engine(url)
    auth.create_user(eng, "fbreg", "secret-pass-2", role="manager")
    user = auth.authenticate(eng, "fbreg", "secret-pass-2")
    yield url, user
    store.close_engine(eng)


def _keys(at: AppTest) -> set:
    return {getattr(b, "key", None) for b in [*at.button, *at.selectbox]}


@pytest.mark.slow
def test_viewer_has_no_register_controls(monkeypatch, planted_url):
    at = _open(monkeypatch, planted_url, fb_src="records", fb_q="热水")
    assert not {"fb_reg_record_add", "fb_reg_topic_add", "fb_reg_area"} & _keys(at)


@pytest.mark.slow
def test_manager_adds_a_record_to_the_register(monkeypatch, planted_copy):
    url, user = planted_copy
    at = _open(monkeypatch, url, user=user, fb_src="records", fb_q="热水")
    # the one record with 热水 is the planted script comment (a student, 12 students ≥ 10: shown)
    at.button(key="fb_reg_record_add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    eng = store.get_engine(url)
    acts = store.list_actions(eng)
    assert len(acts) == 16  # the demo's 15 + this one
    new = acts.sort_values("id").iloc[-1]
    rec = store.list_feedback(eng, text=SCRIPT).iloc[0]
    assert new["origin"] == "feedback" and new["problem"] == SCRIPT and new["status"] == "planned"
    assert list(new["feedback_ids"]) == [int(rec["id"])] and new["area"] == rec["areas"][0]
    assert int(rec["action_id"]) == int(new["id"]) and rec["status"] == "forwarded"
    assert any(f"#{int(new['id'])}" in str(s.value) for s in at.success)
    assert any(p.proto.page == "actions" and f"action={int(new['id'])}" in str(p.proto.query_string)
               for p in at.get("page_link"))
    kinds = store.list_audit(eng, limit=5)["action"].tolist()
    assert "action_add" in kinds and "feedback_link" in kinds
    # a second click reports the open action instead of adding it twice
    at.button(key="fb_reg_record_add").click().run()
    assert len(store.list_actions(eng)) == 16
    assert any(f"#{int(new['id'])}" in str(i.value) for i in at.info)


@pytest.mark.slow
def test_manager_adds_a_topic_to_the_register(monkeypatch, planted_copy):
    url, user = planted_copy
    # 饭菜太贵 matches the eleven planted student records 食堂饭菜太贵第0..10条 (catering, negative, shown)
    at = _open(monkeypatch, url, user=user, fb_src="records", fb_q="饭菜太贵")
    at.selectbox(key="fb_reg_area").set_value("catering").run()
    assert any("「餐饮/食堂」相关意见 11 条（负面 11 条）" in str(x.value) for x in at.text)
    at.button(key="fb_reg_topic_add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    eng = store.get_engine(url)
    new = store.list_actions(eng).sort_values("id").iloc[-1]
    assert new["problem"] == "「餐饮/食堂」相关意见 11 条（负面 11 条）" and new["area"] == "catering"
    planted = store.list_feedback(eng, text="饭菜太贵")
    assert sorted(new["feedback_ids"]) == sorted(int(i) for i in planted["id"]) and len(planted) == 11
    assert set(planted["action_id"].astype(int)) == {int(new["id"])}


@pytest.mark.slow
def test_register_hides_linked_texts_of_small_groups(monkeypatch, planted_copy):
    url, _ = planted_copy
    eng = store.get_engine(url)
    parents = store.list_feedback(eng, text=PARENT_TEXT)  # 3 parents < 10: hidden on the feedback page
    students = store.list_feedback(eng, text="饭菜太贵第0条")  # 12 students: shown
    ids = [int(parents["id"].iloc[0]), int(students["id"].iloc[0])]
    aid = store.add_action(eng, user="test", origin="feedback", problem="家长意见", feedback_ids=ids)
    monkeypatch.setenv("SURVEY_DB_URL", url)
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(os.path.join(ROOT, "home.py"), default_timeout=180)
    at.switch_page("pages/9_actions.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    linked = [d.value for d in at.dataframe if "text" in d.value.columns and set(d.value["id"]) == set(ids)]
    assert len(linked) == 1, f"action #{aid} shows its two records"
    texts = dict(zip(linked[0]["id"], linked[0]["text"], strict=True))
    assert texts[ids[1]] == "食堂饭菜太贵第0条"
    assert PARENT_TEXT not in texts[ids[0]] and "人数少于 10" in texts[ids[0]]
