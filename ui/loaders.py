"""Thin cached wrappers around the store and the analysis functions (the only caching in the app).

Everything is keyed by the database URL and the store's ``data_version`` so an upload or a wave
edit invalidates exactly what changed. Datasets come from ``st.cache_resource`` (one shared
object, never copied; callers treat it as read-only); result tables from ``st.cache_data`` keyed by
``(url, data_version, wave, computation, options)`` so a filter change costs one cache lookup per table.
A computation is a function of this module marked :func:`computation`; callers pass the function
itself (``compute(item_summary, version, wave, k=…, base_k=…)``), never its name.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

__all__ = [
    "db_url", "engine", "data_version", "waves", "wave_meta", "dataset", "trend", "series_trend", "item_matches",
    "likert_figure",
    # cached computations: compute(fn, …) over the functions marked @computation
    "computation", "compute", "is_guarded", "item_summary", "area_summary", "label_counts", "definition",
    "group_summary", "group_tests", "area_group_tests", "reliability", "validity", "screening", "ipa",
]


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


@st.cache_data(show_spinner=False, max_entries=64)
def _ordered_waves(url: str, version: str) -> pd.DataFrame:
    from analysis.series import ordered

    df = ordered(_waves(url, version).copy())
    for col in ("id", "series_id"):
        if col in df.columns:
            df[col] = df[col].astype(str)
    return df


def waves(version: str) -> pd.DataFrame:
    """Waves of the store (not deleted), by series then fieldwork date (``analysis.series.ordered``)."""
    return _ordered_waves(db_url(), version)


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


# --- cached computations -------------------------------------------------------------------------
# Each is a plain function ``fn(ds, **options)`` marked with @computation; pages pass the function
# itself (``widgets.compute(view, loaders.item_summary, basic=…)``), so "go to definition" leads here
# and from here to the analysis function.


def computation(*, guarded: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark ``fn(ds, **options)`` as a cached computation for :func:`compute`.

    ``guarded`` (anonymity, issue 10): the figures are protected by the viewer's threshold ``k`` and the
    deployment's ``base_k``, which the caller must pass (they are part of the cache key), and with
    screened responses excluded :func:`compute` adds the unfiltered wave as ``baseline``.
    """

    def mark(fn: Callable[..., Any]) -> Callable[..., Any]:
        fn.guarded = guarded  # type: ignore[attr-defined]
        fn.cache_key = f"{fn.__module__}.{fn.__qualname__}"  # type: ignore[attr-defined]
        _COMPUTATIONS[fn.cache_key] = fn  # type: ignore[attr-defined]
        return fn

    return mark


_COMPUTATIONS: dict[str, Callable[..., Any]] = {}  # cache key → function (filled by @computation)


def is_guarded(fn: Callable[..., Any]) -> bool:
    """Whether anonymity guards ``fn``'s figures (it takes ``k``, ``base_k`` and ``baseline``)."""
    return bool(getattr(fn, "guarded", False))


@computation(guarded=True)
def item_summary(ds, *, basic=False, k, base_k, baseline=None):
    from analysis.anonymity import guard_totals
    from analysis.metrics import item_summary as _item_summary

    return guard_totals(_item_summary(ds, basic_satisfied=basic), ds, baseline, level="item", k=k)


@computation(guarded=True)
def area_summary(ds, *, basic=False, k, base_k, baseline=None):
    from analysis.anonymity import guard_totals
    from analysis.metrics import area_summary as _area_summary

    return guard_totals(_area_summary(ds, basic_satisfied=basic), ds, baseline, level="area", k=k)


@computation(guarded=True)
def label_counts(ds, *, k, base_k, baseline=None):
    from analysis.anonymity import guard_totals
    from analysis.metrics import label_counts as _label_counts

    return guard_totals(_label_counts(ds), ds, baseline, level="item", k=k)


@computation()
def definition(ds, *, basic=False):
    from analysis.metrics import definition as _definition

    return _definition(ds, basic_satisfied=basic)


