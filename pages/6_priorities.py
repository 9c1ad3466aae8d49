"""重点改进 Priorities: importance–performance quadrants; high importance + low performance → candidates."""

import pandas as pd
import streamlit as st

from analysis.charts import make_ipa_figure
from ui import loaders
from ui import widgets as w
from ui.actions_board import add_to_register, item_rates
from ui.frame import frame
from ui.i18n import area_label, fmt_num, fmt_pct

view = frame("priorities")
view.require_data()
lang = view.lang
w.page_title(view, "priorities_title")
st.subheader(view.t("ipa_title"))

try:
    table = loaders.compute(loaders.ipa, view.version, view.wave, exclude_flagged=view.exclude_flagged, basic=view.basic,
                            k=view.k, base_k=view.min_group)
except ValueError as exc:
    st.info(view.t("no_overall") + "\n\n" + w.plain(exc))
    st.stop()
if view.area:
    table = table[table["area"] == view.area]
if not len(table):
    st.info(view.t("no_items"))
    st.stop()
rates = w.compute(view, loaders.item_summary, basic=view.basic)  # 满意率 beside the index (issue 12)
if rates is not None:
    table = table.merge(rates[["item", "satisfaction_rate"]], on="item", how="left")
sources = set(table["importance_source"].dropna())
source = view.t("importance_stated") if sources == {"stated"} else view.t("importance_derived")
w.show_figure(make_ipa_figure(table, lang=lang, present=view.present), key="priorities_ipa")
st.caption(view.t("ipa_caption", source=source))


def item_table(rows: pd.DataFrame, **extra: list) -> pd.DataFrame:
    """Item, area, performance and importance of IPA rows (columns named in the UI language)."""
    return pd.DataFrame(
        {
            view.t("col_item"): rows["label"].astype(str),
            view.t("col_area"): [area_label(a, lang) for a in rows["area"]],
            view.t("col_performance"): [fmt_num(x, 1) for x in rows["performance"]],
            view.t("col_rate"): [fmt_pct(x) for x in rows.get("satisfaction_rate", pd.Series(index=rows.index))],
            view.t("col_importance"): [fmt_num(x, 3) for x in rows["importance"]],
            **extra,
        }
    )


st.subheader(view.t("candidates"))
cand = table[table["quadrant"] == "concentrate"].sort_values("importance", ascending=False)
if not len(cand):
    st.info(view.t("no_candidates"))
else:
    w.data_table(view, item_table(cand), "priorities", hide_index=True)
    add_to_register(view, item_rates(cand, w.compute(view, loaders.item_summary, basic=view.basic)), origin="priorities",
                    key="priorities_register")  # 加入整改台账 (issue 14)
if not view.present:
    with st.expander(view.t("col_quadrant")):
        quadrants = [view.t(f"q_{q}") if isinstance(q, str) else "—" for q in table["quadrant"]]
        st.dataframe(item_table(table, **{view.t("col_quadrant"): quadrants}), hide_index=True, width="stretch")
w.definition_caption(view, interval=False)
