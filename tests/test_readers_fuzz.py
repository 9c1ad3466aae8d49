"""Property tests: reading and parsing arbitrary input fails only with ValueError (a message for the user).

Whatever bytes a user uploads, ``read_table`` and ``parse_survey`` either return a result or raise
ValueError — never IndexError, KeyError, csv.Error, UnicodeError … that the page would show as a crash.
"""

from __future__ import annotations

import csv
import io
import os

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.ingest import parse_survey, read_table
from analysis.ingest.platforms import PLATFORM_KEYS
from analysis.model import Survey
from tests import fixtures_platforms as fx

ADAPTER_KEYS = ["wjx_text", *PLATFORM_KEYS, "generic"]  # every registered layout
# FUZZ_EXAMPLES=5000 python -m pytest tests/test_readers_fuzz.py for a longer hunt
SETTINGS = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Header cells that switch on each platform's detector, so the fuzz reaches every adapter's parser.
PLATFORM_HEADERS = [
    ["序号", "提交答卷时间", "所用时间", "来自IP", "1、您的身份", "第2题(学生公寓)"],
    ["编号", "开始答题时间", "结束答题时间", "答题时长", "1.您的身份", "2.请评价:食堂"],
    ["StartDate", "EndDate", "ResponseId", "Q1", "Q2_1"],
    ["Respondent ID", "Collector ID", "End Date", "What is your role?", "Please rate:", ""],
    ["Timestamp", "Your role", "Please rate [Canteen]"],
    ["id", "submitdate", "lastpage", "G01Q01", "G01Q02[SQ001]"],
    ["start", "end", "g/q1", "_id", "_uuid", "_submission_time", "_index"],
]
CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "很满意",
            "A.一般",
            "-3",
            "(跳过)",
            "2.01901E+11",
            "合计",
            "Total",
            "1",
            "0",
            "Y",
            '{"ImportId": "QID1"}',
            "Response",
            "59秒",
            "2025/4/6 9:01",
            "a;b",
            "x/y",
            "\ufeff",
        ]
    ),
)


def _check(fn, *args):
    try:
        result = fn(*args)
    except ValueError:
        return None
    return result


def _assert_survey(s: Survey | None) -> None:
    if s is None:
        return
    assert isinstance(s, Survey)
    assert len(s.data) == len(s.rows)
    assert s.data.columns.is_unique
    assert list(s.columns["name"]) == list(s.data.columns)


@SETTINGS
@given(st.binary(max_size=2048))
def test_arbitrary_bytes(data):
    raw = _check(read_table, data, "upload.csv")
    if raw is not None:
        assert isinstance(raw.frame, pd.DataFrame)
    _assert_survey(_check(parse_survey, data, "upload.csv"))


@SETTINGS
@given(
    st.text(max_size=1500),
    st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]),
    st.sampled_from(["a.csv", "a.xlsx", "a.tsv", ""]),
)
def test_arbitrary_text(text, encoding, filename):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    _assert_survey(_check(parse_survey, data, filename))


@SETTINGS
@given(
    st.sampled_from(PLATFORM_HEADERS),
    st.lists(st.lists(CELL, min_size=0, max_size=9), min_size=0, max_size=8),
    st.sampled_from([",", ";", "\t"]),
    st.booleans(),
)
def test_csv_with_platform_headers(header, body, sep, crlf):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\r\n" if crlf else "\n")
    w.writerow(header)
    w.writerows(body)
    _assert_survey(_check(parse_survey, buf.getvalue().encode("utf-8"), "x.csv"))


@SETTINGS
@given(st.sampled_from(ADAPTER_KEYS), st.lists(st.lists(CELL, min_size=1, max_size=7), min_size=1, max_size=6))
def test_every_adapter_on_arbitrary_grids(key, rows):
    """Forcing any adapter onto any grid gives a Survey or a ValueError."""
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    try:
        s = parse_survey(buf.getvalue().encode("utf-8"), "x.csv", format=key)
    except ValueError:
        return
    _assert_survey(s)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(list(fx.LAYOUTS)), st.data())
def test_truncated_and_corrupted_exports(filename, data):
    """Real exports cut short or with bytes flipped (interrupted downloads) never crash."""
    blob = bytearray(fx.LAYOUTS[filename].write(fx.answer_set(6)))
    cut = data.draw(st.integers(min_value=0, max_value=len(blob)))
    blob = blob[:cut] if data.draw(st.booleans()) else blob
    for _ in range(data.draw(st.integers(min_value=0, max_value=4))):
        if blob:
            i = data.draw(st.integers(min_value=0, max_value=len(blob) - 1))
            blob[i] = data.draw(st.integers(min_value=0, max_value=255))
    _assert_survey(_check(parse_survey, bytes(blob), filename))


@SETTINGS
@given(
    st.sampled_from([b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]),
    st.binary(max_size=1024),
    st.sampled_from(["a.xlsx", "a.xls", "a.csv"]),
)
def test_magic_prefixes(prefix, rest, filename):
    """Broken workbooks and BOM-only junk are reported, not crashed on."""
    _assert_survey(_check(parse_survey, prefix + rest, filename))


def test_real_workbook_truncated_is_valueerror():
    blob = fx.generic_xlsx(fx.answer_set(6))
    for cut in (10, len(blob) // 2, len(blob) - 30):
        _assert_survey(_check(parse_survey, blob[:cut], "a.xlsx"))


# --- hostile workbooks (issue 10, finding 6): declared dimensions and shared strings --------------------

_HOSTILE = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES_XLSX", "25")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _col_letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


@_HOSTILE
@given(
    dim=st.tuples(st.integers(1, 16384), st.integers(1, 1048576)),
    far=st.one_of(st.none(), st.tuples(st.integers(0, 16383), st.integers(0, 1048575))),
    strings=st.lists(st.text(max_size=20), max_size=30),
    repeat=st.integers(0, 200_000),
    drop_dimension=st.booleans(),
)
def test_hostile_workbooks_give_a_message_or_data(dim, far, strings, repeat, drop_dimension):
    import re
    import zipfile

    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf)
    ws = wb.add_worksheet()
    ws.write(0, 0, "题目")
    for i, s in enumerate(strings):
        ws.write(1 + i, 0, s)
    if far is not None and far[1] < 3000 and far[0] < 200:  # a far cell the reader may really read
        ws.write(far[1], far[0], "x")
    wb.close()
    ref = f"A1:{_col_letters(dim[0])}{dim[1]}"

    def hostile(name: str, d: bytes) -> bytes:
        if "worksheets" in name:
            d = re.sub(rb"<dimension[^>]*/>", b"" if drop_dimension else f'<dimension ref="{ref}"/>'.encode(), d)
        if name.endswith("sharedStrings.xml") and repeat:
            d = d.replace(b"</sst>", b"<si><t>zz</t></si>" * repeat + b"</sst>")
        return d

    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, hostile(info.filename, src.read(info)))
    try:
        raw = read_table(out.getvalue(), "hostile.xlsx")
    except ValueError as exc:
        assert "。" in str(exc) or "：" in str(exc)  # a Chinese message first
        return
    assert raw.frame.shape[1] <= 16384 and str(raw.frame.iat[0, 0]) == "题目"
