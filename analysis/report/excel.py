"""The report as an Excel workbook (xlsxwriter): numbers as numbers, native charts, filters.

Sheets: 摘要 (the wave, the area rates and a bar chart), one sheet per service area (items ranked,
the answer distribution as a 100% stacked bar, the breakdown by respondent group), 题目 (every
item), 趋势 (the series' trend with a line chart), 整改 / 反馈 when the store has them, and 口径
(definitions and data sources). Every table has a frozen header row and an autofilter.

Respondents' and managers' text goes through ``write_string`` in a workbook opened with
``strings_to_formulas`` off, so ``=HYPERLINK(...)`` in a comment stays text (TIPS.md, xlsxwriter);
computed figures are written as numbers (rates with a % format), never as formulas.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import xlsxwriter

from analysis.report.model import Report
from analysis.report.text import tr

__all__ = ["write", "sheet_name"]

_BAD_SHEET_CHARS = '[]:*?/\\'
_FONT = "Microsoft YaHei"


@dataclass(frozen=True)
class Col:
    """One column of a table: header, values, kind (text | pct | int | num | pp | flag) and width."""

    header: str
    values: Sequence[Any]
    kind: str = "text"
    width: float = 12


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (≤ 31 characters, none of ``[]:*?/\\``)."""
    clean = "".join("·" if c in _BAD_SHEET_CHARS else c for c in str(name)).strip("'") or "Sheet"
    clean = clean[:31]
    out, i = clean, 2
    while out.lower() in {t.lower() for t in taken}:
        suffix = f" ({i})"
        out = clean[: 31 - len(suffix)] + suffix
        i += 1
    taken.add(out)
    return out


def _missing(v: Any) -> bool:
    if v is None or v is pd.NA:
        return True
    try:
        return isinstance(v, float) and math.isnan(v) or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


class _Book:
    def __init__(self, buf: io.BytesIO) -> None:
        self.wb = xlsxwriter.Workbook(buf, {"strings_to_formulas": False, "strings_to_urls": False,
                                            "strings_to_numbers": False, "nan_inf_to_errors": False,
                                            "in_memory": True})
        base = {"font_name": _FONT, "font_size": 10}
        self.f = {
            "text": self.wb.add_format({**base, "text_wrap": False}),
            "wrap": self.wb.add_format({**base, "text_wrap": True, "valign": "top"}),
            "head": self.wb.add_format({**base, "bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True,
                                        "valign": "vcenter"}),
            "pct": self.wb.add_format({**base, "num_format": "0.0%"}),
            "int": self.wb.add_format({**base, "num_format": "#,##0"}),
            "num": self.wb.add_format({**base, "num_format": "0.00"}),
            "pp": self.wb.add_format({**base, "num_format": "+0.0;-0.0;0.0"}),
            "flag": self.wb.add_format({**base, "align": "center"}),
            "title": self.wb.add_format({"font_name": _FONT, "font_size": 16, "bold": True}),
            "h2": self.wb.add_format({"font_name": _FONT, "font_size": 12, "bold": True, "font_color": "#1F4E79"}),
            "note": self.wb.add_format({"font_name": _FONT, "font_size": 9, "font_color": "#555555"}),
            "hidden": self.wb.add_format({**base, "font_color": "#888888", "italic": True}),
        }
        self.taken: set[str] = set()
        self.filtered: set[str] = set()

    def sheet(self, name: str):
        ws = self.wb.add_worksheet(sheet_name(name, self.taken))
        ws.hide_gridlines(2)
        return ws

    def text(self, ws, row: int, col: int, value: Any, fmt: str = "text") -> None:
        ws.write_string(row, col, "" if _missing(value) else str(value), self.f[fmt])

    def table(self, ws, row: int, col: int, cols: list[Col], *, hidden: Sequence[bool] | None = None,
              hidden_text: str = "", freeze: bool = False) -> tuple[int, int]:
        """Write a table with its header at ``row``; returns (first data row, last data row)."""
        n = max((len(c.values) for c in cols), default=0)
        for j, c in enumerate(cols):
            ws.write_string(row, col + j, c.header, self.f["head"])
            ws.set_column(col + j, col + j, c.width)
            for i, v in enumerate(c.values):
                r = row + 1 + i
                if hidden is not None and hidden[i] and c.kind in ("pct", "int", "num", "pp"):
                    ws.write_string(r, col + j, hidden_text, self.f["hidden"])
                elif c.kind == "text":
                    self.text(ws, r, col + j, v, "wrap" if c.width >= 40 else "text")
                elif c.kind == "flag":
                    ws.write_string(r, col + j, "★" if (not _missing(v) and bool(v)) else "", self.f["flag"])
                elif _missing(v):
                    ws.write_blank(r, col + j, None, self.f[c.kind])
                else:
                    ws.write_number(r, col + j, float(v), self.f[c.kind])
        if cols and ws.get_name() not in self.filtered:  # Excel keeps one autofilter per sheet: the first table's
            ws.autofilter(row, col, row + max(n, 1), col + len(cols) - 1)
            self.filtered.add(ws.get_name())
        if freeze:
            ws.freeze_panes(row + 1, 0)
        ws.set_row(row, 30)
        return row + 1, row + n


