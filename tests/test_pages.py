"""App tests (streamlit.testing AppTest): every page renders on the demo store, widgets and URL drive the view.

Each test points the app at its own throwaway SQLite store through ``SURVEY_DB_URL`` (the loaders read
it on every run and key their caches on it). The demo store is filled by ``analysis.store.ensure_demo``
on first use; the other stores are made here from a small CSV written by code.
"""

from __future__ import annotations

import os
import random

import pytest

pytest.importorskip("analysis.store")
from streamlit.testing.v1 import AppTest  # noqa: E402

from analysis import store  # noqa: E402
from ui.frame import PAGES  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the pages every viewer sees (the navigation's own list, pages whose file exists)
PAGE_FILES = {key: p.path for key, p in PAGES.items()
              if not p.manager_only and os.path.exists(os.path.join(ROOT, p.path))}
TIMEOUT = 180


def _plain_csv() -> bytes:
    """12 respondents, three items, no respondent group and no overall item (generic wide layout)."""
    rng = random.Random(7)
    labels = ["非常满意", "满意", "一般", "不满意", "非常不满意"]
    rows = ["序号,1、食堂饭菜质量,2、学生宿舍环境,3、维修响应速度"]
    for i in range(1, 13):
        rows.append(",".join([str(i)] + [rng.choice(labels) for _ in range(3)]))
    return ("\n".join(rows) + "\n").encode("utf-8-sig")


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('demo')}/demo.db"
    eng = store.get_engine(url)
    store.ensure_demo(eng)
    assert len(store.list_waves(eng)) >= 2, "the demo store should hold several waves"
    return url


@pytest.fixture(scope="module")
def plain_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('plain')}/plain.db"
    eng = store.get_engine(url)
    store.ingest_file(eng, _plain_csv(), "plain.csv", wave="单批次测试")
    store.ensure_demo(eng)  # finds a wave: no demo added
    assert len(store.list_waves(eng)) == 1
    return url


@pytest.fixture(scope="module")
def empty_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('empty')}/empty.db"
    eng = store.get_engine(url)
    res = store.ingest_file(eng, _plain_csv(), "plain.csv", wave="待删除")
    store.ensure_demo(eng)
    store.delete_wave(eng, res.wave_id)
    assert len(store.list_waves(eng)) == 0
    return url


