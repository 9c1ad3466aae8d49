"""analysis.charts: figure builders. Expected numbers are hand calculations over the small tables below."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis.charts import (
    FONT_FAMILY,
    QUADRANT_COLORS,
    apply_theme,
    likert_colors,
    make_alpha_figure,
    make_heatmap_figure,
    make_ipa_figure,
    make_likert_figure,
    make_trend_figure,
)

LABELS5 = ["非常不满意", "不满意", "一般", "满意", "非常满意"]  # codes 1..5


def likert_table(items: dict[str, list[float]]) -> pd.DataFrame:
    rows = []
    for name, shares in items.items():
        k = len(shares)
        labels = LABELS5 if k == 5 else [f"c{c}" for c in range(1, k + 1)]
        for code, share in enumerate(shares, start=1):
            rows.append({"item_label": name, "code": code, "answer": labels[code - 1], "share": share, "k": k})
    return pd.DataFrame(rows)


def _rgb(color: str) -> tuple[int, int, int]:
    h = color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def test_likert_colors_diverge_orange_grey_blue():
    c = likert_colors(5)
    assert len(c) == 5
    r, g, b = _rgb(c[2])
    assert r == g == b  # neutral is grey
    for worse in c[:2]:
        r, _, b = _rgb(worse)
        assert r > b  # orange side
    for better in c[3:]:
        r, _, b = _rgb(better)
        assert b > r  # blue side
    # darker away from the midpoint: the extreme codes have lower luminance than their neighbours
    lum = lambda col: sum(_rgb(col))  # noqa: E731
    assert lum(c[0]) < lum(c[1]) and lum(c[4]) < lum(c[3])
    assert len(set(likert_colors(4))) == 4 and "#bdbdbd" not in likert_colors(4)  # even scale: no neutral
    with pytest.raises(ValueError):
        likert_colors(1)


def test_likert_diverging_sides_hand_computed():
    # shares for codes 1..5: negative side = 0.10 + 0.20 + 0.30/2 = 0.45, positive = 0.30/2 + 0.25 + 0.15 = 0.55
    fig = make_likert_figure(likert_table({"食堂": [0.10, 0.20, 0.30, 0.25, 0.15]}))
    bars = [tr for tr in fig.data if isinstance(tr, go.Bar)]
    assert len(bars) == 6  # five answers, the neutral one split in two halves
    neg = sum(float(tr.x[0]) for tr in bars if tr.x[0] < 0)
    pos = sum(float(tr.x[0]) for tr in bars if tr.x[0] > 0)
    assert neg == pytest.approx(-0.45)
    assert pos == pytest.approx(0.55)
    assert fig.layout.barmode == "relative"
    # one legend entry per answer label
    assert sorted(tr.name for tr in bars if tr.showlegend is not False) == sorted(LABELS5)
    # the two neutral halves are 0.15 each, one on each side
    neutral = sorted(float(tr.x[0]) for tr in bars if tr.name == "一般")
    assert neutral == pytest.approx([-0.15, 0.15])
    # axis: negative total 0.45 + 0.05 margin rounded up to a quarter → 50% on the left, 100% on the right
    assert list(fig.layout.xaxis.range) == pytest.approx([-0.5, 1.0])


def test_likert_even_scale_has_no_split_and_item_order_is_kept():
    table = likert_table({"A": [0.1, 0.2, 0.3, 0.4], "B": [0.4, 0.3, 0.2, 0.1]})
    fig = make_likert_figure(table)
    assert len(fig.data) == 4
    # items top → bottom in table order: plotly draws the category array bottom-up
    assert list(fig.layout.yaxis.categoryarray) == ["B", "A"]
    # item A: negative 0.1 + 0.2 = 0.3, positive 0.3 + 0.4 = 0.7
    a = [float(tr.x[list(tr.y).index("A")]) for tr in fig.data]
    assert sum(x for x in a if x < 0) == pytest.approx(-0.3)
    assert sum(x for x in a if x > 0) == pytest.approx(0.7)
    # largest negative total is B's 0.4 + 0.3 = 0.7 (+0.05 → 0.75) → the axis starts at -75%
    assert fig.layout.xaxis.range[0] == pytest.approx(-0.75)
    assert list(fig.layout.xaxis.ticktext) == ["75%", "50%", "25%", "0", "25%", "50%", "75%", "100%"]


def test_likert_trace_count_does_not_grow_with_items():
    many = {f"item {i}": [0.1, 0.1, 0.2, 0.3, 0.3] for i in range(300)}
    fig = make_likert_figure(likert_table(many))
    assert len(fig.data) == 6  # aggregated: marks grow with items inside a trace, never traces per item


def test_likert_empty_and_missing_columns():
    empty = pd.DataFrame(columns=["item_label", "code", "answer", "share", "k"])
    assert len(make_likert_figure(empty).data) == 0
    with pytest.raises(ValueError, match="share"):
        make_likert_figure(pd.DataFrame({"item_label": ["a"], "code": [1], "answer": ["x"], "k": [5]}))


def trend_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "wave": ["2012", "2013", "2014", "2012", "2013", "2014"],
            "key": ["accommodation"] * 3 + ["catering"] * 3,
            "name": ["住宿"] * 3 + ["餐饮"] * 3,
            "n_valid": [100, 120, 150, 100, 120, 150],
            "satisfaction_rate": [0.80, 0.85, 0.96, 0.70, 0.72, 0.91],
            "ci_low": [0.71, 0.77, 0.92, 0.60, 0.63, 0.85],
            "ci_high": [0.87, 0.90, 0.98, 0.78, 0.79, 0.95],
            "significant": [False, False, True, False, False, True],
        }
    )


def test_trend_lines_bands_and_significance_stars():
    fig = make_trend_figure(trend_table(), lang="en")
    lines = [tr for tr in fig.data if tr.mode == "lines+markers"]
    bands = [tr for tr in fig.data if tr.fill == "toself"]
    stars = [tr for tr in fig.data if tr.mode == "markers"]
    assert [tr.name for tr in lines] == ["住宿", "餐饮"]
    assert len(bands) == 2
    assert all(b.mode == "lines" for b in bands)  # a band draws no point markers of its own
    # band polygon: upper bounds forwards then lower bounds backwards
    assert list(bands[0].y) == pytest.approx([0.87, 0.90, 0.98, 0.92, 0.77, 0.71])
    # one star per significant row (2014 for both keys), at that wave's rate
    assert len(stars) == 2
    assert [list(s.x) for s in stars] == [["2014"], ["2014"]]
    assert [float(s.y[0]) for s in stars] == pytest.approx([0.96, 0.91])
    assert list(fig.layout.xaxis.categoryarray) == ["2012", "2013", "2014"]


def test_trend_without_name_uses_key_and_no_stars_when_nothing_significant():
    t = trend_table().drop(columns=["name"]).assign(significant=False)
    fig = make_trend_figure(t)
    assert [tr.name for tr in fig.data if tr.mode == "lines+markers"] == ["accommodation", "catering"]
    assert not [tr for tr in fig.data if tr.mode == "markers"]


def test_heatmap_values_and_hidden_cells():
    cells = pd.DataFrame(
        {
            "group": ["学生", "学生", "教师", "教师"],
            "name": ["食堂", "宿舍", "食堂", "宿舍"],
            "satisfaction_rate": [0.8, 0.9, np.nan, 0.75],
            "n_valid": [40, 38, pd.NA, 12],
            "suppressed": [False, False, True, False],
        }
    )
    fig = make_heatmap_figure(cells, lang="zh")
    hm = fig.data[0]
    z = np.array(hm.z, dtype=float)
    assert z.shape == (2, 2)
    assert list(hm.y) == ["学生", "教师"] and list(hm.x) == ["食堂", "宿舍"]
    assert z[0, 0] == pytest.approx(0.8) and z[1, 1] == pytest.approx(0.75)
    assert math.isnan(z[1, 0])
    assert hm.text[1][0] == "已隐藏"
    assert hm.text[0][1] == "90.0%"
    # colour scale from min(50%, lowest visible rate 0.75 rounded down to 10% = 0.7) = 0.5, to 100%
    assert (hm.zmin, hm.zmax) == (pytest.approx(0.5), 1.0)


def test_heatmap_with_many_items_puts_items_on_rows():
    cells = pd.DataFrame(
        {
            "group": ["学生"] * 3 + ["教师"] * 3,
            "name": ["a", "b", "c"] * 2,
            "satisfaction_rate": [0.2, 0.9, 0.95, 0.6, 0.7, 0.8],
            "n_valid": [10] * 6,
        }
    )
    hm = make_heatmap_figure(cells).data[0]
    assert list(hm.y) == ["a", "b", "c"] and list(hm.x) == ["学生", "教师"]
    assert float(np.array(hm.z, dtype=float)[0, 1]) == pytest.approx(0.6)  # item a, 教师
    assert hm.zmin == pytest.approx(0.2)


def test_alpha_bars_highlight_items_that_raise_alpha():
    table = pd.DataFrame({"name": ["a", "b", "c"], "alpha_if_deleted": [0.70, 0.85, 0.78], "alpha": [0.80] * 3})
    fig = make_alpha_figure(table, lang="en")
    bar = fig.data[0]
    colors = list(bar.marker.color)
    assert colors[1] != colors[0] and colors[0] == colors[2]  # only b (0.85 > 0.80) stands out
    assert fig.layout.shapes[0].x0 == pytest.approx(0.80)


def test_ipa_mean_lines_and_quadrant_traces():
    table = pd.DataFrame(
        {
            "label": ["食堂", "宿舍", "维修", "绿化"],
            "performance": [3.0, 4.5, 3.5, 5.0],
            "importance": [0.8, 0.7, 0.2, 0.3],
            "quadrant": ["concentrate", "keep_up", "low_priority", "possible_overkill"],
        }
    )
    fig = make_ipa_figure(table, lang="zh")
    names = [tr.name for tr in fig.data]
    assert names == ["重点改进区", "继续保持区", "次要改进区", "资源过剩区"]
    assert fig.data[0].marker.color == QUADRANT_COLORS["concentrate"]
    xs = sorted(float(s.x0) for s in fig.layout.shapes if s.x0 == s.x1)
    ys = sorted(float(s.y0) for s in fig.layout.shapes if s.y0 == s.y1)
    assert xs == pytest.approx([4.0])  # mean of 3.0, 4.5, 3.5, 5.0
    assert ys == pytest.approx([0.5])  # mean of 0.8, 0.7, 0.2, 0.3


def test_theme_fonts_and_presentation_size():
    normal = apply_theme(go.Figure(), present=False, height=400)
    big = apply_theme(go.Figure(), present=True, height=400)
    assert "Noto Sans CJK SC" in FONT_FAMILY and normal.layout.font.family == FONT_FAMILY
    assert big.layout.font.size > normal.layout.font.size
    assert big.layout.height > normal.layout.height
    fig = make_likert_figure(likert_table({"x": [0.2, 0.2, 0.2, 0.2, 0.2]}), present=True)
    assert fig.layout.font.size == big.layout.font.size
