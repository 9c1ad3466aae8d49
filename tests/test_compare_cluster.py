"""Area-level tests with respondents as clusters (DESIGN.md "Area-level significance").

Reference: statsmodels ``OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": respondent})`` on the
answer-level data (one row per valid answer), its ``pvalues`` and ``wald_test(use_f=False)``.
Item-level tests stay the 2×2 χ² (scipy ``chi2_contingency(correction=False)``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.stats import chi2_contingency

from analysis.compare import (
    area_group_tests,
    cluster_group_test,
    cluster_rate_test,
    compare_waves,
    respondent_area_counts,
    trend_summary,
)
from analysis.model import Dataset


def random_ds(seed: int, n: int, p_sat: float, n_items: int = 4, groups=("学生", "教师", "职工")) -> Dataset:
    """n respondents × n_items catering items; a respondent's answers are correlated (own mood)."""
    rng = np.random.default_rng(seed)
    mood = rng.normal(0, 1.0, n)
    cols = {}
    for j in range(n_items):
        latent = mood + rng.normal(0, 0.8, n) + np.log(p_sat / (1 - p_sat))
        codes = np.where(latent > 0, rng.choice([4, 5], n), rng.choice([1, 2, 3], n)).astype(float)
        codes[rng.random(n) < 0.1] = np.nan  # skipped
        cols[f"q{j}"] = pd.array(pd.Series(codes).astype("Int8"))
    items = pd.DataFrame({"item": list(cols), "label": list(cols), "area": "catering", "scale": "zh5_very"})
    resp = pd.DataFrame({"row": range(1, n + 1), "resp_id": range(n), "group": rng.choice(list(groups), n)})
    return Dataset(answers=pd.DataFrame(cols), items=items, respondents=resp)


def long_answers(ds: Dataset, wave: int, offset: int = 0) -> pd.DataFrame:
    """One row per valid answer: y = satisfied (code ≥ 4), respondent id, wave, group (by hand)."""
    a = ds.answers.astype("float")
    rows = a.stack().dropna().rename("code").reset_index()  # skipped answers are not rows
    return pd.DataFrame({"y": (rows["code"] >= 4).astype(float), "cluster": rows["level_0"] + offset,
                         "wave": float(wave), "group": ds.respondents["group"].to_numpy()[rows["level_0"]]})


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_wave_vs_wave_matches_statsmodels_cluster_ols(seed):
    a, b = random_ds(seed, 150, 0.7), random_ds(seed + 100, 180, 0.8)
    df = pd.concat([long_answers(a, 0), long_answers(b, 1, offset=10_000)], ignore_index=True)
    ref = sm.OLS(df["y"], sm.add_constant(df[["wave"]])).fit(cov_type="cluster", cov_kwds={"groups": df["cluster"]})
    ca, cb = respondent_area_counts(a)["catering"], respondent_area_counts(b)["catering"]
    diff, chi2, p = cluster_rate_test(*ca, *cb)
    assert diff == pytest.approx(ref.params["wave"], rel=1e-10)
    assert p == pytest.approx(ref.pvalues["wave"], rel=1e-8)
    assert chi2 == pytest.approx(ref.tvalues["wave"] ** 2, rel=1e-8)
    # and it is what compare_waves / trend_summary report at area level
    out = compare_waves(a, b, level="area").set_index("key")
    assert out.loc["catering", "p_value"] == pytest.approx(ref.pvalues["wave"], rel=1e-8)
    t = trend_summary([("a", a), ("b", b)], level="area").set_index("wave")
    assert t.loc["b", "p_value"] == pytest.approx(ref.pvalues["wave"], rel=1e-8)
    assert t.loc["b", "prev_wave"] == "a"
    assert t.loc["b", "n_valid"] == len(df[df["wave"] == 1])  # answers
    assert t.loc["b", "n_people"] == df.loc[df["wave"] == 1, "cluster"].nunique()  # people


def test_clustering_matters_when_answers_are_correlated():
    # 40 people each give the same answer to 5 items: 200 answers but only 40 independent units.
    sat_a, valid_a = np.array([5] * 28 + [0] * 12), np.full(40, 5)
    sat_b, valid_b = np.array([5] * 34 + [0] * 6), np.full(40, 5)
    _, _, p_cluster = cluster_rate_test(sat_a, valid_a, sat_b, valid_b)
    naive = chi2_contingency(np.array([[140, 60], [170, 30]]), correction=False).pvalue
    assert naive < 0.001 < 0.05 < p_cluster  # the naive pooled χ² overstates the evidence


@pytest.mark.parametrize("seed", [4, 5])
def test_group_test_matches_statsmodels_wald(seed):
    ds = random_ds(seed, 240, 0.75)
    df = long_answers(ds, 0)
    x = pd.get_dummies(df["group"], drop_first=True, dtype=float)
    ref = sm.OLS(df["y"], sm.add_constant(x)).fit(cov_type="cluster", cov_kwds={"groups": df["cluster"]})
    r = np.zeros((x.shape[1], x.shape[1] + 1))
    r[:, 1:] = np.eye(x.shape[1])
    wald = ref.wald_test(r, use_f=False, scalar=True)
    codes = pd.factorize(ds.respondents["group"], sort=True)[0]
    sat, valid = respondent_area_counts(ds)["catering"]
    chi2, dof, p = cluster_group_test(sat, valid, codes)
    assert dof == 2
    assert chi2 == pytest.approx(float(wald.statistic), rel=1e-8)
    assert p == pytest.approx(float(wald.pvalue), rel=1e-8)
    out = area_group_tests(ds, "group", min_n=5).set_index("area")
    assert out.loc["catering", "p_value"] == pytest.approx(float(wald.pvalue), rel=1e-8)
    assert out.loc["catering", "n_answers"] == len(df)
    assert out.loc["catering", "n_people"] == df["cluster"].nunique()


def test_degenerate_cluster_tests_are_nan_not_errors():
    assert np.isnan(cluster_rate_test([3, 3], [3, 3], [2, 2], [2, 2])[2])  # both 100 %: no variance
    assert np.isnan(cluster_group_test([1, 2], [2, 2], [0, 0])[2])  # one group only
    with pytest.raises(ValueError, match="聚类检验"):
        cluster_rate_test([3], [2], [1], [1])


def test_item_level_stays_the_plain_chi2():
    a, b = random_ds(7, 120, 0.7, n_items=1), random_ds(8, 130, 0.8, n_items=1)
    out = compare_waves(a, b, level="item").set_index("key")
    ka, na = int((a.answers["q0"] >= 4).sum()), int(a.answers["q0"].notna().sum())
    kb, nb = int((b.answers["q0"] >= 4).sum()), int(b.answers["q0"].notna().sum())
    ref = chi2_contingency(np.array([[ka, na - ka], [kb, nb - kb]]), correction=False)
    assert out.loc["q0", "p_value"] == pytest.approx(ref.pvalue, rel=1e-10)
