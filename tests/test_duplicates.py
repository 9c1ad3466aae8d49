"""The same answers exported by two platforms are a likely duplicate (answer patterns, not file bytes).

Fixture: one labelled answer set (tests/fixtures_platforms.answer_set) written as a 问卷星 text
export (GBK) and as a 腾讯问卷 export — different bytes, headers, encodings and time formats.
"""

from __future__ import annotations

import json

import pytest

from analysis import store
from analysis.__main__ import main as cli
from analysis.prepare import prepare_wave
from analysis.store.series import likely_duplicates
from tests import fixtures_platforms as fp


@pytest.fixture
def engine_url(tmp_path):
    url = f"sqlite:///{tmp_path}/dup.db"
    eng = store.get_engine(url)
    yield eng, url
    store.close_engine(eng)


def test_same_answers_in_two_layouts_are_caught(engine_url):
    eng, _ = engine_url
    answers = fp.answer_set(40)
    store.ingest_file(eng, fp.wjx_text_gbk(answers), "wjx.csv")
    dups = likely_duplicates(eng, prepare_wave(fp.tencent(answers), "tencent.csv").dataset)
    assert [d["share"] for d in dups] == [1.0]
    # another sample of the same questionnaire is not a duplicate
    others = likely_duplicates(eng, prepare_wave(fp.tencent(fp.answer_set(40, seed=7)), "tencent2.csv").dataset)
    assert others == []
    # half the respondents the same: below the threshold
    half = answers[:20] + fp.answer_set(40, seed=8)[20:]
    assert likely_duplicates(eng, prepare_wave(fp.tencent(half), "t3.csv").dataset) == []


def test_cli_refuses_a_likely_duplicate_unless_allowed(engine_url, capsys, tmp_path):
    _, url = engine_url
    answers = fp.answer_set(40)
    (tmp_path / "wjx.csv").write_bytes(fp.wjx_text_gbk(answers))
    (tmp_path / "tencent.csv").write_bytes(fp.tencent(answers))
    assert cli(["ingest", str(tmp_path / "wjx.csv"), "--series", "测试项目", "--db", url]) == 0
    capsys.readouterr()
    assert cli(["ingest", str(tmp_path / "tencent.csv"), "--db", url]) == 2
    err = capsys.readouterr().err
    assert "--allow-duplicate" in err and "#1" in err
    assert len(store.list_waves(store.get_engine(url))) == 1  # nothing stored
    assert cli(["ingest", str(tmp_path / "tencent.csv"), "--allow-duplicate", "--json", "--db", url]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["created"] and any("重复" in w for w in out["warnings"])
    w = store.list_waves(store.get_engine(url))
    # another platform's headers are another questionnaire key: a new series unless --series says otherwise
    assert set(w["series_name"]) == {"测试项目", "tencent"}
