"""AppTest of access (issue 16): share links, scopes over every page, server-side sessions, the admin page.

A fresh SQLite store with the demo waves per test module (``SURVEY_OPEN_VIEWING=false``); links,
accounts and sessions are made through ``analysis.store`` and what each page may show follows from
the scope the test chose (the wave ids of the store it built), not from ui.session.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.frame import PAGES
from ui.i18n import t

ROOT = Path(__file__).resolve().parents[1]
ENTRY = str(ROOT / "home.py")
PW = "long-enough-pw"
READ_PAGES = [p.path for p in PAGES.values() if not p.manager_only and (ROOT / p.path).exists()]
ALL_PAGES = [p.path for p in PAGES.values() if (ROOT / p.path).exists()]


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    from analysis import store

    url = f"sqlite:///{tmp_path_factory.mktemp('access-ui')}/access.db"
    eng = store.get_engine(url)
    store.ensure_demo(eng)
    yield url
    store.close_engine(eng)


@pytest.fixture
def engine(demo_url, monkeypatch):
    from analysis import store

    monkeypatch.setenv("SURVEY_DB_URL", demo_url)
    monkeypatch.setenv("SURVEY_OPEN_VIEWING", "false")
    monkeypatch.delenv("SURVEY_ADMIN_TOKEN", raising=False)
    return store.get_engine(demo_url)


def wave_ids(engine) -> list[str]:
    from analysis import store

    return [str(i) for i in store.list_waves(engine)["id"]]


def run(page: str, params: dict | None = None, state: dict | None = None) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=180)
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.switch_page(page)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def name_of(engine, wave_id: str) -> str:
    from analysis import store

    return str(store.wave_meta(engine, int(wave_id))["name"])


def wave_options(at: AppTest) -> list[str]:
    """The wave selector's options as shown (wave names)."""
    boxes = [s for s in at.sidebar.selectbox if s.label == t("f_wave", "zh")]
    return list(boxes[0].options) if boxes else []


def _protos(node) -> list[bytes]:
    out = []
    proto = getattr(node, "proto", None)
    if proto is not None and hasattr(proto, "SerializeToString"):
        out.append(proto.SerializeToString())
    for child in getattr(node, "children", {}).values():
        out.extend(_protos(child))
    return out


def shown_wave_names(at: AppTest, engine) -> set[str]:
    """Every demo wave name found in any rendered element (titles, options, tables, chart JSON)."""
    import json

    from analysis import store

    blob = b"\n".join(_protos(at._tree))
    names = set(store.list_waves(engine)["name"].astype(str))
    return {n for n in names if n.encode() in blob or json.dumps(n)[1:-1].encode() in blob}


def user_of(engine, name: str, role: str):
    from analysis import auth

    try:
        auth.create_user(engine, name, PW, role=role)
    except ValueError:  # the module's store is shared between tests
        pass
    return auth.authenticate(engine, name, PW)


# --- share links ---------------------------------------------------------------------------------

def test_link_opens_its_wave_without_an_account_and_refuses_another(engine):
    from analysis import store

    ids = wave_ids(engine)
    _, token, _ = store.create_link(engine, wave=ids[0], days=3, note="评议会")
    at = run("pages/1_overview.py", {"token": token, "wave": ids[-1]})  # another wave asked for in the URL
    assert wave_options(at) == [name_of(engine, ids[0])]
    assert t("scope_refused", "zh") in [w.value for w in at.warning]
    assert not [e for e in at.error]
    assert not [x for x in at.text_input if x.key == "auth_pw"]  # no login needed
    own = store.wave_meta(engine, int(ids[0]))["name"]
    assert shown_wave_names(at, engine) == {own}


def test_closed_viewing_without_link_shows_nothing(engine):
    at = run("pages/1_overview.py")
    assert t("login_required", "zh") in [i.value for i in at.info]
    assert wave_options(at) == []


@pytest.mark.parametrize("page", READ_PAGES)
def test_link_scope_holds_on_every_page(engine, page):
    from analysis import store

    ids = wave_ids(engine)
    _, token, _ = store.create_link(engine, wave=ids[1])
    at = run(page, {"token": token, "wave": ids[0]})
    assert wave_options(at) in ([name_of(engine, ids[1])], [])
    assert shown_wave_names(at, engine) <= {store.wave_meta(engine, int(ids[1]))["name"]}


