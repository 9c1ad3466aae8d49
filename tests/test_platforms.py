"""Platform adapters (analysis.ingest.platforms): detection, parsing, messy files, cross-platform counts.

Fixtures are written by tests/fixtures_platforms.py; expected counts are hand counts over the answer
set (``expected_counts``), never output of the code under test.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from analysis.ingest import ADAPTERS, detect_format, parse_survey, read_table
from analysis.ingest.platforms import PLATFORM_KEYS
from tests import fixtures_platforms as fx

ANSWERS = fx.answer_set()
EXPECTED = fx.expected_counts(ANSWERS)


def _csv(rows, sep=",", crlf=True, bom=False, quote_all=False) -> bytes:
    text = fx._csv(rows, sep=sep, crlf=crlf, quote_all=quote_all)
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def _codebook_for(survey, lay: fx.Layout):
    """What a user fills in for a numeric export: scale + option codes, and the role column as group."""
    from analysis.codebook import suggest_codebook

    cb = suggest_codebook(survey)
    role_col = cb["label"].str.contains("身份|role", case=False, regex=True)
    cb.loc[role_col, "role"] = "group"
    likert = cb["role"] == "likert"
    cb.loc[likert, "scale"] = lay.scale
    cb.loc[likert, "codes"] = lay.codes
    return cb


# --------------------------------------------------------------------------- cross-platform


@pytest.mark.parametrize("filename", list(fx.LAYOUTS))
def test_detection_picks_the_right_adapter(filename):
    lay = fx.LAYOUTS[filename]
    raw = read_table(lay.write(ANSWERS), filename)
    assert detect_format(raw).key == lay.key
    # the platform adapters are confident only on their own layout
    for key in PLATFORM_KEYS:
        if key != lay.key:
            assert ADAPTERS[key].detect(raw) == 0, key


@pytest.mark.parametrize("filename", list(fx.LAYOUTS))
def test_same_answers_same_counts_in_every_layout(filename):
    from analysis.codebook import load_dataset

    lay = fx.LAYOUTS[filename]
    data = lay.write(ANSWERS)
    survey = parse_survey(data, filename)
    assert survey.format == lay.key
    assert len(survey.data) == len(ANSWERS)
    assert survey.rows.tolist() == list(range(1, len(ANSWERS) + 1))
    cb = _codebook_for(survey, lay) if lay.codes else None
    ds = load_dataset(data, filename, codebook=cb)
    assert ds.items["area"].tolist() == fx.AREAS
    got = []
    for item, scale_key in zip(ds.items["item"], ds.items["scale"], strict=True):
        k = ds.scales[scale_key].k
        col = ds.answers[item]
        got.append((int(col.notna().sum()), int((col > (k + 1) / 2).sum())))
    assert got == EXPECTED
    # respondent meta made it through: ids, groups, and (where exported) durations
    assert ds.respondents["group"].notna().all()
    if lay.key not in ("google_forms", "generic"):
        assert ds.respondents["resp_id"].nunique() == len(ANSWERS)


@pytest.mark.parametrize(
    "filename", ["wjx_codes.csv", "tencent.csv", "qualtrics.csv", "limesurvey.csv", "kobo.csv", "surveymonkey.csv"]
)
def test_submitted_at_and_duration_normalised(filename):
    lay = fx.LAYOUTS[filename]
    survey = parse_survey(lay.write(ANSWERS), filename)
    cols = survey.columns.set_index("hint", drop=False)
    sub = survey.data[cols.loc["submitted_at", "name"]]
    first = ANSWERS[0].submitted
    if lay.key == "kobo":  # _submission_time is the server's UTC time
        first = first.replace(hour=first.hour - 8)
    # read once, here, into datetimes (tencent writes minutes only) and whole seconds
    want = pd.Timestamp(first.replace(second=0) if lay.key == "tencent" else first)
    assert sub.dtype == "datetime64[ns]" and sub.iloc[0] == want
    if lay.key != "surveymonkey":
        dur = survey.data[cols.loc["duration", "name"]]
        assert dur.dtype == "float64" and dur.iloc[0] == ANSWERS[0].duration  # "59秒", "59.37" → 59


def test_tencent_english_dates():
    survey = parse_survey(fx.LAYOUTS["tencent_en_dates.csv"].write(ANSWERS), "t.csv")
    name = survey.columns.loc[survey.columns["hint"] == "submitted_at", "name"].iloc[0]
    assert survey.data[name].iloc[0] == pd.Timestamp(ANSWERS[0].submitted)


# --------------------------------------------------------------------------- layout details


def test_wjx_codes_multiselect_and_dash_matrix():
    rows = [
        [
            "序号",
            "提交答卷时间",
            "所用时间",
            "来源",
            "来源详情",
            "来自IP",
            "1、请评价—食堂",
            "1、宿舍",
            "第2题(开水房)",
            "第2题(浴室)",
            "3、建议",
        ],
        ["1", "2025/4/3 9:01:11", "1分5秒", "手机提交", "直接访问", "1.2.3.4(湖北-武汉)", "1", "2", "1", "0", "(空)"],
        ["2", "2025/4/3 9:05:11", "70秒", "手机提交", "直接访问", "1.2.3.5(湖北-武汉)", "3", "-3", "0", "1", "好"],
    ]
    survey = parse_survey(_csv(rows, bom=True), "w.csv")
    assert survey.format == "wjx_codes" and survey.value_codes
    c = survey.columns.set_index("name")
    assert (c.loc["1、请评价—食堂", "stem"], c.loc["1、请评价—食堂", "row"]) == ("请评价", "食堂")
    assert (c.loc["1、宿舍", "stem"], c.loc["1、宿舍", "row"], c.loc["1、宿舍", "qnum"]) == ("请评价", "宿舍", 1)
    assert c.loc["第2题(开水房)", "hint"] == "multi" and c.loc["第2题(浴室)", "row"] == "浴室"
    assert survey.data["所用时间"].tolist() == [65.0, 70.0]


def test_wjx_text_export_is_not_taken_by_wjx_codes():
    raw = read_table(fx.wjx_text_gbk(ANSWERS), "w.csv")
    assert ADAPTERS["wjx_codes"].detect(raw) == 0


def test_tencent_multiselect_fill_in_and_trailing_comma():
    rows = [
        [
            "编号",
            "开始答题时间",
            "结束答题时间",
            "答题时长",
            "1.您常去的食堂:一食堂",
            "1.您常去的食堂:二食堂",
            "1.您常去的食堂:其他",
            "1.您常去的食堂:其他_填空1",
            "2.请评价:学生公寓",
            "2.请评价:食堂菜品",
        ],
        ["1", "2026/6/18 14:30", "2026/6/18 14:36", "360", "一食堂", "", "其他", "三食堂", "A.很满意", "B.比较满意"],
        ["2", "2026/6/18 14:31", "2026/6/18 14:37", "355", "", "二食堂", "", "", "C.一般", "F.不了解"],
    ]
    text = _csv(rows, quote_all=True).decode().replace("\r\n", ",\r\n")
    survey = parse_survey(text.encode("utf-8"), "t.csv")
    assert survey.format == "tencent"
    c = survey.columns.set_index("name")
    assert c.loc["1.您常去的食堂:一食堂", "hint"] == "multi"
    assert c.loc["1.您常去的食堂:其他_填空1", "hint"] == "text"
    assert pd.isna(c.loc["2.请评价:学生公寓", "hint"]) and c.loc["2.请评价:学生公寓", "row"] == "学生公寓"
    assert survey.data["2.请评价:学生公寓"].tolist() == ["A.很满意", "C.一般"]  # prefixes left for the scale
    assert survey.data["结束答题时间"].tolist() == [pd.Timestamp("2026-06-18 14:36"), pd.Timestamp("2026-06-18 14:37")]


def test_qualtrics_numeric_is_value_codes_and_previews_dropped():
    data = fx.qualtrics(ANSWERS[:5], numeric=True).decode("utf-8-sig").splitlines()
    fields = list(csv.reader([data[4]]))[0]
    fields[2] = "1"  # Status 1 = Survey Preview in numeric exports
    data[4] = ",".join(fields)
    survey = parse_survey("\n".join(data).encode(), "q.csv")
    assert survey.format == "qualtrics" and survey.value_codes
    assert survey.rows.tolist() == [1, 3, 4, 5]  # data row 2 (the preview) dropped, numbers keep pointing at the file
    assert any("预览" in w for w in survey.warnings)
    c = survey.columns.set_index("name")
    assert (c.loc["Q2_3", "stem"], c.loc["Q2_3", "row"], c.loc["Q2_3", "qnum"]) == (fx.MATRIX_EN, fx.ITEMS_EN[2], 2)
    assert c.loc["ResponseId", "hint"] == "id" and c.loc["RecordedDate", "hint"] == "submitted_at"


def test_qualtrics_text_is_not_value_codes():
    survey = parse_survey(fx.qualtrics(ANSWERS), "q.csv")
    assert not survey.value_codes and len(survey.data) == len(ANSWERS)


def test_surveymonkey_carries_stem_forward():
    survey = parse_survey(fx.surveymonkey(ANSWERS), "s.csv")
    c = survey.columns
    grid = c[c["qnum"] == 2]
    assert grid["stem"].tolist() == [fx.MATRIX_EN] * 4
    assert grid["row"].tolist() == fx.ITEMS_EN
    assert c["name"].is_unique
    assert c.set_index("stem").loc[fx.OVERALL_EN, "row"] is pd.NA


def test_google_forms_grid_checkbox_and_zh_timestamp():
    rows = [
        ["时间戳记", "您的身份", "请评价 [学生公寓]", "请评价 [食堂]", "您常用的服务"],
        ["2025/4/6 上午9:01:00", "学生", "很满意", "一般", "报修;班车"],
        ["2025/4/6 下午1:02:03", "教师", "比较满意", "", "班车"],
        ["2025/4/6 下午3:04:05", "职工", "一般", "很满意", "报修;开水;班车"],
    ]
    survey = parse_survey(_csv(rows, crlf=False), "g.csv")
    assert survey.format == "google_forms"
    c = survey.columns.set_index("name")
    assert (c.loc["请评价 [食堂]", "stem"], c.loc["请评价 [食堂]", "row"]) == ("请评价", "食堂")
    assert c.loc["您常用的服务", "hint"] == "multi"
    assert survey.data["时间戳记"].tolist() == [pd.Timestamp(t) for t in ("2025-04-06 09:01:00", "2025-04-06 13:02:03",
                                                                      "2025-04-06 15:04:05")]


def test_limesurvey_code_headings_and_answer_codes():
    rows = [
        [
            "id",
            "submitdate",
            "lastpage",
            "startlanguage",
            "G01Q01",
            "G01Q02[SQ001]",
            "G01Q02[SQ002]",
            "G02Q03[SQ001]",
            "G02Q03[other]",
        ],
        ["1", "2025-04-06 09:05:00", "2", "zh-Hans", "A2", "A1", "A3", "Y", "abc"],
        ["2", "2025-04-06 09:06:00", "2", "zh-Hans", "A1", "A5", "", "", ""],
    ]
    survey = parse_survey(_csv(rows, sep=";", bom=True, quote_all=True), "l.csv")
    assert survey.format == "limesurvey" and survey.value_codes
    c = survey.columns.set_index("name")
    assert (c.loc["G01Q02[SQ002]", "stem"], c.loc["G01Q02[SQ002]", "row"]) == ("G01Q02", "SQ002")
    assert c.loc["G01Q02[SQ001]", "qnum"] == c.loc["G01Q02[SQ002]", "qnum"] == 2
    assert c.loc["G02Q03[SQ001]", "hint"] == "multi" and c.loc["G02Q03[other]", "hint"] == "text"


def test_limesurvey_full_text_headings():
    survey = parse_survey(fx.limesurvey(ANSWERS), "l.csv")
    c = survey.columns
    grid = c[c["row"].notna()]
    assert grid["stem"].tolist() == [fx.MATRIX_ZH] * 4 and grid["row"].tolist() == fx.ITEMS_ZH
    assert not survey.value_codes
    assert c.set_index("name").loc["interviewtime", "hint"] == "duration"


def test_kobo_paths_meta_and_duration():
    survey = parse_survey(fx.kobo(ANSWERS), "k.csv")
    c = survey.columns.set_index("name")
    assert c.loc["服务评价/学生公寓", "stem"] == "学生公寓"
    assert c.loc["_id", "hint"] == "id" and c.loc["_uuid", "hint"] == "ignore"
    assert c.loc["_duration", "hint"] == "duration"
    assert survey.data["_duration"].tolist() == [float(a.duration) for a in ANSWERS]
    assert survey.data["_id"].tolist() == [a.resp_id for a in ANSWERS]


def test_kobo_multiple_select_option_columns():
    rows = [
        [
            "start",
            "end",
            "q/services",
            "q/services/repair",
            "q/services/bus",
            "_id",
            "_uuid",
            "_submission_time",
            "_index",
        ],
        ["2025-04-06T09:01:00", "2025-04-06T09:03:00", "repair bus", "1", "1", "7", "u1", "2025-04-06T01:03:00", "1"],
    ]
    survey = parse_survey(_csv(rows, sep=";", quote_all=True), "k.csv")
    c = survey.columns.set_index("name")
    assert c.loc["q/services", "hint"] == "multi"
    assert (c.loc["q/services/bus", "stem"], c.loc["q/services/bus", "row"], c.loc["q/services/bus", "hint"]) == (
        "services",
        "bus",
        "multi",
    )


# --------------------------------------------------------------------------- messy reality


def _messy_surveymonkey(extra_rows, *, crlf=True, bom=False, blank_col=False) -> bytes:
    text = fx.surveymonkey(ANSWERS[:6]).decode()
    rows = list(csv.reader(io.StringIO(text)))
    rows = rows[:5] + extra_rows(rows) + rows[5:]
    if blank_col:
        rows = [r + [""] for r in rows]
    return _csv(rows, crlf=crlf, bom=bom)


def test_repeated_header_rows_dropped_with_warning():
    data = _messy_surveymonkey(lambda rows: [rows[0], rows[1]])
    survey = parse_survey(data, "s.csv")
    assert len(survey.data) == 6
    assert survey.rows.tolist() == [1, 2, 3, 6, 7, 8]  # data rows 4 and 5 were the repeated headers
    assert any("重复的表头" in w for w in survey.warnings)


@pytest.mark.parametrize("first_cell", ["合计", "总计", "Total"])
def test_total_row_by_first_cell_dropped(first_cell):
    rows = [fx.wjx_header()] + [
        ["1", "2025/4/3 9:01:11", "59秒", "手机", "直接访问", "1.1.1.1", "1", "2", "3", "1", "1", "2", "(空)"],
        ["2", "2025/4/3 9:02:11", "88秒", "手机", "直接访问", "1.1.1.2", "2", "1", "1", "2", "5", "3", "(空)"],
        [first_cell, "", "", "", "", "", "3", "3", "4", "3", "6", "5", ""],
    ]
    survey = parse_survey(_csv(rows, bom=True), "w.csv")
    assert len(survey.data) == 2 and any("合计" in w for w in survey.warnings)


def test_total_row_of_numbers_under_text_answers_dropped():
    data = fx.google_forms(ANSWERS[:8]).decode()
    data += ",,8," + ",".join(["7"] * 5) + ",3\n"  # a COUNT row someone added in Excel
    survey = parse_survey(data.encode(), "g.csv")
    assert len(survey.data) == 8
    assert any("合计" in w for w in survey.warnings)


def test_scientific_notation_ids_flagged_and_kept():
    rows = [fx.wjx_header()] + [
        [
            "2.01901E+11",
            "2025/4/3 9:01:11",
            "59秒",
            "手机",
            "直接访问",
            "1.1.1.1",
            "1",
            "2",
            "3",
            "1",
            "1",
            "2",
            "(空)",
        ],
        [
            "2.01901E+11",
            "2025/4/3 9:02:11",
            "88秒",
            "手机",
            "直接访问",
            "1.1.1.2",
            "2",
            "1",
            "1",
            "2",
            "5",
            "3",
            "(空)",
        ],
    ]
    survey = parse_survey(_csv(rows), "w.csv")
    assert survey.data["序号"].tolist() == ["2.01901E+11", "2.01901E+11"]
    assert any("科学计数法" in w and "2.01901E+11" in w for w in survey.warnings)


@pytest.mark.parametrize("crlf", [True, False])
@pytest.mark.parametrize("bom", [True, False])
def test_bom_line_ends_blank_rows_and_columns(crlf, bom):
    data = _messy_surveymonkey(lambda rows: [[""] * len(rows[0])], crlf=crlf, bom=bom, blank_col=True)
    survey = parse_survey(data, "s.csv")
    assert survey.format == "surveymonkey"
    assert len(survey.data) == 6
    assert survey.columns["name"].iloc[0] == "Respondent ID"
    assert survey.data.shape[1] == 12


def test_header_only_file_is_a_clear_valueerror():
    rows = fx.qualtrics(ANSWERS[:1]).decode("utf-8-sig").splitlines()[:3]
    with pytest.raises(ValueError, match="没有答卷"):
        parse_survey("\n".join(rows).encode(), "q.csv")


# --------------------------------------------------------------------------- helpers


def test_concatenated_qualtrics_exports_drop_all_three_header_rows():
    first = fx.qualtrics(ANSWERS[:4]).decode("utf-8-sig").splitlines()
    second = fx.qualtrics(ANSWERS[4:7]).decode("utf-8-sig").splitlines()
    survey = parse_survey(("\n".join(first + second) + "\n").encode("utf-8"), "q.csv")
    assert len(survey.data) == 7
    assert survey.rows.tolist() == [1, 2, 3, 4, 8, 9, 10]  # data rows 5-7 were the second file's headers
    assert any("重复的表头" in w for w in survey.warnings)


def test_surveymonkey_as_xlsx_workbook():
    from openpyxl import Workbook

    rows = list(csv.reader(io.StringIO(fx.surveymonkey(ANSWERS[:5]).decode())))
    wb = Workbook()
    for r in rows:
        wb.active.append([int(v) if v.isdigit() else (v or None) for v in r])
    buf = io.BytesIO()
    wb.save(buf)
    survey = parse_survey(buf.getvalue(), "s.xlsx")
    assert survey.format == "surveymonkey" and len(survey.data) == 5
    assert survey.data["Respondent ID"].tolist() == [f"1142{a.resp_id}" for a in ANSWERS[:5]]
    assert survey.columns["row"].dropna().tolist() == fx.ITEMS_EN


@pytest.mark.parametrize("sep", [";", ", "])
def test_google_forms_checkbox_separators_but_not_free_text(sep):
    rows = [
        ["Timestamp", "Services you use", "Any other suggestions?"],
        ["2025/04/06 9:01:00 AM GMT+8", sep.join(["Repair", "Bus"]), "Good food, but pricey"],
        ["2025/04/06 9:02:00 AM GMT+8", "Bus", "Too noisy; fix the windows"],
        ["2025/04/06 9:03:00 AM GMT+8", sep.join(["Repair", "Hot water", "Bus"]), "none"],
    ]
    survey = parse_survey(_csv(rows), "g.csv")
    hints = survey.columns.set_index("name")["hint"]
    assert hints["Services you use"] == "multi"
    assert pd.isna(hints["Any other suggestions?"])


def test_surveymonkey_chinese_interface_headings():
    rows = [
        ["受访者 ID", "收集器 ID", "开始日期", "结束日期", "IP 地址", "您的身份", "请评价：", "", "总体满意度"],
        ["", "", "", "", "", "回复", "学生公寓", "食堂", "回复"],
        [
            "114200000001",
            "431200001",
            "04/06/2025 09:01:00 AM",
            "04/06/2025 09:05:00 AM",
            "1.2.3.4",
            "学生",
            "很满意",
            "一般",
            "比较满意",
        ],
    ]
    survey = parse_survey(_csv(rows, bom=True), "s.csv")
    assert survey.format == "surveymonkey"
    c = survey.columns.set_index("name")
    assert c.loc["受访者 ID", "hint"] == "id" and c.loc["结束日期", "hint"] == "submitted_at"
    assert (c.loc["请评价： - 食堂", "stem"], c.loc["请评价： - 食堂", "row"]) == ("请评价：", "食堂")
    assert survey.data["结束日期"].tolist() == [pd.Timestamp("2025-04-06 09:05:00")]


def test_scientific_notation_in_generic_and_wjx_text_layouts():
    """The lead's adapters (generic, wjx_text) report Excel-mangled numbers the same way."""
    generic = [["学号", "身份", "学生公寓满意度"], ["2.01901E+11", "学生", "很满意"], ["2.01902E+11", "学生", "一般"]]
    survey = parse_survey(_csv(generic, bom=True), "g.csv")
    assert survey.format == "generic"
    assert any("科学计数法" in w and "学号" in w for w in survey.warnings)
    wjx = [fx.wjx_header() + ["手机号"]] + [
        fx._wjx_meta(ANSWERS[0], 1) + ["学生", "很满意", "一般", "很满意", "一般", "很满意", "(空)", "1.38001E+10"]
    ]
    survey = parse_survey(_csv(wjx), "w.csv")
    assert survey.format == "wjx_text"
    assert any("科学计数法" in w and "手机号" in w for w in survey.warnings)


