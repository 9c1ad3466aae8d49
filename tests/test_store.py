"""Tests for analysis.store, on SQLite (a tmp_path file) and on PostgreSQL (SURVEY_TEST_PG_URL).

PostgreSQL isolation: every test gets a fresh database ``test_<random>`` created through the
server named by ``SURVEY_TEST_PG_URL`` and dropped afterwards. Without that variable the
PostgreSQL cases are skipped, except under CI (env ``CI`` set), where they fail: the shared
deployment's back end must be tested there.

Expected values come from hand counts over the generated files, from
``analysis.codebook.load_dataset`` run on the same bytes without the store (what was saved must
come back unchanged), and from the hand-built Dataset itself.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import sys
import types
import uuid
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from analysis import store
from analysis.model import Dataset
from analysis.scales import SCALES, custom_scale

PG_ENV = "SURVEY_TEST_PG_URL"
SCALE = ["很满意", "比较满意", "一般", "不太满意", "很不满意"]  # best → worst
ITEMS = ["学生公寓", "食堂菜品", "维修响应", "开水供应", "保洁卫生", "班车服务", "医务室", "安保巡逻"]


# ---------------------------------------------------------------------------------------------
# Fixture files (问卷星 按选项文本 layout), written by code
# ---------------------------------------------------------------------------------------------
def make_wjx(n: int, *, seed: int = 0, n_items: int = 6, encoding: str = "utf-8") -> bytes:
    """A 问卷星 text export: 序号 … 来自IP, identity, a matrix of ``n_items`` rows, a suggestion."""
    rng = random.Random(seed)
    header = (["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、您的身份"]
              + [f"第2题({it})" for it in ITEMS[:n_items]] + ["3、其他建议"])
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    base = dt.datetime(2025, 4, 1, 8, 0, 0)
    for i in range(1, n + 1):
        answers = [rng.choice(SCALE + ["(跳过)", "不了解"]) if rng.random() < 0.1 else rng.choice(SCALE)
                   for _ in range(n_items)]
        when = base + dt.timedelta(minutes=7 * i + seed)
        w.writerow([str(i), when.strftime("%Y/%m/%d %H:%M:%S"), f"{60 + rng.randrange(400)}秒", "手机提交", "直接访问",
                    f"10.{seed % 250}.{i // 250 % 250}.{i % 250}(湖北-武汉)", rng.choice(["学生", "教师", "职工"]),
                    *answers, rng.choice(["(空)", "希望延长开水供应时间", "食堂价格偏高"])])
    return buf.getvalue().encode(encoding)


# ---------------------------------------------------------------------------------------------
# Back ends
# ---------------------------------------------------------------------------------------------
def _pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {PG_ENV} is not: the PostgreSQL store tests must run in CI "
                        f"(e.g. {PG_ENV}=postgresql+psycopg://postgres@127.0.0.1:5432/test).")
        pytest.skip(f"{PG_ENV} not set (PostgreSQL store tests)")
    return url


def create_pg_database() -> tuple[str, sa.Engine]:
    """A fresh, empty PostgreSQL database; returns its URL and the admin engine that made it."""
    admin_url = sa.engine.make_url(_pg_admin_url())
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return admin_url.set(database=name).render_as_string(hide_password=False), admin


def drop_pg_database(url: str, admin: sa.Engine) -> None:
    name = sa.engine.make_url(url).database
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    """URL of an empty store: a SQLite file in tmp_path, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/store.db"
        return
    url, admin = create_pg_database()
    try:
        yield url
    finally:
        for key, eng in list(store.engine._ENGINES.items()):
            if key == url:
                store.close_engine(eng)
        drop_pg_database(url, admin)


@pytest.fixture
def engine(db_url):
    eng = store.get_engine(db_url)
    yield eng
    store.close_engine(eng)


