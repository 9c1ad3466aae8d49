"""Concurrency and crash safety of analysis.store, on SQLite and PostgreSQL.

- several threads and several processes ingesting overlapping sets of files at once lose
  nothing and count nothing twice (expected: the number of distinct files, by construction);
- processes opening a fresh store at the same moment migrate it exactly once;
- ``ensure_demo`` run by several processes at once seeds the demo exactly once;
- a process killed with SIGKILL in the middle of the ingest transaction leaves no partial wave
  and an intact database (SQLite ``PRAGMA integrity_check``), and the file can be ingested again.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from analysis import store
from tests.test_store import db_url, make_wjx  # noqa: F401  (fixture: both back ends)

ROOT = Path(__file__).resolve().parents[1]

WORKER = r'''
import json, os, sys, time, types
from analysis import store

mode, url, args = sys.argv[1], sys.argv[2], sys.argv[3:]
if mode == "migrate":
    store.get_engine(url)
    print(json.dumps("ok"))
elif mode == "ingest":
    eng = store.get_engine(url)
    out = []
    for path in args:
        with open(path, "rb") as fh:
            r = store.ingest_file(eng, fh.read(), os.path.basename(path), user=f"p{os.getpid()}")
        out.append({"file": os.path.basename(path), "wave_id": r.wave_id, "created": r.created,
                    "duplicate_of": r.duplicate_of})
    print(json.dumps(out))
elif mode == "demo":
    folder = args[0]
    mod = types.ModuleType("analysis.demo")
    class DemoWave:
        def __init__(self, name):
            self.meta = {"name": name[:-4], "period": name[:-4]}
            self.filename = name
            with open(os.path.join(folder, name), "rb") as fh:
                self.data = fh.read()
    mod.demo_waves = lambda: [DemoWave(n) for n in sorted(os.listdir(folder))]
    sys.modules["analysis.demo"] = mod
    print(json.dumps(store.ensure_demo(store.get_engine(url))))
elif mode == "hang":
    # stop inside the ingest transaction, after every row of the wave was written, before COMMIT
    original = store.ingest._insert_wave
    def hanging(conn, *a, **k):
        result = original(conn, *a, **k)
        conn.execute(store.audit_log.insert().values(at=store.schema._now(), user="x", action="probe", detail={}))
        print("IN_TXN", flush=True)
        time.sleep(600)
        return result
    store.ingest._insert_wave = hanging
    eng = store.get_engine(url)
    with open(args[0], "rb") as fh:
        store.ingest_file(eng, fh.read(), os.path.basename(args[0]))
    print("COMMITTED", flush=True)
'''


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _spawn(mode: str, url: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WORKER, mode, url, *args], env=_env(), cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(procs: list[subprocess.Popen]) -> list:
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def _counts(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                     for t in (store.waves, store.uploads, store.wave_data))


@pytest.fixture
def files(tmp_path) -> list[Path]:
    paths = []
    for i in range(5):
        p = tmp_path / f"wave{i}.csv"
        p.write_bytes(make_wjx(60 + i, seed=200 + i))
        paths.append(p)
    return paths


def _check_no_double_count(results: list[dict], engine, n_files: int) -> None:
    created = [r for r in results if r["created"]]
    assert len(created) == n_files, created
    by_file = {r["file"]: r["wave_id"] for r in created}
    for r in results:  # every duplicate points at the wave that holds its file
        if not r["created"]:
            assert r["duplicate_of"] == by_file[r["file"]]
    assert _counts(engine) == (n_files, n_files, n_files)
    w = store.list_waves(engine)
    assert sorted(w["n_responses"]) == sorted(60 + i for i in range(n_files))


def test_threads_ingest_concurrently(db_url, files):  # noqa: F811
    engine = store.get_engine(db_url)
    jobs = [[f for f in random.Random(t).sample(files, len(files))] for t in range(6)]  # each file 6 times
    barrier = threading.Barrier(len(jobs))
    results: list[dict] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(paths):
        try:
            barrier.wait()
            for p in paths:
                r = store.ingest_file(engine, p.read_bytes(), p.name, user=threading.current_thread().name)
                with lock:
                    results.append({"file": p.name, "wave_id": r.wave_id, "created": r.created,
                                    "duplicate_of": r.duplicate_of})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors
    assert len(results) == 6 * len(files)
    _check_no_double_count(results, engine, len(files))
    store.close_engine(engine)


def test_processes_ingest_concurrently_into_a_fresh_store(db_url, files):  # noqa: F811
    # the store does not exist yet: the processes also race on the migration
    orders = [files[:3], files[2:], files[::-1], [files[1], files[4], files[0]]]
    results = [r for batch in _finish([_spawn("ingest", db_url, *map(str, o)) for o in orders]) for r in batch]
    engine = store.get_engine(db_url)
    _check_no_double_count(results, engine, len(files))
    store.close_engine(engine)


def test_simultaneous_first_open_migrates_once(db_url):  # noqa: F811
    assert _finish([_spawn("migrate", db_url) for _ in range(4)]) == ["ok"] * 4
    engine = store.get_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 1
        assert conn.execute(sa.text("SELECT count(*) FROM store_state")).scalar() == 1
    store.close_engine(engine)


def test_ensure_demo_from_several_processes_seeds_once(db_url, tmp_path):  # noqa: F811
    folder = tmp_path / "demo"
    folder.mkdir()
    for i in range(3):
        (folder / f"demo{i}.csv").write_bytes(make_wjx(40, seed=300 + i))
    outcomes = _finish([_spawn("demo", db_url, str(folder)) for _ in range(3)])
    assert sorted(outcomes) == [False, False, True]
    engine = store.get_engine(db_url)
    assert store.list_waves(engine)["name"].tolist() == ["demo0", "demo1", "demo2"]
    store.close_engine(engine)


def _integrity_ok(db_url: str) -> None:  # noqa: F811
    engine = store.get_engine(db_url)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    store.close_engine(engine)


def test_sigkill_inside_the_ingest_transaction_leaves_no_partial_wave(db_url, tmp_path):  # noqa: F811
    big = tmp_path / "big.csv"
    big.write_bytes(make_wjx(20_000, seed=400, n_items=8))
    store.close_engine(store.get_engine(db_url))  # schema exists before the kill
    proc = _spawn("hang", db_url, str(big))
    line = proc.stdout.readline()
    assert line.strip() == "IN_TXN", proc.stderr.read()[-2000:]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    _integrity_ok(db_url)
    engine = store.get_engine(db_url)
    assert _counts(engine) == (0, 0, 0)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(store.audit_log)).scalar() == 0
    res = store.ingest_file(engine, big.read_bytes(), "big.csv")  # nothing left locked or half-stored
    assert res.created and res.n_responses == 20_000
    assert store.load_wave(engine, res.wave_id).n == 20_000
    store.close_engine(engine)


@pytest.mark.slow
def test_sigkill_at_random_moments_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path}/kill.db"
    big = tmp_path / "big.csv"
    big.write_bytes(make_wjx(30_000, seed=500, n_items=8))
    store.close_engine(store.get_engine(url))
    rng = random.Random(7)
    for _ in range(4):
        proc = _spawn("ingest", url, str(big))
        time.sleep(rng.uniform(1.0, 4.0))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        _integrity_ok(url)
        engine = store.get_engine(url)
        n_waves, n_uploads, n_data = _counts(engine)
        assert n_waves == n_uploads == n_data <= 1  # whole or not at all
        if n_waves:
            wid = int(store.list_waves(engine)["id"].iloc[0])
            assert store.load_wave(engine, wid).n == 30_000
            store.purge_wave(engine, wid)
        store.close_engine(engine)
