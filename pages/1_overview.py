"""总览 Overview: one card per service area, response/validity rates, the answer distribution per item."""

import streamlit as st

from analysis.metrics import response_rates
from ui import loaders
from ui import widgets as w
from ui.actions_board import overview_line
from ui.frame import frame
from ui.i18n import area_label, fmt_int, fmt_pct, fmt_pp

view = frame("overview")
view.require_data()
lang = view.lang
w.page_title(view, "overview_title")
overview_line(view)  # 整改台账 summary (issue 14)

# --- response and validity rates ---------------------------------------------------------------------
row = view.wave_row
distributed, returned = row.get("distributed"), row.get("returned")
valid = view.ds.n  # 有效问卷: the questionnaires in the figures, under the screening choice in force
rates = response_rates(distributed, returned, valid)
figures = [
    (view.t("distributed"), fmt_int(distributed)),
    (view.t("returned"), fmt_int(returned)),
    (view.t("valid_q"), fmt_int(valid)),
    (view.t("response_rate"), fmt_pct(rates.get("response_rate"))),
    (view.t("validity_rate"), fmt_pct(rates.get("validity_rate"))),
    (view.t("effective_rate"), fmt_pct(rates.get("effective_rate"))),
]
if view.present:  # the projector shows the rates, the counts stay in the caption
    figures = figures[2:]
for col, (label, value) in zip(st.columns(len(figures)), figures, strict=True):
    col.metric(label, value)
st.caption(view.t("rates_def") + " " + view.t("valid_q_def"))

# --- area cards ---------------------------------------------------------------------------------------
st.subheader(view.t("area_cards"))
areas = w.compute(view, loaders.area_summary, basic=view.basic)
trend_now = None
ids = list(view.waves["id"].astype(str))
upto = ids[: ids.index(view.wave) + 1] if view.wave in ids else ids
if len(upto) >= 2:
    names = [view.wave_name(i) for i in upto]
    trend = w.guarded(
        view,
        loaders.trend,
        view.version,
        upto,
        names,
        level="area",
        basic=view.basic,
        exclude_flagged=view.exclude_flagged,
        k=view.k,
    )
    if trend is not None and len(trend):
        trend_now = trend[trend["wave"].astype(str) == names[-1]].set_index("key")
if areas is not None and len(areas):
    areas = areas.copy()
    areas["_o"] = (areas["area"] != "overall").astype(int)  # the overall card first
    areas = areas.sort_values("_o", kind="stable")
    per_row = 2 if view.present else 4
    cards = list(areas.itertuples())
    for start in range(0, len(cards), per_row):
        cols = st.columns(per_row)
        for col, a in zip(cols, cards[start : start + per_row], strict=False):
            delta, extra, flat = None, [], False
            if trend_now is not None and a.area in trend_now.index:
                tr = trend_now.loc[a.area]
                if tr.get("diff_pp") is not None and str(tr.get("diff_pp")) not in ("nan", "<NA>"):
                    delta, flat = fmt_pp(tr["diff_pp"], lang), round(float(tr["diff_pp"]), 1) == 0
                    if bool(tr.get("significant")):
                        delta += " ★"
                if bool(tr.get("best_on_record")):
                    extra.append(view.t("best_on_record"))
            with col.container(border=True):
                st.metric(
                    w.plain(area_label(a.area, lang)),
                    fmt_pct(a.satisfaction_rate),
                    delta=delta,
                    delta_color="off" if flat else "normal",
                    help=view.t("sig_mark_area") if delta else view.t("series_first"),
                )
                st.caption(
                    " · ".join(
                        [
                            view.t("answers_n", n=fmt_int(a.n_valid), people=fmt_int(a.n_people)),
                            view.t("ci", low=fmt_pct(a.ci_low), high=fmt_pct(a.ci_high)),
                            *extra,
                        ]
                    )
                )
                if not view.present:  # the area's comments and interview records (issue 13)
                    st.page_link("pages/8_feedback.py", label=view.t("fb_link_from_overview"), icon=":material/forum:",
                                 query_params={**view.params, "fb_area": a.area})
    if trend_now is not None:
        st.caption(view.t("series_prev", name=view.wave_name(upto[-2])) + " · " + view.t("sig_mark_area"))
w.definition_caption(view)

# --- answer distribution per item ------------------------------------------------------------------
st.subheader(view.t("distribution"))
w.distribution(view, key="overview_distribution")
