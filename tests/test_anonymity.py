"""Tests for analysis.anonymity. Expected suppression patterns are worked out by hand in comments;
the invariant (no row or column with a lone hidden cell) is checked on random tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.anonymity import suppress


def long_table(grid: dict[str, dict[str, int]]) -> pd.DataFrame:
    rows = [(g, k, n, n * 0.5) for g, cells in grid.items() for k, n in cells.items()]
    return pd.DataFrame(rows, columns=["group", "key", "n", "rate"])


def run(table, k=5):
    return suppress(table, count_col="n", value_cols=["n", "rate"], k=k, group_col="group", key_col="key")


def hidden(out) -> set[tuple[str, str]]:
    return set(map(tuple, out.loc[out["suppressed"], ["group", "key"]].to_numpy()))


def test_planted_small_group_gets_complementary_cells():
    #           x    y    z
    # 学生      40   30   50
    # 教师      20   25   12
    # 家长       3   18    9      ← 家长·x = 3 < 5 : primary
    # row 家长 has one hidden cell → also hide its smallest other cell, 家长·z (9)
    # column x has one hidden cell → also hide its smallest other cell, 教师·x (20)
    # column z now has one hidden cell (家长·z) → hide 教师·z (12)
    # row 教师 now has two (x, z) and column x two, column z two → stable
    t = long_table(
        {"学生": {"x": 40, "y": 30, "z": 50}, "教师": {"x": 20, "y": 25, "z": 12}, "家长": {"x": 3, "y": 18, "z": 9}}
    )
    out = run(t)
    assert hidden(out) == {("家长", "x"), ("家长", "z"), ("教师", "x"), ("教师", "z")}
    reasons = out.set_index(["group", "key"])["suppress_reason"]
    assert reasons[("家长", "x")] == "small_cell"
    assert reasons[("教师", "z")] == "complementary"
    assert pd.isna(reasons[("学生", "y")])
    assert out.loc[out["suppressed"], ["n", "rate"]].isna().all().all()
    assert out.loc[~out["suppressed"], "n"].notna().all()
    # the input is untouched
    assert "suppressed" not in t.columns and t["n"].notna().all()


def test_nothing_small_nothing_hidden_and_k_threshold():
    t = long_table({"A": {"x": 5, "y": 6}, "B": {"x": 7, "y": 8}})
    assert not run(t)["suppressed"].any()
    # with k = 6 A·x (5) is small; row A and column x then have lone cells → A·y and B·x, then B·y
    assert hidden(run(t, k=6)) == {("A", "x"), ("A", "y"), ("B", "x"), ("B", "y")}


def test_integer_value_columns_become_nullable():
    t = long_table({"A": {"x": 1, "y": 9}, "B": {"x": 9, "y": 9}})
    out = run(t)
    assert str(out["n"].dtype) == "Int64"
    assert out["n"].isna().sum() == out["suppressed"].sum()


def test_bad_input():
    t = long_table({"A": {"x": 1}})
    with pytest.raises(ValueError, match="missing_col"):
        suppress(t, count_col="missing_col", value_cols=[], group_col="group", key_col="key")
    with pytest.raises(ValueError, match="k"):
        run(t, k=0)


def lp_range(grid, hidden_mask, cell, row_lines=True):
    """The values an attacker can still give ``cell`` (scipy.optimize.linprog): the published row
    and column totals hold, visible and empty cells are known, hidden non-empty cells are ≥ 1."""
    from scipy.optimize import linprog

    r, c = grid.shape
    unknown = [(i, j) for i in range(r) for j in range(c) if hidden_mask[i, j] and grid[i, j] > 0]
    pos = {x: n for n, x in enumerate(unknown)}
    a_eq, b_eq = [], []
    lines = [[(i, j) for i in range(r)] for j in range(c)]
    if row_lines:  # a group's total is published only when it is not itself a group below k
        lines += [[(i, j) for j in range(c)] for i in range(r) if grid[i].sum() >= 5]
    for line in lines:
        row = np.zeros(len(unknown))
        known = 0
        for x in line:
            if x in pos:
                row[pos[x]] = 1
            else:
                known += grid[x]
        if row.any():
            a_eq.append(row)
            b_eq.append(sum(grid[x] for x in line) - known)
    obj = np.zeros(len(unknown))
    obj[pos[cell]] = 1
    bounds = [(1, None)] * len(unknown)
    lo = linprog(obj, A_eq=a_eq, b_eq=b_eq, bounds=bounds).fun
    hi = -linprog(-obj, A_eq=a_eq, b_eq=b_eq, bounds=bounds).fun
    return lo, hi


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(
    st.integers(2, 5).flatmap(
        lambda r: st.integers(2, 5).flatmap(
            lambda c: st.lists(st.integers(0, 30), min_size=r * c, max_size=r * c).map(
                lambda v: np.array(v).reshape(r, c)
            )
        )
    )
)
def test_no_small_cell_can_be_recovered(grid):
    t = long_table({f"g{i}": {f"k{j}": int(grid[i, j]) for j in range(grid.shape[1])} for i in range(grid.shape[0])})
    out = run(t)
    assert (out.loc[out["n"].notna(), "n"] >= 5).all()  # every small cell hidden
    mask = out["suppressed"].to_numpy().reshape(grid.shape)
    for i, j in zip(*np.nonzero((grid > 0) & (grid < 5)), strict=True):
        lo, hi = lp_range(grid, mask, (i, j))
        # not computable from the published margins — or, where the margins alone give it away (a
        # table with too few non-empty partners), nothing of its row and column is shown at all
        assert hi - lo > 0.5 or (mask[:, j].all() and mask[i, :].all()), (i, j, lo, hi)
    # every column's hidden non-empty cells pool ≥ 5 respondents, or the whole column is hidden
    for j in range(grid.shape[1]):
        col, hid = grid[:, j], mask[:, j]
        if (hid & (col > 0)).any() and (~hid & (col > 0)).any():
            assert col[hid].sum() >= 5


def test_zero_cells_protect_nothing_demo_shape():
    # finding 2 (issue 10): 住宿 on the 2021 demo wave — 学生 1251, 家长 12 answers from 3 people,
    # 教师 and 职工 with nobody. Old rule: 家长 hidden, 教师/职工 (0) hidden "as protection", 学生
    # shown → 住宿 total − 学生 = 家长. Now 学生 must be hidden too (the only non-empty partner).
    t = long_table({"学生": {"住宿": 1251}, "家长": {"住宿": 3}, "教师": {"住宿": 0}, "职工": {"住宿": 0}})
    out = suppress(t, count_col="n", value_cols=["n", "rate"], k=5, group_col="group", key_col="key")
    assert hidden(out) == {("学生", "住宿"), ("家长", "住宿"), ("教师", "住宿"), ("职工", "住宿")}


def test_respondents_outside_every_group_are_protected():
    # 2 respondents without a campus answered x: total − Σ campuses = those 2 → hide a partner
    t = long_table({"东": {"x": 30}, "西": {"x": 20}})
    out = suppress(t, count_col="n", value_cols=["n", "rate"], k=5, group_col="group", key_col="key", outside={"x": 2})
    assert hidden(out) == {("西", "x")}


@pytest.mark.xfail(strict=True, reason="known gap: row 1's hidden pair pools 2 < k respondents but no complement "
                   "is chosen in that row, so 12 − 5 − 5 gives both hidden cells away (found by random tables)")
def test_known_gap_row_pool_below_k_without_complement():
    grid = np.array([[0, 0, 1, 0, 1], [5, 5, 1, 0, 1]])
    t = long_table({f"g{i}": {f"k{j}": int(grid[i, j]) for j in range(grid.shape[1])} for i in range(grid.shape[0])})
    mask = run(t)["suppressed"].to_numpy().reshape(grid.shape)
    lo, hi = lp_range(grid, mask, (1, 2))
    assert hi - lo > 0.5 or (mask[:, 2].all() and mask[1, :].all())
