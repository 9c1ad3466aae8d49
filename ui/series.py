"""The series selector of the frame: which survey series the view shows (DESIGN.md "Survey series").

The wave selector then lists that series' waves in fieldwork-date order, so every "previous wave"
on a page (overview change and ★, trends, best on record) is the previous wave of the same series.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from ui.i18n import t
from ui.screening import reason_words  # noqa: F401 - the data page's validation report names reasons in words

__all__ = ["pick_series", "series_selector", "series_names", "upload_fields", "duplicate_gate", "after_save"]


def pick_series(waves: pd.DataFrame, series: str | None, wave: str | None) -> tuple[str | None, pd.DataFrame]:
    """The series to show and its waves (date order), from the URL's ``series`` and ``wave``.

    A valid ``series`` wins; else the series of a valid ``wave`` (links made before series existed);
    else the series with the most recent wave. ``waves`` is ``loaders.waves`` (ids as text).
    """
    if not len(waves) or "series_id" not in waves.columns:
        return None, waves
    sids = waves["series_id"].astype(str)
    if series is None or series not in set(sids):
        hit = waves[waves["id"].astype(str) == str(wave)]
        if len(hit):
            series = str(hit.iloc[0]["series_id"])
        else:
            from analysis.series import _when

            when = _when(waves)
            series = str(sids.loc[when.idxmax()]) if when.notna().any() else str(sids.iloc[-1])
    return series, waves[sids == series].reset_index(drop=True)


def series_names(waves: pd.DataFrame) -> dict[str, str]:
    """Series id → name, in the order of ``waves`` (by series, then date)."""
    if "series_id" not in waves.columns:
        return {}
    return dict(zip(waves["series_id"].astype(str), waves["series_name"].astype(str), strict=True))


def series_selector(view: Any, box: Any, key: str, on_change: Callable[[str], None]) -> None:
    """Draw the series selectbox (bound to the URL through ``on_change``) into ``box``."""
    names = series_names(view.all_waves if len(view.all_waves) else view.waves)
    if not names:
        return
    box.selectbox(
        t("f_series", view.lang), list(names), format_func=lambda s: names.get(s, s), key=key,
        on_change=on_change, args=("series",), help=t("f_series_help", view.lang),
    )


# --- upload (data page): series suggestion, fieldwork dates, likely duplicates ------------------------
_NEW = "__new__"


def _options(engine: Any, key: str) -> tuple[list[str], dict[str, str]]:
    """Series ids for the upload's selectbox: this questionnaire's series (latest first), the others, new."""
    from analysis.store import list_series
    from analysis.store.series import series_for_key

    names = {str(r.id): str(r.name) for r in list_series(engine).itertuples()}
    latest = [str(s) for s in series_for_key(engine, key)]
    return latest + [s for s in names if s not in latest] + [_NEW], names


def upload_fields(engine: Any, ds: Any, key: str, wave_name: str, lang: str) -> dict:
    """Inside the data page's save form: the series (suggested, choosable or new) and the fieldwork dates.

    Returns the wave meta for ``store.ingest_file``: ``series_id`` or ``series`` (a new name), and
    ``fieldwork_start`` / ``fieldwork_end`` (prefilled from the first/last submission in the file).
    """
    from analysis.store.series import fieldwork_dates, series_name_for

    options, names = _options(engine, key)
    c1, c2 = st.columns([2, 1])
    choice = c1.selectbox(t("data_series", lang), options, index=0,
                          format_func=lambda s: t("data_series_new", lang) if s == _NEW else names.get(s, s),
                          help=t("data_series_help", lang), key=f"data_series_{key}")
    new_name = c2.text_input(t("data_series_new_name", lang), value=series_name_for(None, wave_name),
                             key=f"data_series_name_{key}")
    start, end = fieldwork_dates(ds.respondents)
    d1, d2 = st.columns(2)
    first = d1.date_input(t("data_fieldwork_start", lang), value=start.date() if start else None, key="data_fw_start")
    last = d2.date_input(t("data_fieldwork_end", lang), value=end.date() if end else None, key="data_fw_end")
    out: dict = {"series": new_name.strip() or series_name_for(None, wave_name)} if choice == _NEW else {
        "series_id": int(choice)}
    if first is not None and (start is None or first != start.date()):
        out["fieldwork_start"] = str(first)
    if last is not None and (end is None or last != end.date()):
        out["fieldwork_end"] = str(last)
    return out


def duplicate_gate(engine: Any, ds: Any, digest: str, lang: str) -> bool:
    """Before saving: stored waves with the same answers (another platform's export)? Ask; True = may save."""
    from analysis.store.series import likely_duplicates

    cache = st.session_state.setdefault("data_dup_check", {})
    if digest not in cache:
        cache[digest] = likely_duplicates(engine, ds)
    hits = cache[digest]
    if not hits:
        return True
    for h in hits:
        st.warning(t("data_likely_duplicate", lang, wave=h["wave_id"], name=h["name"], share=f"{h['share']:.0%}"))
    return bool(st.checkbox(t("data_duplicate_confirm", lang), key=f"data_dup_ok_{digest[:16]}"))


def after_save(wave_id: int, lang: str) -> None:
    """After a new wave is stored: point the view at it and offer the overview of that wave."""
    from analysis.store import list_waves
    from ui import loaders

    row = list_waves(loaders.engine()).set_index("id").loc[int(wave_id)]
    st.query_params["series"] = str(row["series_id"])
    st.query_params["wave"] = str(wave_id)
    st.page_link("pages/1_overview.py", label=t("data_open_overview", lang), icon=":material/dashboard:",
                 query_params={k: v for k, v in st.query_params.to_dict().items()})
