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