@pytest.mark.parametrize("page", [p.path for p in PAGES.values() if p.manager_only and (ROOT / p.path).exists()])
def test_link_cannot_open_manager_pages(engine, page):
    from analysis import store

    _, token, _ = store.create_link(engine, wave=wave_ids(engine)[0])
    at = run(page, {"token": token})
    assert [w.value for w in at.warning], "the page must refuse a share link"
    assert not [f for f in at.get("form")]


def test_expired_revoked_and_unknown_links_say_so(engine):
    from analysis import store

    ids = wave_ids(engine)
    past = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=10)
    _, old, _ = store.create_link(engine, wave=ids[0], days=1, now=past)
    at = run("pages/1_overview.py", {"token": old})
    assert [e.value for e in at.error] == [t("link_expired", "zh", when=(past + dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M UTC"))]
    assert wave_options(at) == []
    link_id, revoked, _ = store.create_link(engine, wave=ids[0])
    store.revoke_link(engine, link_id)
    at = run("pages/1_overview.py", {"token": revoked})
    assert [e.value for e in at.error] == [t("link_revoked", "zh")]
    at = run("pages/1_overview.py", {"token": "not-a-real-token"})
    assert [e.value for e in at.error] == [t("link_unknown", "zh")]
    assert wave_options(at) == []


def test_manager_creates_a_link_from_the_share_box(engine):
    from analysis import store

    boss = user_of(engine, "链接经理", "manager")
    ids = wave_ids(engine)
    before = len(store.list_links(engine))
    at = run("pages/1_overview.py", {"wave": ids[2]}, {"auth_user": boss, "share_box": True})  # the box opened
    at.number_input(key="access_days").set_value(5)
    at.text_input(key="access_note").set_value("三月评议会")
    at.button[[b.label for b in at.button].index(t("link_create", "zh"))].click()
    at.run()
    assert not at.exception
    links = store.list_links(engine)
    assert len(links) == before + 1
    new = links.iloc[0]
    assert (new["scope_kind"], int(new["scope_id"]), new["note"], new["created_by"]) == ("wave", int(ids[2]), "三月评议会", "链接经理")
    assert (new["expires_at"] - new["created_at"]) == dt.timedelta(days=5)
    url = [c.value for c in at.code if "token=" in c.value][-1]
    token = url.split("token=")[1].split("&")[0]
    assert store.open_link(engine, token, count_use=False).link_id == int(new["id"])


# --- roles and scopes ----------------------------------------------------------------------------

@pytest.mark.parametrize("page", ALL_PAGES)
def test_scoped_viewer_never_sees_another_wave(engine, page):
    from analysis import store

    viewer = user_of(engine, "食堂办", "viewer")
    ids = wave_ids(engine)
    store.set_scopes(engine, "食堂办", [("wave", ids[3])])
    for asked in (ids[0], ids[3]):
        at = run(page, {"wave": asked}, {"auth_user": viewer})
        assert wave_options(at) in ([name_of(engine, ids[3])], [])
        assert shown_wave_names(at, engine) <= {store.wave_meta(engine, int(ids[3]))["name"]}


def test_viewer_is_not_a_manager_and_admin_page_refuses(engine):
    viewer = user_of(engine, "只读", "viewer")
    at = run("pages/10_admin.py", state={"auth_user": viewer})
    assert t("nav_locked", "zh") in [w.value for w in at.warning]


# --- sessions ------------------------------------------------------------------------------------

def test_session_id_restores_the_login_and_logout_ends_it_everywhere(engine):
    from analysis import store

    user_of(engine, "会话经理", "manager")
    sid = store.create_session(engine, "会话经理")
    tab_a = run("pages/1_overview.py", state={"auth_sid": sid})
    tab_b = run("pages/1_overview.py", state={"auth_sid": sid})
    caption = t("login_as", "zh", name="会话经理", role=t("role_manager", "zh"))
    assert caption in [c.value for c in tab_a.sidebar.caption] and caption in [c.value for c in tab_b.sidebar.caption]
    tab_a.button(key="auth_logout").click()
    tab_a.run()
    assert "auth_user" not in tab_a.session_state
    tab_b.run()  # the other tab's next rerun
    assert "auth_user" not in tab_b.session_state
    assert t("login_required", "zh") in [i.value for i in tab_b.info]


def test_forged_and_expired_session_ids_are_refused(engine):
    from analysis import store

    user_of(engine, "过期经理", "manager")
    past = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=9)
    old = store.create_session(engine, "过期经理", hours=8, now=past)
    for sid in (old, "forged-" + "x" * 40):
        at = run("pages/1_overview.py", state={"auth_sid": sid})
        assert "auth_user" not in at.session_state
        assert t("login_required", "zh") in [i.value for i in at.info]


def _login_through_form(name: str) -> AppTest:
    at = run("pages/1_overview.py")
    at.text_input(key="auth_name").set_value(name)
    at.text_input(key="auth_pw").set_value(PW)
    at.button[[b.label for b in at.button].index(t("login_submit", "zh"))].click()
    at.run()
    return at


def test_login_form_starts_a_server_side_session_and_hands_the_browser_a_ticket(engine, monkeypatch):
    import json
    import re

    from analysis import store
    from ui import session_http

    monkeypatch.setenv(session_http.MOUNTED_ENV, "1")  # as under `streamlit run dashboard.py`
    user_of(engine, "表单经理", "manager")
    at = _login_through_form("表单经理")
    sid = at.session_state["auth_sid"]
    assert store.session_user(engine, sid).name == "表单经理"
    bodies = [h.proto.body for h in at.get("html")]
    script = [b for b in bodies if "/_survey/session" in b]
    assert len(script) == 1 and "credentials:'same-origin'" in script[0]
    assert sid not in "".join(bodies) and "document.cookie" not in "".join(bodies)  # the id never reaches the page
    ticket = json.loads(re.search(r"var b=(\{.*?\});", script[0]).group(1))["ticket"]
    cookie_sid, _ = store.redeem_ticket(engine, ticket, client="local")  # AppTest has no address: local
    assert cookie_sid != sid and store.session_user(engine, cookie_sid).name == "表单经理"
    # logging out ends both sessions and asks the browser to drop the cookie
    at.button(key="auth_logout").click()
    at.run()
    assert store.session_user(engine, cookie_sid) is None
    assert any("/_survey/logout" in h.proto.body for h in at.get("html"))


def test_without_the_routes_a_login_lasts_for_its_tab_only(engine, monkeypatch, caplog):
    from ui import session, session_http

    monkeypatch.delenv(session_http.MOUNTED_ENV, raising=False)  # `streamlit run home.py`, no st.App
    monkeypatch.setattr(session, "_warned", False)
    user_of(engine, "旧式经理", "manager")
    with caplog.at_level("WARNING", logger="survey.session"):
        at = _login_through_form("旧式经理")
    assert at.session_state["auth_user"].name == "旧式经理"
    assert not [h for h in at.get("html") if "_survey" in h.proto.body or "cookie" in h.proto.body]
    assert any("streamlit run dashboard.py" in r.getMessage() for r in caplog.records)


# --- admin page ----------------------------------------------------------------------------------

def test_admin_creates_an_account_and_manager_sees_links_only(engine):
    from analysis import store

    admin = user_of(engine, "系统管理", "admin")
    at = run("pages/10_admin.py", state={"auth_user": admin})
    at.text_input(key="admin_new_name").set_value("新查看者")
    at.text_input(key="admin_new_pw").set_value(PW)
    at.text_input(key="admin_new_scopes").set_value(f"wave:{wave_ids(engine)[0]}")
    at.button[[b.label for b in at.button].index(t("admin_submit_create", "zh"))].click()
    at.run()
    assert not at.exception
    accounts = store.list_accounts(engine).set_index("name")
    assert accounts.loc["新查看者", "role"] == "viewer"
    assert accounts.loc["新查看者", "scopes"] == f"wave:{wave_ids(engine)[0]}"

    manager = user_of(engine, "普通经理", "manager")
    link_id, _, _ = store.create_link(engine, wave=wave_ids(engine)[0], note="<b>x</b>")
    at = run("pages/10_admin.py", state={"auth_user": manager})
    assert t("admin_only", "zh") in [i.value for i in at.info]
    assert not [x for x in at.text_input if x.key == "admin_new_name"]
    at.selectbox(key="admin_revoke_id").set_value(link_id)
    at.button[[b.label for b in at.button].index(t("admin_revoke", "zh"))].click()
    at.run()
    assert store.list_links(engine).set_index("id").loc[link_id, "status"] == "revoked"


def test_single_sign_on_button_when_configured(engine):
    at = AppTest.from_file(ENTRY, default_timeout=180)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                          "client_id": "dashboard", "client_secret": "s",
                          "server_metadata_url": "https://idp.example/.well-known/openid-configuration"}
    at.secrets["survey_sso"] = {"groups": {"logistics": "manager"}}
    at.switch_page("pages/1_overview.py")
    at.run()
    assert not at.exception
    assert t("sso_login", "zh") in [b.label for b in at.sidebar.button]
    plain = run("pages/1_overview.py")  # without the secrets there is no such button
    assert t("sso_login", "zh") not in [b.label for b in plain.sidebar.button]
