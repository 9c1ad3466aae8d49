"""Downloads that cannot run code in a spreadsheet (issue 10, finding 14).

A CSV/XLSX cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read by Excel, WPS and LibreOffice as a formula (``=HYPERLINK(…)``, ``+cmd|' /C calc'!A0``,
``@SUM(…)``): "CSV injection" (OWASP, *CSV Injection*). :func:`neutralise_formulas` prefixes such
text with an apostrophe, which spreadsheets show as text and do not display. Numbers stay numbers
(``-3`` as a number is not touched; the text ``"-3"`` is, since a text cell could be anything).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["FORMULA_STARTS", "neutralise_text", "neutralise_formulas", "to_csv_bytes"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_text(value: object) -> object:
    """One cell: text starting like a formula gets a leading ``'``; anything else is returned as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` safe to open in a spreadsheet: text cells, column names and index labels
    starting with ``=``, ``+``, ``-``, ``@``, tab or CR are prefixed with ``'``."""
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype):
            out[col] = series.map(neutralise_text)
    out.columns = [neutralise_text(c) for c in out.columns]
    if not isinstance(out.index, pd.RangeIndex):
        out.index = [neutralise_text(i) for i in out.index]
    return out


def to_csv_bytes(df: pd.DataFrame, *, index: bool = False) -> bytes:
    """Formula-safe CSV, UTF-8 with BOM (what zh-CN Excel needs to show Chinese)."""
    return neutralise_formulas(df).to_csv(index=index).encode("utf-8-sig")
