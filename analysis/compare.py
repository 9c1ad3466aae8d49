"""Comparisons: wave vs wave (two-proportion χ²), groups (χ² of independence, Cramér's V, Holm), trends.

Significance level 0.05 throughout (``ALPHA``). Weak tests are flagged, not hidden: ``low_expected``
marks a χ² whose expected counts fall below 5, where the p-value is only approximate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.metrics import (
    LEVELS,
    _codes,
    _counts,
    _group_codes,
    _item_scales,
    _rate_columns,
    area_summary,
    group_summary,
    item_summary,
)
from analysis.model import Dataset

__all__ = [
    "ALPHA",
    "CATEGORY_MODES",
    "COMPARE_COLUMNS",
    "GROUP_TEST_COLUMNS",
    "TREND_COLUMNS",
    "two_proportion_test",
    "compare_waves",
    "group_tests",
    "holm",
    "trend_summary",
    "respondent_area_counts",
    "cluster_rate_test",
    "cluster_group_test",
    "area_group_tests",
    "AREA_GROUP_TEST_COLUMNS",
]

ALPHA = 0.05
COMPARE_COLUMNS = ["key", "n_a", "rate_a", "n_b", "rate_b", "diff_pp", "chi2", "p_value", "significant"]
GROUP_TEST_COLUMNS = ["item", "label", "area", "chi2", "dof", "p_value", "p_holm", "cramers_v", "n", "low_expected"]
TREND_COLUMNS = [
    "wave", "key", "n_valid", "n_satisfied", "satisfaction_rate", "ci_low", "ci_high", "diff_pp", "p_value",
    "significant", "best_on_record", "prev_wave", "n_people",
]
AREA_GROUP_TEST_COLUMNS = ["area", "chi2", "dof", "p_value", "p_holm", "n_answers", "n_people", "n_groups"]
# What the columns of the group × answer table are in group_tests.
CATEGORY_MODES: dict[str, tuple[str, str]] = {
    "codes": ("按每个答案选项", "every answer option"),
    "satisfied": ("满意 / 不满意", "satisfied vs not satisfied"),
}


def two_proportion_test(k1, n1, k2, n2) -> tuple:
    """Pearson χ² test on the 2×2 table [[k1, n1 − k1], [k2, n2 − k2]] without continuity correction.

    ``χ² = N (ad − bc)² / ((a + b)(c + d)(a + c)(b + d))``, 1 degree of freedom — identical to the
    two-sided two-proportion z-test (z² = χ²). Checked against
    ``scipy.stats.chi2_contingency(table, correction=False)``. Vectorised over array inputs; a table
    with an empty row or column (e.g. both rates 100 %) gives ``(nan, nan)``.

    Returns
    -------
    (chi2, p_value) : floats for scalar input, else arrays.
    """
    scalar = all(np.ndim(v) == 0 for v in (k1, n1, k2, n2))
    a, n1_, c, n2_ = (np.asarray(v, dtype=float) for v in (k1, n1, k2, n2))
    if np.any(a < 0) or np.any(c < 0) or np.any(a > n1_) or np.any(c > n2_):
        raise ValueError("两比例检验需要 0 ≤ 满意数 ≤ 有效数。 The two-proportion test needs 0 ≤ k ≤ n.")
    b, d = n1_ - a, n2_ - c
    total = n1_ + n2_
    denom = n1_ * n2_ * (a + c) * (b + d)
    with np.errstate(invalid="ignore", divide="ignore"):
        chi2 = np.where(denom > 0, total * (a * d - b * c) ** 2 / np.where(denom > 0, denom, 1), np.nan)
    p = stats.chi2.sf(chi2, 1)
    if scalar:
        return float(chi2), float(p)
    return chi2, p


def holm(pvalues) -> np.ndarray:
    """Holm–Bonferroni adjusted p-values (Holm 1979), step-down, capped at 1.

    ``p_(i)^adj = max_{j ≤ i} min(1, (m − j + 1) p_(j))`` over the m finite p-values sorted
    ascending; NaN stays NaN and does not count in m. Checked against
    ``statsmodels.stats.multitest.multipletests(method="holm")``.
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    finite = np.isfinite(p)
    m = int(finite.sum())
    if m == 0:
        return out
    vals = p[finite]
    order = np.argsort(vals, kind="stable")
    adj = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * vals[order]))
    res = np.empty(m)
    res[order] = adj
    out[finite] = res
    return out