# ---------------------------------------------------------------------------------------------
# Schema and engine
# ---------------------------------------------------------------------------------------------
def test_migrated_schema_matches_table_definitions(engine):
    insp = sa.inspect(engine)
    for table in store.metadata.sorted_tables:
        got = {c["name"] for c in insp.get_columns(table.name)}
        assert got == {c.name for c in table.columns}, table.name
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 1
        assert conn.execute(sa.text("SELECT count(*) FROM store_state")).scalar() == 1


def test_get_engine_is_idempotent_and_cached(db_url):
    a = store.get_engine(db_url)
    store.close_engine(a)
    b = store.get_engine(db_url)  # second open: already at head, no migration error
    assert store.get_engine(db_url) is b
    store.close_engine(b)


def test_sqlite_pragmas_wal_and_busy_timeout(tmp_path):
    eng = store.get_engine(f"sqlite:///{tmp_path}/p.db")
    with eng.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.close_engine(eng)


def test_default_url_is_repo_data_file(monkeypatch):
    monkeypatch.delenv("SURVEY_DB_URL", raising=False)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    assert store.default_url() == "sqlite:///" + os.path.join(root, "data", "survey.db")
    monkeypatch.setenv("SURVEY_DB_URL", "postgresql+psycopg://u@h/db")
    assert store.default_url() == "postgresql+psycopg://u@h/db"


def test_bad_url_is_a_value_error():
    with pytest.raises(ValueError, match="数据库地址"):
        store.get_engine("not a url")


# ---------------------------------------------------------------------------------------------
# Save / load
# ---------------------------------------------------------------------------------------------
def hand_built_dataset() -> Dataset:
    """A Dataset built by hand with every part the store must keep."""
    custom = custom_scale("很好|好|一般|差", name="custom_good")
    answers = pd.DataFrame({
        "q1": pd.array([5, 4, None, 1, 3], dtype="Int8"),
        "q2": pd.array([4, None, None, 2, 4], dtype="Int8"),
        "q3": pd.array([1, 2, 3, 4, None], dtype="Int8"),
    })
    items = pd.DataFrame({
        "item": ["q1", "q2", "q3"], "label": ["食堂", "宿舍", "维修"], "area": ["catering", "accommodation", "maintenance"],
        "scale": ["zh5_very", "zh5_very", "custom_good"], "qnum": [1, 2, 3],
        "n_not_applicable": [0, 1, 0], "n_missing": [1, 1, 1], "n_unknown": [0, 0, 0],
    })
    respondents = pd.DataFrame({
        "row": [1, 2, 3, 4, 5], "resp_id": ["a1", "a2", "a3", "a4", "a5"],
        "submitted_at": pd.to_datetime(["2025-04-01 08:00:01", "2025-04-01 09:30:00", None, "2025-04-02 10:00:00",
                                        "2025-04-03 11:11:11"]),
        "duration_s": [61.0, 300.0, None, 12.0, 95.5], "ip": ["1.1.1.1", None, "1.1.1.3", "1.1.1.4", "1.1.1.5"],
        "group": ["学生", "教师", "学生", None, "职工"], "校区": ["东", "西", "东", "东", None],
    })
    texts = pd.DataFrame({"4、其他建议": ["开水房太远", None, "食堂价格偏高", None, None]})
    flags = pd.DataFrame({"row": [2, 4], "reasons": [["speeder"], ["straightliner", "duplicate_id"]]})
    importance = answers.copy()
    return Dataset(answers=answers, items=items, respondents=respondents, attributes=["校区"], texts=texts,
                   scales={**SCALES, custom.name: custom}, flags=flags, importance=importance,
                   format="wjx_text", encoding="gb18030", warnings=["第 3 行为空，已跳过"])


def assert_same_dataset(got: Dataset, want: Dataset) -> None:
    for name in ("answers", "items", "respondents", "texts", "flags"):
        pd.testing.assert_frame_equal(getattr(got, name), getattr(want, name), check_exact=True, obj=name)
    if want.importance is None:
        assert got.importance is None
    else:
        pd.testing.assert_frame_equal(got.importance, want.importance, check_exact=True)
    assert got.scales == want.scales
    assert got.attributes == want.attributes
    assert (got.format, got.encoding, got.warnings) == (want.format, want.encoding, want.warnings)
    for flag_list in got.flags["reasons"]:
        assert isinstance(flag_list, list)


