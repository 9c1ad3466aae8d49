"""Tests for analysis.drivers (IPA). References: scipy.stats.pearsonr / spearmanr on the
pairwise-complete answers, hand-computed 100-point indices and quadrant means."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.drivers import IPA_COLUMNS, QUADRANTS, ipa
from analysis.model import Dataset


def make_ds(answers: dict, areas: list[str], importance: dict | None = None) -> Dataset:
    names = list(answers)
    n = len(answers[names[0]])
    items = pd.DataFrame({"item": names, "label": [f"L_{c}" for c in names], "area": areas, "scale": "zh5_very"})
    resp = pd.DataFrame({"row": range(1, n + 1), "resp_id": range(n), "group": ["学生"] * n})
    imp = None
    if importance is not None:
        imp = pd.DataFrame({c: pd.array(v, dtype="Int8") for c, v in importance.items()})
    return Dataset(answers=pd.DataFrame({c: pd.array(v, dtype="Int8") for c, v in answers.items()}),
                   items=items, respondents=resp, importance=imp)


def planted(n=400, seed=2) -> tuple[Dataset, dict]:
    """Overall satisfaction driven strongly by `food` and `repair`, weakly by `lawn` and `bus`.

    food and lawn score low, repair and bus score high, so the expected quadrants are
    food → concentrate, repair → keep_up, lawn → low_priority, bus → possible_overkill.
    """
    rng = np.random.default_rng(seed)
    food = rng.integers(1, 4, n)  # 1..3: weak
    repair = rng.integers(3, 6, n)  # 3..5: strong
    lawn = rng.integers(1, 4, n)
    bus = rng.integers(3, 6, n)
    overall = np.clip(np.rint(0.6 * food + 0.6 * repair + 0.05 * lawn + 0.05 * bus + rng.normal(0, 0.6, n) - 0.5),
                      1, 5).astype(int)
    cols = {"food": food, "repair": repair, "lawn": lawn, "bus": bus, "overall": overall}
    answers = {c: [int(v) for v in vals] for c, vals in cols.items()}
    answers["food"][0] = None  # one missing answer: correlations are pairwise complete
    ds = make_ds(answers, ["catering", "maintenance", "greening", "transport", "overall"])
    return ds, {"food": "concentrate", "repair": "keep_up", "lawn": "low_priority", "bus": "possible_overkill"}


def test_derived_importance_and_quadrants():
    ds, expected = planted()
    out = ipa(ds)
    assert list(out.columns) == IPA_COLUMNS
    assert list(out["item"]) == ["food", "repair", "lawn", "bus"]  # the overall item is not plotted
    assert set(out["quadrant"]) <= set(QUADRANTS)
    overall = ds.answers["overall"].astype("float64")
    for _, row in out.iterrows():
        x = ds.answers[row["item"]].astype("float64")
        ok = x.notna() & overall.notna()
        assert row["importance"] == pytest.approx(stats.pearsonr(x[ok], overall[ok]).statistic, abs=1e-12)
        assert row["importance_source"] == "derived"
        # performance on the 100-point index: (mean − 1) / 4 × 100
        assert row["performance"] == pytest.approx((x.mean() - 1) / 4 * 100)
        assert row["quadrant"] == expected[row["item"]]
    # quadrants split at the means of the plotted items
    imp_mean, perf_mean = out["importance"].mean(), out["performance"].mean()
    concentrate = out[out["quadrant"] == "concentrate"]
    assert ((concentrate["importance"] >= imp_mean) & (concentrate["performance"] < perf_mean)).all()


def test_spearman_option():
    ds, _ = planted()
    out = ipa(ds, method="spearman")
    x = ds.answers["repair"].astype("float64")
    y = ds.answers["overall"].astype("float64")
    assert out.loc[out["item"] == "repair", "importance"].iloc[0] == pytest.approx(stats.spearmanr(x, y).statistic)


def test_explicit_overall_item():
    ds, _ = planted()
    ds.items.loc[ds.items["item"] == "overall", "area"] = "property"  # no item classified overall any more
    with pytest.raises(ValueError, match="overall"):
        ipa(ds)
    out = ipa(ds, overall_item="overall")
    assert "overall" not in set(out["item"]) and len(out) == 4
    with pytest.raises(ValueError, match="nope"):
        ipa(ds, overall_item="nope")


def test_stated_importance_needs_no_overall_item():
    # stated importance on a 5-point scale: means a: (5+5+4)/3, b: (2+3+1)/3 → on 0..1: (mean − 1)/4
    ds = make_ds(
        {"a": [2, 3, 2], "b": [5, 5, 4]}, ["catering", "maintenance"], importance={"a": [5, 5, 4], "b": [2, 3, 1]}
    )
    out = ipa(ds).set_index("item")
    assert out.loc["a", "importance"] == pytest.approx((14 / 3 - 1) / 4)
    assert out.loc["b", "importance"] == pytest.approx((2 - 1) / 4)
    assert (out["importance_source"] == "stated").all()
    assert out.loc["a", "quadrant"] == "concentrate"  # important, weak
    assert out.loc["b", "quadrant"] == "possible_overkill"  # unimportant, strong
