"""Tests for the store commands of ``python -m analysis`` (analysis/cli_store.py).

In-process through ``analysis.__main__.main`` (exit status, stdout, stderr) plus one real
subprocess run. Expected values: the number of rows written by the fixture generator.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import store
from analysis.__main__ import main
from tests.test_store import make_wjx

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def env(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("SURVEY_DB_URL", url)
    (tmp_path / "a.csv").write_bytes(make_wjx(12, seed=1))
    (tmp_path / "b.csv").write_bytes(make_wjx(7, seed=2))
    yield tmp_path, url
    for key, eng in list(store.engine._ENGINES.items()):
        if key == url:
            store.close_engine(eng)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_ingest_then_waves_json(env, capsys):
    tmp, _ = env
    rc, out, _ = run(capsys, "ingest", str(tmp / "a.csv"), "--wave", "2025春", "--distributed", "30")
    assert rc == 0 and "2025春" in out and "12" in out
    rc, out, _ = run(capsys, "ingest", str(tmp / "b.csv"), "--json")
    res = json.loads(out)
    assert rc == 0 and res["created"] is True and res["n_responses"] == 7 and res["name"] == "b"
    rc, out, _ = run(capsys, "waves", "--json")
    waves = json.loads(out)
    assert rc == 0 and [w["name"] for w in waves] == ["2025春", "b"]
    assert [w["n_responses"] for w in waves] == [12, 7] and waves[0]["distributed"] == 30
    assert waves[0]["files"] == "a.csv"


def test_ingest_same_file_twice_reports_duplicate(env, capsys, monkeypatch):
    tmp, _ = env
    run(capsys, "ingest", str(tmp / "a.csv"))

    def parse_again(*_a, **_k):
        raise AssertionError("a stored file was parsed again")

    monkeypatch.setattr(store.ingest, "prepare_wave", parse_again)  # recognised by its sha256 alone
    rc, out, err = run(capsys, "ingest", str(tmp / "a.csv"), "--json")
    res = json.loads(out)
    assert rc == 0 and res["created"] is False and res["duplicate_of"] == res["wave_id"]
    rc, out, _ = run(capsys, "waves", "--json")
    assert len(json.loads(out)) == 1


def test_delete_needs_confirmation_then_restore(env, capsys, monkeypatch):
    tmp, _ = env
    run(capsys, "ingest", str(tmp / "a.csv"), "--wave", "W1")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal: no prompt possible
    rc, out, err = run(capsys, "delete", "W1")
    assert rc != 0 and "--yes" in err and len(err.strip().splitlines()) == 1
    rc, out, _ = run(capsys, "delete", "W1", "--yes", "--user", "ops")
    assert rc == 0
    assert json.loads(run(capsys, "waves", "--json")[1]) == []
    assert len(json.loads(run(capsys, "waves", "--json", "--all")[1])) == 1
    rc, out, _ = run(capsys, "restore", "W1")
    assert rc == 0 and "W1" in out
    assert [w["name"] for w in json.loads(run(capsys, "waves", "--json")[1])] == ["W1"]
    log = store.list_audit(store.get_engine())
    assert ("ops", "delete") in list(zip(log["user"], log["action"], strict=True))


def test_delete_purge_by_id(env, capsys):
    tmp, _ = env
    res = json.loads(run(capsys, "ingest", str(tmp / "a.csv"), "--json")[1])
    rc, _, _ = run(capsys, "delete", str(res["wave_id"]), "--yes", "--purge")
    assert rc == 0
    assert json.loads(run(capsys, "waves", "--json", "--all")[1]) == []


def test_create_user_from_stdin(env, capsys, monkeypatch):
    from analysis import auth

    monkeypatch.setattr(sys, "stdin", io.StringIO("s3cret-pass\n"))
    rc, out, _ = run(capsys, "create-user", "王老师", "--password-stdin", "--role", "viewer")
    assert rc == 0 and "王老师" in out
    u = auth.authenticate(store.get_engine(), "王老师", "s3cret-pass")
    assert u is not None and u.role == "viewer"
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    rc, _, err = run(capsys, "create-user", "x", "--password-stdin")
    assert rc != 0 and err.startswith("错误 error:") and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("argv", [
    ["ingest", "/no/such/file.csv"],
    ["delete", "no-such-wave", "--yes"],
    ["restore", "12345"],
])
def test_errors_are_one_line_and_non_zero(env, capsys, argv):
    rc, _, err = run(capsys, *argv)
    assert rc != 0
    assert len(err.strip().splitlines()) == 1 and err.startswith("错误 error:")


def test_unreadable_file_is_one_line(env, capsys):
    tmp, _ = env
    (tmp / "bad.csv").write_bytes(b"\x00\x01\x02binary")
    rc, _, err = run(capsys, "ingest", str(tmp / "bad.csv"))
    assert rc != 0 and len(err.strip().splitlines()) == 1


def test_subprocess_exit_codes(env):
    tmp, url = env
    cmd = [sys.executable, "-m", "analysis"]
    environ = {**os.environ, "SURVEY_DB_URL": url, "PYTHONPATH": str(ROOT)}
    ok = subprocess.run([*cmd, "ingest", str(tmp / "a.csv"), "--db", url], cwd=tmp, env=environ,
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    listed = subprocess.run([*cmd, "waves", "--json"], cwd=ROOT, env=environ, capture_output=True, text=True,
                            timeout=120)
    assert listed.returncode == 0 and json.loads(listed.stdout)[0]["n_responses"] == 12
    bad = subprocess.run([*cmd, "waves", "--db", "not a url"], cwd=ROOT, env=environ, capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode != 0 and len(bad.stderr.strip().splitlines()) == 1
