"""Helpers shared by the platform adapters: header parsing and turning a grid body into a Survey."""

from __future__ import annotations

import re

import pandas as pd

from analysis.ingest.readers import RawTable
from analysis.model import Survey

__all__ = ["QNUM_RE", "split_qnum", "split_matrix", "build_survey", "unique_names", "is_int_like_share"]

# "1、您的身份", "2.请评价", "Q3. Overall", "3：总体" → question number + stem
QNUM_RE = re.compile(r"^\s*(?:Q|q|第)?(\d{1,3})(?:题)?\s*[、\.．:：)）]\s*(.+)$", re.S)
_BRACKET_ROW = re.compile(r"^(.*?)\s*[\[【(（]([^\[\]【】()（）]+)[\]】)）]\s*$", re.S)
_TOTAL_WORDS = ("合计", "总计", "小计", "total", "sum", "平均", "average")


def split_qnum(header: str) -> tuple[str | None, str]:
    """``"1、您的身份"`` → ``("1", "您的身份")``; headers without a number → ``(None, header)``."""
    m = QNUM_RE.match(header or "")
    if m:
        return m.group(1), m.group(2).strip()
    return None, (header or "").strip()


def split_matrix(stem: str, seps: tuple[str, ...] = ("—", "——", " - ", ":", "：")) -> tuple[str, str | None]:
    """Split ``"请评价—学生公寓"`` / ``"Please rate [Student apartments]"`` into stem and row."""
    m = _BRACKET_ROW.match(stem)
    if m and m.group(1).strip():
        return m.group(1).strip(), m.group(2).strip()
    for sep in sorted(seps, key=len, reverse=True):
        if sep in stem:
            left, right = stem.split(sep, 1)
            if left.strip() and right.strip():
                return left.strip(), right.strip()
    return stem, None


def unique_names(names: list[str]) -> list[str]:
    """Make header names unique by suffixing `` (2)``, `` (3)`` … to repeats; blanks become ``列N``."""
    seen: dict[str, int] = {}
    out = []
    for i, n in enumerate(names):
        n = (n or "").strip() or f"列{i + 1}"
        if n in seen:
            seen[n] += 1
            n = f"{n} ({seen[n]})"
        else:
            seen[n] = 1
        out.append(n)
    return out


def is_int_like_share(frame: pd.DataFrame) -> float:
    """Share of non-empty cells that look like (possibly negative) integers."""
    if frame.empty:
        return 0.0
    stacked = frame.stack()
    if stacked.empty:
        return 0.0
    sample = stacked.iloc[:20000].astype(str).str.strip()
    return float(sample.str.fullmatch(r"-?\d{1,2}").mean())


def build_survey(
    raw: RawTable,
    *,
    format: str,
    header_rows: int,
    columns: list[dict],
    value_codes: bool = False,
) -> Survey:
    """Cut the header rows off ``raw`` and assemble a Survey.

    ``columns`` has one dict per grid column (``name``, ``qnum``, ``stem``, ``row``, ``hint``); names are
    made unique here. Data rows that repeat the header (exports concatenated by hand) and a trailing
    total row (合计/总计/Total in the first cell) are dropped with a warning; blank rows were already
    dropped by the reader. Row numbers are 1-based positions among the data rows as in the file.
    """
    grid = raw.frame
    warnings: list[str] = []
    names = unique_names([c["name"] for c in columns])
    body = grid.iloc[header_rows:].reset_index(drop=True)
    body.columns = names
    rows = pd.Series(range(1, len(body) + 1), dtype="int64")
    if len(body):
        header_vals = [str(v).strip() for v in grid.iloc[0].tolist()]
        first = body.iloc[:, 0].astype("string").str.strip()
        maybe = first.eq(header_vals[0]).fillna(False).to_numpy()
        if maybe.any():
            repeated = body.loc[maybe].apply(
                lambda r: sum(str(a).strip() == b for a, b in zip(r.tolist(), header_vals, strict=False)) >= 0.8 * len(header_vals),
                axis=1,
            )
            drop = pd.Series(False, index=body.index)
            drop.loc[repeated.index] = repeated.to_numpy(dtype=bool)
            if drop.any():
                warnings.append(
                    f"删除了 {int(drop.sum())} 行重复的表头（第 {', '.join(map(str, rows[drop].tolist()[:5]))} 行）。"
                    " Dropped repeated header rows."
                )
                body, rows = body.loc[~drop.to_numpy()], rows[~drop.to_numpy()]
        if len(body):
            last = str(body.iloc[-1, 0]).strip().lower()
            if any(last.startswith(w) for w in _TOTAL_WORDS):
                warnings.append(f"删除了末尾的合计行（第 {int(rows.iloc[-1])} 行）。 Dropped a trailing total row.")
                body, rows = body.iloc[:-1], rows.iloc[:-1]
    from analysis.ingest.platforms._common import drop_total_rows, sci_notation_warnings  # issue 3 messy files

    answer_cols = [i for i, c in enumerate(columns) if not c.get("hint")]
    body, rows, more = drop_total_rows(body, rows, answer_cols, value_codes=value_codes)
    warnings += more
    body = body.reset_index(drop=True)
    rows = rows.reset_index(drop=True)
    if body.empty:
        raise ValueError("文件只有表头，没有答卷数据。 The file has headers but no responses.")
    warnings += sci_notation_warnings(body, dict(zip(names, [c.get("hint") for c in columns], strict=True)))
    meta = pd.DataFrame(
        {
            "name": names,
            "qnum": [c.get("qnum") for c in columns],
            "stem": [c.get("stem") or c["name"] for c in columns],
            "row": [c.get("row") for c in columns],
            "hint": [c.get("hint") for c in columns],
        }
    )
    return Survey(format=format, encoding=raw.encoding, data=body, columns=meta, rows=rows,
                  value_codes=value_codes, warnings=warnings)