# ---------------------------------------------------------------------------------------------
# Area level: respondents as clusters (DESIGN.md "Area-level significance")
# ---------------------------------------------------------------------------------------------
def respondent_area_counts(ds: Dataset, *, basic_satisfied: bool = False) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per service area and respondent: satisfied answers and valid answers to the area's items.

    Returns
    -------
    ``{area: (satisfied, valid)}``, two int64 arrays of length ``ds.n`` (row i = respondent i).
    Summed over respondents they are the area's ``n_satisfied`` and ``n_valid`` (answers).
    """
    scales = _item_scales(ds)
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for item, area, scale in zip(ds.items["item"], ds.items["area"].astype(str), scales, strict=True):
        codes = _codes(ds.answers, item)
        _counts(codes, scale.k, item)
        sat = np.isin(codes, np.fromiter(scale.satisfied_codes(basic_satisfied), dtype=np.int8))
        s, v = out.get(area, (np.zeros(len(codes), np.int64), np.zeros(len(codes), np.int64)))
        out[area] = (s + sat, v + (codes > 0))
    return out


def _cluster_means(sat: np.ndarray, valid: np.ndarray, groups: np.ndarray, n_groups: int):
    """Group rates (answers pooled) and the cluster-robust (CR1) variance of each, clusters = rows.

    For y = satisfied (0/1 per answer) regressed on group dummies, the OLS coefficients are the group
    rates p_k and the sandwich variance is block-diagonal: V_k = Σ_{g∈k} S_g² / N_k² with S_g = Σ of
    cluster g's residuals = sat_g − valid_g p_k, times statsmodels' small-sample factor
    G/(G−1) · (N−1)/(N−K) (G clusters with answers, N answers, K groups).
    """
    keep = valid > 0
    sat, valid, groups = sat[keep].astype(float), valid[keep].astype(float), groups[keep]
    n_k = np.bincount(groups, weights=valid, minlength=n_groups)
    s_k = np.bincount(groups, weights=sat, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = s_k / n_k
        resid = sat - valid * p[groups]
        v = np.bincount(groups, weights=resid**2, minlength=n_groups) / n_k**2
    g, n = int(keep.sum()), float(valid.sum())
    k = int((n_k > 0).sum())
    factor = g / (g - 1) * (n - 1) / (n - k) if g > 1 and n > k else np.nan
    return p, v * factor, n_k, g


def cluster_rate_test(sat_a, valid_a, sat_b, valid_b) -> tuple[float, float, float]:
    """Two waves' area rates compared with respondents as clusters.

    Linear probability model ``satisfied ~ 1 + wave_b`` over every answer, cluster-robust (CR1)
    variance with one cluster per respondent; the coefficient of ``wave_b`` is the change of the
    pooled rate. Same as ``statsmodels OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": …})``
    (normal reference distribution, its default for robust covariances).

    Parameters
    ----------
    sat_a, valid_a, sat_b, valid_b : per respondent of each wave, satisfied and valid answers in the
        area (:func:`respondent_area_counts`).

    Returns
    -------
    (diff, chi2, p_value) : rate_b − rate_a, the Wald statistic z² and its two-sided p-value;
    NaN where a wave has no answers or the variance is zero (e.g. both rates 100 %).
    """
    sat = np.concatenate([np.asarray(sat_a), np.asarray(sat_b)])
    valid = np.concatenate([np.asarray(valid_a), np.asarray(valid_b)])
    groups = np.concatenate([np.zeros(len(sat_a), np.int64), np.ones(len(sat_b), np.int64)])
    if np.any(sat < 0) or np.any(sat > valid):
        raise ValueError("聚类检验需要 0 ≤ 满意数 ≤ 有效数。 The cluster test needs 0 ≤ satisfied ≤ valid answers.")
    p, v, n_k, _ = _cluster_means(sat, valid, groups, 2)
    diff = float(p[1] - p[0]) if (n_k > 0).all() else np.nan
    var = float(v.sum())
    if not np.isfinite(diff) or not np.isfinite(var) or var <= 0:
        return diff, np.nan, np.nan
    chi2 = diff**2 / var
    return diff, float(chi2), float(stats.chi2.sf(chi2, 1))


def cluster_group_test(sat, valid, groups) -> tuple[float, int, float]:
    """Do an area's rates differ between respondent groups? Respondents as clusters.

    Wald test that all group effects are zero in ``satisfied ~ C(group)`` over every answer with
    cluster-robust (CR1) covariance, clusters = respondents — as ``statsmodels`` ``OLS(...).fit(
    cov_type="cluster").wald_test(R, use_f=False)``. Groups partition the respondents, so the group
    rates' covariance is diagonal and the statistic is ``(Cp)ᵀ (C V Cᵀ)⁻¹ (Cp)`` with ``C`` the
    contrasts against the last group.

    Parameters
    ----------
    sat, valid : per respondent, satisfied and valid answers in the area.
    groups : per respondent, an integer group code (negative = not in any group, left out).

    Returns
    -------
    (chi2, dof, p_value) with dof = groups with answers − 1; NaN when fewer than two groups have
    answers or the covariance is singular.
    """
    sat, valid, groups = np.asarray(sat), np.asarray(valid), np.asarray(groups, dtype=np.int64)
    keep = groups >= 0
    sat, valid, groups = sat[keep], valid[keep], groups[keep]
    present = np.unique(groups[valid > 0])
    if len(present) < 2:
        return np.nan, 0, np.nan
    remap = np.full(groups.max() + 1, -1, np.int64)
    remap[present] = np.arange(len(present))
    codes = remap[groups]
    inside = codes >= 0
    p, v, _, _ = _cluster_means(sat[inside], valid[inside], codes[inside], len(present))
    m = len(present)
    c = np.hstack([np.eye(m - 1), -np.ones((m - 1, 1))])
    cv = c @ np.diag(v) @ c.T
    d = c @ p
    try:
        chi2 = float(d @ np.linalg.solve(cv, d))
    except np.linalg.LinAlgError:
        return np.nan, m - 1, np.nan
    if not np.isfinite(chi2) or np.linalg.matrix_rank(cv) < m - 1:
        return np.nan, m - 1, np.nan
    return chi2, m - 1, float(stats.chi2.sf(chi2, m - 1))


def area_group_tests(
    ds: Dataset,
    by: str,
    *,
    basic_satisfied: bool = False,
    min_n: int = 5,
    baseline: Dataset | None = None,
    base_k: int | None = None,
) -> pd.DataFrame:
    """Per service area: do the groups' pooled rates differ? (:func:`cluster_group_test`, Holm across areas.)

    A group whose area cell is hidden in the breakdown (:func:`analysis.metrics.group_summary` at
    area level with the same ``min_n``, ``baseline``, ``base_k``: small groups and the cells
    protecting them) is left out of the area's test, so ``n_people`` reveals no hidden group.

    Returns
    -------
    DataFrame ``AREA_GROUP_TEST_COLUMNS``: ``n_answers`` (答题人次) and ``n_people`` of the groups tested.
    """
    gcodes, groups = _group_codes(ds, by)
    cells = group_summary(ds, by, level="area", min_n=min_n, baseline=baseline, base_k=base_k)
    shown = {(grp, key) for grp, key, sup in zip(cells["group"], cells["key"], cells["suppressed"], strict=True) if not sup}
    rows = []
    for area, (sat, valid) in respondent_area_counts(ds, basic_satisfied=basic_satisfied).items():
        ok = np.array([i for i, grp in enumerate(groups) if (grp, area) in shown], dtype=np.int64)
        g = np.where(np.isin(gcodes, ok), gcodes, -1)
        chi2, dof, pval = cluster_group_test(sat, valid, g)
        used = (g >= 0) & (valid > 0)
        rows.append((area, chi2, dof, pval, int(valid[used].sum()), int(used.sum()), len(ok)))
    out = pd.DataFrame(rows, columns=[c for c in AREA_GROUP_TEST_COLUMNS if c != "p_holm"])
    out["p_holm"] = holm(out["p_value"].to_numpy(float)) if len(out) else []
    return out.astype({"chi2": "float64", "dof": "int64", "p_value": "float64", "p_holm": "float64",
                       "n_answers": "int64", "n_people": "int64", "n_groups": "int64"})[AREA_GROUP_TEST_COLUMNS]


def _keyed_summaries(datasets: list[Dataset], level: str, basic_satisfied: bool) -> list[pd.DataFrame]:
    """Summaries with a ``key`` column: the area key, or the item label.

    A label that repeats within any of the waves (服务态度 under several areas) is qualified as
    ``area·label`` in every wave, so the same item keeps the same key across waves; if that is
    still ambiguous the item column is appended.
    """
    if level not in LEVELS:
        raise ValueError(f"未知层级 unknown level '{level}'. 可用 valid: {', '.join(LEVELS)}")
    if level == "area":
        return [s.assign(key=s["area"].astype(object)) for s in
                (area_summary(ds, basic_satisfied=basic_satisfied) for ds in datasets)]
    sums = [item_summary(ds, basic_satisfied=basic_satisfied) for ds in datasets]
    labels = [s["label"].astype(object).where(s["label"].notna(), s["item"]) for s in sums]
    repeated = set().union(*(set(lab[lab.duplicated()]) for lab in labels))
    out = []
    for s, key in zip(sums, labels, strict=True):
        key = key.where(~key.isin(repeated), s["area"].astype(str) + "·" + key.astype(str))
        dup = key.duplicated(keep=False)
        key = key.where(~dup, key.astype(str) + " [" + s["item"].astype(str) + "]")
        out.append(s.assign(key=key))
    return out


def compare_waves(ds_a: Dataset, ds_b: Dataset, *, level: str = "area", basic_satisfied: bool = False) -> pd.DataFrame:
    """Satisfaction rate of wave A vs wave B per area or item, with a two-proportion χ² test.

    Items are matched by their label (a label repeated within either wave is qualified by its area as
    ``area·label`` in both); areas by area key. Keys present in only one wave keep NA for the other.
    Areas are tested with respondents as clusters (:func:`cluster_rate_test`; ``chi2`` is its Wald
    z²), items with the plain 2×2 χ².

    Returns
    -------
    DataFrame with ``COMPARE_COLUMNS``: ``n_*`` valid answers, ``rate_*`` satisfaction rates,
    ``diff_pp = (rate_b − rate_a) × 100`` percentage points, ``chi2, p_value`` from
    :func:`two_proportion_test`, ``significant = p_value < 0.05``. Keys in A's order, then new keys of B.
    """
    a, b = _keyed_summaries([ds_a, ds_b], level, basic_satisfied)
    cols = ["key", "n_valid", "n_satisfied", "satisfaction_rate"]
    m = a[cols].merge(b[cols], on="key", how="outer", suffixes=("_a", "_b"), sort=False)
    order = {k: i for i, k in enumerate(list(a["key"]) + [k for k in b["key"] if k not in set(a["key"])])}
    m = m.sort_values("key", key=lambda s: s.map(order)).reset_index(drop=True)
    both = m["n_valid_a"].notna() & m["n_valid_b"].notna()
    chi2 = np.full(len(m), np.nan)
    p = np.full(len(m), np.nan)
    if level == "area":  # answers of one respondent are not independent: respondents as clusters
        ca, cb = (respondent_area_counts(d, basic_satisfied=basic_satisfied) for d in (ds_a, ds_b))
        for i in np.flatnonzero(both.to_numpy()):
            key = m.at[i, "key"]
            _, chi2[i], p[i] = cluster_rate_test(*ca[key], *cb[key])
    elif both.any():
        chi2[both.to_numpy()], p[both.to_numpy()] = two_proportion_test(
            m.loc[both, "n_satisfied_a"].to_numpy(float), m.loc[both, "n_valid_a"].to_numpy(float),
            m.loc[both, "n_satisfied_b"].to_numpy(float), m.loc[both, "n_valid_b"].to_numpy(float),
        )
    return pd.DataFrame(
        {
            "key": m["key"],
            "n_a": m["n_valid_a"].astype("Int64"),
            "rate_a": m["satisfaction_rate_a"].astype(float),
            "n_b": m["n_valid_b"].astype("Int64"),
            "rate_b": m["satisfaction_rate_b"].astype(float),
            "diff_pp": (m["satisfaction_rate_b"] - m["satisfaction_rate_a"]).astype(float) * 100,
            "chi2": chi2,
            "p_value": p,
            "significant": pd.array(np.where(np.isfinite(p), p < ALPHA, False), dtype="bool"),
        }
    )[COMPARE_COLUMNS]


def _chi2_independence(table: np.ndarray) -> tuple[float, int, float, float, int, bool]:
    """χ², dof, p, Cramér's V, n, low_expected of a contingency table (all-zero rows/cols dropped)."""
    t = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0].astype(float)
    n = int(t.sum())
    if t.shape[0] < 2 or t.shape[1] < 2:
        return np.nan, 0, np.nan, np.nan, n, False
    expected = np.outer(t.sum(axis=1), t.sum(axis=0)) / n
    chi2 = float(((t - expected) ** 2 / expected).sum())
    dof = (t.shape[0] - 1) * (t.shape[1] - 1)
    v = float(np.sqrt(chi2 / (n * (min(t.shape) - 1))))
    return chi2, dof, float(stats.chi2.sf(chi2, dof)), v, n, bool((expected < 5).any())