def _header(book: _Book, ws, report: Report, title: str) -> int:
    lang = report.lang
    book.text(ws, 0, 0, title, "title")
    w = report.wave
    parts = [str(w.get(c)) for c in ("name", "unit", "period") if not _missing(w.get(c)) and str(w.get(c))]
    book.text(ws, 1, 0, " · ".join(parts), "note")
    book.text(ws, 2, 0, f"{tr('responses', lang)} {report.n:,} · {_definition_line(report)} · "
                        f"{tr('data_version', lang)} {report.data_version} · {tr('made_at', lang)} "
                        f"{report.generated_at:%Y-%m-%d %H:%M}", "note")
    return 4


def _definition_line(report: Report) -> str:
    lang = report.lang
    sep = "、" if lang == "zh" else ", "
    parts = []
    for spec in report.definition.values():
        scale = spec.get("title_zh" if lang == "zh" else "title_en", "")
        parts.append(tr("def_satisfied", lang, scale=scale, labels=sep.join(spec.get("satisfied", []))))
    return "; ".join(parts)


def _bar_chart(book: _Book, sheet: str, first: int, last: int, cat_col: int, val_col: int, title: str,
               n_bars: int) -> Any:
    chart = book.wb.add_chart({"type": "bar"})
    chart.add_series({
        "name": title,
        "categories": [sheet, first, cat_col, last, cat_col],
        "values": [sheet, first, val_col, last, val_col],
        "data_labels": {"value": True, "num_format": "0.0%", "font": {"name": _FONT}},
        "fill": {"color": "#0072B2"},
        "gap": 60,
    })
    chart.set_title({"name": title, "name_font": {"name": _FONT, "size": 12}})
    chart.set_legend({"none": True})
    chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%", "num_font": {"name": _FONT},
                      "major_gridlines": {"visible": True, "line": {"color": "#DDDDDD"}}})
    chart.set_y_axis({"reverse": True, "num_font": {"name": _FONT, "size": 10}})  # reading order top → bottom
    chart.set_size({"width": 620, "height": max(260, 60 + 30 * n_bars)})
    return chart


def _summary_sheet(book: _Book, report: Report) -> None:
    lang = report.lang
    ws = book.sheet(tr("summary", lang))
    row = _header(book, ws, report, f"{report.wave_name} · {tr('title', lang)}")
    a = report.areas
    book.text(ws, row, 0, tr("overview", lang), "h2")
    cols = [
        Col(tr("area", lang), list(a["name"]), "text", 18),
        Col(tr("rate", lang), list(a["satisfaction_rate"]), "pct", 10),
        Col(tr("ci_low", lang), list(a["ci_low"]), "pct", 11),
        Col(tr("ci_high", lang), list(a["ci_high"]), "pct", 11),
        Col(tr("n_valid", lang), list(a["n_valid"]), "int", 11),
        Col(tr("n_satisfied", lang), list(a["n_satisfied"]), "int", 9),
        Col(tr("n_items", lang), list(a["n_items"]), "int", 8),
        Col(tr("mean", lang), list(a["mean"]), "num", 8),
        Col(tr("index100", lang), list(a["index100"]), "num", 10),
        Col(tr("change", lang), list(a["diff_pp"]), "pp", 12),
        Col(tr("significant", lang), list(a["significant"]), "flag", 9),
    ]
    first, last = book.table(ws, row + 1, 0, cols, freeze=True)
    if len(a):
        chart = _bar_chart(book, ws.get_name(), first, last, 0, 1, tr("rate", lang), len(a))
        ws.insert_chart(last + 2, 0, chart)
    if report.previous:
        book.text(ws, row, 4, f"{tr('prev_wave', lang)}: {report.previous}", "note")


