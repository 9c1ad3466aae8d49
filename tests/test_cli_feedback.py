"""Tests for ``python -m analysis feedback …`` (analysis/cli_feedback.py).

Expected values are read off the input files by hand: the GBK example has 10 records in file
order (row 4 holds the only phone number, 135 7788 9900; row 10 says 没什么意见); the survey export
is ``tests.test_store.make_wjx``, whose open column holds two known sentences or ``(空)``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.__main__ import SUBCOMMAND_MODULES, main
from tests.test_store import make_wjx

ROOT = Path(__file__).resolve().parents[1]
GBK = Path(__file__).parent / "data" / "feedback_records_gbk.csv"


def _run(argv, capsys) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_registered():
    assert "cli_feedback" in SUBCOMMAND_MODULES


def test_feedback_file_json_contract(capsys):
    code, out, _ = _run(["feedback", str(GBK), "--json"], capsys)
    assert code == 0
    d = json.loads(out)
    assert set(d) == {"source", "records", "topics", "warnings"}
    assert d["source"] == {"file": GBK.name, "kind": "records"}
    recs = d["records"]
    assert [r["row"] for r in recs] == list(range(1, 11))
    for r in recs:
        assert set(r) == {"row", "date", "channel", "group", "text", "areas", "tone", "keywords", "masked"}
    assert recs[0] == {"row": 1, "date": "2025-03-04", "channel": "forum", "group": "学生代表",
                       "text": "希望二食堂周末也开早餐窗口", "areas": ["catering"], "tone": "neutral",
                       "keywords": recs[0]["keywords"], "masked": 0}
    assert recs[3]["masked"] == 1 and "[手机号]" in recs[3]["text"]
    assert recs[9]["areas"] == []
    assert "7788" not in out and "9900" not in out
    topics = {t["area"]: t for t in d["topics"]}
    assert topics["catering"]["n"] == 3  # rows 1, 5, 8 (二食堂 breakfast, 菜品价格, 三食堂后厨)
    assert "食堂" in topics["catering"]["keywords"]
    assert [t["n"] for t in d["topics"]] == sorted((t["n"] for t in d["topics"]), reverse=True)


def test_feedback_on_a_survey_export(tmp_path, capsys):
    f = tmp_path / "wjx.csv"
    f.write_bytes(make_wjx(30, seed=2))
    code, out, _ = _run(["feedback", str(f), "--json"], capsys)
    assert code == 0
    d = json.loads(out)
    assert d["source"]["kind"] == "survey"
    assert d["records"] and {r["channel"] for r in d["records"]} == {"survey"}
    assert {r["text"] for r in d["records"]} <= {"希望延长开水供应时间", "食堂价格偏高"}


def test_feedback_never_prints_personal_data_in_warnings(tmp_path, capsys):
    f = tmp_path / "r.csv"
    f.write_text("日期,渠道,内容\n电话13577889900,座谈会,食堂太贵\n2025-01-02,13900001111,宿舍太吵\n", encoding="utf-8")
    code, out, _ = _run(["feedback", str(f), "--json"], capsys)
    assert code == 0
    assert "13577889900" not in out and "13900001111" not in out
    assert len(json.loads(out)["warnings"]) == 2


def test_import_and_list_on_the_store(tmp_path, capsys):
    db = f"sqlite:///{tmp_path}/s.db"
    code, out, _ = _run(["feedback", "import", str(GBK), "--db", db, "--json"], capsys)
    assert code == 0 and json.loads(out)["created"] and json.loads(out)["n_records"] == 10
    code, out, _ = _run(["feedback", "import", str(GBK), "--db", db, "--json"], capsys)
    assert not json.loads(out)["created"]
    code, out, _ = _run(["feedback", "list", "--channel", "信访", "--db", db, "--json"], capsys)
    rows = json.loads(out)
    assert len(rows) == 1 and rows[0]["text"] == "南门快递柜不够用，包裹堆在地上"
    code, out, _ = _run(["feedback", "list", "--area", "catering", "--db", db, "--json"], capsys)
    assert len(json.loads(out)) == 3
    code, out, _ = _run(["feedback", "list", "--db", db], capsys)
    assert out.startswith("10 条记录") and "7788" not in out


@pytest.mark.parametrize("argv, message", [
    (["feedback", "no/such/file.csv"], "找不到文件"),
    (["feedback", "import"], "feedback import FILE"),
    (["feedback", "list", "--area", "火星"], "未知的服务领域"),
])
def test_bad_input_is_one_line_and_non_zero(argv, message, capsys, tmp_path):
    code, _, err = _run(argv + (["--db", f"sqlite:///{tmp_path}/s.db"] if argv[1] == "list" else []), capsys)
    assert code == 2 and message in err and "Traceback" not in err


def test_module_entry_point_runs():
    proc = subprocess.run([sys.executable, "-m", "analysis", "feedback", str(GBK)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "10 条记录" in proc.stdout
