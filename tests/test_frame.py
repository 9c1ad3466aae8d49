"""ui.frame URL state and ui.i18n: pure helpers (no Streamlit run needed). Expected values by hand."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ui.frame import DEFAULT_K, PAGES, UrlState, parse_state, state_params
from ui.i18n import LANGS, area_label, fmt_int, fmt_pct, fmt_pp, t
from ui.strings_core import STRINGS


def test_parse_state_defaults():
    s = parse_state({})
    assert s == UrlState(
        lang="zh", present=False, wave=None, area="", by="group", basic=False, exclude_flagged=False, k=5
    )


def test_parse_state_reads_every_parameter():
    s = parse_state(
        {
            "lang": "en",
            "present": "1",
            "wave": "7",
            "area": "catering",
            "by": "校区",
            "basic": "1",
            "exclude_flagged": "true",
            "k": "10",
        }
    )
    assert s == UrlState("en", True, "7", "catering", "校区", True, True, 10)


@pytest.mark.parametrize(
    "params, field, expected",
    [
        ({"lang": "fr"}, "lang", "zh"),
        ({"k": "abc"}, "k", DEFAULT_K),
        ({"k": "0"}, "k", DEFAULT_K),
        ({"k": "1000"}, "k", DEFAULT_K),
        ({"present": "0"}, "present", False),
        ({"basic": "no"}, "basic", False),
        ({"wave": ""}, "wave", None),
        ({"k": ["3", "8"]}, "k", 8),  # repeated parameter: the last one wins, as in the browser
    ],
)
def test_parse_state_invalid_values_fall_back(params, field, expected):
    assert getattr(parse_state(params), field) == expected


def test_state_params_leaves_defaults_out_but_keeps_the_wave():
    assert state_params(UrlState()) == {}
    assert state_params(UrlState(wave="3")) == {"wave": "3"}
    assert state_params(UrlState(lang="en", k=7, basic=True), present=True) == {
        "lang": "en",
        "present": "1",
        "basic": "1",
        "k": "7",
    }


@given(
    lang=st.sampled_from(list(LANGS)),
    present=st.booleans(),
    wave=st.one_of(st.none(), st.from_regex(r"[0-9]{1,4}", fullmatch=True)),
    area=st.sampled_from(["", "catering", "accommodation"]),
    by=st.sampled_from(["group", "校区", "college"]),
    basic=st.booleans(),
    excl=st.booleans(),
    k=st.integers(5, 100),
)
def test_state_round_trips_through_the_url(lang, present, wave, area, by, basic, excl, k):
    s = UrlState(lang, present, wave, area, by, basic, excl, k)
    assert parse_state(state_params(s)) == s


@pytest.mark.parametrize("k", ["1", "2", "4"])
def test_url_k_below_the_configured_threshold_is_ignored(k, monkeypatch):
    # issue 10, finding 1: a URL may only raise the threshold
    monkeypatch.delenv("SURVEY_MIN_GROUP", raising=False)
    assert parse_state({"k": k}).k == 5
    monkeypatch.setenv("SURVEY_MIN_GROUP", "8")
    assert parse_state({"k": "7"}).k == 5 and parse_state({"k": "9"}).k == 9  # 5 → raised to 8 by the frame


def test_pages_registry_points_at_the_page_files():
    assert list(PAGES) == ["overview", "areas", "trends", "compare", "quality", "priorities", "feedback", "actions", "data", "admin"]
    assert [p.path for p in PAGES.values()][0] == "pages/1_overview.py"
    assert PAGES["data"].manager_only and not PAGES["overview"].manager_only


def test_every_core_string_has_both_languages():
    missing = [k for k, v in STRINGS.items() if not v.get("zh") or not v.get("en")]
    assert missing == []
    for key in ("nav_overview", "nav_areas", "nav_trends", "nav_compare", "nav_quality", "nav_priorities", "nav_data"):
        assert key in STRINGS


def test_t_translates_formats_and_falls_back():
    assert t("nav_overview", "zh") == "总览"
    assert t("nav_overview", "en") == "Overview"
    assert t("n_short", "en", n=150) == "n = 150"
    assert t("no_such_key", "en") == "no_such_key"
    assert t("n_short", "en") == "n = {n}"  # missing format argument: the text, not a crash


def test_number_formats():
    assert fmt_pct(0.915) == "91.5%"
    assert fmt_pct(0.96) == "96.0%"
    assert fmt_pct(None) == "—" and fmt_pct(float("nan")) == "—"
    assert fmt_pp(2.345, "en") == "+2.3 pp"
    assert fmt_pp(-1.0, "zh") == "-1.0 个百分点"
    assert fmt_int(4000) == "4,000"


def test_area_names_are_bilingual():
    assert area_label("catering", "zh") == "餐饮/食堂"
    assert area_label("catering", "en") == "Catering"
    assert area_label("", "en") == "All areas"


def test_data_page_strings_are_merged_in():
    data = pytest.importorskip("ui.strings_data")
    key, entry = next(iter(data.STRINGS.items()))
    assert key not in STRINGS  # the two files do not fight over keys
    assert t(key, "en") == entry["en"] and t(key, "zh") == entry["zh"]
    assert not set(data.STRINGS) & set(STRINGS)
