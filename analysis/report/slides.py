"""The report as a PowerPoint deck (python-pptx): native, editable charts; CJK fonts set.

Slides (16:9): title; overview (area rates as a native bar chart, the headline rate beside it);
one slide per service area (the answer distribution as a native diverging stacked bar, items
ranked with n, interval and change since the previous wave); the series trend (native line
chart); the 整改 board; feedback highlights; definitions and data sources.

python-pptx's ``font.name`` writes only ``a:latin``; PowerPoint then draws Chinese text in a
fallback face. :func:`_east_asian` adds ``a:ea`` and ``a:cs`` to every run and every chart's text
properties. Bar charts list categories bottom-up unless the category axis is reversed
(``reverse_order``), so bars read top → bottom in ranking order (TIPS.md, python-pptx).
"""

from __future__ import annotations

import io
import math
from typing import Any

import pandas as pd
from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_TICK_LABEL_POSITION
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from analysis.charts import area_color, likert_colors
from analysis.report.model import Report
from analysis.report.text import pct, pp, tr

__all__ = ["write", "EA_FONT", "LATIN_FONT"]

EA_FONT = "Microsoft YaHei"  # present on Windows/Office; LibreOffice falls back to Noto Sans CJK
LATIN_FONT = "Arial"
W, H = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
INK = RGBColor(0x1B, 0x27, 0x33)
MUTED = RGBColor(0x55, 0x5F, 0x6B)
BLUE = RGBColor(0x00, 0x72, 0xB2)
RED = RGBColor(0xB3, 0x58, 0x06)
GREEN = RGBColor(0x00, 0x7A, 0x4D)
ROWS_PER_TABLE_SLIDE = 5
_AFTER_FONTS = {qn(t) for t in ("a:sym", "a:hlinkClick", "a:hlinkMouseOver", "a:rtl", "a:extLst")}


def _rgb(hex_color: str) -> RGBColor:
    return RGBColor.from_string(hex_color.lstrip("#").upper())


# --- East-Asian fonts ---------------------------------------------------------------------------------


def _set_fonts(rpr: Any) -> None:
    """Give one ``a:rPr`` / ``a:defRPr`` / ``a:endParaRPr`` its latin, ea and cs typefaces, in schema order."""
    latin = rpr.find(qn("a:latin"))
    face = latin.get("typeface") if latin is not None else LATIN_FONT
    for tag in ("a:latin", "a:ea", "a:cs"):
        for old in rpr.findall(qn(tag)):
            rpr.remove(old)
    anchor = next((c for c in rpr if c.tag in _AFTER_FONTS), None)
    for tag, typeface in (("a:latin", face), ("a:ea", EA_FONT), ("a:cs", EA_FONT)):
        el = etree.SubElement(rpr, qn(tag))
        el.set("typeface", typeface)
        if anchor is not None:
            anchor.addprevious(el)


def _east_asian(root: Any) -> None:
    """Set ``a:ea`` on every run property element under ``root`` (a slide's or a chart's XML)."""
    for tag in ("a:rPr", "a:defRPr", "a:endParaRPr"):
        for rpr in root.iter(qn(tag)):
            _set_fonts(rpr)


def _chart_text(chart: Any, size: int) -> None:
    """Chart-wide text properties (``c:txPr``) with size and the East-Asian font."""
    chart.font.size = Pt(size)
    chart.font.name = LATIN_FONT
    chart.font.color.rgb = INK


# --- building blocks ----------------------------------------------------------------------------------


def _text(slide: Any, x: int, y: int, w: int, h: int, lines: list[tuple[str, int, dict]] | str, *,
          size: int = 18, bold: bool = False, color: RGBColor = INK, align: Any = PP_ALIGN.LEFT,
          anchor: Any = MSO_ANCHOR.TOP) -> Any:
    box = slide.shapes.add_textbox(x, y, w, h)
    tf = box.text_frame
    tf.word_wrap = True
    tf.vertical_anchor = anchor
    tf.margin_left = tf.margin_right = Inches(0.05)
    if isinstance(lines, str):
        lines = [(lines, size, {"bold": bold, "color": color})]
    for i, (text, sz, opts) in enumerate(lines):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.alignment = align
        run = p.add_run()
        run.text = text
        run.font.size = Pt(sz)
        run.font.bold = opts.get("bold", False)
        run.font.color.rgb = opts.get("color", color)
        run.font.name = LATIN_FONT
    return box


