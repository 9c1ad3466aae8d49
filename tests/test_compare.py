"""Tests for analysis.compare. References: scipy.stats.chi2_contingency (correction=False),
scipy.stats.contingency.association (Cramér's V), statsmodels multipletests(method="holm"),
and hand counts written out in the comments."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency
from scipy.stats.contingency import association
from statsmodels.stats.multitest import multipletests

from analysis.compare import (
    COMPARE_COLUMNS,
    GROUP_TEST_COLUMNS,
    TREND_COLUMNS,
    compare_waves,
    group_tests,
    holm,
    trend_summary,
    two_proportion_test,
)
from analysis.model import Dataset

NA = None


def make_ds(answers: dict, *, labels=None, areas=None, groups=None, scale="zh5_very") -> Dataset:
    names = list(answers)
    n = len(next(iter(answers.values())))
    items = pd.DataFrame(
        {"item": names, "label": labels or names, "area": areas or ["catering"] * len(names), "scale": scale}
    )
    resp = pd.DataFrame({"row": range(1, n + 1), "resp_id": range(n), "group": groups or ["学生"] * n})
    return Dataset(answers=pd.DataFrame({c: pd.array(v, dtype="Int8") for c, v in answers.items()}),
                   items=items, respondents=resp)


def rated(n_sat: int, n_valid: int, n_na: int = 0) -> list:
    """Codes with exactly ``n_sat`` satisfied (5) of ``n_valid`` valid (others 2), then NA."""
    return [5] * n_sat + [2] * (n_valid - n_sat) + [NA] * n_na


# ---------------------------------------------------------------------------------------------- 2×2


@pytest.mark.parametrize("k1,n1,k2,n2", [(91, 100, 96, 100), (130, 150, 120, 150), (3, 10, 9, 12), (0, 5, 5, 5)])
def test_two_proportion_matches_scipy(k1, n1, k2, n2):
    chi2, p = two_proportion_test(k1, n1, k2, n2)
    ref = chi2_contingency(np.array([[k1, n1 - k1], [k2, n2 - k2]]), correction=False)
    assert chi2 == pytest.approx(ref.statistic, rel=1e-12)
    assert p == pytest.approx(ref.pvalue, rel=1e-10)


def test_two_proportion_vectorised_and_degenerate():
    chi2, p = two_proportion_test(np.array([91, 5]), np.array([100, 5]), np.array([96, 5]), np.array([100, 5]))
    ref = chi2_contingency(np.array([[91, 9], [96, 4]]), correction=False)
    assert chi2[0] == pytest.approx(ref.statistic) and p[0] == pytest.approx(ref.pvalue)
    assert math.isnan(chi2[1]) and math.isnan(p[1])  # both 100 %: no test possible


# ---------------------------------------------------------------------------------------------- holm


def test_holm_matches_statsmodels():
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.2, 0.04])
    assert holm(p) == pytest.approx(multipletests(p, method="holm")[1], abs=1e-15)


def test_holm_ignores_nan():
    p = np.array([0.02, np.nan, 0.01, 0.5])
    out = holm(p)
    ref = multipletests(p[~np.isnan(p)], method="holm")[1]
    assert math.isnan(out[1])
    assert out[[0, 2, 3]] == pytest.approx(ref)


# ---------------------------------------------------------------------------------------------- waves


def test_compare_waves_by_area_and_item_label():
    # wave A: catering 91/100, accommodation 90/100 ; wave B: catering 96/100, accommodation 96/100
    a = make_ds(
        {"x1": rated(91, 100), "x2": rated(90, 100)}, labels=["饭菜质量", "宿舍条件"], areas=["catering", "accommodation"]
    )
    # wave B uses other column names (问卷星 numbering changed) but the same labels, plus a new item
    b = make_ds(
        {"q7": rated(96, 100), "q8": rated(96, 100), "q9": rated(40, 50, n_na=50)},
        labels=["宿舍条件", "饭菜质量", "班车准点"], areas=["accommodation", "catering", "transport"],
    )
    out = compare_waves(a, b, level="item")
    assert list(out.columns) == COMPARE_COLUMNS
    assert list(out["key"]) == ["饭菜质量", "宿舍条件", "班车准点"]
    food = out.iloc[0]
    assert (food["n_a"], food["n_b"]) == (100, 100)
    assert food["diff_pp"] == pytest.approx(5.0)
    ref = chi2_contingency(np.array([[91, 9], [96, 4]]), correction=False)
    assert food["chi2"] == pytest.approx(ref.statistic) and food["p_value"] == pytest.approx(ref.pvalue)
    assert food["significant"] == (ref.pvalue < 0.05)
    new = out.iloc[2]
    assert pd.isna(new["n_a"]) and math.isnan(new["p_value"]) and not new["significant"]

    areas = compare_waves(a, b, level="area").set_index("key")
    assert areas.loc["accommodation", "diff_pp"] == pytest.approx(6.0)
    # areas: respondents as clusters (tests/test_compare_cluster.py); one item per person here, so
    # statsmodels' cluster OLS with one answer per cluster is the reference
    import statsmodels.api as sm

    y = np.array([1.0] * 90 + [0.0] * 10 + [1.0] * 96 + [0.0] * 4)
    ref2 = sm.OLS(y, sm.add_constant(np.r_[np.zeros(100), np.ones(100)])).fit(
        cov_type="cluster", cov_kwds={"groups": np.arange(200)})
    assert areas.loc["accommodation", "p_value"] == pytest.approx(ref2.pvalues[1])


def test_compare_waves_repeated_labels_are_qualified_by_area():
    a = make_ds({"a": rated(5, 10), "b": rated(8, 10)}, labels=["服务态度", "服务态度"], areas=["catering", "maintenance"])
    out = compare_waves(a, a, level="item")
    assert list(out["key"]) == ["catering·服务态度", "maintenance·服务态度"]
    assert (out["diff_pp"] == 0).all()


def test_compare_waves_large_change_is_significant():
    # 60/100 → 85/100: χ² = 200·(60·15 − 40·85)² / (100·100·145·55) = 15.68 > 3.84
    out = compare_waves(make_ds({"a": rated(60, 100)}), make_ds({"a": rated(85, 100)}), level="item")  # the 2×2 χ²
    assert out["chi2"].iloc[0] == pytest.approx(200 * (60 * 15 - 40 * 85) ** 2 / (100 * 100 * 145 * 55))
    assert bool(out["significant"].iloc[0])


# ---------------------------------------------------------------------------------------------- groups


def test_group_tests_against_scipy():
    rng = np.random.default_rng(4)
    n = 300
    groups = rng.choice(["学生", "教师", "职工"], size=n).tolist()
    # q1 depends on group, q2 does not
    q1 = [int(rng.choice([5, 4, 3, 2, 1], p=[0.5, 0.3, 0.1, 0.05, 0.05] if g == "学生" else [0.2] * 5)) for g in groups]
    q2 = rng.integers(1, 6, size=n).tolist()
    q2[0] = None
    ds = make_ds({"q1": q1, "q2": q2}, groups=groups)
    out = group_tests(ds, "group")
    assert list(out.columns) == GROUP_TEST_COLUMNS
    pvals = []
    for i, item in enumerate(["q1", "q2"]):
        frame = pd.DataFrame({"g": groups, "a": ds.answers[item].astype("float64")}).dropna()
        table = pd.crosstab(frame["g"], frame["a"]).to_numpy()
        ref = chi2_contingency(table, correction=False)
        row = out.iloc[i]
        assert row["chi2"] == pytest.approx(ref.statistic, rel=1e-10)
        assert row["dof"] == ref.dof
        assert row["p_value"] == pytest.approx(ref.pvalue, rel=1e-8)
        assert row["cramers_v"] == pytest.approx(association(table, method="cramer"), rel=1e-10)
        assert row["n"] == table.sum()
        assert row["low_expected"] == bool((ref.expected_freq < 5).any())
        pvals.append(ref.pvalue)
    assert out["p_holm"].to_numpy() == pytest.approx(multipletests(pvals, method="holm")[1])
    assert out["p_value"].iloc[0] < 0.05


def test_group_tests_excludes_small_groups_and_empty_columns():
    # 家长 has 3 respondents < min_n = 5 → left out; nobody answered 3 → the empty column is dropped
    groups = ["学生"] * 10 + ["教师"] * 10 + ["家长"] * 3
    q = [5] * 7 + [1] * 3 + [5] * 2 + [2] * 8 + [1, 1, 1]
    out = group_tests(make_ds({"q": q}, groups=groups), "group", min_n=5).iloc[0]
    table = np.array([[3, 0, 7], [0, 8, 2]])  # rows 学生, 教师; columns codes 1, 2, 5
    ref = chi2_contingency(table, correction=False)
    assert out["chi2"] == pytest.approx(ref.statistic) and out["dof"] == 2 and out["n"] == 20
    assert out["low_expected"]  # expected counts of 1.5 and 4
    # satisfied vs not: 学生 7/10, 教师 2/10
    sat = group_tests(make_ds({"q": q}, groups=groups), "group", categories="satisfied").iloc[0]
    assert sat["chi2"] == pytest.approx(chi2_contingency(np.array([[3, 7], [8, 2]]), correction=False).statistic)


def test_group_tests_single_group_gives_nan():
    out = group_tests(make_ds({"q": [5, 4, 3, 2, 1]}), "group").iloc[0]
    assert math.isnan(out["chi2"]) and math.isnan(out["p_holm"])


# ---------------------------------------------------------------------------------------------- trends


def test_trend_summary_best_on_record():
    # accommodation 2012: 90/100, 2013: 88/100, 2014: 96/100 ("the best on record")
    waves = [
        ("2012", make_ds({"a": rated(90, 100)}, areas=["accommodation"])),
        ("2013", make_ds({"a": rated(88, 100)}, areas=["accommodation"])),
        ("2014", make_ds({"a": rated(96, 100, n_na=3)}, areas=["accommodation"])),
    ]
    t = trend_summary(waves, level="area")
    assert list(t.columns) == TREND_COLUMNS
    assert list(t["wave"]) == ["2012", "2013", "2014"]
    assert t["best_on_record"].tolist() == [False, False, True]
    assert math.isnan(t["diff_pp"].iloc[0])
    assert t["diff_pp"].iloc[1] == pytest.approx(-2.0)
    assert t["diff_pp"].iloc[2] == pytest.approx(8.0)
    # area level: respondents as clusters (one item per person here, so each answer is its own
    # cluster); reference statsmodels OLS with cov_type="cluster" on the answer-level rows
    import statsmodels.api as sm

    y = np.array([1.0] * 88 + [0.0] * 12 + [1.0] * 96 + [0.0] * 4)
    x = sm.add_constant(np.r_[np.zeros(100), np.ones(100)])
    ref = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": np.arange(200)})
    assert t["p_value"].iloc[2] == pytest.approx(ref.pvalues[1])
    assert t["significant"].iloc[2] == (ref.pvalues[1] < 0.05)
    assert pd.isna(t["prev_wave"].iloc[0]) and t["prev_wave"].iloc[1:].tolist() == ["2012", "2013"]


def test_trend_summary_item_level_and_gaps():
    # an item missing from the middle wave compares with the last wave that measured it
    waves = [
        ("w1", make_ds({"a": rated(5, 10), "b": rated(5, 10)}, labels=["饭菜", "价格"])),
        ("w2", make_ds({"a": rated(6, 10)}, labels=["饭菜"])),
        ("w3", make_ds({"z": rated(5, 10), "y": rated(7, 10)}, labels=["价格", "饭菜"])),
    ]
    t = trend_summary(waves, level="item").set_index(["wave", "key"])
    assert t.loc[("w3", "价格"), "diff_pp"] == pytest.approx(0.0)
    assert not t.loc[("w3", "价格"), "best_on_record"]  # equal, not strictly above
    assert t.loc[("w3", "饭菜"), "diff_pp"] == pytest.approx(10.0)
    assert t.loc[("w3", "饭菜"), "best_on_record"]
    with pytest.raises(ValueError, match="distinct"):
        trend_summary([("w", waves[0][1]), ("w", waves[1][1])])


def test_repeated_label_keeps_its_key_across_waves():
    # wave 1 asks 服务态度 for catering and maintenance; wave 2 only for catering
    w1 = make_ds({"a": rated(5, 10), "b": rated(8, 10)}, labels=["服务态度", "服务态度"], areas=["catering", "maintenance"])
    w2 = make_ds({"x": rated(9, 10)}, labels=["服务态度"], areas=["catering"])
    out = compare_waves(w1, w2, level="item").set_index("key")
    assert out.loc["catering·服务态度", "diff_pp"] == pytest.approx(40.0)
    assert pd.isna(out.loc["maintenance·服务态度", "n_b"])
    t = trend_summary([("w1", w1), ("w2", w2)], level="item")
    assert set(t["key"]) == {"catering·服务态度", "maintenance·服务态度"}
