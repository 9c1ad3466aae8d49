"""Tests for the meeting pack (analysis/report, analysis/cli_report.py): every format read back.

Expected figures come from ``python -m analysis summary --json`` of the same export file (the
public contract, computed without the store) and from hand-built inputs: a group of three
respondents that the anonymity threshold must hide, a comment ``=HYPERLINK(...)`` that must stay
text, a wave name with ``<script>`` that must stay text. Readers are independent of the writers:
openpyxl for Excel, python-pptx's reader for slides, poppler's pdftotext/pdffonts for the PDF and
the standard library's html.parser for the web page.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from html.parser import HTMLParser

import pandas as pd
import pytest

from analysis import store
from analysis.__main__ import main
from analysis.report import FORMATS, build_report, file_name, history_waves, render, report_from_store
from tests.test_store import make_wjx

WAVE = "2024年秋季测评"
HYPERLINK = '=HYPERLINK("http://example.com","点我")'


def _with_parents(data: bytes, n_parents: int) -> bytes:
    """The first ``n_parents`` respondents of a make_wjx export re-labelled 家长 (a small group)."""
    lines = data.decode("utf-8").split("\r\n")
    out = [lines[0]]
    for i, line in enumerate(lines[1:]):
        if line and i < n_parents:
            for role in ("学生", "教师", "职工"):
                if f",{role}," in line:
                    line = line.replace(f",{role},", ",家长,", 1)
                    break
        out.append(line)
    return "\r\n".join(out).encode("utf-8")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    url = f"sqlite:///{tmp}/report.db"
    eng = store.get_engine(url)
    spring = make_wjx(60, seed=1)
    autumn = _with_parents(make_wjx(90, seed=2), 3)
    (tmp / "spring.csv").write_bytes(spring)
    (tmp / "autumn.csv").write_bytes(autumn)
    store.ingest_file(eng, spring, "spring.csv", wave="2024年春季测评", meta={"unit": "后勤处", "period": "2024-04"},
                      user="alice")
    store.ingest_file(eng, autumn, "autumn.csv", wave=WAVE, meta={"unit": "后勤处", "period": "2024-10"}, user="bob")
    report = report_from_store(eng, WAVE, min_group=5)
    yield {"tmp": tmp, "url": url, "engine": eng, "report": report}
    store.close_engine(eng)


@pytest.fixture(scope="module")
def summary(env, tmp_path_factory):
    """``summary --json`` of the autumn file: the contract the report's figures must equal."""
    import contextlib

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["summary", str(env["tmp"] / "autumn.csv"), "--json"]) == 0
    return json.loads(buf.getvalue())


@pytest.fixture(scope="module")
def files(env):
    return {fmt: render(env["report"], fmt) for fmt in ("xlsx", "pptx", "html")}


def _areas(summary: dict) -> dict[str, dict]:
    return {a["area"]: a for a in summary["areas"]}


# --- the model ------------------------------------------------------------------------------------------


def test_model_equals_summary_json(env, summary):
    r = env["report"]
    expected = _areas(summary)
    assert set(r.areas["area"]) == set(expected)
    for row in r.areas.itertuples():
        e = expected[row.area]
        assert row.n_valid == e["n_valid"] and row.n_satisfied == e["n_satisfied"]
        assert row.satisfaction_rate == pytest.approx(e["satisfaction_rate"], abs=1e-12)
        assert row.ci_low == pytest.approx(e["ci_low"], abs=1e-12) and row.ci_high == pytest.approx(e["ci_high"], abs=1e-12)
    items = {i["column"]: i for i in summary["items"]}
    for row in r.items.itertuples():
        assert row.n_valid == items[row.item]["n_valid"]
        assert row.satisfaction_rate == pytest.approx(items[row.item]["satisfaction_rate"], abs=1e-12)
    assert r.n == summary["n_responses"]


def test_model_series_previous_and_provenance(env):
    r = env["report"]
    assert r.previous == "2024年春季测评"
    assert list(dict.fromkeys(r.trend["label"])) == ["2024-04", "2024-10"]
    src = r.sources
    assert list(src["filename"]) == ["spring.csv", "autumn.csv"] and list(src["uploaded_by"]) == ["alice", "bob"]
    import hashlib

    sha = hashlib.sha256((env["tmp"] / "autumn.csv").read_bytes()).hexdigest()
    assert src["sha256"].iloc[1] == sha[:12]