def _store_dataset(engine, ds: Dataset, data: bytes = b"hand built", **kw) -> store.IngestResult:
    """Store a hand-built Dataset through the real ingest path (a prepared wave instead of a parse)."""
    from analysis.prepare import PreparedWave

    prepared = PreparedWave(data=data, filename="hand.csv", survey=None, key="handkey", codebook=pd.DataFrame(),
                            save_codebook=False, dataset=ds)
    return store.ingest_file(engine, prepared, **kw)


def test_hand_built_dataset_round_trips_identically(engine):
    ds = hand_built_dataset()
    res = _store_dataset(engine, ds)
    assert res.created and res.n_responses == 5
    got = store.load_wave(engine, res.wave_id)
    assert_same_dataset(got, ds)
    assert got.answers.dtypes.tolist() == ["Int8"] * 3
    assert got.scales["custom_good"].labels == ("很好", "好", "一般", "差")
    # n_valid = 5 respondents − 2 flagged rows (hand count)
    w = store.list_waves(engine)
    assert w.loc[0, "n_responses"] == 5 and w.loc[0, "n_valid"] == 3


def test_dataset_without_texts_or_importance_round_trips(engine):
    ds = hand_built_dataset()
    ds.texts = pd.DataFrame(index=pd.RangeIndex(5))
    ds.importance = None
    ds.flags = pd.DataFrame({"row": [], "reasons": []})
    res = _store_dataset(engine, ds)
    got = store.load_wave(engine, res.wave_id)
    assert got.importance is None
    assert got.texts.shape == (5, 0)
    assert len(got.flags) == 0 and list(got.flags.columns) == ["row", "reasons"]


def test_ingested_file_equals_load_dataset_without_store(engine):
    from analysis.codebook import load_dataset

    data = make_wjx(40, seed=1).decode("utf-8").encode("gb18030")
    res = store.ingest_file(engine, data, "2025春.csv", meta={"period": "2025春", "distributed": 60}, user="alice")
    assert res.created and res.n_responses == 40 and res.duplicate_of is None
    want = load_dataset(data, "2025春.csv")
    assert_same_dataset(store.load_wave(engine, res.wave_id), want)
    meta = store.wave_meta(engine, res.wave_id)
    assert (meta["name"], meta["period"], meta["distributed"], meta["created_by"]) == ("2025春", "2025春", 60, "alice")
    assert meta["encoding"] == "gb18030" and meta["files"] == ["2025春.csv"]
    assert store.wave_files(engine, res.wave_id) == [("2025春.csv", data)]


def test_original_packed_in_parts_comes_back_byte_for_byte(engine, monkeypatch):
    """A file larger than one pack part is stored as several zstd frames (packed on two threads);
    the download is the uploaded bytes exactly, and sha256 identifies it (hashlib as reference)."""
    import hashlib

    data = make_wjx(60, seed=3)
    monkeypatch.setattr(store.ingest, "_PACK_PART", 1000)  # ~10 parts for this file
    assert len(store.ingest._pack_parts(data)) > 5
    res = store.ingest_file(engine, data, "parts.csv")
    assert store.wave_files(engine, res.wave_id) == [("parts.csv", data)]
    assert store.find_upload(engine, hashlib.sha256(data).hexdigest())["wave_id"] == res.wave_id


