"""服务领域 Service areas: items ranked as diverging stacked bars, each with n and interval; breakdown by group."""

import pandas as pd
import streamlit as st

from ui import loaders
from ui import widgets as w
from ui.actions_board import add_to_register, item_rates
from ui.frame import frame
from ui.i18n import area_label, fmt_int, fmt_num

view = frame("areas")
view.require_data()
lang = view.lang
w.page_title(view, "areas_title")
st.subheader(w.plain(area_label(view.area, lang)))

# --- items ranked ------------------------------------------------------------------------------------
st.markdown(f"**{view.t('distribution')}**")
w.distribution(view, view.area, key="areas_distribution")
summary = w.compute(view, loaders.item_summary, basic=view.basic)
if summary is not None and not view.present:
    s = summary if not view.area else summary[summary["area"] == view.area]
    s = s.sort_values("satisfaction_rate", ascending=False, kind="stable")
    table = pd.DataFrame(
        {
            view.t("col_item"): s["label"].astype(str),
            view.t("col_area"): [area_label(a, lang) for a in s["area"]],
            view.t("col_rate"): [
                w.rate_ci(r, lo, hi)
                for r, lo, hi in zip(s["satisfaction_rate"], s["ci_low"], s["ci_high"], strict=True)
            ],
            view.t("col_n"): [fmt_int(n) for n in s["n_valid"]],
            view.t("col_mean"): [fmt_num(m) for m in s["mean"]],
            view.t("col_index"): [fmt_num(x, 1) for x in s["index100"]],
        }
    )
    w.data_table(view, table, "items", hide_index=True)
    add_to_register(view, item_rates(s, summary), origin="areas", key="areas_register")  # 加入整改台账 (issue 14)
w.definition_caption(view)

# --- breakdown by group / attribute -------------------------------------------------------------------
by_name = view.t("group") if view.by == "group" else view.by
st.subheader(view.t("breakdown", by=w.plain(by_name)))
col = view.ds.respondents.get(view.by)
if col is None or col.dropna().astype(str).str.strip().eq("").all():
    st.info(view.t("no_groups"))
    st.stop()
level = "area" if not view.area else "item"
groups = w.compute(view, loaders.group_summary, by=view.by, level=level, basic=view.basic, k=view.k)
if groups is not None and len(groups):
    if view.area:
        keep = set(view.ds.items.loc[view.ds.items["area"] == view.area, "item"])
        groups = groups[groups["key"].isin(keep)]
        names = dict(zip(view.ds.items["item"], view.ds.items["label"].astype(str), strict=True))
    else:
        names = {k: area_label(k, lang) for k in groups["key"].unique()}
    cell = [
        view.t("hidden_cell") if bool(sup) else f"{w.rate_ci(r, lo, hi)} · n={fmt_int(n)}"
        for sup, r, lo, hi, n in zip(
            groups["suppressed"],
            groups["satisfaction_rate"],
            groups["ci_low"],
            groups["ci_high"],
            groups["n_valid"],
            strict=True,
        )
    ]
    wide = (
        groups.assign(cell=cell, name=groups["key"].map(names))
        .pivot_table(index="group", columns="name", values="cell", aggfunc="first", sort=False)
        .rename_axis(index=by_name, columns=None)
    )
    w.data_table(view, wide, "breakdown")
    w.suppressed_note(view, groups)
