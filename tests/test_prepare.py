"""analysis.prepare.prepare_wave: the one path from a file to a wave ready to store.

Fixture: the 问卷星 sheet of tests/fixtures.py (12 respondents; hand counts there).
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import prepare
from analysis.codebook import questionnaire_key, suggest_codebook
from analysis.ingest import parse_survey
from analysis.prepare import prepare_wave
from tests import fixtures


def test_the_suggestion_when_nothing_is_saved_and_it_is_not_saved_again():
    asked = []
    wave = prepare_wave(fixtures.wjx_text_gbk(), "w.csv", saved=lambda key: asked.append(key))
    survey = parse_survey(fixtures.wjx_text_gbk(), "w.csv")
    assert asked == [questionnaire_key(survey)] == [wave.key]
    pd.testing.assert_frame_equal(wave.codebook.reset_index(drop=True), suggest_codebook(survey))
    assert not wave.save_codebook and wave.n_responses == 12 and len(wave.dataset.items) == 5


def test_a_saved_codebook_is_applied_and_a_given_one_saved():
    survey = parse_survey(fixtures.wjx_text_gbk(), "w.csv")
    cb = suggest_codebook(survey)
    cb.loc[cb["role"] == "likert", "area"] = "catering"  # an edit a manager made once
    wave = prepare_wave(fixtures.wjx_text_gbk(), "w.csv", saved=lambda key: cb)
    assert set(wave.dataset.items["area"]) == {"catering"} and not wave.save_codebook
    given = prepare_wave(fixtures.wjx_text_gbk(), "w.csv", cb, saved=lambda key: pytest.fail("not asked"))
    assert given.save_codebook and set(given.dataset.items["area"]) == {"catering"}


def test_the_callers_survey_is_not_parsed_again(monkeypatch):
    survey = parse_survey(fixtures.wjx_text_gbk(), "w.csv")
    monkeypatch.setattr(prepare, "parse_survey", lambda *a, **k: pytest.fail("parsed a second time"))
    wave = prepare_wave(fixtures.wjx_text_gbk(), "w.csv", survey=survey)
    assert wave.survey is survey and wave.data == fixtures.wjx_text_gbk()


def test_the_coded_dataset_is_handed_over_before_screening():
    seen = []
    wave = prepare_wave(fixtures.wjx_text_gbk(), "w.csv", coded=lambda ds: seen.append(len(ds.flags)))
    assert seen == [0] and wave.dataset.flags is not None and "reasons" in wave.dataset.flags


def test_an_unreadable_file_says_so():
    with pytest.raises(ValueError, match="满意度评分题"):
        prepare_wave("姓名,部门\n张三,总务处\n李四,膳食科\n".encode(), "x.csv")
