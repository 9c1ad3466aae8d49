"""Presentation mode as slides: one slide at a time, sized to the screen, stepped with a clicker.

``present=1`` hides the sidebar and shows the deck of the view's wave instead of the page: the
headline rates, one slide per service area, the trend across the series, the 整改 board. Every
figure comes from the meeting pack's model (``analysis.report.build_report`` — the same numbers as
the downloads and the pages). The slide number is the URL parameter ``slide`` (``ui.frame.PARAMS``),
so a link opens on a slide; the filters stay in the URL as on every page.

Layout is in viewport units (``vh``/``vw``) so one slide fits 1280×720 and 1920×1080 alike; long
lists shrink their rows instead of running off the screen. Next/previous: the buttons, the arrow
keys and PageDown/PageUp (what presenter clickers send) — a few lines of JavaScript forward the keys
to the buttons. Every text from the data is escaped (``html.escape``) before it reaches ``st.html``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from ui import loaders
from ui.i18n import t

__all__ = ["PRESENT_CSS", "present_nav", "show_slides", "deck", "Slide"]

_esc = html.escape

PRESENT_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
header[data-testid="stHeader"] {display: none !important;}
html, body, [data-testid="stAppViewContainer"] {font-size: 18px;}
.block-container {padding: 0.6rem 1.6rem 0 1.6rem !important; max-width: 100% !important;}
[data-testid="stMainBlockContainer"] {padding-top: 0.6rem !important; padding-bottom: 0 !important;}
.st-key-pres_bar {gap: 0.4rem;}
.st-key-pres_bar [data-testid="stPageLink"] p, .st-key-pres_bar button p {font-size: 16px;}
</style>
"""

_SLIDE_CSS = """
<style>
.pslide {height: calc(100vh - 112px); overflow: hidden; display: flex; flex-direction: column;
         font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; color: #1b2733;}
.pslide h1 {font-size: min(5.2vh, 3.2vw); margin: 0 0 0.6vh 0; padding: 0; line-height: 1.2; font-weight: 700;}
.pslide .sub {font-size: min(2.5vh, 1.6vw); color: #55606b; margin: 0 0 1.2vh 0;}
.pslide .body {flex: 1; min-height: 0; display: flex; gap: 2vw;}
.pslide .col {flex: 1; min-width: 0; display: flex; flex-direction: column; justify-content: flex-start;}
.pslide .big {font-size: min(13vh, 8vw); font-weight: 700; color: #0072B2; line-height: 1.05;}
.pslide .note {font-size: min(2.2vh, 1.4vw); color: #55606b;}
.pslide .rows {flex: 1; min-height: 0; display: flex; flex-direction: column; justify-content: space-evenly;}
.pslide .row {display: flex; align-items: center; gap: 0.8vw; font-size: var(--fs); min-height: 0;}
.pslide .lab {width: 30%; text-align: right; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;}
.pslide .track {flex: 1; position: relative; height: var(--bar); background: #f1f3f5;}
.pslide .fill {position: absolute; top: 0; bottom: 0; left: 0; background: #0072B2;}
.pslide .seg {position: absolute; top: 0; bottom: 0;}
.pslide .zero {position: absolute; top: -3px; bottom: -3px; width: 2px; background: #333;}
.pslide .val {width: 10.5em; white-space: nowrap;}
.pslide .up {color: #007a4d;} .pslide .down {color: #b35806;}
.pslide .legend {font-size: min(2.2vh, 1.4vw); margin-bottom: 0.8vh;}
.pslide .legend i {display: inline-block; width: 1em; height: 1em; margin: 0 0.3em 0 1em; vertical-align: -0.1em;}
.pslide table {border-collapse: collapse; width: 100%; font-size: var(--fs);}
.pslide td, .pslide th {border-bottom: 1px solid #d9dee4; padding: 0.5vh 0.6vw; text-align: left; vertical-align: top;}
.pslide th {background: #0072B2; color: #fff;}
.pslide .chart {flex: 1; min-height: 0; width: 100%; object-fit: contain;}
</style>
"""

