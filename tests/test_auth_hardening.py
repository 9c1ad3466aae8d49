"""Issue 10, findings 9–11: the lock-out holds under real concurrent attempts (threads, on SQLite and
PostgreSQL), names are validated before any query, the admin token is rate-limited, and an
IPv4-mapped loopback address counts as the server itself."""

from __future__ import annotations

import datetime as _dt
import threading

import pytest
import sqlalchemy as sa

from analysis import auth, store
from analysis.store.schema import login_attempts
from tests.test_store import db_url  # noqa: F401 — the SQLite / PostgreSQL fixture

PASSWORD = "correct-horse-9"


def _attempts(engine, name):
    with engine.connect() as conn:
        return conn.execute(sa.select(login_attempts).where(login_attempts.c.name == name)).mappings().first()


def _race(engine, pws: list[str], name: str = "boss") -> list:
    barrier = threading.Barrier(len(pws))
    results: list = [None] * len(pws)

    def attempt(i: int, pw: str) -> None:
        barrier.wait()
        try:
            results[i] = auth.authenticate(engine, name, pw)
        except ValueError as exc:
            results[i] = exc

    threads = [threading.Thread(target=attempt, args=(i, pw)) for i, pw in enumerate(pws)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    return results


def test_concurrent_wrong_attempts_lock_the_name(db_url):  # noqa: F811
    engine = store.get_engine(db_url)
    auth.create_user(engine, "boss", PASSWORD)
    # finding 9: 8 parallel wrong attempts used to end as failures=3, locked_until=NULL
    _race(engine, ["wrong-password"] * 8)
    row = _attempts(engine, "boss")
    assert row is not None and row["locked_until"] is not None and row["failures"] >= auth.MAX_FAILURES
    with pytest.raises(ValueError, match="锁定"):
        auth.authenticate(engine, "boss", PASSWORD)
    store.close_engine(engine)


def test_one_right_among_eleven_wrong_ends_locked(db_url):  # noqa: F811
    engine = store.get_engine(db_url)
    auth.create_user(engine, "boss", PASSWORD)
    results = _race(engine, ["wrong-password"] * 11 + [PASSWORD])
    row = _attempts(engine, "boss")
    # whenever the right one was served, at least 11 - 4 wrong ones came after a reset or before:
    # the name ends locked either way, and a lock is never cleared by a later write
    assert row is not None and row["locked_until"] is not None
    right = results[-1]
    assert right is None or isinstance(right, (auth.User, ValueError))
    store.close_engine(engine)


def test_a_later_failure_never_clears_a_lock(db_url):  # noqa: F811
    engine = store.get_engine(db_url)
    auth.create_user(engine, "boss", PASSWORD)
    t0 = _dt.datetime(2026, 12, 2, 8, 0)
    for _ in range(auth.MAX_FAILURES):
        auth.authenticate(engine, "boss", "nope-nope", now=t0)
    until = _attempts(engine, "boss")["locked_until"]
    assert until is not None
    with pytest.raises(ValueError):
        auth.authenticate(engine, "boss", "nope-nope", now=t0 + _dt.timedelta(minutes=1))
    assert _attempts(engine, "boss")["locked_until"] == until
    # after the lock the right password works again
    assert auth.authenticate(engine, "boss", PASSWORD, now=until + _dt.timedelta(seconds=1)) is not None
    store.close_engine(engine)


@pytest.mark.parametrize("bad", ["x" * 101, "x" * 100_000, "boss\x00", "a\x1b[31mb", "a\u202eb", "a\nb"])
def test_bad_names_are_refused_before_any_query(db_url, bad):  # noqa: F811
    # finding 10: PostgreSQL raised DataError (a traceback for anonymous visitors); SQLite stored it
    engine = store.get_engine(db_url)
    with pytest.raises(ValueError, match="用户名"):
        auth.authenticate(engine, bad, "whatever-pw")
    with pytest.raises(ValueError, match="用户名"):
        auth.create_user(engine, bad, PASSWORD)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(login_attempts)).scalar() == 0
    store.close_engine(engine)


def test_admin_token_is_rate_limited(db_url, monkeypatch):  # noqa: F811
    # finding 11: the token allowed unlimited guessing
    engine = store.get_engine(db_url)
    monkeypatch.setenv("SURVEY_ADMIN_TOKEN", "s3cret-token")
    t0 = _dt.datetime(2026, 12, 2, 8, 0)
    for _ in range(auth.MAX_FAILURES):
        assert auth.verify_admin_token(engine, "guess", now=t0) is False
    with pytest.raises(ValueError, match="锁定"):
        auth.verify_admin_token(engine, "s3cret-token", now=t0 + _dt.timedelta(minutes=1))
    assert auth.verify_admin_token(engine, "s3cret-token", now=t0 + _dt.timedelta(minutes=auth.LOCK_MINUTES + 1))
    monkeypatch.delenv("SURVEY_ADMIN_TOKEN")
    assert auth.verify_admin_token(engine, "s3cret-token") is False
    store.close_engine(engine)


@pytest.mark.parametrize(
    "address,local",
    [("127.0.0.1", True), ("::1", True), ("::ffff:127.0.0.1", True), ("127.8.9.10", True),
     ("::ffff:10.0.0.5", False), ("10.0.0.5", False), ("fe80::1%eth0", False), ("", False), ("junk", False)],
)
def test_loopback_addresses(address, local):
    assert auth.is_loopback(address) is local
