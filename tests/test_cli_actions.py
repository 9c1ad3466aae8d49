"""``python -m analysis actions …``: import (series choice and refusal), add, and the JSON contract.

Expected figures are hand counts over the fixture files of tests/test_store_actions.py
(``wave_file(k)`` has exactly k of 50 satisfied on 维修响应).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from analysis import store
from analysis.__main__ import main
from tests.test_actions_import import workbook
from tests.test_store_actions import wave_file

CONTRACT_KEYS = {"id", "problem", "measure", "owner", "department", "deadline", "status", "completed_on", "target",
                 "verdict", "confident", "measured", "baseline", "change_pp", "p_value"}


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path}/cli.db"
    eng = store.get_engine(url)
    yield url, eng
    store.close_engine(eng)


def two_series(eng):
    a1 = store.ingest_file(eng, wave_file(30, seed=1), "a1.csv", meta={"unit": "甲校", "period": "2019-10", "fieldwork_start": "2019-10-01"}).wave_id
    a2 = store.ingest_file(eng, wave_file(45, seed=2), "a2.csv", meta={"unit": "甲校", "period": "2020-10", "fieldwork_start": "2020-10-01"}).wave_id
    b1 = store.ingest_file(eng, wave_file(20, seed=3), "b1.csv", meta={"unit": "乙校", "period": "2020-10", "fieldwork_start": "2020-10-01"}).wave_id
    return a1, a2, b1


REGISTER = [["序号", "存在问题", "整改措施", "责任人", "整改目标", "完成时限", "完成情况", "完成日期"],
            [1, "报修慢", "微信报修", "赵一", "维修响应满意率达到85%以上", "2019-12-31", "已完成", "2019-11-15"],
            [2, "菜品单一", "增加菜品", "钱二", "明显提升", "2020-06-30", "推进中", None]]


def test_import_refuses_and_lists_when_several_series_fit(db, tmp_path, capsys):
    url, eng = db
    two_series(eng)
    f = tmp_path / "台账.xlsx"
    f.write_bytes(workbook(REGISTER))
    assert main(["actions", "import", str(f), "--db", url]) == 2
    err = capsys.readouterr().err
    assert "--series" in err and "甲校" in err and "乙校" in err
    assert store.list_actions(eng).empty  # nothing written


def test_import_with_series_then_json_contract(db, tmp_path, capsys):
    url, eng = db
    a1, a2, _ = two_series(eng)
    f = tmp_path / "台账.xlsx"
    f.write_bytes(workbook(REGISTER))
    ser = store.list_series(eng)
    name = ser.loc[ser["unit"] == "甲校", "name"].iloc[0]  # by name (an id works too)
    assert main(["actions", "import", str(f), "--series", name, "--db", url, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["imported"]) == 2 and out["header_row"] == 2
    assert [x["line"] for x in out["needs_fix"]] == [4] and "明显提升" in out["needs_fix"][0]["problems"][0]

    assert main(["actions", "--json", "--db", url]) == 0
    acts = json.loads(capsys.readouterr().out)["actions"]
    assert len(acts) == 2 and all(CONTRACT_KEYS <= set(a) for a in acts)
    first = acts[0]
    assert first["verdict"] == "met" and first["status"] == "done" and first["completed_on"] == "2019-11-15"
    assert first["target"] == {"kind": "item", "key": "维修响应", "label": "维修响应", "rate": 0.85, "change_pp": None}
    assert first["measured"]["wave"] == a2 and first["measured"]["n_valid"] == 50
    assert first["measured"]["rate"] == pytest.approx(0.9)
    assert first["baseline"] == {"wave": a1, "wave_name": "a1", "rate": pytest.approx(0.6), "n_valid": 50}
    assert first["change_pp"] == pytest.approx(30.0)
    second = acts[1]
    assert second["target"] is None and second["verdict"] == "overdue"  # deadline 2020-06-30 has passed
    assert second["target_text"] == "明显提升"


def test_dry_run_writes_nothing(db, tmp_path, capsys):
    url, eng = db
    two_series(eng)
    f = tmp_path / "台账.xlsx"
    f.write_bytes(workbook(REGISTER))
    assert main(["actions", "import", str(f), "--series", "1", "--dry-run", "--db", url]) == 0
    assert "would import 2" in capsys.readouterr().out and store.list_actions(eng).empty


def test_add_parses_the_target_and_picks_the_series(db, capsys):
    url, eng = db
    two_series(eng)
    # both series ask 维修响应: refused with the list
    assert main(["actions", "add", "--problem", "报修慢", "--target", "维修响应满意率≥85%", "--db", url]) == 2
    assert "--series" in capsys.readouterr().err
    ser = store.list_series(eng)
    b = str(int(ser.loc[ser["unit"] == "乙校", "id"].iloc[0]))
    assert main(["actions", "add", "--problem", "报修慢", "--target", "维修响应满意率≥85%", "--series", b,
                 "--deadline", "2030年6月30日", "--owner", "赵一", "--db", url, "--json"]) == 0
    aid = json.loads(capsys.readouterr().out)["id"]
    row = store.get_action(eng, aid)
    assert row["target_kind"] == "item" and row["target_key"] == "维修响应" and row["deadline"] == dt.date(2030, 6, 30)
    assert row["origin"] == "cli" and row["status"] == "planned"
    assert main(["actions", "--db", url]) == 0
    assert "整改 1 项" in capsys.readouterr().out


@pytest.mark.parametrize("argv,msg", [
    (["--target", "提升5%"], "提升5%"),
    (["--target", "提升至60%"], "--target-item"),
    (["--target-area", "canteen", "--target-rate", "0.8"], "Unknown area"),
    (["--target-area", "catering"], "--target-rate"),
])
def test_add_refuses_unclear_targets(db, capsys, argv, msg):
    url, eng = db
    assert main(["actions", "add", "--problem", "x", *argv, "--db", url]) == 2
    assert msg in capsys.readouterr().err and store.list_actions(eng).empty


def test_missing_file(db, capsys):
    url, _ = db
    assert main(["actions", "import", "nope.xlsx", "--db", url]) == 2
    assert "File not found" in capsys.readouterr().err
