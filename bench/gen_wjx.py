"""Benchmark data: large 问卷星 "按选项文本" exports, generated with numpy and written by pyarrow.

Usage::

    python bench/gen_wjx.py 100000 out.csv [--items 30] [--seed 0] [--open-col]

The layout is the one ``analysis.ingest`` reads from 问卷星: UTF-8 with BOM; the fixed columns
``序号, 提交答卷时间 ("2024/9/2 8:03:07"), 所用时间 ("125秒"), 来源, 来源详情, 来自IP ("ip(省-市)")``;
``1、您的身份`` (学生/教师/职工/家长) and ``2、您所在的校区``; then ``n_items`` Likert items as matrix
rows ``第N题(行)`` grouped by service area, answered on 非常满意 … 非常不满意 with ``(跳过)`` (skip
logic) and ``不了解`` (not applicable) mixed in. Answers are correlated through a per-respondent
disposition so reliability and driver analyses have structure to find.

With ``open_col=True`` one open question closes the file (``N、您对学校后勤服务还有哪些意见和建议？``),
answered the way such columns are (:func:`open_answers`): about 40 % say nothing (``(空)``, 无,
没有, 没有意见 …), about 15 % are short stock phrases (很好, 满意, 希望继续保持 …), the rest are 后勤
comments built from an area clause, a problem and often a request, some naming a room (3号楼312室),
a few a phone number to be masked. Those answers come from their own random stream, so every other
cell is the same as without the column.

Every cell is made by whole-column numpy / pyarrow operations, never a Python loop per cell: one
million rows × 38 columns take a few seconds. Output is deterministic for given
``(n_responses, n_items, seed)``.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

__all__ = ["make_wjx_text_bytes", "iter_wjx_text_chunks", "item_rows", "open_answers", "SCALE", "CHUNK_ROWS",
           "OPEN_QUESTION"]

SCALE = ("非常满意", "满意", "一般", "不满意", "非常不满意")  # best → worst
SKIP, NOT_KNOWN = "(跳过)", "不了解"
CHUNK_ROWS = 100_000
BOM = "\ufeff".encode()

# (question stem area word, matrix rows) — every row carries a word the area classifier knows
_AREA_ROWS: list[tuple[str, list[str]]] = [
    ("accommodation", ["学生公寓住宿条件", "宿舍床铺安全", "公寓管理员服务", "宿舍空调", "公寓门禁管理"]),
    ("catering", ["食堂饭菜质量", "食堂饭菜价格", "食堂就餐环境", "食堂营业时间", "餐饮服务态度"]),
    ("maintenance", ["报修渠道便捷", "维修响应速度", "维修质量"]),
    ("cleaning", ["楼道保洁", "校园环境卫生", "卫生间清洁"]),
    ("greening", ["校园绿化", "绿化养护", "草坪与花木管理"]),
    ("utilities", ["开水供应", "水电供应", "热水供应"]),
    ("transport", ["校园班车", "停车管理", "校车准点"]),
    ("medical", ["医务室医疗服务", "校医服务态度", "体检服务"]),
    ("property", ["教学楼物业服务", "会议接待服务", "体育场馆服务"]),
    ("security", ["校园安保", "门卫服务", "消防安全管理"]),
]
_GROUPS = (("学生", 0.85), ("教师", 0.08), ("职工", 0.05), ("家长", 0.02))
_CAMPUSES = (("东校区", 0.3), ("西校区", 0.25), ("南校区", 0.25), ("医学院", 0.12), ("师范学院", 0.08))
_SOURCES = (("微信", "N/A", 0.6), ("手机提交", "直接访问", 0.3), ("链接", "直接访问", 0.1))
_REGIONS = ("湖北-武汉", "湖北-孝感", "湖北-黄冈", "河南-信阳", "湖南-岳阳")
_IP_PREFIX = ("58.19", "111.47", "27.17", "171.113", "113.57")
OPEN_QUESTION = "您对学校后勤服务还有哪些意见和建议？"
# Open answers. Nothing to say (≈ 40 %): 问卷星 writes (空) for an empty box.
_NOTHING = (("(空)", 0.20), ("无", 0.09), ("没有", 0.05), ("没有意见", 0.02), ("无。", 0.01), ("暂无", 0.01),
            ("没有建议", 0.01), ("无意见", 0.01))
# Stock phrases (≈ 15 %).
_STOCK = (("很好", 0.04), ("满意", 0.03), ("挺好的", 0.02), ("希望继续保持", 0.02), ("辛苦了", 0.01),
          ("都挺好", 0.01), ("非常满意，谢谢", 0.01), ("一般", 0.01))
# The rest (≈ 45 %): area clause + problem [+ request] [+ room] — about 25,000 distinct sentences
# before the rooms, most of them seen once in a 30,000-row wave.
_CLAUSES = ("食堂饭菜", "食堂的菜", "二食堂", "宿舍热水", "洗澡热水", "宿舍空调", "宿舍门禁", "宿舍洗衣机",
            "报修", "维修师傅", "开水房", "校园班车", "快递点", "楼道卫生", "卫生间", "校医院", "暖气",
            "夜宵窗口", "停车", "图书馆空调", "教学楼厕所", "绿化", "门卫", "宿舍网络", "超市")
_PROBLEMS = ("太贵了", "价格偏高", "不太好吃", "经常没有", "时冷时热", "总是坏", "响应太慢", "排队时间太长",
             "不够干净", "态度不好", "开放时间太短", "经常停", "太吵了", "很不方便", "分量太少", "一直没人修",
             "晚上不开", "有异味", "太拥挤", "收费不合理", "比以前好多了", "服务很好", "还可以", "有待提高",
             "问题很多", "需要改进", "不稳定", "太远了", "不准时", "坏了好几天")
_REQUESTS = ("", "", "", "，希望尽快解决", "，建议增加窗口", "，希望延长开放时间", "，建议加强管理",
             "，希望改进", "，请学校重视", "，能不能便宜一点", "，希望多派人手", "，建议定期检查",
             "，希望早点修好", "，谢谢", "，辛苦了", "。")
_START = np.datetime64("2024-09-02T08:00:00", "s")
_WINDOW_S = 30 * 86400


def item_rows(n_items: int = 30) -> list[tuple[int, str, str]]:
    """``(question number, row label, area)`` for ``n_items`` matrix rows, areas in turn.

    Rows cycle through the areas' row lists; past the available rows a label gets a suffix
    (``"校园绿化（二）"``) so every header stays unique. Question numbers start at 3.
    """
    if n_items < 1:
        raise ValueError(f"题目数至少为 1，收到 {n_items}。 n_items must be at least 1, got {n_items}.")
    per_area = [list(rows) for _, rows in _AREA_ROWS]
    picked: list[list[str]] = [[] for _ in _AREA_ROWS]
    suffix = ["", "（二）", "（三）", "（四）", "（五）", "（六）", "（七）", "（八）", "（九）"]
    k = 0
    while sum(len(p) for p in picked) < n_items:
        a = k % len(_AREA_ROWS)
        rows = per_area[a]
        j = len(picked[a])
        lap, pos = divmod(j, len(rows))
        label = rows[pos] + (suffix[lap] if lap < len(suffix) else f"（{lap + 1}）")
        picked[a].append(label)
        k += 1
    out = []
    qnum = 3
    for (area, _), labels in zip(_AREA_ROWS, picked, strict=True):
        if labels:
            out += [(qnum, lab, area) for lab in labels]
            qnum += 1
    return out


def _header(n_items: int, open_col: bool = False) -> list[str]:
    head = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、您的身份", "2、您所在的校区"]
    rows = item_rows(n_items)
    tail = [f"{rows[-1][0] + 1}、{OPEN_QUESTION}"] if open_col else []
    return head + [f"第{q}题({lab})" for q, lab, _ in rows] + tail


def _str(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(values), pa.string())


def _pad2(values: np.ndarray) -> pa.Array:
    return pc.utf8_lpad(_str(values), width=2, padding="0")


def _join(*parts) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _format_times(seconds: np.ndarray) -> pa.Array:
    """问卷星's "2024/9/2 8:03:07": month, day and hour without leading zeros."""
    t = _START + seconds.astype("timedelta64[s]")
    days = t.astype("datetime64[D]")
    months = t.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(int) + 1970
    month = months.astype(int) % 12 + 1
    day = (days - months.astype("datetime64[D]")).astype(int) + 1
    sod = (t - days.astype("datetime64[s]")).astype(int)
    hour, minute, sec = sod // 3600, sod % 3600 // 60, sod % 60
    return _join(_str(year), "/", _str(month), "/", _str(day), " ", _str(hour), ":", _pad2(minute), ":", _pad2(sec))