def test_ingest_of_a_prepared_wave_stores_the_same_wave(db_url, tmp_path):
    """The data page prepares the wave for its validation report and stores that: the stored wave
    equals a plain ingest's of the same bytes and codebook."""
    from analysis.codebook import questionnaire_key, suggest_codebook
    from analysis.ingest import parse_survey
    from analysis.prepare import prepare_wave

    data = make_wjx(50, seed=4)
    survey = parse_survey(data, "w.csv")
    cb = suggest_codebook(survey)
    plain_engine = store.get_engine(f"sqlite:///{tmp_path}/plain.db")
    try:
        plain = store.ingest_file(plain_engine, data, "w.csv", codebook=cb)
        want = store.load_wave(plain_engine, plain.wave_id)
        want_meta = store.wave_meta(plain_engine, plain.wave_id)
    finally:
        store.close_engine(plain_engine)
    engine = store.get_engine(db_url)
    try:
        res = store.ingest_file(engine, prepare_wave(data, "w.csv", cb, survey=survey))
        assert res.created and res.n_responses == 50
        assert_same_dataset(store.load_wave(engine, res.wave_id), want)
        got_meta = store.wave_meta(engine, res.wave_id)
        for key in ("n_responses", "n_valid", "questionnaire_key", "format", "encoding"):
            assert got_meta[key] == want_meta[key], key
        assert store.find_codebook(engine, questionnaire_key(survey)) is not None
        assert store.wave_files(engine, res.wave_id) == [("w.csv", data)]
        again = store.ingest_file(engine, prepare_wave(data, "w.csv", cb, survey=survey))
        assert not again.created and again.duplicate_of == res.wave_id
        with pytest.raises(ValueError, match="prepared wave"):  # its codebook is part of it
            store.ingest_file(engine, prepare_wave(data, "w.csv", cb), codebook=cb)
    finally:
        store.close_engine(engine)


def test_stored_as_answers_like_ingest_for_live_waves_only(engine):
    data = make_wjx(15, seed=5)
    assert store.stored_as(engine, data, "s.csv") is None  # new file
    first = store.ingest_file(engine, data, "s.csv")
    again = store.ingest_file(engine, data, "s.csv")  # the reference: ingest's own duplicate answer
    assert store.stored_as(engine, data, "s.csv") == again
    assert not again.created and again.duplicate_of == first.wave_id
    store.delete_wave(engine, first.wave_id)
    assert store.stored_as(engine, data, "s.csv") is None  # a deleted wave's file: ingest restores it
    assert store.ingest_file(engine, data, "s.csv").restored


def test_list_waves_columns_and_order(engine):
    a = store.ingest_file(engine, make_wjx(10, seed=1), "a.csv")
    b = store.ingest_file(engine, make_wjx(12, seed=2), "b.csv")
    df = store.list_waves(engine)
    assert list(df.columns) == store.WAVE_COLUMNS
    assert df["id"].tolist() == [a.wave_id, b.wave_id]
    assert df["n_responses"].tolist() == [10, 12]
    assert df["files"].tolist() == ["a.csv", "b.csv"]
    assert df["deleted_at"].isna().all()


def test_load_wave_by_name_and_missing_wave(engine):
    res = store.ingest_file(engine, make_wjx(5, seed=3), "x.csv", wave="春季测评")
    assert store.load_wave(engine, "春季测评").n == 5
    assert store.resolve_wave(engine, str(res.wave_id)) == res.wave_id
    with pytest.raises(ValueError, match="找不到"):
        store.load_wave(engine, 999)
    with pytest.raises(ValueError, match="找不到"):
        store.resolve_wave(engine, "没有这个批次")


# ---------------------------------------------------------------------------------------------
# Idempotence, delete / restore / purge
# ---------------------------------------------------------------------------------------------
def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def test_same_bytes_twice_is_never_double_counted(engine):
    data = make_wjx(20, seed=4)
    first = store.ingest_file(engine, data, "w.csv")
    second = store.ingest_file(engine, data, "renamed copy.csv", wave="other name")
    assert second.created is False and second.duplicate_of == first.wave_id and second.wave_id == first.wave_id
    assert second.n_responses == 20
    assert len(store.list_waves(engine)) == 1
    assert (_count(engine, store.uploads), _count(engine, store.wave_data)) == (1, 1)