# Forwards ←/→, PageUp/PageDown (presenter clickers) and space to the slide buttons (set once per tab).
_KEYS_JS = """
<script>
(function () {
  const w = window.parent && window.parent.document ? window.parent : window;
  if (w.__surveySlideKeys) return;
  w.__surveySlideKeys = true;
  w.document.addEventListener("keydown", function (e) {
    const tag = (e.target && e.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || e.altKey || e.ctrlKey || e.metaKey) return;
    const map = {ArrowRight: "pres_next", PageDown: "pres_next", " ": "pres_next",
                 ArrowLeft: "pres_prev", PageUp: "pres_prev"};
    const key = map[e.key];
    if (!key) return;
    const btn = w.document.querySelector(".st-key-" + key + " button");
    if (btn && !btn.disabled) { e.preventDefault(); btn.click(); }
  });
})();
</script>
"""


@dataclass(frozen=True)
class Slide:
    kind: str  # headline | area | trend | actions
    title: str
    html: str
    key: str = ""  # the area of an area slide


def present_nav(view: Any) -> None:
    """Kept for pages drawn in presentation mode without a deck (the data page): links and a way out."""
    from ui.frame import PAGES, state_params

    st.page_link(
        PAGES[view.page].path,
        label=t("exit_present", view.lang),
        icon=":material/close_fullscreen:",
        query_params=state_params(view.state, present=False),
    )


@st.cache_data(show_spinner=False, max_entries=32)
def _report(url: str, version: str, wave: str, lang: str, basic: bool, exclude: bool, k: int) -> Any:
    from analysis.report import report_from_store

    return report_from_store(loaders.engine(), wave, lang=lang, basic_satisfied=basic, exclude_flagged=exclude,
                             min_group=k, load=lambda w: loaders.dataset(version, w, exclude))


def _pct(x: Any) -> str:
    from analysis.report.text import pct

    return pct(x)


def _change(diff: Any, sig: Any, lang: str, *, short: bool = False) -> str:
    """The change since the previous wave, coloured; ``short`` leaves the unit to the column head."""
    if diff is None or pd.isna(diff):
        return ""
    from analysis.report.text import pp

    cls = "up" if diff >= 0 else "down"
    text = f"{float(diff):+.1f}" if short else pp(diff, lang)
    return f'<span class="{cls}">{_esc(text)}{" ★" if bool(sig) else ""}</span>'


def _sizes(n: int) -> str:
    """Row font and bar height so ``n`` rows fit the slide body (about 72vh)."""
    row = 68 / max(n, 1)  # vh per row
    fs = max(1.5, min(3.0, row * 0.42))
    bar = max(1.0, min(4.2, row * 0.55))
    return f"--fs: min({fs:.2f}vh, {fs * 0.62:.2f}vw); --bar: {bar:.2f}vh;"


def _headline(report: Any) -> Slide:
    from analysis.report.text import tr

    lang = report.lang
    a = report.areas[report.areas["n_valid"] > 0]
    head = a[a["area"] == "overall"]
    rest = a[a["area"] != "overall"] if len(head) else a
    left = ""
    if len(head):
        h = head.iloc[0]
        left = (f'<div class="col" style="flex:0 0 30%"><div class="note">{_esc(tr("headline", lang))}</div>'
                f'<div class="big">{_pct(h["satisfaction_rate"])}</div>'
                f'<div class="note">95% CI {_pct(h["ci_low"])}–{_pct(h["ci_high"])} · n={int(h["n_valid"]):,}</div>'
                f'<div class="note">{_change(h["diff_pp"], h["significant"], lang)}</div></div>')
    rows = "".join(
        f'<div class="row"><div class="lab">{_esc(str(r.name))}</div><div class="track">'
        f'<div class="fill" style="width:{_w(r.satisfaction_rate)}%"></div></div>'
        f'<div class="val">{_pct(r.satisfaction_rate)} {_change(r.diff_pp, r.significant, lang, short=True)}</div></div>'
        for r in rest.itertuples()
    )
    body = f'{left}<div class="col" style="{_sizes(len(rest) + 1)}">{_head(report)}<div class="rows">{rows}</div></div>'
    sub = " · ".join(str(report.wave.get(c)) for c in ("unit", "period") if report.wave.get(c) and not
                     pd.isna(report.wave.get(c)))
    return Slide("headline", t("pres_headline", lang), _frame(report.wave_name, sub, body))


