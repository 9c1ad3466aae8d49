"""Plotly figure builders: pure functions from a small summary table to a ``go.Figure``, one theme.

Every builder takes an already aggregated table (one row per item, group × item cell, wave × key
…), never raw responses, so a figure has at most a few hundred marks whatever the sample size.
Colours come from colour-blind-safe palettes: a blue–orange diverging scale for Likert answers
(ColorBrewer PuOr/RdBu family, ordered so that the satisfied side is blue) and the Okabe–Ito
qualitative palette for lines (Okabe & Ito, *Color Universal Design*, 2008).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

__all__ = [
    "FONT_FAMILY",
    "QUALITATIVE",
    "QUADRANT_COLORS",
    "AREA_COLORS",
    "area_color",
    "likert_colors",
    "apply_theme",
    "make_likert_figure",
    "make_trend_figure",
    "make_heatmap_figure",
    "make_alpha_figure",
    "make_ipa_figure",
    "chart_text",

    "likert_table",
    "make_action_figure",
]

FONT_FAMILY = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif'
# Okabe–Ito, without black and yellow (too light on white).
QUALITATIVE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#999999", "#F0E442"]
# ColorBrewer PuOr/RdBu shades, lightest (next to the midpoint) first.
_NEGATIVE = ["#fdb863", "#e08214", "#b35806", "#7f3b08"]
_POSITIVE = ["#92c5de", "#4393c3", "#2166ac", "#053061"]
_NEUTRAL = "#bdbdbd"
# One fixed colour per service area, used by every chart that draws areas (trends, breakdowns,
# reports): the Okabe–Ito hues first, then darker shades of them (Tol's "muted" scheme) for the rest.
AREA_COLORS: dict[str, str] = {
    "overall": "#000000",
    "accommodation": "#0072B2",
    "catering": "#E69F00",
    "maintenance": "#D55E00",
    "cleaning": "#009E73",
    "greening": "#117733",
    "utilities": "#56B4E9",
    "transport": "#CC79A7",
    "medical": "#882255",
    "property": "#999933",
    "security": "#332288",
    "unclassified": "#999999",
}


def area_color(key: object) -> str:
    """The fixed colour of a service area (grey for keys outside the taxonomy)."""
    return AREA_COLORS.get(str(key), AREA_COLORS["unclassified"])


QUADRANT_COLORS = {
    "concentrate": "#D55E00",
    "keep_up": "#0072B2",
    "low_priority": "#999999",
    "possible_overkill": "#E69F00",
}
_TEXT = {
    "share": ("占比", "Share"),
    "rate": ("满意率", "Satisfaction rate"),
    "wave": ("批次", "Wave"),
    "alpha_deleted": ("删除该题后的 α", "α if item deleted"),
    "alpha_now": ("当前 α", "current α"),
    "performance": ("表现（百分制指数）", "Performance (0–100 index)"),
    "importance": ("重要性", "Importance"),
    "significant": ("显著变化", "significant change"),
    "hidden": ("已隐藏", "hidden"),
    "concentrate": ("重点改进区", "Concentrate here"),
    "keep_up": ("继续保持区", "Keep up the good work"),
    "low_priority": ("次要改进区", "Low priority"),
    "possible_overkill": ("资源过剩区", "Possible overkill"),
    "interval": ("95% 区间", "95% interval"),
    "fieldwork": ("调查日期", "Fieldwork date"),
}


def _tr(key: str, lang: str) -> str:
    zh, en = _TEXT[key]
    return zh if lang == "zh" else en


def _pct(x: float) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x * 100:.1f}%"


def likert_colors(k: int) -> list[str]:
    """Colours for codes 1..k (worst → best): oranges below the midpoint, grey at it, blues above.

    Shades darken away from the midpoint. Checked by hand: k = 5 → [dark orange, orange, grey,
    light blue, blue]; k = 4 → [dark orange, light orange, light blue, blue].
    """
    if k < 2:
        raise ValueError(f"量表至少需要两级 a scale needs at least 2 points, got {k}")
    side = k // 2
    out = []
    for code in range(1, k + 1):
        if code <= side:
            out.append(_NEGATIVE[min(side - code, len(_NEGATIVE) - 1)])
        elif code > k - side:
            out.append(_POSITIVE[min(code - (k - side) - 1, len(_POSITIVE) - 1)])
        else:
            out.append(_NEUTRAL)
    return out


def apply_theme(fig: go.Figure, *, present: bool = False, height: int | None = None) -> go.Figure:
    """The one theme: CJK font list, white background, large type in presentation mode."""
    base = 22 if present else 14
    fig.update_layout(
        template="plotly_white",
        font={"family": FONT_FAMILY, "size": base, "color": "#1b2733"},
        margin={"l": 10, "r": 20, "t": 40 if not present else 60, "b": 10},
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.02,
            "xanchor": "left",
            "x": 0,
            "font": {"size": base - 2},
        },
        hoverlabel={"font": {"family": FONT_FAMILY}},
    )
    if height:
        fig.update_layout(height=int(height * (1.4 if present else 1)))
    return fig


def _need(table: pd.DataFrame, cols: list[str], what: str) -> None:
    missing = [c for c in cols if c not in table.columns]
    if missing:
        raise ValueError(f"{what} 的数据缺少列：{', '.join(missing)}。 {what} needs columns: {', '.join(missing)}.")


def chart_text(text: object) -> str:
    """User text made safe for a plotly label, legend, axis or hover (issue 10, finding 13).

    Plotly renders a subset of HTML in text (``<a href>``, ``<b>``, ``<br>``, entities); escaping
    ``&``, ``<`` and ``>`` shows the text as typed: ``<a href=x>`` stays those characters, no link.
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _safe_labels(table: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """A copy of ``table`` with the text of ``cols`` passed through :func:`chart_text`."""
    df = table.copy()
    for col in cols:
        if col in df.columns:
            df[col] = df[col].map(lambda v: v if v is None or (not isinstance(v, str) and pd.isna(v)) else chart_text(v))
    return df


def make_likert_figure(table: pd.DataFrame, *, lang: str = "zh", present: bool = False) -> go.Figure:
    """Diverging stacked bars of the answer distribution, one bar per item.

    Parameters
    ----------
    table : one row per (item, answer code): ``item_label`` (text on the axis, e.g. with its n),
        ``code`` (1 = worst … k), ``answer`` (label shown in the legend), ``share`` (of the item's
        valid answers, 0..1), ``k`` (scale points). Items are drawn top → bottom in order of first
        appearance, so pass the table already ranked.

    Notes
    -----
    The x axis runs from the largest negative total (rounded up to 25%, at least 25%) to 100%.
    Codes below the midpoint go left of zero, above it right of zero; on odd scales the neutral
    answer is split half/half across zero (Heiberger & Robbins, "Design of Diverging Stacked Bar
    Charts for Likert Scales", J. Stat. Software 57(5), 2014). One trace per (k, code), so the
    number of traces is the number of answer options, not of items.
    """
    _need(table, ["item_label", "code", "answer", "share", "k"], "make_likert_figure")
    table = _safe_labels(table, ["item_label", "answer"])
    items = list(dict.fromkeys(table["item_label"]))
    fig = go.Figure()
    if not items:
        return apply_theme(fig, present=present, height=200)
    for k, part in table.groupby("k", sort=True):
        k = int(k)
        colors = likert_colors(k)
        mid = (k + 1) / 2
        answer_of = part.drop_duplicates("code").set_index("code")["answer"].to_dict()
        wide = part.pivot_table(index="item_label", columns="code", values="share", aggfunc="sum").reindex(
            [i for i in items if i in set(part["item_label"])]
        )
        wide = wide.reindex(columns=range(1, k + 1)).fillna(0.0)
        y = list(wide.index)
        # Negative side: nearest to zero first (relative stacking order), i.e. neutral half, then
        # codes mid-1 … 1; positive side: neutral half, then mid+1 … k.
        neg_codes = [c for c in range(k, 0, -1) if c < mid]
        pos_codes = [c for c in range(1, k + 1) if c > mid]
        order: list[tuple[int, float, bool]] = []
        if mid == int(mid):
            order.append((int(mid), -0.5, True))
        order += [(c, -1.0, True) for c in neg_codes]
        if mid == int(mid):
            order.append((int(mid), 0.5, False))
        order += [(c, 1.0, True) for c in pos_codes]
        for code, factor, legend in order:
            shares = wide[code].to_numpy(dtype=float)
            label = str(answer_of.get(code, code))
            fig.add_trace(
                go.Bar(
                    x=shares * factor,
                    y=y,
                    orientation="h",
                    name=label,
                    legendgroup=f"{k}-{code}",
                    showlegend=legend,
                    legendrank=1000 + k * 10 + code,
                    marker={"color": colors[code - 1], "line": {"width": 0}},
                    customdata=shares,
                    hovertemplate="%{y}<br>" + label + ": %{customdata:.1%}<extra></extra>",
                )
            )
    fig.update_layout(barmode="relative", bargap=0.25)
    # The left side only reaches as far as the largest negative share needs (at least 25%), so
    # high-satisfaction surveys do not waste half the chart; the right side always shows 100%.
    neg_by_item: dict[str, float] = {}
    for tr in fig.data:
        for yy, xx in zip(tr.y, tr.x, strict=True):
            if xx < 0:
                neg_by_item[yy] = neg_by_item.get(yy, 0.0) + float(-xx)
    neg = max(neg_by_item.values(), default=0.0)
    left = -min(1.0, max(0.25, math.ceil((neg + 0.05) * 4) / 4))
    ticks = [v for v in (-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1) if v >= left]
    fig.update_xaxes(
        range=[left, 1],
        tickvals=ticks,
        ticktext=[f"{abs(v) * 100:.0f}%" if v else "0" for v in ticks],
        title_text=_tr("share", lang),
        zeroline=True,
        zerolinecolor="#444",
        zerolinewidth=1,
    )
    fig.update_yaxes(categoryorder="array", categoryarray=items[::-1], automargin=True)
    return apply_theme(fig, present=present, height=120 + 32 * len(items))


def make_trend_figure(table: pd.DataFrame, *, lang: str = "zh", present: bool = False) -> go.Figure:
    """Satisfaction rate across waves, one line per key, with its interval band and significance stars.

    Parameters
    ----------
    table : ``trend_summary`` rows: ``wave`` (x, in time order of first appearance), ``name`` (line
        label; falls back to ``key``), ``satisfaction_rate``, ``ci_low``, ``ci_high``, ``n_valid``,
        ``significant`` (bool: changed significantly since the previous wave). Optional ``date``
        (fieldwork start): the x axis is then a time axis spaced by date, the wave named in the
        hover; optional ``color`` (per row, e.g. :func:`area_color`) fixes each line's colour.
    """
    _need(table, ["wave", "satisfaction_rate", "ci_low", "ci_high"], "make_trend_figure")
    df = _safe_labels(table, ["wave", "name", "key"])
    if "name" not in df.columns:
        _need(df, ["key"], "make_trend_figure")
        df["name"] = df["key"].astype(str)
    if "significant" not in df.columns:
        df["significant"] = False
    if "n_valid" not in df.columns:
        df["n_valid"] = np.nan
    waves = list(dict.fromkeys(df["wave"].astype(str)))
    df["wave"] = df["wave"].astype(str)
    dated = "date" in df.columns and pd.to_datetime(df["date"]).notna().all()
    fig = go.Figure()
    n_lines = df["name"].nunique()
    for i, (name, part) in enumerate(df.groupby("name", sort=False)):
        color = str(part["color"].iloc[0]) if "color" in part.columns else QUALITATIVE[i % len(QUALITATIVE)]
        part = part.set_index("wave").reindex([w for w in waves if w in set(part["wave"])]).reset_index()
        x = list(pd.to_datetime(part["date"])) if dated else list(part["wave"])
        lo = part["ci_low"].astype(float).to_numpy()
        hi = part["ci_high"].astype(float).to_numpy()
        fill = _rgba(color, 0.15 if n_lines <= 4 else 0.07)  # many overlapping bands: lighter
        fig.add_trace(
            go.Scatter(
                x=x + x[::-1],
                y=list(hi) + list(lo[::-1]),
                fill="toself",
                fillcolor=fill,
                mode="lines",
                line={"width": 0},
                hoverinfo="skip",
                showlegend=False,
                legendgroup=str(name),
                name=f"{name} {_tr('interval', lang)}",
            )
        )
        rates = part["satisfaction_rate"].astype(float).to_numpy()
        text = [
            (f"{w}: " if dated else "") + f"{_pct(r)} ({_pct(a)}–{_pct(b)}), n={'' if pd.isna(n) else int(n)}"
            for w, r, a, b, n in zip(part["wave"], rates, lo, hi, part["n_valid"], strict=True)
        ]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=rates,
                mode="lines+markers",
                name=str(name),
                legendgroup=str(name),
                line={"color": color, "width": 3 if present else 2},
                marker={"size": 10 if present else 7},
                text=text,
                hovertemplate=("%{x|%Y-%m-%d}" if dated else "%{x}") + "<br>" + str(name) + ": %{text}<extra></extra>",
            )
        )
        sig = part["significant"].fillna(False).astype(bool).to_numpy()
        if sig.any():
            fig.add_trace(
                go.Scatter(
                    x=[xx for xx, s in zip(x, sig, strict=True) if s],
                    y=rates[sig],
                    mode="markers",
                    marker={
                        "symbol": "star",
                        "size": 18 if present else 14,
                        "color": color,
                        "line": {"width": 1, "color": "#222"},
                    },
                    name=_tr("significant", lang),
                    legendgroup=str(name),
                    showlegend=False,
                    hovertemplate="%{x}: " + _tr("significant", lang) + "<extra></extra>",
                )
            )
    if dated:
        fig.update_xaxes(type="date", title_text=_tr("fieldwork", lang))
    else:
        fig.update_xaxes(type="category", categoryorder="array", categoryarray=waves, title_text=_tr("wave", lang))
    fig.update_yaxes(tickformat=".0%", title_text=_tr("rate", lang), rangemode="tozero")
    lows = df["ci_low"].astype(float)
    if lows.notna().any():
        fig.update_yaxes(range=[max(0.0, float(lows.min()) - 0.05), 1.0])
    return apply_theme(fig, present=present, height=420)


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def make_heatmap_figure(table: pd.DataFrame, *, lang: str = "zh", present: bool = False) -> go.Figure:
    """Groups × items heatmap of satisfaction rates; suppressed cells shown blank and labelled hidden.

    Parameters
    ----------
    table : one row per cell: ``group``, ``name`` (item/area label; falls back to ``key``),
        ``satisfaction_rate`` (NA when suppressed), ``n_valid``; optional ``suppressed``.
        Groups and items keep their order of first appearance.

    Notes
    -----
    Groups are rows unless there are more items than groups, in which case the table is drawn
    transposed (items as rows) so long item labels stay readable. The sequential blue scale starts
    at the lowest visible rate rounded down to 10% (at most 50%), so differences between high rates
    stay visible.
    """
    _need(table, ["group", "satisfaction_rate"], "make_heatmap_figure")
    df = _safe_labels(table, ["group", "name", "key"])
    if "name" not in df.columns:
        _need(df, ["key"], "make_heatmap_figure")
        df["name"] = df["key"].astype(str)
    if "n_valid" not in df.columns:
        df["n_valid"] = pd.NA
    groups = list(dict.fromkeys(df["group"].astype(str)))
    names = list(dict.fromkeys(df["name"].astype(str)))
    df["group"] = df["group"].astype(str)
    df["name"] = df["name"].astype(str)
    df["satisfaction_rate"] = pd.to_numeric(df["satisfaction_rate"], errors="coerce").astype(float)
    transpose = len(names) > len(groups)
    rows, cols = ("name", "group") if transpose else ("group", "name")
    row_order, col_order = (names, groups) if transpose else (groups, names)
    z = df.pivot_table(index=rows, columns=cols, values="satisfaction_rate", aggfunc="first", dropna=False)
    z = z.reindex(index=row_order, columns=col_order).astype(float)
    n = df.pivot_table(index=rows, columns=cols, values="n_valid", aggfunc="first", dropna=False)
    n = n.reindex(index=row_order, columns=col_order)
    hidden = _tr("hidden", lang)
    text = [[hidden if pd.isna(v) else _pct(v) for v in row] for row in z.to_numpy()]
    hover_n = [["" if pd.isna(v) else str(int(v)) for v in row] for row in n.to_numpy()]
    visible = z.to_numpy()[~np.isnan(z.to_numpy())]
    zmin = min(0.5, math.floor(float(visible.min()) * 10) / 10) if visible.size else 0.0
    fig = go.Figure(
        go.Heatmap(
            z=z.to_numpy(),
            x=col_order,
            y=row_order,
            text=text,
            customdata=hover_n,
            texttemplate="%{text}",
            textfont={"size": 16 if present else 12},
            colorscale="Blues",
            zmin=zmin,
            zmax=1.0,
            colorbar={"tickformat": ".0%", "title": {"text": _tr("rate", lang)}},
            hovertemplate="%{y} · %{x}<br>%{text} (n=%{customdata})<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(side="top", automargin=True)
    return apply_theme(fig, present=present, height=140 + 34 * len(row_order))


def make_alpha_figure(table: pd.DataFrame, *, lang: str = "zh", present: bool = False) -> go.Figure:
    """α-if-item-deleted bars with the scale's current α as a reference line.

    Parameters
    ----------
    table : one row per item: ``name`` (item label; falls back to ``item``), ``alpha_if_deleted``,
        and ``alpha`` (the current α of the item's scale, same on every row). Bars above the
        current α — items whose removal would raise reliability — are drawn in orange.
    """
    _need(table, ["alpha_if_deleted", "alpha"], "make_alpha_figure")
    df = _safe_labels(table, ["name", "item"])
    if "name" not in df.columns:
        _need(df, ["item"], "make_alpha_figure")
        df["name"] = df["item"].astype(str)
    current = float(df["alpha"].iloc[0]) if len(df) else float("nan")
    vals = df["alpha_if_deleted"].astype(float).to_numpy()
    colors = [QUALITATIVE[3] if (not math.isnan(current) and v > current) else QUALITATIVE[0] for v in vals]
    fig = go.Figure(
        go.Bar(
            x=vals,
            y=df["name"].astype(str),
            orientation="h",
            marker={"color": colors},
            text=[f"{v:.3f}" for v in vals],
            textposition="outside",
            hovertemplate="%{y}: %{x:.3f}<extra></extra>",
        )
    )
    if not math.isnan(current):
        fig.add_vline(
            x=current,
            line_dash="dash",
            line_color="#222",
            annotation_text=f"{_tr('alpha_now', lang)} {current:.3f}",
            annotation_position="top",
        )
    lo = float(np.nanmin(vals)) if len(vals) and not np.isnan(vals).all() else 0.0
    fig.update_xaxes(
        title_text=_tr("alpha_deleted", lang), range=[min(lo, current if not math.isnan(current) else lo) - 0.05, 1.0]
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    return apply_theme(fig, present=present, height=120 + 30 * len(df))


def make_ipa_figure(table: pd.DataFrame, *, lang: str = "zh", present: bool = False) -> go.Figure:
    """Importance–performance scatter with dashed mean lines splitting the four quadrants.

    Parameters
    ----------
    table : ``analysis.drivers.ipa`` rows: ``label``, ``performance`` (0–100 index of the mean
        score), ``importance``, ``quadrant``
        (``concentrate`` | ``keep_up`` | ``low_priority`` | ``possible_overkill``). The lines sit
        at the means of the plotted performance and importance (Martilla & James, "Importance-
        Performance Analysis", J. Marketing 41(1), 1977; data-centred variant).
    """
    _need(table, ["label", "performance", "importance", "quadrant"], "make_ipa_figure")
    df = _safe_labels(table.dropna(subset=["performance", "importance"]), ["label"])
    fig = go.Figure()
    for quadrant, color in QUADRANT_COLORS.items():
        part = df[df["quadrant"] == quadrant]
        if not len(part):
            continue
        fig.add_trace(
            go.Scatter(
                x=part["performance"].astype(float),
                y=part["importance"].astype(float),
                mode="markers+text",
                name=_tr(quadrant, lang),
                text=part["label"].astype(str),
                textposition="top center",
                textfont={"size": 15 if present else 11},
                marker={"size": 16 if present else 11, "color": color, "line": {"width": 1, "color": "#fff"}},
                hovertemplate="%{text}<br>"
                + _tr("performance", lang)
                + ": %{x:.1f}<br>"
                + _tr("importance", lang)
                + ": %{y:.3f}<extra></extra>",
            )
        )
    if len(df):
        fig.add_vline(x=float(df["performance"].mean()), line_dash="dash", line_color="#666")
        fig.add_hline(y=float(df["importance"].mean()), line_dash="dash", line_color="#666")
    fig.update_xaxes(title_text=_tr("performance", lang))
    fig.update_yaxes(title_text=_tr("importance", lang))
    return apply_theme(fig, present=present, height=560)


def likert_table(counts: pd.DataFrame, summary: pd.DataFrame, lang: str = "zh", area: str = "") -> pd.DataFrame:
    """The table :func:`make_likert_figure` draws: items ranked by satisfaction rate, labelled with their n.

    ``counts`` is ``metrics.label_counts``, ``summary`` is ``metrics.item_summary``; ``area`` keeps
    one area's items. Items without any valid answer are left out. Used by the pages and the reports,
    so both rank and label the items the same way.
    """
    s = summary if not area else summary[summary["area"] == area]
    s = s[s["n_valid"].fillna(0) > 0].sort_values("satisfaction_rate", ascending=False, kind="stable")
    names = {
        row.item: f"{row.label}（n={int(row.n_valid)}）" if lang == "zh" else f"{row.label} (n={int(row.n_valid)})"
        for row in s.itertuples()
    }
    c = counts[counts["item"].isin(names)].copy()
    c["k"] = c.groupby("item")["code"].transform("max")
    c["item_label"] = c["item"].map(names)
    c["answer"] = c["label"]
    order = {item: i for i, item in enumerate(names)}
    c = c.sort_values(["item", "code"], key=lambda col: col.map(order) if col.name == "item" else col)
    return c[["item_label", "code", "answer", "share", "k"]].fillna({"share": 0.0}).reset_index(drop=True)
# --- corrective actions (整改台账, issue 14) ------------------------------------------------------
_ACTION_COLORS = {"baseline": "#999999", "met": "#0072B2", "not_met": "#D55E00", "measured": "#0072B2"}


def make_action_figure(table: pd.DataFrame, *, target: float | None = None, lang: str = "zh",
                       present: bool = False) -> go.Figure:
    """Before/after bars of one corrective action: baseline and verifying wave, the target as a line.

    Parameters
    ----------
    table : rows ``bar`` (axis label, e.g. the wave name), ``rate`` (0–1), ``ci_low``, ``ci_high``
        (may be NaN: no error bar), ``role`` (``baseline`` | ``met`` | ``not_met`` | ``measured``,
        the colour), ``n`` (shown in the hover).
    target : the rate to reach (a threshold, or baseline + change for change targets), dashed.
    """
    _need(table, ["bar", "rate", "ci_low", "ci_high", "role", "n"], "make_action_figure")
    df = table.dropna(subset=["rate"])
    rate = df["rate"].astype(float)
    err_hi = (df["ci_high"].astype(float) - rate).where(df["ci_high"].notna())
    err_lo = (rate - df["ci_low"].astype(float)).where(df["ci_low"].notna())
    fig = go.Figure(go.Bar(
        x=df["bar"].map(chart_text), y=rate,
        marker_color=[_ACTION_COLORS.get(r, "#0072B2") for r in df["role"]],
        text=[_pct(x) for x in rate], textposition="outside", cliponaxis=False,
        error_y={"type": "data", "array": err_hi.fillna(0).tolist(), "arrayminus": err_lo.fillna(0).tolist(),
                 "visible": bool(df["ci_low"].notna().any()), "color": "#333", "thickness": 1},
        customdata=df["n"].astype("float").tolist(),
        hovertemplate="%{x}<br>" + _tr("rate", lang) + ": %{y:.1%}<br>n = %{customdata:.0f}<extra></extra>",
    ))
    if target is not None and not (isinstance(target, float) and math.isnan(target)):
        fig.add_hline(y=float(target), line_dash="dash", line_color="#333",
                      annotation_text=("目标 " if lang == "zh" else "target ") + _pct(float(target)),
                      annotation_position="top left")
    fig.update_yaxes(range=[0, 1.12], tickformat=".0%", title_text=None)
    fig.update_xaxes(title_text=None)
    fig = apply_theme(fig, present=present, height=200)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 20, "b": 10}, showlegend=False, bargap=0.45)
    return fig



# --- Feedback count bars in the area colours (issue 13) ------------------------------------------------
def make_area_count_figure(table: pd.DataFrame, *, lang: str = "zh", present: bool = False,
                           title: str = "") -> go.Figure:
    """Stacked bars of counts: one bar per category (channel, tone …), one segment per area in its colour.

    ``table``: ``area`` (key), ``category`` (display label, in bar order), ``n``. Area names come
    from ``analysis.areas.area_name``; category labels are escaped for plotly (``<`` → ``&lt;``).
    """
    from analysis.areas import AREAS, area_name

    _need(table, ["area", "category", "n"], "make_area_count_figure")
    cats = list(dict.fromkeys(table["category"].astype(str)))
    shown = [c.replace("<", "&lt;") for c in cats]
    fig = go.Figure()
    order = [a for a in AREAS if a in set(table["area"])] + sorted(set(table["area"]) - set(AREAS))
    for area in order:
        sub = table[table["area"] == area].groupby("category", sort=False)["n"].sum()
        fig.add_bar(
            x=shown, y=[int(sub.get(c, 0)) for c in cats], name=area_name(area, lang),
            marker_color=area_color(area),
            hovertemplate="%{x}: %{y}<extra>" + area_name(area, lang) + "</extra>",
        )
    fig.update_layout(barmode="stack", title={"text": title} if title else None,
                      yaxis_title="条数" if lang == "zh" else "Records")
    return apply_theme(fig, present=present, height=360)


__all__ += ["make_area_count_figure"]