def open_page(monkeypatch, url: str, page: str, **params: str) -> AppTest:
    monkeypatch.setenv("SURVEY_DB_URL", url)
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(os.path.join(ROOT, "home.py"), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(PAGE_FILES[page])
    at.run()
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def nav_labels(at: AppTest) -> list[str]:
    return [p.label for p in at.sidebar.get("page_link")]


@pytest.mark.slow
@pytest.mark.parametrize("page", list(PAGE_FILES))
def test_every_page_renders_with_the_frame(monkeypatch, demo_url, page):
    at = open_page(monkeypatch, demo_url, page)
    assert_clean(at)
    # the frame ran even though home.py did not: language switch and translated navigation
    assert at.segmented_control(key="frame_lang").value == "zh"
    assert nav_labels(at)[:6] == ["总览", "服务领域", "趋势", "对比", "质量与信度", "重点改进"]
    assert at.selectbox(key="frame_wave").value is not None
    assert len(at.get("plotly_chart")) >= 1


@pytest.mark.slow
@pytest.mark.parametrize("page", list(PAGE_FILES))
def test_every_page_in_english(monkeypatch, demo_url, page):
    at = open_page(monkeypatch, demo_url, page, lang="en")
    assert_clean(at)
    assert nav_labels(at)[:6] == [
        "Overview",
        "Service areas",
        "Trends",
        "Comparison",
        "Quality & reliability",
        "Priorities",
    ]
    assert at.title[0].value in {
        "Overview",
        "Service areas",
        "Trends",
        "Group comparison",
        "Quality & reliability",
        "Priorities",
        "Feedback and interviews",
        "Corrective-action register",
    }


def test_entry_script_forwards_to_overview_with_the_query(monkeypatch, demo_url):
    monkeypatch.setenv("SURVEY_DB_URL", demo_url)
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(os.path.join(ROOT, "home.py"), default_timeout=TIMEOUT)
    at.query_params["lang"] = "en"
    at.run()
    assert_clean(at)
    assert at.title[0].value == "Overview"


def _waves(url: str):
    """The waves of the series shown by default (the one with the latest wave), in date order."""
    w = store.list_waves(store.get_engine(url))
    return w[w["series_id"] == w.loc[w["fieldwork_start"].idxmax(), "series_id"]].reset_index(drop=True)


def test_url_selects_the_wave_and_widget_changes_it(monkeypatch, demo_url):
    waves = _waves(demo_url)
    first, last = waves.iloc[0], waves.iloc[-1]
    at = open_page(monkeypatch, demo_url, "overview", wave=str(first["id"]))
    assert_clean(at)
    assert at.selectbox(key="frame_wave").value == str(first["id"])
    assert at.caption[0].value.startswith(str(first["name"]))
    distributed = {m.label: m.value for m in at.metric}["发放"]
    # the selectbox writes the URL and the view follows
    at.selectbox(key="frame_wave").set_value(str(last["id"])).run()
    assert_clean(at)
    assert at.query_params["wave"] == [str(last["id"])] or at.query_params["wave"] == str(last["id"])
    assert at.caption[0].value.startswith(str(last["name"]))
    assert {m.label: m.value for m in at.metric}["发放"] != distributed or first["id"] == last["id"]


def test_without_a_wave_in_the_url_the_latest_wave_is_shown(monkeypatch, demo_url):
    at = open_page(monkeypatch, demo_url, "overview")
    assert at.selectbox(key="frame_wave").value == str(_waves(demo_url).iloc[-1]["id"])


def test_invalid_url_values_fall_back(monkeypatch, demo_url):
    at = open_page(monkeypatch, demo_url, "overview", wave="99999", k="abc", lang="xx", area="nowhere")
    assert_clean(at)
    assert at.selectbox(key="frame_wave").value == str(_waves(demo_url).iloc[-1]["id"])
    assert at.number_input(key="frame_k").value == 5
    assert at.segmented_control(key="frame_lang").value == "zh"
    assert at.selectbox(key="frame_area").value == ""


def test_links_between_pages_carry_the_filters(monkeypatch, demo_url):
    wid = str(_waves(demo_url).iloc[0]["id"])
    at = open_page(monkeypatch, demo_url, "areas", wave=wid, lang="en", k="8", basic="1")
    assert_clean(at)
    assert not at.sidebar.code, "the share box is lazy: nothing in it is sent until it is opened"
    at.session_state["share_box"] = True  # what opening the expander does
    at.run()
    share = at.sidebar.code[0].value
    for part in (f"wave={wid}", "lang=en", "k=8", "basic=1"):
        assert part in share


def test_exclude_flagged_changes_the_counts(monkeypatch, demo_url):
    at = open_page(monkeypatch, demo_url, "overview")
    before = [c.value for c in at.caption if c.value.startswith("答题人次")]
    at.checkbox(key="frame_exclude_flagged").check().run()
    assert_clean(at)
    after = [c.value for c in at.caption if c.value.startswith("答题人次")]
    assert at.query_params["exclude_flagged"] in ("1", ["1"])
    assert "已剔除可疑答卷" in " ".join(c.value for c in at.caption)
    assert before and after and before != after  # the demo has flagged responses


def test_language_switch_redraws_in_english(monkeypatch, demo_url):
    at = open_page(monkeypatch, demo_url, "overview")
    at.segmented_control(key="frame_lang").set_value("en").run()
    assert_clean(at)
    assert at.title[0].value == "Overview"
    assert nav_labels(at)[0] == "Overview"


def test_area_in_url_selects_the_area(monkeypatch, demo_url):
    at = open_page(monkeypatch, demo_url, "areas", area="catering")
    assert_clean(at)
    assert at.selectbox(key="frame_area").value == "catering"
    assert at.subheader[0].value == "餐饮/食堂"


def test_presentation_mode_offers_a_way_out(monkeypatch, demo_url):
    at = open_page(monkeypatch, demo_url, "overview", present="1")
    assert_clean(at)
    main_links = [p.label for p in at.main.get("page_link")]
    assert "退出演示模式" in main_links
    assert any("stSidebar" in m.value for m in at.markdown if "<style>" in m.value)


def test_trends_level_switch_is_kept_in_the_url(monkeypatch, demo_url):
    at = open_page(monkeypatch, demo_url, "trends")
    assert_clean(at)
    at.segmented_control(key="trends_level").set_value("item").run()
    assert_clean(at)
    assert at.query_params["level"] in ("item", ["item"])
    at2 = open_page(monkeypatch, demo_url, "trends", level="item")
    assert at2.segmented_control(key="trends_level").value == "item"


def test_anonymity_threshold_hides_small_cells(monkeypatch, demo_url):
    at = open_page(monkeypatch, demo_url, "compare", k="100")
    assert_clean(at)
    assert any(":material/lock:" in c.value and "100" in c.value for c in at.caption)


@pytest.mark.parametrize("page", list(PAGE_FILES))
def test_empty_store_shows_a_message_not_a_traceback(monkeypatch, empty_url, page):
    at = open_page(monkeypatch, empty_url, page)
    assert_clean(at)
    assert any("还没有调查数据" in i.value for i in at.info)


def test_single_wave_without_groups_or_overall_item(monkeypatch, plain_url):
    at = open_page(monkeypatch, plain_url, "trends")
    assert_clean(at)
    assert any("只有一个调查批次" in i.value for i in at.info)
    at = open_page(monkeypatch, plain_url, "compare")
    assert_clean(at)
    assert any("没有可分组的字段" in i.value for i in at.info)
    at = open_page(monkeypatch, plain_url, "priorities")
    assert_clean(at)
    assert any("总体满意度" in i.value for i in at.info)
    at = open_page(monkeypatch, plain_url, "overview")
    assert_clean(at)
    assert len(at.get("plotly_chart")) == 1


def test_item_trends_for_one_area(monkeypatch, demo_url):
    import json

    at = open_page(monkeypatch, demo_url, "trends", level="item", area="catering")
    assert_clean(at)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    lines = [tr["name"] for tr in spec["data"] if tr.get("mode") == "lines+markers"]
    assert lines, "catering items measured in several waves should be drawn"
    catering_words = ("餐", "食", "饭", "菜")
    assert all(any(w in name for w in catering_words) for name in lines), lines


def test_clicking_the_selected_language_again_keeps_it(monkeypatch, demo_url):
    at = open_page(monkeypatch, demo_url, "overview", lang="en")
    at.segmented_control(key="frame_lang").set_value(None).run()
    assert_clean(at)
    assert at.title[0].value == "Overview"
    assert at.segmented_control(key="frame_lang").value == "en"
