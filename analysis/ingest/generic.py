"""Generic wide layout: one header row of questions, one row per respondent (hand-typed Excel sheets)."""

from __future__ import annotations

from analysis.ingest import Adapter, register
from analysis.ingest.common import split_matrix, split_qnum
from analysis.ingest.platforms._common import Col, finish_survey
from analysis.ingest.readers import RawTable
from analysis.model import Survey

__all__ = ["detect_generic", "parse_generic"]

_META_HINTS = {
    "id": "id", "编号": "id", "序号": "id", "respondent id": "id", "responseid": "id", "response id": "id",
    "提交时间": "submitted_at", "提交答卷时间": "submitted_at", "填写时间": "submitted_at", "timestamp": "submitted_at",
    "时间戳记": "submitted_at", "submitted": "submitted_at", "submitdate": "submitted_at", "结束答题时间": "submitted_at", "开始答题时间": "ignore",
    "所用时间": "duration", "答题时长": "duration", "用时": "duration", "duration": "duration",
    "duration (in seconds)": "duration", "ip": "ip", "ip地址": "ip", "ip address": "ip", "来自ip": "ip",
}


def detect_generic(raw: RawTable) -> float:
    """Always a fallback: any grid with a header row and at least one data row."""
    return 0.1 if len(raw.frame) >= 2 else 0.0


def parse_generic(raw: RawTable) -> Survey:
    header = ["" if v is None or str(v) == "<NA>" else str(v).strip() for v in raw.frame.iloc[0].tolist()]
    cols = []
    for name in header:
        hint = _META_HINTS.get(name.lower())
        qnum, stem = split_qnum(name)
        row = None
        if hint is None:
            stem, row = split_matrix(stem, seps=("—", "——"))
        cols.append(Col(name, stem or name, None if qnum is None else int(qnum), row, hint))
    return finish_survey("generic", raw, cols, 1)


register(Adapter("generic", "通用宽表（一行一份答卷）", "Generic wide table", detect_generic, parse_generic, priority=0))
