"""AppTest of the sidebar login (ui/auth.py): log in and out, first-manager bootstrap, lock-out, closed viewing.

Accounts are created through ``analysis.auth`` in a fresh SQLite file per test; what the tests expect
(who is logged in, which account exists) follows from the inputs they type, not from ui.auth.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.i18n import t

ROOT = Path(__file__).resolve().parents[1]
ENTRY = str(ROOT / "home.py")
PW = "long-enough-pw"


@pytest.fixture
def engine(tmp_path, monkeypatch):
    from analysis import store

    url = f"sqlite:///{tmp_path}/auth-ui.db"
    monkeypatch.setenv("SURVEY_DB_URL", url)
    for name in ("SURVEY_ADMIN_TOKEN", "SURVEY_OPEN_VIEWING"):
        monkeypatch.delenv(name, raising=False)
    eng = store.get_engine(url)
    yield eng
    eng.dispose()


def open_page(page: str = "pages/1_overview.py") -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=120)
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def submit(at: AppTest, label: str) -> AppTest:
    at.button[[b.label for b in at.button].index(label)].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def login(at: AppTest, name: str, pw: str) -> AppTest:
    at.text_input(key="auth_name").set_value(name)
    at.text_input(key="auth_pw").set_value(pw)
    return submit(at, t("login_submit", "zh"))


def test_login_and_logout(engine):
    from analysis import auth

    auth.create_user(engine, "李主任", PW)
    at = login(open_page(), "李主任", PW)
    assert at.session_state["auth_user"].name == "李主任"
    assert t("login_as", "zh", name="李主任", role=t("role_manager", "zh")) in [c.value for c in at.caption]
    submit(at, t("logout", "zh"))
    assert "auth_user" not in at.session_state


def test_wrong_password_is_refused_and_lockout_message_shown(engine):
    from analysis import auth

    auth.create_user(engine, "李主任", PW)
    at = open_page()
    for _ in range(auth.MAX_FAILURES):
        login(at, "李主任", "wrong-password")
        assert "auth_user" not in at.session_state
    assert t("login_failed", "zh") in [e.value for e in at.error]
    login(at, "李主任", PW)  # right password, but the name is locked now
    assert "auth_user" not in at.session_state
    assert any("锁定" in e.value for e in at.error)


def test_viewer_role_is_not_a_manager(engine):
    from analysis import auth

    auth.create_user(engine, "访客", PW, role="viewer")
    at = login(open_page("pages/7_data.py"), "访客", PW)
    assert at.session_state["auth_user"].role == "viewer"
    assert t("data_manager_only", "zh") in [w.value for w in at.warning]
    assert len(at.get("file_uploader")) == 0


def local_browser(monkeypatch, local: bool = True) -> None:
    """AppTest has no real client address: say whether the browser is on the server itself."""
    from ui import auth as ui_auth

    monkeypatch.setattr(ui_auth, "_is_local", lambda: local)


def test_first_manager_from_localhost(engine, monkeypatch):
    from analysis import auth

    local_browser(monkeypatch)
    assert not auth.has_users(engine)
    at = open_page()
    at.text_input(key="auth_bootstrap_name").set_value("首任管理员")
    at.text_input(key="auth_bootstrap_pw").set_value(PW)
    at.text_input(key="auth_bootstrap_pw2").set_value(PW)
    submit(at, t("bootstrap_submit", "zh"))
    assert at.session_state["auth_user"].name == "首任管理员"
    assert auth.authenticate(engine, "首任管理员", PW) is not None


def test_first_manager_mismatched_passwords(engine, monkeypatch):
    from analysis import auth

    local_browser(monkeypatch)
    at = open_page()
    at.text_input(key="auth_bootstrap_name").set_value("甲")
    at.text_input(key="auth_bootstrap_pw").set_value(PW)
    at.text_input(key="auth_bootstrap_pw2").set_value(PW + "x")
    submit(at, t("bootstrap_submit", "zh"))
    assert t("bootstrap_mismatch", "zh") in [e.value for e in at.error]
    assert not auth.has_users(engine)


def test_first_manager_needs_the_token_when_set(engine, monkeypatch):
    from analysis import auth

    monkeypatch.setenv("SURVEY_ADMIN_TOKEN", "s3cret-token")
    local_browser(monkeypatch)  # the token is required even on the server itself
    at = open_page()
    at.text_input(key="auth_bootstrap_token").set_value("guess")
    at.text_input(key="auth_bootstrap_name").set_value("甲")
    at.text_input(key="auth_bootstrap_pw").set_value(PW)
    at.text_input(key="auth_bootstrap_pw2").set_value(PW)
    submit(at, t("bootstrap_submit", "zh"))
    assert t("bootstrap_bad_token", "zh") in [e.value for e in at.error]
    assert not auth.has_users(engine)
    at.text_input(key="auth_bootstrap_token").set_value("s3cret-token")
    submit(at, t("bootstrap_submit", "zh"))
    assert at.session_state["auth_user"].name == "甲"


def test_remote_browser_cannot_bootstrap_without_token(engine, monkeypatch):
    local_browser(monkeypatch, local=False)
    at = open_page()
    assert t("bootstrap_remote", "zh") in [i.value for i in at.info]
    assert len([ti for ti in at.text_input if ti.key == "auth_bootstrap_name"]) == 0


def test_closed_viewing_requires_login(engine, monkeypatch):
    from analysis import auth

    auth.create_user(engine, "李主任", PW)
    monkeypatch.setenv("SURVEY_OPEN_VIEWING", "false")
    at = open_page()
    assert t("login_required", "zh") in [i.value for i in at.info]
    assert len(at.get("plotly_chart")) == 0
    login(at, "李主任", PW)
    assert at.session_state["auth_user"].name == "李主任"
    assert t("login_required", "zh") not in [i.value for i in at.info]
