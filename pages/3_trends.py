"""趋势 Trends: each area's (or item's) satisfaction rate across waves, interval bands, significant changes."""

import pandas as pd
import streamlit as st

from analysis.charts import make_trend_figure
from ui import loaders
from ui import widgets as w
from ui.frame import frame, page_param, sync_param
from ui.i18n import area_label, fmt_int, fmt_pp

view = frame("trends")
view.require_data()
lang = view.lang
w.page_title(view, "trends_title")

ids = list(view.waves["id"].astype(str))
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
names = [view.wave_name(i) for i in ids]
trend = w.guarded(
    view, loaders.trend, view.version, ids, names, level=level, basic=view.basic, exclude_flagged=view.exclude_flagged
)
if trend is None or not len(trend):
    st.stop()
trend = trend.copy()
if level == "area":
    if view.area:
        trend = trend[trend["key"] == view.area]
    trend["name"] = [area_label(k, lang) for k in trend["key"]]
else:
    # Item keys are labels, qualified as "area·label" where a label repeats (analysis.compare).
    keys = trend["key"].astype(str)
    if view.area:
        labels = set(view.ds.items.loc[view.ds.items["area"] == view.area, "label"].astype(str))
        trend = trend[keys.isin(labels) | keys.str.startswith(view.area + "·")]
        keys = trend["key"].astype(str)

    def _item_name(key: str) -> str:
        area, sep, label = key.partition("·")
        return f"{label} ({area_label(area, lang)})" if sep else key

    trend["name"] = [_item_name(k) for k in keys]
if not len(trend):
    st.info(view.t("no_items"))
    st.stop()
# Short x labels: the waves' periods when every wave has a distinct one, else their names.
periods = [str(p) if p is not None and str(p) not in ("", "nan", "None") else "" for p in view.waves.get("period", [])]
if len(periods) == len(names) and all(periods) and len(set(periods)) == len(periods):
    short = dict(zip(names, periods, strict=True))
else:
    short = {n: n for n in names}
fig = make_trend_figure(trend.assign(wave=trend["wave"].map(short)), lang=lang, present=view.present)
w.show_figure(fig, key="trends_figure")
st.caption(view.t("trend_caption"))
w.definition_caption(view)
if not view.present:
    table = pd.DataFrame(
        {
            view.t("wave"): trend["wave"].astype(str),
            view.t("col_item") if level == "item" else view.t("col_area"): trend["name"],
            view.t("col_rate"): [
                w.rate_ci(r, lo, hi)
                for r, lo, hi in zip(trend["satisfaction_rate"], trend["ci_low"], trend["ci_high"], strict=True)
            ],
            view.t("col_n"): [fmt_int(n) for n in trend["n_valid"]],
            view.t("delta_prev", pp=""): [fmt_pp(d, lang) for d in trend["diff_pp"]],
            view.t("col_p"): [("—" if pd.isna(p) else f"{p:.3g}") for p in trend["p_value"]],
            view.t("significant"): ["★" if s else "" for s in trend["significant"]],
            view.t("col_best"): ["✓" if b else "" for b in trend["best_on_record"]],
        }
    )
    w.data_table(view, table, "trends", hide_index=True)
