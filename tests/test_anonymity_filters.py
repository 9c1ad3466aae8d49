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
