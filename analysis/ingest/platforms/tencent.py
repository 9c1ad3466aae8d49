"""腾讯问卷 (wj.qq.com) CSV/Excel export.

Layout: every field quoted and a trailing comma on each line (the reader drops the empty last
column); meta ``编号, 开始答题时间, 结束答题时间, 答题时长`` (plain seconds) and sometimes ``IP``,
``地理位置``, ``用户ID``…; questions ``N.题干``; matrix rows ``N.题干:行``; multi-select one column per
option (``N.题干:选项`` holding the option text or 1 when chosen); fill-ins ``…_填空k``. Answers keep
their ``A.`` letter prefixes (the scale normaliser strips them). Times come as ``2026/6/18 14:36``
or ``02-Feb-2021 20:26:58``.
"""

from __future__ import annotations

import re

from analysis.ingest import Adapter, register
from analysis.ingest.readers import RawTable
from analysis.model import Survey
from analysis.scales import normalize_label

from ._common import Col, distinct_values, finish_survey, header_cells

__all__ = ["TENCENT_META", "detect_tencent", "parse_tencent"]

TENCENT_META = {
    "编号": "id",
    "答卷编号": "id",
    "开始答题时间": "ignore",
    "结束答题时间": "submitted_at",
    "提交时间": "submitted_at",
    "答题时长": "duration",
    "ip": "ip",
    "ip地址": "ip",
    "地理位置": "ignore",
    "用户id": "ignore",
    "openid": "ignore",
    "昵称": "ignore",
    "渠道": "ignore",
    "来源": "ignore",
    "回答状态": "ignore",
    "设备": "ignore",
    "浏览器": "ignore",
    "操作系统": "ignore",
    "填写设备": "ignore",
}
_Q = re.compile(r"^(\d+)\s*[.．、]\s*(.*)$", re.S)
_FILL = re.compile(r"_填空\s*(\d*)$")
_CHOSEN = {"1", "√", "是", "选中", "y", "yes"}


def _meta_key(h: str) -> str:
    """``答题时长（秒）`` → ``答题时长``: white space, brackets and units dropped, lower-case."""
    return re.sub(r"[\s()（）]|秒", "", h.lower())


def detect_tencent(raw: RawTable) -> float:
    heads = [h.replace(" ", "") for h in header_cells(raw)]
    hs = set(heads)
    if "序号" in hs and "提交答卷时间" in hs:  # 问卷星
        return 0.0
    has_time = bool(hs & {"开始答题时间", "结束答题时间", "答题时长"})
    n_q = sum(1 for h in heads if _Q.match(h))
    if "编号" in hs and has_time:
        return 0.95
    if has_time and n_q:
        return 0.8
    return 0.0


def parse_tencent(raw: RawTable) -> Survey:
    heads = header_cells(raw)
    cols: list[Col] = []
    for h in heads:
        key = _meta_key(h)
        if key in TENCENT_META:
            cols.append(Col(h, h, None, None, TENCENT_META[key]))
            continue
        m = _Q.match(h)
        if not m:
            cols.append(Col(h, h, None, None, None))
            continue
        q, text = int(m.group(1)), m.group(2).strip()
        fill = _FILL.search(text)
        hint = None
        if fill:
            text = text[: fill.start()].strip()
            hint = "text"
        stem, _, row = text.partition(":")
        if not row:
            stem, _, row = text.partition("：")
        stem, row = stem.strip(), row.strip()
        if fill:
            row = f"{row or stem}（填空{fill.group(1)}）".strip()
        cols.append(Col(h, stem, q, row or None, hint))

    # multi-select: every option column of the question holds its own option text (or 1) when chosen
    by_q: dict[int, list[int]] = {}
    for i, c in enumerate(cols):
        if c.qnum is not None and c.row and c.hint is None:
            by_q.setdefault(c.qnum, []).append(i)
    for idxs in by_q.values():

        def chosen_only(i: int) -> bool:
            vals = {normalize_label(v) for v in distinct_values(raw, i, 1)}
            own = normalize_label(cols[i].row)
            return bool(vals) and vals <= (_CHOSEN | {own, "0"})

        filled = [i for i in idxs if distinct_values(raw, i, 1)]
        if filled and all(chosen_only(i) for i in filled):
            for i in idxs:
                cols[i].hint = "multi"
    return finish_survey("tencent", raw, cols, 1)


register(Adapter("tencent", "腾讯问卷", "Tencent Survey (wj.qq.com)", detect_tencent, parse_tencent, priority=15))
