"""Tests for analysis.metrics. Expected numbers come from hand counts (written out below),
statsmodels' Wilson interval, or pandas computations independent of the bincount path."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from analysis.metrics import (
    AREA_SUMMARY_COLUMNS,
    GROUP_SUMMARY_COLUMNS,
    ITEM_SUMMARY_COLUMNS,
    area_summary,
    definition,
    group_summary,
    item_summary,
    label_counts,
    response_rates,
    wilson_interval,
)
from analysis.model import Dataset

NA = None


def make_ds(answers: dict, *, scale="zh5_very", areas=None, labels=None, groups=None, items_extra=None) -> Dataset:
    """A hand-built Dataset: ``answers`` item → list of codes (None = NA)."""
    names = list(answers)
    n = len(next(iter(answers.values())))
    items = pd.DataFrame(
        {
            "item": names,
            "label": labels or [f"L_{c}" for c in names],
            "area": areas or ["catering"] * len(names),
            "scale": scale if isinstance(scale, list) else [scale] * len(names),
        }
    )
    for col, values in (items_extra or {}).items():
        items[col] = values
    resp = pd.DataFrame({"row": range(1, n + 1), "resp_id": [f"r{i}" for i in range(n)]})
    resp["group"] = groups if groups is not None else ["学生"] * n
    return Dataset(
        answers=pd.DataFrame({c: pd.array(v, dtype="Int8") for c, v in answers.items()}),
        items=items,
        respondents=resp,
    )


# ---------------------------------------------------------------------------------------------- wilson


@pytest.mark.parametrize("k,n", [(0, 10), (3, 10), (10, 10), (91, 100), (96, 100), (1, 1), (523, 1234)])
@pytest.mark.parametrize("conf", [0.90, 0.95, 0.99])
def test_wilson_matches_statsmodels(k, n, conf):
    low, high = wilson_interval(k, n, conf)
    ref_low, ref_high = proportion_confint(k, n, alpha=1 - conf, method="wilson")
    assert low == pytest.approx(ref_low, abs=1e-12)
    assert high == pytest.approx(ref_high, abs=1e-12)


def test_wilson_vectorised_and_empty():
    k = np.array([3, 0, 5])
    n = np.array([10, 0, 5])
    low, high = wilson_interval(k, n)
    ref_low, ref_high = proportion_confint(3, 10, method="wilson")
    assert low[0] == pytest.approx(ref_low) and high[0] == pytest.approx(ref_high)
    assert math.isnan(low[1]) and math.isnan(high[1])
    assert high[2] == pytest.approx(1.0)


def test_wilson_rejects_bad_input():
    with pytest.raises(ValueError, match="k ≤ n"):
        wilson_interval(5, 3)
    with pytest.raises(ValueError, match="confidence"):
        wilson_interval(1, 3, confidence=95)


# ---------------------------------------------------------------------------------------------- items


def test_item_summary_hand_counts():
    # q1 on 非常满意(5)…非常不满意(1): valid 5,4,4,3,1,2 → n=6, satisfied (5,4) = 3, mean = 19/6
    ds = make_ds({"q1": [5, 4, 4, 3, 1, NA, 2], "q2": [NA] * 7}, items_extra={"n_not_applicable": [1, 4],
                                                                            "n_missing": [0, 3]})
    s = item_summary(ds)
    assert list(s.columns) == ITEM_SUMMARY_COLUMNS
    r = s.iloc[0]
    assert (r["n_valid"], r["n_satisfied"]) == (6, 3)
    assert r["satisfaction_rate"] == pytest.approx(0.5)
    assert r["mean"] == pytest.approx(19 / 6)
    assert r["index100"] == pytest.approx((19 / 6 - 1) / 4 * 100)  # 54.1666…
    ref = proportion_confint(3, 6, method="wilson")
    assert (r["ci_low"], r["ci_high"]) == pytest.approx(ref)
    assert (r["n_not_applicable"], r["n_missing"]) == (1, 0)
    empty = s.iloc[1]
    assert empty["n_valid"] == 0 and math.isnan(empty["satisfaction_rate"]) and math.isnan(empty["mean"])


def test_basic_satisfied_convention():
    # zh5_basic: 非常满意 5, 满意 4, 基本满意 3 …; 好差评 counts code 3 as satisfied
    ds = make_ds({"q": [5, 4, 3, 3, 2, 1]}, scale="zh5_basic")
    assert item_summary(ds)["n_satisfied"].iloc[0] == 2
    assert item_summary(ds, basic_satisfied=True)["n_satisfied"].iloc[0] == 4
    # zh3 (满意 3 / 基本满意 2 / 不满意 1): default only 满意, 好差评 adds 基本满意
    ds3 = make_ds({"q": [3, 2, 2, 1]}, scale="zh3")
    assert item_summary(ds3)["satisfaction_rate"].iloc[0] == pytest.approx(1 / 4)
    assert item_summary(ds3, basic_satisfied=True)["satisfaction_rate"].iloc[0] == pytest.approx(3 / 4)
    # a scale without 基本满意 is unaffected
    ds5 = make_ds({"q": [5, 4, 3, 3]})
    assert item_summary(ds5, basic_satisfied=True)["n_satisfied"].iloc[0] == 2


def test_missing_scale_names_the_item():
    ds = make_ds({"q1": [5, 4], "q2": [3, 3]}, scale=["zh5_very", "no_such_scale"])
    with pytest.raises(ValueError, match="q2"):
        item_summary(ds)
    with pytest.raises(ValueError, match="q2"):
        area_summary(ds)


def test_codes_out_of_range_rejected():
    ds = make_ds({"q": [1, 2, 4]}, scale="zh3")
    with pytest.raises(ValueError, match="q"):
        item_summary(ds)


def test_input_not_mutated():
    ds = make_ds({"q1": [5, 4, NA], "q2": [1, 2, 3]})
    before = (ds.answers.copy(), ds.items.copy())
    item_summary(ds)
    area_summary(ds)
    group_summary(ds, "group")
    pd.testing.assert_frame_equal(ds.answers, before[0])
    pd.testing.assert_frame_equal(ds.items, before[1])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=3, max_size=3), min_size=1, max_size=40))
def test_item_summary_agrees_with_pandas(rows):
    cols = {f"q{j}": [r[j] for r in rows] for j in range(3)}
    ds = make_ds(cols)
    s = item_summary(ds).set_index("item")
    for c, values in cols.items():
        x = pd.Series(values, dtype="Float64")
        assert s.at[c, "n_valid"] == x.notna().sum()
        assert s.at[c, "n_satisfied"] == x.isin([4, 5]).sum()
        if x.notna().any():
            assert s.at[c, "mean"] == pytest.approx(float(x.mean()))


# ---------------------------------------------------------------------------------------------- areas


def test_area_rate_is_pooled_not_averaged():
    # catering: a = 3 of 6 satisfied, b = 4 of 5 → pooled 7/11 (the average of rates would be 0.65)
    ds = make_ds(
        {"a": [5, 4, 4, 3, 1, 2], "b": [5, 5, 4, 4, 1, NA], "c": [5, 1, NA, NA, NA, NA]},
        areas=["catering", "catering", "overall"],
    )
    s = area_summary(ds)
    assert list(s.columns) == AREA_SUMMARY_COLUMNS
    assert list(s["area"]) == ["catering", "overall"]
    cat = s.iloc[0]
    assert (cat["n_items"], cat["n_valid"], cat["n_satisfied"]) == (2, 11, 7)
    assert cat["satisfaction_rate"] == pytest.approx(7 / 11)
    assert (cat["ci_low"], cat["ci_high"]) == pytest.approx(proportion_confint(7, 11, method="wilson"))
    # mean over all 11 answers: (19 + 19) / 11
    assert cat["mean"] == pytest.approx(38 / 11)
    assert cat["index100"] == pytest.approx((38 / 11 - 1) / 4 * 100)


def test_area_with_mixed_scale_lengths_averages_per_answer_index():
    # item a on 5 points: codes 5, 3 → per-answer index 100, 50
    # item b on 3 points (满意/基本满意/不满意): codes 3, 2, 1 → 100, 50, 0
    ds = make_ds({"a": [5, 3, NA], "b": [3, 2, 1]}, scale=["zh5_very", "zh3"])
    r = area_summary(ds).iloc[0]
    assert r["index100"] == pytest.approx((100 + 50 + 100 + 50 + 0) / 5)
    assert math.isnan(r["mean"])
    # satisfied: a → code 5 (1); b → code 3 (1)
    assert (r["n_valid"], r["n_satisfied"]) == (5, 2)


def test_no_overall_row_without_overall_items():
    ds = make_ds({"a": [5, 4]}, areas=["maintenance"])
    assert list(area_summary(ds)["area"]) == ["maintenance"]


# ---------------------------------------------------------------------------------------------- labels


def test_label_counts_and_definition():
    ds = make_ds({"q": [5, 5, 4, 1, NA]})
    lc = label_counts(ds)
    assert list(lc["code"]) == [5, 4, 3, 2, 1]
    assert list(lc["label"]) == ["非常满意", "满意", "一般", "不满意", "非常不满意"]
    assert list(lc["count"]) == [2, 1, 0, 0, 1]
    assert lc["share"].tolist() == pytest.approx([0.5, 0.25, 0, 0, 0.25])

    d = definition(make_ds({"q": [5]}, scale="zh5_basic"), basic_satisfied=True)["zh5_basic"]
    assert d["satisfied"] == ["非常满意", "满意", "基本满意"]
    assert d["not_satisfied"] == ["不满意", "非常不满意"]
    assert "不了解" in d["excluded"] and "(跳过)" in d["excluded"]
    d0 = definition(make_ds({"q": [5]}, scale="zh5_basic"))["zh5_basic"]
    assert d0["satisfied"] == ["非常满意", "满意"]


# ---------------------------------------------------------------------------------------------- groups


def test_group_summary_rates_and_planted_small_group():
    # 学生: 6 respondents, 教师: 7, 家长: 2 (planted small group)
    groups = ["学生"] * 6 + ["教师"] * 7 + ["家长"] * 2
    q1 = [5, 5, 4, 3, 2, 1] + [5, 5, 5, 5, 4, 1, 2] + [1, 1]
    q2 = [5, 4, 4, 4, 3, 3] + [2, 2, 2, 3, 4, 5, 3] + [5, 5]
    ds = make_ds({"q1": q1, "q2": q2}, groups=groups)
    g = group_summary(ds, "group", level="item", min_n=5)
    assert list(g.columns) == GROUP_SUMMARY_COLUMNS
    cell = g.set_index(["group", "key"])
    # hand counts for the largest group: 教师 q1 satisfied 5 of 7, q2 2 of 7
    assert cell.loc[("教师", "q1"), "satisfaction_rate"] == pytest.approx(5 / 7)
    assert cell.loc[("教师", "q2"), "n_satisfied"] == 2
    assert not cell.loc[("教师", "q1"), "suppressed"]
    # the 家长 row: both cells are small → primary suppression, figures blanked
    assert cell.loc[("家长", "q1"), "suppress_reason"] == "small_cell"
    assert cell.loc[("家长", "q2"), "suppress_reason"] == "small_cell"
    assert pd.isna(cell.loc[("家长", "q1"), "satisfaction_rate"]) and pd.isna(cell.loc[("家长", "q1"), "n_valid"])
    # columns q1 and q2 each hold exactly one small cell, so 家长 = item total − others would leak:
    # the smallest other cell of each column (学生, 6 < 7) is hidden too
    assert cell.loc[("学生", "q1"), "suppress_reason"] == "complementary"
    assert cell.loc[("学生", "q2"), "suppress_reason"] == "complementary"
    assert pd.isna(cell.loc[("学生", "q2"), "n_satisfied"])
    assert cell["suppressed"].sum() == 4


def test_group_summary_area_level_counts_respondents():
    groups = ["A"] * 5 + ["B"] * 5
    ds = make_ds({"x": [5] * 5 + [1] * 5, "y": [4, 4, NA, NA, NA] + [5] * 5}, groups=groups)
    g = group_summary(ds, "group", level="area", min_n=5).set_index("group")
    assert g.loc["A", "n_valid"] == 7 and g.loc["A", "n_respondents"] == 5
    assert g.loc["B", "satisfaction_rate"] == pytest.approx(5 / 10)
    assert not g["suppressed"].any()


def test_group_summary_unknown_column():
    ds = make_ds({"x": [5, 4]})
    with pytest.raises(ValueError, match="campus"):
        group_summary(ds, "campus")


# ---------------------------------------------------------------------------------------------- rates


def test_response_rates():
    # DOMAIN.md: 150 distributed, 150 returned, 150 valid → 100 % and 100 %
    r = response_rates(150, 150, 150)
    assert (r["response_rate"], r["validity_rate"], r["warnings"]) == (1.0, 1.0, [])
    r = response_rates(200, 160, 150)  # 回收率 160/200 = 0.8, 有效率 150/160 = 0.9375, 有效回收率 150/200 = 0.75
    assert r["response_rate"] == pytest.approx(0.8) and r["validity_rate"] == pytest.approx(0.9375)
    assert r["effective_rate"] == pytest.approx(0.75)
    assert response_rates(None, 160, 150)["response_rate"] is None
    assert response_rates(float("nan"), pd.NA, np.int64(150))["validity_rate"] is None
    assert response_rates(0, 160, 150)["response_rate"] is None
    bad = response_rates(200, 100, 150)
    # 150 valid of 100 returned is inconsistent: no 有效率; 回收率 100/200 and 有效回收率 150/200 stand
    assert bad["validity_rate"] is None and bad["response_rate"] == pytest.approx(0.5)
    assert bad["effective_rate"] == pytest.approx(0.75)
    assert "returned" in bad["warnings"][0]
    assert "exceeds distributed" in response_rates(100, 120, 90)["warnings"][0]
    with pytest.raises(ValueError, match="distributed"):
        response_rates(-1, 100, 50)
