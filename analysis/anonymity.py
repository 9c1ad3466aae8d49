"""Anonymity protection for breakdown tables: small-cell and complementary suppression.

A breakdown (respondent group × item/area) must not reveal the answers of fewer than k people
(DESIGN.md, "Anonymity", default k = 5). Hiding the small cells alone is not enough when row or
column totals are shown elsewhere: a single hidden cell in a row equals the row total minus the
visible cells. Complementary (secondary) suppression therefore hides one more cell in every row or
column that has exactly one hidden cell — the smallest visible one — and repeats until no row or
column has a lone hidden cell (the standard rule of statistical disclosure control, e.g.
Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, §5.2 "secondary suppression").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["SUPPRESS_REASONS", "DEFAULT_K", "suppress"]

DEFAULT_K = 5
SUPPRESS_REASONS: dict[str, tuple[str, str]] = {
    "small_cell": ("人数少于阈值，已隐藏", "fewer respondents than the threshold; hidden"),
    "complementary": ("为防止由合计反推而一并隐藏", "hidden so a small cell cannot be recovered from totals"),
}


def suppress(
    table: pd.DataFrame,
    *,
    count_col: str,
    value_cols: list[str],
    k: int = DEFAULT_K,
    group_col: str,
    key_col: str,
) -> pd.DataFrame:
    """Hide cells describing fewer than ``k`` respondents, plus the cells needed to protect them.

    Parameters
    ----------
    table : long table, one row per (group, key) cell; not modified.
    count_col : respondents in the cell; cells with ``count < k`` are suppressed (primary).
    value_cols : columns blanked (set to NA) in suppressed cells. Include ``count_col`` to hide it too.
    k : threshold (≥ 1).
    group_col, key_col : the two dimensions. Rows of the cross table are groups, columns are keys.

    Returns
    -------
    A copy of ``table`` with ``suppressed`` (bool) and ``suppress_reason`` (``"small_cell"``,
    ``"complementary"`` or NA) appended and ``value_cols`` blanked where suppressed (integer
    columns become nullable ``Int64``).

    Notes
    -----
    Complementary rule: while some group (or key) has exactly one suppressed cell among at least
    two cells, also suppress its smallest unsuppressed cell (ties: first in table order). This
    terminates because each pass suppresses at least one more cell.
    """
    needed = [count_col, group_col, key_col, *value_cols]
    absent = [c for c in dict.fromkeys(needed) if c not in table.columns]
    if absent:
        raise ValueError(
            f"表中缺少列 {absent}，无法进行匿名化处理。 The table lacks column(s) {absent} needed for suppression."
        )
    if int(k) < 1:
        raise ValueError(f"匿名阈值 k 必须 ≥ 1，当前为 {k}。 The anonymity threshold k must be at least 1, got {k}.")
    out = table.copy()
    counts = pd.to_numeric(out[count_col], errors="coerce").astype("Float64").fillna(0).to_numpy(dtype=float)
    primary = counts < k
    hidden = primary.copy()
    groups = pd.factorize(out[group_col])[0]
    keys = pd.factorize(out[key_col])[0]
    order = np.arange(len(out))

    def lone_fix(dim: np.ndarray) -> bool:
        changed = False
        for d in np.unique(dim):
            cells = order[dim == d]
            if len(cells) < 2:
                continue
            n_hidden = hidden[cells].sum()
            if n_hidden == 1:
                visible = cells[~hidden[cells]]
                pick = visible[np.argmin(counts[visible])]  # argmin returns the first of ties
                hidden[pick] = True
                changed = True
        return changed

    while True:
        changed_rows = lone_fix(groups)
        changed_cols = lone_fix(keys)
        if not (changed_rows or changed_cols):
            break

    out["suppressed"] = hidden
    reason = np.where(primary, "small_cell", np.where(hidden, "complementary", None))
    out["suppress_reason"] = pd.array(reason, dtype="string")
    for col in value_cols:
        series = out[col]
        if pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
            series = series.astype("Int64" if pd.api.types.is_integer_dtype(series.dtype) else "boolean")
        elif not pd.api.types.is_float_dtype(series.dtype):
            series = series.astype(object)
        out[col] = series.mask(hidden)
    return out
