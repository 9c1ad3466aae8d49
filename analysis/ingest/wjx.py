"""问卷星 (wjx.cn) 按选项文本 export: fixed meta columns, ``N、题干`` questions, ``第N题(行)`` matrix rows."""

from __future__ import annotations

from analysis.ingest import Adapter, register
from analysis.ingest.common import is_int_like_share
from analysis.ingest.platforms._common import finish_survey
from analysis.ingest.platforms.wjx_codes import WJX_META, parse_wjx_headers
from analysis.ingest.readers import RawTable
from analysis.model import Survey

__all__ = ["WJX_META", "detect_wjx_text", "parse_wjx_text"]

_META_KEYS = frozenset(WJX_META)


def _is_wjx(raw: RawTable) -> bool:
    head = {str(v).strip() for v in raw.frame.iloc[0].tolist()}
    return "序号" in head and bool({"提交答卷时间", "所用时间"} & head)


def _answer_block(raw: RawTable):
    head = [str(v).strip() for v in raw.frame.iloc[0].tolist()]
    keep = [i for i, h in enumerate(head) if h.lower().replace(" ", "") not in _META_KEYS]
    return raw.frame.iloc[1:201, keep]


def detect_wjx_text(raw: RawTable) -> float:
    """0.9 for a 问卷星 export whose answers are text; 0.3 when the answers look like option codes."""
    if not _is_wjx(raw):
        return 0.0
    return 0.3 if is_int_like_share(_answer_block(raw)) > 0.8 else 0.9


def parse_wjx_text(raw: RawTable) -> Survey:
    return finish_survey("wjx_text", raw, parse_wjx_headers(raw), 1)


register(Adapter("wjx_text", "问卷星（按选项文本）", "wjx.cn (answer text)", detect_wjx_text, parse_wjx_text, priority=10))