def _title(slide: Any, report: Report, title: str, subtitle: str = "") -> None:
    _text(slide, MARGIN, Inches(0.3), W - 2 * MARGIN, Inches(0.8), title, size=32, bold=True)
    if subtitle:
        _text(slide, MARGIN, Inches(1.02), W - 2 * MARGIN, Inches(0.45), subtitle, size=16, color=MUTED)
    _footer(slide, report)


def _footer(slide: Any, report: Report) -> None:
    lang = report.lang
    text = (f"{report.wave_name} · {tr('data_version', lang)} {report.data_version[:12]} · "
            f"{tr('made_at', lang)} {report.generated_at:%Y-%m-%d %H:%M} · {_def_short(report)}")
    _text(slide, MARGIN, H - Inches(0.45), W - 2 * MARGIN, Inches(0.35), text, size=11, color=MUTED)


def _def_short(report: Report) -> str:
    lang = report.lang
    sep = "、" if lang == "zh" else ", "
    labels = []
    for spec in report.definition.values():
        for lab in spec.get("satisfied", []):
            if lab not in labels:
                labels.append(lab)
    word = "满意 = " if lang == "zh" else "satisfied = "
    return word + sep.join(labels) + (" · " + tr("def_flag_on", lang) if report.exclude_flagged else "")


def _change_text(diff: Any, sig: Any, lang: str) -> str:
    if diff is None or (isinstance(diff, float) and math.isnan(diff)) or pd.isna(diff):
        return "—"
    return pp(diff, lang) + (" ★" if bool(sig) else "")


def _table(slide: Any, x: int, y: int, w: int, header: list[str], rows: list[list[str]], widths: list[float], *,
           size: int = 14, row_h: float = 0.42, left: set[int] | None = None) -> Any:
    """A native table; columns in ``left`` (default: the first) are left-aligned text, the rest figures."""
    left = {0} if left is None else left
    shape = slide.shapes.add_table(len(rows) + 1, len(header), x, y, w, Inches(row_h * (len(rows) + 1)))
    table = shape.table
    total = sum(widths)
    for j, frac in enumerate(widths):
        table.columns[j].width = Emu(int(w * frac / total))
    for i, values in enumerate([header, *rows]):
        table.rows[i].height = Inches(row_h)
        for j, value in enumerate(values):
            cell = table.cell(i, j)
            cell.margin_left = cell.margin_right = Inches(0.06)
            cell.margin_top = cell.margin_bottom = Inches(0.02)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            tf = cell.text_frame
            tf.word_wrap = True
            p = tf.paragraphs[0]
            p.alignment = PP_ALIGN.LEFT if j in left else PP_ALIGN.RIGHT
            run = p.add_run()
            run.text = str(value)
            run.font.size = Pt(size)
            run.font.bold = i == 0
            run.font.name = LATIN_FONT
            run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF) if i == 0 else INK
    return shape


def _blank(prs: Any) -> Any:
    return prs.slides.add_slide(prs.slide_layouts[6])


# --- slides -------------------------------------------------------------------------------------------


def _title_slide(prs: Any, report: Report) -> None:
    lang = report.lang
    s = _blank(prs)
    w = report.wave
    meta = " · ".join(str(w.get(c)) for c in ("unit", "period") if w.get(c) is not None and not pd.isna(w.get(c)))
    _text(s, MARGIN, Inches(2.0), W - 2 * MARGIN, Inches(1.2), report.wave_name, size=44, bold=True)
    _text(s, MARGIN, Inches(3.2), W - 2 * MARGIN, Inches(0.8), tr("title", lang), size=32, color=BLUE)
    lines = [(meta, 20, {"color": MUTED})] if meta else []
    lines.append((f"{tr('responses', lang)} {report.n:,}", 20, {"color": MUTED}))
    _text(s, MARGIN, Inches(4.3), W - 2 * MARGIN, Inches(1.2), lines)
    _footer(s, report)


