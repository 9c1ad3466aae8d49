"""Tests for analysis.auth on SQLite and PostgreSQL (fixtures from tests/test_store.py).

Independent checks: password hashes are verified with the bcrypt library itself
(``bcrypt.checkpw``); lock-out times are hand calculations (5 failures → locked for 15 minutes).
"""

from __future__ import annotations

import datetime as dt

import bcrypt
import pytest
import sqlalchemy as sa

from analysis import auth, store
from tests.test_store import db_url, engine  # noqa: F401  (fixtures: both back ends)

PW = "correct horse"


@pytest.fixture
def fast_bcrypt(monkeypatch):
    """Cost 4 instead of 12 for tests that log in many times (the cost-12 hash is tested below)."""
    monkeypatch.setattr(auth, "_ROUNDS", 4)
    monkeypatch.setattr(auth, "_DUMMY_HASH", bcrypt.hashpw(b"x", bcrypt.gensalt(4)))


def test_hash_is_bcrypt_salted_never_plain_text():
    h1, h2 = auth.hash_password(PW), auth.hash_password(PW)
    assert h1 != h2 and PW not in h1
    assert h1.startswith("$2b$12$")
    assert bcrypt.checkpw(PW.encode(), h1.encode()) and not bcrypt.checkpw(b"wrong password", h1.encode())
    assert auth.verify_password(PW, h1) and not auth.verify_password("wrong password", h1)
    assert auth.verify_password(PW, "not a hash") is False


def test_weak_or_overlong_passwords_rejected():
    with pytest.raises(ValueError, match="至少"):
        auth.hash_password("short")
    with pytest.raises(ValueError, match="过长"):
        auth.hash_password("后勤" * 13)  # 78 bytes in UTF-8 > bcrypt's 72


def test_create_user_stores_only_the_hash(engine, fast_bcrypt):  # noqa: F811
    assert auth.has_users(engine) is False
    u = auth.create_user(engine, " 张三 ", PW, role="viewer", user="admin")
    assert (u.name, u.role, u.is_manager) == ("张三", "viewer", False)
    assert auth.has_users(engine) is True
    with engine.connect() as conn:
        stored = conn.execute(sa.select(store.users.c.password_hash)).scalar()
    assert PW not in stored and bcrypt.checkpw(PW.encode(), stored.encode())
    users = auth.list_users(engine)
    assert users["name"].tolist() == ["张三"] and "password_hash" not in users.columns
    log = store.list_audit(engine)
    assert (log.loc[0, "user"], log.loc[0, "action"], log.loc[0, "detail"]) == (
        "admin", "create_user", {"name": "张三", "role": "viewer"})


def test_create_user_rejects_duplicates_and_bad_roles(engine, fast_bcrypt):  # noqa: F811
    auth.create_user(engine, "a", PW)
    with pytest.raises(ValueError, match="已存在"):
        auth.create_user(engine, "a", PW)
    with pytest.raises(ValueError, match="unknown role"):
        auth.create_user(engine, "b", PW, role="root")
    with pytest.raises(ValueError, match="不能为空"):
        auth.create_user(engine, "  ", PW)


def test_authenticate(engine, fast_bcrypt):  # noqa: F811
    auth.create_user(engine, "mgr", PW)
    u = auth.authenticate(engine, "mgr", PW)
    assert u is not None and (u.name, u.role) == ("mgr", "manager")
    assert auth.authenticate(engine, "mgr", "wrong password") is None
    assert auth.authenticate(engine, "nobody", PW) is None
    assert auth.authenticate(engine, "", PW) is None


def test_lockout_after_five_failures_for_fifteen_minutes(engine, fast_bcrypt):  # noqa: F811
    auth.create_user(engine, "mgr", PW)
    t0 = dt.datetime(2030, 1, 1, 9, 0, 0)
    for i in range(4):
        assert auth.authenticate(engine, "mgr", f"bad {i}", now=t0) is None
    assert auth.authenticate(engine, "mgr", PW, now=t0) is not None  # 4 failures: not locked yet
    for i in range(5):
        assert auth.authenticate(engine, "mgr", f"bad {i}", now=t0) is None
    # locked: even the right password is refused until t0 + 15 min
    with pytest.raises(ValueError, match="锁定"):
        auth.authenticate(engine, "mgr", PW, now=t0 + dt.timedelta(minutes=14, seconds=59))
    assert auth.authenticate(engine, "mgr", PW, now=t0 + dt.timedelta(minutes=15, seconds=1)) is not None
    actions = store.list_audit(engine)["action"].tolist()
    assert actions.count("login_locked") == 1


def test_lockout_is_per_name_and_covers_unknown_names(engine, fast_bcrypt):  # noqa: F811
    auth.create_user(engine, "a", PW)
    auth.create_user(engine, "b", PW)
    t0 = dt.datetime(2030, 1, 1, 9, 0, 0)
    for _ in range(5):
        auth.authenticate(engine, "a", "nope nope", now=t0)
        auth.authenticate(engine, "ghost", "nope nope", now=t0)
    with pytest.raises(ValueError):
        auth.authenticate(engine, "a", PW, now=t0)
    with pytest.raises(ValueError):
        auth.authenticate(engine, "ghost", PW, now=t0)
    assert auth.authenticate(engine, "b", PW, now=t0) is not None


def test_set_password_lifts_lock(engine, fast_bcrypt):  # noqa: F811
    auth.create_user(engine, "a", PW)
    t0 = dt.datetime(2030, 1, 1, 9, 0, 0)
    for _ in range(5):
        auth.authenticate(engine, "a", "nope nope", now=t0)
    auth.set_password(engine, "a", "new password 1")
    assert auth.authenticate(engine, "a", "new password 1", now=t0) is not None
    with pytest.raises(ValueError, match="不存在"):
        auth.set_password(engine, "nobody", "new password 1")


@pytest.mark.parametrize(("value", "expected"), [(None, True), ("true", True), ("1", True), ("false", False),
                                                 ("0", False), ("No", False), ("off", False)])
def test_open_viewing_env(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("SURVEY_OPEN_VIEWING", raising=False)
    else:
        monkeypatch.setenv("SURVEY_OPEN_VIEWING", value)
    assert auth.open_viewing() is expected
