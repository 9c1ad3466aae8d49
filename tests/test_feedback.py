"""Tests for analysis.feedback (record files, registries) and analysis.store.feedback (the records in the store).

Expected values come from the files themselves, counted by hand: the GBK example
``/work/shared``-style file is copied into ``tests/data/feedback_records_gbk.csv`` (10 records, one
phone number), the workbook is written here with openpyxl cell by cell, and the survey export is
``tests.test_store.make_wjx`` whose suggestion column is known (``希望延长开水供应时间`` /
``食堂价格偏高`` / ``(空)``). Store tests run on SQLite and, with ``SURVEY_TEST_PG_URL``, PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from analysis import feedback as fb
from analysis import store
from tests.test_store import db_url, engine, make_wjx  # noqa: F401 - fixtures

GBK = Path(__file__).parent / "data" / "feedback_records_gbk.csv"


def _workbook() -> bytes:
    """A 后勤 record workbook: a title row, a blank row, Chinese headers, Excel and typed dates, a bad row."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["2025年春季学期学生意见汇总表（后勤保障处）"])
    ws.append([])
    ws.append(["序号", "反映时间", "来源渠道", "反映人身份", "校区", "问题描述", "办理情况"])
    ws.append([1, dt.datetime(2025, 3, 4, 9, 30), "座谈会", "学生代表", "东校区", "希望二食堂周末也开早餐窗口", "已转办"])
    ws.append([2, 45725, "阳光信访", "家长", "南校区", "孩子宿舍没有热水，联系电话13577889900", "已答复"])
    ws.append([3, "2025年3月12日", "意见箱", "职工", "东校区", "建议公布菜品价格", "已解决"])
    ws.append([4, "2025/3/15", "微信", "学生", "东校区", "12栋405室门锁坏了", ""])
    ws.append([5, "三月中旬", "电话", "家长", "南校区", "校车周末停运，不方便", "待处理"])
    ws.append([6, "2025-03-20", "督查组", "督查组", "南校区", "", "限期整改"])
    ws.append([7, "2025-03-21", "飞鸽传书", "学生", "东校区", "快递柜不够用", "看情况"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- registries and dates ---------------------------------------------------------------------------
@pytest.mark.parametrize("text, key", [
    ("座谈会", "forum"), ("新生代表座谈会", "forum"), ("阳光信访", "petition"), ("来信来访", "petition"),
    ("个别访谈", "interview"), ("电话访谈", "phone"), ("意见箱", "box"), ("微信报修", "wechat"),
    ("网上留言", "online"), ("督查", "inspection"), ("问卷开放题", "survey"), ("Forum", "forum"), ("其他", "other"),
])
def test_channel_synonyms(text, key):
    assert fb.channel_key(text) == key


def test_unknown_channel_and_status_are_none():
    assert fb.channel_key("飞鸽传书") is None
    assert fb.status_key("看情况") is None
    assert fb.status_key("已回访") == "replied" and fb.status_key("当天已修") == "resolved"
    assert fb.status_key("整改中") == "forwarded" and fb.status_key("待处理") == "new"


@pytest.mark.parametrize("value, expected", [
    ("2025-03-04", dt.date(2025, 3, 4)), ("2025/3/4", dt.date(2025, 3, 4)), ("2025.3.4", dt.date(2025, 3, 4)),
    ("2025年3月4日", dt.date(2025, 3, 4)), ("20250304", dt.date(2025, 3, 4)),
    ("2025-03-04 09:30:00", dt.date(2025, 3, 4)), ("45720", dt.date(2025, 3, 4)),  # Excel serial: 1899-12-30 + 45720
    (dt.datetime(2025, 3, 4, 8), dt.date(2025, 3, 4)), (None, None), ("", None),
])
def test_record_dates(value, expected):
    assert fb.parse_record_date(value) == expected


def test_bad_date_is_a_bilingual_value_error():
    with pytest.raises(ValueError, match="日期.*Not a date"):
        fb.parse_record_date("三月中旬")
    with pytest.raises(ValueError):
        fb.parse_record_date("2025-02-30")


# --- record files --------------------------------------------------------------------------------------
def test_gbk_example_file():
    data = GBK.read_bytes()
    table = fb.read_record_table(data, GBK.name)
    assert table.encoding == "gb18030" and table.header_row == 0
    mapping = fb.suggest_mapping(list(table.frame.columns))
    assert mapping == {"date": "时间", "channel": "渠道", "group": "对象", "unit": None, "text": "内容", "status": None}
    recs, errors, warnings = fb.records_from_table(table, mapping)
    assert len(recs) == 10 and errors == [] and warnings == []
    assert recs["channel"].tolist() == ["forum", "forum", "interview", "phone", "box", "petition", "wechat",
                                        "inspection", "online", "interview"]
    assert recs["date"].iloc[0] == dt.date(2025, 3, 4)
    done = fb.analyse_records(recs)
    assert "135 7788 9900" not in " ".join(done["text"]) and done["n_masked"].sum() == 1
    assert done["areas"].iloc[-1] == []  # 没什么意见，挺好的
    assert "catering" in done["areas"].iloc[0]


def test_workbook_with_title_row_chinese_headers_and_bad_rows():
    table = fb.read_record_table(_workbook(), "意见汇总.xlsx")
    assert table.header_row == 1  # the title row, then the header (the blank row is dropped by the reader)
    assert any("表头" in w for w in table.warnings)
    mapping = fb.suggest_mapping(list(table.frame.columns))
    assert mapping == {"date": "反映时间", "channel": "来源渠道", "group": "反映人身份", "unit": "校区",
                       "text": "问题描述", "status": "办理情况"}
    recs, errors, warnings = fb.records_from_table(table, mapping)
    assert recs["row"].tolist() == [1, 2, 3, 4, 5, 7]
    assert errors == [{"row": 6, "message": "第 6 行没有意见内容，已跳过。 Row 6 has no text; skipped."}]
    assert recs["date"].tolist() == [dt.date(2025, 3, 4), dt.date(2025, 3, 9), dt.date(2025, 3, 12),
                                     dt.date(2025, 3, 15), None, dt.date(2025, 3, 21)]
    assert recs["channel"].tolist() == ["forum", "petition", "box", "wechat", "phone", "other"]
    assert recs["status"].tolist() == ["forwarded", "replied", "resolved", "new", "new", "new"]
    assert recs["unit"].tolist()[:2] == ["东校区", "南校区"]
    assert any(w.startswith("第 5 行") for w in warnings)  # 三月中旬
    assert any(w.startswith("第 7 行") and "渠道" in w for w in warnings)
    assert any(w.startswith("第 7 行") and "状态" in w for w in warnings)


def test_mapping_is_editable_and_checked():
    table = fb.read_record_table(_workbook(), "意见汇总.xlsx")
    mapping = {**fb.suggest_mapping(list(table.frame.columns)), "group": "校区", "unit": None}
    recs, _, _ = fb.records_from_table(table, mapping)
    assert recs["group"].iloc[0] == "东校区"
    with pytest.raises(ValueError, match="意见内容"):
        fb.records_from_table(table, {"date": "反映时间"})
    with pytest.raises(ValueError, match="没有这些列"):
        fb.records_from_table(table, {"text": "不存在的列"})


def test_file_without_a_header_is_explained():
    with pytest.raises(ValueError, match="未找到表头"):
        fb.read_record_table(b"a,b\n1,2\n", "x.csv")


def test_open_answers_of_a_survey_become_records():
    from analysis.codebook import load_dataset

    ds = load_dataset(make_wjx(30, seed=3), "wjx.csv")
    recs = fb.records_from_dataset(ds)
    suggestions = ds.texts.iloc[:, -1]
    expected = [s for s in suggestions if isinstance(s, str) and s.strip() and s != "(空)"]
    assert len(recs) == len(expected) > 0
    assert set(recs["text"]) <= {"希望延长开水供应时间", "食堂价格偏高"}
    assert (recs["channel"] == "survey").all()
    sizes = ds.respondents["group"].value_counts()
    for r in recs.itertuples():
        assert r.cell_n == sizes[r.group]
        assert r.date == ds.respondents.loc[ds.respondents["row"] == r.row, "submitted_at"].iloc[0].date()


def test_check_record():
    rec = fb.check_record(date="2025-3-4", channel="信访", group="家长", unit="", text=" 食堂太贵 ", status="new")
    assert rec == {"date": dt.date(2025, 3, 4), "channel": "petition", "group": "家长", "unit": None,
                   "text": "食堂太贵", "status": "new"}
    with pytest.raises(ValueError, match="意见内容"):
        fb.check_record(date=None, channel="forum", group=None, unit=None, text="  ")
    with pytest.raises(ValueError, match="未知渠道"):
        fb.check_record(date=None, channel="飞鸽", group=None, unit=None, text="x")


def test_k_comments_is_the_deployments_and_never_below_min_group(monkeypatch):
    monkeypatch.delenv("SURVEY_K_COMMENTS", raising=False)
    monkeypatch.delenv("SURVEY_MIN_GROUP", raising=False)
    assert fb.k_comments() == 10
    monkeypatch.setenv("SURVEY_K_COMMENTS", "3")
    monkeypatch.setenv("SURVEY_MIN_GROUP", "6")
    assert fb.k_comments() == 6


# --- the store ------------------------------------------------------------------------------------------
def test_store_round_trip_import_list_filters(engine):  # noqa: F811
    book = _workbook()  # openpyxl stamps the save time: keep one copy of the bytes
    res = store.import_feedback(engine, book, "意见汇总.xlsx", user="mgr")
    assert res.created and res.n_records == 6 and [e["row"] for e in res.errors] == [6]
    again = store.import_feedback(engine, book, "copy.xlsx")
    assert not again.created and again.duplicate_of == res.file_id
    df = store.list_feedback(engine)
    assert len(df) == 6
    assert list(df.columns[:12]) == ["id", "date", "channel", "group", "unit", "areas", "tone", "keywords", "text",
                                     "source", "status", "action_id"]
    assert not df["text"].str.contains("13577889900").any()
    assert df["text"].str.contains(r"\[手机号\]", regex=True).sum() == 1
    hot = df[df["text"].str.contains("热水")].iloc[0]
    assert set(hot["areas"]) == {"accommodation", "utilities"} and hot["tone"] == "negative"
    assert hot["source"].endswith("row 2") and hot["unit"] == "南校区" and hot["status"] == "replied"
    assert hot["cell_n"] == 2  # two 家长 records in the file
    assert len(store.list_feedback(engine, channel="petition")) == 1
    assert len(store.list_feedback(engine, area="catering")) == 2
    assert len(store.list_feedback(engine, group=["家长"])) == 2
    assert len(store.list_feedback(engine, date_from="2025-03-10", date_to="2025-03-15")) == 2
    assert len(store.list_feedback(engine, text="快递")) == 1
    assert len(store.list_feedback(engine, text="%")) == 0  # LIKE wildcards are literal
    assert len(store.list_feedback(engine, tone="negative")) >= 3
    assert store.find_feedback_file(engine, book)["id"] == res.file_id


def test_store_typed_record_status_and_action_link(engine):  # noqa: F811
    rid = store.add_feedback(engine, date="2025-04-01", channel="phone", group="家长",
                             text="孩子说宿舍空调坏了，我的电话13900001111", user="mgr")
    row = store.list_feedback(engine, ids=[rid]).iloc[0]
    assert "13900001111" not in row["text"] and row["source"] == "手工录入 typed in"
    assert row["date"] == pd.Timestamp("2025-04-01")
    store.update_feedback(engine, rid, status="replied", user="mgr")
    assert store.list_feedback(engine, ids=[rid]).iloc[0]["status"] == "replied"
    assert store.link_feedback_action(engine, [rid], 7, user="mgr") == 1
    assert store.list_feedback(engine, ids=[rid]).iloc[0]["action_id"] == 7
    with pytest.raises(ValueError, match="未知状态"):
        store.update_feedback(engine, rid, status="lost")
    actions = store.list_audit(engine)["action"].tolist()
    assert {"feedback_add", "feedback_status", "feedback_link"} <= set(actions)


def test_store_lexicon_addition_retags(engine):  # noqa: F811
    rid = store.add_feedback(engine, channel="online", text="智慧水表读数不准")
    assert store.list_feedback(engine, ids=[rid]).iloc[0]["areas"] == []
    assert store.add_lexicon_word(engine, "智慧水表", "area", "utilities", user="mgr") == 1
    assert store.list_feedback(engine, ids=[rid]).iloc[0]["areas"] == ["utilities"]
    words = store.feedback_lexicon_words(engine)
    assert words[["word", "kind", "area"]].values.tolist() == [["智慧水表", "area", "utilities"]]
    store.add_lexicon_word(engine, "智慧水表", "area", "utilities")  # twice: one row
    assert len(store.feedback_lexicon_words(engine)) == 1
    store.remove_lexicon_word(engine, int(words["id"].iloc[0]))
    assert store.list_feedback(engine, ids=[rid]).iloc[0]["areas"] == []
    with pytest.raises(ValueError):
        store.add_lexicon_word(engine, "水表", "area", "nowhere")


def test_ingest_turns_open_answers_into_records_and_follows_the_wave(engine):  # noqa: F811
    data = make_wjx(40, seed=5)
    res = store.ingest_file(engine, data, "wjx.csv", meta={"unit": "东校区"})
    recs = store.list_feedback(engine, wave=res.wave_id)
    ds = store.load_wave(engine, res.wave_id)
    expected = [s for s in ds.texts.iloc[:, -1] if isinstance(s, str) and s.strip() and s != "(空)"]
    assert len(recs) == len(expected) > 0
    assert (recs["channel"] == "survey").all() and (recs["unit"] == "东校区").all()
    assert recs["source"].str.startswith(f"批次 wave #{res.wave_id}").all()
    store.delete_wave(engine, res.wave_id)
    assert len(store.list_feedback(engine)) == 0
    store.restore_wave(engine, res.wave_id)
    assert len(store.list_feedback(engine)) == len(expected)
    store.purge_wave(engine, res.wave_id)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(store.feedback.feedback_records)).scalar() == 0


def test_migration_backfills_waves_stored_before(db_url):  # noqa: F811
    from alembic.config import Config

    from alembic import command
    from analysis.store.engine import ALEMBIC_DIR

    eng = store.get_engine(db_url)
    res = store.ingest_file(eng, make_wjx(25, seed=8), "old.csv")
    n = len(store.list_feedback(eng))
    assert n > 0
    cfg = Config()
    cfg.set_main_option("script_location", str(ALEMBIC_DIR))
    with eng.begin() as conn:  # back to the schema before feedback records existed
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003_series")
    store.close_engine(eng)
    eng = store.get_engine(db_url)  # opening the store migrates to head: the wave's answers become records once
    try:
        recs = store.list_feedback(eng)
        assert len(recs) == n and set(recs["wave_id"]) == {res.wave_id}
        with eng.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(store.feedback.feedback_records)).scalar() == n
    finally:
        store.close_engine(eng)


def test_demo_store_holds_the_2019_campaign(engine):  # noqa: F811
    from analysis.demo import demo_feedback

    assert store.ensure_demo(engine)
    demo = demo_feedback()
    files = store.list_feedback(engine, source="file")
    assert len(files) == len(demo)
    assert (files["channel"] == "petition").sum() == (demo["channel"] == "信访").sum() == 5
    assert len(store.list_feedback(engine, source="wave")) > 0
    assert not store.ensure_demo(engine)  # once per store
    assert len(store.list_feedback(engine, source="file")) == len(demo)