def test_change_since_previous_is_the_difference_of_the_two_waves(env):
    """Hand check: the change column equals (autumn rate − spring rate) × 100 from each wave's own summary."""
    from analysis.metrics import area_summary

    eng = env["engine"]
    waves = store.list_waves(eng).set_index("name")
    a = area_summary(store.load_wave(eng, int(waves.loc["2024年春季测评", "id"]))).set_index("area")
    b = area_summary(store.load_wave(eng, int(waves.loc[WAVE, "id"]))).set_index("area")
    r = env["report"].areas.set_index("area")
    for area in r.index:
        expect = (b.loc[area, "satisfaction_rate"] - a.loc[area, "satisfaction_rate"]) * 100
        assert r.loc[area, "diff_pp"] == pytest.approx(expect, abs=1e-9)
    from analysis.metrics import item_summary

    ia = item_summary(store.load_wave(eng, int(waves.loc["2024年春季测评", "id"]))).set_index("item")
    ib = item_summary(store.load_wave(eng, int(waves.loc[WAVE, "id"]))).set_index("item")
    for row in env["report"].items.itertuples():  # same item columns in both exports
        expect = (ib.loc[row.item, "satisfaction_rate"] - ia.loc[row.item, "satisfaction_rate"]) * 100
        assert row.diff_pp == pytest.approx(expect, abs=1e-9)


def test_history_by_unit_then_by_series():
    waves = pd.DataFrame({
        "id": ["1", "2", "3", "4"], "name": ["a", "b", "c", "d"], "unit": ["X", "Y", "X", "X"],
        "period": ["2024-10", "2024-01", "2023-10", "2025-04"], "created_at": pd.to_datetime(["2025-01-01"] * 4),
    })
    assert list(history_waves(waves, "1")["name"]) == ["c", "a"]  # same unit, period order, up to the wave
    series = waves.assign(series_id=[7, 8, 8, 7])  # list_waves order within a series (issue 12)
    assert list(history_waves(series, "4")["name"]) == ["a", "d"]
    with pytest.raises(ValueError, match="找不到批次"):
        history_waves(waves, "99")


def test_file_name_is_wave_and_title(env):
    assert file_name(env["report"], "pptx") == "2024年秋季测评_满意度报告.pptx"
    r = env["report"]
    odd = build_report(store.load_wave(env["engine"], WAVE), wave={"name": 'a/b:c*"d'}, lang="en")
    assert file_name(odd, "xlsx") == "a_b_c__d_Satisfaction_report.xlsx"
    assert r.lang == "zh"


def test_unknown_format_and_language_are_explained(env):
    with pytest.raises(ValueError, match="未知的报告格式"):
        render(env["report"], "docx")
    with pytest.raises(ValueError, match="zh 或 en"):
        build_report(store.load_wave(env["engine"], WAVE), wave={"name": "x"}, lang="fr")


# --- anonymity --------------------------------------------------------------------------------------------


def test_small_group_hidden_like_the_pages(env):
    """家长 has 3 respondents (< k = 5): every 家长 cell is hidden, and the mask equals the pages' call."""
    from analysis.metrics import group_summary

    r = env["report"]
    parents = r.breakdown[r.breakdown["group"] == "家长"]
    assert len(parents) and parents["suppressed"].all() and parents["satisfaction_rate"].isna().all()
    ds = store.load_wave(env["engine"], WAVE)
    for level, table in (("area", r.breakdown), ("item", r.item_breakdown)):
        page = group_summary(ds, "group", level=level, min_n=5)  # what the areas page draws (ui.loaders)
        assert list(table["suppressed"]) == list(page["suppressed"])


def test_threshold_defaults_to_the_deployment_value(env):
    from analysis.anonymity import DEFAULT_K
    from analysis.report import deployment_min_group

    assert report_from_store(env["engine"], WAVE).min_group == deployment_min_group(env["engine"])
    assert deployment_min_group(env["engine"]) >= DEFAULT_K


# --- Excel ------------------------------------------------------------------------------------------------