def _overview_slide(prs: Any, report: Report) -> None:
    lang = report.lang
    a = report.areas[report.areas["n_valid"] > 0]
    s = _blank(prs)
    sub = tr("def_interval", lang) + (f" {tr('prev_wave', lang)}: {report.previous}" if report.previous else "")
    _title(s, report, tr("overview", lang), sub)
    data = CategoryChartData(number_format="0.0%")
    data.categories = [str(n) for n in a["name"]]
    data.add_series(tr("rate", lang), [float(v) for v in a["satisfaction_rate"]])
    top, height = Inches(1.5), H - Inches(2.1)
    gf = s.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, MARGIN, top, Inches(8.3), height, data)
    chart = gf.chart
    _chart_text(chart, 14)
    chart.has_legend = False
    plot = chart.plots[0]
    plot.gap_width = 50
    plot.has_data_labels = True
    dl = plot.data_labels
    dl.number_format = "0.0%"
    dl.number_format_is_linked = False
    dl.position = XL_LABEL_POSITION.OUTSIDE_END
    dl.font.size = Pt(14)
    series = plot.series[0]
    series.format.fill.solid()
    series.format.fill.fore_color.rgb = BLUE
    cat = chart.category_axis
    cat.reverse_order = True  # categories top → bottom in reading order
    _value_axis_bottom(chart)
    cat.tick_labels.font.size = Pt(14)
    val = chart.value_axis
    val.minimum_scale, val.maximum_scale = 0.0, 1.0
    val.tick_labels.number_format = "0%"
    val.tick_labels.number_format_is_linked = False
    val.has_major_gridlines = True
    val.major_gridlines.format.line.color.rgb = RGBColor(0xDD, 0xDD, 0xDD)

    # the headline beside the chart: overall (or pooled) rate, best and worst area
    x = Inches(9.1)
    head = a[a["area"] == "overall"]
    rest = a[a["area"] != "overall"]
    lines: list[tuple[str, int, dict]] = []
    if len(head):
        h = head.iloc[0]
        lines += [(tr("headline", lang), 18, {"color": MUTED}), (pct(h["satisfaction_rate"]), 54, {"bold": True,
                  "color": BLUE}), (tr("ci", lang) + f" {pct(h['ci_low'])}–{pct(h['ci_high'])} · n={int(h['n_valid']):,}",
                                    14, {"color": MUTED})]
        if not pd.isna(h.get("diff_pp")):
            lines.append((f"{tr('change_short', lang)} {_change_text(h['diff_pp'], h['significant'], lang)}", 18,
                          {"color": GREEN if h["diff_pp"] >= 0 else RED}))
    if len(rest):
        best = rest.loc[rest["satisfaction_rate"].idxmax()]
        worst = rest.loc[rest["satisfaction_rate"].idxmin()]
        colon = "：" if lang == "zh" else ": "
        lines += [("", 10, {}), (f"{tr('highest', lang)}{colon}{best['name']} {pct(best['satisfaction_rate'])}", 18, {}),
                  (f"{tr('lowest', lang)}{colon}{worst['name']} {pct(worst['satisfaction_rate'])}", 18, {})]
    lines += [("", 10, {}), (f"{tr('responses', lang)} {report.n:,}", 16, {"color": MUTED})]
    _text(s, x, Inches(1.8), W - x - MARGIN, Inches(4.8), lines)


def _diverging_data(report: Report, items: pd.DataFrame) -> tuple[CategoryChartData, list[tuple[str, str]]] | None:
    """Series of the diverging stacked bar: below-midpoint answers negative, the neutral one split."""
    counts = report.counts[report.counts["item"].isin(set(items["item"]))]
    if not len(counts):
        return None
    k = int(counts["code"].max())
    mid = (k + 1) / 2
    label_of = counts.drop_duplicates("code").set_index("code")["label"].astype(str).to_dict()
    share = counts.pivot_table(index="item", columns="code", values="share", aggfunc="sum").reindex(
        index=list(items["item"]), columns=range(1, k + 1)).fillna(0.0)
    colors = likert_colors(k)
    order: list[tuple[int, float]] = []
    if mid == int(mid):
        order.append((int(mid), -0.5))
    order += [(c, -1.0) for c in range(k, 0, -1) if c < mid]
    if mid == int(mid):
        order.append((int(mid), 0.5))
    order += [(c, 1.0) for c in range(1, k + 1) if c > mid]
    data = CategoryChartData(number_format='0%;0%')
    data.categories = [f"{lab}（n={int(n):,}）" if report.lang == "zh" else f"{lab} (n={int(n):,})"
                       for lab, n in zip(items["label"].astype(str), items["n_valid"], strict=True)]
    styles = []
    for code, factor in order:
        name = label_of.get(code, str(code))
        if factor == 0.5:
            name += " "  # the neutral answer's second half: same label, its own series
        data.add_series(name, [float(v) * factor for v in share[code]])
        styles.append((colors[code - 1], "half" if abs(factor) == 0.5 else "full"))
    return data, styles