def _head(report: Any) -> str:
    """The head over the value column: the rate and the change's unit (percentage points)."""
    from analysis.report.text import tr

    lang = report.lang
    unit = "较上次（百分点）" if lang == "zh" else "change (pp)"
    return (f'<div class="row note"><div class="lab"></div><div class="track" style="background:none"></div>'
            f'<div class="val" style="white-space:normal;font-size:0.75em">{_esc(tr("rate", lang))} · {_esc(unit)}'
            '</div></div>')


def _w(v: Any) -> float:
    return 0.0 if v is None or pd.isna(v) else round(max(0.0, min(1.0, float(v))) * 100, 2)


def _area(report: Any, row: Any) -> Slide:
    from analysis.charts import likert_colors, likert_table

    lang = report.lang
    table = likert_table(report.counts, report.items, lang, str(row.area))
    sub = (f"95% CI {_pct(row.ci_low)}–{_pct(row.ci_high)} · n={int(row.n_valid):,} "
           f"{_change(row.diff_pp, row.significant, lang)}")
    title = f"{row.name}  {_pct(row.satisfaction_rate)}"
    if not len(table):
        return Slide("area", str(row.name), _frame(title, sub, "", raw_sub=True), key=str(row.area))
    k = int(table["k"].max())
    colors = likert_colors(k)
    mid = (k + 1) / 2
    shares: dict[str, dict[int, float]] = {}
    for r in table.itertuples():
        shares.setdefault(str(r.item_label), {})[int(r.code)] = float(r.share)

    def neg(s: dict[int, float]) -> float:
        return sum(v for c, v in s.items() if c < mid) + (s.get(int(mid), 0.0) / 2 if mid == int(mid) else 0.0)

    import math

    left = min(1.0, max(0.25, math.ceil((max(neg(s) for s in shares.values()) + 0.05) * 4) / 4))
    span = left + 1.0
    # likert_table labels an item "label（n=…）" / "label (n=…)": the same key finds its rate
    label_rate = {
        (f"{r['label']}（n={int(r['n_valid'])}）" if lang == "zh" else f"{r['label']} (n={int(r['n_valid'])})"): r
        for _, r in report.area_items(str(row.area)).iterrows() if r["n_valid"] > 0
    }
    rows = []
    for lab, s in shares.items():
        pos = left - neg(s)
        segs = []
        for code in range(1, k + 1):
            v = s.get(code, 0.0)
            segs.append(f'<div class="seg" style="left:{pos / span * 100:.2f}%;width:{v / span * 100:.2f}%;'
                        f'background:{colors[code - 1]}"></div>')
            pos += v
        r = label_rate.get(lab)
        val = "" if r is None else f"{_pct(r['satisfaction_rate'])} {_change(r['diff_pp'], r['significant'], lang, short=True)}"
        rows.append(f'<div class="row"><div class="lab" title="{_esc(lab)}">{_esc(lab)}</div><div class="track">'
                    f'{"".join(segs)}<div class="zero" style="left:{left / span * 100:.2f}%"></div></div>'
                    f'<div class="val">{val}</div></div>')
    answers = table.drop_duplicates("code").set_index("code")["answer"].astype(str).to_dict()
    legend = "".join(f'<i style="background:{colors[c - 1]}"></i>{_esc(answers.get(c, str(c)))}' for c in range(1, k + 1))
    body = (f'<div class="col" style="{_sizes(len(rows) + 1)}"><div class="legend">{legend}</div>{_head(report)}'
            f'<div class="rows">{"".join(rows)}</div></div>')
    return Slide("area", str(row.name), _frame(title, sub, body, raw_sub=True), key=str(row.area))


def _trend(report: Any) -> Slide | None:
    from analysis.report.webpage import _trend_chart

    svg = _trend_chart(report, True)
    if not svg:
        return None
    labels = " → ".join(dict.fromkeys(report.trend["label"].astype(str)))
    import base64

    src = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    body = f'<div class="col"><img class="chart" src="{src}" alt="{_esc(t("pres_trend", report.lang))}"></div>'
    return Slide("trend", t("pres_trend", report.lang), _frame(t("pres_trend", report.lang), labels, body))


