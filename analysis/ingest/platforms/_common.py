"""Shared building blocks of the platform adapters.

Every adapter — the generic wide table and 问卷星's text export as well as the platforms here —
works out, from its header row(s), one :class:`Col` per file column (question number, stem, matrix
row, sure role) and hands the rest to :func:`finish_survey`, which cleans the body the same way for
all of them: repeated header rows and a stray total row at the bottom are dropped (with a
warning), empty cells become NA (workbook cells are stripped too; see :func:`clean_cells`), the
completion time becomes seconds (``float64``) and the submission time ``datetime64[ns]``
(analysis.ingest.values, read once here), and ids mangled into scientific notation by Excel are
reported.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.ingest.readers import RawTable
from analysis.model import Survey

__all__ = [
    "Col",
    "finish_survey",
    "clean_cells",
    "header_cells",
    "norm_header",
    "is_int_text",
    "int_column_share",
    "SCI_NOTATION",
    "sequential_qnums",
    "values_of",
    "present_values",
    "text_column",
    "SAMPLE",
    "sci_notation_warnings",
    "drop_total_rows",
    "is_arrow_text",
    "may_contain",
]

SAMPLE = 5000  # values per column that layout heuristics look at
# pandas' str.fullmatch(r"[+-]?\d+"): RE2 (ASCII digits) on Arrow-backed text, Python's re otherwise
_INT_ASCII = re.compile(r"[+-]?\d+", re.ASCII)
_INT_UNICODE = re.compile(r"[+-]?\d+")

SCI_NOTATION = re.compile(r"^[+-]?\d(?:[.,]\d+)?[eE]\+?\d{1,3}$")
_INT_TEXT = re.compile(r"^[+-]?\d+$")
_TOTAL_WORDS = frozenset(
    {
        "合计",
        "总计",
        "小计",
        "总数",
        "汇总",
        "平均",
        "平均值",
        "平均分",
        "total",
        "totals",
        "sum",
        "grand total",
        "average",
        "mean",
        "count",
    }
)


@dataclass
class Col:
    """What an adapter knows about one column of the export."""

    name: str
    stem: str
    qnum: int | None = None
    row: str | None = None
    hint: str | None = None


def norm_header(value: object) -> str:
    """A header cell for comparisons: NFKC, stripped, inner white space collapsed, lower-case."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = unicodedata.normalize("NFKC", str(value)).replace("\ufeff", "").strip()
    return re.sub(r"\s+", " ", text).lower()


def header_cells(raw: RawTable, row: int = 0) -> list[str]:
    """The cells of header row ``row`` as stripped text ('' for empty; BOM removed)."""
    if len(raw.frame) <= row:
        return []
    out = []
    for v in raw.frame.iloc[row].tolist():
        out.append(
            ""
            if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
            else str(v).replace("\ufeff", "").strip()
        )
    return out


def is_int_text(value: object) -> bool:
    return isinstance(value, str) and bool(_INT_TEXT.match(value.strip()))


def text_column(values: pd.Series) -> pd.Series:
    """A column as stripped text (``string`` dtype), NA for empty cells."""
    t = values.astype("string").str.strip()
    return t.mask(t == "")


def is_arrow_text(values: pd.Series) -> bool:
    """True for a text column held by Arrow (pandas' ``str`` / ``string[pyarrow]``): what the CSV
    reader gives, and what the Arrow-buffer shortcuts here and in analysis.codebook / timeparse take."""
    dtype = values.dtype
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


def may_contain(values: pd.Series, needles: tuple[bytes, ...]) -> bool:
    """False only when no value of ``values`` can contain any of the ASCII ``needles``.

    A cheap pre-filter for per-column checks. For Arrow-backed text (what the CSV reader gives) the
    UTF-8 bytes of all values of a chunk lie in one buffer, searched at memory speed with
    ``bytes.find`` (far cheaper than a per-value regex; bench/RESULTS.md); an ASCII byte
    never occurs inside a multi-byte UTF-8 sequence, so a miss is exact. A hit may be a false
    alarm (bytes of a null slot), which only means the caller does its full check. Other dtypes
    (object columns from workbooks): always True.
    """
    if not is_arrow_text(values):
        return True
    import pyarrow as pa

    arrow = values.array.__arrow_array__()  # the Arrow interchange protocol: the chunks, no copy
    for chunk in arrow.chunks if isinstance(arrow, pa.ChunkedArray) else [arrow]:
        if len(chunk) == 0 or chunk.null_count == len(chunk):
            continue
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            return True
        offsets_buf, data_buf = chunk.buffers()[1:3]
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(offsets_buf, dtype=width)
        start, end = int(offsets[chunk.offset]), int(offsets[chunk.offset + len(chunk)])
        if data_buf is None:
            continue
        text = memoryview(data_buf)[start:end].tobytes()
        if any(text.find(n) >= 0 for n in needles):
            return True
    return False


