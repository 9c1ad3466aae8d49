"""Tests for the access commands (issue 16): ``links create|list|revoke``, ``create-user --role --series``, ``watch``.

Expected values: the wave the test ingested (its row count from the fixture generator), the days
the test asked for, and the files it dropped into the folder.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from urllib.parse import parse_qs, urlparse

import pytest

from analysis import store
from analysis.__main__ import main
from analysis.store import access as sa_access
from tests.test_store import make_wjx


@pytest.fixture
def env(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("SURVEY_DB_URL", url)
    monkeypatch.delenv("SURVEY_BASE_URL", raising=False)
    eng = store.get_engine(url)
    wave = store.ingest_file(eng, make_wjx(12, seed=1), "a.csv").wave_id
    yield tmp_path, eng, wave
    store.close_engine(eng)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_links_create_list_revoke(env, capsys):
    _, eng, wave = env
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rc, out, _ = run(capsys, "links", "create", "--wave", str(wave), "--days", "3", "--base-url", "https://survey.univ.edu.cn/",
                     "--note", "评议会", "--json")
    assert rc == 0
    res = json.loads(out)
    assert set(res) == {"id", "url", "expires_at"}
    url = urlparse(res["url"])
    assert (url.scheme, url.netloc, url.path) == ("https", "survey.univ.edu.cn", "/overview")
    query = parse_qs(url.query)
    assert query["wave"] == [str(wave)]
    token = query["token"][0]
    assert store.open_link(eng, token, count_use=False).link_id == res["id"]
    expires = dt.datetime.fromisoformat(res["expires_at"])
    assert dt.timedelta(days=3) <= expires - before < dt.timedelta(days=3, minutes=1)

    rc, out, _ = run(capsys, "links", "create", "--wave", str(wave))
    assert rc == 0 and out.startswith("http://localhost:8501/overview?") and "token=" in out
    rc, out, _ = run(capsys, "links", "list", "--json")
    rows = json.loads(out)
    assert [r["status"] for r in rows] == ["valid", "valid"] and rows[1]["note"] == "评议会"
    assert token not in out  # the list never shows a token
    rc, out, _ = run(capsys, "links", "revoke", str(res["id"]))
    assert rc == 0
    rc, out, _ = run(capsys, "links", "list")
    assert f"#{res['id']}\trevoked" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["links", "create", "--wave", "999"], "不存在"),
        (["links", "create", "--wave", "1", "--days", "0"], "1–90"),
        (["links", "create", "--wave", "1", "--base-url", "survey.local"], "http"),
        (["links", "revoke", "77"], "不存在"),
        (["links", "revoke", "abc"], "正整数"),
    ],
)
def test_links_bad_input_is_one_line(env, capsys, argv, message):
    rc, out, err = run(capsys, *argv)
    assert rc != 0 and message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_links_create_needs_one_scope(env, capsys):
    with pytest.raises(SystemExit):
        main(["links", "create"])
    with pytest.raises(SystemExit):
        main(["links", "create", "--wave", "1", "--series", "1"])


def test_create_user_with_role_and_scope(env, capsys, monkeypatch):
    _, eng, wave = env
    monkeypatch.setattr("sys.stdin", io.StringIO("long-enough-pw\n"))
    rc, out, err = run(capsys, "create-user", "食堂办", "--role", "viewer", "--wave", str(wave), "--password-stdin")
    assert rc == 0, err
    accounts = store.list_accounts(eng).set_index("name")
    assert accounts.loc["食堂办", "role"] == "viewer" and accounts.loc["食堂办", "scopes"] == f"wave:{wave}"
    monkeypatch.setattr("sys.stdin", io.StringIO("long-enough-pw\n"))
    rc, _, _ = run(capsys, "create-user", "主任", "--role", "admin", "--password-stdin")
    assert rc == 0 and store.list_accounts(eng).set_index("name").loc["主任", "role"] == "admin"


def test_watch_ingests_a_good_file_and_sets_a_bad_one_aside(env, capsys):
    tmp, eng, _ = env
    inbox = tmp / "inbox"
    inbox.mkdir()
    (inbox / "2025秋.csv").write_bytes(make_wjx(9, seed=5))
    (inbox / "broken.csv").write_bytes(b"\x00\x01\x02 not an export")
    (inbox / "notes.docx").write_bytes(b"ignored: not an export type")
    rc, out, _ = run(capsys, "watch", str(inbox), "--once")
    assert rc == 0
    waves = store.list_waves(eng)
    assert "2025秋" in set(waves["name"]) and int(waves.set_index("name").loc["2025秋", "n_responses"]) == 9
    assert not (inbox / "broken.csv").exists()
    assert (inbox / "rejected" / "broken.csv").exists()
    reason = (inbox / "rejected" / "broken.csv.txt").read_text(encoding="utf-8")
    assert "CSV" in reason and "not ingested" in reason
    assert (inbox / "notes.docx").exists() and (inbox / "2025秋.csv").exists()
    # idempotent: a second scan stores nothing more
    n = len(waves)
    rc, out, _ = run(capsys, "watch", str(inbox), "--once")
    assert rc == 0 and len(store.list_waves(eng)) == n and "已导入" not in out


def test_watch_leaves_a_file_being_written(env):
    from analysis.watch import scan

    tmp, eng, _ = env
    inbox = tmp / "inbox2"
    inbox.mkdir()
    (inbox / "fresh.csv").write_bytes(make_wjx(5, seed=8))
    res = scan(eng, inbox, settle=3600, log=lambda _m: None)
    assert res.waiting == ["fresh.csv"] and not res.ingested


def test_watch_bad_folder(env, capsys):
    tmp, _, _ = env
    rc, _, err = run(capsys, "watch", str(tmp / "nowhere"), "--once")
    assert rc != 0 and "Folder not found" in err


def test_link_token_bits():
    assert sa_access.TOKEN_BYTES * 8 >= 128


def test_watch_into_a_named_series(env, capsys):
    tmp, eng, _ = env
    inbox = tmp / "inbox3"
    inbox.mkdir()
    (inbox / "w1.csv").write_bytes(make_wjx(6, seed=11))
    rc, _, err = run(capsys, "watch", str(inbox), "--once", "--series", "食堂满意度")
    assert rc == 0, err
    series = store.list_series(eng).set_index("name")
    waves = store.list_waves(eng).set_index("name")
    assert int(waves.loc["w1", "series_id"]) == int(series.loc["食堂满意度", "id"])
