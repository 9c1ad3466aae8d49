"""Survey series in the store: the 0003_series migration on a store of the previous schema, the
series chosen at ingest, list_waves / list_series / series_waves, previous_wave within a series.

Expected values are written by hand from the fixture rows below (which wave belongs to which series,
which dates), never read back from the code under test.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import pytest
import sqlalchemy as sa

from analysis import store
from analysis.series import previous_wave
from analysis.store.blobs import dataset_to_blobs
from tests.test_store import BACKENDS, create_pg_database, drop_pg_database, hand_built_dataset, make_wjx


@pytest.fixture(params=BACKENDS)
def raw_url(request, tmp_path):
    """An empty database URL that no store engine has opened (so no migration has run yet)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/old.db"
        return
    url, admin = create_pg_database()
    try:
        yield url
    finally:
        for key, eng in list(store.engine._ENGINES.items()):
            if key == url:
                store.close_engine(eng)
        drop_pg_database(url, admin)


def _upgrade_to(url: str, revision: str) -> None:
    from alembic.config import Config

    from alembic import command

    cfg = Config()
    cfg.set_main_option("script_location", str(store.engine.ALEMBIC_DIR))
    eng = sa.create_engine(url)
    with eng.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    eng.dispose()


def _dataset_at(times: list[str | None]):
    ds = hand_built_dataset()
    ds.respondents = ds.respondents.assign(submitted_at=pd.to_datetime(pd.Series(times, dtype=object)))
    return ds


# (name, unit, questionnaire key, period, submission times or None, deleted) — upload order = id order.
# Series by hand: U1/K1 → {A2020, A2021, A-deleted}; U2/K2 → {B2021, B2022}; U1/K3 → {C2019}.
OLD_WAVES = [
    ("A2020", "甲大学", "K1", "2020-10", ["2020-10-05 09:00", "2020-10-01 08:00", None, "2020-10-03 12:00", "2020-10-02 10:00"], False),
    ("B2021", "乙学院", "K2", "2021-03", ["2021-03-10 09:00"] * 5, False),
    ("A2021", "甲大学", "K1", "2021-10", ["2021-10-08 09:00", "2021-10-09 09:00", None, None, "2021-10-12 18:30"], False),
    ("C2019", "甲大学", "K3", "2019-06", None, False),
    ("B2022", "乙学院", "K2", "2022-03", ["2022-03-15 09:00"] * 5, False),
    ("A-old", "甲大学", "K1", "2019-10", ["2019-10-10 09:00"] * 5, True),
]


def _old_store(url: str) -> dict[str, int]:
    """A store at revision 0002_hardening (before series) holding OLD_WAVES; returns name → wave id."""
    _upgrade_to(url, "0002_hardening")
    eng = sa.create_engine(url)
    md = sa.MetaData()
    waves, uploads, wave_data = (sa.Table(n, md, autoload_with=eng) for n in ("waves", "uploads", "wave_data"))
    assert "series_id" not in waves.c  # really the previous schema
    ids = {}
    now = dt.datetime(2026, 11, 30, 12, 0)
    with eng.begin() as conn:
        for i, (name, unit, key, period, times, deleted) in enumerate(OLD_WAVES):
            ds = _dataset_at(times) if times else hand_built_dataset()
            if times is None:
                ds.respondents = ds.respondents.drop(columns=["submitted_at"])
            wid = conn.execute(waves.insert().values(
                name=name, unit=unit, period=period, basic_satisfied=False, questionnaire_key=key, n_responses=ds.n,
                n_valid=ds.n - 2, is_demo=False, data_version=1, created_at=now + dt.timedelta(minutes=i),
                deleted_at=now if deleted else None).returning(waves.c.id)).scalar_one()
            data = f"file {name}".encode()
            conn.execute(uploads.insert().values(
                wave_id=wid, filename=f"{name}.csv", size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                compression="none", bytes=data, uploaded_at=now))
            conn.execute(wave_data.insert().values(wave_id=wid, **dataset_to_blobs(ds)))
            ids[name] = int(wid)
        # a purged wave with the highest id: its id must not be given again after the upgrade
        gone = conn.execute(waves.insert().values(
            name="purged", basic_satisfied=False, n_responses=0, n_valid=0, is_demo=False, data_version=1,
            created_at=now).returning(waves.c.id)).scalar_one()
        conn.execute(waves.delete().where(waves.c.id == gone))
    eng.dispose()
    return ids


