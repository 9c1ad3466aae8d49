"""Benchmark generator (bench/gen_wjx.py): 问卷星 text layout, determinism, vectorised speed, CLI.

Expected shares are hand calculations from the generator's documented design (2 % 不了解 per
item; teachers, staff and parents skip the dormitory block), checked with binomial bounds.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import importlib.util
import io
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("gen_wjx", ROOT / "bench" / "gen_wjx.py")
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)

SCALE = {"非常满意", "满意", "一般", "不满意", "非常不满意"}
META = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、您的身份", "2、您所在的校区"]


def rows_of(data: bytes) -> tuple[list[str], list[list[str]]]:
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))
    return rows[0], rows[1:]


def test_layout_and_values():
    header, rows = rows_of(gen.make_wjx_text_bytes(2000, seed=1))
    assert header[:8] == META
    assert len(header) == 8 + 30 and len(set(header)) == len(header)
    assert all(re.fullmatch(r"第\d+题\(.+\)", h) for h in header[8:])
    assert len(rows) == 2000 and all(len(r) == len(header) for r in rows)
    assert [r[0] for r in rows] == [str(i) for i in range(1, 2001)]
    times = [dt.datetime.strptime(r[1], "%Y/%m/%d %H:%M:%S") for r in rows]
    assert times == sorted(times)
    assert (times[-1] - times[0]).days >= 20  # spread over the collection window
    assert not any(re.search(r"/0\d|\s0\d:", r[1]) for r in rows)  # 问卷星 writes 2024/9/2 8:03:07
    assert all(re.fullmatch(r"\d+秒", r[2]) for r in rows)
    assert all(re.fullmatch(r"\d+\.\d+\.\d+\.\d+\([^()-]+-[^()-]+\)", r[5]) for r in rows)
    assert {r[6] for r in rows} == {"学生", "教师", "职工", "家长"}
    assert {r[7] for r in rows} == {"东校区", "西校区", "南校区", "医学院", "师范学院"}
    for j in range(8, len(header)):
        assert {r[j] for r in rows} <= SCALE | {"(跳过)", "不了解"}


def test_skip_logic_and_not_applicable_shares():
    header, rows = rows_of(gen.make_wjx_text_bytes(5000, seed=2))
    dorm = [j for j, h in enumerate(header) if "公寓" in h or "宿舍" in h]
    other = [j for j, h in enumerate(header) if j >= 8 and j not in dorm]
    assert dorm
    for r in rows:
        skipped = {r[j] == "(跳过)" for j in dorm}
        assert skipped == {r[6] != "学生"}  # only non-students skip, and they skip the whole block
        assert all(r[j] != "(跳过)" for j in other)
    # 不了解: 2 % of the non-skipped answers; 3-sigma binomial bounds over 5000 × 27 cells
    n = len(rows) * len(other)
    na = sum(r[j] == "不了解" for r in rows for j in other)
    sd = (n * 0.02 * 0.98) ** 0.5
    assert abs(na - 0.02 * n) < 3 * sd + 0.002 * n  # speeders (1 %) answer on the scale


def test_answers_are_correlated_and_spread():
    header, rows = rows_of(gen.make_wjx_text_bytes(3000, seed=3))
    score = {"非常满意": 5, "满意": 4, "一般": 3, "不满意": 2, "非常不满意": 1}
    a = [j for j, h in enumerate(header) if "食堂饭菜质量" in h][0]
    b = [j for j, h in enumerate(header) if "食堂饭菜价格" in h][0]
    pairs = [(score[r[a]], score[r[b]]) for r in rows if r[a] in score and r[b] in score]
    xs, ys = zip(*pairs, strict=True)
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    cov = sum((x - mx) * (y - my) for x, y in pairs)
    r = cov / (sum((x - mx) ** 2 for x in xs) * sum((y - my) ** 2 for y in ys)) ** 0.5
    assert 0.3 < r < 0.9  # same area: clearly related, not identical
    assert set(xs) == {1, 2, 3, 4, 5}


def test_deterministic_and_seeded():
    assert gen.make_wjx_text_bytes(500, seed=7) == gen.make_wjx_text_bytes(500, seed=7)
    assert gen.make_wjx_text_bytes(500, seed=7) != gen.make_wjx_text_bytes(500, seed=8)


def test_chunk_boundaries_are_seamless(monkeypatch):
    monkeypatch.setattr(gen, "CHUNK_ROWS", 7)
    header, rows = rows_of(gen.make_wjx_text_bytes(30, n_items=5))
    assert len(header) == 8 + 5
    assert [r[0] for r in rows] == [str(i) for i in range(1, 31)]
    times = [dt.datetime.strptime(r[1], "%Y/%m/%d %H:%M:%S") for r in rows]
    assert times == sorted(times)


def test_item_counts():
    header, rows = rows_of(gen.make_wjx_text_bytes(10, n_items=45))
    assert len(header) == 8 + 45 and len(set(header)) == len(header)
    header, rows = rows_of(gen.make_wjx_text_bytes(0))
    assert rows == [] and len(header) == 38
    with pytest.raises(ValueError, match="n_items"):
        gen.make_wjx_text_bytes(10, n_items=0)
    with pytest.raises(ValueError, match="n_responses"):
        gen.make_wjx_text_bytes(-1)


def test_item_rows_carry_area_words():
    from analysis.areas import classify_area

    for _, label, area in gen.item_rows(30):
        assert classify_area(label) == area, label
    assert len({area for _, _, area in gen.item_rows(30)}) == 10


def test_parses_as_wjx_text():
    from analysis.ingest import parse_survey

    survey = parse_survey(gen.make_wjx_text_bytes(300), "bench.csv")
    assert survey.format == "wjx_text"
    assert survey.encoding == "utf-8-sig"
    assert len(survey.data) == 300


def test_fast_enough_for_a_million_rows():
    # 1M rows must take well under a minute: 200k rows get a tenth of that budget (scaled: 30 s)
    start = time.perf_counter()
    data = gen.make_wjx_text_bytes(200_000)
    secs = time.perf_counter() - start
    assert data.count(b"\n") == 200_001
    assert secs < 6, secs


def test_cli_writes_the_same_bytes(tmp_path):
    out = tmp_path / "sub" / "out.csv"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "gen_wjx.py"), "1500", str(out), "--seed", "4"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == gen.make_wjx_text_bytes(1500, seed=4)
    assert "1,500 rows" in proc.stderr


def test_open_column_answers_repeat_and_leave_the_rest_unchanged():
    """The open question is appended last; every other cell is as without it. Shares are the
    generator's documented weights (nothing to say 0.40, stock phrases 0.15), checked within
    ±5 binomial standard deviations at n = 4000 (sd ≈ 0.008 and 0.006)."""
    plain = gen.make_wjx_text_bytes(4000, seed=3)
    header, rows = rows_of(gen.make_wjx_text_bytes(4000, seed=3, open_col=True))
    p_header, p_rows = rows_of(plain)
    assert header[:-1] == p_header and header[-1] == f"13、{gen.OPEN_QUESTION}"
    assert [r[:-1] for r in rows] == p_rows
    answers = [r[-1] for r in rows]
    nothing = {"(空)", "无", "没有", "没有意见", "无。", "暂无", "没有建议", "无意见"}
    stock = {"很好", "满意", "挺好的", "希望继续保持", "辛苦了", "都挺好", "非常满意，谢谢", "一般"}
    assert abs(sum(a in nothing for a in answers) / 4000 - 0.40) < 0.04
    assert abs(sum(a in stock for a in answers) / 4000 - 0.15) < 0.03
    assert len(set(answers)) < 4000 * 0.5 and all(a and "," not in a and '"' not in a for a in answers)
