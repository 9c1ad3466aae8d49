"""The series selector of the frame: which survey series the view shows (DESIGN.md "Survey series").

The wave selector then lists that series' waves in fieldwork-date order, so every "previous wave"
on a page (overview change and ★, trends, best on record) is the previous wave of the same series.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from ui.i18n import t

__all__ = ["pick_series", "series_selector", "series_names"]


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
            when = pd.to_datetime(waves["fieldwork_start"]).fillna(pd.to_datetime(waves["created_at"]))
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
