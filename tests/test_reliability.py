"""Tests for analysis.reliability.

Independent sources: Cronbach's variance formula α = k/(k−1)·(1 − Σ var(item) / var(total)) computed
with numpy; pairwise covariances computed pair by pair with numpy.cov; Feldt limits from
scipy.stats.f quantiles; partial correlations from least-squares residuals (not the inverse matrix
the code uses); Bartlett's statistic from numpy.linalg.det and scipy.stats.chi2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.reliability import alpha_if_deleted, bartlett_sphericity, cronbach_alpha, kmo

# 6 respondents × 3 items, complete
SMALL = pd.DataFrame(
    {"a": [1, 2, 3, 4, 5, 4], "b": [2, 3, 3, 5, 5, 3], "c": [2, 3, 4, 4, 5, 5]}, dtype="Int8"
)


def variance_formula_alpha(x: np.ndarray) -> float:
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))


def survey(n=300, k=5, seed=1, missing=0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(n, 1))
    x = np.clip(np.rint(3 + latent + rng.normal(scale=0.9, size=(n, k))), 1, 5)
    df = pd.DataFrame(x, columns=[f"q{i}" for i in range(k)])
    if missing:
        df = df.mask(rng.random(df.shape) < missing)
    return df.astype("Int8")


def test_alpha_small_hand_example():
    x = SMALL.to_numpy(dtype=float)
    # by hand: item variances 2.1667, 1.5, 1.3667 (sum 5.0333); totals 5,8,10,13,15,12 (mean 10.5, Σ dev² = 65.5) → var 13.1
    assert x.var(axis=0, ddof=1).sum() == pytest.approx(5.0333333, abs=1e-6)
    assert x.sum(axis=1).var(ddof=1) == pytest.approx(13.1, abs=1e-9)
    expected = 1.5 * (1 - (151 / 30) / 13.1)  # = 0.923664…
    res = cronbach_alpha(SMALL)
    assert res.alpha == pytest.approx(expected, abs=1e-6)
    assert res.alpha == pytest.approx(variance_formula_alpha(x), abs=1e-12)
    assert (res.n_items, res.n_obs) == (3, 6)


@pytest.mark.parametrize("conf", [0.90, 0.95])
def test_feldt_interval_against_scipy_f(conf):
    df = survey()
    res = cronbach_alpha(df, confidence=conf)
    n, k = len(df), df.shape[1]
    g = 1 - conf
    f_hi = stats.f.ppf(1 - g / 2, n - 1, (n - 1) * (k - 1))
    f_lo = stats.f.ppf(g / 2, n - 1, (n - 1) * (k - 1))
    assert res.ci_low == pytest.approx(1 - (1 - res.alpha) * f_hi, abs=1e-12)
    assert res.ci_high == pytest.approx(1 - (1 - res.alpha) * f_lo, abs=1e-12)
    assert res.ci_low < res.alpha < res.ci_high
    assert res.alpha == pytest.approx(variance_formula_alpha(df.to_numpy(dtype=float)), abs=1e-12)


def test_pairwise_alpha_matches_pair_by_pair_covariance():
    df = survey(n=200, k=4, seed=7, missing=0.15)
    x = df.to_numpy(dtype=float, na_value=np.nan)
    k = x.shape[1]
    c = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            ok = ~np.isnan(x[:, i]) & ~np.isnan(x[:, j])
            c[i, j] = np.cov(x[ok, i], x[ok, j], ddof=1)[0, 1]
    expected = k / (k - 1) * (1 - np.trace(c) / c.sum())  # psych::alpha with use="pairwise"
    res = cronbach_alpha(df)
    assert res.alpha == pytest.approx(expected, abs=1e-12)
    # listwise keeps complete rows only and gives the variance-formula value on them
    complete = x[~np.isnan(x).any(axis=1)]
    lw = cronbach_alpha(df, missing="listwise")
    assert lw.n_obs == len(complete)
    assert lw.alpha == pytest.approx(variance_formula_alpha(complete), abs=1e-12)
    assert lw.alpha != pytest.approx(res.alpha, abs=1e-9)


def test_alpha_if_deleted_and_item_total_r():
    df = survey(n=150, k=4, seed=3)
    x = df.to_numpy(dtype=float)
    out = alpha_if_deleted(df, missing="listwise")
    assert list(out.columns) == ["item", "alpha_if_deleted", "item_total_r"]
    for i, row in out.iterrows():
        rest = np.delete(x, i, axis=1)
        assert row["alpha_if_deleted"] == pytest.approx(variance_formula_alpha(rest), abs=1e-12)
        assert row["item_total_r"] == pytest.approx(np.corrcoef(x[:, i], rest.sum(axis=1))[0, 1], abs=1e-12)


def test_alpha_input_errors():
    with pytest.raises(ValueError, match="items"):
        cronbach_alpha(SMALL[["a"]])
    with pytest.raises(ValueError, match="missing"):
        cronbach_alpha(SMALL, missing="bogus")
    with pytest.raises(ValueError, match="responses"):
        cronbach_alpha(SMALL.iloc[:2])


def _partial_corr_by_regression(x: np.ndarray) -> np.ndarray:
    """Partial correlation of i and j given all other variables, via least-squares residuals."""
    p = x.shape[1]
    out = np.eye(p)
    for i in range(p):
        for j in range(i + 1, p):
            others = np.column_stack([np.ones(len(x))] + [x[:, m] for m in range(p) if m not in (i, j)])
            ri = x[:, i] - others @ np.linalg.lstsq(others, x[:, i], rcond=None)[0]
            rj = x[:, j] - others @ np.linalg.lstsq(others, x[:, j], rcond=None)[0]
            out[i, j] = out[j, i] = np.corrcoef(ri, rj)[0, 1]
    return out


def test_kmo_against_regression_partial_correlations():
    df = survey(n=250, k=5, seed=11)
    x = df.to_numpy(dtype=float)
    r = np.corrcoef(x, rowvar=False)
    q = _partial_corr_by_regression(x)
    off = ~np.eye(5, dtype=bool)
    r2, q2 = (r**2) * off, (q**2) * off
    res = kmo(df)
    assert res.overall == pytest.approx(r2.sum() / (r2.sum() + q2.sum()), abs=1e-10)
    expected_items = r2.sum(axis=1) / (r2.sum(axis=1) + q2.sum(axis=1))
    assert res.per_item["kmo"].to_numpy() == pytest.approx(expected_items, abs=1e-10)
    assert 0.5 < res.overall < 1  # one common factor: adequate sampling


def test_bartlett_against_determinant_formula():
    df = survey(n=120, k=4, seed=5)
    x = df.to_numpy(dtype=float)
    n, p = x.shape
    stat = -(n - 1 - (2 * p + 5) / 6) * np.log(np.linalg.det(np.corrcoef(x, rowvar=False)))
    chi2, dof, pval = bartlett_sphericity(df)
    assert chi2 == pytest.approx(stat, rel=1e-10)
    assert dof == 6
    assert pval == pytest.approx(stats.chi2.sf(stat, 6), rel=1e-8, abs=1e-300)
    # independent noise: sphericity should usually not be rejected
    rng = np.random.default_rng(0)
    noise = pd.DataFrame(rng.integers(1, 6, size=(400, 4)).astype(float))
    assert bartlett_sphericity(noise)[2] > 0.01


def test_duplicate_items_are_singular():
    df = SMALL.assign(d=SMALL["a"])
    with pytest.raises(ValueError, match="singular"):
        kmo(df)


def test_reliability_by_area_matches_variance_formula_per_area():
    # Two areas of three items each plus a single-item area; α of each area by the variance formula.
    from analysis.model import Dataset
    from analysis.reliability import reliability_by_area

    x = survey(n=120, k=6, seed=7)
    x = pd.concat([x, x.iloc[:, [0]].rename(columns=lambda c: "solo")], axis=1)
    items = pd.DataFrame({"item": list(x.columns), "label": list(x.columns),
                          "area": ["catering"] * 3 + ["maintenance"] * 3 + ["security"], "scale": "zh5_very"})
    ds = Dataset(answers=x.astype("Int8"), items=items, respondents=pd.DataFrame({"row": range(1, 121)}))
    out = reliability_by_area(ds)
    alpha = out["alpha"].set_index("area")
    cols = list(x.columns)
    assert alpha.loc["catering", "alpha"] == pytest.approx(variance_formula_alpha(x[cols[:3]].to_numpy(float)))
    assert alpha.loc["maintenance", "alpha"] == pytest.approx(variance_formula_alpha(x[cols[3:6]].to_numpy(float)))
    assert alpha.loc["__all__", "n_items"] == 7
    assert alpha.loc["security", "note"] == "too_few_items" and np.isnan(alpha.loc["security", "alpha"])
    assert set(out["deleted"]["area"]) == {"catering", "maintenance"}