def open_answers(n: int, seed: int = 0) -> pa.Array:
    """``n`` answers to the open question (shares in the module docstring); deterministic for ``(n, seed)``.

    No ASCII comma or quote occurs in them (the CSV is written unquoted).
    """
    rng = np.random.default_rng([seed, 13])
    u = rng.random(n)
    p_nothing = sum(w for _, w in _NOTHING)
    p_stock = sum(w for _, w in _STOCK)
    nothing = _pick(rng, _NOTHING, n)
    stock = _pick(rng, _STOCK, n)
    clause = pc.take(pa.array(_CLAUSES), pa.array(rng.integers(0, len(_CLAUSES), size=n)))
    problem = pc.take(pa.array(_PROBLEMS), pa.array(rng.integers(0, len(_PROBLEMS), size=n)))
    request = pc.take(pa.array(_REQUESTS), pa.array(rng.integers(0, len(_REQUESTS), size=n)))
    room = rng.random(n) < 0.12
    rooms = _join(_str(rng.integers(1, 20, size=n)), "号楼", _str(rng.integers(101, 620, size=n)), "室")
    phone = rng.random(n) < 0.01
    phones = _join("，电话1", _str(rng.integers(3_000_000_000, 9_999_999_999, size=n)))
    comment = _join(pc.if_else(pa.array(room), _join(rooms, "的"), ""), clause, problem, request,
                    pc.if_else(pa.array(phone), phones, ""))
    out = pc.if_else(pa.array(u < p_nothing), pc.take(pa.array([t for t, _ in _NOTHING]), pa.array(nothing)),
                     pc.if_else(pa.array(u < p_nothing + p_stock),
                                pc.take(pa.array([t for t, _ in _STOCK]), pa.array(stock)), comment))
    return out


