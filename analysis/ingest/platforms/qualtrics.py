"""Qualtrics CSV/Excel export (current format: three header rows).

Row 1: column ids (``Q2_1``, ``ResponseId``); row 2: question text (``"Please rate: - Student
apartments"`` = stem, `` - ``, matrix row); row 3: ``{"ImportId":"QID2_1"}`` JSON. Answers are choice
text or — with "Use numeric values" — recode numbers (``value_codes=True``). The legacy format
without the ImportId row (two header rows) is read too. Preview / test / spam responses are dropped.
"""

from __future__ import annotations

import re

from analysis.ingest import Adapter, register
from analysis.ingest.readers import RawTable
from analysis.model import Survey

from ._common import Col, finish_survey, header_cells, int_column_share, norm_header, sequential_qnums

__all__ = ["QUALTRICS_META", "detect_qualtrics", "parse_qualtrics"]

QUALTRICS_META = {
    "responseid": "id",
    "responseid ": "id",
    "_recordid": "id",
    "recordeddate": "submitted_at",
    "enddate": "submitted_at",
    "startdate": "ignore",
    "duration (in seconds)": "duration",
    "ipaddress": "ip",
    "status": "ignore",
    "progress": "ignore",
    "finished": "ignore",
    "recipientlastname": "ignore",
    "recipientfirstname": "ignore",
    "recipientemail": "ignore",
    "externalreference": "ignore",
    "externaldatareference": "ignore",
    "locationlatitude": "ignore",
    "locationlongitude": "ignore",
    "distributionchannel": "ignore",
    "userlanguage": "ignore",
    "q_recaptchascore": "ignore",
    "q_relevantidduplicate": "ignore",
    "q_relevantidduplicatescore": "ignore",
    "q_relevantidfraudscore": "ignore",
    "q_relevantidlaststartdate": "ignore",
}
_NOT_REAL = {
    "survey preview",
    "survey test",
    "spam",
    "survey preview spam",
    "offline survey preview",
    "1",
    "2",
    "8",
    "9",
    "17",
}
_QNUM = re.compile(r"^Q(?:ID)?(\d+)", re.I)


def _n_header(raw: RawTable) -> int:
    third = header_cells(raw, 2)
    if third and sum(1 for c in third if '"importid"' in c.lower().replace(" ", "")) >= max(1, len(third) // 2):
        return 3
    return 2


def detect_qualtrics(raw: RawTable) -> float:
    first = {norm_header(h) for h in header_cells(raw)}
    third = header_cells(raw, 2)
    if any("importid" in c.lower() for c in third):
        return 1.0
    if {"responseid", "startdate", "enddate"} <= first or {"responseid", "recordeddate"} <= first:
        return 0.9
    return 0.0


def parse_qualtrics(raw: RawTable) -> Survey:
    n_header = _n_header(raw)
    ids, texts = header_cells(raw, 0), header_cells(raw, 1)
    cols: list[Col] = []
    stems: list[str | None] = []
    for h, text in zip(ids, texts, strict=False):
        hint = QUALTRICS_META.get(norm_header(h))
        if hint:
            cols.append(Col(h, text or h, None, None, hint))
            stems.append(None)
            continue
        stem, sep, row = (text or h).rpartition(" - ")
        if not sep:
            stem, row = text or h, ""
        if re.search(r"_TEXT$", h, re.I):
            hint = "text"
        cols.append(Col(h, stem.strip(), None, row.strip() or None, hint))
        m = _QNUM.match(h)
        stems.append(f"Q{m.group(1)}" if m else stem.strip())
    # one submission time: RecordedDate when exported, else EndDate
    sub = [c for c in cols if c.hint == "submitted_at"]
    if len(sub) > 1:
        keep = next((c for c in sub if norm_header(c.name) == "recordeddate"), sub[0])
        for c in sub:
            if c is not keep:
                c.hint = "ignore"
    # question numbers: the number in the id (Q2_1 → 2) when ids follow Qualtrics' default naming,
    # otherwise 1, 2, … over consecutive stems.
    numbered = [c for c, s in zip(cols, stems, strict=True) if s is not None]
    if numbered and all(_QNUM.match(c.name) for c in numbered):
        for c in numbered:
            c.qnum = int(_QNUM.match(c.name).group(1))
    else:
        for c, q in zip(cols, sequential_qnums(stems), strict=True):
            c.qnum = q

    warnings: list[str] = []
    status_col = next((i for i, h in enumerate(ids) if norm_header(h) == "status"), None)
    skip = None
    if status_col is not None:
        status = raw.frame.iloc[n_header:, status_col].map(norm_header)
        drop = status.isin(_NOT_REAL)
        if drop.any():
            warnings.append(
                f"删除了 {int(drop.sum())} 份预览/测试/垃圾答卷（Status 列）。"
                f" Dropped {int(drop.sum())} preview/test/spam response(s) (Status column)."
            )
            skip = drop.tolist()
    question = [i for i, c in enumerate(cols) if c.hint is None]
    value_codes = int_column_share(raw.frame.iloc[n_header:], question, raw=raw, n_header=n_header) >= 0.5
    return finish_survey(
        "qualtrics",
        raw,
        cols,
        n_header,
        value_codes=value_codes,
        warnings=warnings,
        skip=skip,
    )


register(Adapter("qualtrics", "Qualtrics", "Qualtrics", detect_qualtrics, parse_qualtrics, priority=15))