def test_stored_file_is_recognised_even_when_it_no_longer_parses_alone(monkeypatch, engine):
    # the duplicate check follows the parse; a parse error must not hide that the file is stored
    data = make_wjx(10, seed=21)
    first = store.ingest_file(engine, data, "w.csv")

    def broken(*a, **k):
        raise ValueError("没有识别出任何满意度评分题 (as without the codebook it was saved with)")

    monkeypatch.setattr(store.ingest, "prepare_wave", broken)
    again = store.ingest_file(engine, data, "w.csv")
    assert (again.created, again.duplicate_of) == (False, first.wave_id)
    store.delete_wave(engine, first.wave_id)
    restored = store.ingest_file(engine, data, "w.csv")
    assert (restored.created, restored.restored) == (False, True)
    with pytest.raises(ValueError, match="满意度评分题"):  # an unknown file still reports the parse error
        store.ingest_file(engine, make_wjx(10, seed=22), "new.csv")
    assert _count(engine, store.waves) == 1


def test_answers_blob_is_arrow_ipc_and_older_parquet_blobs_still_load(engine):
    from analysis.codebook import load_dataset

    data = make_wjx(30, seed=23)
    res = store.ingest_file(engine, data, "w.csv")
    with engine.connect() as conn:
        blob = conn.execute(sa.select(store.wave_data.c.answers)).scalar_one()
    assert bytes(blob[:6]) == b"ARROW1"
    want = load_dataset(data, "w.csv")
    with store.engine._write(engine) as conn:  # a wave stored before this change: answers as Parquet
        conn.execute(store.wave_data.update().values(answers=store.blobs._frame_to_parquet(want.answers)))
    got = store.load_wave(engine, res.wave_id)
    pd.testing.assert_frame_equal(got.answers, want.answers, check_exact=True)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priority is a Linux feature")
def test_background_thread_runs_at_lowest_priority():
    import threading

    seen = {}

    def probe():
        store.ingest._lower_priority()
        seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    t = threading.Thread(target=probe)
    t.start()
    t.join()
    assert seen["nice"] == 19
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) != 19  # the caller's thread is unchanged


def test_delete_hides_restore_brings_back(engine):
    res = store.ingest_file(engine, make_wjx(8, seed=5), "w.csv")
    store.delete_wave(engine, res.wave_id, user="bob")
    assert store.list_waves(engine).empty
    hidden = store.list_waves(engine, include_deleted=True)
    assert hidden["id"].tolist() == [res.wave_id] and hidden["deleted_at"].notna().all()
    assert store.load_wave(engine, res.wave_id).n == 8  # soft: data kept
    store.restore_wave(engine, res.wave_id, user="bob")
    assert store.list_waves(engine)["id"].tolist() == [res.wave_id]


def test_reupload_of_deleted_wave_restores_it(engine):
    data = make_wjx(8, seed=6)
    res = store.ingest_file(engine, data, "w.csv")
    store.delete_wave(engine, res.wave_id)
    again = store.ingest_file(engine, data, "w.csv")
    assert (again.created, again.restored, again.duplicate_of) == (False, True, res.wave_id)
    assert store.list_waves(engine)["id"].tolist() == [res.wave_id]
    assert _count(engine, store.waves) == 1


def test_purge_removes_for_real_and_file_is_new_again(engine):
    data = make_wjx(8, seed=7)
    res = store.ingest_file(engine, data, "w.csv")
    store.purge_wave(engine, res.wave_id)
    assert store.list_waves(engine, include_deleted=True).empty
    assert (_count(engine, store.uploads), _count(engine, store.wave_data)) == (0, 0)
    with pytest.raises(ValueError):
        store.load_wave(engine, res.wave_id)
    again = store.ingest_file(engine, data, "w.csv")
    assert again.created and again.wave_id != res.wave_id


def test_names_unique_among_live_waves(engine):
    a = store.ingest_file(engine, make_wjx(5, seed=8), "a.csv", wave="2025春")
    b = store.ingest_file(engine, make_wjx(5, seed=9), "b.csv", wave="2025春")
    assert (a.name, b.name) == ("2025春", "2025春 (2)")
    assert any("2025春 (2)" in w for w in b.warnings)
    with pytest.raises(ValueError, match="已被使用"):
        store.rename_wave(engine, b.wave_id, "2025春")
    store.delete_wave(engine, a.wave_id)
    store.rename_wave(engine, b.wave_id, "2025春")  # a deleted wave frees its name
    restored = store.restore_wave(engine, a.wave_id)
    assert restored["name"] == "2025春 (2)"
    names = sorted(store.list_waves(engine)["name"])
    assert names == ["2025春", "2025春 (2)"]


