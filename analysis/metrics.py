"""Satisfaction metrics: rates, Wilson intervals, mean scores, label counts and group breakdowns.

Definitions (DESIGN.md, "Metric definitions"):

* valid answer — a code 1..k of the item's scale (``Dataset.answers``); ``<NA>`` (skipped, empty,
  not applicable, unknown) is never valid;
* 满意率 satisfaction rate = satisfied ÷ valid, the satisfied set being
  ``Scale.satisfied_codes(basic_satisfied)``; an area's rate is pooled over its items
  (Σ satisfied ÷ Σ valid);
* mean score on 1..k and the 100-point index ``(mean − 1) / (k − 1) × 100``; for an area whose items
  use scales of different length the index is the average of the per-answer index;
* confidence interval — Wilson score interval.

Everything is computed from per-item code counts (``numpy.bincount``), so a million respondents ×
30 items summarise in well under a second.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.model import Dataset
from analysis.scales import NA_LABELS, Scale

__all__ = [
    "ITEM_SUMMARY_COLUMNS",
    "AREA_SUMMARY_COLUMNS",
    "LABEL_COUNT_COLUMNS",
    "GROUP_SUMMARY_COLUMNS",
    "LEVELS",
    "wilson_interval",
    "item_summary",
    "area_summary",
    "label_counts",
    "definition",
    "group_summary",
    "response_rates",
]

ITEM_SUMMARY_COLUMNS = [
    "item", "label", "area", "scale", "n_valid", "n_satisfied", "satisfaction_rate", "ci_low", "ci_high",
    "mean", "index100", "n_not_applicable", "n_missing",
]
AREA_SUMMARY_COLUMNS = [
    "area", "n_items", "n_valid", "n_satisfied", "satisfaction_rate", "ci_low", "ci_high", "mean", "index100",
    "n_people",  # people with at least one valid answer in the area (n_valid counts answers, 答题人次)
]
LABEL_COUNT_COLUMNS = ["item", "code", "label", "count", "share"]
GROUP_SUMMARY_COLUMNS = [
    "group", "key", "n_valid", "n_satisfied", "satisfaction_rate", "ci_low", "ci_high", "suppressed",
    "suppress_reason", "n_respondents",
]

# Breakdown levels understood by group_summary / compare_waves / trend_summary (read by widgets).
LEVELS: dict[str, tuple[str, str]] = {"area": ("服务领域", "Service area"), "item": ("题目", "Item")}


# --------------------------------------------------------------------------------------------------
# helpers shared by compare / drivers / reliability


def _check_confidence(confidence: float) -> float:
    if not (0.0 < float(confidence) < 1.0):
        raise ValueError(
            f"置信水平必须在 0 和 1 之间（例如 0.95），当前为 {confidence}。"
            f" The confidence level must be between 0 and 1 (e.g. 0.95), got {confidence}."
        )
    return float(confidence)


def _item_scales(ds: Dataset) -> list[Scale]:
    """The Scale of every item in ``ds.items`` order; ValueError names items whose scale is unknown."""
    missing_cols = [c for c in ("item", "scale") if c not in ds.items.columns]
    if missing_cols:
        raise ValueError(
            f"题目表缺少列 {missing_cols}，请重新应用问卷编码表。"
            f" The item table lacks columns {missing_cols}; re-apply the codebook."
        )
    out, bad = [], []
    for item, key in zip(ds.items["item"], ds.items["scale"], strict=True):
        scale = ds.scales.get(key) if isinstance(key, str) else None
        if scale is None:
            bad.append(f"{item}（{key}）")
        out.append(scale)
    if bad:
        raise ValueError(
            f"以下题目的量表未定义：{', '.join(map(str, bad))}。请在问卷编码表中为这些题目选择量表。"
            f" No scale is defined for item(s) {', '.join(map(str, bad))}; choose a scale for them in the codebook."
        )
    absent = [i for i in ds.items["item"] if i not in ds.answers.columns]
    if absent:
        raise ValueError(
            f"答案表中缺少题目列：{', '.join(map(str, absent))}。请重新导入数据。"
            f" The answers lack the item column(s) {', '.join(map(str, absent))}; re-import the data."
        )
    return out


def _codes(answers: pd.DataFrame, item: str) -> np.ndarray:
    """Answer codes of one item as int8, 0 for NA."""
    col = answers[item]
    if col.dtype == np.int8:
        return col.to_numpy()
    return col.to_numpy(dtype=np.int8, na_value=0)


def _counts(codes: np.ndarray, k: int, item: object) -> np.ndarray:
    """``counts[c]`` = number of answers with code c (c = 0 is NA), length k + 1."""
    if codes.size and codes.min() < 0:
        raise ValueError(
            f"题目 {item} 含有负的答案代码；代码应为 1（最差）…{k}（最好）。"
            f" Item {item} has negative answer codes; codes must be 1 (worst) … {k} (best)."
        )
    counts = np.bincount(codes, minlength=k + 1)
    if len(counts) > k + 1:
        raise ValueError(
            f"题目 {item} 的答案代码超出量表范围 1…{k}（最大为 {len(counts) - 1}）。请检查编码表中的量表。"
            f" Item {item} has codes above its scale's k = {k} (max {len(counts) - 1}); check its scale in the codebook."
        )
    return counts


def _item_stats(ds: Dataset, basic_satisfied: bool) -> pd.DataFrame:
    """Per item: item, label, area, scale, k, n_valid, n_satisfied, sum_codes (of valid answers)."""
    scales = _item_scales(ds)
    rows = []
    for (item, label, area, key), scale in zip(
        ds.items[["item", "label", "area", "scale"]].itertuples(index=False, name=None), scales, strict=True
    ):
        counts = _counts(_codes(ds.answers, item), scale.k, item)
        sat = sorted(scale.satisfied_codes(basic_satisfied))
        valid = counts[1:]
        rows.append(
            (item, label, area, key, scale.k, int(valid.sum()), int(counts[sat].sum()),
             int((np.arange(1, scale.k + 1) * valid).sum()))
        )
    return pd.DataFrame(
        rows, columns=["item", "label", "area", "scale", "k", "n_valid", "n_satisfied", "sum_codes"]
    ).astype({"k": "int64", "n_valid": "int64", "n_satisfied": "int64", "sum_codes": "int64"})


def _rate_columns(n_satisfied: np.ndarray, n_valid: np.ndarray, confidence: float) -> dict[str, np.ndarray]:
    n_valid = np.asarray(n_valid, dtype=float)
    n_satisfied = np.asarray(n_satisfied, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(n_valid > 0, n_satisfied / np.where(n_valid > 0, n_valid, 1), np.nan)
    low, high = wilson_interval(n_satisfied, n_valid, confidence)
    return {"satisfaction_rate": rate, "ci_low": low, "ci_high": high}


# --------------------------------------------------------------------------------------------------
# public API


def wilson_interval(k, n, confidence: float = 0.95) -> tuple:
    """Wilson score interval for a binomial proportion k / n (vectorised).

    ``centre = (p + z²/2n) / (1 + z²/n)``, ``half = z √(p(1−p)/n + z²/4n²) / (1 + z²/n)`` with
    ``z = Φ⁻¹(1 − (1 − confidence)/2)`` (Wilson 1927; Newcombe 1998, method 3). Checked against
    ``statsmodels.stats.proportion.proportion_confint(method="wilson")``.

    Parameters
    ----------
    k, n : successes and trials, scalars or array-likes of the same shape. ``n = 0`` gives NaN.
    confidence : two-sided coverage, default 0.95.

    Returns
    -------
    (low, high) : floats for scalar input, else float arrays.
    """
    confidence = _check_confidence(confidence)
    scalar = np.ndim(k) == 0 and np.ndim(n) == 0
    k_arr = np.asarray(k, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    if np.any(n_arr < 0) or np.any(k_arr < 0) or np.any(k_arr > n_arr):
        raise ValueError(
            "比例区间需要 0 ≤ 满意数 ≤ 有效数。 The Wilson interval needs 0 ≤ k ≤ n."
        )
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k_arr / n_arr
        denom = 1 + z**2 / n_arr
        centre = (p + z**2 / (2 * n_arr)) / denom
        half = z * np.sqrt(p * (1 - p) / n_arr + z**2 / (4 * n_arr**2)) / denom
        low = np.where(n_arr > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
        high = np.where(n_arr > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    if scalar:
        return float(low), float(high)
    return low, high


def item_summary(ds: Dataset, *, basic_satisfied: bool = False, confidence: float = 0.95) -> pd.DataFrame:
    """Satisfaction rate, Wilson interval, mean and 100-point index per item.

    Parameters
    ----------
    ds : the coded survey.
    basic_satisfied : count 基本满意 as satisfied (好差评 convention) on scales that have it.
    confidence : coverage of the Wilson interval.

    Returns
    -------
    DataFrame with ``ITEM_SUMMARY_COLUMNS``, one row per item in ``ds.items`` order.
    ``n_not_applicable`` and ``n_missing`` are the counts recorded at import for the item
    (``ds.items``; ``<NA>`` when the item table has no such column).

    Notes
    -----
    rate = satisfied ÷ valid; mean = Σ code ÷ valid on 1..k; index100 = (mean − 1)/(k − 1) × 100.
    Checked against hand counts and statsmodels' Wilson interval in tests/test_metrics.py.
    """
    confidence = _check_confidence(confidence)
    st = _item_stats(ds, basic_satisfied)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(st["n_valid"] > 0, st["sum_codes"] / st["n_valid"].where(st["n_valid"] > 0, 1), np.nan)
    out = st[["item", "label", "area", "scale", "n_valid", "n_satisfied"]].copy()
    for name, values in _rate_columns(st["n_satisfied"], st["n_valid"], confidence).items():
        out[name] = values
    out["mean"] = mean
    out["index100"] = (mean - 1) / (st["k"].to_numpy() - 1) * 100
    for col in ("n_not_applicable", "n_missing"):
        if col in ds.items.columns:
            out[col] = pd.array(ds.items[col].to_numpy(), dtype="Int64")
        else:
            out[col] = pd.array([pd.NA] * len(out), dtype="Int64")
    return out[ITEM_SUMMARY_COLUMNS].reset_index(drop=True)


def area_summary(ds: Dataset, *, basic_satisfied: bool = False, confidence: float = 0.95) -> pd.DataFrame:
    """Satisfaction per service area, pooled over the area's items.

    Parameters
    ----------
    ds : the coded survey.
    basic_satisfied : count 基本满意 as satisfied where the scale has it.
    confidence : coverage of the Wilson interval.

    Returns
    -------
    DataFrame with ``AREA_SUMMARY_COLUMNS``, areas in order of first appearance in ``ds.items``.
    An ``overall`` row appears only when items are classified ``overall``.

    Notes
    -----
    rate = Σ satisfied ÷ Σ valid over the area's items (pooled, so an item answered by more
    people weighs more); index100 = mean over all valid answers of (code − 1)/(k − 1) × 100, which
    equals (mean − 1)/(k − 1) × 100 when every item of the area has the same k; ``mean`` (1..k)
    is NaN for an area mixing scales of different length, where a raw mean has no meaning.
    ``n_valid`` counts answers (people × items, 答题人次); ``n_people`` the people who gave at least
    one valid answer in the area (DESIGN.md "Counting people vs answers").
    """
    confidence = _check_confidence(confidence)
    st = _item_stats(ds, basic_satisfied)
    st["index_sum"] = (st["sum_codes"] - st["n_valid"]) / (st["k"] - 1) * 100
    g = st.groupby("area", sort=False, dropna=False)
    agg = g.agg(
        n_items=("item", "size"), n_valid=("n_valid", "sum"), n_satisfied=("n_satisfied", "sum"),
        sum_codes=("sum_codes", "sum"), index_sum=("index_sum", "sum"), k_min=("k", "min"), k_max=("k", "max"),
    ).reset_index()
    out = agg[["area", "n_items", "n_valid", "n_satisfied"]].copy()
    for name, values in _rate_columns(agg["n_satisfied"], agg["n_valid"], confidence).items():
        out[name] = values
    nv = agg["n_valid"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where((nv > 0) & (agg["k_min"] == agg["k_max"]), agg["sum_codes"] / nv, np.nan)
        index = np.where(nv > 0, agg["index_sum"] / nv, np.nan)
    out["mean"] = mean
    out["index100"] = index
    items_of = st.groupby("area", sort=False, dropna=False)["item"].agg(list)
    out["n_people"] = [int(ds.answers[items_of[a]].notna().any(axis=1).sum()) for a in agg["area"]]
    return out[AREA_SUMMARY_COLUMNS].astype({"n_items": "int64", "n_valid": "int64", "n_satisfied": "int64",
                                             "n_people": "int64"})


def label_counts(ds: Dataset) -> pd.DataFrame:
    """Answer distribution per item: one row per scale label, best first.

    Returns
    -------
    DataFrame ``item, code, label, count, share`` (code 1 = worst; share = count ÷ valid answers,
    NaN when the item has no valid answer). Items in ``ds.items`` order, codes k … 1.
    """
    scales = _item_scales(ds)
    items, codes_out, labels, counts_out, shares = [], [], [], [], []
    for item, scale in zip(ds.items["item"], scales, strict=True):  # one table at the end: linear in items
        counts = _counts(_codes(ds.answers, item), scale.k, item)[1:]
        total = counts.sum()
        codes = np.arange(scale.k, 0, -1)
        items += [item] * len(codes)
        codes_out.append(codes)
        labels += [scale.label_of(c) for c in codes]
        counts_out.append(counts[codes - 1])
        shares.append(counts[codes - 1] / total if total else np.full(len(codes), np.nan))
    if not items:
        return pd.DataFrame({c: [] for c in LABEL_COUNT_COLUMNS})
    out = pd.DataFrame(
        {"item": pd.Series(items, dtype=object), "code": np.concatenate(codes_out), "label": labels,
         "count": np.concatenate(counts_out), "share": np.concatenate(shares)}
    )
    return out.astype({"code": "int64", "count": "int64", "share": "float64"})[LABEL_COUNT_COLUMNS]


def definition(ds: Dataset, *, basic_satisfied: bool = False) -> dict:
    """What counts as satisfied, not satisfied and excluded, per scale used by ``ds`` (shown next to figures).

    Returns
    -------
    dict scale key → ``{"satisfied": [...], "not_satisfied": [...], "excluded": [...],
    "title_zh": str, "title_en": str, "basic_satisfied": bool}`` (labels best → worst; ``excluded``
    lists the skipped/empty markers and not-applicable labels that are never valid answers).
    """
    scales = _item_scales(ds)
    # display forms of the never-valid markers (analysis.scales.MISSING_MARKERS / NA_LABELS)
    excluded = ["(跳过)", "(空)", "-2", "-3"] + sorted(NA_LABELS)
    out: dict[str, dict] = {}
    for key, scale in zip(ds.items["scale"], scales, strict=True):
        if key in out:
            continue
        sat = scale.satisfied_codes(basic_satisfied)
        out[key] = {
            "satisfied": [scale.label_of(c) for c in range(scale.k, 0, -1) if c in sat],
            "not_satisfied": [scale.label_of(c) for c in range(scale.k, 0, -1) if c not in sat],
            "excluded": excluded,
            "title_zh": scale.title_zh,
            "title_en": scale.title_en,
            "basic_satisfied": bool(basic_satisfied and scale.basic_label is not None),
        }
    return out


def _group_codes(ds: Dataset, by: str, levels: list | None = None) -> tuple[np.ndarray, list]:
    """Each respondent's group index in ``by`` (−1: no value) and the groups, sorted; ``levels``: use
    these groups instead (a filtered wave keeps the unfiltered wave's groups, even emptied ones)."""
    if by not in ds.respondents.columns:
        options = ["group", *[a for a in ds.attributes if a in ds.respondents.columns]]
        raise ValueError(
            f"没有名为“{by}”的分组列；可用：{', '.join(options)}。"
            f" There is no breakdown column '{by}'; available: {', '.join(options)}."
        )
    if len(ds.respondents) != len(ds.answers):
        raise ValueError(
            "答卷人表与答案表行数不一致，请重新导入数据。"
            " Respondents and answers have different row counts; re-import the data."
        )
    if levels is not None:
        return pd.Index(levels).get_indexer(ds.respondents[by]), list(levels)
    codes, uniques = pd.factorize(ds.respondents[by], sort=True, use_na_sentinel=True)
    return codes, list(uniques)


def _breakdown_counts(ds: Dataset, by: str, level: str, basic_satisfied: bool,
                      levels: list | None = None) -> tuple[pd.DataFrame, dict]:
    """Per group × key: answers, satisfied answers and respondents; and respondents outside every group.

    Returns ``(table, outside)``: the long table (``group, key, n_valid, n_satisfied,
    n_respondents``, groups sorted, keys in item order) and ``{key: respondents with no value in
    ``by`` who answered the key}``.
    """
    gcodes, groups = _group_codes(ds, by, levels)
    scales = _item_scales(ds)
    n_groups = len(groups)
    g_all = np.where(gcodes >= 0, gcodes, n_groups).astype(np.int64)  # the last row: outside every group
    n_rows = n_groups + 1
    keys: list = []
    key_of_item: list = []
    for item, area in zip(ds.items["item"], ds.items["area"], strict=True):
        key = item if level == "item" else area
        if key not in keys:
            keys.append(key)
        key_of_item.append(keys.index(key))
    n_keys = len(keys)
    valid = np.zeros((n_rows, n_keys), dtype=np.int64)
    satisfied = np.zeros((n_rows, n_keys), dtype=np.int64)
    n_resp = np.zeros((n_rows, n_keys), dtype=np.int64)
    items_per_key = np.bincount(np.asarray(key_of_item, dtype=np.int64), minlength=n_keys)
    answered: dict[int, np.ndarray] = {}  # only for keys pooling several items (area level)
    for item, scale, kidx in zip(ds.items["item"], scales, key_of_item, strict=True):
        codes = _codes(ds.answers, item)
        _counts(codes, scale.k, item)  # range check
        # one bincount gives the groups × codes table of this item
        table = np.bincount(g_all * (scale.k + 1) + codes, minlength=n_rows * (scale.k + 1))
        table = table.reshape(n_rows, scale.k + 1)
        valid[:, kidx] += table[:, 1:].sum(axis=1)
        satisfied[:, kidx] += table[:, sorted(scale.satisfied_codes(basic_satisfied))].sum(axis=1)
        if items_per_key[kidx] == 1:
            n_resp[:, kidx] = table[:, 1:].sum(axis=1)
        else:
            answered[kidx] = answered[kidx] | (codes > 0) if kidx in answered else codes > 0
    for kidx, mask in answered.items():
        n_resp[:, kidx] = np.bincount(g_all[mask], minlength=n_rows)
    table = pd.DataFrame(
        {
            "group": np.repeat(np.array(groups, dtype=object), n_keys),
            "key": np.tile(np.array(keys, dtype=object), n_groups),
            "n_valid": valid[:n_groups].ravel(),
            "n_satisfied": satisfied[:n_groups].ravel(),
            "n_respondents": n_resp[:n_groups].ravel(),
        }
    )
    return table, dict(zip(keys, n_resp[n_groups].tolist(), strict=True))


def breakdown_order(ds: Dataset, by: str) -> list[str]:
    """The breakdowns of a wave up to ``by``, in the fixed order they are protected in.

    身份 (``group``) first, then the attributes in file order (``ds.attributes``); ``by`` last when it
    is none of them. A breakdown is protected jointly with every one before it as published
    (docs/METRICS.md, "Several attributes"), so its cells never depend on which pages a viewer opened.
    """
    cols = set(ds.respondents.columns)
    order = ["group"] if "group" in cols else []
    order += [a for a in ds.attributes if a in cols and a not in order]
    if by not in order:
        order.append(by)
    return order[: order.index(by) + 1]


def _published(ds, by, basic_satisfied, k, base_k=None, baseline=None) -> dict:
    """The breakdowns up to ``by`` as a viewer with threshold ``k`` sees them: ``{name: (items, areas)}``.

    base_k : the deployment's threshold when ``k`` is a viewer's higher one: cells hidden at
        ``base_k`` stay hidden.
    baseline : the unfiltered dataset when ``ds`` is filtered: the same view without the filter is
        published too, so its hidden cells stay hidden (see :func:`_protected_breakdown`).
    """
    forced = None
    if base_k is not None and int(base_k) < int(k):
        low = _published(ds, by, basic_satisfied, int(base_k), None, baseline)
        forced = {name: (i["suppressed"].to_numpy(bool), a["suppressed"].to_numpy(bool)) for name, (i, a) in low.items()}
    unfiltered = _published(baseline, by, basic_satisfied, k, base_k) if baseline is not None else None
    return _protected_breakdowns(ds, by, basic_satisfied, int(k), baseline, forced, unfiltered)


def _protected_breakdowns(ds, by, basic_satisfied, k, baseline, forced=None, unfiltered=None) -> dict:
    """Every breakdown up to ``by`` (:func:`breakdown_order`) protected, each jointly with the ones
    before it: ``{name: (items, areas)}`` with ``suppressed`` and ``suppress_reason``.

    forced : ``{name: (item mask, area mask)}`` cells to hide as small ones (hidden at the
        deployment's threshold when the viewer raised k).
    unfiltered : the same breakdowns of ``baseline`` as published (when ``ds`` is filtered).
    """
    out: dict = {}
    for name in breakdown_order(ds, by):
        fi, fa = (forced or {}).get(name, (None, None))
        out[name] = _protected_breakdown(ds, name, basic_satisfied, k, baseline, fi, fa, earlier=out,
                                         unfiltered=(unfiltered or {}).get(name))
    return out


def _protected_breakdown(ds, by, basic_satisfied, k, baseline, force_items=None, force_areas=None, earlier=None,
                         unfiltered=None):
    """One breakdown's item and area tables protected (``suppressed``, ``suppress_reason``).

    With a filter (``baseline``, ``unfiltered``: the unfiltered tables as published), a cell the
    filter changed by 1…k−1 respondents is hidden as small (``filter_difference``), and every cell
    hidden without the filter stays hidden with it: a complementary cell shown in the filtered view
    with the count it had would give back the small cell it protects (unfiltered "item total minus
    the shown cells", and the filtered cell is known unchanged because a change of 1…k−1 would
    have hidden it).
    """
    # a filtered wave keeps every group of the unfiltered one: a group the filter emptied is a
    # hidden cell, not a row that vanishes (which would tell that all of it was screened out)
    levels = None if baseline is None else _group_codes(baseline, by)[1]
    items, out_i = _breakdown_counts(ds, by, "item", basic_satisfied, levels)
    areas, out_a = _breakdown_counts(ds, by, "area", basic_satisfied, levels)
    filt_i = np.zeros(len(items), dtype=bool) if force_items is None else np.asarray(force_items, dtype=bool)
    filt_a = np.zeros(len(areas), dtype=bool) if force_areas is None else np.asarray(force_areas, dtype=bool)
    extra_i = np.zeros(len(items), dtype=bool)
    extra_a = np.zeros(len(areas), dtype=bool)
    if baseline is not None:
        from analysis.anonymity import filter_difference

        for table, level, name in ((items, "item", "i"), (areas, "area", "a")):
            base, _ = _breakdown_counts(baseline, by, level, basic_satisfied)
            merged = table[["group", "key"]].merge(base, on=["group", "key"], how="left")
            diff = filter_difference(merged["n_respondents"].fillna(0), table["n_respondents"], k)
            kept = np.zeros(len(table), dtype=bool)
            if unfiltered is not None:
                shown_u = unfiltered[0 if name == "i" else 1][["group", "key", "suppressed"]]
                kept = table[["group", "key"]].merge(shown_u, on=["group", "key"], how="left")["suppressed"]
                kept = kept.fillna(False).to_numpy(bool)
            if name == "i":
                filt_i, extra_i = filt_i | diff, extra_i | kept
            else:
                filt_a, extra_a = filt_a | diff, extra_a | kept
    from analysis.anonymity import suppress_breakdown

    area_of = dict(zip(ds.items["item"], ds.items["area"], strict=True))
    result = suppress_breakdown(
        items, areas, area_of, k=k, outside_items=out_i, outside_areas=out_a, force_items=filt_i, force_areas=filt_a,
        hide_items=extra_i, hide_areas=extra_a,
    )
    link_i = np.zeros(len(items), dtype=bool)
    link_a = np.zeros(len(areas), dtype=bool)
    for prev, tables in (earlier or {}).items():
        # the earlier breakdowns are published too: protect this one jointly with each (issue 10)
        more_i, more_a = _joint_with(ds, prev, tables, by, basic_satisfied, k, result, out_i, out_a)
        link_i |= more_i
        link_a |= more_a
    if link_i.any() or link_a.any():  # keep the audited pattern and add to it (hiding more only widens)
        result = suppress_breakdown(
            items, areas, area_of, k=k, outside_items=out_i, outside_areas=out_a, force_items=filt_i,
            force_areas=filt_a, hide_items=link_i | result[0]["suppressed"].to_numpy(bool),
            hide_areas=link_a | result[1]["suppressed"].to_numpy(bool),
        )
    return result


_JOINT = "\x1fjoint"


def _joint_with(ds, prev, prev_tables, by, basic_satisfied, k, result, out_i, out_a):
    """Cells of the breakdown by ``by`` to hide so that it and the earlier breakdown ``prev``, as
    published (``prev_tables``), together reveal no small cell (:func:`analysis.anonymity.link_breakdowns`)."""
    import dataclasses

    from analysis.anonymity import link_breakdowns

    def text(col):
        values = ds.respondents[col].astype(object)
        return values.where(values.notna(), "").astype(str)

    joint = dataclasses.replace(ds, respondents=ds.respondents.assign(**{_JOINT: text(prev) + "\x1f" + text(by)}))
    extra = []
    for level, own, other, out in (("item", result[0], prev_tables[0], out_i), ("area", result[1], prev_tables[1], out_a)):
        cells, _ = _breakdown_counts(joint, _JOINT, level, basic_satisfied)
        _, prev_out = _breakdown_counts(ds, prev, level, basic_satisfied)
        extra.append(link_breakdowns(other, own, cells, out, prev_out, k=k))
    return extra[0], extra[1]


def group_summary(
    ds: Dataset,
    by: str,
    *,
    level: str = "item",
    basic_satisfied: bool = False,
    min_n: int = 5,
    confidence: float = 0.95,
    baseline: Dataset | None = None,
    base_k: int | None = None,
) -> pd.DataFrame:
    """Satisfaction per respondent group × item (or area), with anonymity suppression.

    Parameters
    ----------
    ds : the coded survey.
    by : ``"group"`` or an attribute column of ``ds.respondents`` (campus, college …).
        Respondents with no value in ``by`` are left out (and protected as an unpublished cell).
        A breakdown is protected jointly with every breakdown before it in :func:`breakdown_order`
        (身份, then the attributes in file order; all are published;
        ``analysis.anonymity.link_breakdowns``).
    level : ``"item"`` (key = item column name) or ``"area"`` (key = area key, pooled over its items).
    basic_satisfied : count 基本满意 as satisfied where the scale has it.
    min_n : anonymity threshold k: a cell describing fewer than ``min_n`` respondents is hidden,
        with complementary suppression over the item and area breakdowns together
        (:func:`analysis.anonymity.suppress_breakdown`).
    confidence : coverage of the Wilson interval.
    baseline : the unfiltered dataset when ``ds`` is filtered (screened responses excluded): a cell
        the filter changed by 1…k−1 respondents is hidden (``filter_difference``).
    base_k : the deployment's threshold when ``min_n`` is a viewer's higher one: cells hidden at
        ``base_k`` stay hidden, so no two thresholds together reveal more than ``base_k`` alone.

    Returns
    -------
    DataFrame with ``GROUP_SUMMARY_COLUMNS``: the contract's
    ``group, key, n_valid, n_satisfied, satisfaction_rate, ci_low, ci_high, suppressed`` followed by
    ``suppress_reason`` (``small_cell`` | ``complementary`` | ``filter_difference`` | NA) and
    ``n_respondents`` (respondents with at least one valid answer in the cell — the count the
    threshold applies to). Suppressed cells have every figure blanked (NA). Rows ordered by group,
    then key.
    """
    if level not in LEVELS:
        raise ValueError(f"未知层级 unknown level '{level}'. 可用 valid: {', '.join(LEVELS)}")
    confidence = _check_confidence(confidence)
    items, areas = _published(ds, by, basic_satisfied, int(min_n), base_k, baseline)[by]
    table = items if level == "item" else areas
    for name, values in _rate_columns(table["n_satisfied"], table["n_valid"], confidence).items():
        table[name] = values
    for col in ("n_valid", "n_satisfied", "n_respondents"):
        table[col] = table[col].astype("Int64")
    hidden = table["suppressed"].to_numpy(bool)
    for col in ["n_valid", "n_satisfied", "satisfaction_rate", "ci_low", "ci_high", "n_respondents"]:
        table[col] = table[col].mask(hidden)
    return table[GROUP_SUMMARY_COLUMNS].reset_index(drop=True)


def response_rates(distributed, returned, valid) -> dict:
    """回收率 = returned ÷ distributed, 有效率 = valid ÷ returned, 有效回收率 = valid ÷ distributed (DESIGN.md).

    ``valid`` is 有效问卷: the questionnaires in the figures under the screening policy in force.

    A count that is unknown (None, NaN, ``pd.NA``) or zero gives ``None`` for the rate that needs
    it. Inconsistent counts (more valid questionnaires than returned or distributed) give ``None``
    for that rate and a message in ``warnings`` for the page to show.

    Returns
    -------
    ``{"response_rate", "validity_rate", "effective_rate": float | None, "warnings": list[str]}``
    """

    def count(name, v):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return None
        if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating) or v < 0:
            raise ValueError(
                f"{name} 必须是非负整数，当前为 {v!r}。 '{name}' must be a non-negative count, got {v!r}."
            )
        return float(v)

    d, r, v = count("distributed", distributed), count("returned", returned), count("valid", valid)
    warnings: list[str] = []

    def ratio(a, b, what_zh, what_en):
        if a is None or b is None or b == 0:
            return None
        if a > b:
            warnings.append(
                f"有效问卷数 {a:g} 大于{what_zh} {b:g}，请在数据管理中核对批次信息。"
                f" Valid questionnaires ({a:g}) exceed {what_en} ({b:g}); check the wave details."
            )
            return None
        return a / b

    returned_ok = r is not None and d is not None and d > 0 and r <= d
    if r is not None and d is not None and d > 0 and r > d:
        warnings.append(f"回收数 {r:g} 大于发放数 {d:g}，请在数据管理中核对批次信息。"
                        f" Returned ({r:g}) exceeds distributed ({d:g}); check the wave details.")
    return {
        "response_rate": r / d if returned_ok else None,
        "validity_rate": ratio(v, r, "回收数", "returned"),
        "effective_rate": ratio(v, d, "发放数", "distributed"),
        "warnings": warnings,
    }
