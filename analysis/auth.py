"""Accounts of the dashboard: bcrypt password hashes, roles, lock-out after repeated failures.

Users live in the store's ``users`` table (never a plain-text password: ``password_hash`` is a
bcrypt hash with its own salt, cost 12). ``authenticate`` locks a user *name* for 15 minutes after
5 failed attempts in a row (``login_attempts`` table; names that do not exist are locked the same
way so the answer does not reveal which names exist). Every account creation and lock-out is
written to the audit log.

Viewing without an account: the environment variable ``SURVEY_OPEN_VIEWING`` (default ``true``)
lets anyone open the charts while uploads, edits and deletions need a ``manager`` login; set it to
``false`` / ``0`` / ``no`` to require a login for every page. :func:`open_viewing` reads it; the UI
(ui/auth.py, ui/frame.py) applies it.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import ipaddress
import os
import unicodedata
from dataclasses import dataclass

import bcrypt
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

# The tables and the write transaction live in analysis.store (schema owned by the migrations).
from analysis.store.audit import _audit
from analysis.store.engine import _write
from analysis.store.schema import _now, login_attempts, users

__all__ = [
    "ROLES",
    "MAX_FAILURES",
    "LOCK_MINUTES",
    "MIN_PASSWORD",
    "User",
    "hash_password",
    "verify_password",
    "create_user",
    "authenticate",
    "has_users",
    "list_users",
    "set_password",
    "open_viewing",
    "check_name",
    "is_loopback",
    "verify_admin_token",
    "NAME_MAX",
]

# role key → (zh, en) title; managers upload, edit and delete, viewers only read.
ROLES: dict[str, tuple[str, str]] = {
    "admin": ("系统管理员", "Administrator"), "manager": ("管理员", "Manager"), "viewer": ("查看者", "Viewer"),
}
MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 8
_BCRYPT_MAX_BYTES = 72
_ROUNDS = 12
# A real hash to compare against when the user does not exist (same time as a real check).
_DUMMY_HASH = bcrypt.hashpw(b"not-a-password", bcrypt.gensalt(_ROUNDS))


@dataclass(frozen=True)
class User:
    """A logged-in account."""

    id: int
    name: str
    role: str

    @property
    def is_manager(self) -> bool:
        return self.role in ("admin", "manager")  # admins may everything a manager may (issue 16)


def _check_password(pw: str) -> bytes:
    if not isinstance(pw, str) or len(pw) < MIN_PASSWORD:
        raise ValueError(f"密码至少需要 {MIN_PASSWORD} 个字符。 The password needs at least {MIN_PASSWORD} characters.")
    raw = pw.encode("utf-8")
    if len(raw) > _BCRYPT_MAX_BYTES:
        raise ValueError(
            f"密码过长（超过 {_BCRYPT_MAX_BYTES} 字节；一个汉字占 3 字节）。请缩短。"
            f" The password is longer than {_BCRYPT_MAX_BYTES} bytes; choose a shorter one."
        )
    return raw


def hash_password(pw: str) -> str:
    """bcrypt hash (cost 12, random salt) of a password, as text ``$2b$12$…``.

    Checked against the bcrypt reference behaviour: ``bcrypt.checkpw`` accepts it, and two hashes
    of one password differ (salt).
    """
    return bcrypt.hashpw(_check_password(pw), bcrypt.gensalt(_ROUNDS)).decode("ascii")


def verify_password(pw: str, hashed: str) -> bool:
    """True when ``pw`` matches the bcrypt hash (False for over-long or malformed input)."""
    try:
        raw = (pw or "").encode("utf-8")
        if len(raw) > _BCRYPT_MAX_BYTES:
            return False
        return bcrypt.checkpw(raw, hashed.encode("ascii"))
    except (ValueError, TypeError):
        return False


NAME_MAX = 100
# The lock-out row of the first-manager token (issue 10): a name no account can have.
_TOKEN_KEY = "\u2063admin-token"


def check_name(name: str) -> str:
    """A login name, stripped; ValueError (bilingual) when it cannot be one — before any query.

    Rules: 1…``NAME_MAX`` (100) characters; no control or format characters (NUL, escape codes,
    invisible separators), no line breaks.
    """
    if not isinstance(name, str):
        raise ValueError("用户名必须是文字。 The user name must be text.")
    name = name.strip()
    if not name:
        raise ValueError("用户名不能为空。 The user name must not be empty.")
    if len(name) > NAME_MAX:
        raise ValueError(f"用户名过长（最多 {NAME_MAX} 个字符）。 The user name is longer than {NAME_MAX} characters.")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for ch in name):
        raise ValueError(
            "用户名含有不可见或控制字符，请只使用文字、数字和常用符号。"
            " The user name contains invisible or control characters; use letters, digits and common symbols."
        )
    return name


_clean_name = check_name


def create_user(engine: Engine, name: str, pw: str, role: str = "manager", *, user: str = "cli") -> User:
    """Create an account (``role`` from ``ROLES``); ValueError when the name is taken or input is weak."""
    name = _clean_name(name)
    if role not in ROLES:
        raise ValueError(f"未知角色 unknown role '{role}'. 可用 valid: {', '.join(ROLES)}")
    hashed = hash_password(pw)
    with _write(engine, bump=False) as conn:
        exists = conn.execute(sa.select(users.c.id).where(users.c.name == name)).scalar()
        if exists is not None:
            raise ValueError(f"用户「{name}」已存在。 User '{name}' already exists.")
        uid = conn.execute(
            users.insert().values(name=name, password_hash=hashed, role=role, created_at=_now(), created_by=user)
            .returning(users.c.id)
        ).scalar_one()
        _audit(conn, user, "create_user", {"name": name, "role": role})
    return User(id=int(uid), name=name, role=role)


def set_password(engine: Engine, name: str, pw: str, *, user: str = "cli") -> None:
    """Replace a user's password (and lift a lock-out)."""
    name = _clean_name(name)
    hashed = hash_password(pw)
    with _write(engine, bump=False) as conn:
        done = conn.execute(users.update().where(users.c.name == name).values(password_hash=hashed)).rowcount
        if not done:
            raise ValueError(f"用户「{name}」不存在。 No user '{name}'.")
        conn.execute(login_attempts.delete().where(login_attempts.c.name == name))
        _audit(conn, user, "set_password", {"name": name})


