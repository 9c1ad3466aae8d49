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
    at = AppTest.from_file(os.path.join(ROOT, "dashboard.py"), default_timeout=180)
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
    at = AppTest.from_file(os.path.join(ROOT, "dashboard.py"), default_timeout=180)
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