def _first_present(values: pd.Series, limit: int) -> pd.Series:
    """``text_column(values).dropna().iloc[:limit]``, cleaning only as much of the column as needed.

    Layout heuristics look at the first ``limit`` non-empty values; cleaning a whole 100k-row column
    to keep 5,000 of them was a visible part of format detection. The head of the column is cleaned
    in growing windows until it holds ``limit`` values (or the column ends), so the result — values
    and index — is exactly that of cleaning everything. Arrow-backed text is cleaned by the same
    Arrow kernel pandas' ``str.strip`` calls, without pandas' per-call overhead.
    """
    window = limit  # enough when the head has no blanks (the usual case); else grow
    while True:
        vals = _clean_head(values, window)
        if len(vals) >= limit or window >= len(values):
            return vals.iloc[:limit]
        window *= 4


def first_present_value(values: pd.Series) -> str | None:
    """``str(_first_present(values, 1).iloc[0])``, or None for a column without a non-blank value.

    Arrow-backed text is searched in growing windows with Arrow kernels only (no pandas Series per
    window; asked of every column of every upload).
    """
    if not is_arrow_text(values):
        first = _first_present(values, 1)
        return None if first.empty else str(first.iloc[0])
    import pyarrow.compute as pc

    arrow = values.array.__arrow_array__()
    start, window = 0, 16
    while start < len(arrow):
        text = pc.utf8_trim_whitespace(arrow.slice(start, window))
        at = pc.index(pc.fill_null(pc.not_equal(text, ""), False), True).as_py()
        if at >= 0:
            return text[at].as_py()
        start, window = start + window, window * 4
    return None


def _clean_head(values: pd.Series, window: int) -> pd.Series:
    """``text_column(values.iloc[:window]).dropna()``."""
    if not is_arrow_text(values):
        return text_column(values.iloc[:window]).dropna()
    import pyarrow.compute as pc

    head = values.array.__arrow_array__().slice(0, window)
    text = pc.utf8_trim_whitespace(head)  # what pandas' .str.strip() runs
    present = pc.fill_null(pc.not_equal(text, ""), False).to_numpy(zero_copy_only=False)
    if present.all():  # the usual head without blanks: no take, no fancy index (same values)
        return pd.Series(pd.array(text, dtype="string"), index=values.index[: len(present)])
    pos = np.flatnonzero(present)
    return pd.Series(pd.array(text.take(pos), dtype="string"), index=values.index[pos])


def int_column_share(
    frame: pd.DataFrame,
    columns: Iterable[int],
    *,
    ignore: Iterable[str] = (),
    raw: RawTable | None = None,
    n_header: int = 0,
) -> float:
    """Share of the given (non-empty) columns whose non-empty values are all integers.

    Values listed in ``ignore`` (e.g. 问卷星's ``(空)``) are skipped; the first ``SAMPLE`` values of
    each column decide. Returns 0 when no column has values. When ``frame`` is
    ``raw.frame.iloc[n_header:]``, passing ``raw`` and ``n_header`` reuses the cleaned samples other
    heuristics already took of those columns (:func:`present_values`); the result is the same.
    """
    skip = set(ignore)
    n_cols = n_int = 0
    for c in columns:
        if raw is None:
            distinct = [str(v) for v in pd.unique(_first_present(frame[c], SAMPLE).array)]
        else:
            distinct = distinct_values(raw, c, n_header)
        distinct = [v for v in distinct if v not in skip]
        if not distinct:
            continue
        n_cols += 1
        # all() over the distinct values = all() over the values
        n_int += all((_INT_ASCII if is_arrow_text(frame[c]) else _INT_UNICODE).fullmatch(v) for v in distinct)
    return n_int / n_cols if n_cols else 0.0


# --------------------------------------------------------------------------- body cleaning


def _cell(v: object) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return ""
    return str(v).replace("\ufeff", "").strip()


