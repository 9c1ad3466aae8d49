"""analysis.ingest.values: times and durations read once, for every adapter.

Expected values are hand readings of the texts (a clock ``mm:ss`` is minutes and seconds; an offset is
dropped, keeping the wall-clock time), never output of the code under test.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.codebook import load_dataset
from analysis.ingest import parse_survey
from analysis.ingest.values import DATE_FORMATS, duration_seconds, parse_durations, parse_times


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("59", 59), ("59秒", 59), ("1分5秒", 65), ("2分钟", 120), ("1小时2分3秒", 3723), ("00:01:02", 62),
        ("01:02", 62), ("02:05", 125), ("00:04", 4), ("1.5分", 90), ("1 hour", 3600), ("1h 2m", 3720),
        ("90s", 90), ("2 min 30 s", 150), ("59.6", 60), (" 335 ", 335), ("１２５秒", 125),
        ("", None), ("abc", None), ("-5", None), ("一刻钟", None),
    ],
)
def test_duration_seconds(text, seconds):
    assert duration_seconds(text) == seconds


def test_parse_durations_counts_what_it_cannot_read():
    secs, bad = parse_durations(pd.Series(["125秒", "02:05", None, "很快", "00:04", "很快"], dtype="str"))
    assert secs.tolist()[:2] == [125.0, 125.0] and secs.iloc[4] == 4.0
    assert secs.iloc[[2, 3, 5]].isna().all() and bad == 2
    nums, bad = parse_durations(pd.Series([59.6, -1.0, None]))
    assert nums.iloc[0] == 60.0 and nums.iloc[1:].isna().all() and bad == 1


def test_parse_times_picks_one_format_for_the_column():
    # month first throughout (SurveyMonkey): 04/06 is April 6, not June 4, because 04/13 only parses month first
    out, bad = parse_times(pd.Series(["04/06/2025 09:01:00 AM", "04/13/2025 01:00:00 PM", None]))
    assert bad == 0 and out.tolist()[:2] == [pd.Timestamp("2025-04-06 09:01"), pd.Timestamp("2025-04-13 13:00")]
    assert pd.isna(out.iloc[2]) and out.dtype == "datetime64[ns]"


def test_parse_times_reads_what_a_hand_typed_sheet_holds():
    texts = ["2024/9/2 8:00:01", "2024年9月2日 08:00:01", "2024/9/2 下午3:00", "2025-04-06T09:05:00.000+08:00",
             "02-Feb-2021 20:26:58", "2025/04/06 9:01:00 AM GMT+8", "2024年9月2日", "下午3:00", ""]
    out, bad = parse_times(pd.Series(texts))
    want = ["2024-09-02 08:00:01", "2024-09-02 08:00:01", "2024-09-02 15:00:00", "2025-04-06 09:05:00",
            "2021-02-02 20:26:58", "2025-04-06 09:01:00", "2024-09-02 00:00:00"]
    assert out.iloc[:7].tolist() == [pd.Timestamp(w) for w in want]
    assert out.iloc[7:].isna().all() and bad == 1  # "下午3:00" has no date; "" is empty, not unread


def test_one_table_of_formats():
    assert DATE_FORMATS[0] == "ISO8601" and len(set(DATE_FORMATS)) == len(DATE_FORMATS)
    assert DATE_FORMATS.index("%m/%d/%Y %H:%M:%S") < DATE_FORMATS.index("%d/%m/%Y %H:%M:%S")  # month first


def _hand_sheet(durations: list[str]) -> bytes:
    header = "编号,提交时间,用时,身份,宿舍满意度,食堂满意度,总体满意度\n"
    rows = [f"{i + 1},2024/9/2 8:{i:02d}:00,{d},学生,很满意,比较满意,满意" for i, d in enumerate(durations)]
    return ("\n".join([header.strip(), *rows]) + "\n").encode("utf-8")


def test_a_four_second_answer_typed_as_00_04_is_a_speeder():
    # the bug of issue 11: "00:04" among 90-125 s answers was NaN and nobody was flagged.
    # Hand count: durations 90 95 100 105 110 115 120 125 4 → median 105; a speeder is below 105 / 3 = 35 s.
    durations = ["90", "95秒", "01:40", "1分45秒", "110", "115", "02:00", "02:05", "00:04"]
    ds = load_dataset(_hand_sheet(durations), "hand.csv")
    assert ds.respondents["duration_s"].tolist() == [90, 95, 100, 105, 110, 115, 120, 125, 4]
    assert ds.flags["row"].tolist() == [9] and ds.flags["reasons"].iloc[0] == ["speeder"]


def test_unreadable_durations_and_times_are_warned_with_column_and_count():
    survey = parse_survey(_hand_sheet(["90", "很快", "100", "很快"]).replace(b"8:01:00", b"xx"), "hand.csv")
    assert "“用时”列有 2 个值不是时长" in " ".join(survey.warnings)
    assert "“提交时间”列有 1 个时间无法识别" in " ".join(survey.warnings)
    assert survey.data["用时"].dtype == "float64" and survey.data["提交时间"].dtype == "datetime64[ns]"
