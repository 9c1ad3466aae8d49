"""质量与信度 Quality & reliability: Cronbach's α per area and overall, α-if-deleted, KMO/Bartlett, screening."""

import pandas as pd
import streamlit as st

from analysis.charts import make_alpha_figure
from ui import loaders
from ui import widgets as w
from ui.frame import frame, page_param, sync_param
from ui.i18n import area_label, fmt_int, fmt_pct
from ui.screening import flagged_list

view = frame("quality")
view.require_data()
lang = view.lang
w.page_title(view, "quality_title")

# --- screening (always on the full wave, whatever the exclude switch says) ---------------------------
st.subheader(view.t("screening_title"))
counts = w.guarded(view, loaders.compute, loaders.screening, view.version, view.wave, exclude_flagged=False)
if counts is not None:
    any_row = counts[counts["rule"] == "any"]
    flagged = int(any_row["count"].iloc[0]) if len(any_row) else 0
    full_n = int(view.wave_row.get("n_responses") or 0) or flagged
    st.markdown(
        view.t(
            "screening_summary",
            n=fmt_int(full_n),
            flagged=fmt_int(flagged),
            share=fmt_pct(flagged / full_n if full_n else None),
        )
    )
    rules = counts[counts["rule"] != "any"]
    st.dataframe(
        pd.DataFrame(
            {
                view.t("reason"): rules["title_zh" if lang == "zh" else "title_en"],
                view.t("count"): rules["count"].astype(int),
            }
        ),
        hide_index=True,
    )
    flagged_list(view)  # row, id and reasons in words, with a download
    st.caption(view.t("def_sample", n=fmt_int(view.ds.n)))  # 有效问卷 as on every page
    _, ex_key = page_param("exclude_flagged", ["1"], "", key="quality_exclude")
    st.session_state[ex_key] = view.exclude_flagged
    st.toggle(
        view.t("f_exclude"),
        key=ex_key,
        help=view.t("f_exclude_help"),
        on_change=sync_param,
        args=("exclude_flagged", ex_key, False),
    )

# --- Cronbach's α ---------------------------------------------------------------------------------------
st.subheader(view.t("alpha_title"))
rel = w.compute(view, loaders.reliability)
if rel is not None:
    alpha = rel["alpha"]
    alpha = alpha.assign(_o=(alpha["area"] != "__all__").astype(int)).sort_values("_o", kind="stable")
    name = lambda a: view.t("alpha_overall") if a == "__all__" else area_label(a, lang)  # noqa: E731
    st.dataframe(
        pd.DataFrame(
            {
                view.t("col_area"): [name(a) for a in alpha["area"]],
                view.t("col_alpha"): [("—" if pd.isna(x) else f"{x:.3f}") for x in alpha["alpha"]],
                view.t("col_ci"): [
                    ("—" if pd.isna(lo) else f"{lo:.3f}–{hi:.3f}")
                    for lo, hi in zip(alpha["ci_low"], alpha["ci_high"], strict=True)
                ],
                view.t("col_n_items"): alpha["n_items"].astype(int),
                view.t("col_n_obs"): [fmt_int(n) for n in alpha["n_obs"]],
                "": [view.t(n) if n == "too_few_items" else n for n in alpha["note"]],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(view.t("alpha_caption"))
    deleted = rel["deleted"]
    if len(deleted):
        choices = list(dict.fromkeys(deleted["area"]))
        default = view.area if view.area in choices else choices[0]
        area, area_key = page_param("alpha_area", choices, default, key="quality_alpha_area")
        st.markdown(f"**{view.t('alpha_deleted')}**")
        st.selectbox(
            view.t("f_area"),
            choices,
            key=area_key,
            format_func=lambda a: area_label(a, lang),
            on_change=sync_param,
            args=("alpha_area", area_key, default),
        )
        labels = dict(zip(view.ds.items["item"], view.ds.items["label"].astype(str), strict=True))
        part = deleted[deleted["area"] == area].assign(name=lambda d: d["item"].map(labels))
        w.show_figure(make_alpha_figure(part, lang=lang, present=view.present), key="quality_alpha")
        st.caption(view.t("alpha_deleted_caption"))

# --- KMO and Bartlett -----------------------------------------------------------------------------------
st.subheader(view.t("kmo_title"))
val = w.compute(view, loaders.validity)
if val is not None:
    c1, c2, c3 = st.columns(3)
    c1.metric(view.t("kmo_value"), f"{val['kmo']:.3f}")
    c2.metric(view.t("bartlett_value", dof=val["dof"]), f"{val['chi2']:.1f}")
    c3.metric(view.t("col_p"), "< 0.001" if val["p"] < 0.001 else f"{val['p']:.3f}")
    st.caption(view.t("kmo_caption"))
