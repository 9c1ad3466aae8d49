"""The public CLI contract: ``python -m analysis summary FILE --json`` run as a subprocess.

Expected figures: hand counts over tests/fixtures.ANSWERS and Wilson intervals from statsmodels.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from statsmodels.stats.proportion import proportion_confint

from tests import fixtures

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="module")
def gbk_file(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("cli") / "问卷星导出.csv"
    p.write_bytes(fixtures.wjx_text_gbk())
    return p


def test_summary_json_contract(gbk_file):
    res = run_cli("summary", str(gbk_file), "--json")
    assert res.returncode == 0, res.stderr
    d = json.loads(res.stdout)
    assert set(d) >= {"format", "encoding", "n_responses", "definition", "items", "areas", "reliability", "flagged",
                      "warnings"}
    assert (d["format"], d["encoding"], d["n_responses"]) == ("wjx_text", "gb18030", 12)
    # hand counts: satisfied = 很满意 + 比较满意; valid excludes (跳过), (空) and 不了解
    expected = {"学生公寓": (7, 10), "食堂菜品": (4, 8), "维修响应": (8, 12), "开水供应": (5, 10)}
    by_label = {it["label"]: it for it in d["items"]}
    for label, (k, n) in expected.items():
        it = by_label[label]
        assert (it["n_satisfied"], it["n_valid"]) == (k, n)
        assert it["satisfaction_rate"] == pytest.approx(k / n)
        lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
        assert it["ci_low"] == pytest.approx(lo, abs=1e-9) and it["ci_high"] == pytest.approx(hi, abs=1e-9)
        assert sum(it["counts"].values()) == n
    assert by_label["学生公寓"]["counts"]["很满意"] == 3 and by_label["学生公寓"]["counts"]["比较满意"] == 4
    # 学生公寓 mean by hand: (3*5 + 4*4 + 1*3 + 1*2 + 1*1) / 10 = 3.7
    assert by_label["学生公寓"]["mean"] == pytest.approx(3.7)
    areas = {a["area"]: a for a in d["areas"]}
    assert (areas["accommodation"]["n_satisfied"], areas["accommodation"]["n_valid"]) == (7, 10)
    assert (areas["overall"]["n_satisfied"], areas["overall"]["n_valid"]) == (8, 12)
    assert d["definition"]["scales"]["zh5_hen"]["satisfied"] == ["很满意", "比较满意"]
    assert d["reliability"]["n_items"] == 5
    assert isinstance(d["flagged"], list)


def test_summary_table_and_codebook_command(gbk_file, tmp_path):
    res = run_cli("summary", str(gbk_file))
    assert res.returncode == 0 and "学生公寓" in res.stdout and "70.0%" in res.stdout
    cb = tmp_path / "cb.csv"
    res = run_cli("codebook", str(gbk_file), "-o", str(cb))
    assert res.returncode == 0, res.stderr
    text = cb.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "column,role,area,scale,label,qnum,codes"
    # edit the codebook: count only 维修响应; figures follow the edit
    lines = [ln if "维修响应" in ln or ",likert," not in ln else ln.replace(",likert,", ",ignore,")
             for ln in text.splitlines()]
    cb.write_text("\n".join(lines), encoding="utf-8")
    res = run_cli("summary", str(gbk_file), "--json", "--codebook", str(cb))
    assert res.returncode == 0, res.stderr
    assert [it["label"] for it in json.loads(res.stdout)["items"]] == ["维修响应"]


@pytest.mark.parametrize("content,needle", [(b"", "empty"), (b"\x00\x01binary", "not a CSV"),
                                            ("姓名\n张三\n".encode(), "Likert")])
def test_unusable_input_exits_nonzero_with_one_line(tmp_path, content, needle):
    p = tmp_path / "bad.csv"
    p.write_bytes(content)
    res = run_cli("summary", str(p), "--json")
    assert res.returncode != 0
    assert res.stdout == ""
    assert len(res.stderr.strip().splitlines()) == 1 and needle in res.stderr
    assert "Traceback" not in res.stderr


def test_missing_file(tmp_path):
    res = run_cli("summary", str(tmp_path / "nope.csv"))
    assert res.returncode == 2 and "not found" in res.stderr
