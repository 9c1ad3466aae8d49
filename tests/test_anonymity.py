"""Tests for analysis.anonymity. Expected suppression patterns are worked out by hand in comments; the
disclosure property (``check_no_disclosure``) is checked on random tables by linear programming
(scipy.optimize.linprog), which shares no code with the suppression."""

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


def published_lines(grid, k=5):
    """The figures an attacker sees besides the shown cells: every column total (an item's total
    over all respondents, on the overview), the total of each row describing ≥ k respondents (a
    smaller group's total is itself a small cell), and the grand total."""
    r, c = grid.shape
    lines = [[(i, j) for i in range(r)] for j in range(c)]
    lines += [[(i, j) for j in range(c)] for i in range(r) if grid[i].sum() >= k]
    lines.append([(i, j) for i in range(r) for j in range(c)])
    return lines


def lp_range(grid, hidden_mask, cells, k=5):
    """Smallest and largest total of ``cells`` over all tables an attacker cannot tell apart from
    the true one (scipy.optimize.linprog, HiGHS): shown cells as shown, every published total as
    published, hidden cells — empty or not, they look alike — any value ≥ 0."""
    from scipy.optimize import linprog

    r, c = grid.shape
    unknown = [(i, j) for i in range(r) for j in range(c) if hidden_mask[i, j]]
    pos = {x: n for n, x in enumerate(unknown)}
    a_eq, b_eq = [], []
    for line in published_lines(grid, k):
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
    for x in cells:
        obj[pos[x]] = 1
    lo = linprog(obj, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    hi = linprog(-obj, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    assert lo.status == 0 and hi.status == 0  # the true table is feasible, the totals bound every cell
    return lo.fun, -hi.fun


def revealed(grid, mask, k=5):
    """Every disclosure the LP finds: a hidden cell of 1…k−1 respondents, or a set of hidden non-empty
    cells of one published row/column pooling 1…k−1 respondents (other than all the line's non-empty
    cells, whose total is the published total itself), whose total takes one value only."""
    from itertools import combinations

    found = []
    for line in published_lines(grid, k)[:-1]:
        hid = [x for x in line if mask[x] and grid[x] > 0]
        empty = tuple(x for x in line if mask[x] and grid[x] == 0)
        everyone = {x for x in line if grid[x] > 0}
        for size in range(1, len(hid) + 1):
            for subset in combinations(hid, size):
                if sum(grid[x] for x in subset) >= k or set(subset) == everyone:
                    continue  # ≥ k people, or the line's published total itself
                for cells in {subset, subset + empty}:  # empty hidden cells hide nobody
                    lo, hi = lp_range(grid, mask, cells, k)
                    if hi - lo < 0.5:
                        found.append((cells, lo, hi))
    return found


def grids(max_side=5, max_count=30):
    return st.integers(2, max_side).flatmap(
        lambda r: st.integers(2, max_side).flatmap(
            lambda c: st.lists(st.integers(0, max_count), min_size=r * c, max_size=r * c).map(
                lambda v: np.array(v).reshape(r, c)
            )
        )
    )


def check_no_disclosure(grid):
    """The property: with k = 5, (1) no shown cell has 1–4 respondents; (2) for every cell of 1–4
    respondents and every set of hidden non-empty cells of one published row or column pooling 1–4
    respondents, the smallest and largest total consistent with everything published (shown cells,
    column totals, row totals of rows with ≥ 5, the grand total; hidden cells ≥ 0) differ — computed
    by linear programming (``lp_range``, scipy HiGHS), which shares no code with the suppression;
    (3) every column's hidden non-empty cells pool ≥ 5 respondents, or none of its non-empty cells
    is shown."""
    t = long_table({f"g{i}": {f"k{j}": int(grid[i, j]) for j in range(grid.shape[1])} for i in range(grid.shape[0])})
    out = run(t)
    assert (out.loc[out["n"].notna(), "n"] >= 5).all()
    mask = out["suppressed"].to_numpy().reshape(grid.shape)
    if (~mask & (grid > 0)).any():  # a breakdown hidden entirely leaves only the totals themselves
        assert not revealed(grid, mask), revealed(grid, mask)
    for j in range(grid.shape[1]):
        col, hid = grid[:, j], mask[:, j]
        if (hid & (col > 0)).any() and (~hid & (col > 0)).any():
            assert col[hid].sum() >= 5


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(grids())
def test_no_small_cell_can_be_recovered(grid):
    check_no_disclosure(grid)


@settings(max_examples=60, deadline=None, database=None)
@given(grids(max_side=6, max_count=12))
def test_no_small_cell_can_be_recovered_random(grid):
    check_no_disclosure(grid)


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


def test_row_pool_below_k_now_gets_a_complement():
    # found by random tables (was a strict xfail): row g1 = 5 5 1 0 1 (total 12, published), column
    # k2 = 1 + 1, column k4 = 1 + 1. Hiding g1·k2 and g1·k4 alone leaves 12 − 5 − 5 = 2 for the pair:
    # 2 respondents pooled and exactly recoverable. A complement in row g1 (a 5) must be hidden too.
    grid = np.array([[0, 0, 1, 0, 1], [5, 5, 1, 0, 1]])
    t = long_table({f"g{i}": {f"k{j}": int(grid[i, j]) for j in range(grid.shape[1])} for i in range(grid.shape[0])})
    mask = run(t)["suppressed"].to_numpy().reshape(grid.shape)
    assert mask[1, 0] or mask[1, 1]
    assert not revealed(grid, mask)
    # the LP itself sees the old pattern's leak (the audit can fail)
    old = np.array([[1, 1, 1, 1, 1], [0, 0, 1, 1, 1]], dtype=bool)
    assert ((1, 2), (1, 4)) in [s for s, _, _ in revealed(grid, old)]


def test_protect_remembers_its_results_and_hands_out_copies(monkeypatch):
    # protect() memoises protect_cells() (the reference computation): the same inputs give the
    # reference's cells, a caller mutating its copy changes nothing remembered, and an input that
    # differs only in which cells are fixed is not answered from the memo.
    from analysis import anonymity
    from analysis.anonymity import Line, clear_memo, protect, protect_cells

    counts = np.array([3, 10, 20, 2, 30, 25], dtype=float)  # two items × three groups
    lines = [Line(np.array([0, 1, 2]), np.ones(3)), Line(np.array([3, 4, 5]), np.ones(3)),
             Line(np.array([0, 3]), np.ones(2), "max"), Line(np.array([1, 4]), np.ones(2), "max"),
             Line(np.array([2, 5]), np.ones(2), "max")]
    clear_memo()
    calls = []
    real = anonymity.protect_cells
    monkeypatch.setattr(anonymity, "protect_cells", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    ref = protect_cells(counts, lines, 5)
    first = protect(counts, lines, 5)
    first[0][:] = False  # the caller's copy
    again = protect(counts, lines, 5)
    assert len(calls) == 1
    for got, want in zip(again, ref, strict=True):
        np.testing.assert_array_equal(got, want)
    fixed = np.array([False, True, True, False, True, True])
    other = protect(counts, lines, 5, fixed=fixed)
    assert len(calls) == 2
    np.testing.assert_array_equal(other[0], protect_cells(counts, lines, 5, fixed=fixed)[0])
    monkeypatch.setattr(anonymity, "MEMO_SIZE", 0)
    protect(counts, lines, 5)
    assert len(calls) == 3  # memo off: computed every time
