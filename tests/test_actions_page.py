"""AppTest of the 整改台账 page and its buttons on the overview, priorities and service-area pages.

Runs on the demo store (15 actions of the 2019 campaign). Expected verdict counts are hand counts
from the demo's planned rates (analysis/demo.py ``_VC_ITEMS``, pooled per area) against the
demo targets, e.g. accommodation 2020 = (0.78 + 0.86 + 0.80 + 0.84) / 4 ≈ 0.82 ≥ 0.80 (met) but
< 0.85 (not met); two open actions past their deadlines (2021-12-31, 2022-06-30) are overdue.
"""

from __future__ import annotations

import math
import os
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from analysis import auth, store
from ui.i18n import t

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIMEOUT = 240
PW = "long-enough-pw"


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("actions-demo") / "demo.db"
    eng = store.get_engine(f"sqlite:///{path}")
    store.ensure_demo(eng)
    auth.create_user(eng, "经理", PW)
    auth.create_user(eng, "访客", PW, role="viewer")
    store.close_engine(eng)
    return path


@pytest.fixture
def demo_url(demo_file, tmp_path, monkeypatch):
    """A private copy of the demo store (tests that write do not disturb the others)."""
    path = tmp_path / "copy.db"
    shutil.copy(demo_file, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("SURVEY_DB_URL", url)
    monkeypatch.chdir(ROOT)
    for name in ("SURVEY_ADMIN_TOKEN", "SURVEY_OPEN_VIEWING"):
        monkeypatch.delenv(name, raising=False)
    yield url
    for key, eng in list(store.engine._ENGINES.items()):
        if key == url:
            store.close_engine(eng)


def open_page(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(os.path.join(ROOT, "home.py"), default_timeout=TIMEOUT)
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def login(at: AppTest, name: str) -> AppTest:
    at.text_input(key="auth_name").set_value(name)
    at.text_input(key="auth_pw").set_value(PW)
    at.button[[b.label for b in at.button].index(t("login_submit", "zh"))].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def test_viewer_sees_the_board_read_only(demo_url):
    at = open_page("pages/9_actions.py")
    assert "**整改 15 项：达标 6，未达标 5，逾期 2，无量化目标 2**" in markdown(at)
    badges = [m for m in markdown(at) if "-badge[" in m]
    assert len(badges) == 15 and sum("逾期" in b for b in badges) == 2
    assert any(m.startswith(":red[") and "已逾期" in m for m in markdown(at))  # overdue in red
    keys = {s.key for s in at.selectbox}
    assert "actions_add_series" not in keys and "actions_pick" not in keys
    assert t("actions_readonly", "zh") in " ".join(c.value for c in at.caption)


def test_logged_in_viewer_still_cannot_edit(demo_url):
    at = login(open_page("pages/9_actions.py"), "访客")
    assert "actions_add_series" not in {s.key for s in at.selectbox}


def test_filters_come_from_the_url(demo_url):
    at = open_page("pages/9_actions.py", verdict="met")
    badges = [m for m in markdown(at) if "-badge[" in m]
    assert len(badges) == 6 and all("达标" in b and "未达标" not in b for b in badges)
    at = open_page("pages/9_actions.py", status="planned", lang="en")
    badges = [m for m in markdown(at) if "-badge[" in m]
    assert len(badges) == 1 and "Overdue" in badges[0]
    at = open_page("pages/9_actions.py", verdict="nonsense")  # invalid → all
    assert len([m for m in markdown(at) if "-badge[" in m]) == 15


def test_overview_shows_the_one_line_summary(demo_url):
    at = open_page("pages/1_overview.py")
    links = [p.label for p in at.get("page_link")]
    assert "整改 15 项：达标 6，未达标 5，逾期 2，无量化目标 2" in links


def test_manager_adds_an_ipa_candidate_from_the_priorities_page(demo_url):
    at = login(open_page("pages/6_priorities.py"), "经理")
    assert at.selectbox(key="priorities_register_pick").options
    label = at.selectbox(key="priorities_register_pick").options[0]  # the first candidate is preselected
    at.button(key="priorities_register_add").click()
    at.run()
    assert not at.exception
    eng = store.get_engine(demo_url)
    acts = store.list_actions(eng)
    new = acts[acts["origin"] == "priorities"]
    assert len(new) == 1 and new["status"].iloc[0] == "planned" and new["target_kind"].iloc[0] == "item"
    vw = store.verification_waves(eng)
    latest = vw[vw["name"] == "2021年后勤服务满意度测评"]
    assert new["series_id"].iloc[0] == latest["series_id"].iloc[0]
    assert new["target_key"].iloc[0] == label and new["items"].iloc[0] == [label]
    # the suggested target: the item's current rate + 5 points, rounded up to a whole percent (≤ 95 %)
    from analysis.metrics import item_summary

    items = item_summary(store.load_wave(eng, int(latest["id"].iloc[0])))
    rate = float(items.loc[items["label"] == label, "satisfaction_rate"].iloc[0])
    assert new["target_rate"].iloc[0] == pytest.approx(min(0.95, math.ceil(rate * 100 + 5) / 100))
    assert any(t("a_draft_made", "zh", id=int(new["id"].iloc[0]), target="")[:8] in s.value for s in at.success)


def test_viewer_has_no_button_on_the_areas_page(demo_url):
    at = open_page("pages/2_areas.py")
    assert "areas_register_add" not in {b.key for b in at.button}
    at = login(at, "经理")
    assert "areas_register_add" in {b.key for b in at.button}


def test_user_text_is_never_rendered_as_markdown(demo_url):
    eng = store.get_engine(demo_url)
    store.add_action(eng, user="经理", problem="[点我](http://example.com) **粗体** <b>x</b>", status="planned",
                     measure="=cmd|' /C calc'!A0", series_id=int(store.verification_waves(eng)["series_id"].iloc[-1]))
    at = open_page("pages/9_actions.py", status="planned")
    heads = [m for m in markdown(at) if "点我" in m]
    assert heads and all("\\[点我\\]" in m and "\\*\\*粗体\\*\\*" in m and "\\<b\\>" in m for m in heads)
    assert "=cmd|' /C calc'!A0" in [x.value for x in at.text]  # shown as plain text


def test_linked_feedback_records_show_on_the_card(demo_url):
    eng = store.get_engine(demo_url)
    fb = store.list_feedback(eng)
    rec = fb.iloc[0]
    acts = store.list_actions(eng)
    aid = int(acts["id"].iloc[0])
    store.link_feedback_action(eng, [int(rec["id"])], aid, user="经理")  # linked from the feedback side
    at = open_page("pages/9_actions.py", status="done")
    texts = [str(v) for df in at.dataframe for v in df.value.get("text", [])]
    assert str(rec["text"]) in texts