def test_migration_upgrades_a_store_of_the_previous_schema_in_place(raw_url):
    ids = _old_store(raw_url)
    eng = store.get_engine(raw_url)  # runs 0003_series … head
    try:
        # nothing lost: every wave keeps its upload and its data (no cascade on the table rebuild)
        with eng.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM uploads")).scalar() == 6
            assert conn.execute(sa.text("SELECT count(*) FROM wave_data")).scalar() == 6
            assert conn.execute(sa.text("SELECT count(*) FROM waves WHERE series_id IS NULL")).scalar() == 0
        for wid in ids.values():
            assert store.load_wave(eng, wid).n == 5
        cols = {c["name"]: c for c in sa.inspect(eng).get_columns("waves")}
        assert cols["series_id"]["nullable"] is False

        ser = store.list_series(eng)
        assert len(ser) == 3
        by_unit_key = {(r.unit, r.questionnaire_key): r for r in ser.itertuples()}
        assert by_unit_key[("甲大学", "K1")].n_waves == 2  # A-old is deleted
        assert by_unit_key[("乙学院", "K2")].n_waves == 2
        assert by_unit_key[("甲大学", "K3")].n_waves == 1
        assert by_unit_key[("甲大学", "K1")].name == "甲大学 A-old"  # named after its earliest wave (2019-10)

        w = store.list_waves(eng, include_deleted=True).set_index("name")
        # fieldwork = first / last submission (by hand from OLD_WAVES); C2019 has none: its period's month
        assert w.loc["A2020", "fieldwork_start"] == pd.Timestamp("2020-10-01 08:00")
        assert w.loc["A2020", "fieldwork_end"] == pd.Timestamp("2020-10-05 09:00")
        assert w.loc["A2021", "fieldwork_end"] == pd.Timestamp("2021-10-12 18:30")
        assert w.loc["C2019", "fieldwork_start"] == pd.Timestamp("2019-06-01")
        assert w.loc["A2020", "series_id"] == w.loc["A2021", "series_id"] == w.loc["A-old", "series_id"]
        assert w.loc["B2021", "series_id"] != w.loc["A2020", "series_id"]

        live = store.list_waves(eng)
        # series by their first wave (C 2019-06, A 2020-10, B 2021-03), then fieldwork date
        assert list(live["name"]) == ["C2019", "A2020", "A2021", "B2021", "B2022"]
        assert previous_wave(live, ids["A2021"]) == ids["A2020"]  # not B2021, uploaded between them
        assert previous_wave(live, ids["B2022"]) == ids["B2021"]
        assert previous_wave(live, ids["B2021"]) is None
        assert previous_wave(live, ids["C2019"]) is None
        # the partial unique index on live names survived the rebuild
        with pytest.raises(ValueError, match="已被使用"):
            store.rename_wave(eng, ids["A2021"], "A2020")
        with pytest.raises(sa.exc.IntegrityError), eng.begin() as conn:
            conn.execute(sa.text("UPDATE waves SET name = 'A2020' WHERE name = 'A2021'"))
        # a new upload of questionnaire K1 at 甲大学 continues that series
        assert store.suggest_series(eng, "K1", "甲大学")["id"] == int(w.loc["A2020", "series_id"])
        new = store.ingest_file(eng, make_wjx(5, seed=3), "new.csv")
        assert new.wave_id == 8  # six waves, then the purged #7
        assert store.list_waves(eng).set_index("id").loc[8, "fieldwork_start"] == pd.Timestamp("2025-04-01 08:10")
    finally:
        store.close_engine(eng)


def test_demo_store_has_two_series_one_per_institution(tmp_path):
    eng = store.get_engine(f"sqlite:///{tmp_path}/demo.db")
    try:
        store.ensure_demo(eng)
        ser = store.list_series(eng)
        assert list(ser["unit"]) == ["滨江区委党校", "江城职业技术学院后勤保障处"]
        assert list(ser["n_waves"]) == [5, 4]
        w = store.list_waves(eng)
        first_college = w.index[w["unit"] == "江城职业技术学院后勤保障处"][0]
        assert previous_wave(w, w.loc[first_college, "id"]) is None  # 2018 is not compared with 2016
        two = store.series_waves(eng, int(ser["id"].iloc[1]))
        assert list(two["period"]) == ["2018-10", "2019-10", "2020-10", "2021-10"]
    finally:
        store.close_engine(eng)