def test_xlsx_numbers_charts_filters(env, files, summary):
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))
    ws = wb.worksheets[0]
    assert ws.title == "摘要"
    header_row = next(i for i, row in enumerate(ws.iter_rows(values_only=True), start=1) if row[0] == "服务领域")
    expected = {a["area"]: a for a in summary["areas"]}
    names = dict(zip(env["report"].areas["name"], env["report"].areas["area"], strict=True))
    seen = 0
    for row in ws.iter_rows(min_row=header_row + 1, max_row=header_row + len(expected)):
        area = names[row[0].value]
        rate, n = row[1], row[4]
        assert isinstance(rate.value, float) and rate.number_format == "0.0%"
        assert rate.value == pytest.approx(expected[area]["satisfaction_rate"], abs=1e-12)
        assert n.value == expected[area]["n_valid"] and n.data_type == "n"
        seen += 1
    assert seen == len(expected)
    assert ws.freeze_panes == f"A{header_row + 1}" and ws.auto_filter.ref.startswith(f"A{header_row}")
    assert len(ws._charts) == 1
    area_sheets = [w for w in wb.worksheets if w.title in set(env["report"].areas["name"].str.replace("/", "·"))]
    assert len(area_sheets) == len(expected) and all(len(w._charts) == 1 for w in area_sheets)
    assert "口径说明" in wb.sheetnames and "历次趋势" in wb.sheetnames
    for w in wb.worksheets:  # no cell anywhere is a formula
        for row in w.iter_rows():
            assert all(c.data_type != "f" for c in row)


def test_xlsx_respondent_text_stays_text(env):
    ds = store.load_wave(env["engine"], WAVE)
    feedback = pd.DataFrame({"date": ["2024-10-08"], "channel": ["信箱"], "group": ["学生"],
                             "areas": [["catering"]], "tone": ["negative"], "text": [HYPERLINK]})
    actions = pd.DataFrame({"problem": ["@SUM(A1)"], "area": ["catering"], "measure": ["+1"], "status": ["doing"]})
    r = build_report(ds, wave={"name": "=1+1"}, feedback=feedback, actions=actions)
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(render(r, "xlsx")))
    fb = wb["意见反馈摘要"]
    cells = [c for row in fb.iter_rows() for c in row if c.value == HYPERLINK]
    assert len(cells) == 1 and cells[0].data_type == "s"
    act = wb["整改台账"]
    assert [c.value for c in act[2]][:3] == ["@SUM(A1)", "catering", "+1"]
    assert all(c.data_type == "s" for c in act[2] if c.value is not None)
    assert wb["摘要"]["A1"].value.startswith("=1+1") and wb["摘要"]["A1"].data_type == "s"


# --- PowerPoint -------------------------------------------------------------------------------------------


def test_pptx_charts_hold_the_figures_and_east_asian_fonts(env, files, summary):
    from pptx import Presentation
    from pptx.oxml.ns import qn

    prs = Presentation(io.BytesIO(files["pptx"]))
    slides = list(prs.slides)
    r = env["report"]
    n_areas = int((r.areas["n_valid"] > 0).sum())
    assert len(slides) == 1 + 1 + n_areas + 1 + 1  # title, overview, areas, trend, definitions
    overview = next(sh.chart for sh in slides[1].shapes if sh.has_chart)
    expected = _areas(summary)
    cats = list(overview.plots[0].categories)
    values = list(overview.plots[0].series[0].values)
    by_name = dict(zip(r.areas["name"], r.areas["area"], strict=True))
    assert [by_name[c] for c in cats] == list(r.areas["area"])
    for c, v in zip(cats, values, strict=True):
        assert v == pytest.approx(expected[by_name[c]]["satisfaction_rate"], abs=1e-12)
    assert overview.category_axis.reverse_order is True
    # every run and every chart text carries an East-Asian typeface
    for slide in slides:
        for rpr in slide.shapes._spTree.iter(qn("a:rPr")):
            assert rpr.find(qn("a:ea")) is not None
        for sh in slide.shapes:
            if sh.has_chart:
                defs = list(sh.chart._chartSpace.iter(qn("a:defRPr")))
                assert defs and all(d.find(qn("a:ea")) is not None for d in defs)
    # an area slide: the diverging bars' satisfied shares equal the label counts ÷ valid
    area_slide = slides[2]
    chart = next(sh.chart for sh in area_slide.shapes if sh.has_chart)
    first_area = r.areas["area"].iloc[0]
    items = r.area_items(first_area)
    item = items.iloc[0]
    counts = next(i for i in summary["items"] if i["column"] == item["item"])["counts"]
    total = sum(counts.values())
    best = next(iter(counts))  # label_counts lists the best answer first
    series = {s.name: list(s.values) for s in chart.plots[0].series}
    assert series[best][0] == pytest.approx(counts[best] / total, abs=1e-12)
    assert chart.category_axis.reverse_order is True