def _area_sheet(book: _Book, report: Report, area: str, name: str) -> None:
    lang = report.lang
    ws = book.sheet(name)
    row = _header(book, ws, report, f"{name} · {tr('items_ranked', lang)}")
    items = report.area_items(area)
    cols = [
        Col(tr("item", lang), list(items["label"]), "text", 30),
        Col(tr("rate", lang), list(items["satisfaction_rate"]), "pct", 10),
        Col(tr("ci_low", lang), list(items["ci_low"]), "pct", 11),
        Col(tr("ci_high", lang), list(items["ci_high"]), "pct", 11),
        Col(tr("n_valid", lang), list(items["n_valid"]), "int", 11),
        Col(tr("mean", lang), list(items["mean"]), "num", 8),
        Col(tr("index100", lang), list(items["index100"]), "num", 10),
        Col(tr("change", lang), list(items["diff_pp"]), "pp", 12),
        Col(tr("significant", lang), list(items["significant"]), "flag", 9),
    ]
    first, last = book.table(ws, row, 0, cols, freeze=True)
    row = last + 2

    # distribution: one column per answer (best first), shares as numbers, one chart
    counts = report.counts[report.counts["item"].isin(set(items["item"]))]
    if len(counts):
        book.text(ws, row, 0, tr("distribution", lang), "h2")
        labels = list(dict.fromkeys(counts["label"].astype(str)))
        wide = counts.pivot_table(index="item", columns="label", values="share", aggfunc="sum", sort=False)
        wide = wide.reindex(index=list(items["item"]), columns=labels)
        label_of = dict(zip(items["item"], items["label"].astype(str), strict=True))
        dcols = [Col(tr("item", lang), [label_of[i] for i in wide.index], "text", 30)]
        dcols += [Col(lab, list(wide[lab]), "pct", 10) for lab in labels]
        d_first, d_last = book.table(ws, row + 1, 0, dcols)
        chart = book.wb.add_chart({"type": "bar", "subtype": "percent_stacked"})
        colours = _likert_colours(len(labels))
        for j in range(len(labels)):
            chart.add_series({
                "name": [ws.get_name(), row + 1, 1 + j],
                "categories": [ws.get_name(), d_first, 0, d_last, 0],
                "values": [ws.get_name(), d_first, 1 + j, d_last, 1 + j],
                "fill": {"color": colours[j]},
                "gap": 50,
            })
        chart.set_title({"name": tr("distribution", lang), "name_font": {"name": _FONT, "size": 12}})
        chart.set_y_axis({"reverse": True, "num_font": {"name": _FONT}})
        chart.set_x_axis({"num_format": "0%", "num_font": {"name": _FONT}})
        chart.set_legend({"position": "bottom", "font": {"name": _FONT}})
        chart.set_size({"width": 720, "height": max(280, 90 + 30 * len(wide))})
        ws.insert_chart(d_first - 1, len(dcols) + 1, chart)
        row = d_last + 2

    # breakdown by respondent group (hidden cells as the pages hide them)
    gb = report.item_breakdown
    gb = gb[gb["key"].isin(set(items["item"]))] if len(gb) else gb
    if len(gb):
        book.text(ws, row, 0, tr("breakdown", lang), "h2")
        book.text(ws, row + 1, 0, tr("hidden_note", lang, k=report.min_group), "note")
        _breakdown_table(book, ws, row + 2, gb, report)


def _breakdown_table(book: _Book, ws, row: int, gb: pd.DataFrame, report: Report) -> tuple[int, int]:
    lang = report.lang
    hidden = list(gb["suppressed"].fillna(False).astype(bool))
    cols = [
        Col(tr("group", lang), list(gb["group"]), "text", 14),
        Col(tr("item" if "area" in gb.columns else "area", lang), list(gb["name"]), "text", 30),
        Col(tr("rate", lang), list(gb["satisfaction_rate"]), "pct", 10),
        Col(tr("ci_low", lang), list(gb["ci_low"]), "pct", 11),
        Col(tr("ci_high", lang), list(gb["ci_high"]), "pct", 11),
        Col(tr("n_valid", lang), list(gb["n_valid"]), "int", 11),
    ]
    return book.table(ws, row, 0, cols, hidden=hidden, hidden_text=tr("hidden", lang))


