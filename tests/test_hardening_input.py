"""Issue 10, findings 7 and 8: absurd widths are refused with a message, a mixed-encoding file says
which line, all-不了解 items are named, and terminal escape codes never reach the plain-table output."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis.ingest import read_table
from analysis.ingest.readers import MAX_COLUMNS

ROOT = __import__("os").path.dirname(__import__("os").path.dirname(__import__("os").path.abspath(__file__)))


def test_absurd_width_is_refused_with_a_message():
    m = MAX_COLUMNS + 1
    data = (",".join(f"q{i}" for i in range(m)) + "\n" + ",".join("满意" for _ in range(m)) + "\n").encode()
    with pytest.raises(ValueError, match=f"{m:,} 列"):
        read_table(data, "wide.csv")


def test_utf8_file_with_a_gb18030_tail_names_the_line():
    head = "序号,1、食堂\n" + "".join(f"{i},满意\n" for i in range(1, 50))
    data = head.encode("utf-8") + "50,很满意\n".encode("gb18030") + "51,满意\n".encode()
    with pytest.raises(ValueError) as exc:
        read_table(data, "mixed.csv")
    msg = str(exc.value)
    assert "第 51 行" in msg and "line 51" in msg and "UTF-8" in msg  # line 51 by hand: 1 header + 49 rows + 1


def test_summary_names_items_without_valid_answers_and_strips_escape_codes(tmp_path):
    from analysis.__main__ import summary_dict
    from analysis.codebook import load_dataset

    # one matrix question (shared scale): 宿舍环境 answered 不了解 by everyone → no valid answer
    rows = ["序号,1、食堂\x1b]0;pwned\x07饭菜\x1b[31m,1、宿舍环境"] + [f"{i},满意,不了解" for i in range(1, 13)]
    data = ("\n".join(rows) + "\n").encode("utf-8")
    d = summary_dict(load_dataset(data, "x.csv"))
    assert any("没有有效答案" in w and "宿舍环境" in w for w in d["warnings"])
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    out = subprocess.run([sys.executable, "-m", "analysis", "summary", str(path)], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "\x1b" not in out.stdout and "\x07" not in out.stdout
    assert "没有有效答案" in out.stdout
