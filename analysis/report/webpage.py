"""The report as one self-contained HTML file (interactive plotly charts, plotly.js inlined).

The same document, with static charts (CSS bars and inline SVG instead of plotly), is what
``analysis.report.pdf`` prints: :func:`document` builds both. Every text that came from a file or
a person (wave, item and group names, comments, 整改 entries) is escaped with ``html.escape``;
chart labels go through ``analysis.charts.chart_text`` (``<`` escaped for plotly) when present.
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd

from analysis import charts
from analysis.report.model import Report
from analysis.report.text import num, pct, pp, tr

__all__ = ["write", "document", "CSS"]

_esc = html.escape


def _plot_text(text: Any) -> str:
    fn = getattr(charts, "chart_text", None)
    return fn(str(text)) if fn is not None else str(text).replace("<", "&lt;")


CSS = """
:root { --ink: #1b2733; --muted: #55606b; --blue: #0072B2; --line: #d9dee4; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1100px; padding: 24px; line-height: 1.45; font-size: 14px; }
h1 { font-size: 28px; margin: 0 0 4px; } h2 { font-size: 20px; margin: 28px 0 8px; border-bottom: 2px solid var(--blue);
     padding-bottom: 4px; } h3 { font-size: 16px; margin: 18px 0 6px; }
.meta, .note { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 12.5px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: right; vertical-align: top; }
th { background: #eef3f8; } th:first-child, td:first-child, td.text, th.text { text-align: left; }
td.hidden { color: #888; font-style: italic; }
.headline { font-size: 44px; font-weight: 700; color: var(--blue); margin: 0; }
.bars .row { display: flex; align-items: center; margin: 2px 0; font-size: 12.5px; }
.bars .label { width: 38%; padding-right: 8px; text-align: right; }
.bars .track { flex: 1; position: relative; height: 16px; background: #f3f5f7; }
.bars .fill { position: absolute; top: 0; bottom: 0; background: var(--blue); }
.bars .seg { position: absolute; top: 0; bottom: 0; }
.bars .zero { position: absolute; top: -2px; bottom: -2px; width: 1px; background: #444; }
.bars .value { width: 64px; padding-left: 6px; }
.legend span { display: inline-block; margin-right: 12px; font-size: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
.section { break-inside: avoid-page; }
.star { color: #b35806; }
#footer { font-size: 9px; color: var(--muted); }
@media print { body { max-width: none; padding: 0; } }
"""

PDF_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm;
        @bottom-left { content: element(footer); width: 80%; }
        @bottom-right { content: counter(page) " / " counter(pages); font-size: 9px; color: #55606b;
                        font-family: "Noto Sans CJK SC", sans-serif; } }
#footer { position: running(footer); }
h2 { break-after: avoid; } .area { break-before: auto; }
body { font-size: 11.5px; } table { font-size: 10.5px; table-layout: fixed; }
th:first-child { width: 30%; }
"""


def _table(header: list[str], rows: list[list[tuple[str, str]]]) -> str:
    """An HTML table; each cell is (text, css class). Text is escaped here."""
    head = "".join(f"<th>{_esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f'<td class="{c}">{_esc(t)}</td>' for t, c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _change(diff: Any, sig: Any, lang: str) -> str:
    if diff is None or pd.isna(diff):
        return "—"
    return pp(diff, lang) + (" ★" if bool(sig) else "")


def _definition_lines(report: Report) -> list[str]:
    lang = report.lang
    sep = "、" if lang == "zh" else ", "
    lines = [tr("def_rate", lang)]
    for spec in report.definition.values():
        scale = spec.get("title_zh" if lang == "zh" else "title_en", "")
        lines.append(tr("def_satisfied", lang, scale=scale, labels=sep.join(spec.get("satisfied", []))))
    lines += [tr(k, lang) for k in ("def_excluded", "def_interval", "def_change")]
    lines.append(tr("def_basic_on" if report.basic_satisfied else "def_basic_off", lang))
    lines.append(tr("def_flag_on" if report.exclude_flagged else "def_flag_off", lang))
    lines.append(tr("def_anon", lang, k=report.min_group))
    return lines


# --- charts: interactive (plotly) or static (CSS / SVG) ------------------------------------------------


def _rate_bars(report: Report, a: pd.DataFrame, static: bool) -> str:
    if static:
        rows = "".join(
            f'<div class="row"><div class="label">{_esc(str(r.name))}</div><div class="track">'
            f'<div class="fill" style="left:0;width:{_w(r.satisfaction_rate)}%"></div></div>'
            f'<div class="value">{pct(r.satisfaction_rate)}</div></div>'
            for r in a.itertuples()
        )
        return f'<div class="bars">{rows}</div>'
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(
        x=list(a["satisfaction_rate"].astype(float)), y=[_plot_text(n) for n in a["name"]], orientation="h",
        marker={"color": charts.QUALITATIVE[0]}, text=[pct(v) for v in a["satisfaction_rate"]], textposition="outside",
        customdata=[[pct(lo), pct(hi), int(n)] for lo, hi, n in zip(a["ci_low"], a["ci_high"], a["n_valid"], strict=True)],
        hovertemplate="%{y}: %{text} (%{customdata[0]}–%{customdata[1]}), n=%{customdata[2]}<extra></extra>",
    ))
    fig.update_xaxes(range=[0, 1.08], tickformat=".0%")
    fig.update_yaxes(autorange="reversed", automargin=True)
    charts.apply_theme(fig, height=90 + 30 * len(a))
    return _plotly_div(fig)


def _w(v: Any) -> float:
    return 0.0 if v is None or pd.isna(v) else round(max(0.0, min(1.0, float(v))) * 100, 2)


def _likert(report: Report, area: str, static: bool) -> str:
    table = charts.likert_table(report.counts, report.items, report.lang, area)
    if not len(table):
        return ""
    if not static:
        table = table.assign(item_label=[_plot_text(x) for x in table["item_label"]],
                             answer=[_plot_text(x) for x in table["answer"]])
        return _plotly_div(charts.make_likert_figure(table, lang=report.lang))
    # static diverging bars: below-midpoint answers left of zero, the neutral one split across it
    k = int(table["k"].max())
    colors = charts.likert_colors(k)
    left = 0.0
    per_item: dict[str, dict[int, float]] = {}
    for r in table.itertuples():
        per_item.setdefault(str(r.item_label), {})[int(r.code)] = float(r.share)
    mid = (k + 1) / 2
    for shares in per_item.values():
        neg = sum(s for c, s in shares.items() if c < mid) + (shares.get(int(mid), 0.0) / 2 if mid == int(mid) else 0)
        left = max(left, neg)
    left = min(1.0, max(0.25, math.ceil((left + 0.05) * 4) / 4))
    span = left + 1.0
    rows = []
    for label, shares in per_item.items():
        segs = []
        pos = left - sum(s for c, s in shares.items() if c < mid) - (shares.get(int(mid), 0.0) / 2 if mid == int(mid) else 0)
        for code in range(1, k + 1):
            s = shares.get(code, 0.0)
            segs.append(f'<div class="seg" style="left:{pos / span * 100:.2f}%;width:{s / span * 100:.2f}%;'
                        f'background:{colors[code - 1]}"></div>')
            pos += s
        rows.append(f'<div class="row"><div class="label">{_esc(label)}</div><div class="track">{"".join(segs)}'
                    f'<div class="zero" style="left:{left / span * 100:.2f}%"></div></div><div class="value"></div></div>')
    answers = table.drop_duplicates("code").set_index("code")["answer"].astype(str).to_dict()
    legend = "".join(f'<span><i style="background:{colors[c - 1]}"></i>{_esc(answers.get(c, str(c)))}</span>'
                     for c in range(1, k + 1))
    return f'<div class="legend">{legend}</div><div class="bars">{"".join(rows)}</div>'


def _trend_chart(report: Report, static: bool) -> str:
    t = report.trend
    labels = list(dict.fromkeys(t["label"].astype(str)))
    if len(labels) < 2:
        return ""
    if not static:
        fig = charts.make_trend_figure(t.assign(wave=t["label"], name=[_plot_text(n) for n in t["name"]],
                                                color=[charts.area_color(k) for k in t["key"]]), lang=report.lang)
        return _plotly_div(fig)
    # static SVG line chart
    w, h, pad_l, pad_b, pad_t, pad_r = 900, 360, 48, 28, 10, 170
    rates = t["satisfaction_rate"].astype(float)
    lo = max(0.0, math.floor((float(rates.min()) - 0.05) * 10) / 10) if rates.notna().any() else 0.0
    x_of = {lab: pad_l + i * (w - pad_l - pad_r) / (len(labels) - 1) for i, lab in enumerate(labels)}

    def y_of(v: float) -> float:
        return pad_t + (1.0 - v) / (1.0 - lo) * (h - pad_t - pad_b)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" '
             'font-family="Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif" font-size="12">']
    for i in range(int(round((1.0 - lo) * 10)) + 1):
        v = lo + i / 10
        y = y_of(v)
        parts.append(f'<line x1="{pad_l}" x2="{w - pad_r}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e5e5"/>'
                     f'<text x="{pad_l - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{v * 100:.0f}%</text>')
    for lab, x in x_of.items():
        parts.append(f'<text x="{x:.1f}" y="{h - 8}" text-anchor="middle" fill="#555">{_esc(lab)}</text>')
    names = [str(n) for n in report.areas["name"] if str(n) in set(t["name"].astype(str))]
    key_of = dict(zip(report.areas["name"].astype(str), report.areas["area"].astype(str), strict=True))
    for i, name in enumerate(names):
        color = charts.area_color(key_of.get(name))
        part = t[t["name"].astype(str) == name]
        pts = [(x_of[str(lab)], y_of(float(v))) for lab, v in zip(part["label"], part["satisfaction_rate"], strict=True)
               if pd.notna(v)]
        if not pts:
            continue
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>' for x, y in pts]
        ly = pad_t + 8 + i * 18
        parts.append(f'<rect x="{w - pad_r + 14}" y="{ly - 8}" width="10" height="10" fill="{color}"/>'
                     f'<text x="{w - pad_r + 30}" y="{ly + 1}" fill="#1b2733">{_esc(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _plotly_div(fig: Any) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False, "responsive": True})


# --- the document --------------------------------------------------------------------------------------


def _rows_area(report: Report, a: pd.DataFrame) -> list[list[tuple[str, str]]]:
    lang = report.lang
    return [[(str(r.name), "text"), (pct(r.satisfaction_rate), ""), (f"{pct(r.ci_low)}–{pct(r.ci_high)}", ""),
             (f"{int(r.n_valid):,}", ""), (num(r.index100, 1), ""), (_change(r.diff_pp, r.significant, lang), "")]
            for r in a.itertuples()]


def _breakdown(report: Report, gb: pd.DataFrame) -> str:
    lang = report.lang
    if not len(gb):
        return ""
    groups = list(dict.fromkeys(gb["group"].astype(str)))
    names = list(dict.fromkeys(gb["name"].astype(str)))
    cell: dict[tuple[str, str], tuple[str, str]] = {}
    for r in gb.itertuples():
        if bool(r.suppressed):
            cell[(str(r.group), str(r.name))] = (tr("hidden", lang), "hidden")
        else:
            cell[(str(r.group), str(r.name))] = (f"{pct(r.satisfaction_rate)} · n={int(r.n_valid):,}", "")
    rows = [[(g, "text")] + [cell.get((g, n), ("—", "")) for n in names] for g in groups]
    note = f'<p class="note">{_esc(tr("hidden_note", lang, k=report.min_group))}</p>'
    return f"<h3>{_esc(tr('breakdown', lang))}</h3>" + _table([tr("group", lang), *names], rows) + note


def _frame_table(df: pd.DataFrame, headers: dict[str, str]) -> str:
    cols = [c for c in headers if c in df.columns]
    rows = []
    for r in df[cols].itertuples(index=False):
        out = []
        for v in r:
            if isinstance(v, list | tuple):
                v = "、".join(map(str, v))
            elif v is None or (not isinstance(v, str) and pd.isna(v)):
                v = "—"
            elif isinstance(v, float) and 0 <= v <= 1:
                v = pct(v)
            out.append((str(v), "text"))
        rows.append(out)
    return _table([headers[c] for c in cols], rows)


def document(report: Report, *, static: bool = False) -> str:
    """The report as an HTML document; ``static`` → CSS/SVG charts and print CSS (for the PDF)."""
    lang = report.lang
    w = report.wave
    meta = [str(w.get(c)) for c in ("unit", "period") if w.get(c) is not None and not pd.isna(w.get(c))]
    made = f"{tr('made_at', lang)} {report.generated_at:%Y-%m-%d %H:%M} · {tr('data_version', lang)} {report.data_version[:12]}"
    out = [f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
           f"<title>{_esc(report.wave_name)} · {_esc(tr('title', lang))}</title>",
           f"<style>{CSS}{PDF_CSS if static else ''}</style>"]
    if not static:
        from plotly.offline import get_plotlyjs

        out.append(f"<script>{get_plotlyjs()}</script>")
    out.append("</head><body>")
    foot_def = "; ".join(_definition_lines(report)[1:2] + [tr("def_flag_on" if report.exclude_flagged else "def_flag_off", lang)])
    if static:  # the PDF's running footer (every page); the web page states the same in its header
        out.append(f'<div id="footer">{_esc(report.wave_name)} · {_esc(foot_def)} · {_esc(made)}</div>')
    out.append(f"<h1>{_esc(report.wave_name)} · {_esc(tr('title', lang))}</h1>")
    out.append(f'<p class="meta">{_esc(" · ".join(meta))} · {_esc(tr("responses", lang))} {report.n:,} · {_esc(made)}</p>')

    a = report.areas[report.areas["n_valid"] > 0]
    head = a[a["area"] == "overall"]
    out.append(f'<div class="section"><h2>{_esc(tr("overview", lang))}</h2>')
    if len(head):
        h = head.iloc[0]
        out.append(f'<p class="meta">{_esc(tr("headline", lang))}</p><p class="headline">{pct(h["satisfaction_rate"])}</p>'
                   f'<p class="meta">{_esc(tr("ci", lang))} {pct(h["ci_low"])}–{pct(h["ci_high"])} · n={int(h["n_valid"]):,}'
                   f' · {_esc(tr("change_short", lang))} {_esc(_change(h["diff_pp"], h["significant"], lang))}</p>')
    if report.previous:
        out.append(f'<p class="note">{_esc(tr("prev_wave", lang))}: {_esc(report.previous)}</p>')
    out.append(_rate_bars(report, a, static))
    header = [tr("area", lang), tr("rate", lang), tr("ci", lang), "n", tr("index100", lang), tr("change_short", lang)]
    out.append(_table(header, _rows_area(report, a)) + "</div>")
    if len(report.breakdown):
        out.append(f'<div class="section">{_breakdown(report, report.breakdown)}</div>')

    for r in a.itertuples():
        area = str(r.area)
        items = report.area_items(area)
        out.append(f'<div class="section area"><h2>{_esc(str(r.name))} · {pct(r.satisfaction_rate)}</h2>')
        out.append(f'<p class="meta">{_esc(tr("ci", lang))} {pct(r.ci_low)}–{pct(r.ci_high)} · n={int(r.n_valid):,} · '
                   f'{_esc(tr("change_short", lang))} {_esc(_change(r.diff_pp, r.significant, lang))}</p>')
        out.append(_likert(report, area, static))
        rows = [[(str(i.label), "text"), (pct(i.satisfaction_rate), ""), (f"{pct(i.ci_low)}–{pct(i.ci_high)}", ""),
                 (f"{int(i.n_valid):,}", ""), (num(i.mean), ""), (_change(i.diff_pp, i.significant, lang), "")]
                for i in items.itertuples()]
        out.append(_table([tr("item", lang), tr("rate", lang), tr("ci", lang), "n", tr("mean", lang),
                           tr("change_short", lang)], rows))
        gb = report.item_breakdown
        if len(gb) and not static:  # the PDF keeps the area × group table (above); items × groups are in Excel
            gb = gb[gb["key"].isin(set(items["item"]))]
            out.append(_breakdown(report, gb))
        out.append("</div>")

    trend = _trend_chart(report, static)
    if trend:
        t = report.trend
        out.append(f'<div class="section"><h2>{_esc(tr("trend", lang))}</h2>{trend}')
        rows = [[(str(r.label), "text"), (str(r.name), "text"), (pct(r.satisfaction_rate), ""),
                 (f"{pct(r.ci_low)}–{pct(r.ci_high)}", ""), (f"{int(r.n_valid):,}", ""),
                 (_change(r.diff_pp, r.significant, lang), "")] for r in t.itertuples()]
        if not static:
            out.append(_table([tr("period", lang), tr("area", lang), tr("rate", lang), tr("ci", lang), "n",
                               tr("change_short", lang)], rows))
        out.append("</div>")

    if report.actions is not None:
        heads = {"problem": tr("problem", lang), "area": tr("area", lang), "measure": tr("measure", lang),
                 "owner": tr("owner", lang), "deadline": tr("deadline", lang), "status": tr("status", lang),
                 "target_text": tr("target", lang), "verdict": tr("verdict", lang), "measured_rate": tr("measured", lang)}
        out.append(f'<div><h2>{_esc(tr("actions", lang))}</h2>{_frame_table(report.actions, heads)}</div>')
    if report.feedback is not None:
        heads = {"date": tr("date", lang), "channel": tr("channel", lang), "group": tr("group", lang),
                 "areas": tr("area", lang), "tone": tr("tone", lang), "text": tr("text", lang)}
        fb = report.feedback.head(30)
        out.append(f'<div><h2>{_esc(tr("feedback", lang))}</h2><p class="note">{_esc(tr("count", lang))} '
                   f'{len(report.feedback):,}</p>{_frame_table(fb, heads)}</div>')

    out.append(f'<div class="section"><h2>{_esc(tr("definitions", lang))}</h2>')
    out.append("".join(f"<p>{_esc(line)}</p>" for line in _definition_lines(report)))
    out.append(f"<h3>{_esc(tr('sources', lang))}</h3>")
    src = report.sources
    rows = [[(str(r.wave), "text"), (str(r.filename), "text"),
             ("" if pd.isna(r.uploaded_at) else f"{pd.Timestamp(r.uploaded_at):%Y-%m-%d %H:%M}", "text"),
             ("" if pd.isna(r.uploaded_by) else str(r.uploaded_by), "text"), (str(r.sha256), "text")]
            for r in src.itertuples()]
    out.append(_table([tr("wave", lang), tr("file", lang), tr("uploaded_at", lang), tr("uploaded_by", lang),
                       tr("sha256", lang)], rows))
    out.append("</div></body></html>")
    return "".join(out)


def write(report: Report) -> bytes:
    """The report as one self-contained .html file (UTF-8)."""
    return document(report).encode("utf-8")
