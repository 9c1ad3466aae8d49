"""问卷星 (wjx.cn) export "按选项序号" (answers as option numbers).

Layout: the same header row as the text export — ``序号, 提交答卷时间, 所用时间, 来源, 来源详情,
来自IP`` then questions ``N、题干``, matrix rows ``第N题(行)`` (or ``N、题干—行1`` followed by
``N、行2``), multi-select options ``第N题(选项)`` holding 0/1 — but single-choice and matrix
answers are 1-based option positions (1 = the first option on the questionnaire), ``-2`` = left
empty, ``-3`` = skipped by jump logic. The option order lives in the questionnaire, so the
codebook's ``codes`` column has to say what each number means (``value_codes=True``).
"""

from __future__ import annotations

import re

from analysis.ingest import Adapter, register
from analysis.ingest.readers import RawTable
from analysis.model import Survey
from analysis.scales import NA_LABELS, SCALES, normalize_label

from ._common import Col, distinct_values, finish_survey, header_cells, int_column_share

__all__ = ["WJX_META", "parse_wjx_headers", "detect_wjx_codes", "parse_wjx_codes"]

# 问卷星's fixed columns (keys lower-cased, spaces removed) and the role each one has for sure;
# shared with the text export's adapter (analysis/ingest/wjx.py).
WJX_META = {
    "序号": "id",
    "答卷编号": "id",
    "提交答卷时间": "submitted_at",
    "所用时间": "duration",
    "来源": "ignore",
    "来源详情": "ignore",
    "来自ip": "ip",
    "ip": "ip",
    "总分": "ignore",
    "用户id": "ignore",
    "自定义字段": "ignore",
    "微信昵称": "ignore",
    "填写设备": "ignore",
    "操作系统": "ignore",
    "浏览器": "ignore",
    "答卷状态": "ignore",
    "开始答题时间": "ignore",
}
_Q = re.compile(r"^(\d+)\s*[、.．]\s*(.*)$", re.S)
_MATRIX = re.compile(r"^第\s*(\d+)\s*题\s*[(（](.*)[)）]$", re.S)
_DASH = re.compile(r"\s*[—―–]+\s*")
_MISSING = {"-2", "-3", "(空)", "(跳过)", "（空）", "（跳过）"}


def parse_wjx_headers(raw: RawTable) -> list[Col]:
    """Question number, stem, row and meta role of each 问卷星 header cell."""
    cols: list[Col] = []
    stems: dict[int, str] = {}
    dash_q: set[int] = set()
    for i, h in enumerate(header_cells(raw)):
        key = h.lower().replace(" ", "")
        if key in WJX_META:
            cols.append(Col(h, h, None, None, WJX_META[key]))
            continue
        m = _MATRIX.match(h)
        if m:
            q = int(m.group(1))
            row = m.group(2).strip()
            vals = set(distinct_values(raw, i, 1)) - _MISSING
            hint = "multi" if vals and vals <= {"0", "1"} and "0" in vals else None
            cols.append(Col(h, stems.get(q, f"第{q}题"), q, row, hint))
            continue
        m = _Q.match(h)
        if m:
            q, text = int(m.group(1)), m.group(2).strip()
            parts = _DASH.split(text, maxsplit=1)
            if len(parts) == 2 and parts[1]:
                stems[q] = parts[0]
                dash_q.add(q)
                cols.append(Col(h, parts[0], q, parts[1], None))
            elif q in dash_q:  # "N、行2" after "N、题干—行1"
                cols.append(Col(h, stems[q], q, text, None))
            else:
                stems[q] = text
                cols.append(Col(h, text, q, None, None))
            continue
        cols.append(Col(h, h, None, None, None))
    return cols


def _is_wjx(raw: RawTable) -> bool:
    heads = {h.replace(" ", "") for h in header_cells(raw)}
    return "序号" in heads and "提交答卷时间" in heads


def _scale_words() -> frozenset[str]:
    words = set(NA_LABELS)
    for scale in SCALES.values():
        words |= set(scale.lookup)
    return frozenset(words)


def detect_wjx_codes(raw: RawTable) -> float:
    """1.0 for a 问卷星 header whose choice columns hold option numbers; else 0.

    Most question columns all-integer → codes. With many open questions the share can be lower:
    then codes still win when at least a quarter of the columns are integer and no other column
    holds a scale label (the text export writes 很满意, 一般 … where the code export writes 1, 3 …).
    """
    if not _is_wjx(raw) or len(raw.frame) < 2:
        return 0.0
    cols = parse_wjx_headers(raw)
    question = [i for i, c in enumerate(cols) if c.hint is None and c.qnum is not None]
    body = raw.frame.iloc[1:]
    share = int_column_share(body, question, ignore=_MISSING - {"-2", "-3"}, raw=raw, n_header=1)
    if share >= 0.5:
        return 1.0
    if share >= 0.25:
        words = _scale_words()
        for i in question:
            if any(normalize_label(v) in words for v in distinct_values(raw, i, 1, limit=200)):
                return 0.0
        return 1.0
    return 0.0


def parse_wjx_codes(raw: RawTable) -> Survey:
    cols = parse_wjx_headers(raw)
    return finish_survey("wjx_codes", raw, cols, 1, value_codes=True)


register(
    Adapter(
        "wjx_codes", "问卷星（按选项序号）", "wjx.cn (option numbers)", detect_wjx_codes, parse_wjx_codes, priority=20
    )
)
