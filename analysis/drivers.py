"""Importance–performance analysis (IPA, Martilla & James 1977): where to improve first.

performance = the item's mean score put on the 100-point index ((mean − 1)/(k − 1) × 100), so
items on scales of different length are comparable; importance = stated importance when the
questionnaire asked it, otherwise derived as the correlation of the item with the
overall-satisfaction item. Quadrants are split at the means of the plotted items.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.metrics import item_summary
from analysis.model import Dataset

__all__ = ["QUADRANTS", "IMPORTANCE_SOURCES", "CORRELATION_METHODS", "IPA_COLUMNS", "ipa"]

IPA_COLUMNS = ["item", "label", "area", "performance", "importance", "importance_source", "quadrant"]

# quadrant key → (zh, en, suggested action zh, suggested action en)
QUADRANTS: dict[str, tuple[str, str, str, str]] = {
    "concentrate": ("重点改进区", "Concentrate here", "重要但表现差：优先列入整改台账，明确责任人和时限",
                    "Important but weak: put it first on the corrective-action list with an owner and deadline"),
    "keep_up": ("优势保持区", "Keep up the good work", "重要且表现好：保持现有做法", "Important and strong: keep it up"),
    "low_priority": ("次要改进区", "Low priority", "不太重要且表现一般：资源允许时改进",
                     "Less important and weak: improve when resources allow"),
    "possible_overkill": ("过度投入区", "Possible overkill", "不太重要但表现好：可考虑调配资源",
                          "Less important but strong: resources might be redeployed"),
}
IMPORTANCE_SOURCES: dict[str, tuple[str, str]] = {
    "stated": ("问卷直接询问的重要性", "stated importance asked in the questionnaire"),
    "derived": ("与总体满意度的相关系数", "correlation with overall satisfaction"),
    "none": ("无法确定重要性", "importance unavailable"),
}
CORRELATION_METHODS: dict[str, tuple[str, str]] = {
    "pearson": ("皮尔逊相关", "Pearson correlation"),
    "spearman": ("斯皮尔曼等级相关", "Spearman rank correlation"),
}


def _overall_items(ds: Dataset, overall_item: str | None) -> list[str]:
    if overall_item is not None:
        if overall_item not in set(ds.items["item"]):
            raise ValueError(
                f"总体满意度题目“{overall_item}”不在题目列表中。请从题目中选择。"
                f" The overall item '{overall_item}' is not one of the Likert items; pick one of them."
            )
        return [overall_item]
    return list(ds.items.loc[ds.items["area"] == "overall", "item"])


def ipa(
    ds: Dataset,
    *,
    overall_item: str | None = None,
    basic_satisfied: bool = False,
    method: str = "pearson",
    importance_k: int | None = None,
    baseline: Dataset | None = None,
    k: int = 5,
) -> pd.DataFrame:
    """Importance–performance table with quadrants.

    Parameters
    ----------
    ds : the coded survey.
    overall_item : the overall-satisfaction item; default: the item(s) classified ``overall``
        (several are averaged per respondent over their valid answers).
    basic_satisfied : accepted for symmetry with other views; performance is a mean score, which
        does not depend on the satisfied set.
    method : ``"pearson"`` (default) or ``"spearman"`` correlation for derived importance,
        pairwise complete (pandas ``Series.corr``).
    importance_k : number of points of the stated-importance scale (default: the highest code
        observed, at least 5). Stated importance is put on 0..1 as (mean − 1)/(k − 1).
    baseline : the unfiltered dataset when ``ds`` excludes screened responses: an item the filter
        changed by 1…k−1 respondents gets NA performance, importance and quadrant and stays out of
        the means (``analysis.anonymity.guard_totals``), so the two versions of the page together
        do not give those respondents' answers away.
    k : the anonymity threshold (the viewer's, at least the deployment's).

    Returns
    -------
    DataFrame with ``IPA_COLUMNS``, one row per item other than the overall item(s), in item order.
    ``importance_source`` is ``stated`` or ``derived``; quadrant keys are those of ``QUADRANTS``:
    importance ≥ mean and performance < mean → ``concentrate`` (重点改进区); both ≥ mean →
    ``keep_up``; both < mean → ``low_priority``; importance < mean, performance ≥ mean →
    ``possible_overkill``. Items whose importance cannot be computed get NA importance and quadrant
    and do not enter the means.

    Raises
    ------
    ValueError
        When importance must be derived but the survey has no overall-satisfaction item.
    """
    del basic_satisfied  # performance is a mean score
    if method not in CORRELATION_METHODS:
        raise ValueError(f"未知相关方法 unknown method '{method}'. 可用 valid: {', '.join(CORRELATION_METHODS)}")
    summary = item_summary(ds)
    if baseline is not None:
        from analysis.anonymity import guard_totals

        summary = guard_totals(summary, ds, baseline, level="item", k=k)
    overall = _overall_items(ds, overall_item)
    rows = summary[~summary["item"].isin(overall)].reset_index(drop=True)
    if rows.empty:
        raise ValueError(
            "除总体满意度题外没有其他题目，无法做重要性—表现分析。"
            " No items besides the overall item; IPA needs the individual service items."
        )
    stated_cols = set(ds.importance.columns) if ds.importance is not None else set()
    need_derived = [i for i in rows["item"] if i not in stated_cols]
    if need_derived and not overall:
        raise ValueError(
            "没有总体满意度题目，无法推算重要性。请在问卷编码表中把一道题的服务领域标为“总体 overall”，"
            "或在分析时指定总体满意度题。 No overall-satisfaction item: mark one item's area as 'overall' "
            "in the codebook (or choose the overall item) so importance can be derived."
        )
    importance = np.full(len(rows), np.nan)
    source = np.array(["none"] * len(rows), dtype=object)
    if need_derived:
        ov = ds.answers[overall].astype("float64")
        target = ov.iloc[:, 0] if len(overall) == 1 else ov.mean(axis=1, skipna=True)
    if stated_cols:
        imp = ds.importance
        k_imp = importance_k or max(5, int(np.nanmax(imp.astype("float64").to_numpy(), initial=0)))
        if k_imp < 2:
            raise ValueError("重要性量表至少需要 2 级。 The importance scale needs at least 2 points.")
    for i, item in enumerate(rows["item"]):
        if item in stated_cols:
            mean = float(ds.importance[item].astype("float64").mean())
            importance[i] = (mean - 1) / (k_imp - 1) if np.isfinite(mean) else np.nan
            source[i] = "stated"
        else:
            x = ds.answers[item].astype("float64")
            ok = x.notna() & target.notna()
            r = x[ok].corr(target[ok], method=method) if ok.sum() >= 3 else np.nan
            importance[i] = r
            source[i] = "derived"
    perf = rows["index100"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    importance[~np.isfinite(perf)] = np.nan  # a guarded item: its importance moved with it
    usable = np.isfinite(importance) & np.isfinite(perf)
    quadrant = np.array([pd.NA] * len(rows), dtype=object)
    if usable.any():
        imp_mean, perf_mean = importance[usable].mean(), perf[usable].mean()
        hi_imp = importance >= imp_mean
        hi_perf = perf >= perf_mean
        quad = np.where(
            hi_imp, np.where(hi_perf, "keep_up", "concentrate"), np.where(hi_perf, "possible_overkill", "low_priority")
        )
        quadrant[usable] = quad[usable]
    return pd.DataFrame(
        {
            "item": rows["item"],
            "label": rows["label"],
            "area": rows["area"],
            "performance": perf,
            "importance": importance,
            "importance_source": source,
            "quadrant": pd.array(quadrant, dtype="string"),
        }
    )[IPA_COLUMNS]
