"""Times and durations as platforms and people write them, read once for every adapter.

Every adapter hands its columns to :func:`analysis.ingest.platforms._common.finish_survey`, which
calls :func:`parse_times` on the submission-time column and :func:`parse_durations` on the
completion-time column: the Survey then holds ``datetime64[ns]`` and ``float64`` seconds there, and
the codebook and the screening use those values as they are. A column the user marks as a time or a
duration in the codebook (the adapter did not know it) is read by the same two functions.

What is read
------------
Times (``DATE_FORMATS``, one table, tried in this order): ISO 8601 (also pandas' lenient reading of
问卷星's ``2024/9/2 8:00:01``), ``2024年9月2日 08:00:01``, ``02-Feb-2021 20:26:58``, month-first
``04/06/2025 9:01:00 AM`` (SurveyMonkey, Qualtrics, Google Forms) before day-first ``06/04/2025``;
上午/下午/凌晨/中午/晚上 as AM/PM; offsets (``+08:00``, ``Z``, ``GMT+8``) are dropped, keeping the
wall-clock time the respondent saw; times are kept to the second.

Durations: plain seconds (``125``, ``59.6``), clock text (``00:02:05``; two parts are minutes and
seconds: ``02:05`` = 125 s, ``00:04`` = 4 s), and amounts with units in Chinese or English
(``2分5秒``, ``1.5分``, ``1 hour``, ``1h 2m``, ``90s``); whole seconds (rounded).

Reference: Python's ``datetime.strptime`` format codes as pandas applies them
(``pandas.to_datetime(format=...)``); what cannot be read is NA and counted, and the caller names
the column and the count in the Survey's warnings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["DATE_FORMATS", "parse_times", "parse_durations", "duration_seconds", "time_warning",
           "duration_warning"]

DATE_FORMATS: tuple[str, ...] = (
    "ISO8601",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日 %I:%M:%S %p",
    "%Y年%m月%d日 %I:%M %p",
    "%Y年%m月%d日",
    "%Y/%m/%d %I:%M:%S %p",
    "%Y/%m/%d %I:%M %p",
    "%Y-%m-%d %I:%M:%S %p",
    "%Y-%m-%d %I:%M %p",
    "%d-%b-%Y %H:%M:%S",
    "%d-%b-%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
)
SAMPLE = 500  # values the column's format is chosen on (times in one column share a style)

_TZ_SUFFIX = re.compile(r"\s*(?:GMT|UTC)\s*[+-]?\d{0,2}(?::?\d{2})?\s*$", re.IGNORECASE)
_ISO_OFFSET = re.compile(r"(?<=\d)(?:Z|[+-]\d{2}:?\d{2})$")
_FRACTION = re.compile(r"(\.\d{1,6})\d*$")
_HALF_DAY = (("上午", "AM"), ("下午", "PM"), ("凌晨", "AM"), ("中午", "PM"), ("晚上", "PM"))
_HALF_DAY_RE = re.compile("|".join(zh for zh, _ in _HALF_DAY))


def _clean_time(text: str) -> str:
    """One time's text made readable by ``DATE_FORMATS``: NFKC, no offset, 下午 → PM, one space."""
    text = unicodedata.normalize("NFKC", text).strip()
    text = _ISO_OFFSET.sub("", _TZ_SUFFIX.sub("", text))
    for zh, en in _HALF_DAY:
        if zh in text:
            text = re.sub(r"\s*" + zh + r"\s*", " ", text).strip() + " " + en
    return re.sub(r"\s+", " ", _FRACTION.sub(r"\1", text))


def _clean_times(texts: pd.Series) -> pd.Series:
    """:func:`_clean_time` over a column (vectorised; the per-value function only for 上午/下午 rows)."""
    t = texts.str.normalize("NFKC").str.strip()
    t = t.str.replace(_TZ_SUFFIX, "", regex=True).str.replace(_ISO_OFFSET, "", regex=True)
    zh = t.str.contains(_HALF_DAY_RE, regex=True).fillna(False)
    if zh.any():
        t = t.where(~zh, t[zh].map(_clean_time))
    return t.str.replace(_FRACTION, r"\1", regex=True).str.replace(r"\s+", " ", regex=True)


def _to_datetime(texts: pd.Series, fmt: str) -> pd.Series:
    """``pd.to_datetime(texts, format=fmt, errors="coerce")`` as naive wall-clock times (NaT where unread)."""
    try:
        out = pd.to_datetime(texts, format=fmt, errors="coerce")
    except (ValueError, TypeError, OverflowError):  # e.g. offsets mixed with naive times under ISO8601
        return texts.map(lambda v: _one_time(v, fmt)).astype("datetime64[ns]")
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_localize(None)
    return out.astype("datetime64[ns]")


def _one_time(text: object, fmt: str) -> pd.Timestamp:
    try:
        out = pd.to_datetime(str(text), format=fmt)
    except (ValueError, TypeError, OverflowError):
        return pd.NaT
    return out.tz_localize(None) if out.tzinfo is not None else out


