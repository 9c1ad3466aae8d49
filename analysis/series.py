"""Survey series, pure: waves in date order within their series, and items matched across waves.

DESIGN.md "Survey series": changes, trends, "best on record" and 整改 verification compare waves
within a series, in fieldwork-date order — never with a wave of another unit's survey that happens
to have been uploaded just before. The functions here take the ``store.list_waves`` frame (or any
frame with ``id, series_id`` and ``fieldwork_start``/``created_at``) and never touch the store.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

__all__ = [
    "MATCH_HOW",
    "ordered",
    "waves_of_series",
    "previous_wave",
    "waves_up_to",
    "normalise_stem",
    "match_items",
    "series_trend",
    "same_labels",
    "TREND_ROW_COLUMNS",
]

# How an item of a later wave was matched to an earlier one (shown on the trends page).
MATCH_HOW: dict[str, tuple[str, str]] = {
    "same": ("同一题目（列名相同）", "same column"),
    "stem": ("题干相同（规范化后）", "same stem after normalisation"),
    "codebook": ("编码表中标注为同一题", "mapped in the codebook"),
}


def _when(waves: pd.DataFrame) -> pd.Series:
    """Fieldwork start, else upload time (one datetime unit, so that one fills the other)."""
    start = pd.to_datetime(waves["fieldwork_start"]).astype("datetime64[us]") if "fieldwork_start" in waves else None
    created = pd.to_datetime(waves["created_at"]).astype("datetime64[us]") if "created_at" in waves else None
    if start is None:
        return created if created is not None else pd.Series(pd.NaT, index=waves.index)
    return start.fillna(created) if created is not None else start


def ordered(waves: pd.DataFrame) -> pd.DataFrame:
    """Waves by series (series ordered by their first wave), then fieldwork start, then id.

    A wave without fieldwork dates is placed by its upload time (``created_at``). Ties keep id order.
    """
    if not len(waves):
        return waves
    when = _when(waves)
    ids = pd.to_numeric(waves["id"], errors="coerce")
    first = when.groupby(waves["series_id"]).transform("min")
    return (waves.assign(_first=first, _when=when, _id=ids)
            .sort_values(["_first", "series_id", "_when", "_id"], kind="stable", na_position="last")
            .drop(columns=["_first", "_when", "_id"]).reset_index(drop=True))


def _series_of(waves: pd.DataFrame, wave_id) -> tuple[pd.DataFrame, int] | None:
    ids = waves["id"].astype(str)
    hit = waves[ids == str(wave_id)]
    if not len(hit):
        return None
    same = ordered(waves[waves["series_id"] == hit.iloc[0]["series_id"]])
    pos = int(same.index[same["id"].astype(str) == str(wave_id)][0])
    return same, pos


def waves_of_series(waves: pd.DataFrame, series_id) -> pd.DataFrame:
    """The waves of one series in date order."""
    return ordered(waves[waves["series_id"].astype(str) == str(series_id)])


def previous_wave(waves: pd.DataFrame, wave_id) -> int | str | None:
    """The wave before ``wave_id`` in its own series, by fieldwork date; None for a series' first wave.

    Parameters
    ----------
    waves : the ``store.list_waves`` frame (live waves), or any frame with ``id``, ``series_id`` and
        ``fieldwork_start`` / ``created_at``.
    wave_id : id of the wave (int or its text, as in the URL).

    Returns
    -------
    The previous wave's id (same type as in ``waves["id"]``), or None when the wave is its series'
    first or unknown.
    """
    found = _series_of(waves, wave_id)
    if found is None:
        return None
    same, pos = found
    if pos == 0:
        return None
    value = same.iloc[pos - 1]["id"]
    return value.item() if hasattr(value, "item") else value


def waves_up_to(waves: pd.DataFrame, wave_id) -> pd.DataFrame:
    """The waves of ``wave_id``'s series dated up to and including it (oldest first): a trend's history."""
    found = _series_of(waves, wave_id)
    if found is None:
        return waves.iloc[0:0]
    same, pos = found
    return same.iloc[: pos + 1].reset_index(drop=True)


_QNUM = re.compile(r"^\s*(?:第\s*\d+\s*题|[QqＱ]\s*\d+(?:[._-]\d+)*|\d+(?:[.、．)）]\d*)*[.、．)）:：]?)\s*")
_SPACE_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def normalise_stem(text) -> str:
    """An item's text reduced to what identifies it across waves.

    NFKC (full-width → half-width), a leading question number removed (``第6题``, ``Q3.2``,
    ``12.``, ``3、``), letters lower-cased, whitespace and punctuation dropped. So
    ``"第6题(学生公寓 空调)"`` and ``"7. 学生公寓空调"`` both become ``"学生公寓空调"``.
    """
    s = unicodedata.normalize("NFKC", str(text or ""))
    s = _QNUM.sub("", s)
    return _SPACE_PUNCT.sub("", s).lower()


def match_items(earlier: pd.DataFrame, later: pd.DataFrame, *, mapping: dict | None = None) -> pd.DataFrame:
    """Which item of an earlier wave each item of a later wave continues.

    Parameters
    ----------
    earlier, later : item tables (``Dataset.items``: ``item``, ``label``).
    mapping : ``{later item: earlier item}`` set in the codebook (a reworded item mapped by hand);
        it wins over the automatic rules.

    Returns
    -------
    DataFrame ``item`` (later), ``matched`` (earlier item or NA), ``how`` (a key of ``MATCH_HOW`` or
    NA): first the codebook mapping, then the same column name, then the same normalised label or
    column text. Each earlier item is matched at most once.
    """
    mapping = dict(mapping or {})
    free = list(earlier["item"].astype(str))
    by_label: dict[str, str] = {}
    for item, label in zip(earlier["item"].astype(str), earlier["label"], strict=True):
        for text in (label, item):
            by_label.setdefault(normalise_stem(text), item)
    rows = []
    for item, label in zip(later["item"].astype(str), later["label"], strict=True):
        matched, how = None, None
        if item in mapping and str(mapping[item]) in free:
            matched, how = str(mapping[item]), "codebook"
        elif item in free:
            matched, how = item, "same"
        else:
            for text in (label, item):
                cand = by_label.get(normalise_stem(text))
                if cand is not None and cand in free and normalise_stem(text):
                    matched, how = cand, "stem"
                    break
        if matched is not None:
            free.remove(matched)
        rows.append((item, matched, how))
    out = pd.DataFrame(rows, columns=["item", "matched", "how"])
    return out.astype({"matched": "object", "how": "object"})


def same_labels(datasets: list) -> list:
    """The datasets with each item labelled as the first wave that asked it (same stem after normalisation).

    Items are matched across waves by their label (``analysis.compare``): the codebook's label is
    where a reworded item is mapped to an earlier one by hand; this adds the automatic rule, so
    ``"学生公寓 空调"`` in one wave and ``"学生公寓空调"`` in the next are one item.
    """
    import dataclasses

    first: dict[str, str] = {}
    out = []
    for ds in datasets:
        labels = ds.items["label"].astype(object).where(ds.items["label"].notna(), ds.items["item"]).astype(str)
        canon = [first.setdefault(normalise_stem(lab) or lab, lab) for lab in labels]
        out.append(dataclasses.replace(ds, items=ds.items.assign(label=canon)) if canon != list(labels) else ds)
    return out


TREND_ROW_COLUMNS = [
    "wave", "date", "key", "label", "rate", "n_valid", "ci_low", "ci_high", "prev_wave", "diff_pp", "p_value",
    "significant", "best_on_record",
]


def series_trend(waves: pd.DataFrame, datasets: list, *, level: str = "area", basic_satisfied: bool = False,
                 lang: str = "zh", baselines: list | None = None, k: int = 5) -> pd.DataFrame:
    """The trend of one series: each wave's rate per area or item, compared with the series' previous wave.

    Parameters
    ----------
    waves : the series' waves (``store.series_waves`` rows: ``id, name, fieldwork_start`` …); they
        are put in date order here (:func:`ordered`), so a caller cannot compare across the order.
    datasets : the Datasets of ``waves``, row for row (as given, before ordering).
    level : ``"area"`` (areas tested with respondents as clusters) or ``"item"`` (2×2 χ²), as in
        ``analysis.compare.trend_summary``, which computes the figures.
    lang : language of ``label`` for areas.
    baselines : the unfiltered Datasets of ``waves`` (row for row, like ``datasets``) when
        ``datasets`` exclude screened responses: figures the filter changed by 1…k−1 respondents
        are blanked (``analysis.compare.trend_summary``, ``analysis.anonymity.guard_trend``); counts
        are then nullable ``Int64``.
    k : the anonymity threshold (the viewer's, at least the deployment's).

    Returns
    -------
    DataFrame ``TREND_ROW_COLUMNS`` (the ``trend --json`` contract) plus ``wave_id, n_people,
    n_satisfied``: ``date`` = fieldwork start (NaT when unknown), ``rate`` = satisfaction rate,
    ``n_valid`` = answers (people for items), ``prev_wave`` = the name of the wave compared with.
    ValueError when the waves are of more than one series.
    """
    from analysis.areas import area_name
    from analysis.compare import trend_summary

    if len(waves) != len(datasets):
        raise ValueError("批次与数据个数不一致。 waves and datasets differ in length.")
    if "series_id" in waves.columns and waves["series_id"].astype(str).nunique() > 1:
        raise ValueError("趋势只在同一调查项目内比较，请选择一个调查项目。"
                         " A trend compares the waves of one series; choose one series.")
    tagged = waves.reset_index(drop=True).assign(_pos=range(len(waves)))
    order = ordered(tagged)
    pairs = [(str(r["name"]), datasets[int(r["_pos"])]) for _, r in order.iterrows()]
    base = None if baselines is None else [baselines[int(r["_pos"])] for _, r in order.iterrows()]
    if level == "item":
        pairs = list(zip([n for n, _ in pairs], same_labels([d for _, d in pairs]), strict=True))
        base = None if base is None else same_labels(base)
    t = trend_summary(pairs, level=level, basic_satisfied=basic_satisfied, baselines=base, k=k)
    counts = "int64" if base is None else "Int64"
    by_name = order.set_index(order["name"].astype(str))
    start = (pd.to_datetime(by_name["fieldwork_start"]) if "fieldwork_start" in by_name.columns
             else pd.Series(pd.NaT, index=by_name.index))
    if level == "area":
        labels = [area_name(k, lang) for k in t["key"].astype(str)]
    else:
        labels = [str(k).partition("·")[2] or str(k) for k in t["key"]]
    out = pd.DataFrame({
        "wave": t["wave"].astype(str),
        "date": t["wave"].astype(str).map(start),
        "key": t["key"].astype(str),
        "label": labels,
        "rate": t["satisfaction_rate"].astype(float),
        "n_valid": t["n_valid"].astype(counts),
        "ci_low": t["ci_low"].astype(float),
        "ci_high": t["ci_high"].astype(float),
        "prev_wave": t["prev_wave"].astype(object).where(t["prev_wave"].notna(), None),
        "diff_pp": t["diff_pp"].astype(float),
        "p_value": t["p_value"].astype(float),
        "significant": t["significant"].astype(bool),
        "best_on_record": t["best_on_record"].astype(bool),
        "wave_id": t["wave"].astype(str).map(by_name["id"]),
        "n_people": t["n_people"].astype(counts),
        "n_satisfied": t["n_satisfied"].astype(counts),
    })
    return out