def test_update_wave_meta_validates(engine):
    res = store.ingest_file(engine, make_wjx(5, seed=10), "a.csv")
    meta = store.update_wave_meta(engine, res.wave_id, unit="某大学后勤处", distributed="120", basic_satisfied=True,
                                  user="carol")
    assert (meta["unit"], meta["distributed"], meta["basic_satisfied"]) == ("某大学后勤处", 120, True)
    assert meta["data_version"] == 2
    with pytest.raises(ValueError, match="整数"):
        store.update_wave_meta(engine, res.wave_id, distributed="many")
    with pytest.raises(ValueError, match="不能修改"):
        store.update_wave_meta(engine, res.wave_id, colour="red")
    with pytest.raises(ValueError, match="不能为空"):
        store.rename_wave(engine, res.wave_id, "  ")


# ---------------------------------------------------------------------------------------------
# Codebooks, audit, data_version
# ---------------------------------------------------------------------------------------------
def test_saved_codebook_is_reused_for_same_questionnaire(engine):
    from analysis.codebook import questionnaire_key, suggest_codebook
    from analysis.ingest import parse_survey

    first = make_wjx(10, seed=11)
    survey = parse_survey(first, "a.csv")
    cb = suggest_codebook(survey)
    likert = cb.index[cb["role"] == "likert"][0]
    cb.loc[likert, "label"] = "自定义标签"
    store.ingest_file(engine, first, "a.csv", codebook=cb)
    saved = store.find_codebook(engine, questionnaire_key(survey))
    assert saved is not None and "自定义标签" in saved["label"].tolist()
    # a later export of the same questionnaire, no codebook given: the saved one is applied
    res = store.ingest_file(engine, make_wjx(15, seed=12), "b.csv")
    assert "自定义标签" in store.load_wave(engine, res.wave_id).items["label"].tolist()
    assert store.find_codebook(engine, "no-such-key") is None


def test_every_change_is_audited_with_user(engine):
    from analysis import auth

    res = store.ingest_file(engine, make_wjx(5, seed=13), "a.csv", user="u1")
    store.rename_wave(engine, res.wave_id, "新名字", user="u2")
    store.delete_wave(engine, res.wave_id, user="u3")
    store.restore_wave(engine, res.wave_id, user="u4")
    auth.create_user(engine, "manager1", "correct horse", user="u5")
    store.purge_wave(engine, res.wave_id, user="u6")
    log = store.list_audit(engine)
    assert list(log.columns) == store.AUDIT_COLUMNS
    got = list(zip(log["user"], log["action"], strict=True))[::-1]
    assert got == [("u1", "ingest"), ("u2", "rename"), ("u3", "delete"), ("u4", "restore"), ("u5", "create_user"),
                   ("u6", "purge")]
    assert log.iloc[-1]["detail"]["filename"] == "a.csv"
    assert log.iloc[-2]["detail"] == {"name": {"old": "a", "new": "新名字"}}


def test_data_version_changes_with_waves_only(engine):
    v0 = store.data_version(engine)
    res = store.ingest_file(engine, make_wjx(5, seed=14), "a.csv")
    v1 = store.data_version(engine)
    store.ingest_file(engine, make_wjx(5, seed=14), "a.csv")  # duplicate: nothing changed
    assert store.data_version(engine) == v1
    store.delete_wave(engine, res.wave_id)
    v2 = store.data_version(engine)
    store.restore_wave(engine, res.wave_id)
    v3 = store.data_version(engine)
    assert len({v0, v1, v2, v3}) == 4