def _area_slide(prs: Any, report: Report, area: str, name: str, row: pd.Series) -> None:
    lang = report.lang
    items = report.area_items(area)
    items = items[items["n_valid"] > 0]
    s = _blank(prs)
    headline = f"{name}  {pct(row['satisfaction_rate'])}"
    sub = (f"{tr('ci', lang)} {pct(row['ci_low'])}–{pct(row['ci_high'])} · n={int(row['n_valid']):,} · "
           f"{tr('change_short', lang)} {_change_text(row.get('diff_pp'), row.get('significant'), lang)}")
    _title(s, report, headline, sub)
    top = Inches(1.95)
    avail = H - top - Inches(0.6)
    built = _diverging_data(report, items)
    chart_w = Inches(6.6)
    if built is not None:
        data, styles = built
        n = len(items)
        height = min(avail, Inches(0.9 + 0.75 * n))
        gf = s.shapes.add_chart(XL_CHART_TYPE.BAR_STACKED, MARGIN, top, chart_w, height, data)
        chart = gf.chart
        _chart_text(chart, 13)
        plot = chart.plots[0]
        plot.gap_width = 40
        plot.overlap = 100
        for series, (color, _kind) in zip(plot.series, styles, strict=True):
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = _rgb(color)
            series.invert_if_negative = False
        # the legend as text, worst → best (a chart legend would list the split neutral answer twice)
        chart.has_legend = False
        _likert_legend(s, report, items, MARGIN + Inches(1.2), top - Inches(0.45), chart_w - Inches(1.2))
        cat = chart.category_axis
        cat.reverse_order = True
        cat.tick_label_position = XL_TICK_LABEL_POSITION.LOW  # labels left of the negative side
        _value_axis_bottom(chart)
        cat.tick_labels.font.size = Pt(13)
        val = chart.value_axis
        neg = float(-min(0.0, _min_stack(data)))
        left = -min(1.0, max(0.25, math.ceil((neg + 0.05) * 4) / 4))
        val.minimum_scale, val.maximum_scale = left, 1.0
        val.major_unit = 0.25
        val.tick_labels.number_format = "0%;0%"
        val.tick_labels.number_format_is_linked = False
        val.has_major_gridlines = True
        val.major_gridlines.format.line.color.rgb = RGBColor(0xE5, 0xE5, 0xE5)
    # the ranked items with their figures
    rows = [[str(r.label), pct(r.satisfaction_rate), f"{pct(r.ci_low)}–{pct(r.ci_high)}", f"{int(r.n_valid):,}",
             _pp_short(r.diff_pp, r.significant)] for r in items.head(10).itertuples()]
    header = [tr("item", lang), tr("rate_short", lang), tr("ci", lang), "n", tr("change_short", lang)]
    x = MARGIN + chart_w + Inches(0.15)
    size = 14 if len(rows) <= 7 else 12
    _table(s, x, top - Inches(0.35), W - x - MARGIN, header, rows, [2.6, 1.3, 2.2, 0.9, 1.5], size=size,
           row_h=0.55 if len(rows) <= 7 else 0.42)


def _pp_short(diff: Any, sig: Any) -> str:
    """``+4.6 ★`` — a change in percentage points for a table whose header names the unit."""
    if diff is None or pd.isna(diff):
        return "—"
    return f"{float(diff):+.1f}" + (" ★" if bool(sig) else "")


def _likert_legend(slide: Any, report: Report, items: pd.DataFrame, x: int, y: int, w: int) -> None:
    counts = report.counts[report.counts["item"].isin(set(items["item"]))]
    if not len(counts):
        return
    k = int(counts["code"].max())
    label_of = counts.drop_duplicates("code").set_index("code")["label"].astype(str).to_dict()
    colors = likert_colors(k)
    box = slide.shapes.add_textbox(x, y, w, Inches(0.4))
    p = box.text_frame.paragraphs[0]
    box.text_frame.word_wrap = True
    for code in range(1, k + 1):
        mark = p.add_run()
        mark.text = "■"
        mark.font.size = Pt(14)
        mark.font.color.rgb = _rgb(colors[code - 1])
        word = p.add_run()
        word.text = f" {label_of.get(code, code)}   "
        word.font.size = Pt(13)
        word.font.color.rgb = INK
        word.font.name = LATIN_FONT


def _value_axis_bottom(chart: Any) -> None:
    """With the category axis reversed, keep the value axis at the bottom (``c:valAx/c:crosses = max``)."""
    crosses = chart._chartSpace.find(".//" + qn("c:valAx")).find(qn("c:crosses"))
    crosses.set("val", "max")


