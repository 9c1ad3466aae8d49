"""analysis.store.actions on SQLite and PostgreSQL: the register round trip, the audit trail, and
verification against stored waves as they are added, deleted and restored.

Expected rates are hand counts: the fixture files are written here with a known number of
satisfied answers (很满意 + 比较满意) per item.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
import types

import pandas as pd
import pytest

from analysis import store
from tests.test_store import db_url, engine  # noqa: F401 - fixtures (SQLite and PostgreSQL)

SAT = ["很满意", "比较满意"]
NOT = ["一般", "不太满意", "很不满意"]


def wave_file(k_repair: int, n: int = 50, *, k_food: int = 25, seed: int = 0) -> bytes:
    """问卷星 text export with exactly ``k_repair`` of ``n`` satisfied on 维修响应 (and ``k_food`` on 食堂菜品)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、您的身份",
                "第2题(维修响应)", "第2题(食堂菜品)", "3、其他建议"])
    base = dt.datetime(2025, 4, 1, 8, 0, 0)
    for i in range(n):
        rep = SAT[i % 2] if i < k_repair else NOT[i % 3]
        food = SAT[(i + 1) % 2] if (i + seed) % n < k_food else NOT[(i + 2) % 3]
        when = base + dt.timedelta(minutes=11 * i + seed)
        w.writerow([str(i + 1), when.strftime("%Y/%m/%d %H:%M:%S"), f"{200 + 7 * i}秒", "手机提交", "直接访问",
                    f"10.{seed}.{i // 200}.{i % 200}(湖北-武汉)", "学生", rep, food, f"建议{seed}-{i}"])
    return buf.getvalue().encode("utf-8")


def ingest(engine, k, period, unit="测试大学", seed=0, **kw):  # noqa: F811
    res = store.ingest_file(engine, wave_file(k, seed=seed, **kw), f"w{period}-{unit}-{seed}.csv",
                            meta={"unit": unit, "period": period, "fieldwork_start": f"{period}-01",
                                  "fieldwork_end": f"{period}-01"})
    return res.wave_id


def add(engine, **kw):  # noqa: F811
    fields = dict(problem="维修响应慢", measure="微信报修", owner="维修中心主任", department="后勤保障处",
                  target_kind="item", target_key="维修响应", target_label="维修响应", target_rate=0.85,
                  deadline="2025-06-30", status="done", completed_on="2025-03-01", origin="import")
    fields.update(kw)
    return store.add_action(engine, user="经理", **fields)


def series_of(engine, wave_id):  # noqa: F811
    vw = store.verification_waves(engine)
    return int(vw.loc[vw["id"] == wave_id, "series_id"].iloc[0])


def test_round_trip_of_every_field(engine):  # noqa: F811
    sid = series_of(engine, ingest(engine, 30, "2024-10", seed=1))
    aid = store.add_action(engine, user="经理", problem="报修渠道少", source="座谈会", area="maintenance",
                           measure="开设微信报修", owner="张三", department="维修中心", kind="立行立改",
                           target_text="维修满意率≥85%", target_kind="area", target_key="maintenance",
                           target_label="维修", target_rate=0.85, deadline="2025年6月30日", status="推进中",
                           evidence="上线通知", origin="priorities", feedback_ids=[3, 7], items=["维修响应"],
                           series_id=sid, register_no="1")
    got = store.get_action(engine, aid)
    assert got["problem"] == "报修渠道少" and got["kind"] == "immediate" and got["status"] == "in_progress"
    assert got["deadline"] == dt.date(2025, 6, 30) and got["completed_on"] is None
    assert got["feedback_ids"] == [3, 7] and got["items"] == ["维修响应"] and got["series_id"] == sid
    assert got["target_rate"] == pytest.approx(0.85) and got["created_by"] == "经理"
    df = store.list_actions(engine)
    assert list(df.columns) == store.ACTION_COLUMNS and df["id"].tolist() == [aid]
    assert df["deadline"].iloc[0] == pd.Timestamp("2025-06-30")


def test_changes_are_audited_with_old_and_new(engine):  # noqa: F811
    aid = add(engine, status="in_progress", completed_on=None)
    store.update_action(engine, aid, user="李四", owner="新负责人")
    row = store.set_action_status(engine, aid, "done", user="李四")
    assert row["status"] == "done" and row["completed_on"] == dt.date.today()  # done without a date → today
    row = store.set_action_status(engine, aid, "in_progress", user="李四")
    assert row["completed_on"] is None
    store.delete_action(engine, aid, user="王五")
    assert store.list_actions(engine).empty and len(store.list_actions(engine, include_deleted=True)) == 1
    store.restore_action(engine, aid, user="王五")
    log = store.list_audit(engine)
    mine = log[log["action"].str.startswith("action_")]
    assert mine["action"].tolist()[::-1] == ["action_add", "action_update", "action_update", "action_update",
                                             "action_delete", "action_restore"]
    owner_change = mine.iloc[-2]["detail"]
    assert owner_change["owner"] == {"old": "维修中心主任", "new": "新负责人"} and mine.iloc[-2]["user"] == "李四"


