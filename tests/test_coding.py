"""analysis.coding: items, respondents and texts coded from a Survey, and the off-scale cells listed.

A small hand-written sheet; expected codes and cells are read off the sheet by hand (很满意 = 5 … 很不满意 = 1
on the zh5_hen scale; "还行" and "满意吧" are on no scale).
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.codebook import suggest_codebook
from analysis.coding import code_items, code_respondents, code_texts, code_wave
from analysis.ingest import parse_survey

SHEET = (
    "编号,用时,身份,宿舍满意度,食堂满意度,意见建议\n"
    "1,120,学生,很满意,还行,热水不稳定\n"
    "2,02:05,教师,一般,很不满意,\n"
    "3,90秒,B.职工,满意吧,比较满意,无\n"
    "4,,学生,不太满意,还行,食堂太挤\n"
).encode()


@pytest.fixture()
def survey():
    return parse_survey(SHEET, "hand.csv")


def _codebook(survey):
    """What a user sets for this sheet: the two ratings on the 很满意 … 很不满意 scale."""
    cb = suggest_codebook(survey)
    rated = cb["column"].isin(["宿舍满意度", "食堂满意度"])
    cb.loc[rated, "role"], cb.loc[rated, "scale"] = "likert", "zh5_hen"
    cb.loc[cb["column"] == "身份", "role"] = "group"
    cb.loc[cb["column"] == "意见建议", "role"] = "text"
    return cb


def _codes(values) -> list:
    return [None if pd.isna(v) else int(v) for v in values]


def test_code_items_codes_and_lists_every_off_scale_cell(survey):
    cb = _codebook(survey)
    coded = code_items(survey, cb)
    assert _codes(coded.answers["宿舍满意度"]) == [5, 3, None, 2]
    assert _codes(coded.answers["食堂满意度"]) == [None, 1, 4, None]
    assert coded.unknown.to_dict("records") == [
        {"row": 3, "column": "宿舍满意度", "value": "满意吧"},
        {"row": 1, "column": "食堂满意度", "value": "还行"},
        {"row": 4, "column": "食堂满意度", "value": "还行"},
    ]
    assert coded.items.set_index("item")["n_unknown"].to_dict() == {"宿舍满意度": 1, "食堂满意度": 2}
    assert any("还行" in w and "×2" in w for w in coded.warnings)


def test_code_respondents_and_texts(survey):
    cb = _codebook(survey)
    resp, attributes = code_respondents(survey, cb)
    assert resp["resp_id"].tolist() == ["1", "2", "3", "4"]
    assert resp["duration_s"].tolist()[:3] == [120.0, 125.0, 90.0] and pd.isna(resp["duration_s"].iloc[3])
    assert resp["group"].tolist() == ["学生", "教师", "职工", "学生"]  # letter prefix dropped
    texts = code_texts(survey, cb)
    assert texts["意见建议"].tolist()[0] == "热水不稳定" and pd.isna(texts["意见建议"].iloc[1])


def test_code_wave_is_apply_codebook_plus_the_cells(survey):
    from analysis.coding import apply_codebook

    ds, unknown = code_wave(survey, _codebook(survey))
    again = apply_codebook(survey, _codebook(survey))
    pd.testing.assert_frame_equal(ds.answers, again.answers)
    pd.testing.assert_frame_equal(ds.respondents, again.respondents)
    assert len(unknown) == 3 and ds.warnings == again.warnings


def test_a_rating_column_without_a_scale_is_refused(survey):
    cb = _codebook(survey)
    cb.loc[cb["column"] == "宿舍满意度", "scale"] = ""
    with pytest.raises(ValueError, match="选项序号"):
        code_items(survey, cb)
