"""Small export files written by code, in the layouts real platforms produce (tests never read ../shared).

One answer set (``ANSWERS``) is written as a 问卷星 按选项文本 CSV saved by zh-CN Excel (GB18030, no BOM),
as a generic wide UTF-8-with-BOM CSV, and as an XLSX workbook. Expected figures in the tests are hand
counts over ``ANSWERS``, never output of the code under test.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

SCALE = ["很满意", "比较满意", "一般", "不太满意", "很不满意"]  # best → worst
ITEMS = ["学生公寓", "食堂菜品", "维修响应", "开水供应"]
OVERALL = "总体而言，您对后勤服务满意吗？"

# role, 4 matrix answers, overall answer, suggestion ("(跳过)" skipped by logic, "(空)" unanswered)
ANSWERS: list[tuple] = [
    ("教师", "比较满意", "(跳过)", "很满意", "不太满意", "比较满意", "希望延长开水供应时间"),
    ("学生", "很满意", "不了解", "一般", "很满意", "很满意", "(空)"),
    ("职工", "很不满意", "(跳过)", "比较满意", "很满意", "一般", "宿舍热水不稳定"),
    ("职工", "比较满意", "比较满意", "很满意", "(跳过)", "比较满意", "(空)"),
    ("职工", "一般", "不太满意", "很满意", "一般", "很满意", "食堂价格偏高"),
    ("教师", "不太满意", "比较满意", "很满意", "一般", "比较满意", "(空)"),
    ("教师", "(跳过)", "一般", "不太满意", "一般", "不太满意", "报修后等了三天"),
    ("教师", "(跳过)", "不了解", "一般", "(跳过)", "一般", "(空)"),
    ("学生", "很满意", "很满意", "比较满意", "比较满意", "很满意", "(空)"),
    ("学生", "比较满意", "比较满意", "比较满意", "很满意", "比较满意", "(空)"),
    ("学生", "很满意", "一般", "很满意", "比较满意", "很满意", "(空)"),
    ("学生", "比较满意", "不太满意", "一般", "很不满意", "一般", "开水房太远"),
]


def wjx_header() -> list[str]:
    return (["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、您的身份"]
            + [f"第2题({it})" for it in ITEMS] + [f"3、{OVERALL}", "4、其他建议"])


def wjx_rows() -> list[list[str]]:
    rows = []
    for i, a in enumerate(ANSWERS, start=1):
        rows.append([str(i), f"2025/4/{i} 9:{i:02d}:11", f"{60 + 17 * i}秒", "手机提交", "直接访问",
                     f"58.19.2.{i}(湖北-武汉)", *a])
    return rows


def _csv(header: list[str], rows: list[list[str]], *, sep: str = ",", crlf: bool = True) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\r\n" if crlf else "\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def wjx_text_gbk() -> bytes:
    """问卷星 按选项文本, saved by zh-CN Excel: GB18030 without BOM, CRLF."""
    return _csv(wjx_header(), wjx_rows()).encode("gb18030")


def generic_utf8_bom() -> bytes:
    """A hand-typed sheet: one header row, one row per respondent, UTF-8 with BOM, blanks for missing."""
    header = ["编号", "身份", *[f"{it}满意度" for it in ITEMS], "总体满意度", "意见建议"]
    rows = []
    for i, a in enumerate(ANSWERS, start=1):
        cells = ["" if v in ("(跳过)", "(空)") else v for v in a]
        rows.append([str(i), *cells])
    return b"\xef\xbb\xbf" + _csv(header, rows, crlf=False).encode("utf-8")


def workbook_bytes(wb: Workbook) -> bytes:
    """Save an openpyxl workbook with fixed timestamps, so the same content always gives the same bytes.

    openpyxl stamps the save time into docProps/core.xml and every zip entry; tests that derive
    examples from the bytes (hypothesis) need them stable.
    """
    import re
    import zipfile

    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2025-01-01T00:00:00Z", data)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def wjx_xlsx() -> bytes:
    """The 问卷星 layout downloaded as .xlsx."""
    wb = Workbook()
    ws = wb.active
    ws.append(wjx_header())
    for r in wjx_rows():
        ws.append([int(r[0]), *r[1:]])
    return workbook_bytes(wb)


def wjx_xls() -> bytes:
    """The 问卷星 layout downloaded as legacy .xls (BIFF8, written with xlwt as old Excel would)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    for c, v in enumerate(wjx_header()):
        sheet.write(0, c, v)
    for r, row in enumerate(wjx_rows(), start=1):
        for c, v in enumerate(row):
            sheet.write(r, c, int(v) if c == 0 else v)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def hand_counts(col: int) -> dict[str, int]:
    """Count each answer of ``ANSWERS`` column ``col`` (1..5 = the four items and overall) by hand."""
    out: dict[str, int] = {}
    for a in ANSWERS:
        out[a[col]] = out.get(a[col], 0) + 1
    return out