def _min_stack(data: CategoryChartData) -> float:
    """The most negative stacked total of the chart data (how far left the axis must reach)."""
    totals: list[float] = []
    for series in data:
        vals = list(series.values)
        if not totals:
            totals = [0.0] * len(vals)
        totals = [t + (v if v < 0 else 0.0) for t, v in zip(totals, vals, strict=True)]
    return min(totals, default=0.0)


def _trend_slide(prs: Any, report: Report) -> None:
    lang = report.lang
    t = report.trend
    labels = list(dict.fromkeys(t["label"].astype(str)))
    if len(labels) < 2:
        return
    s = _blank(prs)
    _title(s, report, tr("trend", lang), " → ".join(labels))
    wide = t.pivot_table(index="label", columns="name", values="satisfaction_rate", aggfunc="first", sort=False)
    wide = wide.reindex(index=labels)
    data = CategoryChartData(number_format="0.0%")
    data.categories = labels
    names = [n for n in (str(x) for x in report.areas["name"]) if n in wide.columns]
    for n in names:
        data.add_series(n, [None if pd.isna(v) else float(v) for v in wide[n]])
    gf = s.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, MARGIN, Inches(1.5), W - 2 * MARGIN, H - Inches(2.1), data)
    chart = gf.chart
    _chart_text(chart, 14)
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.RIGHT
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(13)
    key_of = dict(zip(report.areas["name"].astype(str), report.areas["area"].astype(str), strict=True))
    for name, series in zip(names, chart.plots[0].series, strict=True):
        color = _rgb(area_color(key_of.get(name)))  # one colour per service area, as on the pages
        series.format.line.color.rgb = color
        series.format.line.width = Pt(2.5)
        series.smooth = False
        series.marker.format.fill.solid()
        series.marker.format.fill.fore_color.rgb = color
        series.marker.format.line.color.rgb = color
    val = chart.value_axis
    lows = t["satisfaction_rate"].astype(float)
    val.minimum_scale = max(0.0, math.floor((float(lows.min()) - 0.05) * 10) / 10) if lows.notna().any() else 0.0
    val.maximum_scale = 1.0
    val.tick_labels.number_format = "0%"
    val.tick_labels.number_format_is_linked = False
    val.has_major_gridlines = True
    val.major_gridlines.format.line.color.rgb = RGBColor(0xE5, 0xE5, 0xE5)


def _cell(v: Any) -> str:
    if isinstance(v, list | tuple):
        return "、".join(map(str, v))
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return "—"
    if isinstance(v, float) and 0 <= v <= 1:
        return pct(v)
    return str(v)


def _paged_table_slides(prs: Any, report: Report, title: str, df: pd.DataFrame, cols: list[tuple[str, str, float]],
                        size: int = 14) -> None:
    cols = [c for c in cols if c[0] in df.columns]
    if not cols:
        return
    pages = max(1, math.ceil(len(df) / ROWS_PER_TABLE_SLIDE))
    for p in range(pages):
        part = df.iloc[p * ROWS_PER_TABLE_SLIDE : (p + 1) * ROWS_PER_TABLE_SLIDE]
        s = _blank(prs)
        _title(s, report, title + (f" ({p + 1}/{pages})" if pages > 1 else ""))
        rows = [[_short(_cell(getattr(r, c)), 44) for c, _, _ in cols] for r in part.itertuples()]
        text_cols = {j for j, (c, _, _) in enumerate(cols) if not c.endswith("rate")}
        _table(s, MARGIN, Inches(1.3), W - 2 * MARGIN, [h for _, h, _ in cols], rows, [w for _, _, w in cols],
               size=size, row_h=0.86, left=text_cols)


