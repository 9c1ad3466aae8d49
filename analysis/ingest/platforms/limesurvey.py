"""LimeSurvey "Export responses" CSV (and .xlsx).

``;``-separated, every field quoted, UTF-8 with BOM, CRLF. Headings are question codes
(``G01Q02[SQ001]`` = question ``G01Q02``, sub-question ``SQ001``), full question text
(``Please rate [Student apartments]``) or both (``G01Q02[SQ001]. Please rate [Student apartments]``).
Answers are full text or answer codes (``A1``, ``AO01``, ``1``…; ``value_codes=True``); multiple
choice sub-questions hold ``Y``. Meta: ``id, submitdate, lastpage, startlanguage, seed, startdate,
datestamp, ipaddr, refurl`` (or their text headings ``Response ID, Date submitted, …``), timings
``interviewtime`` (seconds) when enabled.
"""

from __future__ import annotations

import re

from analysis.ingest import Adapter, register
from analysis.ingest.readers import RawTable
from analysis.model import Survey

from ._common import Col, distinct_values, finish_survey, header_cells, norm_header, sequential_qnums, values_of

__all__ = ["LIMESURVEY_META", "detect_limesurvey", "parse_limesurvey"]

LIMESURVEY_META = {
    "id": "id",
    "response id": "id",
    "submitdate": "submitted_at",
    "date submitted": "submitted_at",
    "lastpage": "ignore",
    "last page": "ignore",
    "startlanguage": "ignore",
    "start language": "ignore",
    "seed": "ignore",
    "token": "ignore",
    "startdate": "ignore",
    "date started": "ignore",
    "datestamp": "ignore",
    "date last action": "ignore",
    "ipaddr": "ip",
    "ip address": "ip",
    "refurl": "ignore",
    "referrer url": "ignore",
    "interviewtime": "duration",
    "total time": "duration",
}
_CODE = re.compile(r"^(?P<code>[A-Za-z][A-Za-z0-9_]*)(?:\[(?P<sq>[^\]]+)\])?(?:\.\s*(?P<text>.*))?$", re.S)
_TEXT_ROW = re.compile(r"^(.*\S)\s*\[([^\[\]]+)\]\s*$", re.S)
_ANSWER_CODE = re.compile(r"^-?[A-Za-z]{0,3}\d+$")
_TIMING = re.compile(r"^(?:G\d+|.*)time$|^groupTime\d+$|^.*Time$", re.I)


def detect_limesurvey(raw: RawTable) -> float:
    heads = {norm_header(h) for h in header_cells(raw)}
    if {"id", "submitdate"} <= heads and heads & {"lastpage", "startlanguage", "seed", "datestamp"}:
        return 0.95
    if {"response id", "date submitted"} <= heads and heads & {"last page", "start language"}:
        return 0.9
    return 0.0


def _split(h: str) -> tuple[str, str | None, str | None]:
    """(question key, sub-question, display text) of one heading."""
    m = _CODE.match(h)
    if m and (m.group("sq") or m.group("text") is not None or " " not in h):
        text = (m.group("text") or "").strip()
        code, sq = m.group("code"), m.group("sq")
        if text:
            t = _TEXT_ROW.match(text)
            if t and sq:
                return code, t.group(2).strip(), t.group(1).strip()
            return code, sq, text
        return code, sq, None
    t = _TEXT_ROW.match(h)
    if t:
        return t.group(1).strip(), t.group(2).strip(), t.group(1).strip()
    return h, None, h


def parse_limesurvey(raw: RawTable) -> Survey:
    cols: list[Col] = []
    keys: list[str | None] = []
    answer_cols: list[int] = []
    for i, h in enumerate(header_cells(raw)):
        hint = LIMESURVEY_META.get(norm_header(h))
        if hint:
            cols.append(Col(h, h, None, None, hint))
            keys.append(None)
            continue
        key, sq, text = _split(h)
        if i > 0 and _TIMING.match(h) and not sq and text is None:
            cols.append(Col(h, h, None, None, "ignore"))
            keys.append(None)
            continue
        hint = None
        vals = set(distinct_values(raw, i, 1))
        if sq and sq.lower() in {"other", "comment"} or (sq or "").lower().endswith("comment"):
            hint = "text"
        elif sq and vals and vals <= {"Y", "N", "Yes", "No", "是", "否"} and "Y" in vals | {v[:1] for v in vals}:
            hint = "multi"
        cols.append(Col(h, text or key, None, sq, hint))
        keys.append(key)
        if hint is None:
            answer_cols.append(i)
    for c, q in zip(cols, sequential_qnums(keys), strict=True):
        c.qnum = q
    share_codes = _code_share(raw, answer_cols)
    return finish_survey("limesurvey", raw, cols, 1, value_codes=share_codes >= 0.5)


def _code_share(raw: RawTable, answer_cols: list[int]) -> float:
    """Share of answer columns whose values all look like LimeSurvey answer codes (A1, AO01, 3)."""
    n = k = 0
    for i in answer_cols:
        vals = values_of(raw, i, 1)
        if not vals:
            continue
        n += 1
        k += all(_ANSWER_CODE.match(v) for v in vals)
    return k / n if n else 0.0


register(Adapter("limesurvey", "LimeSurvey", "LimeSurvey", detect_limesurvey, parse_limesurvey, priority=15))