@computation(guarded=True)
def group_summary(ds, *, by="group", level="item", basic=False, k, base_k, baseline=None):
    from analysis.metrics import group_summary as _group_summary

    return _group_summary(ds, by, level=level, basic_satisfied=basic, min_n=k, base_k=base_k, baseline=baseline)


@computation(guarded=True)
def group_tests(ds, *, by="group", basic=False, k, base_k, baseline=None):
    from analysis.compare import group_tests as _group_tests

    return _group_tests(ds, by, basic_satisfied=basic, min_n=k, base_k=base_k, baseline=baseline)


@computation(guarded=True)
def area_group_tests(ds, *, by="group", basic=False, k, base_k, baseline=None):
    """Areas by group, respondents as clusters (issue 12)."""
    from analysis.compare import area_group_tests as _area_group_tests

    return _area_group_tests(ds, by, basic_satisfied=basic, min_n=k, base_k=base_k, baseline=baseline)


@computation()
def reliability(ds):
    from analysis.reliability import reliability_by_area

    return reliability_by_area(ds)


@computation()
def validity(ds):
    from analysis.reliability import validity_summary

    return validity_summary(ds)


@computation()
def screening(ds):
    """How many responses screening flagged and why (``analysis.quality.flag_counts``)."""
    from analysis.quality import flag_counts

    return flag_counts(ds.flags, n=ds.n)


@computation(guarded=True)
def ipa(ds, *, basic=False, k=5, base_k=None, baseline=None):
    """Importance-performance table (``analysis.drivers.ipa``); with screened responses excluded an item
    that changes by fewer than k respondents is blanked (``baseline``)."""
    from analysis.drivers import ipa as _ipa

    return _ipa(ds, basic_satisfied=basic, baseline=baseline, k=k)


def _options_key(options: dict) -> tuple:
    """The options as a hashable, order-free part of the cache key."""
    return tuple(sorted(options.items()))


@st.cache_data(show_spinner=False, max_entries=512)
def _compute(url: str, version: str, wave_id: str, exclude_flagged: bool, key: str, options: tuple) -> Any:
    fn = _COMPUTATIONS[key]
    ds = _dataset(url, version, wave_id, exclude_flagged)
    opts = dict(options)
    if exclude_flagged and is_guarded(fn):
        opts["baseline"] = _dataset(url, version, wave_id, False)
    return fn(ds, **opts)


def compute(fn: Callable[..., Any], version: str, wave_id: str, *, exclude_flagged: bool = False,
            **options: Any) -> Any:
    """Cached result of ``fn(dataset, **options)`` for one wave; ``fn`` is a @computation of this module.

    The cache key is ``(url, version, wave, exclude_flagged, fn, options)``; a guarded ``fn`` needs
    ``k`` and ``base_k`` among the options (so both thresholds are in the key).
    """
    key = getattr(fn, "cache_key", None)
    if key is None or _COMPUTATIONS.get(key) is not fn:
        valid = ", ".join(k.rsplit(".", 1)[-1] for k in _COMPUTATIONS)
        raise ValueError(f"{fn!r} is not a cached computation (mark it with @computation); valid: {valid}")
    if is_guarded(fn) and not {"k", "base_k"} <= options.keys():
        raise TypeError(f"{fn.__name__} is guarded by anonymity: pass k= and base_k= (they are in the cache key)")
    return _compute(db_url(), version, str(wave_id), bool(exclude_flagged), key, _options_key(options))


@st.cache_data(show_spinner=False, max_entries=64)
def _trend(url: str, version: str, wave_ids: tuple, names: tuple, level: str, basic: bool, exclude: bool, k: int):
    from analysis.compare import trend_summary

    pairs = [(name, _dataset(url, version, w, exclude)) for w, name in zip(wave_ids, names, strict=True)]
    baselines = [_dataset(url, version, w, False) for w in wave_ids] if exclude else None
    return trend_summary(pairs, level=level, basic_satisfied=basic, baselines=baselines, k=k)


