"""Thin cached wrappers around the store and the analysis functions (the only caching in the app).

Everything is keyed by the database URL and the store's ``data_version`` so an upload or a wave
edit invalidates exactly what changed. Datasets come from ``st.cache_resource`` (one shared
object, never copied; callers treat it as read-only); result tables from ``st.cache_data`` keyed by
``(url, data_version, wave, options)`` so a filter change costs one cache lookup per table.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from analysis import compare, drivers, metrics, reliability

__all__ = ["db_url", "engine", "data_version", "waves", "wave_meta", "dataset", "compute", "screening_counts",
           "trend", "COMPUTE"]


def db_url() -> str:
    """The store's URL as configured (``SURVEY_DB_URL``; empty = the store's default file)."""
    return os.environ.get("SURVEY_DB_URL", "")


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Any:
    from analysis.store import ensure_demo, get_engine

    eng = get_engine(url or None)
    ensure_demo(eng)
    return eng


def engine() -> Any:
    """The SQLAlchemy engine of the configured store, filled with the demo waves when empty."""
    return _engine(db_url())


def data_version() -> str:
    from analysis.store import data_version as _dv

    return str(_dv(engine()))


@st.cache_data(show_spinner=False, max_entries=64)
def _waves(url: str, version: str) -> pd.DataFrame:
    from analysis.store import list_waves

    return list_waves(_engine(url))


def waves(version: str) -> pd.DataFrame:
    """Waves of the store (not deleted), by series then fieldwork date (``analysis.series.ordered``)."""
    from analysis.series import ordered

    df = ordered(_waves(db_url(), version).copy())
    for col in ("id", "series_id"):
        if col in df.columns:
            df[col] = df[col].astype(str)
    return df


@st.cache_data(show_spinner=False, max_entries=256)
def _wave_meta(url: str, version: str, wave_id: str) -> dict:
    from analysis.store import wave_meta as _wm

    return dict(_wm(_engine(url), _wave_key(wave_id)))


def wave_meta(version: str, wave_id: str) -> dict:
    return _wave_meta(db_url(), version, wave_id)


def _wave_key(wave_id: str) -> Any:
    return int(wave_id) if str(wave_id).isdigit() else wave_id


@st.cache_resource(show_spinner=False, max_entries=16)
def _dataset(url: str, version: str, wave_id: str, exclude_flagged: bool) -> Any:
    from analysis.store import load_wave

    ds = load_wave(_engine(url), _wave_key(wave_id))
    return ds.without_flagged() if exclude_flagged else ds


def dataset(version: str, wave_id: str, exclude_flagged: bool = False) -> Any:
    """The wave's Dataset (shared object: read-only), optionally without flagged responses."""
    return _dataset(db_url(), version, str(wave_id), bool(exclude_flagged))


def screening_counts(ds) -> pd.DataFrame:
    """How many responses screening flagged and why (``analysis.quality.flag_counts`` of the wave's flags)."""
    from analysis.quality import flag_counts

    return flag_counts(ds.flags, n=ds.n)


def _qualified(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


@st.cache_data(show_spinner=False, max_entries=512)
def _compute(url: str, version: str, wave_id: str, exclude_flagged: bool, fn_name: str, options: tuple,
             _fn: Callable[..., Any]) -> Any:
    # _fn is left out of the cache key (leading underscore); its qualified name stands for it
    return _fn(_dataset(url, version, wave_id, exclude_flagged), **dict(options))


def compute(fn: Callable[..., Any] | str, version: str, wave_id: str, *, exclude_flagged: bool = False,
            **options: Any) -> Any:
    """Cached ``fn(dataset, **options)`` for one wave: ``fn`` is the analysis function itself
    (e.g. ``analysis.metrics.item_summary``) and ``options`` its keyword arguments.

    A name (``"item_summary"``) is still looked up in ``COMPUTE`` for pages written against the
    earlier name registry.
    """
    if isinstance(fn, str):
        if fn not in COMPUTE:
            raise ValueError(f"unknown computation {fn!r}; valid: {', '.join(COMPUTE)}")
        fn, renamed = COMPUTE[fn]
        options = {renamed.get(k, k): v for k, v in options.items()}
    return _compute(db_url(), version, str(wave_id), bool(exclude_flagged), _qualified(fn),
                    tuple(sorted(options.items())), fn)


# The earlier names of the cached computations (pages now pass the function itself): name → the
# function and how its options were called then.
COMPUTE: dict[str, tuple[Callable[..., Any], dict[str, str]]] = {
    "item_summary": (metrics.item_summary, {"basic": "basic_satisfied"}),
    "area_summary": (metrics.area_summary, {"basic": "basic_satisfied"}),
    "label_counts": (metrics.label_counts, {}),
    "definition": (metrics.definition, {"basic": "basic_satisfied"}),
    "group_summary": (metrics.group_summary, {"basic": "basic_satisfied", "k": "min_n"}),
    "group_tests": (compare.group_tests, {"basic": "basic_satisfied", "k": "min_n"}),
    "reliability": (reliability.reliability_by_area, {}),
    "validity": (reliability.validity_summary, {}),
    "screening": (screening_counts, {}),
    "ipa": (drivers.ipa, {"basic": "basic_satisfied"}),
}


@st.cache_data(show_spinner=False, max_entries=64)
def _trend(url: str, version: str, wave_ids: tuple, names: tuple, level: str, basic: bool, exclude: bool):
    from analysis.compare import trend_summary

    pairs = [(name, _dataset(url, version, w, exclude)) for w, name in zip(wave_ids, names, strict=True)]
    return trend_summary(pairs, level=level, basic_satisfied=basic)


def trend(
    version: str,
    wave_ids: list[str],
    names: list[str],
    *,
    level: str = "area",
    basic: bool = False,
    exclude_flagged: bool = False,
) -> pd.DataFrame:
    """Cached ``analysis.compare.trend_summary`` over the given waves (oldest first)."""
    return _trend(db_url(), version, tuple(map(str, wave_ids)), tuple(names), level, bool(basic), bool(exclude_flagged))