def _pick(rng: np.random.Generator, options, n: int) -> np.ndarray:
    p = np.array([o[-1] for o in options], dtype=float)
    return rng.choice(len(options), size=n, p=p / p.sum()).astype(np.int8)


def _chunk_table(
    rng: np.random.Generator, first: int, n: int, t0: float, mean_gap: float, rows, area_index
) -> tuple[pa.Table, float]:
    """One block of rows; ``t0`` is the last submission offset of the previous block (seconds)."""
    gaps = rng.exponential(mean_gap, size=n)
    offsets = t0 + np.cumsum(gaps)
    seconds = np.floor(offsets).astype(np.int64)
    src = _pick(rng, _SOURCES, n)
    group = _pick(rng, _GROUPS, n)
    campus = _pick(rng, _CAMPUSES, n)
    duration = np.maximum(20, rng.lognormal(np.log(30 + 6 * len(rows)), 0.4, size=n)).astype(np.int64)
    speeders = rng.random(n) < 0.01
    duration[speeders] = rng.integers(5, 20, size=int(speeders.sum()))

    cols: dict[str, pa.Array] = {
        "序号": _str(np.arange(first + 1, first + n + 1)),
        "提交答卷时间": _format_times(seconds),
        "所用时间": _join(_str(duration), "秒"),
        "来源": pc.take(pa.array([s[0] for s in _SOURCES]), pa.array(src)),
        "来源详情": pc.take(pa.array([s[1] for s in _SOURCES]), pa.array(src)),
        "来自IP": _join(
            pc.take(pa.array(_IP_PREFIX), pa.array(rng.integers(0, len(_IP_PREFIX), size=n))),
            ".",
            _str(rng.integers(1, 255, size=n)),
            ".",
            _str(rng.integers(1, 255, size=n)),
            "(",
            pc.take(pa.array(_REGIONS), pa.array(rng.integers(0, len(_REGIONS), size=n))),
            ")",
        ),
        "1、您的身份": pc.take(pa.array([g[0] for g in _GROUPS]), pa.array(group)),
        "2、您所在的校区": pc.take(pa.array([c[0] for c in _CAMPUSES]), pa.array(campus)),
    }
    # Latent model: disposition z, one factor per area, item noise; cut points give a realistic
    # spread (about 45 % 满意/非常满意 … 5 % 非常不满意). Labels index: 0..4 = SCALE, 5 = skip, 6 = n/a.
    labels = pa.array(list(SCALE) + [SKIP, NOT_KNOWN])
    z = rng.standard_normal(n).astype(np.float32)
    n_areas = len(_AREA_ROWS)
    factors = 0.6 * z[:, None] + 0.8 * rng.standard_normal((n, n_areas)).astype(np.float32)
    non_student = group != 0
    cuts = np.array([-1.7, -1.0, -0.2, 0.8], dtype=np.float32)  # worst → best boundaries
    for j, (q, lab, area) in enumerate(rows):
        score = 0.8 * factors[:, area_index[area]] + 0.6 * rng.standard_normal(n).astype(np.float32)
        score += np.float32(0.15 * ((j * 7) % 5 - 2))  # items differ a little in level
        code = (4 - np.searchsorted(cuts, score)).astype(np.int8)  # 0 = 非常满意 … 4 = 非常不满意
        u = rng.random(n, dtype=np.float32)
        code[u < 0.02] = 6
        code[speeders] = rng.integers(0, 5, size=int(speeders.sum()))  # speeders click at random
        if area == "accommodation":
            code[non_student] = 5  # teachers, staff and parents skip the dormitory block (问卷星 logic)
        cols[f"第{q}题({lab})"] = pc.take(labels, pa.array(code))
    return pa.table(cols), float(offsets[-1])


