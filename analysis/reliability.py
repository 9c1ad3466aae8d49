"""Reliability and validity of a scale: Cronbach's α (Feldt interval), α-if-item-deleted, KMO, Bartlett.

Input is an answer matrix (respondents × items, numeric codes, NA for invalid answers), e.g.
``ds.answers[items_of_one_area]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "MISSING_METHODS",
    "AlphaResult",
    "KMOResult",
    "cronbach_alpha",
    "alpha_if_deleted",
    "kmo",
    "bartlett_sphericity",
    "RELIABILITY_COLUMNS",
    "reliability_by_area",
    "validity_summary",
]

RELIABILITY_COLUMNS = ["area", "alpha", "ci_low", "ci_high", "n_items", "n_obs", "note"]
OVERALL_KEY = "__all__"

MISSING_METHODS: dict[str, tuple[str, str]] = {
    "pairwise": ("成对删除（与 R psych::alpha 一致）", "pairwise deletion (as R psych::alpha)"),
    "listwise": ("列表删除（只用全部作答的答卷）", "listwise deletion (complete answers only)"),
}


@dataclass(frozen=True)
class AlphaResult:
    """Cronbach's α with its Feldt confidence interval."""

    alpha: float
    ci_low: float
    ci_high: float
    n_items: int
    n_obs: int
    missing: str = "pairwise"


@dataclass(frozen=True)
class KMOResult:
    """Kaiser–Meyer–Olkin measure of sampling adequacy: ``overall`` and ``per_item`` (``item, kmo``)."""

    overall: float
    per_item: pd.DataFrame


def _matrix(answers: pd.DataFrame, missing: str, min_items: int = 2) -> pd.DataFrame:
    if missing not in MISSING_METHODS:
        raise ValueError(f"未知缺失值处理方式 unknown missing method '{missing}'. 可用 valid: {', '.join(MISSING_METHODS)}")
    if not isinstance(answers, pd.DataFrame):
        raise ValueError("请传入答卷 × 题目的表格。 Pass a DataFrame of respondents × items.")
    if answers.shape[1] < min_items:
        raise ValueError(
            f"至少需要 {min_items} 道题才能计算，当前 {answers.shape[1]} 道。请多选几道同一领域的题目。"
            f" At least {min_items} items are needed, got {answers.shape[1]}; select more items of the scale."
        )
    try:
        x = answers.apply(pd.to_numeric, errors="raise").astype("float64")
    except (ValueError, TypeError):
        raise ValueError(
            "答案必须是数字代码（1 = 最差 … k = 最好）。 Answers must be numeric codes (1 = worst … k = best)."
        ) from None
    if missing == "listwise":
        x = x.dropna()
    return x


def _n_obs(x: pd.DataFrame) -> int:
    """Respondents contributing to the (pairwise) covariance matrix: at least two valid answers."""
    return int((x.notna().sum(axis=1) >= 2).sum())


def _alpha_from_cov(c: np.ndarray) -> float:
    k = c.shape[0]
    total = c.sum()
    if not np.isfinite(total) or total <= 0:
        return float("nan")
    return float(k / (k - 1) * (1 - np.trace(c) / total))


def _cov(x: pd.DataFrame) -> np.ndarray:
    c = x.cov(min_periods=2).to_numpy()  # pandas: pairwise-complete observations
    if np.isnan(c).any():
        bad = [str(x.columns[i]) for i in sorted(set(np.argwhere(np.isnan(c))[:, 0]))]
        raise ValueError(
            f"题目 {', '.join(bad)} 与其他题目共同作答的答卷少于 2 份，无法计算协方差。请去掉这些题目。"
            f" Item(s) {', '.join(bad)} share fewer than 2 answers with other items; leave them out."
        )
    return c