# --- HTML -------------------------------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.refs.append((tag, name, value))

    def handle_data(self, data):
        self.text.append(data)


def test_html_self_contained_and_escaped(env, files, summary):
    doc = files["html"].decode("utf-8")
    p = _Links()
    p.feed(doc)
    assert p.refs == []  # nothing to fetch: plotly.js is inlined
    assert "Plotly.newPlot" in doc and len(doc) > 1_000_000
    text = "".join(p.text)
    overall = _areas(summary)
    for a in overall.values():
        assert f"{a['satisfaction_rate'] * 100:.1f}%" in text
    ds = store.load_wave(env["engine"], WAVE)
    r = build_report(ds, wave={"name": "<script>alert(1)</script>"})
    out = render(r, "html").decode("utf-8")
    assert "<script>alert(1)</script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out


# --- PDF --------------------------------------------------------------------------------------------------


def _need(tool: str) -> None:
    if shutil.which(tool) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is missing in CI: scripts/test.sh installs poppler-utils")
        pytest.skip(f"{tool} not installed (apt-get install poppler-utils)")


def test_pdf_chinese_text_and_embedded_cjk_font(env, tmp_path, summary):
    _need("pdftotext")
    path = tmp_path / "r.pdf"
    path.write_bytes(render(env["report"], "pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert WAVE in text and "各服务领域满意率" in text and "口径说明" in text
    for a in summary["areas"]:
        assert f"{a['satisfaction_rate'] * 100:.1f}%" in text
    import re

    pages = int(re.findall(r"(\d+)\s*/\s*(\d+)\s*$", text.split("\f")[0], re.M)[-1][1])
    assert pages >= 2 and all(re.search(rf"\b{i}\s*/\s*{pages}\b", page) for i, page in
                              enumerate(text.split("\f")[:pages], start=1))  # a page number on every page
    assert text.count("数据版本") >= pages  # the footer (definition and data version) on every page
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes yes yes " in line for line in cjk)  # embedded, subset, with a Unicode map


def test_pdf_missing_library_names_the_packages(env, monkeypatch, tmp_path, capsys):
    import builtins

    real_import = builtins.__import__

    def no_pango(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pango)
    from analysis.report.pdf import PdfUnavailable, check_pdf

    with pytest.raises(PdfUnavailable, match="apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"):
        render(env["report"], "pdf")
    assert "libpango-1.0-0" in check_pdf()
    assert render(env["report"], "xlsx")[:2] == b"PK"  # the other formats still work
    rc = main(["report", "--wave", WAVE, "-o", str(tmp_path / "x.pdf"), "--db", env["url"]])
    err = capsys.readouterr().err
    assert rc == 2 and "apt-get install libpango-1.0-0" in err and not (tmp_path / "x.pdf").exists()


# --- CLI --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "pptx", "html"])
def test_cli_writes_each_format(env, tmp_path, capsys, fmt):
    out = tmp_path / f"r.{fmt}"
    rc = main(["report", "--wave", WAVE, "--format", fmt, "-o", str(out), "--db", env["url"], "--lang", "en"])
    assert rc == 0 and out.stat().st_size > 1000
    assert "written" in capsys.readouterr().err
    if fmt == "xlsx":
        import openpyxl

        assert openpyxl.load_workbook(out).worksheets[0].title == "Summary"


def test_cli_errors_are_one_line(env, tmp_path, capsys):
    assert main(["report", "--wave", "没有这个批次", "-o", str(tmp_path / "r.xlsx"), "--db", env["url"]]) == 2
    assert "找不到批次" in capsys.readouterr().err
    assert main(["report", "--wave", WAVE, "-o", str(tmp_path / "r.docx"), "--db", env["url"]]) == 2
    assert "--format" in capsys.readouterr().err
    assert set(FORMATS) == {"xlsx", "pptx", "html", "pdf"}