# ---------------------------------------------------------------------------------------------
# Demo data
# ---------------------------------------------------------------------------------------------
def fake_demo_module(n_waves: int = 2) -> types.ModuleType:
    mod = types.ModuleType("analysis.demo")

    class DemoWave:
        def __init__(self, i):
            self.meta = {"name": f"演示{i}", "unit": "演示大学", "period": f"202{i}", "distributed": 100, "note": "x"}
            self.filename = f"demo{i}.csv"
            self.data = make_wjx(30, seed=100 + i)

    mod.demo_waves = lambda: [DemoWave(i) for i in range(n_waves)]
    return mod


def test_ensure_demo_fills_empty_store_once(monkeypatch, engine):
    monkeypatch.setitem(sys.modules, "analysis.demo", fake_demo_module())
    assert store.ensure_demo(engine) is True
    w = store.list_waves(engine)
    assert w["name"].tolist() == ["演示0", "演示1"] and w["distributed"].tolist() == [100, 100]
    assert store.ensure_demo(engine) is False
    for wid in w["id"]:
        store.purge_wave(engine, int(wid))
    assert store.ensure_demo(engine) is False  # a manager removed the demo: it stays removed
    assert store.list_waves(engine).empty


def test_ensure_demo_leaves_a_used_store_alone(monkeypatch, engine):
    monkeypatch.setitem(sys.modules, "analysis.demo", fake_demo_module())
    store.ingest_file(engine, make_wjx(5, seed=15), "mine.csv")
    assert store.ensure_demo(engine) is False
    assert store.list_waves(engine)["name"].tolist() == ["mine"]


def test_json_columns_hold_plain_json(engine):
    res = _store_dataset(engine, hand_built_dataset())
    with engine.connect() as conn:
        row = conn.execute(sa.select(store.wave_data.c["items"], store.wave_data.c["scales"])
                           .where(store.wave_data.c.wave_id == res.wave_id)).first()
    json.dumps(row[0])
    assert row[1]["custom_good"]["labels"] == ["很好", "好", "一般", "差"]


# ---------------------------------------------------------------------------------------------
# SQLite: the ingest's commit leaves the WAL checkpoint to a background thread
# ---------------------------------------------------------------------------------------------
def test_ingest_checkpoint_runs_after_the_commit_and_setting_is_restored(tmp_path):
    import sqlite3
    import threading

    path = tmp_path / "ckpt.db"
    engine = store.get_engine(f"sqlite:///{path}")
    try:
        store.ingest_file(engine, make_wjx(3000, seed=31), "w.csv")
        for t in threading.enumerate():
            if t.name == "sqlite-checkpoint":
                t.join(10)
        with engine.connect() as conn:  # the pooled connection is back at SQLite's default
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
        # The wave's pages (~200 KB for 3,000 responses) were copied from the WAL into the database
        # file; without the checkpoint the file keeps its 4 KB first page (measured both ways).
        assert path.stat().st_size > 100_000
        raw = sqlite3.connect(path)
        assert raw.execute("SELECT count(*) FROM waves").fetchone() == (1,)
        raw.close()
    finally:
        store.close_engine(engine)


def test_wave_committed_before_its_checkpoint_survives_the_process_dying(tmp_path):
    # the process ends (os._exit: no cleanup, no checkpoint) right after ingest_file returned
    path = tmp_path / "die.db"
    script = (
        "import os, sys\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})\n"
        "from analysis import store\n"
        "store.engine._checkpoint = lambda engine: None\n"
        f"e = store.get_engine('sqlite:///{path}')\n"
        f"store.ingest_file(e, {make_wjx(50, seed=32)!r}, 'w.csv')\n"
        "os._exit(0)\n"
    )
    import subprocess

    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    assert (tmp_path / "die.db-wal").stat().st_size > 0  # the wave is only in the WAL
    engine = store.get_engine(f"sqlite:///{path}")
    try:
        waves = store.list_waves(engine)
        assert waves["n_responses"].tolist() == [50]
        assert store.load_wave(engine, int(waves["id"].iloc[0])).n == 50
    finally:
        store.close_engine(engine)