def cronbach_alpha(answers: pd.DataFrame, *, missing: str = "pairwise", confidence: float = 0.95) -> AlphaResult:
    """Cronbach's α of a set of items with the Feldt confidence interval.

    ``α = k/(k − 1) · (1 − Σ σ²ᵢ / σ²_total)`` computed from the item covariance matrix C as
    ``k/(k − 1) · (1 − tr C / ΣC)`` (Cronbach 1951). With ``missing="pairwise"`` C is built from
    pairwise-complete observations, as R ``psych::alpha`` does (``cov(x, use="pairwise")``);
    ``"listwise"`` keeps only respondents who answered every item.

    Feldt, Woodruff & Salih (1987) interval, with n respondents, k items, γ = 1 − confidence,
    df1 = n − 1, df2 = (n − 1)(k − 1):
    ``low = 1 − (1 − α) F_{1−γ/2}(df1, df2)``, ``high = 1 − (1 − α) F_{γ/2}(df1, df2)``.

    Checked against the variance-formula hand calculation and ``scipy.stats.f`` quantiles in
    tests/test_reliability.py.

    Parameters
    ----------
    answers : respondents × items, numeric codes, NA for invalid answers.
    missing : ``"pairwise"`` (default) or ``"listwise"``.
    confidence : coverage of the interval.

    Returns
    -------
    AlphaResult ``alpha, ci_low, ci_high, n_items, n_obs`` (n_obs = respondents with at least two
    valid answers for pairwise, complete respondents for listwise). α is NaN when the total
    variance is zero.
    """
    if not (0.0 < confidence < 1.0):
        raise ValueError(f"置信水平须在 0 和 1 之间 confidence must be in (0, 1), got {confidence}.")
    x = _matrix(answers, missing)
    n = _n_obs(x)
    if n < 3:
        raise ValueError(
            f"有效答卷只有 {n} 份，至少需要 3 份才能计算 α。 Only {n} usable responses; α needs at least 3."
        )
    c = _cov(x)
    k = c.shape[0]
    alpha = _alpha_from_cov(c)
    gamma = 1 - confidence
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - alpha) * stats.f.ppf(1 - gamma / 2, df1, df2)
    high = 1 - (1 - alpha) * stats.f.ppf(gamma / 2, df1, df2)
    return AlphaResult(float(alpha), float(low), float(high), int(k), int(n), missing)


def alpha_if_deleted(answers: pd.DataFrame, *, missing: str = "pairwise") -> pd.DataFrame:
    """α of the remaining items when each item is left out, and the corrected item-total correlation.

    Both come from the same covariance matrix C as :func:`cronbach_alpha` (so pairwise deletion
    matches R ``psych::alpha``'s ``alpha.drop`` raw_alpha and ``r.drop``):
    ``r.drop_i = Σ_{j≠i} C_ij / √(C_ii · Σ_{j,l≠i} C_jl)`` — the correlation of item i with the
    sum of the other items. With listwise deletion this equals the Pearson correlation of the item
    with the rest-score (checked with ``numpy.corrcoef`` in the tests).

    Returns
    -------
    DataFrame ``item, alpha_if_deleted, item_total_r``, one row per column of ``answers``
    (``alpha_if_deleted`` is NaN with only two items: one item has no α).
    """
    x = _matrix(answers, missing)
    if _n_obs(x) < 3:
        raise ValueError("有效答卷少于 3 份。 Fewer than 3 usable responses.")
    c = _cov(x)
    k = c.shape[0]
    alphas, rs = [], []
    for i in range(k):
        rest = [j for j in range(k) if j != i]
        sub = c[np.ix_(rest, rest)]
        alphas.append(_alpha_from_cov(sub) if k > 2 else np.nan)
        denom = c[i, i] * sub.sum()
        rs.append(float(c[i, rest].sum() / np.sqrt(denom)) if denom > 0 else np.nan)
    return pd.DataFrame({"item": list(answers.columns), "alpha_if_deleted": alphas, "item_total_r": rs}).astype(
        {"alpha_if_deleted": "float64", "item_total_r": "float64"}
    )


def _corr(x: pd.DataFrame) -> np.ndarray:
    r = x.corr(min_periods=3).to_numpy()
    if np.isnan(r).any():
        raise ValueError(
            "有题目没有变化（所有人答案相同）或共同作答太少，无法计算相关矩阵。请去掉这些题目。"
            " Some item has no variance or too few joint answers for a correlation; leave it out."
        )
    return r


def _inverse(r: np.ndarray) -> np.ndarray:
    try:
        inv = np.linalg.inv(r)
    except np.linalg.LinAlgError:
        inv = None
    if inv is None or not np.isfinite(inv).all() or np.linalg.cond(r) > 1e12:
        raise ValueError(
            "相关矩阵奇异（有题目与其他题目完全相关或重复），请去掉重复的题目。"
            " The correlation matrix is singular (duplicate or perfectly correlated items); leave duplicates out."
        )
    return inv


def kmo(answers: pd.DataFrame, *, missing: str = "pairwise") -> KMOResult:
    """Kaiser–Meyer–Olkin measure of sampling adequacy.

    With R the item correlation matrix and Q the partial correlations
    ``q_ij = −(R⁻¹)_ij / √((R⁻¹)_ii (R⁻¹)_jj)``:
    ``KMO = Σ_{i≠j} r²_ij / (Σ_{i≠j} r²_ij + Σ_{i≠j} q²_ij)`` and per item the same sums over row i
    (Kaiser 1970; formulas as in the factor_analyzer docs, ``calculate_kmo``). Checked against a
    hand computation with numpy in tests/test_reliability.py.

    Parameters
    ----------
    answers : respondents × items (numeric codes, NA invalid).
    missing : correlations from pairwise-complete (default) or listwise-complete observations.
    """
    x = _matrix(answers, missing)
    r = _corr(x)
    inv = _inverse(r)
    d = np.sqrt(np.diag(inv))
    q = -inv / np.outer(d, d)
    off = ~np.eye(r.shape[0], dtype=bool)
    r2 = np.where(off, r**2, 0.0)
    q2 = np.where(off, q**2, 0.0)
    overall = r2.sum() / (r2.sum() + q2.sum())
    per = r2.sum(axis=1) / (r2.sum(axis=1) + q2.sum(axis=1))
    return KMOResult(float(overall), pd.DataFrame({"item": list(answers.columns), "kmo": per.astype(float)}))