def _header_repeats(text: pd.DataFrame, header: list[str]) -> pd.Series:
    """Rows that repeat ``header`` (≥ 80% of their filled cells, at least 2, equal the header cell)."""
    hn = [norm_header(h) for h in header]
    anchor = next((i for i, h in enumerate(hn) if h), None)
    out = pd.Series(False, index=text.index)
    if anchor is None:
        return out
    cand = text.index[(text[anchor].str.lower() == hn[anchor]).fillna(False).to_numpy()]
    for i in cand:
        row = [_cell(v) for v in text.loc[i].tolist()]
        filled = [(a, b) for a, b in zip(row, hn, strict=False) if a]
        same = sum(1 for a, b in filled if norm_header(a) == b)
        out.loc[i] = same >= 2 and same >= 0.8 * len(filled)
    return out


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "").rstrip("%"))
    except ValueError:
        return False
    return True


def _looks_like_total(row: list[str], text: pd.DataFrame, answer_cols: list[int], value_codes: bool) -> bool:
    """Is ``row`` (the last one) a total/summary row rather than a response? ``text`` = the rows above."""
    first = next((c for c in row if c), "")
    if norm_header(first).rstrip(":：") in _TOTAL_WORDS:
        return True
    if value_codes or text.empty or not answer_cols:
        return False
    # Only a number in this row can make it a total row below: without one, numeric_here stays 0
    # and the test at the end fails whatever the rows above hold, so skip reading them (every
    # file pays this check once; reading 5,000 values × every column was costly).
    if not any(row[c] and _is_number(row[c]) for c in answer_cols):
        return False
    # a row of numbers under columns whose answers are text (Excel SUM/COUNT rows)
    numeric_here = considered = 0
    for c in answer_cols:
        if not row[c]:
            continue
        others = text_column(text.iloc[-SAMPLE:, c]).dropna()
        if others.empty:
            continue
        numeric = pd.to_numeric(others.str.replace(",", "").str.rstrip("%"), errors="coerce").notna()
        if numeric.mean() > 0.2:
            continue
        considered += 1
        numeric_here += _is_number(row[c])
    return considered >= 2 and numeric_here >= 0.6 * considered


def drop_total_rows(
    body: pd.DataFrame, numbers: pd.Series, answer_cols: list[int], *, value_codes: bool = False
) -> tuple[pd.DataFrame, pd.Series, list[str]]:
    """Drop total/summary rows at the bottom of ``body`` (rows aligned with ``numbers``).

    A row is a total row when its first filled cell is 合计/总计/小计/Total/Sum/平均 …, or — for
    text answers — when most of its filled cells under ``answer_cols`` (positions) are numbers
    where the rows above hold text (an Excel SUM/COUNT row). Returns the kept rows, their numbers
    and one warning per dropped row.
    """
    warnings = []
    while len(body) > 1:
        last = [_cell(v) for v in body.iloc[-1].tolist()]
        if not _looks_like_total(last, body.iloc[:-1], answer_cols, value_codes):
            break
        warnings.append(
            f"最后一行（数据行 {numbers.iloc[-1]}）像是合计/统计行而不是答卷，已删除：{', '.join(c for c in last if c)[:80]}。"
            f" Dropped a total/summary row at the bottom (data row {numbers.iloc[-1]})."
        )
        body, numbers = body.iloc[:-1], numbers.iloc[:-1]
    return body, numbers, warnings


def _unique(names: list[str]) -> list[str]:
    """Header names made unique: repeats get `` (2)``, `` (3)`` …; a blank name becomes ``列N`` (its position)."""
    seen: set[str] = set()
    out = []
    for i, n in enumerate(names):
        base = (n or "").strip() or f"列{i + 1}"
        name, k = base, 1
        while name in seen:
            k += 1
            name = f"{base} ({k})"
        seen.add(name)
        out.append(name)
    return out


def clean_cells(values: pd.Series) -> pd.Series:
    """One body column as the Survey holds it: text, NA for empty cells.

    Arrow-backed text (what the CSV reader gives, blanks already null) is kept as read: stripping
    every column of a large file cost as much as coding it, and every use of the values strips them
    (codes, choices, ids, IPs, open answers: analysis.coding; times and durations:
    analysis.ingest.values). Other columns (workbook cells) become stripped ``str`` with NA for
    blanks (:func:`text_column`), as ``object``.
    """
    if is_arrow_text(values):
        return values
    text = text_column(values)
    return text.astype(object).where(text.notna(), pd.NA)


