"""A report from the store: the wave, its series, provenance, and the 整改 board / feedback when present.

The optional sections follow docs/CONTRACTS.md "Interfaces others build on": ``store.verify_actions``
(the 整改 board with each action's verdict, issue 14), ``store.list_feedback`` (feedback highlights) and
``analysis.anonymity.min_group`` (the deployment's threshold). A section whose module is not
installed in this build is left out of the report rather than guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from analysis.model import Dataset
from analysis.report.model import Report, build_report, history_waves, wave_labels

__all__ = ["deployment_min_group", "report_from_store", "SOURCE_COLUMNS"]

SOURCE_COLUMNS = ["wave", "filename", "uploaded_at", "uploaded_by", "sha256"]
SHA_PREFIX = 12


def deployment_min_group(engine: Any = None) -> int:
    """The deployment's anonymity threshold (``analysis.anonymity.min_group``), never a value from a URL."""
    from analysis.anonymity import min_group

    return int(min_group(engine))


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


def _actions(engine: Any, wave: dict, lang: str, basic: bool, exclude_flagged: bool) -> pd.DataFrame | None:
    """The 整改 board of the wave's series: ``store.verify_actions`` (issue 14) as display rows."""
    from analysis.actions import STATUSES, VERDICTS
    from analysis.areas import area_name
    from analysis.store import verify_actions

    board = verify_actions(engine, basic_satisfied=basic, exclude_flagged=exclude_flagged)
    if "series_id" in board.columns and wave.get("series_id") is not None and not pd.isna(wave.get("series_id")):
        board = board[board["series_id"].astype("Int64") == int(wave["series_id"])]
    if not len(board):
        return None

    def label(registry: dict, key: Any) -> Any:
        entry = registry.get(str(key)) if key is not None and not (isinstance(key, float) and pd.isna(key)) else None
        return entry.label(lang) if entry is not None else key

    out = pd.DataFrame({
        "problem": board["problem"],
        "area": [None if a is None or (isinstance(a, float) and pd.isna(a)) or a == "" else area_name(str(a), lang)
                 for a in board["area"]],
        "measure": board["measure"], "owner": board["owner"],
        "deadline": [None if pd.isna(d) else f"{pd.Timestamp(d):%Y-%m-%d}" for d in board["deadline"]],
        "status": [label(STATUSES, v) for v in board["status"]],
        "target_text": board.get("target_text"),
        "verdict": [label(VERDICTS, v) for v in board["verdict"]],
        "measured_rate": board.get("measured_rate"),
    })
    return out.reset_index(drop=True)


def _feedback(engine: Any, wave_ids: list[str], k: int) -> pd.DataFrame | None:
    """Feedback records of the report's waves (their open answers), masked as stored; a record of a
    group with fewer than the comment threshold's respondents, or of an unknown group, is left out
    (``analysis.feedback.shown_comments``: a manager's raised threshold counts, never below the
    anonymity threshold ``k``), as on the feedback page."""
    from analysis.feedback import shown_comments
    from analysis.store import list_feedback

    fb = list_feedback(engine, wave=[int(w) for w in wave_ids])
    fb = fb[shown_comments(fb, engine, k=int(k))]
    return fb if len(fb) else None


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
    k = deployment_min_group(engine) if min_group is None else int(min_group)
    return build_report(
        datasets[-1][1],
        wave=wave,
        history=datasets,
        history_labels=wave_labels(hist),
        lang=lang,
        basic_satisfied=basic_satisfied,
        exclude_flagged=exclude_flagged,
        min_group=k,
        sources=_sources(engine, hist),
        actions=_actions(engine, wave, lang, basic_satisfied, exclude_flagged),
        feedback=_feedback(engine, [wid], k),
        data_version=store.data_version(engine),
    )