def _actions(report: Any) -> list[Slide]:
    df = report.actions
    if df is None or not len(df):
        return []
    from analysis.report.text import tr

    lang = report.lang
    cols = [c for c in ("problem", "measure", "owner", "deadline", "target_text", "verdict") if c in df.columns]
    per = 5  # rows per slide: wrapped Chinese text needs two lines a cell at 1280×720
    out = []
    pages = (len(df) + per - 1) // per
    for p in range(pages):
        part = df.iloc[p * per : (p + 1) * per]
        head = "".join(f"<th>{_esc(tr('target' if c == 'target_text' else c, lang))}</th>" for c in cols)
        body_rows = "".join(
            "<tr>" + "".join(f"<td>{_esc(_cell(v))}</td>" for v in r) + "</tr>" for r in part[cols].itertuples(index=False)
        )
        title = t("pres_actions", lang) + (f" ({p + 1}/{pages})" if pages > 1 else "")
        body = f'<div class="col" style="{_sizes(per + 6)}"><table><tr>{head}</tr>{body_rows}</table></div>'
        out.append(Slide("actions", title, _frame(title, report.wave_name, body)))
    return out


def _cell(v: Any) -> str:
    if isinstance(v, list | tuple):
        return "、".join(map(str, v))
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return "—"
    text = str(v)
    return text if len(text) <= 60 else text[:59] + "…"


def _frame(title: str, sub: str, body: str, *, raw_sub: bool = False) -> str:
    sub_html = sub if raw_sub else _esc(sub)
    return (f'<div class="pslide"><h1>{_esc(title)}</h1><div class="sub">{sub_html}</div>'
            f'<div class="body">{body}</div></div>')


def deck(report: Any) -> list[Slide]:
    """The slides of a report, in order: headline, areas, trend, 整改 board."""
    slides = [_headline(report)]
    for row in report.areas.itertuples():
        if row.n_valid > 0 and row.area != "overall":
            slides.append(_area(report, row))
    trend = _trend(report)
    if trend is not None:
        slides.append(trend)
    slides += _actions(report)
    return slides


def _start_slide(view: Any, slides: list[Slide]) -> int:
    """The slide a page opens on when the URL names none: its area, its trend, its board."""
    if view.page == "areas" and view.area:
        return next((i + 1 for i, s in enumerate(slides) if s.kind == "area" and s.key == view.area), 1)
    kind = {"areas": "area", "trends": "trend", "actions": "actions"}.get(view.page)
    return next((i + 1 for i, s in enumerate(slides) if s.kind == kind), 1) if kind else 1


def _go(n: int) -> None:
    """on_click of the slide buttons: the slide number into the URL (kept explicit, even for 1)."""
    st.query_params["slide"] = str(max(1, n))


def show_slides(view: Any) -> None:
    """Draw the current slide of the view's wave and the slide controls (presentation mode)."""
    from ui.frame import PAGES, state_params

    lang = view.lang
    if view.ds is None:
        present_nav(view)
        return
    from analysis.report import deployment_min_group

    try:
        report = _report(loaders.db_url(), view.version, str(view.wave), lang, bool(view.basic),
                         bool(view.exclude_flagged), deployment_min_group(loaders.engine()))
    except ValueError as exc:
        st.warning(t("error_input", lang, err=exc))
        present_nav(view)
        return
    slides = deck(report)
    total = len(slides)
    raw = st.query_params.get("slide")
    n = view.state.slide if raw is not None else _start_slide(view, slides)
    n = min(max(1, int(n)), total)
    if raw is not None and raw != str(n):
        st.query_params["slide"] = str(n)
    st.html(_SLIDE_CSS + slides[n - 1].html)
    with st.container(horizontal=True, key="pres_bar", vertical_alignment="center"):
        st.button(t("pres_prev", lang), key="pres_prev", icon=":material/chevron_left:", disabled=n <= 1,
                  on_click=_go, args=(n - 1,))
        st.button(t("pres_next", lang), key="pres_next", icon=":material/chevron_right:", disabled=n >= total,
                  on_click=_go, args=(n + 1,), type="primary")
        st.markdown(f"**{t('pres_slide', lang, n=n, total=total)}** · {t('pres_keys', lang)}")
        st.page_link(
            PAGES[view.page].path,
            label=t("exit_present", lang),
            icon=":material/close_fullscreen:",
            query_params=state_params(view.state, present=False),
        )
    st.html(_KEYS_JS, unsafe_allow_javascript=True)