def finish_survey(
    fmt: str,
    raw: RawTable,
    cols: list[Col],
    n_header: int,
    *,
    value_codes: bool = False,
    warnings: list[str] | None = None,
    extra: list[tuple[Col, pd.Series]] | None = None,
    skip: Sequence[bool] | None = None,
) -> Survey:
    """Build the :class:`Survey` from the header analysis ``cols`` (one per column of ``raw``).

    Parameters
    ----------
    fmt : the adapter's key (``Survey.format``).
    raw : the file as read; its first ``n_header`` rows are headers, the rest data rows.
    cols : one :class:`Col` per column of ``raw``; names are made unique here.
    value_codes : the answers are option numbers (``Survey.value_codes``).
    warnings : the adapter's own messages, kept first.
    extra : derived columns (e.g. a duration from start and end times), each a Series aligned with
        the rows below the headers (before anything is dropped).
    skip : body rows the adapter has already excluded (e.g. Qualtrics preview responses).

    The body is cleaned as described in the module docstring. ``rows`` are 1-based data row
    numbers (the first row under the headers is 1), counted before anything is dropped so messages
    point at the file.
    """
    from analysis.ingest import values

    warnings = list(warnings or [])
    frame = raw.frame
    if len(cols) != frame.shape[1]:
        raise ValueError(f"internal: {len(cols)} column descriptions for {frame.shape[1]} columns")
    headers = [[_cell(v) for v in frame.iloc[i].tolist()] for i in range(min(n_header, len(frame)))]
    body = frame.iloc[n_header:].reset_index(drop=True)
    body.columns = range(body.shape[1])
    text = pd.DataFrame({c: clean_cells(body[c]) for c in body.columns}, index=body.index)
    numbers = pd.Series(np.arange(1, len(text) + 1), index=text.index)

    keep = np.ones(len(text), dtype=bool)
    if skip is not None:  # rows the adapter already knows are not responses (it warns itself)
        keep &= ~np.asarray(list(skip), dtype=bool)
    repeat = pd.Series(False, index=text.index)
    for h in headers:
        repeat |= _header_repeats(text.loc[keep], h).reindex(text.index, fill_value=False)
    if repeat.any():
        rep = numbers[repeat].tolist()
        warnings.append(
            f"数据中有 {len(rep)} 行重复的表头（数据行 {_fmt_rows(rep)}），已删除。"
            f" Dropped {len(rep)} repeated header row(s) inside the data (data rows {_fmt_rows(rep)})."
        )
        keep &= ~repeat.to_numpy()
    if not keep.all():
        text, numbers = text.loc[keep], numbers[keep]

    answer_cols = [i for i, c in enumerate(cols) if c.hint is None]
    text, numbers, more = drop_total_rows(text, numbers, answer_cols, value_codes=value_codes)
    warnings += more
    if text.empty:
        raise ValueError(
            "文件只有表头，没有答卷数据行。请确认导出时选择了全部答卷。"
            " The file has header rows but no responses; export all responses and retry."
        )
    numbers = numbers.tolist()
    names = _unique([c.name for c in cols])
    data = text.reset_index(drop=True)
    data.columns = names
    all_cols = list(cols)
    for col, series in extra or []:
        col.name = _unique(names + [col.name])[-1]
        names.append(col.name)
        vals = pd.Series(series).reset_index(drop=True)
        data[col.name] = vals.iloc[[n - 1 for n in numbers]].reset_index(drop=True)
        all_cols.append(col)
    for col, name in zip(all_cols, names, strict=True):
        col.name = name
    warnings += sci_notation_warnings(data, {c.name: c.hint for c in all_cols})
    for col in all_cols:  # times and durations are read here, once, for every adapter
        if col.hint == "duration":
            data[col.name], bad = values.parse_durations(data[col.name])
            if bad:
                warnings.append(values.duration_warning(col.name, bad))
        elif col.hint == "submitted_at":
            data[col.name], bad = values.parse_times(data[col.name])
            if bad:
                warnings.append(values.time_warning(col.name, bad))

    columns = pd.DataFrame(
        {
            "name": names,
            "qnum": pd.array([None if c.qnum is None else int(c.qnum) for c in all_cols], dtype="Int64"),
            "stem": [c.stem or c.name for c in all_cols],
            "row": pd.Series([c.row if c.row else pd.NA for c in all_cols], dtype=object),
            "hint": pd.Series([c.hint if c.hint else pd.NA for c in all_cols], dtype=object),
        }
    )
    return Survey(
        format=fmt,
        encoding=raw.encoding,
        data=data,
        columns=columns,
        rows=pd.Series(numbers, dtype="int64"),
        value_codes=value_codes,
        warnings=warnings,
        source_name=raw.source_name,
    )


_ID_NAME = re.compile(r"学号|工号|编号|手机|电话|号码|身份证|\bid\b|phone|number", re.I)


