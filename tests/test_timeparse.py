"""analysis.timeparse.fixed_datetimes against the reference it replaces: ``pandas.to_datetime``.

Wherever the shortcut answers, its values must equal pandas' with the same format; where any value
is not plain it must answer None (the caller then runs pandas). Random values in and around the
layouts (hypothesis) and hand-picked edge cases (30 February, 24:00, leap days, padding, stray
spaces, full-width digits) check both halves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.codebook import parse_datetime
from analysis.timeparse import _LAYOUTS, fixed_datetimes


def _pandas(values: list[str], fmt: str) -> np.ndarray:
    return pd.to_datetime(pd.Series(values, dtype="string"), format=fmt, errors="coerce").to_numpy("datetime64[ns]")


def _check(values: list[str], fmt: str) -> np.ndarray | None:
    fast = fixed_datetimes(pd.Series(values, dtype="string"), fmt)
    if fast is not None:
        ref = _pandas(values, fmt)
        assert not np.isnat(ref).any(), (values, fmt)  # answered only where pandas parses every value
        np.testing.assert_array_equal(fast, ref)
    return fast


def _field(draw, value: int, width: int, pad: bool) -> str:
    text = str(value)
    if pad or draw(st.booleans()):
        text = text.zfill(width)
    return text


@st.composite
def _timestamps(draw, fmt: str) -> str:
    """Mostly plain values of the layout, with near misses: fields just out of range, a wrong or
    doubled separator, a 3- or 5-digit year."""
    seps, padded = draw(st.sampled_from(_LAYOUTS[fmt]))
    year = draw(st.integers(1600, 2300))
    fields = [draw(st.integers(0, 13)), draw(st.integers(0, 32)), draw(st.integers(0, 25)),
              draw(st.integers(0, 61)), draw(st.integers(0, 61))][: len(seps)]
    parts = [str(year).zfill(4) if draw(st.integers(0, 15)) else str(year % 1000)]
    for sep, value in zip(seps, fields, strict=False):
        parts.append(draw(st.sampled_from(list(sep.decode()) * 12 + [" ", "/", ":", "-", "  ", ".", "T"])))
        parts.append(_field(draw, value, 2, padded))
    return "".join(parts)


@pytest.mark.parametrize("fmt", sorted(_LAYOUTS))
@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_equals_pandas_on_random_values(fmt, data):
    values = data.draw(st.lists(_timestamps(fmt), min_size=1, max_size=3))
    _check(values, fmt)


@pytest.mark.parametrize("fmt, layout", [(f, i) for f in sorted(_LAYOUTS) for i in range(len(_LAYOUTS[f]))])
def test_many_valid_values_are_answered_and_equal(fmt, layout):
    """20,000 random instants 1900-2100 written in the layout (random padding where allowed)."""
    rng = np.random.default_rng(7)
    seps, padded = _LAYOUTS[fmt][layout]
    t = pd.Series(pd.to_datetime("1900-01-01") + pd.to_timedelta(rng.integers(0, 200 * 365 * 86400, 20_000), "s"))
    t = t.dt.floor({2: "D", 4: "min", 5: "s"}[len(seps)])
    fields = [t.dt.month, t.dt.day, t.dt.hour, t.dt.minute, t.dt.second][: len(seps)]
    text = t.dt.year.astype(str)
    for sep, field in zip(seps, fields, strict=False):
        pad = pd.Series(padded | (rng.random(len(t)) < 0.5))
        text = text + chr(sep[-1]) + field.astype(str).where(~pad, field.astype(str).str.zfill(2))
    values = text.tolist()
    fast = _check(values, fmt)
    assert fast is not None
    np.testing.assert_array_equal(fast, t.to_numpy("datetime64[ns]"))


@pytest.mark.parametrize(
    "fmt, values",
    [
        ("%Y/%m/%d %H:%M:%S", ["2024/9/2 8:03:07", "2024/12/31 23:59:59", "2024/02/29 0:0:0", "1999/01/01 00:00:00"]),
        ("%Y/%m/%d %H:%M", ["2025/4/3 9:01", "2025/04/03 09:01"]),
        ("%Y-%m-%d %H:%M", ["2025-4-3 9:01", "2025-04-03 19:01"]),
        ("%Y/%m/%d", ["2025/4/3", "2025/12/31"]),
        ("ISO8601", ["2024-09-02 08:03:07", "2024-09-02T08:03:07", "2024/9/2 8:00:01", "2024/9/2 8:0:1"]),
        ("ISO8601", ["2024/9/2 8:00", "2024-09-02T08:03"]),
        ("ISO8601", ["2024/9/2", "2024-09-02"]),
    ],
)
def test_plain_values_are_answered(fmt, values):
    assert _check(values, fmt) is not None


@pytest.mark.parametrize(
    "value",
    [
        "2023/02/29 0:0:0",  # not a leap year
        "2024/4/31 1:00:00",
        "2024/2/3 24:00:00",
        "2024/2/3 1:00:60",  # strptime's pattern allows 60/61; left to pandas
        "2024/13/3 1:00:00",
        "2024/0/3 1:00:00",
        "2024/2/3  1:00:00",  # two spaces: pandas accepts, not plain
        "２０２４/2/3 1:00:00",  # full-width digits
        "2024/2/3 1:00:00 AM",
        "24/2/3 1:00:00",
        "2024/2/3 1:00:0a",
        "",
    ],
)
def test_anything_else_is_left_to_pandas(value):
    assert _check(["2024/9/2 8:03:07", value], "%Y/%m/%d %H:%M:%S") is None


def test_iso_mixed_separators_and_other_dtypes_decline():
    assert _check(["2024/9-02 08:03:07"], "ISO8601") is None
    assert _check(["2024/9/2 8:00:01", "2024/9/2"], "ISO8601") is None  # one layout per column
    assert _check(["2024/9/2 8:00:01.5"], "ISO8601") is None
    assert fixed_datetimes(pd.Series(["2024/9/2 8:03:07"], dtype=object), "%Y/%m/%d %H:%M:%S") is None
    assert fixed_datetimes(pd.Series(["2024/9/2"], dtype="string"), "%d/%m/%Y") is None


def test_parse_datetime_same_with_and_without_the_shortcut(monkeypatch):
    import analysis.codebook as codebook

    values = pd.Series(["2024/9/2 8:03:07", None, "2024/10/12 18:03:07", " 2024/1/5 0:00:09 "], dtype="string")
    fast = parse_datetime(values)
    monkeypatch.setattr(codebook, "fixed_datetimes", lambda *a: None)
    slow = parse_datetime(values)
    pd.testing.assert_series_equal(fast, slow)
    assert fast.isna().tolist() == [False, True, False, False]