def trend(
    version: str,
    wave_ids: list[str],
    names: list[str],
    *,
    level: str = "area",
    basic: bool = False,
    exclude_flagged: bool = False,
    k: int = 5,
) -> pd.DataFrame:
    """Cached ``analysis.compare.trend_summary`` over the given waves (oldest first).

    ``k`` is the view's anonymity threshold: with screened responses excluded, a wave whose figure moves
    by fewer than k respondents is blanked (the unfiltered waves are the baselines).
    """
    return _trend(db_url(), version, tuple(map(str, wave_ids)), tuple(names), level, bool(basic), bool(exclude_flagged),
                  int(k))


# --- survey series (issue 12) ------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=64)
def _series_trend(url: str, version: str, wave_ids: tuple, level: str, basic: bool, exclude: bool, lang: str,
                  k: int):
    from analysis.series import series_trend

    all_waves = _waves(url, version)
    rows = all_waves[all_waves["id"].astype(str).isin(wave_ids)]
    datasets = [_dataset(url, version, str(w), exclude) for w in rows["id"]]
    baselines = [_dataset(url, version, str(w), False) for w in rows["id"]] if exclude else None
    return series_trend(rows, datasets, level=level, basic_satisfied=basic, lang=lang, baselines=baselines, k=k)


def series_trend(version: str, wave_ids: list[str], *, level: str = "area", basic: bool = False,
                 exclude_flagged: bool = False, lang: str = "zh", k: int = 5) -> pd.DataFrame:
    """Cached ``analysis.series.series_trend`` over waves of one series (put in date order there).

    ``k``: as in :func:`trend` (a wave moved by fewer than k respondents under the filter is blanked).
    """
    return _series_trend(db_url(), version, tuple(map(str, wave_ids)), level, bool(basic), bool(exclude_flagged), lang,
                         int(k))


@st.cache_data(show_spinner=False, max_entries=64)
def _item_matches(url: str, version: str, wave_ids: tuple) -> pd.DataFrame:
    from analysis.series import match_items

    parts = []
    for a, b in zip(wave_ids, wave_ids[1:], strict=False):
        m = match_items(_dataset(url, version, a, False).items, _dataset(url, version, b, False).items)
        parts.append(m.assign(wave=b))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["item", "matched", "how", "wave"])


def item_matches(version: str, wave_ids: list[str]) -> pd.DataFrame:
    """How each wave's items continue the previous wave's (``analysis.series.match_items``), waves in date order."""
    return _item_matches(db_url(), version, tuple(map(str, wave_ids)))


# Built figures, shared by every session (read-only, like datasets). Building a plotly figure
# validates its whole template, CPU time under the GIL that made 20 sessions of one share link
# queue behind each other (bench/bench_users.py; bench/RESULTS.md, "Fast paths"); the figure
# depends only on the view state, so it is built once per state and data version.
@st.cache_resource(show_spinner=False, max_entries=256)
def _likert_figure(url: str, version: str, wave_id: str, exclude: bool, basic: bool, area: str, lang: str,
                   present: bool, guard: tuple) -> Any:
    from analysis.charts import make_likert_figure
    from ui.widgets import likert_input

    # the same cache entries as widgets.compute: the anonymity guard's k and base_k in the options
    counts = _compute(url, version, wave_id, exclude, label_counts.cache_key, _options_key(dict(guard)))
    summary = _compute(url, version, wave_id, exclude, item_summary.cache_key,
                       _options_key({"basic": basic, **dict(guard)}))
    table = likert_input(counts, summary, lang, area)
    return make_likert_figure(table, lang=lang, present=present) if len(table) else None


def likert_figure(version: str, wave_id: str, *, exclude_flagged: bool, basic: bool, area: str, lang: str,
                  present: bool, k: int, base_k: int | None) -> Any:
    """The answer-distribution figure of a view (cached per view state; shared object: do not change it).

    ``k``/``base_k`` are the anonymity thresholds the guarded computations take (``is_guarded``).
    """
    guard = _options_key({"base_k": base_k, "k": k})
    return _likert_figure(db_url(), version, str(wave_id), bool(exclude_flagged), bool(basic), area or "", lang,
                          bool(present), guard)
