"""analysis.actions: typed-target parsing, registries and verification on hand-built waves.

Expected values: the targets are a labelled set written for this test; verification numbers are
hand-computed rates and point changes, intervals from statsmodels ``proportion_confint(method=
"wilson")`` and p-values from ``scipy.stats.chi2_contingency(correction=False)`` — never from the
code under test.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency
from statsmodels.stats.proportion import proportion_confint

from analysis import actions as A

# ---------------------------------------------------------------------------------------------
# Target parsing: (text, kind, key, rate, change_pp)
# ---------------------------------------------------------------------------------------------
PARSED = [
    # the and DESIGN.md's examples
    ("报修维修服务满意率达到80%以上", "item", "报修维修服务", 0.80, None),
    ("学生公寓满意率≥90%", "area", "accommodation", 0.90, None),
    ("提升至60%", "", "", 0.60, None),
    ("提升5个百分点", "", "", None, 5.0),
    ("不低于75%", "", "", 0.75, None),
    ("维修服务满意率达到85%以上", "area", "maintenance", 0.85, None),
    ("饭菜价格满意率不低于75%", "item", "饭菜价格", 0.75, None),
    ("满意率≥90%", "", "", 0.90, None),
    # the shared example register
    ("热水供应满意率提高到85%", "item", "热水供应", 0.85, None),
    ("早餐满意率不低于80%", "item", "早餐", 0.80, None),
    ("物业服务满意率≥75%", "area", "property", 0.75, None),
    ("班车满意率提升5个百分点", "area", "transport", None, 5.0),
    # operators and wording
    ("食堂满意率>=85%", "area", "catering", 0.85, None),
    ("食堂满意率 ≥ 85 %", "area", "catering", 0.85, None),
    ("食堂满意率≧85％", "area", "catering", 0.85, None),
    ("食堂满意度达到85%", "area", "catering", 0.85, None),
    ("食堂满意度达85%及以上", "area", "catering", 0.85, None),
    ("餐饮服务满意率在85%以上", "area", "catering", 0.85, None),
    ("餐饮满意率不少于80%", "area", "catering", 0.80, None),
    ("餐饮满意率至少80%", "area", "catering", 0.80, None),
    ("住宿满意率超过88%", "area", "accommodation", 0.88, None),
    ("宿舍满意率高于88%", "area", "accommodation", 0.88, None),
    ("宿舍满意率保持在90%以上", "area", "accommodation", 0.90, None),
    ("宿舍满意率稳定在90%以上", "area", "accommodation", 0.90, None),
    ("力争维修满意率达到85%", "area", "maintenance", 0.85, None),
    ("确保保洁满意率达到90%", "area", "cleaning", 0.90, None),
    ("使学生对食堂的满意率达到85%", "area", "catering", 0.85, None),
    ("师生对物业服务的满意度不低于80%", "area", "property", 0.80, None),
    ("满意率由60%提升至80%", "", "", 0.80, None),
    ("空调满意率从42%提高到80%", "item", "空调", 0.80, None),
    ("开水供应满意率提升到85%", "item", "开水供应", 0.85, None),
    ("维修响应速度满意率达到85%", "item", "维修响应速度", 0.85, None),
    ("校园环境卫生满意率达到90%", "item", "校园环境卫生", 0.90, None),
    ("环境卫生满意率达到90%", "area", "cleaning", 0.90, None),
    ("医务室满意率≥80%", "area", "medical", 0.80, None),
    ("安保满意率达到95%", "area", "security", 0.95, None),
    ("绿化满意率达到90%", "area", "greening", 0.90, None),
    ("水电满意率达到85%", "area", "utilities", 0.85, None),
    ("后勤服务总体满意率达到85%", "item", "后勤服务总体", 0.85, None),
    ("总体满意率达到85%", "area", "overall", 0.85, None),
    ("维修满意率0.85以上", "area", "maintenance", 0.85, None),
    ("满意率百分之八十五以上", "", "", 0.85, None),
    ("食堂满意率达到百分之九十", "area", "catering", 0.90, None),
    ("85%以上", "", "", 0.85, None),
    ("达到82.5%", "", "", 0.825, None),
    # changes
    ("维修满意率提高10个百分点", "area", "maintenance", None, 10.0),
    ("满意率提升 5 个百分点", "", "", None, 5.0),
    ("满意率提高五个百分点", "", "", None, 5.0),
    ("满意率提升十个百分点", "", "", None, 10.0),
    ("满意率上升2.5个百分点", "", "", None, 2.5),
    ("宿舍满意率增加3百分点", "area", "accommodation", None, 3.0),
    ("满意率提升5pp", "", "", None, 5.0),
    # English
    ("satisfaction at least 85%", "", "", 0.85, None),
    ("Repair satisfaction rate to 85%", "area", "maintenance", 0.85, None),
    ("Canteen satisfaction ≥ 80%", "area", "catering", 0.80, None),
    ("raise by 5 points", "", "", None, 5.0),
    ("increase 3 percentage points", "", "", None, 3.0),
]

REFUSED = [
    "提升5%",  # to 5 % or by 5 points?
    "满意率提高10%",
    "投诉率下降10%",
    "不满意率降至10%以下",
    "满意率不超过90%",
    "满意度达到85分",
    "明显提升",
    "群众满意",
    "满意率达到120%",
    "满意率从60%到70%再到80%",
    "提升5个百分点至85%",
    "满意率提升0个百分点",
    "下降5个百分点",
    "reduce complaints below 5%",
]
EMPTY = ["", None, float("nan"), "无", "—", "无量化目标", "N/A"]


@pytest.mark.parametrize("text,kind,key,rate,change", PARSED)
def test_targets_are_read(text, kind, key, rate, change):
    got = A.parse_target(text)
    assert got.ok, got.reason
    t = got.target
    assert (t.kind, t.key) == (kind, key)
    assert t.rate == (pytest.approx(rate) if rate is not None else None)
    assert t.change_pp == (pytest.approx(change) if change is not None else None)


def test_at_least_forty_phrasings():
    assert len(PARSED) >= 40 and len(REFUSED) >= 10


@pytest.mark.parametrize("text", REFUSED)
def test_unclear_targets_are_refused_with_a_bilingual_reason(text):
    got = A.parse_target(text)
    assert not got.ok and not got.empty
    assert text in got.reason and "Target" in got.reason  # names the text, zh then en


@pytest.mark.parametrize("text", EMPTY)
def test_no_target_is_not_an_error(text):
    got = A.parse_target(text)
    assert got.empty and not got.ok and got.reason == ""


def test_subject_from_the_form_only_when_the_text_names_none():
    assert A.parse_target("提升至60%", subject=("item", "维修响应速度")).target.key == "维修响应速度"
    assert A.parse_target("食堂满意率≥80%", subject=("item", "维修响应速度")).target.key == "catering"
    assert A.parse_target("提升至60%").target.kind == ""  # never inferred


def test_area_words_are_exact_items_are_the_rest():
    assert A.area_of_subject("学生公寓") == "accommodation"
    assert A.area_of_subject("物业服务") == "property"
    assert A.area_of_subject("热水供应") is None and A.area_of_subject("早餐") is None


def test_match_item_by_normalised_label_or_unique_containment():
    labels = ["报修渠道便捷", "维修响应速度", "维修质量与服务态度", "食堂饭菜价格"]
    assert A.match_item("维修响应速度", labels) == "维修响应速度"
    assert A.match_item("报修 渠道", labels) == "报修渠道便捷"
    assert A.match_item("饭菜价格", labels) == "食堂饭菜价格"
    assert A.match_item("维修", labels) is None  # two labels contain it: not guessed
    assert A.match_item("热水供应", labels) is None


@pytest.mark.parametrize("text,key", [("已完成", "done"), ("推进中", "in_progress"), ("未启动", "planned"),
                                      ("整改中", "in_progress"), ("已办结", "done"), ("计划中", "planned"),
                                      (" Done ", "done"), ("in progress", "in_progress")])
def test_status_synonyms(text, key):
    assert A.parse_status(text) == key


def test_unknown_status_and_kind_say_what_is_allowed():
    with pytest.raises(ValueError, match="已完成"):
        A.parse_status("差不多")
    assert A.parse_kind("立行立改") == "immediate" and A.parse_kind("限期整改") == "scheduled"


def test_registries_have_both_languages():
    for reg in (A.STATUSES, A.KINDS, A.VERDICTS, A.ORIGINS, A.TARGET_KINDS):
        for entry in reg.values():
            assert entry.zh and entry.en and entry.zh != entry.key


# ---------------------------------------------------------------------------------------------
# Verification on hand-built waves
# ---------------------------------------------------------------------------------------------
WAVES = pd.DataFrame({
    "id": [1, 2, 3, 10],
    "series_id": [1, 1, 1, 2],
    "date": pd.to_datetime(["2019-10-15", "2020-10-15", "2021-10-15", "2020-11-01"]),
})
# (wave, kind, key) -> (satisfied, valid)
RATES = {
    (1, "item", "维修响应速度"): (60, 100),
    (2, "item", "维修响应速度"): (180, 200),
    (3, "item", "维修响应速度"): (170, 200),
    (1, "area", "catering"): (82, 100),
    (2, "area", "catering"): (82, 100),
    (3, "area", "catering"): (150, 200),
    (1, "area", "utilities"): (80, 100),
    (2, "area", "utilities"): (120, 200),
    (10, "item", "维修响应速度"): (45, 50),
    (3, "item", "新题"): (90, 100),  # asked from 2021 only
}


def rate_of(wave, kind, key):
    return RATES.get((wave, kind, key))


def action(**kw):
    base = {"id": 1, "series_id": 1, "status": "done", "deadline": pd.Timestamp("2020-06-30"),
            "completed_on": pd.Timestamp("2020-03-01"), "created_at": pd.Timestamp("2019-11-01 09:00"),
            "origin": "form", "target_kind": "item", "target_key": "维修响应速度", "target_rate": 0.80,
            "target_change": np.nan}
    base.update(kw)
    return base


def run(*acts, waves=WAVES, today="2026-12-02"):
    return A.verify(pd.DataFrame(list(acts)), waves, rate_of, today=today)


def wilson(k, n):
    return proportion_confint(k, n, alpha=0.05, method="wilson")


def chi2_p(k1, n1, k2, n2):
    return chi2_contingency([[k1, n1 - k1], [k2, n2 - k2]], correction=False)[1]


def test_met_and_confident():
    r = run(action()).iloc[0]
    assert r.verdict == "met" and r.measured_wave == 2 and r.baseline_wave == 1
    assert (r.measured_k, r.n_valid, r.baseline_k, r.baseline_n) == (180, 200, 60, 100)
    assert r.measured_rate == pytest.approx(0.90) and r.baseline_rate == pytest.approx(0.60)
    lo, hi = wilson(180, 200)
    assert (r.ci_low, r.ci_high) == (pytest.approx(lo), pytest.approx(hi))
    assert lo > 0.80 and bool(r.confident)
    assert r.change_pp == pytest.approx(30.0)  # 90 % − 60 %
    assert r.p_value == pytest.approx(chi2_p(60, 100, 180, 200))


def test_met_but_not_confident():
    r = run(action(target_kind="area", target_key="catering", target_rate=0.80)).iloc[0]
    lo, _ = wilson(82, 100)  # 0.733…: the interval reaches below 80 %
    assert r.verdict == "met" and not r.confident and r.ci_low == pytest.approx(lo) and lo < 0.80
    assert r.change_pp == pytest.approx(0.0)


def test_not_met_and_confident():
    # 2021 catering 150/200 = 75 % against 90 %; completed after the 2020 wave
    r = run(action(target_kind="area", target_key="catering", target_rate=0.90,
                   completed_on=pd.Timestamp("2021-03-01"), created_at=pd.Timestamp("2020-11-01"))).iloc[0]
    _, hi = wilson(150, 200)
    assert r.verdict == "not_met" and r.measured_wave == 3 and r.baseline_wave == 2
    assert hi < 0.90 and bool(r.confident) and r.ci_high == pytest.approx(hi)
    assert r.change_pp == pytest.approx(75.0 - 82.0)


def test_not_met_but_not_confident():
    r = run(action(target_kind="area", target_key="catering", target_rate=0.85)).iloc[0]
    _, hi = wilson(82, 100)  # 0.88…: 85 % lies inside the interval
    assert r.verdict == "not_met" and not r.confident and hi > 0.85


def test_exactly_at_the_target_is_met():
    r = run(action(target_kind="area", target_key="catering", target_rate=0.82)).iloc[0]
    assert r.verdict == "met"


def test_awaiting_the_next_wave():
    r = run(action(completed_on=pd.Timestamp("2021-11-01"), deadline=pd.Timestamp("2021-12-31"))).iloc[0]
    assert r.verdict == "awaiting_wave" and pd.isna(r.measured_wave) and r.note == ""
    assert r.baseline_wave == 1  # created 2019-11-01


def test_a_wave_on_the_completion_day_does_not_verify():
    r = run(action(completed_on=pd.Timestamp("2020-10-15"))).iloc[0]
    assert r.measured_wave == 3  # strictly after the completion day


def test_overdue_and_in_progress_while_not_done():
    out = run(action(id=1, status="in_progress", completed_on=pd.NaT, deadline=pd.Timestamp("2020-01-01")),
              action(id=2, status="planned", completed_on=pd.NaT, deadline=pd.Timestamp("2027-01-01")),
              action(id=3, status="in_progress", completed_on=pd.NaT, deadline=pd.NaT),
              today="2021-01-01")
    assert out["verdict"].tolist() == ["overdue", "in_progress", "in_progress"]
    assert out["baseline_wave"].tolist() == [1, 1, 1]  # shown before the work is done
    assert out["measured_wave"].isna().all()
    # the deadline day itself is not yet overdue
    assert run(action(status="in_progress", completed_on=pd.NaT, deadline=pd.Timestamp("2021-01-01")),
               today="2021-01-01").iloc[0].verdict == "in_progress"


def test_deleting_the_verifying_wave_moves_the_verdict_to_the_next():
    live = WAVES[WAVES["id"] != 2]
    r = run(action(), waves=live).iloc[0]
    assert r.measured_wave == 3 and (r.measured_k, r.n_valid) == (170, 200) and r.verdict == "met"
    # and with every later wave deleted, it waits again
    assert run(action(), waves=WAVES[WAVES["id"] == 1]).iloc[0].verdict == "awaiting_wave"


def test_another_series_is_never_used():
    out = run(action(id=1, series_id=2), action(id=2, series_id=3))
    first, second = out.iloc[0], out.iloc[1]
    assert first.measured_wave == 10 and (first.measured_k, first.n_valid) == (45, 50)
    assert pd.isna(first.baseline_wave)  # series 2 has no wave before 2019-11-01
    assert second.verdict == "awaiting_wave" and pd.isna(second.measured_wave)
    # and a series-1 action never looks at wave 10 even though it is dated after the completion
    assert run(action(completed_on=pd.Timestamp("2020-10-20"))).iloc[0].measured_wave == 3


def test_imported_actions_take_the_baseline_before_completion():
    r = run(action(origin="import", created_at=pd.Timestamp("2021-12-01"))).iloc[0]
    assert r.baseline_wave == 1  # last before the completion day 2020-03-01, not before the import
    r2 = run(action(origin="form", created_at=pd.Timestamp("2020-11-01"), completed_on=pd.Timestamp("2021-03-01"))
             ).iloc[0]
    assert r2.baseline_wave == 2


def test_a_wave_that_does_not_ask_the_item_is_passed_over():
    r = run(action(target_key="新题", target_rate=0.85)).iloc[0]
    assert r.measured_wave == 3 and r.verdict == "met" and pd.isna(r.baseline_wave)
    none = run(action(target_key="没问过的题")).iloc[0]
    assert none.verdict == "awaiting_wave" and none.note == "not_measured"


def test_change_target_met_confident():
    r = run(action(target_rate=np.nan, target_change=10.0)).iloc[0]
    assert r.verdict == "met" and r.change_pp == pytest.approx(30.0)
    assert r.p_value == pytest.approx(chi2_p(60, 100, 180, 200)) and r.p_value < 0.05 and bool(r.confident)


def test_change_target_not_met_either_way():
    # catering 82/100 → 82/100: +0 points against +5; no significant change → not confident
    r = run(action(target_kind="area", target_key="catering", target_rate=np.nan, target_change=5.0)).iloc[0]
    assert r.verdict == "not_met" and r.change_pp == pytest.approx(0.0) and not r.confident
    # utilities 80/100 → 120/200: −20 points, significantly down → confidently not met
    r = run(action(target_kind="area", target_key="utilities", target_rate=np.nan, target_change=5.0)).iloc[0]
    p = chi2_p(80, 100, 120, 200)
    assert r.verdict == "not_met" and r.change_pp == pytest.approx(-20.0) and p < 0.05 and bool(r.confident)
    assert r.p_value == pytest.approx(p)


def test_change_target_without_a_baseline_cannot_be_judged():
    r = run(action(series_id=2, target_rate=np.nan, target_change=5.0)).iloc[0]
    assert r.verdict == "no_target" and r.note == "no_baseline"


def test_no_target_and_done_without_a_completion_date():
    out = run(action(id=1, target_kind=None, target_key=None, target_rate=np.nan),
              action(id=2, completed_on=pd.NaT, deadline=pd.Timestamp("2020-06-30")))
    assert out.iloc[0].verdict == "no_target"
    assert out.iloc[1].verdict == "met" and out.iloc[1].measured_wave == 2
    assert out.iloc[1].note == "completion_from_deadline"


def test_output_columns_and_input_untouched():
    acts = pd.DataFrame([action()])
    before = acts.copy()
    out = A.verify(acts, WAVES, rate_of, today=dt.date(2026, 12, 2))
    assert list(out.columns) == A.VERIFY_COLUMNS
    pd.testing.assert_frame_equal(acts, before)


def test_rate_source_reporting_k_above_n_is_an_error():
    with pytest.raises(ValueError, match="k=5"):
        A.verify(pd.DataFrame([action()]), WAVES, lambda w, k, key: (5, 3))


def test_summary_counts():
    c = A.summary_counts(["met", "met", "not_met", "overdue"])
    assert c["met"] == 2 and c["not_met"] == 1 and c["overdue"] == 1 and c["in_progress"] == 0 and c["total"] == 4


@pytest.mark.parametrize("rate,want", [(0.62, 0.67), (0.615, 0.67), (0.90, 0.95), (0.93, 0.95), (0.97, 0.97),
                                       (0.0, 0.05), (1.0, 1.0)])
def test_suggested_target_is_five_points_up_capped(rate, want):
    # hand: 61.5 + 5 = 66.5 → 67 %; 93 + 5 = 98 → capped at 95 %; 97 % is already above the cap
    assert A.suggest_target(rate) == pytest.approx(want)


def test_suggested_target_needs_a_rate():
    with pytest.raises(ValueError):
        A.suggest_target(float("nan"))