def test_numeric_total_row_in_generic_and_wjx_text_layouts():
    generic = [
        ["编号", "身份", "学生公寓满意度", "食堂满意度"],
        ["1", "学生", "很满意", "一般"],
        ["2", "教师", "一般", "很满意"],
        ["3", "学生", "比较满意", "一般"],
        ["", "3", "3", "3"],
    ]
    survey = parse_survey(_csv(generic, bom=True), "g.csv")
    assert survey.format == "generic" and len(survey.data) == 3
    assert any("合计" in w for w in survey.warnings)
    rows = [fx.wjx_header()] + [
        fx._wjx_meta(a, i) + [fx.ROLES_ZH[a.role]] + [fx._label(fx.ZH, p, "(跳过)") for p in a.items] + ["(空)"]
        for i, a in enumerate(ANSWERS[:5], 1)
    ]
    rows.append(["", "", "", "", "", "", "5", "5", "5", "5", "5", "5", "0"])
    survey = parse_survey(_csv(rows).decode().encode("gb18030"), "w.csv")
    assert survey.format == "wjx_text" and len(survey.data) == 5
    assert any("合计" in w for w in survey.warnings)


def test_wjx_codes_detected_with_many_open_questions():
    head = [
        "序号",
        "提交答卷时间",
        "所用时间",
        "来源",
        "来源详情",
        "来自IP",
        "1、您的身份",
        "2、公寓满意度",
        "3、建议一",
        "4、建议二",
        "5、建议三",
    ]
    meta = ["1", "2025/4/3 9:01:11", "59秒", "手机提交", "直接访问", "1.2.3.4"]
    codes = [head, meta + ["1", "2", "宿舍太吵", "食堂贵", "无"], meta + ["2", "1", "还行", "(空)", "好"]]
    assert parse_survey(_csv(codes, bom=True), "w.csv").format == "wjx_codes"  # 2 of 5 question columns numeric
    text = [
        head,
        meta + ["学生", "比较满意", "宿舍太吵", "食堂贵", "无"],
        meta + ["教师", "很满意", "还行", "(空)", "1"],
    ]
    assert parse_survey(_csv(text, bom=True), "w.csv").format == "wjx_text"