def _likert_colours(n: int) -> list[str]:
    """Colours best → worst for ``n`` answers (analysis.charts.likert_colors, reversed)."""
    from analysis.charts import likert_colors

    return list(reversed(likert_colors(max(n, 2))))[:n]


def _items_sheet(book: _Book, report: Report) -> None:
    lang = report.lang
    ws = book.sheet(tr("item", lang))
    it = report.items
    cols = [
        Col(tr("area", lang), list(it["area_name"]), "text", 16),
        Col(tr("item", lang), list(it["label"]), "text", 32),
        Col(tr("rate", lang), list(it["satisfaction_rate"]), "pct", 10),
        Col(tr("ci_low", lang), list(it["ci_low"]), "pct", 11),
        Col(tr("ci_high", lang), list(it["ci_high"]), "pct", 11),
        Col(tr("n_valid", lang), list(it["n_valid"]), "int", 11),
        Col(tr("n_satisfied", lang), list(it["n_satisfied"]), "int", 9),
        Col(tr("mean", lang), list(it["mean"]), "num", 8),
        Col(tr("index100", lang), list(it["index100"]), "num", 10),
        Col(tr("change", lang), list(it["diff_pp"]), "pp", 12),
        Col(tr("significant", lang), list(it["significant"]), "flag", 9),
    ]
    book.table(ws, 0, 0, cols, freeze=True)


def _trend_sheet(book: _Book, report: Report) -> None:
    lang = report.lang
    tdf = report.trend
    if tdf["wave"].nunique() < 2:
        return
    ws = book.sheet(tr("trend", lang))
    cols = [
        Col(tr("wave", lang), list(tdf["wave"]), "text", 24),
        Col(tr("period", lang), list(tdf["label"]), "text", 10),
        Col(tr("area", lang), list(tdf["name"]), "text", 16),
        Col(tr("rate", lang), list(tdf["satisfaction_rate"]), "pct", 10),
        Col(tr("ci_low", lang), list(tdf["ci_low"]), "pct", 11),
        Col(tr("ci_high", lang), list(tdf["ci_high"]), "pct", 11),
        Col(tr("n_valid", lang), list(tdf["n_valid"]), "int", 11),
        Col(tr("change", lang), list(tdf["diff_pp"]), "pp", 12),
        Col(tr("p_value", lang), list(tdf["p_value"]), "num", 8),
        Col(tr("significant", lang), list(tdf["significant"]), "flag", 9),
        Col(tr("best", lang), list(tdf["best_on_record"]), "flag", 9),
    ]
    book.table(ws, 0, 0, cols, freeze=True)
    # a wide table (waves × areas) beside it feeds the line chart
    wide = tdf.pivot_table(index="label", columns="name", values="satisfaction_rate", aggfunc="first", sort=False)
    start = len(cols) + 1
    wcols = [Col(tr("wave", lang), list(wide.index), "text", 10)]
    wcols += [Col(str(c), list(wide[c]), "pct", 10) for c in wide.columns]
    w_first, w_last = book.table(ws, 0, start, wcols)
    chart = book.wb.add_chart({"type": "line"})
    from analysis.charts import area_color

    key_of = dict(zip(report.areas["name"].astype(str), report.areas["area"].astype(str), strict=True))
    for j, name in enumerate(wide.columns):
        colour = area_color(key_of.get(str(name)))  # one colour per service area, as on the pages
        chart.add_series({
            "name": [ws.get_name(), 0, start + 1 + j],
            "categories": [ws.get_name(), w_first, start, w_last, start],
            "values": [ws.get_name(), w_first, start + 1 + j, w_last, start + 1 + j],
            "line": {"color": colour, "width": 2},
            "marker": {"type": "circle", "size": 5, "fill": {"color": colour}, "border": {"color": colour}},
        })
    chart.set_title({"name": tr("trend", lang), "name_font": {"name": _FONT, "size": 12}})
    chart.set_y_axis({"num_format": "0%", "num_font": {"name": _FONT}})
    chart.set_x_axis({"num_font": {"name": _FONT}})
    chart.set_legend({"position": "bottom", "font": {"name": _FONT}})
    chart.set_size({"width": 760, "height": 420})
    ws.insert_chart(w_last + 2, start, chart)


