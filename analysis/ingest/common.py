"""Header parsing shared by the generic and 问卷星 adapters (question numbers, matrix rows, code exports).

The body of every export becomes a Survey in one place: analysis.ingest.platforms._common.finish_survey.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["QNUM_RE", "split_qnum", "split_matrix", "is_int_like_share"]

# "1、您的身份", "2.请评价", "Q3. Overall", "3：总体" → question number + stem
QNUM_RE = re.compile(r"^\s*(?:Q|q|第)?(\d{1,3})(?:题)?\s*[、\.．:：)）]\s*(.+)$", re.S)
_BRACKET_ROW = re.compile(r"^(.*?)\s*[\[【(（]([^\[\]【】()（）]+)[\]】)）]\s*$", re.S)


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


def is_int_like_share(frame: pd.DataFrame) -> float:
    """Share of non-empty cells that look like (possibly negative) integers."""
    if frame.empty:
        return 0.0
    stacked = frame.stack()
    if stacked.empty:
        return 0.0
    sample = stacked.iloc[:20000].astype(str).str.strip()
    return float(sample.str.fullmatch(r"-?\d{1,2}").mean())