def _short(text: str, limit: int) -> str:
    """At most ``limit`` characters (an ellipsis marks the cut; the full text is in the Excel file)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _actions_slides(prs: Any, report: Report) -> None:
    if report.actions is None:
        return
    lang = report.lang
    cols = [("problem", tr("problem", lang), 2.8), ("measure", tr("measure", lang), 3.4),
            ("owner", tr("owner", lang), 1.3), ("deadline", tr("deadline", lang), 1.3),
            ("target_text", tr("target", lang), 1.8), ("verdict", tr("verdict", lang), 1.3),
            ("measured_rate", tr("measured", lang), 1.1)]
    _paged_table_slides(prs, report, tr("actions", lang), report.actions, cols, size=12)


def _feedback_slide(prs: Any, report: Report) -> None:
    fb = report.feedback
    if fb is None:
        return
    lang = report.lang
    s = _blank(prs)
    _title(s, report, tr("feedback", lang), f"{tr('count', lang)} {len(fb):,}")
    # counts by area (the areas column is a list per comment)
    if "areas" in fb.columns:
        from analysis.areas import area_name

        exploded = fb.explode("areas")
        by_area = exploded["areas"].dropna().astype(str).value_counts().head(8)
        data = CategoryChartData(number_format="0")
        data.categories = [area_name(a, lang) for a in by_area.index]
        data.add_series(tr("count", lang), [int(v) for v in by_area])
        gf = s.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, MARGIN, Inches(1.5), Inches(5.0), H - Inches(2.1), data)
        chart = gf.chart
        _chart_text(chart, 14)
        chart.has_legend = False
        chart.category_axis.reverse_order = True
        chart.plots[0].has_data_labels = True
        chart.plots[0].series[0].format.fill.solid()
        chart.plots[0].series[0].format.fill.fore_color.rgb = BLUE
    quotes = [str(t) for t in fb.get("text", pd.Series(dtype=str)).dropna().astype(str) if t.strip()][:6]
    lines = [("“" + q[:60] + ("…" if len(q) > 60 else "") + "”", 16, {}) for q in quotes]
    x = Inches(5.8)
    if lines:
        _text(s, x, Inches(1.6), W - x - MARGIN, H - Inches(2.3), lines)


def _definitions_slide(prs: Any, report: Report) -> None:
    lang = report.lang
    s = _blank(prs)
    _title(s, report, tr("definitions", lang))
    sep = "、" if lang == "zh" else ", "
    lines = [(tr("def_rate", lang), 16, {})]
    for spec in report.definition.values():
        scale = spec.get("title_zh" if lang == "zh" else "title_en", "")
        lines.append((tr("def_satisfied", lang, scale=scale, labels=sep.join(spec.get("satisfied", []))), 16, {}))
    lines += [(tr(k, lang), 16, {}) for k in ("def_excluded", "def_interval", "def_change")]
    lines.append((tr("def_flag_on" if report.exclude_flagged else "def_flag_off", lang), 16, {}))
    lines.append((tr("def_anon", lang, k=report.min_group), 16, {}))
    _text(s, MARGIN, Inches(1.3), W - 2 * MARGIN, Inches(3.0), lines)
    src = report.sources
    if len(src):
        rows = [[str(r.wave), str(r.filename), "" if pd.isna(r.uploaded_at) else f"{pd.Timestamp(r.uploaded_at):%Y-%m-%d}",
                 "" if pd.isna(r.uploaded_by) else str(r.uploaded_by), str(r.sha256)] for r in src.tail(6).itertuples()]
        header = [tr("wave", lang), tr("file", lang), tr("uploaded_at", lang), tr("uploaded_by", lang), tr("sha256", lang)]
        _table(s, MARGIN, Inches(4.45), W - 2 * MARGIN, header, rows, [2.6, 4.2, 1.5, 1.2, 1.7], size=12, row_h=0.36)


def write(report: Report) -> bytes:
    """The report as .pptx bytes."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = W, H
    _title_slide(prs, report)
    _overview_slide(prs, report)
    for row in report.areas.itertuples(index=False):
        if row.n_valid > 0:
            _area_slide(prs, report, str(row.area), str(row.name), pd.Series(row._asdict()))
    _trend_slide(prs, report)
    _actions_slides(prs, report)
    _feedback_slide(prs, report)
    _definitions_slide(prs, report)
    for slide in prs.slides:
        _east_asian(slide.shapes._spTree)
        for shape in slide.shapes:
            if shape.has_chart:
                _east_asian(shape.chart._chartSpace)
            if shape.has_table:
                for cell in (c for r in shape.table.rows for c in r.cells):
                    cell.fill.solid()
                    cell.fill.fore_color.rgb = RGBColor(0xF4, 0xF7, 0xFA)
        _header_fill(slide)
    prs.core_properties.title = f"{report.wave_name} {tr('title', report.lang)}"
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def _header_fill(slide: Any) -> None:
    for shape in slide.shapes:
        if shape.has_table:
            for cell in shape.table.rows[0].cells:
                cell.fill.solid()
                cell.fill.fore_color.rgb = BLUE
