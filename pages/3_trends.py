"""趋势 Trends: one series' satisfaction per area (or the items of one area) across its waves.

Readable on a projector: at most ``MAX_LINES`` lines, one fixed colour per service area
(``analysis.charts.AREA_COLORS``), a time axis spaced by fieldwork date, interval bands, ★ on
significant changes against the previous wave of the same series.
"""

import pandas as pd
import streamlit as st

from analysis.areas import AREAS
from analysis.charts import area_color, make_trend_figure
from analysis.series import MATCH_HOW
from ui import loaders
from ui import widgets as w
from ui.frame import frame, page_param, sync_param
from ui.i18n import area_label, fmt_int, fmt_pp

MAX_LINES = 8

view = frame("trends")
view.require_data()
lang = view.lang
w.page_title(view, "trends_title")

ids = list(view.waves["id"].astype(str))  # the selected series' waves, in fieldwork-date order
if len(ids) < 2:
    st.info(view.t("one_wave"))
    st.stop()

level, level_key = page_param("level", ["area", "item"], "area", key="trends_level")
st.segmented_control(
    view.t("level"),
    ["area", "item"],
    key=level_key,
    selection_mode="single",
    format_func=lambda x: view.t(f"level_{x}"),
    on_change=sync_param,
    args=("level", level_key, "area"),
)
trend = w.guarded(
    view, loaders.series_trend, view.version, ids, level=level, basic=view.basic,
    exclude_flagged=view.exclude_flagged, lang=lang, k=view.k,
)
if trend is None or not len(trend):
    st.stop()
area_of = {}  # item key → area, from the waves' item tables (keys are labels, "area·label" when repeated)
for wid in ids:
    items = loaders.dataset(view.version, wid, view.exclude_flagged).items
    for label, area in zip(items["label"].astype(str), items["area"].astype(str), strict=True):
        area_of.setdefault(label, area)
        area_of.setdefault(f"{area}·{label}", area)

if level == "area":
    present = list(dict.fromkeys(trend["key"]))
    order = [a for a in ["overall", *AREAS] if a in present] + [a for a in present if a not in AREAS]
    raw = st.query_params.get("areas", "")
    chosen = [a for a in str(raw).split(",") if a in order] or ([view.area] if view.area else order[:MAX_LINES])
    st.session_state["trends_areas"] = chosen[:MAX_LINES]

    def _keep_areas() -> None:
        picked = st.session_state.get("trends_areas") or []
        if picked:
            st.query_params["areas"] = ",".join(picked)
        elif "areas" in st.query_params:
            del st.query_params["areas"]

    st.multiselect(view.t("trend_lines"), order, key="trends_areas", max_selections=MAX_LINES,
                   format_func=lambda a: area_label(a, lang), on_change=_keep_areas)
    trend = trend[trend["key"].isin(st.session_state["trends_areas"])].copy()
    trend["name"] = [area_label(k, lang) for k in trend["key"]]
    trend["color"] = [area_color(k) for k in trend["key"]]
else:
    areas_here = [a for a in AREAS if a in set(area_of.values())]
    area = view.area if view.area in areas_here else (areas_here[0] if areas_here else "")
    st.caption(view.t("trend_area_items") + f"：{area_label(area, lang)}" if area else "")
    trend = trend[trend["key"].map(area_of) == area].copy()
    keys = list(dict.fromkeys(trend["key"]))
    if len(keys) > MAX_LINES:
        st.caption(view.t("trend_too_many"))
        trend = trend[trend["key"].isin(keys[:MAX_LINES])]
    trend["name"] = trend["label"]
if not len(trend):
    st.info(view.t("no_items"))
    st.stop()
table = trend.rename(columns={"rate": "satisfaction_rate"})
fig = make_trend_figure(table, lang=lang, present=view.present)
w.show_figure(fig, key="trends_figure")
st.caption(view.t("trend_axis") + " " + view.t("sig_mark_area"))
w.definition_caption(view)
if not view.present:
    answers = level == "area"
    st.dataframe(
        pd.DataFrame(
            {
                view.t("wave"): trend["wave"].astype(str),
                view.t("col_date"): pd.to_datetime(trend["date"]).dt.strftime("%Y-%m-%d").fillna("—"),
                view.t("col_item") if level == "item" else view.t("col_area"): trend["name"],
                view.t("col_rate"): [
                    w.rate_ci(r, lo, hi) for r, lo, hi in zip(trend["rate"], trend["ci_low"], trend["ci_high"], strict=True)
                ],
                view.t("col_answers") if answers else view.t("col_people"): [fmt_int(n) for n in trend["n_valid"]],
                **({view.t("col_people"): [fmt_int(n) for n in trend["n_people"]]} if answers else {}),
                view.t("col_prev"): trend["prev_wave"].fillna("—").astype(str),
                view.t("delta_prev", pp=""): [fmt_pp(d, lang) for d in trend["diff_pp"]],
                view.t("col_p"): [("—" if pd.isna(p) else f"{p:.3g}") for p in trend["p_value"]],
                view.t("significant"): ["★" if s else "" for s in trend["significant"]],
                view.t("col_best"): ["✓" if b else "" for b in trend["best_on_record"]],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    if level == "item":
        matches = loaders.item_matches(view.version, ids)
        with st.expander(view.t("trend_matched")):
            lang_i = 0 if lang == "zh" else 1
            counts = matches.assign(how=matches["how"].map(lambda h: MATCH_HOW.get(h, ("新题目", "new item"))[lang_i]),
                                    wave=matches["wave"].map(view.wave_name))
            st.dataframe(
                counts.groupby(["wave", "how"], sort=False).size().reset_index(name="n").rename(
                    columns={"wave": view.t("wave"), "how": view.t("col_how"), "n": view.t("col_n")}),
                hide_index=True,
            )
