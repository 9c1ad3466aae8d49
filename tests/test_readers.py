"""Readers: encoding and separator sniffing, workbooks, clear errors."""

import pytest

from analysis.ingest.readers import decode_text, read_table, sniff_separator
from tests import fixtures


def test_gbk_without_bom_is_read_as_gb18030():
    raw = read_table(fixtures.wjx_text_gbk(), "export.csv")
    assert raw.encoding == "gb18030"
    assert raw.frame.iloc[0, 0] == "序号"
    assert raw.frame.shape == (len(fixtures.ANSWERS) + 1, len(fixtures.wjx_header()))


def test_utf8_bom_and_strict_utf8():
    assert decode_text("中文".encode("utf-8-sig")) == ("中文", "utf-8-sig")
    assert decode_text("中文".encode()) == ("中文", "utf-8")
    assert decode_text("中文".encode("gbk"))[1] == "gb18030"


def test_separators_and_trailing_comma():
    assert sniff_separator('"a";"b";"c"\n"1";"2";"3"\n') == ";"
    assert sniff_separator("a\tb\tc\n1\t2\t3\n") == "\t"
    raw = read_table('"编号","1.您的身份",\n"1","A.学生",\n"2","B.教师",\n'.encode("utf-8-sig"))
    assert raw.frame.shape == (3, 2)  # the empty trailing column is dropped


def test_xlsx_keeps_integers_without_decimal_point():
    raw = read_table(fixtures.wjx_xlsx(), "export.xlsx")
    assert raw.encoding == "xlsx"
    assert raw.frame.iloc[1, 0] == "1"


def test_ragged_rows_are_padded_with_warning():
    raw = read_table(b"a,b,c\n1,2\n3,4,5\n")
    assert raw.frame.shape == (3, 3)
    assert raw.warnings


@pytest.mark.parametrize(
    "data,match",
    [(b"", "为空"), (b"   \n ", "为空"), (b"\x00\x01\x02binary\x00", "不是 CSV"),
     (b"PK\x03\x04broken zip", "无法打开 Excel"), (b"abc\xff\xfe\xfd", "编码")],
)
def test_bad_input_gets_a_clear_message(data, match):
    with pytest.raises(ValueError, match=match):
        read_table(data, "x.csv")


# --- fast path: UTF-8 CSV straight into pyarrow, against the standard library's csv module -----------
import codecs  # noqa: E402
import csv  # noqa: E402
import io  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as hst  # noqa: E402

from analysis.ingest.readers import _drop_blank_edges, _read_csv_utf8_fast  # noqa: E402

_CELL = hst.text(alphabet=list("ab 1，满意中文") + [",", '"', "\n", "\r"], max_size=6)


def _reference_grid(data: bytes) -> list[list]:
    """The reference: Python's csv module on the decoded text (line breaks made ``\\n`` first, as the
    text path does), empty cells None, rows without any non-empty cell dropped."""
    text = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    rows = [[c if c != "" else None for c in r] for r in csv.reader(io.StringIO(text), delimiter=",")]
    return [r for r in rows if any(c is not None for c in r)]


@settings(max_examples=150, deadline=None)
@given(hst.integers(2, 4).flatmap(lambda w: hst.tuples(
    hst.lists(hst.text(alphabet=list("题目AB编号"), min_size=1, max_size=4), min_size=w, max_size=w),
    hst.lists(hst.lists(_CELL, min_size=w, max_size=w), min_size=1, max_size=6),
)), hst.booleans(), hst.sampled_from(["\r\n", "\n"]))
def test_utf8_fast_path_reads_what_the_csv_module_reads(grid, bom, newline):
    header, rows = grid
    # RFC 4180 quoting (a cell with , " CR or LF quoted, quotes doubled); Python's csv.writer leaves a
    # bare CR unquoted when the line terminator is LF, which is a line break to every reader
    def cell(c: str) -> str:
        return '"' + c.replace('"', '""') + '"' if any(x in c for x in ',"\r\n') else c

    text = "".join(",".join(cell(c) for c in r) + newline for r in [header, *rows])
    data = (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")
    fast = _read_csv_utf8_fast(data, "export.csv")
    assert fast is not None  # a well-formed UTF-8 file takes the fast path
    frame, encoding, sep = fast
    assert (encoding, sep) == ("utf-8-sig" if bom else "utf-8", ",")
    got = _drop_blank_edges(frame).astype(object).where(lambda f: f.notna(), None).values.tolist()
    assert got == _reference_grid(data)


def test_utf8_fast_path_across_parallel_blocks_keeps_quoted_line_breaks():
    # pyarrow parses blocks of about 1 MB in parallel; a file with '"' must be split quote-aware, or a
    # line break inside a quoted comment near a block boundary would cut its row in two. 3 MB of rows,
    # each comment holding a line break; the reference is the csv module (hand check: 60,000 rows).
    rows = [["编号", "意见"]] + [[str(i), f"第一行{i}\n第二行，满意"] for i in range(60_000)]
    text = "".join(f'{a},"{b}"\r\n' for a, b in rows)
    data = text.encode("utf-8")
    assert len(data) > 2_500_000
    frame, _, sep = _read_csv_utf8_fast(data, "export.csv")
    got = _drop_blank_edges(frame).astype(object).values.tolist()
    assert sep == "," and len(got) == 60_001
    assert got == _reference_grid(data)
