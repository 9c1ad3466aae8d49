"""KoboToolbox (ODK / XLSForm) CSV and .xlsx export.

``;``-separated, all quoted; columns are group paths joined with ``/`` (``服务评价/学生公寓``): the
stem is the last path element, the groups before it are kept as the matrix-row context. Meta
columns ``_id, _uuid, _submission_time, _index`` (and ``_validation_status, _notes, _status,
_submitted_by, __version__, _tags``) come last; ``_id`` is the respondent id. ``start``/``end``
(device times) give the completion time: an extra column ``_duration`` = end − start in seconds.
Multiple-select questions appear once space-joined and once per option (``group/q/option``, 0/1).
"""

from __future__ import annotations

from analysis.ingest import Adapter, register
from analysis.ingest.readers import RawTable
from analysis.ingest.values import parse_times
from analysis.model import Survey

from ._common import Col, finish_survey, header_cells, norm_header, sequential_qnums

__all__ = ["KOBO_META", "detect_kobo", "parse_kobo"]

KOBO_META = {
    "_id": "id",
    "_uuid": "ignore",
    "_submission_time": "submitted_at",
    "_index": "ignore",
    "_validation_status": "ignore",
    "_notes": "ignore",
    "_status": "ignore",
    "_submitted_by": "ignore",
    "__version__": "ignore",
    "_version_": "ignore",
    "_tags": "ignore",
    "_parent_index": "ignore",
    "meta/instanceid": "ignore",
    "meta/instanceID": "ignore",
    "meta/rootuuid": "ignore",
    "meta/deprecatedid": "ignore",
    "start": "ignore",
    "end": "ignore",
    "today": "ignore",
    "deviceid": "ignore",
    "phonenumber": "ignore",
    "username": "ignore",
    "simserial": "ignore",
    "subscriberid": "ignore",
    "audit": "ignore",
}


def detect_kobo(raw: RawTable) -> float:
    heads = {norm_header(h) for h in header_cells(raw)}
    if {"_id", "_uuid"} <= heads and ("_submission_time" in heads or "_index" in heads):
        return 0.95
    return 0.0


def parse_kobo(raw: RawTable) -> Survey:
    heads = header_cells(raw)
    paths = [h.strip("/") for h in heads]
    path_set = set(paths)
    cols: list[Col] = []
    keys: list[str | None] = []
    for h, p in zip(heads, paths, strict=True):
        key = norm_header(h)
        last = norm_header(p.rsplit("/", 1)[-1])
        hint = KOBO_META.get(key) or (KOBO_META.get(last) if last.startswith("_") else None)
        if hint or key.startswith(("meta/", "formhub/")):
            cols.append(Col(h, h, None, None, hint or "ignore"))
            keys.append(None)
            continue
        parts = [x for x in p.split("/") if x]
        parent = "/".join(parts[:-1])
        if parent and parent in path_set:  # one option of a multiple-select question
            cols.append(Col(h, parts[-2], None, parts[-1], "multi"))
            keys.append(parent)
            continue
        is_multi_whole = any(q.startswith(p + "/") for q in path_set)
        cols.append(Col(h, parts[-1] if parts else h, None, None, "multi" if is_multi_whole else None))
        keys.append(p)
    for c, q in zip(cols, sequential_qnums(keys), strict=True):
        c.qnum = q

    extra = []
    lower = [norm_header(h) for h in heads]
    if "start" in lower and "end" in lower:
        body = raw.frame.iloc[1:]
        start, _ = parse_times(body.iloc[:, lower.index("start")].reset_index(drop=True))
        end, _ = parse_times(body.iloc[:, lower.index("end")].reset_index(drop=True))
        secs = (end - start).dt.total_seconds()
        dur = secs.where(secs >= 0).round()  # unreadable or reversed times: NaN
        extra.append((Col("_duration", "用时（秒，end − start） completion time (s)", None, None, "duration"), dur))
    return finish_survey("kobo", raw, cols, 1, extra=extra)


register(Adapter("kobo", "KoboToolbox", "KoboToolbox", detect_kobo, parse_kobo, priority=15))
