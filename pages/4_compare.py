"""对比 Comparison: groups × items heatmap of satisfaction rates; χ² tests with Cramér's V, Holm-corrected."""

import pandas as pd
import streamlit as st

from analysis.charts import make_heatmap_figure
from ui import loaders
from ui import widgets as w
from ui.frame import frame
from ui.i18n import area_label, fmt_int

view = frame("compare")
view.require_data()
lang = view.lang
w.page_title(view, "compare_title")
by_name = view.t("group") if view.by == "group" else view.by
st.subheader(view.t("breakdown", by=w.plain(by_name)) + (" · " + w.plain(area_label(view.area, lang)) if view.area else ""))

col = view.ds.respondents.get(view.by)
if col is None or col.dropna().astype(str).str.strip().eq("").all():
    st.info(view.t("no_groups"))
    st.stop()

items = view.ds.items
if view.area:
    items = items[items["area"] == view.area]
labels = dict(zip(items["item"], items["label"].astype(str), strict=True))

# --- heatmap --------------------------------------------------------------------------------------------
st.markdown(f"**{view.t('heatmap')}**")
cells = w.compute(view, loaders.group_summary, by=view.by, level="item", basic=view.basic, k=view.k)
if cells is not None:
    cells = cells[cells["key"].isin(labels)].assign(name=lambda d: d["key"].map(labels))
    if len(cells):
        w.show_figure(make_heatmap_figure(cells, lang=lang, present=view.present), key="compare_heatmap")
        w.suppressed_note(view, cells)
w.definition_caption(view)

# --- χ² tests -------------------------------------------------------------------------------------------
if view.present:
    st.stop()
st.markdown(f"**{view.t('tests')}**")
tests = w.compute(view, loaders.group_tests, by=view.by, basic=view.basic, k=view.k)
if tests is not None:
    tests = tests[tests["item"].isin(labels)]
    n_low = int(tests["low_expected"].fillna(False).astype(bool).sum())
    if n_low:
        st.warning(view.t("low_expected", n=n_low))
    fmt_p = lambda p: "—" if pd.isna(p) else ("< 0.001" if p < 0.001 else f"{p:.3f}")  # noqa: E731
    table = pd.DataFrame(
        {
            view.t("col_item"): tests["label"].astype(str),
            view.t("col_area"): [area_label(a, lang) for a in tests["area"]],
            view.t("col_chi2"): [("—" if pd.isna(x) else f"{x:.2f}") for x in tests["chi2"]],
            view.t("col_dof"): [("—" if pd.isna(x) else str(int(x))) for x in tests["dof"]],
            view.t("col_p"): [fmt_p(p) for p in tests["p_value"]],
            view.t("col_p_holm"): [fmt_p(p) for p in tests["p_holm"]],
            view.t("col_v"): [("—" if pd.isna(x) else f"{x:.3f}") for x in tests["cramers_v"]],
            view.t("col_n"): [fmt_int(n) for n in tests["n"]],
            view.t("col_low_expected"): ["⚠" if bool(x) else "" for x in tests["low_expected"].fillna(False)],
        }
    )
    w.data_table(view, table, "group_tests", hide_index=True)
    st.caption(view.t("tests_caption"))

# --- service areas: respondents as clusters (issue 12) ----------------------------------------------------
st.markdown(f"**{view.t('area_tests')}**")
area_tests = w.compute(view, loaders.area_group_tests, by=view.by, basic=view.basic, k=view.k)
if area_tests is not None and len(area_tests):
    if view.area:
        area_tests = area_tests[area_tests["area"] == view.area]
    st.dataframe(
        pd.DataFrame(
            {
                view.t("col_area"): [area_label(a, lang) for a in area_tests["area"]],
                view.t("col_chi2"): [("—" if pd.isna(x) else f"{x:.2f}") for x in area_tests["chi2"]],
                view.t("col_dof"): ["—" if pd.isna(c) else str(int(d)) for c, d in zip(area_tests["chi2"], area_tests["dof"], strict=True)],
                view.t("col_p"): [fmt_p(p) for p in area_tests["p_value"]],
                view.t("col_p_holm"): [fmt_p(p) for p in area_tests["p_holm"]],
                view.t("col_answers"): [fmt_int(n) for n in area_tests["n_answers"]],
                view.t("col_people"): [fmt_int(n) for n in area_tests["n_people"]],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(view.t("area_tests_caption"))