def group_tests(
    ds: Dataset,
    by: str,
    *,
    basic_satisfied: bool = False,
    min_n: int = 5,
    categories: str = "codes",
    baseline: Dataset | None = None,
    base_k: int | None = None,
) -> pd.DataFrame:
    """Does the answer distribution of each item differ between respondent groups?

    Per item: Pearson χ² test of independence on the groups × answer-categories table (all-zero
    rows and columns dropped; no continuity correction), Cramér's V = √(χ² / (n (min(r, c) − 1)))
    and Holm-adjusted p-values across the items tested. Checked against
    ``scipy.stats.chi2_contingency``, ``scipy.stats.contingency.association(method="cramer")`` and
    statsmodels' Holm.

    Parameters
    ----------
    ds : the coded survey.
    by : ``"group"`` or an attribute column of ``ds.respondents``.
    basic_satisfied : used with ``categories="satisfied"``: count 基本满意 as satisfied.
    min_n : anonymity threshold: a group whose cell of the item is hidden in the breakdown
        (:func:`analysis.metrics.group_summary` with the same ``min_n``, ``baseline``, ``base_k``:
        small groups and the cells protecting them) is left out of the item's test, so the test's
        n never reveals a hidden group (issue 10, finding 4).
    categories : ``"codes"`` (default, every answer option) or ``"satisfied"`` (satisfied vs not).

    Returns
    -------
    DataFrame with ``GROUP_TEST_COLUMNS``; ``low_expected`` is True when any expected count is
    below 5 (the p-value is approximate). Items with fewer than two usable groups get NaN.
    """
    if categories not in CATEGORY_MODES:
        raise ValueError(f"未知分类方式 unknown categories '{categories}'. 可用 valid: {', '.join(CATEGORY_MODES)}")
    gcodes, groups = _group_codes(ds, by)
    scales = _item_scales(ds)
    n_groups = len(groups)
    keep = gcodes >= 0
    g = gcodes[keep]
    cells = group_summary(ds, by, level="item", min_n=min_n, baseline=baseline, base_k=base_k)
    visible = {(grp, key) for grp, key, sup in zip(cells["group"], cells["key"], cells["suppressed"], strict=True) if not sup}
    rows = []
    for (item, label, area), scale in zip(
        ds.items[["item", "label", "area"]].itertuples(index=False, name=None), scales, strict=True
    ):
        codes = _codes(ds.answers, item)[keep]
        _counts(codes, scale.k, item)
        if categories == "satisfied":
            sat = np.isin(codes, np.fromiter(scale.satisfied_codes(basic_satisfied), dtype=np.int8))
            cat, n_cat = np.where(codes > 0, np.where(sat, 2, 1), 0), 3
        else:
            cat, n_cat = codes.astype(np.int64), scale.k + 1
        table = np.bincount(g * n_cat + cat, minlength=n_groups * n_cat).reshape(n_groups, n_cat)[:, 1:]
        table = table[[(grp, item) in visible for grp in groups]]
        rows.append((item, label, area, *_chi2_independence(table)))
    out = pd.DataFrame(rows, columns=["item", "label", "area", "chi2", "dof", "p_value", "cramers_v", "n", "low_expected"])
    out["p_holm"] = holm(out["p_value"].to_numpy(float)) if len(out) else []
    return out.astype(
        {"chi2": "float64", "dof": "int64", "p_value": "float64", "p_holm": "float64", "cramers_v": "float64",
         "n": "int64", "low_expected": "bool"}
    )[GROUP_TEST_COLUMNS]