@pytest.fixture
def engine(tmp_path):
    eng = store.get_engine(f"sqlite:///{tmp_path}/s.db")
    yield eng
    store.close_engine(eng)


def test_ingest_suggests_the_latest_series_of_the_same_questionnaire_and_unit(engine):
    a = store.ingest_file(engine, make_wjx(20, seed=1), "2024年测评.csv", meta={"unit": "甲大学"})
    b = store.ingest_file(engine, make_wjx(20, seed=2), "2025年测评.csv", meta={"unit": "甲大学"})
    other_unit = store.ingest_file(engine, make_wjx(20, seed=3), "2025年测评.csv", meta={"unit": "乙学院"})
    named = store.ingest_file(engine, make_wjx(20, seed=4), "x.csv", meta={"unit": "甲大学", "series": "新项目"})
    into = store.ingest_file(engine, make_wjx(20, seed=5), "y.csv", meta={"unit": "甲大学", "series": "新项目"})
    w = store.list_waves(engine).set_index("id")
    assert w.loc[a.wave_id, "series_id"] == w.loc[b.wave_id, "series_id"]
    assert w.loc[a.wave_id, "series_name"] == "甲大学 测评"
    assert w.loc[other_unit.wave_id, "series_id"] != w.loc[a.wave_id, "series_id"]
    assert w.loc[named.wave_id, "series_name"] == w.loc[into.wave_id, "series_name"] == "新项目"
    # make_wjx's first submission: 2025-04-01 08:00 + 7 min + seed minutes (seed 1 → 08:08)
    assert w.loc[a.wave_id, "fieldwork_start"] == pd.Timestamp("2025-04-01 08:08")
    assert w.loc[a.wave_id, "fieldwork_end"] == pd.Timestamp("2025-04-01 08:00") + pd.Timedelta(minutes=7 * 20 + 1)
    # now 新项目 is the latest series of this questionnaire at 甲大学
    assert store.suggest_series(engine, store.wave_meta(engine, a.wave_id)["questionnaire_key"], "甲大学")["name"] == "新项目"
    with pytest.raises(ValueError, match="调查项目"):
        store.ingest_file(engine, make_wjx(5, seed=9), "z.csv", meta={"series_id": 999})


def test_typed_fieldwork_dates_and_bad_dates(engine):
    res = store.ingest_file(engine, make_wjx(10, seed=1), "t.csv",
                            meta={"fieldwork_start": "2024-05-06", "fieldwork_end": "2024-05-20"})
    m = store.wave_meta(engine, res.wave_id)
    assert (m["fieldwork_start"], m["fieldwork_end"]) == (dt.datetime(2024, 5, 6), dt.datetime(2024, 5, 20))
    with pytest.raises(ValueError, match="无法识别日期"):
        store.ingest_file(engine, make_wjx(10, seed=2), "u.csv", meta={"fieldwork_start": "next spring"})
    with pytest.raises(ValueError, match="早于"):
        store.update_wave_meta(engine, res.wave_id, fieldwork_start="2024-06-01", fieldwork_end="2024-05-01")
    store.update_wave_meta(engine, res.wave_id, fieldwork_start="2023-01-02")
    assert store.wave_meta(engine, res.wave_id)["fieldwork_start"] == dt.datetime(2023, 1, 2)


def test_series_create_rename_and_moving_a_wave(engine):
    res = store.ingest_file(engine, make_wjx(10, seed=1), "t.csv")
    sid = store.create_series(engine, "另一个项目")
    store.update_wave_meta(engine, res.wave_id, series_id=sid)
    assert store.list_waves(engine)["series_name"].tolist() == ["另一个项目"]
    store.rename_series(engine, sid, "改名后")
    assert store.series_waves(engine, sid)["series_name"].tolist() == ["改名后"]
    with pytest.raises(ValueError, match="不能为空"):
        store.rename_series(engine, sid, " ")
    with pytest.raises(ValueError, match="找不到调查项目"):
        store.update_wave_meta(engine, res.wave_id, series_id=12345)
