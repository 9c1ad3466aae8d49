"""The report model: every figure a meeting pack prints, computed once, by the analysis functions.

Each format (``analysis.report.excel`` / ``slides`` / ``webpage`` / ``pdf``) only lays out a
:class:`Report`; none computes a number of its own. Rates, intervals and counts come from
``analysis.metrics`` (the same functions as ``summary --json`` and the pages), changes and the
trend from ``analysis.compare.trend_summary``, breakdown cells from ``metrics.group_summary`` with
the deployment's anonymity threshold (so exactly the cells the pages hide are hidden).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.areas import area_name
from analysis.model import Dataset

__all__ = ["Report", "build_report", "history_waves", "wave_labels"]


@dataclass
class Report:
    """One wave's figures, ready to lay out.

    Attributes
    ----------
    lang : ``zh`` or ``en``.
    wave : the wave's fields (``id, name, unit, period, distributed, returned, n_responses``…).
    n : responses analysed (after screening exclusion when ``exclude_flagged``).
    definition : ``metrics.definition`` of the wave (scale key → satisfied / not satisfied labels).
    basic_satisfied, exclude_flagged, min_group : the definition in force and the anonymity threshold.
    areas : ``metrics.area_summary`` plus ``name`` (display name), ``diff_pp``, ``p_value``,
        ``significant`` (against the previous wave of the series; NaN/False without one); the
        ``overall`` area first when present.
    items : ``metrics.item_summary`` plus ``area_name``, ``diff_pp``, ``significant``, in
        questionnaire order.
    counts : ``metrics.label_counts`` (distribution per item, best answer first).
    trend : ``compare.trend_summary`` at area level over the series up to this wave, plus
        ``name`` and ``label`` (short wave label: its period when every wave has a distinct one).
    breakdown : ``metrics.group_summary(by="group", level="area", min_n=min_group)`` plus ``name``.
    item_breakdown : the same at item level (as the areas page shows an area's items).
    actions, feedback : the 整改 board (``store.list_actions`` + ``analysis.actions.verify``) and
        feedback (``store.list_feedback``) rows when those exist, else None.
    sources : provenance of the waves used: ``wave, filename, uploaded_at, uploaded_by, sha256``.
    previous : name of the previous wave of the series, or None.
    """

    lang: str
    wave: dict
    n: int
    definition: dict
    basic_satisfied: bool
    exclude_flagged: bool
    min_group: int
    areas: pd.DataFrame
    items: pd.DataFrame
    counts: pd.DataFrame
    trend: pd.DataFrame
    breakdown: pd.DataFrame
    item_breakdown: pd.DataFrame
    sources: pd.DataFrame
    actions: pd.DataFrame | None = None
    feedback: pd.DataFrame | None = None
    previous: str | None = None
    data_version: str = ""
    generated_at: _dt.datetime = field(default_factory=lambda: _dt.datetime.now().replace(microsecond=0))
    warnings: list[str] = field(default_factory=list)

    @property
    def wave_name(self) -> str:
        return str(self.wave.get("name") or self.wave.get("id") or "")

    def area_order(self) -> list[str]:
        """Area keys as the report shows them: overall first, then questionnaire order."""
        return list(self.areas["area"].astype(str))

    def area_items(self, area: str) -> pd.DataFrame:
        """One area's items ranked by satisfaction rate (highest first; items without answers last)."""
        part = self.items[self.items["area"].astype(str) == area]
        return part.sort_values("satisfaction_rate", ascending=False, kind="stable", na_position="last")


def history_waves(waves: pd.DataFrame, wave_id: Any) -> pd.DataFrame:
    """The waves of ``wave_id``'s series up to and including it, oldest first.

    With the series columns (``series_id``, issue 12 of docs/CONTRACTS.md) this is
    ``analysis.series.waves_up_to`` (same series, fieldwork-date order); a frame without them
    (an older store's export) falls back to the waves of the same ``unit`` ordered by ``period``.
    """
    if not len(waves):
        return waves
    df = waves.assign(_id=waves["id"].astype(str))
    hit = df[df["_id"] == str(wave_id)]
    if not len(hit):
        raise ValueError(f"找不到批次 {wave_id}。 Wave {wave_id} does not exist.")
    row = hit.iloc[0]
    if "series_id" in df.columns and pd.notna(row["series_id"]):
        from analysis.series import waves_up_to  # same series, fieldwork-date order (issue 12)

        return waves_up_to(waves, wave_id)
    else:
        unit = row.get("unit")
        same = df[df["unit"].isna()] if pd.isna(unit) else df[df["unit"] == unit]
        keys = [c for c in ("period", "created_at", "id") if c in same.columns]
        same = same.sort_values(keys, kind="stable", na_position="first")
    ids = list(same["_id"])
    return same.iloc[: ids.index(str(wave_id)) + 1].drop(columns="_id").reset_index(drop=True)


def wave_labels(history: pd.DataFrame) -> dict[str, str]:
    """Short x-axis labels per wave name: the periods when every wave has a distinct one (as the trends page)."""
    names = [str(n) for n in history["name"]]
    periods = [str(p) if pd.notna(p) and str(p) not in ("", "None") else "" for p in history.get("period", [])]
    if len(periods) == len(names) and all(periods) and len(set(periods)) == len(periods):
        return dict(zip(names, periods, strict=True))
    return {n: n for n in names}


def _changes(trend: pd.DataFrame, wave_name: str) -> pd.DataFrame:
    now = trend[trend["wave"].astype(str) == wave_name]
    return now.set_index("key")[["diff_pp", "p_value", "significant"]]


def build_report(
    ds: Dataset,
    *,
    wave: dict,
    history: list[tuple[str, Dataset]] | None = None,
    history_labels: dict[str, str] | None = None,
    lang: str = "zh",
    basic_satisfied: bool = False,
    exclude_flagged: bool = False,
    min_group: int = 5,
    sources: pd.DataFrame | None = None,
    actions: pd.DataFrame | None = None,
    feedback: pd.DataFrame | None = None,
    data_version: str = "",
    generated_at: _dt.datetime | None = None,
) -> Report:
    """Compute the report of one wave.

    Parameters
    ----------
    ds : the wave's Dataset as analysed — already without flagged responses when
        ``exclude_flagged`` (the flag only labels the report; as ``ui.loaders.dataset``).
    wave : the wave's row of ``store.list_waves`` (``name`` at least).
    history : ``(wave name, Dataset)`` of the series, oldest first, ending with this wave (each
        prepared like ``ds``); None or one entry → no trend and no change column.
    history_labels : wave name → short label for the trend axis (:func:`wave_labels`).
    min_group : the deployment's anonymity threshold (``analysis.anonymity``), never a URL value.
    sources, actions, feedback : optional tables (see :class:`Report`).

    Raises
    ------
    ValueError : bilingual message when the wave cannot be summarised (unknown scale …).
    """
    from analysis import metrics
    from analysis.compare import compare_waves, trend_summary

    if lang not in ("zh", "en"):
        raise ValueError(f"报告语言只能是 zh 或 en，当前为 {lang!r}。 The report language must be zh or en, got {lang!r}.")
    name = str(wave.get("name") or wave.get("id") or "")
    areas = metrics.area_summary(ds, basic_satisfied=basic_satisfied)
    items = metrics.item_summary(ds, basic_satisfied=basic_satisfied)
    counts = metrics.label_counts(ds)
    definition = metrics.definition(ds, basic_satisfied=basic_satisfied)

    history = list(history or [])
    if not history or history[-1][0] != name:
        history.append((name, ds))
    trend = trend_summary(history, level="area", basic_satisfied=basic_satisfied)
    labels = history_labels or {n: n for n, _ in history}
    trend = trend.assign(
        name=[area_name(str(k), lang) for k in trend["key"]], label=[labels.get(str(w), str(w)) for w in trend["wave"]]
    )
    previous = history[-2][0] if len(history) >= 2 else None

    area_change = _changes(trend, name)
    areas = areas.assign(name=[area_name(str(a), lang) for a in areas["area"]])
    areas = areas.join(area_change, on="area")
    areas["significant"] = areas["significant"].fillna(False).astype(bool)
    areas = areas.assign(_o=(areas["area"] != "overall").astype(int)).sort_values("_o", kind="stable").drop(columns="_o")

    if previous is not None:
        # items: the previous wave vs this one (2×2 χ², the test trend_summary applies to items)
        item_change = compare_waves(history[-2][1], ds, level="item", basic_satisfied=basic_satisfied)
        item_keys = _item_keys(items, item_change)
        change = item_change.set_index("key")
        items = items.assign(
            diff_pp=[change["diff_pp"].get(k, float("nan")) for k in item_keys],
            significant=[bool(change["significant"].get(k, False)) for k in item_keys],
        )
    else:
        items = items.assign(diff_pp=float("nan"), significant=False)
    items = items.assign(area_name=[area_name(str(a), lang) for a in items["area"]])

    breakdown = pd.DataFrame(columns=metrics.GROUP_SUMMARY_COLUMNS)
    item_breakdown = breakdown
    if "group" in ds.respondents.columns and ds.respondents["group"].notna().any():
        breakdown = metrics.group_summary(ds, "group", level="area", basic_satisfied=basic_satisfied, min_n=min_group)
        breakdown = breakdown.assign(name=[area_name(str(k), lang) for k in breakdown["key"]])
        item_breakdown = metrics.group_summary(ds, "group", level="item", basic_satisfied=basic_satisfied, min_n=min_group)
        label_of = dict(zip(ds.items["item"], ds.items["label"].astype(str), strict=True))
        area_of = dict(zip(ds.items["item"], ds.items["area"].astype(str), strict=True))
        item_breakdown = item_breakdown.assign(
            name=item_breakdown["key"].map(label_of), area=item_breakdown["key"].map(area_of)
        )

    if sources is None:
        sources = pd.DataFrame(columns=["wave", "filename", "uploaded_at", "uploaded_by", "sha256"])
    return Report(
        lang=lang,
        wave=dict(wave),
        n=int(ds.n),
        definition=definition,
        basic_satisfied=bool(basic_satisfied),
        exclude_flagged=bool(exclude_flagged),
        min_group=int(min_group),
        areas=areas.reset_index(drop=True),
        items=items.reset_index(drop=True),
        counts=counts,
        trend=trend,
        breakdown=breakdown,
        item_breakdown=item_breakdown,
        sources=sources.reset_index(drop=True),
        actions=actions if actions is not None and len(actions) else None,
        feedback=feedback if feedback is not None and len(feedback) else None,
        previous=previous,
        data_version=str(data_version),
        generated_at=generated_at or _dt.datetime.now().replace(microsecond=0),
        warnings=list(ds.warnings),
    )


def _item_keys(items: pd.DataFrame, compared: pd.DataFrame) -> list[str]:
    """The comparison key of each item row (``compare`` keys items by label, ``area·label`` where repeated)."""
    keys = set(compared["key"].astype(str))
    out = []
    for item, label, area in zip(items["item"], items["label"], items["area"], strict=True):
        label = str(label) if pd.notna(label) else str(item)
        for cand in (label, f"{area}·{label}", f"{label} [{item}]", f"{area}·{label} [{item}]"):
            if cand in keys:
                out.append(cand)
                break
        else:
            out.append(label)
    return out