def sci_notation_warnings(data: pd.DataFrame, hints: dict[str, object] | None = None) -> list[str]:
    """Warnings for columns where Excel turned long digit strings into scientific notation.

    ``2.01901E+11`` was a 12-digit student number or id before Excel saved it; the lost digits
    cannot be recovered, so the value is kept as given and the user is told to re-export. Checked
    columns: a sure ``id`` (``hints``), names that suggest a number (学号, 手机, ID …), and columns
    whose values are all in that notation.
    """
    hints = hints or {}
    out = []
    for name in data.columns:
        named = hints.get(name) == "id" or bool(_ID_NAME.search(str(name)))
        if not named:
            # Any other column is reported only when all its values are in the notation, so its
            # first value must be: one value decides instead of scanning the column's text (the
            # scan below was a measurable part of every large file).
            first = first_present_value(data[name])
            if first is None or not SCI_NOTATION.match(first):
                continue
        # Stripping and blank → NA cannot add an "e": a column whose raw text has no e/E (most of
        # them) has no candidates, so skip its cleaning.
        if not may_contain(data[name], (b"e", b"E")):
            continue
        sci = text_column(data[name]).dropna()
        # cheap vectorised pre-filter (no "e" → not scientific); the Python regex then runs only on
        # candidates
        cand = sci.str.contains("[eE]", regex=True).fillna(False).to_numpy(dtype=bool)
        if not cand.any():
            continue
        hit = pd.Series(False, index=sci.index, dtype="boolean")
        hit[cand] = sci[cand].str.match(SCI_NOTATION)
        n_sci = int(hit.sum())
        if not n_sci:
            continue
        if named or n_sci == len(sci):
            example = sci[hit].iloc[0]
            out.append(
                f"“{name}”列有 {n_sci} 个值是科学计数法（如 {example}），Excel 已截掉了后面的数字，编号可能重复；"
                "已按原样保留。请从问卷平台重新导出，或在 Excel 中把该列设为“文本”格式后再保存。"
                f" {n_sci} value(s) of '{name}' are in scientific notation (e.g. {example}): Excel dropped digits, so ids"
                " may collide; kept as given. Re-export, or format the column as Text in Excel before saving."
            )
    return out


def _fmt_rows(numbers: list[int], limit: int = 10) -> str:
    text = ", ".join(str(n) for n in numbers[:limit])
    return text + (" …" if len(numbers) > limit else "")


def sequential_qnums(stems: list[str | None]) -> list[int | None]:
    """Question numbers 1, 2, … for consecutive distinct stems (None stays None)."""
    out: list[int | None] = []
    n, last = 0, object()
    for s in stems:
        if s is None:
            out.append(None)
            last = object()
            continue
        if s != last:
            n += 1
            last = s
        out.append(n)
    return out


def present_values(raw: RawTable, col: int, n_header: int, limit: int | None = None) -> pd.Series:
    """Cleaned non-empty values of one column below the headers (the first ``limit``, default ``SAMPLE``).

    Cached on ``raw``: detection runs several adapters' heuristics over the same columns (问卷星's
    code-export check cleans each matrix column for its multi-select hint and again for the integer
    share, and the text adapter's parse reads the headers once more); cleaning 5,000 values is
    repeated per column otherwise. The cache is dropped when
    ``raw.frame`` is replaced by another frame. Callers must not modify the returned Series.
    """
    cache = raw._samples
    if cache.get("frame") is not raw.frame:
        cache.clear()
        cache["frame"] = raw.frame
    key = (col, n_header, limit or SAMPLE)
    if key not in cache:
        cache[key] = _first_present(raw.frame.iloc[n_header:, col], limit or SAMPLE)
    return cache[key]


def values_of(raw: RawTable, col: int, n_header: int, limit: int | None = None) -> list[str]:
    """Non-empty values of one column below the headers (the first ``limit``, default ``SAMPLE``)."""
    return present_values(raw, col, n_header, limit).tolist()


def distinct_values(raw: RawTable, col: int, n_header: int, limit: int | None = None) -> list[str]:
    """The distinct values of :func:`values_of`, in order of first appearance (cached on ``raw``).

    Most layout tests ask which values occur, not how often: a sample of 5,000 values has a handful
    of distinct ones, and listing those in Arrow instead of converting every value to a Python
    string is cheaper in format detection (38 columns, several adapters).
    """
    vals = present_values(raw, col, n_header, limit)  # (re)validates the cache for this frame
    key = ("distinct", col, n_header, limit or SAMPLE)
    if key not in raw._samples:
        raw._samples[key] = [str(v) for v in pd.unique(vals.array)]
    return raw._samples[key]
