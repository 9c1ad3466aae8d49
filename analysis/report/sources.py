"""A report from the store: the wave, its series, provenance, and the 整改 board / feedback when present.

The optional sections follow docs/CONTRACTS.md "Interfaces others build on": ``store.list_actions``
with ``analysis.actions.verify`` (整改 board), ``store.list_feedback`` (feedback highlights) and
``analysis.anonymity.min_group`` (the deployment's threshold). A section whose module is not
installed in this build is left out of the report rather than guessed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pandas as pd

from analysis.model import Dataset
from analysis.report.model import Report, build_report, history_waves, wave_labels

__all__ = ["deployment_min_group", "report_from_store", "SOURCE_COLUMNS"]

SOURCE_COLUMNS = ["wave", "filename", "uploaded_at", "uploaded_by", "sha256"]
SHA_PREFIX = 12


def _optional(module: str, name: str) -> Callable[..., Any] | None:
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def deployment_min_group(engine: Any = None) -> int:
    """The deployment's anonymity threshold: ``analysis.anonymity.min_group`` when that exists,
    else the ``analysis.anonymity.DEFAULT_K`` the pages use. Never a value from a URL."""
    from analysis import anonymity

    fn = getattr(anonymity, "min_group", None)
    if fn is not None:
        try:
            return int(fn(engine))
        except TypeError:
            return int(fn())
    return int(anonymity.DEFAULT_K)


def _sources(engine: Any, history: pd.DataFrame) -> pd.DataFrame:
    from analysis.store import wave_uploads

    parts = []
    for wid, name in zip(history["id"], history["name"], strict=True):
        up = wave_uploads(engine, int(wid))
        parts.append(pd.DataFrame({
            "wave": str(name), "filename": up["filename"].astype(str), "uploaded_at": up["uploaded_at"],
            "uploaded_by": up["uploaded_by"], "sha256": up["sha256"].astype(str).str[:SHA_PREFIX],
        }))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=SOURCE_COLUMNS)


def _actions(engine: Any, waves: pd.DataFrame, history: list[tuple[str, Dataset]], ids: list[str],
             basic: bool) -> pd.DataFrame | None:
    list_actions = _optional("analysis.store", "list_actions")
    if list_actions is None:
        return None
    actions = list_actions(engine)
    if actions is None or not len(actions):
        return None
    verify = _optional("analysis.actions", "verify")
    if verify is None:
        return actions
    from analysis.metrics import area_summary

    rates: dict[str, dict[str, float]] = {}
    for wid, (_, ds) in zip(ids, history, strict=True):
        s = area_summary(ds, basic_satisfied=basic)
        rates[wid] = dict(zip(s["area"].astype(str), s["satisfaction_rate"], strict=True))

    def rate_of(wave_id: Any, area: Any) -> float | None:
        return rates.get(str(wave_id), {}).get(str(area))

    try:
        verdict = verify(actions, waves, rate_of)
    except (TypeError, ValueError):  # the board is still shown, without its verdicts
        return actions
    return verdict if verdict is not None and len(verdict) == len(actions) else actions


def _feedback(engine: Any, wave: dict) -> pd.DataFrame | None:
    list_feedback = _optional("analysis.store", "list_feedback")
    if list_feedback is None:
        return None
    unit = wave.get("unit")
    try:
        fb = list_feedback(engine, unit=unit) if unit else list_feedback(engine)
    except TypeError:
        fb = list_feedback(engine)
    return fb if fb is not None and len(fb) else None


def report_from_store(
    engine: Any,
    wave_ref: int | str,
    *,
    lang: str = "zh",
    basic_satisfied: bool = False,
    exclude_flagged: bool = False,
    min_group: int | None = None,
    load: Callable[[str], Dataset] | None = None,
) -> Report:
    """Build the :class:`Report` of a stored wave (id or name) and its series.

    Parameters
    ----------
    load : wave id → Dataset as analysed (the UI passes its cached, read-only loader); default
        ``store.load_wave``, without flagged responses when ``exclude_flagged``.
    min_group : anonymity threshold; default :func:`deployment_min_group`.
    """
    from analysis import store

    wid = str(store.resolve_wave(engine, wave_ref, include_deleted=False))
    waves = store.list_waves(engine)
    waves = waves.assign(id=waves["id"].astype(str))
    hist = history_waves(waves, wid)
    if load is None:
        def load(w: str) -> Dataset:
            ds = store.load_wave(engine, int(w))
            return ds.without_flagged() if exclude_flagged else ds

    ids = [str(i) for i in hist["id"]]
    datasets = [(str(n), load(i)) for i, n in zip(ids, hist["name"], strict=True)]
    wave = hist.iloc[-1].to_dict()
    return build_report(
        datasets[-1][1],
        wave=wave,
        history=datasets,
        history_labels=wave_labels(hist),
        lang=lang,
        basic_satisfied=basic_satisfied,
        exclude_flagged=exclude_flagged,
        min_group=deployment_min_group(engine) if min_group is None else int(min_group),
        sources=_sources(engine, hist),
        actions=_actions(engine, waves, datasets, ids, basic_satisfied),
        feedback=_feedback(engine, wave),
        data_version=store.data_version(engine),
    )
