"""Filters and thresholds outside the breakdown tables (issue 10, anonymity items 3 and 5).

Excluding flagged responses must not show, on the trend page or the priorities page, two versions
of a figure that differ by 1…k−1 respondents; the comment threshold follows a manager's raised
anonymity threshold. Expected figures are hand counts written next to each dataset.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.compare import trend_summary
from analysis.drivers import ipa
from analysis.series import series_trend
from tests.test_metrics import make_ds

# Three waves of one item q1 (5-point scale, 4–5 satisfied). Wave 2 has 20 answers, 14 satisfied;
# two of them (both satisfied, as speeders often answer) are to be excluded: filtered 12 of 18.
W1 = [5] * 15 + [2] * 5  # 15 / 20
W2 = [5] * 14 + [2] * 6  # 14 / 20, rows 0 and 1 excluded → 12 / 18
W3 = [5] * 16 + [2] * 4  # 16 / 20


def waves(drop_w2: int = 2):
    ds = [make_ds({"q1": w}) for w in (W1, W2, W3)]
    keep = pd.Series(True, index=ds[1].respondents.index)
    keep[:drop_w2] = False
    filtered = [ds[0], ds[1].subset(keep), ds[2]]
    return ds, filtered


def test_trend_two_versions_differ_by_two_respondents_without_the_guard():
    ds, filtered = waves()
    names = ["w1", "w2", "w3"]
    plain = trend_summary(list(zip(names, filtered, strict=True)), level="item").set_index("wave")
    full = trend_summary(list(zip(names, ds, strict=True)), level="item").set_index("wave")
    # the leak: 14 − 12 satisfied of 20 − 18 answers are the two excluded people
    assert (full.at["w2", "n_valid"] - plain.at["w2", "n_valid"], full.at["w2", "n_satisfied"]
            - plain.at["w2", "n_satisfied"]) == (2, 2)


@pytest.mark.parametrize("level", ["item", "area"])
def test_trend_blanks_the_wave_a_filter_changed_by_fewer_than_k(level):
    ds, filtered = waves()
    names = ["w1", "w2", "w3"]
    t = trend_summary(list(zip(names, filtered, strict=True)), level=level, baselines=ds, k=5).set_index("wave")
    assert pd.isna(t.at["w2", "n_valid"]) and np.isnan(t.at["w2", "satisfaction_rate"])
    assert np.isnan(t.at["w2", "ci_low"]) and not t.at["w2", "significant"]
    # w3's change against w2 would give w2's rate back (rate − change): blanked as well
    assert np.isnan(t.at["w3", "diff_pp"]) and np.isnan(t.at["w3", "p_value"])
    # untouched waves keep their figures: w1 15/20, w3 16/20 (hand counts)
    assert t.at["w1", "satisfaction_rate"] == pytest.approx(0.75)
    assert t.at["w3", "satisfaction_rate"] == pytest.approx(0.80) and int(t.at["w3", "n_valid"]) == 20


def test_trend_keeps_a_wave_a_filter_changed_by_k_or_more():
    ds, filtered = waves(drop_w2=5)  # 5 removed (all satisfied): 9 / 15
    t = trend_summary(list(zip(["w1", "w2", "w3"], filtered, strict=True)), level="item", baselines=ds,
                      k=5).set_index("wave")
    assert t.at["w2", "satisfaction_rate"] == pytest.approx(9 / 15)
    assert t.at["w3", "diff_pp"] == pytest.approx((16 / 20 - 9 / 15) * 100)


def test_series_trend_passes_the_baselines_in_date_order():
    ds, filtered = waves()
    # given out of date order: series_trend puts them in order and must pair each with its baseline
    w = pd.DataFrame({"id": [3, 1, 2], "name": ["w3", "w1", "w2"], "series_id": [1, 1, 1],
                      "fieldwork_start": pd.to_datetime(["2023-01-01", "2021-01-01", "2022-01-01"])})
    rows = series_trend(w, [filtered[2], filtered[0], filtered[1]], level="item",
                        baselines=[ds[2], ds[0], ds[1]], k=5).set_index("wave")
    assert list(rows.index) == ["w1", "w2", "w3"]
    assert pd.isna(rows.at["w2", "n_valid"]) and np.isnan(rows.at["w3", "diff_pp"])
    assert rows.at["w1", "rate"] == pytest.approx(0.75) and int(rows.at["w3", "n_valid"]) == 20
    # a higher threshold than the change leaves nothing out when k = 2 (the change is 2 people)
    rows2 = series_trend(w, [filtered[2], filtered[0], filtered[1]], level="item",
                         baselines=[ds[2], ds[0], ds[1]], k=2).set_index("wave")
    assert rows2.at["w2", "rate"] == pytest.approx(12 / 18)


def test_priorities_blank_an_item_a_filter_changed_by_fewer_than_k():
    # q1, q2 service items, ov the overall item. The two excluded respondents answered q1 and ov but
    # skipped q2: q1 changes by 2 people, q2 not at all.
    q1 = [5, 5, 4, 4, 3, 2, 5, 4, 3, 2, 1, 5, 4, 4, 2, 3, 5, 1, 2, 4]
    q2 = [None, None, 4, 5, 3, 3, 4, 4, 2, 2, 2, 5, 5, 3, 2, 3, 4, 2, 1, 4]
    ov = [5, 4, 4, 5, 3, 2, 5, 4, 3, 2, 1, 5, 5, 4, 2, 3, 5, 1, 2, 4]
    full = make_ds({"q1": q1, "q2": q2, "ov": ov}, areas=["catering", "catering", "overall"])
    keep = pd.Series(True, index=full.respondents.index)
    keep[:2] = False
    filtered = full.subset(keep)
    plain = ipa(filtered).set_index("item")
    guarded = ipa(filtered, baseline=full, k=5).set_index("item")
    assert np.isfinite(plain.at["q1", "performance"])  # without the guard both versions are shown
    assert np.isnan(guarded.at["q1", "performance"]) and np.isnan(guarded.at["q1", "importance"])
    assert pd.isna(guarded.at["q1", "quadrant"])
    # q2 unchanged by the filter: mean code of its 18 answers on the 100-point index (hand sum 58)
    assert guarded.at["q2", "performance"] == pytest.approx((58 / 18 - 1) / 4 * 100)
    assert guarded.at["q2", "performance"] == pytest.approx(plain.at["q2", "performance"])


def test_comment_threshold_follows_a_raised_manager_threshold(tmp_path, monkeypatch):
    from analysis import feedback as fb
    from analysis import store
    from analysis.store.settings import set_setting

    monkeypatch.delenv("SURVEY_K_COMMENTS", raising=False)
    monkeypatch.delenv("SURVEY_MIN_GROUP", raising=False)
    eng = store.get_engine(f"sqlite:///{tmp_path}/fb.db")
    records = pd.DataFrame({"text": ["食堂太贵", "宿舍热水不稳定"], "cell_n": [11, 20]})
    assert fb.k_comments(eng) == 10
    assert fb.shown_comments(records, eng).tolist() == [True, True]  # 11 ≥ the default 10
    set_setting(eng, "min_group", "12", user="mgr")  # a manager raises the anonymity threshold to 12
    assert fb.k_comments(eng) == 12
    assert fb.shown_comments(records, eng).tolist() == [False, True]
    # a viewer's own higher k raises it further, a lower one never lowers it
    assert fb.shown_comments(records, eng, k=25).tolist() == [False, False]
    assert fb.shown_comments(records, eng, k=1).tolist() == [False, True]
    # a record whose cell size is unknown is not shown (nobody can say how many share its cell)
    assert fb.shown_comments(pd.DataFrame({"cell_n": [None]}), eng).tolist() == [False]


# ------------------------------------------------------------------ a breakdown with and without the filter
# A viewer sees a group table without the filter and, one click later, with screened responses excluded.
# The audit shares no code with the suppression: an integer program (scipy.optimize.milp, HiGHS) over
# each group's count without the filter x_g and with it y_g (0 ≤ y_g ≤ x_g, x_g = 0 where the group has
# nobody), constrained by every shown cell of both tables and both totals, and by what the policy
# publishes about the filter: a filtered cell shown or marked "complementary" changed by 0 or by ≥ k
# (x_g − y_g ∈ {0} ∪ [k, ∞), a binary per group), one marked "filter_difference" by 1…k−1 (a cell
# marked "small_cell" may have changed by anything). The smallest and
# largest value of every small hidden count must differ.

K = 5


def milp_leaks(plain, filtered, true_x, true_y, k=K):
    from scipy.optimize import Bounds, LinearConstraint, milp

    groups = list(true_x)
    m = len(groups)  # variables: x (m), y (m), z (m)
    big = float(sum(true_x.values()) + 1)
    rows, lo, hi = [], [], []

    def add(coefs, low, high):
        row = np.zeros(3 * m)
        for j, c in coefs:
            row[j] = c
        rows.append(row)
        lo.append(low)
        hi.append(high)

    total_x, total_y = float(sum(true_x.values())), float(sum(true_y.values()))
    add([(i, 1.0) for i in range(m)], total_x, total_x)
    add([(m + i, 1.0) for i in range(m)], total_y, total_y)
    for i, g in enumerate(groups):
        add([(m + i, 1.0), (i, -1.0)], -np.inf, 0.0)  # y ≤ x
        if not plain.at[g, "suppressed"]:
            add([(i, 1.0)], float(plain.at[g, "n_respondents"]), float(plain.at[g, "n_respondents"]))
        if not filtered.at[g, "suppressed"]:
            add([(m + i, 1.0)], float(filtered.at[g, "n_respondents"]), float(filtered.at[g, "n_respondents"]))
        reason = str(filtered.at[g, "suppress_reason"])
        if reason == "filter_difference":
            add([(i, 1.0), (m + i, -1.0)], 1.0, k - 1.0)
        elif reason != "small_cell":  # shown or complementary: d − big·z ≤ 0 and d − k·z ≥ 0
            add([(i, 1.0), (m + i, -1.0), (2 * m + i, -big)], -np.inf, 0.0)
            add([(i, 1.0), (m + i, -1.0), (2 * m + i, -float(k))], 0.0, np.inf)
    present = [big if true_x[g] else 0.0 for g in groups]  # an empty group is known to be empty
    upper = np.array(present * 2 + [1.0] * m)
    bounds = Bounds(np.zeros(3 * m), upper)
    cons = LinearConstraint(np.array(rows), lo, hi)
    leaks = {}
    for view, true, off in (("plain", true_x, 0), ("filtered", true_y, m)):
        for i, g in enumerate(groups):
            if not 0 < true[g] < k:
                continue
            c = np.zeros(3 * m)
            c[off + i] = 1.0
            a = milp(c, constraints=cons, integrality=np.ones(3 * m), bounds=bounds)
            b = milp(-c, constraints=cons, integrality=np.ones(3 * m), bounds=bounds)
            assert a.status == 0 and b.status == 0, (a.message, b.message)
            if -b.fun - a.fun < 0.5:
                leaks[(view, g)] = (true[g], a.fun, -b.fun)
    return leaks


def flagged_ds(sizes: dict, flagged: dict):
    """One item answered by everyone; ``flagged[g]`` respondents of group g screened out."""
    import dataclasses

    groups = [g for g, n in sizes.items() for _ in range(n)]
    ds = make_ds({"q1": [5] * len(groups)}, groups=groups)
    rows = []
    for g, n in flagged.items():
        rows += ds.respondents.loc[ds.respondents["group"] == g, "row"].head(n).tolist()
    flags = pd.DataFrame({"row": rows, "reasons": [["speeder"]] * len(rows)})
    return dataclasses.replace(ds, flags=flags)


def views(ds, k=K):
    from analysis.metrics import group_summary

    plain = group_summary(ds, "group", min_n=k).set_index("group")
    filtered = group_summary(ds.without_flagged(), "group", min_n=k, baseline=ds).set_index("group")
    return plain, filtered


def test_a_cell_hidden_without_the_filter_stays_hidden_with_it():
    # 学生 30, 教师 9, 职工 12, 家长 2; six 职工 screened out. Without the filter 家长 (2) is hidden
    # with its complement 教师 (9), the smallest shown cell; with it 职工 (6) is the smallest, and a
    # filtered table protecting itself alone showed 教师 = 9 — unchanged (a change of 1…4 would have
    # hidden it, one of ≥ 5 leaves ≤ 4 < 9 − 5), so 家长 = 53 − 30 − 12 − 9 = 2.
    sizes, flagged = {"学生": 30, "教师": 9, "职工": 12, "家长": 2}, {"职工": 6}
    ds = flagged_ds(sizes, flagged)
    plain, filtered = views(ds)
    assert plain.at["教师", "suppress_reason"] == "complementary"
    assert filtered.at["教师", "suppressed"]
    true_y = {g: n - flagged.get(g, 0) for g, n in sizes.items()}
    assert not milp_leaks(plain, filtered, sizes, true_y)


def test_without_the_rule_the_audit_recovers_the_small_group(monkeypatch):
    from analysis import metrics

    real = metrics._protected_breakdowns
    # the filtered table protected on its own: drop the unfiltered tables _published passes (7th argument)
    monkeypatch.setattr(metrics, "_protected_breakdowns", lambda *a: real(*a[:6]))
    sizes, flagged = {"学生": 30, "教师": 9, "职工": 12, "家长": 2}, {"职工": 6}
    plain, filtered = views(flagged_ds(sizes, flagged))
    leaks = milp_leaks(plain, filtered, sizes, {g: n - flagged.get(g, 0) for g, n in sizes.items()})
    assert leaks[("plain", "家长")] == (2, 2.0, 2.0)


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_with_and_without_the_filter_reveal_no_small_group(seed):
    rng = np.random.default_rng(seed)
    names = ["学生", "教师", "职工", "家长", "其他"]
    sizes = {g: int(n) for g, n in zip(names, rng.choice([0, 1, 2, 3, 4, 6, 8, 9, 12, 15, 25], size=5), strict=True)}
    sizes["学生"] += 20
    sizes = {g: n for g, n in sizes.items() if n}  # a group nobody belongs to is not in the wave
    flagged = {g: int(rng.integers(0, n + 1)) if rng.random() < 0.5 else 0 for g, n in sizes.items()}
    if 0 < sum(flagged.values()) < K:  # the filter is refused then (test_hardening_anonymity)
        flagged["学生"] += K
    plain, filtered = views(flagged_ds(sizes, flagged))
    true_y = {g: n - flagged.get(g, 0) for g, n in sizes.items()}
    assert not milp_leaks(plain, filtered, sizes, true_y), (sizes, flagged)
