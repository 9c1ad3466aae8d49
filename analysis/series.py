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
]

# How an item of a later wave was matched to an earlier one (shown on the trends page).
MATCH_HOW: dict[str, tuple[str, str]] = {
    "same": ("同一题目（列名相同）", "same column"),
    "stem": ("题干相同（规范化后）", "same stem after normalisation"),
    "codebook": ("编码表中标注为同一题", "mapped in the codebook"),
}


def _when(waves: pd.DataFrame) -> pd.Series:
    start = pd.to_datetime(waves["fieldwork_start"]) if "fieldwork_start" in waves.columns else None
    created = pd.to_datetime(waves["created_at"]) if "created_at" in waves.columns else None
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
