"""The audit log reads as sentences (ui.audit_log), written by hand for entries the store really writes."""

from __future__ import annotations

from analysis import store
from tests.test_store import make_wjx
from ui.audit_log import audit_sentence, audit_table


def test_sentences_for_real_entries(tmp_path):
    eng = store.get_engine(f"sqlite:///{tmp_path}/a.db")
    try:
        res = store.ingest_file(eng, make_wjx(5, seed=1), "秋季.csv", user="王老师")
        store.update_wave_meta(eng, res.wave_id, user="王老师", distributed=80, name="2025秋")
        store.delete_wave(eng, res.wave_id, user="李老师")
        table = audit_table(store.list_audit(eng), "zh")
    finally:
        store.close_engine(eng)
    what = list(table["操作"])[::-1]
    assert what[0] == "导入文件「秋季.csv」为批次「秋季」（5 份答卷）"
    assert what[1] in ("修改了批次 #1：名称 秋季 → 2025秋；发放数 — → 80", "修改了批次 #1：发放数 — → 80；名称 秋季 → 2025秋")
    assert what[2] == "删除了批次「2025秋」（可恢复）"
    assert list(table["用户"])[::-1] == ["王老师", "王老师", "李老师"]
    assert not any("{" in s for s in what)  # no JSON on the screen


def test_unknown_action_and_english():
    assert audit_sentence("future_action", {"rows": 3}, 4, "zh") == "操作：future_action（批次 #4）"
    assert audit_sentence("feedback_import", {"filename": "a.xlsx", "n_records": 3}, None, "zh") == \
        "导入记录文件「a.xlsx」（3 条记录）"
    assert audit_sentence("create_user", {"name": "amy", "role": "viewer"}, None, "en") == \
        "created account “amy” (viewer)"
    assert audit_sentence("create_user", {"name": "amy", "role": "manager"}, None, "zh") == "创建了账户「amy」（管理员）"