def _group_sheet(book: _Book, report: Report) -> None:
    if not len(report.breakdown):
        return
    lang = report.lang
    ws = book.sheet(tr("breakdown", lang))
    book.text(ws, 0, 0, tr("hidden_note", lang, k=report.min_group), "note")
    gb = report.breakdown.drop(columns=[c for c in ("area",) if c in report.breakdown.columns])
    _breakdown_table(book, ws, 1, gb, report)
    ws.freeze_panes(2, 0)


def _frame_sheet(book: _Book, name: str, df: pd.DataFrame, headers: dict[str, str]) -> None:
    """A text table (整改 board, feedback): every cell written as a string."""
    ws = book.sheet(name)
    cols = []
    for col in df.columns:
        values = [("; ".join(map(str, v)) if isinstance(v, list | tuple) else v) for v in df[col]]
        if pd.api.types.is_float_dtype(df[col]) and col.endswith("rate"):
            cols.append(Col(headers.get(col, str(col)), values, "pct", 10))
        else:
            width = 44 if col in ("text", "problem", "measure", "evidence") else 14
            cols.append(Col(headers.get(col, str(col)), [None if _missing(v) else str(v) for v in values], "text", width))
    book.table(ws, 0, 0, cols, freeze=True)


def _definitions_sheet(book: _Book, report: Report) -> None:
    lang = report.lang
    ws = book.sheet(tr("definitions", lang))
    ws.set_column(0, 0, 100)
    lines = [tr("def_rate", lang), _definition_line(report), tr("def_excluded", lang), tr("def_interval", lang),
             tr("def_change", lang), tr("def_basic_on" if report.basic_satisfied else "def_basic_off", lang),
             tr("def_flag_on" if report.exclude_flagged else "def_flag_off", lang),
             tr("def_anon", lang, k=report.min_group),
             f"{tr('data_version', lang)}: {report.data_version} · {tr('made_at', lang)}: "
             f"{report.generated_at:%Y-%m-%d %H:%M}"]
    book.text(ws, 0, 0, tr("definitions", lang), "title")
    for i, line in enumerate(lines):
        book.text(ws, 2 + i, 0, line, "wrap")
    row = 3 + len(lines)
    book.text(ws, row, 0, tr("sources", lang), "h2")
    s = report.sources
    cols = [
        Col(tr("wave", lang), list(s["wave"]), "text", 24),
        Col(tr("file", lang), list(s["filename"]), "text", 40),
        Col(tr("uploaded_at", lang), [None if _missing(v) else f"{pd.Timestamp(v):%Y-%m-%d %H:%M}"
                                      for v in s["uploaded_at"]], "text", 17),
        Col(tr("uploaded_by", lang), list(s["uploaded_by"]), "text", 12),
        Col(tr("sha256", lang), list(s["sha256"]), "text", 16),
    ]
    ws2_first = row + 1
    # the sources table sits below the text; column A keeps its wide width for the lines above
    book.table(ws, ws2_first, 0, cols)
    ws.set_column(0, 0, 60)


def write(report: Report) -> bytes:
    """The report as .xlsx bytes."""
    buf = io.BytesIO()
    book = _Book(buf)
    lang = report.lang
    _summary_sheet(book, report)
    for area, name in zip(report.areas["area"].astype(str), report.areas["name"], strict=True):
        _area_sheet(book, report, area, str(name))
    _items_sheet(book, report)
    _trend_sheet(book, report)
    _group_sheet(book, report)
    if report.actions is not None:
        _frame_sheet(book, tr("actions", lang), report.actions, _action_headers(lang))
    if report.feedback is not None:
        _frame_sheet(book, tr("feedback", lang), report.feedback, _feedback_headers(lang))
    _definitions_sheet(book, report)
    book.wb.set_properties({"title": f"{report.wave_name} {tr('title', lang)}", "comments":
                            f"{tr('data_version', lang)} {report.data_version}"})
    book.wb.close()
    return buf.getvalue()


def _action_headers(lang: str) -> dict[str, str]:
    return {"problem": tr("problem", lang), "area": tr("area", lang), "measure": tr("measure", lang),
            "owner": tr("owner", lang), "deadline": tr("deadline", lang), "status": tr("status", lang),
            "target_text": tr("target", lang), "verdict": tr("verdict", lang), "measured_rate": tr("measured", lang)}


def _feedback_headers(lang: str) -> dict[str, str]:
    return {"date": tr("date", lang), "channel": tr("channel", lang), "group": tr("group", lang),
            "areas": tr("area", lang), "tone": tr("tone", lang), "text": tr("text", lang), "status": tr("status", lang)}