def iter_wjx_text_chunks(n_responses: int, n_items: int = 30, seed: int = 0, *,
                         open_col: bool = False) -> Iterator[bytes]:
    """The export as consecutive byte chunks (BOM + header first, then blocks of ``CHUNK_ROWS`` rows)."""
    if n_responses < 0:
        raise ValueError(f"答卷数不能为负，收到 {n_responses}。 n_responses must be ≥ 0, got {n_responses}.")
    rows = item_rows(n_items)
    area_index = {area: i for i, (area, _) in enumerate(_AREA_ROWS)}
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(_header(n_items, open_col))
    yield BOM + header.getvalue().encode("utf-8")
    rng = np.random.default_rng(seed)
    answers = open_answers(n_responses, seed) if open_col else None
    options = pacsv.WriteOptions(include_header=False, quoting_style="none")
    t0 = 0.0
    mean_gap = _WINDOW_S / max(n_responses, 1)  # submissions spread over a 30-day window
    for first in range(0, n_responses, CHUNK_ROWS):
        n = min(CHUNK_ROWS, n_responses - first)
        table, t0 = _chunk_table(rng, first, n, t0, mean_gap, rows, area_index)
        if answers is not None:
            table = table.append_column(_header(n_items, True)[-1], answers.slice(first, n))
        sink = io.BytesIO()
        pacsv.write_csv(table, sink, options)
        yield sink.getvalue()


def make_wjx_text_bytes(n_responses: int, n_items: int = 30, seed: int = 0, *, open_col: bool = False) -> bytes:
    """A 问卷星 按选项文本 CSV export with ``n_responses`` rows and ``n_items`` Likert matrix rows.

    Parameters
    ----------
    n_responses : number of respondents (data rows).
    n_items : Likert items (matrix rows across the service areas), default 30.
    seed : seed of ``numpy.random.default_rng``; same arguments → same bytes.
    open_col : add the open question as the last column (module docstring).

    Returns
    -------
    bytes
        UTF-8 with BOM, ``\\n`` line ends; about 0.35 KB per row at 30 items.
    """
    return b"".join(iter_wjx_text_chunks(n_responses, n_items, seed, open_col=open_col))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a large 问卷星 按选项文本 CSV for benchmarks.")
    parser.add_argument("n_responses", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--open-col", action="store_true", help="add one open question (about 40 %% say nothing)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    size = 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "wb") as fh:
        for chunk in iter_wjx_text_chunks(args.n_responses, args.items, args.seed, open_col=args.open_col):
            fh.write(chunk)
            size += len(chunk)
    secs = time.perf_counter() - start
    print(f"wrote {args.out} ({args.n_responses:,} rows, {size / 2**20:.1f} MiB) in {secs:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
