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


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 5).flatmap(
        lambda r: st.integers(2, 5).flatmap(
            lambda c: st.lists(st.integers(0, 30), min_size=r * c, max_size=r * c).map(
                lambda v: np.array(v).reshape(r, c)
            )
        )
    )
)
def test_no_lone_hidden_cell_remains(grid):
    t = long_table({f"g{i}": {f"k{j}": int(grid[i, j]) for j in range(grid.shape[1])} for i in range(grid.shape[0])})
    out = run(t)
    assert (out.loc[out["n"].notna(), "n"] >= 5).all()  # every small cell hidden
    for dim in ("group", "key"):
        per = out.groupby(dim)["suppressed"].sum()
        assert not (per == 1).any()
