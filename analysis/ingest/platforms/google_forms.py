"""Google Forms response sheet (CSV download or the linked Google Sheet as .xlsx).

One header row; the first column is the submission time (``Timestamp`` / ``时间戳记``), then
``Email Address`` when collected; grid questions as ``Question [Row]``; checkbox answers joined
with ``;`` (or ``, ``) in one column. Times like ``2025/04/06 9:01:00 AM GMT+8`` or
``2025/4/6 上午9:01:00``.
"""

from __future__ import annotations

import re

from analysis.ingest import Adapter, register
from analysis.ingest.readers import RawTable
from analysis.model import Survey

from ._common import Col, finish_survey, header_cells, norm_header, sequential_qnums, values_of

__all__ = ["GOOGLE_META", "TIMESTAMP_HEADERS", "detect_google_forms", "parse_google_forms"]

TIMESTAMP_HEADERS = frozenset(
    {"timestamp", "时间戳记", "时间戳", "時間戳記", "提交时间戳记", "marca temporal", "horodateur", "zeitstempel"}
)
GOOGLE_META = {
    "email address": "id",
    "电子邮件地址": "id",
    "电子邮箱地址": "id",
    "電子郵件地址": "id",
    "score": "ignore",
    "分数": "ignore",
    "得分": "ignore",
}
_GRID = re.compile(r"^(.*\S)\s*\[([^\[\]]+)\]\s*$", re.S)


def detect_google_forms(raw: RawTable) -> float:
    heads = header_cells(raw)
    if not heads or norm_header(heads[0]) not in TIMESTAMP_HEADERS:
        return 0.0
    return 0.95 if any(_GRID.match(h) for h in heads) else 0.85


def _is_checkbox(values: list[str]) -> bool:
    """Checkbox answers: options joined with ``;`` (or Google's own ``, ``) that recur across respondents.

    Free text that happens to contain the separator does not recur, so it is not taken for a checkbox.
    """
    for sep in (";", ", "):
        joined = [v for v in values if sep in v]
        if not values or len(joined) < max(1, 0.1 * len(values)):
            continue
        used = [p.strip() for v in values for p in v.split(sep) if p.strip()]
        if len(set(used)) <= 20 and len(used) >= 1.5 * len(set(used)):
            return True
    return False


def parse_google_forms(raw: RawTable) -> Survey:
    cols: list[Col] = []
    stems: list[str | None] = []
    for i, h in enumerate(header_cells(raw)):
        if i == 0:
            cols.append(Col(h, h, None, None, "submitted_at"))
            stems.append(None)
            continue
        hint = GOOGLE_META.get(norm_header(h))
        if hint:
            cols.append(Col(h, h, None, None, hint))
            stems.append(None)
            continue
        m = _GRID.match(h)
        stem, row = (m.group(1).strip(), m.group(2).strip()) if m else (h, None)
        multi = _is_checkbox(values_of(raw, i, 1))
        cols.append(Col(h, stem, None, row, "multi" if multi else None))
        stems.append(stem)
    for c, q in zip(cols, sequential_qnums(stems), strict=True):
        c.qnum = q
    return finish_survey("google_forms", raw, cols, 1)


register(Adapter("google_forms", "Google 表单", "Google Forms", detect_google_forms, parse_google_forms, priority=15))
