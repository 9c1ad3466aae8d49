"""The quality page's list of flagged responses: row, id and the reasons in the user's language."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from analysis.quality import RULES
from ui.i18n import fmt_int, t

__all__ = ["reason_words", "flagged_list"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def reason_words(reasons: Any, lang: str) -> str:
    """Rule keys (``speeder`` …) as their titles (答题过快 …), joined; unknown keys stay as given."""
    if not isinstance(reasons, list | tuple):
        return ""
    sep = "、" if lang == "zh" else ", "
    return sep.join((RULES[r].title_zh if lang == "zh" else RULES[r].title_en) if r in RULES else str(r)
                    for r in reasons)


def _safe(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe (as analysis.safe does)."""
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def flagged_list(view: Any) -> None:
    """Table of the wave's flagged responses (row in the file, id, reasons) and a CSV download."""
    ds = loaders_dataset(view)
    flags = ds.flags if ds is not None else None
    if flags is None or not len(flags):
        return
    ids = ds.respondents.set_index("row")["resp_id"]
    table = pd.DataFrame({
        t("col_row", view.lang): flags["row"].astype(int),
        t("col_resp_id", view.lang): [None if pd.isna(ids.get(r)) else str(ids.get(r)) for r in flags["row"]],
        t("col_reasons", view.lang): [reason_words(r, view.lang) for r in flags["reasons"]],
    })
    st.caption(t("flagged_list", view.lang, n=fmt_int(len(table))))
    st.dataframe(table, hide_index=True)
    csv = table.map(_safe).to_csv(index=False).encode("utf-8-sig")
    st.download_button(t("flagged_download", view.lang), csv, file_name="flagged.csv", mime="text/csv",
                       key="quality_flagged_download")


def loaders_dataset(view: Any) -> Any:
    from ui import loaders

    return loaders.dataset(view.version, view.wave, False)  # always the full wave
