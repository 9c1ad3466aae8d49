"""Codebook suggestion and application on 问卷星 text (GBK), generic UTF-8-BOM and XLSX fixtures.

Expected counts are hand counts over tests/fixtures.ANSWERS (``hand_counts`` tallies the raw strings).
"""

import pandas as pd
import pytest

from analysis.codebook import (
    apply_codebook,
    codebook_to_csv,
    load_dataset,
    parse_codes,
    questionnaire_key,
    read_codebook,
    suggest_codebook,
)
from analysis.ingest import parse_survey
from tests import fixtures

FIVE = fixtures.SCALE  # best → worst; code = 5 - index


def _expected_codes(col: int) -> dict[int, int]:
    counts = fixtures.hand_counts(col)
    return {5 - i: counts.get(label, 0) for i, label in enumerate(FIVE) if counts.get(label, 0)}


@pytest.mark.parametrize("maker,fmt", [(fixtures.wjx_text_gbk, "wjx_text"), (fixtures.wjx_xlsx, "wjx_text"),
                                       (fixtures.wjx_xls, "wjx_text"),
                                       (fixtures.generic_utf8_bom, "generic")])
def test_counts_match_hand_counts(maker, fmt):
    ds = load_dataset(maker(), "f.csv")
    assert ds.format == fmt
    assert ds.n == len(fixtures.ANSWERS)
    assert list(ds.items["area"]) == ["accommodation", "catering", "maintenance", "utilities", "overall"]
    for j, item in enumerate(ds.items["item"], start=1):
        got = ds.answers[item].value_counts().to_dict()
        assert {int(k): int(v) for k, v in got.items()} == _expected_codes(j)


def test_hand_counted_first_item():
    # 学生公寓: 很满意 3, 比较满意 4, 一般 1, 不太满意 1, 很不满意 1, skipped 2 (counted on paper)
    ds = load_dataset(fixtures.wjx_text_gbk(), "f.csv")
    col = ds.answers.iloc[:, 0]
    assert col.notna().sum() == 10 and (col >= 4).sum() == 7
    it = ds.items.iloc[0]
    assert (it["label"], it["n_missing"], it["n_not_applicable"]) == ("学生公寓", 2, 0)
    assert ds.items.iloc[1]["n_not_applicable"] == 2  # 食堂菜品: 不了解 twice


def test_respondent_table_from_wjx_meta_columns():
    ds = load_dataset(fixtures.wjx_text_gbk(), "f.csv")
    r = ds.respondents
    assert list(r["row"]) == list(range(1, 13))
    assert r["duration_s"].iloc[0] == 77 and r["ip"].iloc[0] == "58.19.2.1"
    assert r["submitted_at"].iloc[0] == pd.Timestamp("2025-04-01 09:01:11")
    assert sorted(r["group"].unique()) == sorted({a[0] for a in fixtures.ANSWERS})
    assert "其他建议" in ds.texts.columns and ds.texts["其他建议"].notna().sum() == 5


def test_codebook_roundtrip_and_override():
    survey = parse_survey(fixtures.wjx_text_gbk(), "f.csv")
    cb = suggest_codebook(survey)
    again = read_codebook(codebook_to_csv(cb).encode("utf-8-sig"))
    assert list(again["role"]) == list(cb["role"])
    # the user moves 开水供应 to another area and drops the overall item
    again.loc[again["label"] == "开水供应", "area"] = "accommodation"
    again.loc[again["label"].str.startswith("总体"), "role"] = "ignore"
    ds = apply_codebook(survey, again)
    assert list(ds.items["area"]) == ["accommodation", "catering", "maintenance", "accommodation"]
    assert questionnaire_key(survey) == questionnaire_key(parse_survey(fixtures.wjx_xlsx(), "f.xlsx"))


def test_unknown_labels_are_reported_not_dropped_silently():
    data = fixtures.wjx_text_gbk().decode("gb18030").replace("很不满意", "超级不满意", 1).encode("gb18030")
    survey = parse_survey(data, "f.csv")
    cb = suggest_codebook(survey)
    ds = apply_codebook(survey, cb)
    assert ds.items.iloc[0]["n_unknown"] == 1
    assert any("超级不满意" in w for w in ds.warnings)


def test_numeric_codes_need_a_codebook():
    header = "序号,提交答卷时间,所用时间,来源,来源详情,来自IP,第1题(学生公寓),第1题(食堂菜品)\n"
    rows = "".join(f"{i},2025/4/1 9:00:00,100秒,手机提交,直接访问,1.1.1.{i},{i % 5 + 1},{(i + 2) % 5 + 1}\n"
                   for i in range(1, 11))
    data = (header + rows).encode("utf-8-sig")
    survey = parse_survey(data, "codes.csv", format="wjx_text")
    survey.value_codes = True
    with pytest.raises(ValueError, match="codebook|编码表"):
        apply_codebook(survey)
    cb = suggest_codebook(survey)
    mask = cb["role"] == "likert"
    cb.loc[mask, "scale"] = "zh5_hen"
    cb.loc[mask, "codes"] = "1=很满意;2=比较满意;3=一般;4=不太满意;5=很不满意"
    ds = apply_codebook(survey, cb)
    # code 1 (best option) → 5 on our worst→best scale; rows i=4,9 answered 1 for 学生公寓
    assert int((ds.answers.iloc[:, 0] == 5).sum()) == 2


def test_read_codebook_rejects_bad_rows():
    with pytest.raises(ValueError, match="role"):
        read_codebook("column,role\n序号,banana\n")
    with pytest.raises(ValueError, match="缺少列"):
        read_codebook("a,b\n1,2\n")
    with pytest.raises(ValueError, match="codes"):
        parse_codes("1:很满意")


def test_no_likert_items_is_a_clear_error():
    with pytest.raises(ValueError, match="评分题"):
        load_dataset("姓名,部门\n张三,总务处\n李四,膳食科\n".encode())


def test_codebook_csv_neutralises_formulas_and_round_trips():
    # A header planted as a spreadsheet formula (CSV injection, OWASP) must not be live in the export.
    header = "序号,提交答卷时间,=HYPERLINK(\"http://x\"),第2题(学生公寓),第2题(食堂菜品)\n"
    body = "".join(f"{i},2025/4/1 9:00:0{i},x{i},很满意,一般\n" for i in range(1, 7))
    survey = parse_survey((header + body).encode("utf-8"), "f.csv")
    text = codebook_to_csv(suggest_codebook(survey))
    assert "\n'=HYPERLINK" in text.replace('"', "")
    assert not any(line.startswith(("=", "+", "@")) for line in text.splitlines())
    back = read_codebook(text.encode("utf-8"))
    assert '=HYPERLINK("http://x")' in list(back["column"])
    ds = apply_codebook(survey, back)
    assert list(ds.items["label"]) == ["学生公寓", "食堂菜品"]