@pytest.mark.parametrize("bad,match", [
    ({"problem": ""}, "problem"),
    ({"target_rate": 85}, "0–1"),
    ({"target_kind": "area", "target_key": "canteen"}, "Unknown service area"),
    ({"status": "差不多"}, "status"),
    ({"deadline": "下个月"}, "not a date"),
    ({"target_rate": 0.8, "target_change": 5.0}, "not both"),
    ({"target_kind": None, "target_key": None}, "item or a service area"),
    ({"status": "planned", "completed_on": "2025-01-01"}, "Only a done action"),
    ({"series_id": 999}, "series"),
])
def test_bad_fields_are_refused_and_nothing_is_written(engine, bad, match):  # noqa: F811
    with pytest.raises(ValueError, match=match):
        add(engine, **bad)
    assert store.list_actions(engine, include_deleted=True).empty


def test_action_writes_change_the_data_version(engine):  # noqa: F811
    v0 = store.data_version(engine)
    aid = add(engine)
    v1 = store.data_version(engine)
    store.update_action(engine, aid, owner="x")
    assert len({v0, v1, store.data_version(engine)}) == 3


def test_verdicts_follow_waves_added_deleted_and_restored(engine):  # noqa: F811
    w1 = ingest(engine, 30, "2024-10", seed=1)  # 30/50 = 60 %
    w2 = ingest(engine, 45, "2025-10", seed=2)  # 45/50 = 90 %
    aid = add(engine, series_id=series_of(engine, w1))
    r = store.verify_actions(engine).set_index("id").loc[aid]
    assert (r.verdict, r.measured_wave, r.baseline_wave) == ("met", w2, w1)
    assert (r.measured_k, r.n_valid, r.baseline_k, r.baseline_n) == (45, 50, 30, 50)
    assert r.change_pp == pytest.approx(30.0) and r.measured_wave_name == "w2025-10-测试大学-2"

    store.delete_wave(engine, w2)
    r = store.verify_actions(engine).set_index("id").loc[aid]
    assert r.verdict == "awaiting_wave" and pd.isna(r.measured_wave)
    store.restore_wave(engine, w2)
    assert store.verify_actions(engine).set_index("id").loc[aid].verdict == "met"

    w3 = ingest(engine, 40, "2025-06", seed=3)  # 40/50 = 80 %, the first wave after 2025-03-01
    r = store.verify_actions(engine).set_index("id").loc[aid]
    assert (r.verdict, r.measured_wave, r.measured_k) == ("not_met", w3, 40)


def test_a_wave_of_another_series_never_verifies(engine):  # noqa: F811
    w1 = ingest(engine, 30, "2024-10", seed=1)
    ingest(engine, 50, "2025-10", unit="别的学校", seed=4)
    aid = add(engine, series_id=series_of(engine, w1))
    r = store.verify_actions(engine).set_index("id").loc[aid]
    assert r.verdict == "awaiting_wave" and r.baseline_wave == w1


def test_area_target_uses_the_pooled_area_rate(engine):  # noqa: F811
    w1 = ingest(engine, 30, "2024-10", seed=1, k_food=20)
    ingest(engine, 45, "2025-10", seed=2, k_food=40)
    aid = add(engine, series_id=series_of(engine, w1), target_kind="area", target_key="catering",
              target_label="食堂", target_rate=0.75)
    r = store.verify_actions(engine).set_index("id").loc[aid]
    assert (r.measured_k, r.n_valid, r.verdict) == (40, 50, "met")  # 食堂菜品 is the only catering item


def test_import_in_one_transaction(engine):  # noqa: F811
    ids = store.import_actions(engine, [{"problem": "甲", "status": "done", "completed_on": "2025-01-01"},
                                        {"problem": "乙", "status": "未启动"}], user="经理")
    assert len(ids) == 2 and store.list_actions(engine)["origin"].tolist() == ["import", "import"]
    with pytest.raises(ValueError):
        store.import_actions(engine, [{"problem": "丙"}, {"problem": ""}])
    assert len(store.list_actions(engine)) == 2  # all or nothing


def test_demo_actions_are_seeded_into_the_latest_demo_series(monkeypatch, engine):  # noqa: F811
    from tests.test_store import fake_demo_module

    mod = fake_demo_module()
    mod.demo_actions = lambda: pd.DataFrame([{
        "problem": "报修慢", "area": "maintenance", "source": "座谈会", "measure": "微信报修", "owner": "主任",
        "department": "后勤", "target_area": "maintenance", "target_rate": 0.85, "deadline": pd.Timestamp("2020-12-31"),
        "status": "done", "completed_on": pd.Timestamp("2020-11-01"), "evidence": ""}])
    monkeypatch.setitem(sys.modules, "analysis.demo", mod)
    assert store.ensure_demo(engine)
    acts = store.list_actions(engine)
    assert len(acts) == 1 and acts["origin"].iloc[0] == "demo"
    assert acts["created_at"].iloc[0] == pd.Timestamp("2019-10-25 09:00")
    vw = store.verification_waves(engine)
    assert acts["series_id"].iloc[0] == vw["series_id"].iloc[-1]
    assert acts["target_text"].iloc[0] == "维修满意率 ≥ 85%"


def test_demo_module_without_actions_still_seeds_waves(monkeypatch, engine):  # noqa: F811
    monkeypatch.setitem(sys.modules, "analysis.demo", types.ModuleType("analysis.demo"))
    from tests.test_store import fake_demo_module

    monkeypatch.setitem(sys.modules, "analysis.demo", fake_demo_module())
    assert store.ensure_demo(engine) and store.list_actions(engine).empty