def bartlett_sphericity(answers: pd.DataFrame, *, missing: str = "listwise") -> tuple[float, int, float]:
    """Bartlett's test that the item correlation matrix is the identity.

    ``χ² = −(n − 1 − (2p + 5)/6) · ln|R|`` with ``p(p − 1)/2`` degrees of freedom (Bartlett 1951;
    as in factor_analyzer's ``calculate_bartlett_sphericity``). The default listwise deletion gives
    one well-defined n (respondents who answered every item) and a positive-definite R; with
    ``missing="pairwise"`` R is pairwise and n the respondents with at least two valid answers.

    Returns
    -------
    (chi2, dof, p_value)
    """
    x = _matrix(answers, missing)
    n = len(x) if missing == "listwise" else _n_obs(x)
    p = x.shape[1]
    if n <= p:
        raise ValueError(
            f"答卷数 {n} 需多于题目数 {p} 才能做 Bartlett 球形检验。"
            f" Bartlett's test needs more responses ({n}) than items ({p})."
        )
    r = _corr(x)
    sign, logdet = np.linalg.slogdet(r)
    if sign <= 0:
        raise ValueError(
            "相关矩阵不是正定的，无法做 Bartlett 检验（可改用列表删除或去掉重复题目）。"
            " The correlation matrix is not positive definite; use listwise deletion or drop duplicate items."
        )
    chi2 = -(n - 1 - (2 * p + 5) / 6) * logdet
    dof = p * (p - 1) // 2
    return float(chi2), int(dof), float(stats.chi2.sf(chi2, dof))


def reliability_by_area(ds, *, missing: str = "pairwise", confidence: float = 0.95) -> dict[str, pd.DataFrame]:
    """Cronbach's α of each service area's items and of all items together, with α-if-deleted.

    Returns ``{"alpha": DataFrame[RELIABILITY_COLUMNS], "deleted": DataFrame[item, alpha_if_deleted,
    item_total_r, area, alpha]}``; the row for all items has ``area == "__all__"``. An area with fewer
    than two items (or too few complete answers) gets NaN and a ``note`` instead of an error, so a
    page can show every area. Each α is :func:`cronbach_alpha` on that area's columns.
    """
    items = ds.items
    groups = [(a, list(items.loc[items["area"] == a, "item"])) for a in items["area"].drop_duplicates()]
    groups.append((OVERALL_KEY, list(items["item"])))
    rows, deleted = [], []
    nan = float("nan")
    for key, cols in groups:
        cols = [c for c in cols if c in ds.answers.columns]
        if len(cols) < 2:
            rows.append({"area": key, "alpha": nan, "ci_low": nan, "ci_high": nan, "n_items": len(cols),
                         "n_obs": 0, "note": "too_few_items"})
            continue
        answers = ds.answers[cols].astype("float64")
        try:
            res = cronbach_alpha(answers, missing=missing, confidence=confidence)
        except ValueError as exc:
            rows.append({"area": key, "alpha": nan, "ci_low": nan, "ci_high": nan, "n_items": len(cols),
                         "n_obs": 0, "note": str(exc)})
            continue
        rows.append({"area": key, "alpha": res.alpha, "ci_low": res.ci_low, "ci_high": res.ci_high,
                     "n_items": res.n_items, "n_obs": res.n_obs, "note": ""})
        if key != OVERALL_KEY:
            try:
                deleted.append(alpha_if_deleted(answers, missing=missing).assign(area=key, alpha=res.alpha))
            except ValueError:
                pass
    deleted_df = (pd.concat(deleted, ignore_index=True) if deleted
                  else pd.DataFrame(columns=["item", "alpha_if_deleted", "item_total_r", "area", "alpha"]))
    return {"alpha": pd.DataFrame(rows, columns=RELIABILITY_COLUMNS), "deleted": deleted_df}


def validity_summary(ds) -> dict[str, float | int]:
    """KMO (overall) and Bartlett's test over all Likert items of ``ds``: ``kmo, chi2, dof, p``."""
    answers = ds.answers[[c for c in ds.items["item"] if c in ds.answers.columns]].astype("float64")
    res = kmo(answers)
    chi2, dof, p = bartlett_sphericity(answers)
    return {"kmo": float(res.overall), "chi2": float(chi2), "dof": int(dof), "p": float(p)}
