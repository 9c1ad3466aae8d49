"""SurveyMonkey CSV/Excel export ("All responses data", expanded).

Two header rows: row 1 holds the question text only above the *first* column of a question
(the cells to its right are empty and inherit it), row 2 the sub-heading — ``Response`` /
``Open-Ended Response`` for single columns, the matrix row label for grids, the option label for
multi-select. Meta columns: ``Respondent ID, Collector ID, Start Date, End Date, IP Address,
Email Address, First Name, Last Name, Custom Data 1``. Dates are month first (``04/06/2025 09:01:00 AM``).
"""

from __future__ import annotations

from analysis.ingest import Adapter, register
from analysis.ingest.readers import RawTable
from analysis.model import Survey
from analysis.scales import normalize_label

from ._common import Col, distinct_values, finish_survey, header_cells, norm_header

__all__ = ["SURVEYMONKEY_META", "detect_surveymonkey", "parse_surveymonkey"]

# keys without spaces, lower-case (English and the zh-CN interface's headings)
SURVEYMONKEY_META = {
    "respondentid": "id",
    "受访者id": "id",
    "collectorid": "ignore",
    "收集器id": "ignore",
    "startdate": "ignore",
    "开始日期": "ignore",
    "enddate": "submitted_at",
    "结束日期": "submitted_at",
    "ipaddress": "ip",
    "ip地址": "ip",
    "emailaddress": "ignore",
    "电子邮件地址": "ignore",
    "firstname": "ignore",
    "名字": "ignore",
    "lastname": "ignore",
    "姓氏": "ignore",
    "customdata": "ignore",
    "customdata1": "ignore",
    "自定义数据": "ignore",
    "自定义数据1": "ignore",
}
_SINGLE = {
    "response",
    "open-ended response",
    "open ended response",
    "回复",
    "回答",
    "开放式回复",
    "开放式回答",
    "开放式响应",
    "响应",
}


def _key(h: str) -> str:
    return norm_header(h).replace(" ", "")


def detect_surveymonkey(raw: RawTable) -> float:
    first = {_key(h) for h in header_cells(raw)}
    second = [norm_header(h) for h in header_cells(raw, 1)]
    if {"respondentid", "collectorid"} <= first or {"受访者id", "收集器id"} <= first:
        return 0.95
    if first & {"respondentid", "受访者id"} and any(s in _SINGLE for s in second):
        return 0.9
    return 0.0


def parse_surveymonkey(raw: RawTable) -> Survey:
    top, sub = header_cells(raw, 0), header_cells(raw, 1)
    cols: list[Col] = []
    stem, qnum = "", 0
    for i, (h, s) in enumerate(zip(top, sub, strict=False)):
        hint = SURVEYMONKEY_META.get(_key(h))
        if hint:
            cols.append(Col(h, h, None, None, hint))
            stem = ""
            continue
        if h:
            stem, qnum = h, qnum + 1
        sub_norm = norm_header(s)
        row = None if not s or sub_norm in _SINGLE else s
        if not stem:  # a column with no question text at all
            stem, qnum = s or f"column {i + 1}", qnum + 1
        hint = "text" if sub_norm.startswith(("other (please specify)", "其他（请注明）", "其他(请注明)")) else None
        name = f"{stem} - {row}" if row else stem
        cols.append(Col(name, stem, qnum, row, hint))
    # multi-select: each option column holds its own label when chosen
    by_q: dict[int, list[int]] = {}
    for i, c in enumerate(cols):
        if c.qnum is not None and c.row and c.hint is None:
            by_q.setdefault(c.qnum, []).append(i)
    for idxs in by_q.values():
        filled = [i for i in idxs if distinct_values(raw, i, 2)]
        if filled and all(
            {normalize_label(v) for v in distinct_values(raw, i, 2)} <= {normalize_label(cols[i].row)} for i in filled
        ):
            for i in idxs:
                cols[i].hint = "multi"
    return finish_survey("surveymonkey", raw, cols, 2)  # month-first dates: analysis.ingest.values


register(Adapter("surveymonkey", "SurveyMonkey", "SurveyMonkey", detect_surveymonkey, parse_surveymonkey, priority=15))