def _lock_error(locked_until: _dt.datetime, now: _dt.datetime) -> ValueError:
    minutes = max(1, int((locked_until - now).total_seconds() // 60) + 1)
    return ValueError(
        f"登录失败次数过多，账户已锁定，请约 {minutes} 分钟后再试。"
        f" Too many failed logins; this account is locked for about {minutes} more minute(s)."
    )


def _locked(conn, key: str, now: _dt.datetime) -> _dt.datetime | None:
    until = conn.execute(sa.select(login_attempts.c.locked_until).where(login_attempts.c.name == key)).scalar()
    return until if until is not None and until > now else None


def _record_failure(conn, key: str, now: _dt.datetime) -> None:
    """Count one failure atomically (one ``UPDATE … RETURNING``, inside the serialised write
    transaction); lock at ``MAX_FAILURES``. A failure never clears a lock: an expired lock starts
    a new count, a running one stays as it is."""
    expired = sa.and_(login_attempts.c.locked_until.is_not(None), login_attempts.c.locked_until <= now)
    failures = conn.execute(
        login_attempts.update()
        .where(login_attempts.c.name == key)
        .values(
            failures=sa.case((expired, 1), else_=login_attempts.c.failures + 1),
            locked_until=sa.case((expired, None), else_=login_attempts.c.locked_until),
            last_failed_at=now,
        )
        .returning(login_attempts.c.failures)
    ).scalar()
    if failures is None:
        conn.execute(login_attempts.insert().values(name=key, failures=1, last_failed_at=now, locked_until=None))
        failures = 1
    if failures >= MAX_FAILURES:
        done = conn.execute(
            login_attempts.update()
            .where(login_attempts.c.name == key, login_attempts.c.locked_until.is_(None))
            .values(locked_until=now + _dt.timedelta(minutes=LOCK_MINUTES))
        ).rowcount
        if done:
            _audit(conn, key if key != _TOKEN_KEY else None, "login_locked",
                   {"name": key if key != _TOKEN_KEY else "SURVEY_ADMIN_TOKEN", "failures": int(failures),
                    "minutes": LOCK_MINUTES})


def authenticate(engine: Engine, name: str, pw: str, *, now: _dt.datetime | None = None) -> User | None:
    """The user when name and password match, else None.

    Lock-out: after ``MAX_FAILURES`` (5) failed attempts in a row for one name, that name is locked
    for ``LOCK_MINUTES`` (15) minutes; during the lock every attempt — even with the right password —
    raises ValueError saying how long to wait. A successful login resets the count.

    Concurrency (issue 10, finding 9): the lock is checked before the password hash and again,
    inside the serialised write transaction, after it; failures are counted by one atomic
    ``UPDATE … RETURNING``; no write clears a running lock. A name that cannot be one (too long,
    control characters, NUL) raises ValueError before any query.

    ``now`` (naive UTC) is for tests.
    """
    if not (name or "").strip():
        return None
    name = check_name(name)
    if name == _TOKEN_KEY:
        return None
    now = now or _now()
    with engine.connect() as conn:
        until = _locked(conn, name, now)
        row = conn.execute(sa.select(users).where(users.c.name == name)).mappings().first()
    if until is not None:
        raise _lock_error(until, now)
    if row is not None:
        ok = verify_password(pw, row["password_hash"])
    else:
        verify_password(pw, _DUMMY_HASH.decode())  # same cost as a real check
        ok = False
    with _write(engine, bump=False) as conn:
        until = _locked(conn, name, now)  # a parallel attempt may have locked it meanwhile
        if until is not None:
            if not ok:
                _record_failure(conn, name, now)
            locked = until
        elif ok:
            conn.execute(login_attempts.delete().where(login_attempts.c.name == name))
            conn.execute(users.update().where(users.c.id == row["id"]).values(last_login_at=now))
            return User(id=int(row["id"]), name=row["name"], role=row["role"])
        else:
            _record_failure(conn, name, now)
            locked = None
    if locked is not None:
        raise _lock_error(locked, now)
    return None


def verify_admin_token(engine: Engine, given: str, *, now: _dt.datetime | None = None) -> bool:
    """Is ``given`` the ``SURVEY_ADMIN_TOKEN``? Compared in constant time (``hmac.compare_digest`` of
    SHA-256 digests) and rate-limited like a password: ``MAX_FAILURES`` wrong tokens lock the token
    for ``LOCK_MINUTES``; during the lock ValueError says how long to wait. False when no token is set.
    """
    expected = os.environ.get("SURVEY_ADMIN_TOKEN", "")
    if not expected:
        return False
    now = now or _now()
    with engine.connect() as conn:
        until = _locked(conn, _TOKEN_KEY, now)
    if until is not None:
        raise _lock_error(until, now)
    ok = hmac.compare_digest(
        hashlib.sha256((given or "").encode("utf-8", "surrogatepass")).digest(),
        hashlib.sha256(expected.encode("utf-8", "surrogatepass")).digest(),
    )
    with _write(engine, bump=False) as conn:
        until = _locked(conn, _TOKEN_KEY, now)
        if until is not None:
            raise _lock_error(until, now)
        if ok:
            conn.execute(login_attempts.delete().where(login_attempts.c.name == _TOKEN_KEY))
            return True
        _record_failure(conn, _TOKEN_KEY, now)
    return False


def is_loopback(address: str | None) -> bool:
    """True for a loopback address: ``127.0.0.0/8``, ``::1`` and IPv4-mapped ``::ffff:127.0.0.1``."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(str(address).strip().strip("[]").split("%")[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return bool((mapped or ip).is_loopback)


def has_users(engine: Engine) -> bool:
    """True when at least one account exists (else the UI offers to create the first manager)."""
    with engine.connect() as conn:
        return conn.execute(sa.select(users.c.id).limit(1)).first() is not None


def list_users(engine: Engine) -> pd.DataFrame:
    """Accounts: columns ``name, role, created_at, created_by, last_login_at`` (never the hash)."""
    cols = ["name", "role", "created_at", "created_by", "last_login_at"]
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(*[users.c[c] for c in cols]).order_by(users.c.id)).mappings()]
    return pd.DataFrame(rows, columns=cols)


def open_viewing() -> bool:
    """``SURVEY_OPEN_VIEWING`` (default true): may anonymous visitors view the charts?"""
    value = os.environ.get("SURVEY_OPEN_VIEWING", "true").strip().lower()
    return value not in {"0", "false", "no", "off"}
