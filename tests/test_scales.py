"""Scale registry, label normalisation and matching (expected values by hand from DESIGN.md)."""

import pytest

from analysis.scales import SCALES, custom_scale, get_scale, match_scale, normalize_label


def test_codes_run_worst_to_best():
    s = SCALES["zh5_very"]
    assert [s.code_of(x) for x in ["非常满意", "满意", "一般", "不满意", "非常不满意"]] == [5, 4, 3, 2, 1]
    assert s.label_of(5) == "非常满意" and s.label_of(1) == "非常不满意"


@pytest.mark.parametrize(
    "raw,expected",
    [("A.很满意", "很满意"), ("Ｂ．比较满意", "比较满意"), (" 很 满意 ", "很满意"), ("（空）", "(空)"),
     ("Very  Satisfied", "very satisfied"), ("Don’t know", "don't know"), ("C、一般", "一般")],
)
def test_normalize_label(raw, expected):
    assert normalize_label(raw) == expected


def test_default_satisfied_is_above_midpoint_and_basic_adds_jiben():
    assert SCALES["zh5_very"].satisfied_codes() == {4, 5}
    assert SCALES["zh4"].satisfied_codes() == {3, 4}  # no midpoint: top half
    assert SCALES["zh3"].satisfied_codes() == {3}
    assert SCALES["zh3"].satisfied_codes(basic_satisfied=True) == {2, 3}
    assert SCALES["zh5_basic"].satisfied_labels(True) == ["非常满意", "满意", "基本满意"]
    # the 好差评 switch changes nothing on a scale without 基本满意
    assert SCALES["zh5_hen"].satisfied_codes(True) == {4, 5}


def test_match_prefers_full_coverage_and_ignores_na_and_missing():
    assert match_scale(["很满意", "比较满意", "一般", "不太满意", "很不满意", "不了解", "(跳过)"]).name == "zh5_hen"
    assert match_scale(["A.很满意", "B.比较满意", "E.很不满意"]).name == "zh5_hen"
    assert match_scale(["满意", "基本满意", "不满意"]).name == "zh3"
    assert match_scale(["非常满意", "满意", "基本满意", "不满意"]).name == "zh5_basic"
    assert match_scale(["Extremely satisfied", "Somewhat dissatisfied"]).name == "en5_extremely"
    assert match_scale(["Neither satisfied nor dissatisfied", "Very satisfied"]).name == "en5"
    assert match_scale(["学生", "教师"]) is None
    assert match_scale(["(空)", "不了解"]) is None


def test_custom_scale_and_unknown_name():
    s = custom_scale("好|中|差")
    assert s.k == 3 and s.code_of("好") == 3 and s.satisfied_codes() == {3}
    with pytest.raises(ValueError, match="至少两个"):
        custom_scale("好")
    with pytest.raises(ValueError, match="unknown scale"):
        get_scale("nope")