def test_qualtrics_legacy_two_header_rows():
    rows = [
        ["ResponseID", "IPAddress", "StartDate", "EndDate", "Finished", "Q1", "Q2_1", "Q2_2"],
        [
            "ResponseID",
            "IPAddress",
            "StartDate",
            "EndDate",
            "Finished",
            "Your role",
            "Please rate - Canteen",
            "Please rate - Hot water",
        ],
        ["R_1", "1.2.3.4", "2025-04-06 09:01:00", "2025-04-06 09:05:00", "1", "Student", "Satisfied", "Neutral"],
        ["R_2", "1.2.3.5", "2025-04-06 09:02:00", "2025-04-06 09:07:00", "1", "Staff", "Very satisfied", ""],
    ]
    survey = parse_survey(_csv(rows), "q.csv")
    assert survey.format == "qualtrics" and len(survey.data) == 2 and not survey.value_codes
    c = survey.columns.set_index("name")
    assert c.loc["ResponseID", "hint"] == "id" and c.loc["EndDate", "hint"] == "submitted_at"
    assert (c.loc["Q2_2", "stem"], c.loc["Q2_2", "row"]) == ("Please rate", "Hot water")


# --------------------------------------------------------------------------------------------
# The layout heuristics' samples: the Arrow cleaning equals pandas' text_column
# --------------------------------------------------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_CELLS = ["a", " a ", "", "  ", None, "满意", "\u3000满意\u3000", "\t1\n", "0", "x y"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_CELLS), max_size=40), st.integers(0, 3), st.sampled_from([1, 3, 10, 100]))
def test_first_present_equals_cleaning_the_whole_column(cells, skip, limit):
    from analysis.ingest.platforms._common import _first_present, text_column

    for series in (pd.Series(pd.array(cells, dtype="str")).iloc[skip:], pd.Series(cells, dtype=object).iloc[skip:]):
        want = text_column(series).dropna().iloc[:limit]  # strip, blank → NA, the first `limit` kept
        pd.testing.assert_series_equal(_first_present(series, limit), want)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["", "  ", None, "\u3000"]), max_size=120), st.lists(st.sampled_from(_CELLS), max_size=30),
       st.integers(0, 3), st.integers(1, 4))