def parse_times(values: pd.Series, formats: Sequence[str] | None = None) -> tuple[pd.Series, int]:
    """Submission times as ``datetime64[ns]`` (NaT for empty and unreadable cells) and the unread count.

    Parameters
    ----------
    values : one column of an export (text, or datetimes a workbook already holds).
    formats : the formats to try, in order (default ``DATE_FORMATS``).

    The format that reads every value of the first ``SAMPLE`` values (or else the most of them) is
    applied to the whole column, so an ambiguous ``04/06/2025`` reads the same way throughout the
    file. Values it does not read (a hand-typed sheet mixes styles) are tried with each format in
    turn, each distinct text once. Returns the times (same index as ``values``) and how many
    non-empty values stayed unread.
    """
    from analysis.ingest.platforms._common import text_column

    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        out = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) is not None else values
        return out.astype("datetime64[ns]").dt.floor("s"), 0
    formats = tuple(formats or DATE_FORMATS)
    present = text_column(values).dropna()
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if present.empty:
        return out, 0
    sample = present.iloc[:SAMPLE]
    cleaned_sample = sample.map(_clean_time)
    best, best_n = None, 0
    for fmt in formats:
        n_ok = int(_to_datetime(cleaned_sample, fmt).notna().sum())
        if n_ok > best_n:
            best, best_n = fmt, n_ok
        if n_ok == len(sample):
            break
    parsed = pd.Series(pd.NaT, index=present.index, dtype="datetime64[ns]")
    if best is not None:
        cleaned = _clean_times(present) if bool((cleaned_sample != sample).any()) else present
        parsed = _to_datetime(cleaned, best)
    missed = parsed.isna()
    if missed.any():  # other styles typed by hand: each distinct text once, each format in turn
        texts = pd.Series(present[missed].unique())
        found = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[ns]")
        todo = texts.map(_clean_time)
        for fmt in formats:
            left = found.isna()
            if not left.any():
                break
            found[left] = _to_datetime(todo[left], fmt)
        parsed[missed] = present[missed].map(dict(zip(texts, found, strict=True))).astype("datetime64[ns]")
    out[present.index] = parsed.dt.floor("s").to_numpy()
    return out, int(parsed.isna().sum())


_UNIT_SECONDS = (
    (3600.0, r"小时|钟头|时|hours|hour|hrs|hr|h"),
    (60.0, r"分钟|分|minutes|minute|mins|min|m"),
    (1.0, r"秒钟|秒|seconds|second|secs|sec|s"),
)
_AMOUNTS = re.compile(
    r"^" + "".join(rf"(?:(\d+(?:\.\d+)?)\s*(?:{units})\s*)?" for _, units in _UNIT_SECONDS) + r"$"
)
_CLOCK = re.compile(r"^(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?$")


def duration_seconds(value: object) -> int | None:
    """Whole seconds of one duration (``125``, ``125秒``, ``02:05``, ``00:02:05``, ``1.5分``, ``1 hour``).

    Two clock parts are minutes and seconds (``00:04`` = 4 s), three are hours, minutes and
    seconds. None when the text is not a duration (or is negative).
    """
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if not text:
        return None
    try:
        num = float(text)
    except ValueError:
        num = None
    if num is not None:
        return int(round(num)) if np.isfinite(num) and num >= 0 else None
    m = _CLOCK.match(text)
    if m:
        a, b, c = m.groups()
        if c is None:  # mm:ss
            return int(a) * 60 + int(b)
        return int(a) * 3600 + int(b) * 60 + int(round(float(c)))
    m = _AMOUNTS.match(text)
    if m and any(m.groups()):
        return int(round(sum(float(g) * unit for g, (unit, _) in zip(m.groups(), _UNIT_SECONDS, strict=True) if g)))
    return None


def parse_durations(values: pd.Series) -> tuple[pd.Series, int]:
    """Completion times in seconds (``float64``, NaN for empty and unreadable cells) and the unread count.

    Each distinct text is read once by :func:`duration_seconds` (a million answers hold a few
    thousand distinct durations) and spread back by its factor code (analysis.factors.factorize).
    """
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        secs = pd.to_numeric(values, errors="coerce").astype("float64")
        return secs.where(secs >= 0).round(), int((secs < 0).sum())
    from analysis.factors import factorize

    codes, uniques, _counts = factorize(values)
    read = [duration_seconds(u) for u in uniques]
    table = np.array([np.nan if s is None else float(s) for s in read] + [np.nan], dtype="float64")
    out = pd.Series(table[codes], index=values.index, dtype="float64")  # code -1 (NA) takes the last slot
    blank = np.array([str(u).strip() == "" for u in uniques] + [True], dtype=bool)
    unread = np.isnan(table) & ~blank
    return out, int(unread[codes].sum())


def time_warning(column: str, n: int) -> str:
    """The Survey warning for ``n`` unreadable times in ``column``."""
    return (f"“{column}”列有 {n} 个时间无法识别（如缺少日期），已当作缺失。"
            f" {n} time value(s) of '{column}' could not be read (e.g. no date); treated as missing.")


def duration_warning(column: str, n: int) -> str:
    """The Survey warning for ``n`` unreadable durations in ``column``."""
    return f"“{column}”列有 {n} 个值不是时长，已当作缺失。 {n} value(s) of '{column}' are not durations."