def trend_summary(
    waves: list[tuple[str, Dataset]], *, level: str = "area", basic_satisfied: bool = False, confidence: float = 0.95,
    baselines: list[Dataset] | None = None, k: int = 5,
) -> pd.DataFrame:
    """Satisfaction per wave and key, with the change against the previous wave and records.

    Parameters
    ----------
    waves : ``(wave name, Dataset)`` in chronological order (oldest first).
    level : ``"area"`` (keys = area keys; reworded items still roll up by area) or ``"item"``
        (keys = item labels, matched across waves by label as in :func:`compare_waves`).
    basic_satisfied : count 基本满意 as satisfied where the scale has it.
    baselines : the unfiltered Datasets of ``waves`` (same order) when ``waves`` are filtered
        (screened responses excluded): a (wave, key) the filter changed by 1…k−1 respondents is
        blanked, with the changes that would give it away (:func:`analysis.anonymity.guard_trend`).
    k : the anonymity threshold (the viewer's, at least the deployment's).

    Returns
    -------
    DataFrame with ``TREND_COLUMNS``, rows by wave then key. ``diff_pp`` and ``p_value`` compare
    with the most recent earlier wave that measured the key (``prev_wave``): items by the
    two-proportion χ² without continuity correction, areas by :func:`cluster_rate_test`
    (respondents as clusters); ``n_people`` = people answering (an area's ``n_valid`` counts
    answers); ``significant = p < 0.05``; ``best_on_record`` is True when the rate is strictly
    above the rate of every earlier wave measuring the key and at least one earlier wave did.
    """
    if not waves:
        return pd.DataFrame({c: [] for c in TREND_COLUMNS})
    if baselines is not None:
        from analysis.anonymity import guard_trend

        if len(baselines) != len(waves):
            raise ValueError("未筛选的数据与批次个数不一致。 baselines and waves differ in length.")
        filtered = trend_summary(waves, level=level, basic_satisfied=basic_satisfied, confidence=confidence)
        base = trend_summary([(name, b) for (name, _), b in zip(waves, baselines, strict=True)], level=level,
                             basic_satisfied=basic_satisfied, confidence=confidence)
        return guard_trend(filtered, base, k=k)
    names = [w for w, _ in waves]
    if len(set(names)) != len(names):
        raise ValueError("批次名称重复，请为每个批次使用不同的名称。 Wave names repeat; give each wave a distinct name.")
    summaries = _keyed_summaries([ds for _, ds in waves], level, basic_satisfied)
    parts = [s[["key", "n_valid", "n_satisfied"]].assign(wave=name) for (name, _), s in zip(waves, summaries, strict=True)]
    t = pd.concat(parts, ignore_index=True)
    for col, values in _rate_columns(t["n_satisfied"], t["n_valid"], confidence).items():
        t[col] = values
    clusters = ([respondent_area_counts(ds, basic_satisfied=basic_satisfied) for _, ds in waves]
                if level == "area" else None)
    wave_no = np.repeat(np.arange(len(waves)), [len(s) for s in summaries])
    if clusters is not None:  # people who answered at least one of the area's items
        t["n_people"] = [int((clusters[w][key][1] > 0).sum()) for w, key in zip(wave_no, t["key"], strict=True)]
    else:
        t["n_people"] = t["n_valid"]
    diff = np.full(len(t), np.nan)
    pval = np.full(len(t), np.nan)
    best = np.zeros(len(t), dtype=bool)
    prev = np.full(len(t), None, dtype=object)
    last: dict = {}  # key → (row index of the last wave measuring it)
    record: dict = {}  # key → highest rate so far
    for i, (key, n_valid, rate) in enumerate(zip(t["key"], t["n_valid"], t["satisfaction_rate"], strict=True)):
        if n_valid <= 0 or not np.isfinite(rate):
            continue
        if key in last:
            j = last[key]
            diff[i] = (rate - t.at[j, "satisfaction_rate"]) * 100
            prev[i] = t.at[j, "wave"]
            if clusters is not None:
                _, _, pval[i] = cluster_rate_test(*clusters[wave_no[j]][key], *clusters[wave_no[i]][key])
            else:
                _, pval[i] = two_proportion_test(t.at[i, "n_satisfied"], n_valid, t.at[j, "n_satisfied"],
                                                 t.at[j, "n_valid"])
            best[i] = rate > record[key]
            record[key] = max(record[key], rate)
        else:
            record[key] = rate
        last[key] = i
    t["diff_pp"] = diff
    t["prev_wave"] = prev
    t["p_value"] = pval
    t["significant"] = np.where(np.isfinite(pval), pval < ALPHA, False)
    t["best_on_record"] = best
    return t.astype({"n_valid": "int64", "n_satisfied": "int64", "significant": "bool", "best_on_record": "bool",
                     "n_people": "int64"})[
        TREND_COLUMNS
    ]