def test_first_present_value_is_the_first_cleaned_value(blanks, rest, skip, n_chunks):
    import pyarrow as pa

    from analysis.ingest.platforms._common import first_present_value, text_column

    cells = blanks + rest  # long blank heads: the search runs through several windows

    step = max(1, len(cells) // n_chunks)
    arrow = pa.chunked_array([pa.array(cells[i : i + step], type=pa.large_string())
                              for i in range(0, len(cells), step)] or [pa.array([], type=pa.large_string())])
    for series in (pd.Series(pd.array(arrow, dtype="str")).iloc[skip:], pd.Series(cells, dtype=object).iloc[skip:]):
        want = text_column(series).dropna()  # the whole column cleaned: the reference
        assert first_present_value(series) == (str(want.iloc[0]) if len(want) else None)


def test_first_present_value_at_every_position_of_the_search_windows():
    from analysis.ingest.platforms._common import first_present_value

    for k in range(0, 400):  # windows of 16, 64, 256 …: every boundary is crossed
        cells = [" "] * k + [f"v{k}", "later"]
        assert first_present_value(pd.Series(pd.array(cells, dtype="str"))) == f"v{k}"
    assert first_present_value(pd.Series(pd.array(["", None, " "], dtype="str"))) is None


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_CELLS), min_size=2, max_size=2), min_size=1, max_size=30))
def test_distinct_values_are_the_sample_values_in_first_seen_order(rows):
    from analysis.ingest.platforms._common import distinct_values, values_of
    from analysis.ingest.readers import RawTable

    frame = pd.DataFrame([["h1", "h2"], *rows]).astype("str")
    raw = RawTable(frame=frame, encoding="utf-8", separator=",", kind="csv")
    for col in (0, 1):
        assert distinct_values(raw, col, 1) == list(dict.fromkeys(values_of(raw, col, 1)))


_SCI_CELLS = ["2.01901E+11", " 1.5e3 ", "1e5", "12345", "", None, "abc", "Ee", "2,5E+04", "3.0E+2x"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_SCI_CELLS), min_size=3, max_size=3), min_size=1, max_size=12),
       st.sampled_from([None, "id"]))
def test_sci_notation_warnings_follow_their_definition(rows, hint):
    # the rule as documented, value by value: a column is reported when it has a value in the
    # notation and it is a sure id, its name suggests a number, or all its values are in it
    from analysis.ingest.platforms._common import SCI_NOTATION, sci_notation_warnings

    data = pd.DataFrame(rows, columns=["学号", "答案", "备注"]).astype("str")
    want = set()
    for name in data.columns:
        vals = [str(v).strip() for v in data[name] if not pd.isna(v) and str(v).strip()]
        n_sci = sum(bool(SCI_NOTATION.match(v)) for v in vals)
        if n_sci and (name == "学号" or (hint == "id" and name == "答案") or n_sci == len(vals)):
            want.add(name)
    got = {name for name in data.columns
           for w in sci_notation_warnings(data, {"答案": hint}) if w.startswith(f"“{name}”")}
    assert got == want
