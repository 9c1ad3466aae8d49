"""问卷星 (wjx.cn) 按选项文本 export: fixed meta columns, ``N、题干`` questions, ``第N题(行)`` matrix rows."""

from __future__ import annotations

import re

from analysis.ingest import Adapter, register
from analysis.ingest.common import build_survey, is_int_like_share, split_matrix, split_qnum
from analysis.ingest.readers import RawTable
from analysis.model import Survey

__all__ = ["WJX_META", "wjx_header_columns", "detect_wjx_text", "parse_wjx_text"]

# 问卷星's fixed columns and the role each one has for sure.
WJX_META: dict[str, str] = {
    "序号": "id",
    "答卷编号": "id",
    "提交答卷时间": "submitted_at",
    "所用时间": "duration",
    "来源": "ignore",
    "来源详情": "ignore",
    "来自IP": "ip",
    "来自ip": "ip",
    "总分": "ignore",
    "填写设备": "ignore",
    "操作系统": "ignore",
    "浏览器": "ignore",
    "答卷状态": "ignore",
    "开始答题时间": "ignore",
}
_MATRIX_ROW = re.compile(r"^第(\d{1,3})题\s*[(（](.+)[)）]\s*$", re.S)


def _is_wjx(raw: RawTable) -> bool:
    head = {str(v).strip() for v in raw.frame.iloc[0].tolist()}
    return "序号" in head and bool({"提交答卷时间", "所用时间"} & head)


def wjx_header_columns(header: list[str]) -> list[dict]:
    """Column descriptions for 问卷星 headers (shared by the text and the code export)."""
    cols: list[dict] = []
    stems: dict[str, str] = {}
    for name in header:
        name = (name or "").strip()
        if name in WJX_META:
            cols.append({"name": name, "qnum": None, "stem": name, "row": None, "hint": WJX_META[name]})
            continue
        m = _MATRIX_ROW.match(name)
        if m:
            qnum, row = m.group(1), m.group(2).strip()
            cols.append({"name": name, "qnum": qnum, "stem": stems.get(qnum, f"第{qnum}题"), "row": row, "hint": None})
            continue
        qnum, stem = split_qnum(name)
        row = None
        if qnum is not None:
            if qnum in stems:
                # "2、题干—行1" was seen before: "2、行2" is the next matrix row
                row = stem
                stem = stems[qnum]
            else:
                s, r = split_matrix(stem, seps=("—", "——"))
                if r is not None:
                    stem, row = s, r
                stems[qnum] = stem
        cols.append({"name": name, "qnum": qnum, "stem": stem, "row": row, "hint": None})
    return cols


def _answer_block(raw: RawTable):
    head = [str(v).strip() for v in raw.frame.iloc[0].tolist()]
    keep = [i for i, h in enumerate(head) if h not in WJX_META]
    return raw.frame.iloc[1:201, keep]


def detect_wjx_text(raw: RawTable) -> float:
    """0.9 for a 问卷星 export whose answers are text; 0.3 when the answers look like option codes."""
    if not _is_wjx(raw):
        return 0.0
    return 0.3 if is_int_like_share(_answer_block(raw)) > 0.8 else 0.9


def parse_wjx_text(raw: RawTable) -> Survey:
    header = ["" if v is None or str(v) == "<NA>" else str(v) for v in raw.frame.iloc[0].tolist()]
    return build_survey(raw, format="wjx_text", header_rows=1, columns=wjx_header_columns(header))


register(Adapter("wjx_text", "问卷星（按选项文本）", "wjx.cn (answer text)", detect_wjx_text, parse_wjx_text, priority=10))
