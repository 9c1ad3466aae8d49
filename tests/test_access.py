"""Tests for access (issue 16): analysis.access decisions and analysis.store.access on SQLite and PostgreSQL.

Expected answers come from the rules as the issue states them (a link is valid for N days from its
creation, revoked wins, 5 bad tokens lock an address for 15 minutes, a logout or a password change
ends every session) applied by hand to clocks the tests set; never from the code under test.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import bcrypt
import pandas as pd
import pytest
import sqlalchemy as sa

from analysis import access, auth, store
from analysis.store import access as sa_access
from tests.test_store import db_url, engine  # noqa: F401  (fixtures: both back ends)

ROOT = Path(__file__).resolve().parents[1]
DEMO = sorted((ROOT / "data" / "demo").glob("*.csv"))
PW = "correct horse"
T0 = dt.datetime(2026, 3, 1, 9, 0, 0)


@pytest.fixture
def fast_bcrypt(monkeypatch):
    monkeypatch.setattr(auth, "_ROUNDS", 4)
    monkeypatch.setattr(auth, "_DUMMY_HASH", bcrypt.hashpw(b"x", bcrypt.gensalt(4)))


@pytest.fixture
def two_waves(engine):  # noqa: F811
    ids = [store.ingest_file(engine, p.read_bytes(), p.name).wave_id for p in DEMO[:2]]
    return engine, ids


# --- pure decisions --------------------------------------------------------------------------------

def test_roles_and_actions_follow_the_issue_table():
    # issue 16: admin (accounts, thresholds, links, settings), manager (upload, edit, 整改, feedback, links), viewer (read)
    assert access.allowed("admin", "accounts") and access.allowed("admin", "upload")
    assert access.allowed("manager", "links") and access.allowed("manager", "upload")
    assert not access.allowed("manager", "accounts") and not access.allowed("manager", "thresholds")
    assert access.allowed("viewer", "view") and not access.allowed("viewer", "upload")
    assert not access.allowed("root", "view")
    with pytest.raises(ValueError, match="unknown action"):
        access.allowed("admin", "fly")
    link = access.Principal(kind="link", role="admin")  # a link never writes, whatever its role says
    assert link.may("view") and not link.may("upload")


@pytest.mark.parametrize(
    ("revoked", "expires", "now", "expected"),
    [
        (None, T0 + dt.timedelta(days=30), T0, "valid"),
        (None, T0 + dt.timedelta(days=30), T0 + dt.timedelta(days=30) - dt.timedelta(seconds=1), "valid"),
        (None, T0 + dt.timedelta(days=30), T0 + dt.timedelta(days=30), "expired"),
        (T0, T0 + dt.timedelta(days=30), T0 + dt.timedelta(days=1), "revoked"),
        (T0, T0, T0 + dt.timedelta(days=99), "revoked"),
    ],
)
def test_link_state(revoked, expires, now, expected):
    assert access.link_state(revoked, expires, now) == expected


@pytest.mark.parametrize("days", [0, 91, -1, "x", 1.5, None])
def test_link_days_outside_1_to_90_refused(days):
    with pytest.raises(ValueError, match="1–90|整数"):
        access.check_days(days)


def test_link_days_bounds():
    assert access.check_days(1) == 1 and access.check_days(90) == 90 and access.check_days("30") == 30


def test_visible_waves_by_wave_and_series():
    waves = pd.DataFrame({"id": ["1", "2", "3", "4"], "series_id": [10, 10, 20, pd.NA]})
    assert access.visible_wave_ids(waves, None) == ["1", "2", "3", "4"]
    assert access.visible_wave_ids(waves, [("wave", 3)]) == ["3"]
    assert access.visible_wave_ids(waves, [("series", 10)]) == ["1", "2"]
    assert access.visible_wave_ids(waves, [("series", 20), ("wave", 1)]) == ["1", "3"]
    assert access.visible_wave_ids(waves, []) == []
    no_series = waves.drop(columns="series_id")  # a store before the series migration
    assert access.visible_wave_ids(no_series, [("series", 10)]) == []


def test_session_hours_env():
    assert access.session_hours({}) == 8.0
    assert access.session_hours({"SURVEY_SESSION_HOURS": "12"}) == 12.0
    for bad in ("0", "abc", "1000"):
        with pytest.raises(ValueError, match="SURVEY_SESSION_HOURS"):
            access.session_hours({"SURVEY_SESSION_HOURS": bad})


RULES = {
    "emails": {"Zhang@Univ.edu.cn": "admin"},
    "groups": {"logistics": "manager", "canteen": "viewer", "staff": "viewer"},
    "group_series": {"canteen": [3]},
}


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"email": "zhang@univ.edu.cn", "email_verified": True}, ("admin", None)),
        ({"email": "zhang@univ.edu.cn", "email_verified": False}, None),  # unverified e-mail is not trusted
        ({"email": "li@univ.edu.cn", "groups": ["staff", "logistics"]}, ("manager", None)),
        ({"email": "wang@univ.edu.cn", "groups": ["canteen"]}, ("viewer", (("series", 3),))),
        ({"email": "x@elsewhere.org", "groups": ["students"]}, None),
        ({"email": "zhang@univ.edu.cn", "groups": ["canteen"]}, ("admin", (("series", 3),))),
    ],
)
def test_sso_role_mapping(claims, expected):
    assert access.role_from_claims(claims, RULES) == expected


def test_sso_default_role_and_bad_rules():
    assert access.role_from_claims({"email": "a@b"}, {"default_role": "viewer"}) == ("viewer", None)
    with pytest.raises(ValueError, match="unknown role"):
        access.role_from_claims({"groups": ["g"]}, {"groups": {"g": "root"}})
    assert access.role_from_claims({"roles": "ops"}, {"group_claim": "roles", "groups": {"ops": "manager"}}) == ("manager", None)


# --- store: share links ----------------------------------------------------------------------------

def test_link_token_is_random_and_stored_as_hash_only(two_waves):
    eng, ids = two_waves
    link_id, token, expires = store.create_link(eng, wave=ids[0], days=7, note="评议会", user="王", now=T0)
    assert expires == T0 + dt.timedelta(days=7)
    assert len(token) >= 43  # 32 random bytes in url-safe base64: 256 bits ≥ 128
    _, token2, _ = store.create_link(eng, wave=ids[0], now=T0)
    assert token2 != token
    with eng.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(sa_access.share_links)).mappings()]
    dump = repr(rows)
    assert token not in dump and token2 not in dump
    assert rows[0]["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert rows[1]["expires_at"] == T0 + dt.timedelta(days=30)  # default 30 days
    audit = store.list_audit(eng)
    created = audit[audit["action"] == "link_create"]
    assert len(created) == 2 and set(created["user"]) == {"王", "cli"}


def test_link_scope_validation(two_waves):
    eng, ids = two_waves
    with pytest.raises(ValueError, match="二选一|exactly one"):
        store.create_link(eng)
    with pytest.raises(ValueError, match="exactly one"):
        store.create_link(eng, wave=ids[0], series=1)
    with pytest.raises(ValueError, match="不存在"):
        store.create_link(eng, wave=99999)
    with pytest.raises(ValueError, match="1–90"):
        store.create_link(eng, wave=ids[0], days=120)
    store.delete_wave(eng, ids[1])
    with pytest.raises(ValueError, match="已删除"):
        store.create_link(eng, wave=ids[1])


def test_open_link_expiry_use_count_and_revoke(two_waves):
    eng, ids = two_waves
    link_id, token, _ = store.create_link(eng, wave=ids[0], days=2, now=T0)
    check = store.open_link(eng, token, client="10.0.0.1", now=T0 + dt.timedelta(hours=1))
    assert (check.status, check.scope, check.link_id) == ("valid", ("wave", ids[0]), link_id)
    store.open_link(eng, token, client="10.0.0.1", now=T0 + dt.timedelta(hours=2))
    store.open_link(eng, token, client="10.0.0.1", count_use=False, now=T0 + dt.timedelta(hours=3))
    row = store.list_links(eng, now=T0).iloc[0]
    assert row["uses"] == 2 and row["last_used_at"] == T0 + dt.timedelta(hours=2)
    assert store.open_link(eng, token, now=T0 + dt.timedelta(days=2)).status == "expired"
    assert store.list_links(eng, now=T0 + dt.timedelta(days=3)).iloc[0]["status"] == "expired"
    store.revoke_link(eng, link_id, user="王", now=T0 + dt.timedelta(hours=4))
    assert store.open_link(eng, token, now=T0 + dt.timedelta(hours=5)).status == "revoked"
    store.revoke_link(eng, link_id, user="王")  # a second revoke changes nothing
    actions = list(store.list_audit(eng)["action"])
    assert actions.count("link_use") == 2 and actions.count("link_revoke") == 1
    with pytest.raises(ValueError, match="不存在"):
        store.revoke_link(eng, 424242)


def test_token_guessing_is_rate_limited_per_address(two_waves):
    eng, ids = two_waves
    _, token, _ = store.create_link(eng, wave=ids[0], now=T0)
    for i in range(sa_access.LINK_MAX_FAILURES):
        assert store.open_link(eng, f"guess-{i}", client="10.0.0.9", now=T0).status == "unknown"
    with pytest.raises(ValueError, match="15 分钟|15 minute"):
        store.open_link(eng, token, client="10.0.0.9", now=T0 + dt.timedelta(seconds=1))  # even the right one
    assert store.open_link(eng, token, client="10.0.0.8", now=T0).status == "valid"  # another address is free
    later = T0 + dt.timedelta(minutes=sa_access.LINK_LOCK_MINUTES, seconds=1)
    assert store.open_link(eng, token, client="10.0.0.9", now=later).status == "valid"
    assert "link_locked" in set(store.list_audit(eng)["action"])


# --- store: sessions, roles, scopes, disabling ---------------------------------------------------

def test_session_lifecycle(engine, fast_bcrypt):  # noqa: F811
    auth.create_user(engine, "李", PW)
    sid = store.create_session(engine, "李", hours=8, now=T0)
    assert store.session_user(engine, sid, now=T0 + dt.timedelta(hours=7, minutes=59)).name == "李"
    assert store.session_user(engine, sid, now=T0 + dt.timedelta(hours=8)) is None  # expired
    assert store.session_user(engine, sid[:-1] + ("A" if sid[-1] != "A" else "B"), now=T0) is None  # forged
    assert store.session_user(engine, "", now=T0) is None
    with engine.connect() as conn:
        assert sid not in repr(conn.execute(sa.select(sa_access.sessions)).all())


def test_logout_and_password_change_end_every_session(engine, fast_bcrypt):  # noqa: F811
    auth.create_user(engine, "李", PW)
    auth.create_user(engine, "赵", PW)
    tab_a, tab_b = store.create_session(engine, "李", now=T0), store.create_session(engine, "李", now=T0)
    other = store.create_session(engine, "赵", now=T0)
    assert store.end_session(engine, tab_a, now=T0) == 2
    assert store.session_user(engine, tab_b, now=T0) is None
    assert store.session_user(engine, other, now=T0).name == "赵"
    # a password change through any path (here analysis.auth directly) ends the sessions
    auth.set_password(engine, "赵", "another password")
    assert store.session_user(engine, other, now=T0) is None
    third = store.create_session(engine, "赵", now=T0)
    store.change_password(engine, "赵", "third password")
    assert store.session_user(engine, third, now=T0) is None


def test_disabled_account_cannot_log_in_and_loses_its_sessions(engine, fast_bcrypt):  # noqa: F811
    auth.create_user(engine, "钱", PW, role="viewer")
    sid = store.create_session(engine, "钱", now=T0)
    store.set_disabled(engine, "钱", True, user="admin")
    assert store.session_user(engine, sid, now=T0) is None
    with pytest.raises(ValueError, match="已停用"):
        sa_access.login(engine, "钱", PW)
    with pytest.raises(ValueError, match="已停用"):
        store.create_session(engine, "钱")
    assert sa_access.login(engine, "钱", "wrong password") is None  # the wrong password says nothing more
    store.set_disabled(engine, "钱", False, user="admin")
    assert sa_access.login(engine, "钱", PW).name == "钱"
    actions = list(store.list_audit(engine)["action"])
    assert {"disable_user", "enable_user", "login_disabled"} <= set(actions)


def test_roles_and_scopes(two_waves, fast_bcrypt):
    eng, ids = two_waves
    auth.create_user(eng, "孙", PW, role="viewer")
    store.set_role(eng, "孙", "manager", user="admin")
    with pytest.raises(ValueError, match="unknown role"):
        store.set_role(eng, "孙", "root")
    found = sa_access.login(eng, "孙", PW)
    assert found.role == "manager" and found.is_manager
    assert store.get_scopes(eng, found.id) is None
    store.set_scopes(eng, "孙", [("wave", ids[1]), ("series", "7")], user="admin")
    assert store.get_scopes(eng, found.id) == (("series", 7), ("wave", ids[1]))
    principal = sa_access.principal_of(eng, found)
    waves = store.list_waves(eng).assign(id=lambda d: d["id"].astype(str))
    assert access.visible_wave_ids(waves, principal.scopes) == [str(ids[1])]
    with pytest.raises(ValueError, match="不存在"):
        store.set_scopes(eng, "孙", [("wave", 99999)])
    store.set_scopes(eng, "孙", [])
    assert store.get_scopes(eng, found.id) is None
    accounts = store.list_accounts(eng)
    assert list(accounts.columns[:4]) == ["name", "role", "disabled", "scopes"] and "password_hash" not in accounts


def test_series_link_covers_exactly_that_series(engine):  # noqa: F811
    a1, a2, b1 = (store.ingest_file(engine, p.read_bytes(), p.name, meta={"series": s}).wave_id
                  for p, s in zip(DEMO[:3], ["食堂", "食堂", "公寓"], strict=True))
    sid = int(store.list_series(engine).set_index("name").loc["食堂", "id"])
    _, token, _ = store.create_link(engine, series=sid)
    check = store.open_link(engine, token, count_use=False)
    assert check.scope == ("series", sid)
    waves = store.list_waves(engine)
    assert sorted(access.visible_wave_ids(waves, [check.scope])) == sorted([str(a1), str(a2)])
    assert str(b1) not in access.visible_wave_ids(waves, [check.scope])
    with pytest.raises(ValueError, match="不存在"):
        store.create_link(engine, series=99999)


def test_scope_rows_keeps_only_the_visible_series_and_waves():
    visible = pd.DataFrame({"id": ["5"], "series_id": [2]})
    rows = pd.DataFrame({"series_id": [2, 2, 3, None], "measured_wave": [5, 6, 7, None], "baseline_wave": [None, 5, 7, None]})
    kept = access.scope_rows(rows, visible, wave_cols=("measured_wave", "baseline_wave"))
    assert list(kept.index) == [0]  # row 1 names wave 6, row 2 is another series, row 3 has no series
    assert access.scope_rows(rows, visible.iloc[0:0]).empty
