"""Issue 10, findings 10 (last-resort handler), 12, 13 and 14: user text is never interpreted,
downloads neutralise formulas, no traceback reaches a page. Expected strings are written by hand."""

from __future__ import annotations

import io
import os

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.charts import chart_text, make_heatmap_figure, make_likert_figure
from analysis.safe import neutralise_formulas, to_csv_bytes
from ui.widgets import plain

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize(
    "text,expected",
    [
        ("![w](http://host/wave.png)", "\\!\\[w\\]\\(http\\://host/wave\\.png\\)"),
        ("**x**", "\\*\\*x\\*\\*"),
        (":red[x]", "\\:red\\[x\\]"),
        ("# 标题\n- 列表", "\\# 标题 \\- 列表"),
        ("2021年 后勤", "2021年 后勤"),
        (None, ""),
    ],
)
def test_plain_escapes_markdown(text, expected):
    assert plain(text) == expected


def test_chart_labels_are_not_html():
    assert chart_text('<a href="http://x">点我</a>') == '&lt;a href="http://x"&gt;点我&lt;/a&gt;'
    table = pd.DataFrame(
        {"item_label": ["<a href='http://x'>q</a>"] * 2, "code": [1, 2], "answer": ["<b>差</b>", "好"],
         "share": [0.5, 0.5], "k": [2, 2]}
    )
    fig = make_likert_figure(table)
    ys = {y for tr in fig.data for y in tr.y}
    assert ys == {"&lt;a href='http://x'&gt;q&lt;/a&gt;"}
    assert {tr.name for tr in fig.data} >= {"&lt;b&gt;差&lt;/b&gt;"}
    heat = make_heatmap_figure(pd.DataFrame({"group": ["<i>g</i>"], "name": ["n"], "satisfaction_rate": [0.5],
                                             "n_valid": [9]}))
    assert "&lt;i&gt;g&lt;/i&gt;" in list(heat.data[0].y) + list(heat.data[0].x)


def test_downloads_neutralise_formulas():
    df = pd.DataFrame({"评论": ["=1+1", "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3", "\tx", "好"], "n": [1, -2, 3, 4, 5, 6]})
    out = neutralise_formulas(df)
    assert list(out["评论"]) == ["'=1+1", "'+cmd|' /C calc'!A0", "'@SUM(A1)", "'-2+3", "'\tx", "好"]
    assert list(out["n"]) == [1, -2, 3, 4, 5, 6]  # numbers stay numbers
    back = pd.read_csv(io.BytesIO(to_csv_bytes(df)), encoding="utf-8-sig")
    assert not back["评论"].astype(str).str.match(r"^[=+\-@\t\r]").any()
    cfg = open(os.path.join(ROOT, ".streamlit", "config.toml"), encoding="utf-8").read()
    assert "disableDataExport = true" in cfg  # the built-in, unescaped table download is off


def test_pages_offer_the_safe_download(monkeypatch, tmp_path):
    from analysis import store

    url = f"sqlite:///{tmp_path}/demo.db"
    store.ensure_demo(store.get_engine(url))
    monkeypatch.setenv("SURVEY_DB_URL", url)
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(os.path.join(ROOT, "home.py"), default_timeout=180)
    at.switch_page("pages/2_areas.py")
    at.run()
    assert not at.exception
    assert len(at.get("download_button")) >= 2  # the item table and the breakdown


def test_last_resort_handler_shows_a_message_not_a_traceback(monkeypatch, tmp_path):
    import analysis.metrics
    from analysis import store

    def broken(*args, **kwargs):
        raise RuntimeError("boom with a secret path /srv/x")

    url = f"sqlite:///{tmp_path}/demo.db"
    store.ensure_demo(store.get_engine(url))
    monkeypatch.setenv("SURVEY_DB_URL", url)
    monkeypatch.delenv("SURVEY_SHOW_TRACEBACKS", raising=False)
    monkeypatch.setattr(analysis.metrics, "response_rates", broken)  # the overview calls it
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(os.path.join(ROOT, "home.py"), default_timeout=180)
    at.switch_page("pages/1_overview.py")
    at.run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "RuntimeError" in errors and "意外错误" in errors and "Something went wrong" in errors
    assert "/srv/x" not in errors


def test_size_message_has_enough_precision():
    src = open(os.path.join(ROOT, "pages", "7_data.py"), encoding="utf-8").read()
    namespace: dict = {}
    exec(src[src.index("def _size_text"):src.index("def _threshold_section")], namespace)  # noqa: S102
    assert namespace["_size_text"](1_064_280, 1) == "1.01"  # was "1.0 MB 超过上限 1 MB"
    assert namespace["_size_text"](1_048_577, 1) == "1.000001"
    assert namespace["_size_text"](3 * 2**20, 2) == "3.0"
