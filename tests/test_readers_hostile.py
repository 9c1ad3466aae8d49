"""Issue 10, finding 6: no uploaded workbook can stop the server or use unbounded memory.

Each hostile file is generated here and read by ``read_table`` in a separate Python process whose
address space is capped (RLIMIT_AS), so a reader that tries to allocate gigabytes — or aborts, as
calamine did on ``A1:XFD1048576`` (signal 6) — fails that process, never pytest. The test passes only
when the process exits normally with a bilingual refusal (or the data).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile

import pytest

xlsxwriter = pytest.importorskip("xlsxwriter")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIMIT_MB = 4096  # the test process's own cap; the reader's child is capped lower (READER_MEMORY_MB)

_RUNNER = r"""
import resource, sys
lim = int(sys.argv[2]) * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
sys.path.insert(0, sys.argv[3])
from analysis.ingest.readers import read_table
data = open(sys.argv[1], "rb").read()
try:
    raw = read_table(data, "upload.xlsx")
    print("OK", raw.frame.shape)
except ValueError as exc:
    print("REFUSED", exc)
"""


def read_in_subprocess(tmp_path, data: bytes, env: dict | None = None) -> str:
    path = tmp_path / "upload.xlsx"
    path.write_bytes(data)
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER, str(path), str(LIMIT_MB), ROOT],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )
    assert proc.returncode == 0, f"the reader's process died ({proc.returncode}): {proc.stderr[-2000:]}"
    return proc.stdout


def workbook(cells: dict[tuple[int, int], str]) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf)
    ws = wb.add_worksheet()
    for (r, c), v in cells.items():
        ws.write(r, c, v)
    wb.close()
    return buf.getvalue()


def rewrite(data: bytes, fn) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, fn(info.filename, src.read(info)), compresslevel=9)
    return out.getvalue()


def test_declared_dimension_a1_xfd1048576_is_refused(tmp_path):
    data = workbook({(0, 0): "题目", (1048575, 16383): "x"})  # ~5 KB; calamine wanted ~512 GB
    assert len(data) < 10_000
    out = read_in_subprocess(tmp_path, data)
    assert out.startswith("REFUSED") and "A1:XFD1048576" in out and "已拒绝" in out and "refused" in out


def test_far_cell_without_dimension_is_contained_by_the_memory_limit(tmp_path):
    # the same two cells with the <dimension> removed: only reading reveals the size
    data = rewrite(workbook({(0, 0): "题目", (1048575, 16383): "x"}),
                   lambda name, d: re.sub(rb"<dimension[^>]*/>", b"", d) if "worksheets" in name else d)
    out = read_in_subprocess(tmp_path, data, {"SURVEY_READER_MEMORY_MB": "1024"})
    assert out.startswith("REFUSED") and "1,024 MB" in out


def test_wide_declared_range_xfd2000_is_refused(tmp_path):
    out = read_in_subprocess(tmp_path, workbook({(0, 0): "题目", (1999, 16383): "x"}))
    assert out.startswith("REFUSED") and "16,384" in out


def test_shared_strings_zip_bomb_is_refused(tmp_path):
    n = 4_000_000  # 128 MB of shared strings in ~300 KB
    head = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'

    def bomb(name, d):
        if name == "xl/sharedStrings.xml":
            return head + b"<si><t>a</t></si><si><t>b</t></si>" + b"<si><t>xxxxxxxxxxxxxxxx</t></si>" * n + b"</sst>"
        return d

    data = rewrite(workbook({(0, 0): "a", (1, 0): "b"}), bomb)
    assert len(data) < 1_000_000
    out = read_in_subprocess(tmp_path, data)
    assert out.startswith("REFUSED") and "sharedStrings.xml" in out


def test_ordinary_workbook_still_reads(tmp_path):
    cells = {(r, c): (f"h{c}" if r == 0 else f"v{r}") for r in range(50) for c in range(4)}
    out = read_in_subprocess(tmp_path, workbook(cells))
    assert out.strip() == "OK (50, 4)"


def test_large_plain_workbook_goes_through_the_child(tmp_path):
    # > 16 MB of sheet XML is read by the capped child and gives the same grid
    cells = {(r, c): f"v{r % 7}" for r in range(60_000) for c in range(8)}
    cells.update({(0, c): f"h{c}" for c in range(8)})
    out = read_in_subprocess(tmp_path, workbook(cells))
    assert out.strip() == "OK (60000, 8)"
