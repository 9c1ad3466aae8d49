"""ui.loaders: cached computations are named by the function itself (issue 11), guarded ones by
anonymity carry both thresholds in their cache key and, with screened responses excluded, the
unfiltered wave as baseline (issue 10).

The store is the demo (its 2021 wave: 411 responses, 6 flagged by screening; groups 学生 337,
教师 44, 职工 27, 家长 3 — the counts stated in analysis/demo.py and tests/test_hardening_anonymity.py).
Cache behaviour is observed with a counting computation defined here, so a test fails if a
threshold were left out of the key (the second call would be answered from the cache).
"""

from __future__ import annotations

import inspect

import pytest

from analysis import store
from ui import loaders


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('loaders')}/demo.db"
    store.ensure_demo(store.get_engine(url))
    return url


@pytest.fixture
def wave(demo_url, monkeypatch):
    monkeypatch.setenv("SURVEY_DB_URL", demo_url)
    loaders._compute.clear()
    version = loaders.data_version()
    waves = loaders.waves(version)
    wid = str(waves.loc[waves["period"] == "2021-10", "id"].iloc[0])
    return version, wid


CALLS: list[dict] = []


@loaders.computation(guarded=True)
def _counted(ds, *, k, base_k, baseline=None, extra=None):
    CALLS.append({"n": ds.n, "k": k, "base_k": base_k, "baseline_n": None if baseline is None else baseline.n})
    return len(CALLS)


@loaders.computation()
def _counted_plain(ds, *, baseline=None):
    CALLS.append({"n": ds.n, "baseline_n": None if baseline is None else baseline.n})
    return len(CALLS)


def test_the_guarded_computations_are_the_ones_issue_10_names():
    # issue 10: every table with per-key figures a filter or a group breakdown could expose (the
    # priorities table too: its items' rates move when screened responses are excluded)
    want = {"item_summary", "area_summary", "label_counts", "group_summary", "group_tests", "area_group_tests", "ipa"}
    public = {name: getattr(loaders, name) for name in loaders.__all__}
    marked = {name for name, fn in public.items() if hasattr(fn, "cache_key")}
    assert {name for name in marked if loaders.is_guarded(public[name])} == want
    assert marked - want == {"definition", "reliability", "validity", "screening"}
    for name in marked:  # a guarded function takes both thresholds; an unguarded one takes neither
        params = inspect.signature(public[name]).parameters
        assert ({"k", "base_k", "baseline"} <= params.keys()) is (name in want), name
        assert public[name].cache_key == f"ui.loaders.{name}"  # stable across runs: module and name


def test_compute_takes_the_function_not_its_name(wave):
    version, wid = wave
    with pytest.raises(ValueError, match="not a cached computation"):
        loaders.compute("ipa", version, wid)
    with pytest.raises(ValueError, match="not a cached computation"):
        loaders.compute(len, version, wid)
    with pytest.raises(TypeError, match="k= and base_k="):
        loaders.compute(loaders.item_summary, version, wid, k=5)  # base_k missing
    table = loaders.compute(loaders.group_summary, version, wid, level="area", k=30, base_k=5)
    hidden = table.groupby("group")["suppressed"].all().to_dict()
    assert hidden == {"学生": False, "教师": False, "职工": True, "家长": True}  # 27 and 3 below 30


def test_thresholds_are_in_the_cache_key(wave):
    version, wid = wave
    CALLS.clear()
    assert loaders.compute(_counted, version, wid, k=5, base_k=None) == 1
    assert loaders.compute(_counted, version, wid, base_k=None, k=5) == 1  # same key, any option order
    assert loaders.compute(_counted, version, wid, k=30, base_k=None) == 2
    assert loaders.compute(_counted, version, wid, k=30, base_k=5) == 3
    assert loaders.compute(_counted, version, wid, k=30, base_k=5, extra="x") == 4
    assert [(c["k"], c["base_k"]) for c in CALLS] == [(5, None), (30, None), (30, 5), (30, 5)]
    # the real guarded tables follow k: every cell of 教师 (44 people) hidden at k=50, not at k=30
    at30 = loaders.compute(loaders.group_summary, version, wid, level="area", k=30, base_k=5)
    at50 = loaders.compute(loaders.group_summary, version, wid, level="area", k=50, base_k=5)
    assert not at30.loc[at30["group"] == "教师", "suppressed"].all()
    assert at50.loc[at50["group"] == "教师", "suppressed"].all()


def test_guarded_and_excluding_flagged_gets_the_unfiltered_wave_as_baseline(wave):
    version, wid = wave
    CALLS.clear()
    loaders.compute(_counted, version, wid, k=5, base_k=None)
    loaders.compute(_counted, version, wid, exclude_flagged=True, k=5, base_k=None)
    loaders.compute(_counted_plain, version, wid, exclude_flagged=True)
    assert CALLS == [
        {"n": 411, "k": 5, "base_k": None, "baseline_n": None},  # nothing excluded: no baseline
        {"n": 405, "k": 5, "base_k": None, "baseline_n": 411},  # 6 flagged out; baseline = the whole wave
        {"n": 405, "baseline_n": None},  # not guarded: no baseline
    ]


def test_likert_figure_shares_the_guarded_cache_entries(wave, monkeypatch):
    # the figure reads label_counts and item_summary through the same keys widgets.compute uses,
    # so both are computed once for a view whatever is asked first
    version, wid = wave
    seen = []
    for fn in (loaders.label_counts, loaders.item_summary):
        def spy(ds, *, _fn=fn, **opts):
            seen.append(_fn.__name__)
            return _fn(ds, **opts)

        spy.guarded = True
        monkeypatch.setitem(loaders._COMPUTATIONS, fn.cache_key, spy)
    counts = loaders._compute(loaders.db_url(), version, wid, False, loaders.label_counts.cache_key,
                              loaders._options_key({"k": 5, "base_k": 5}))
    summary = loaders._compute(loaders.db_url(), version, wid, False, loaders.item_summary.cache_key,
                               loaders._options_key({"basic": False, "k": 5, "base_k": 5}))
    assert seen == ["label_counts", "item_summary"] and len(counts) and len(summary)
    loaders.likert_figure(version, wid, exclude_flagged=False, basic=False, area="", lang="zh", present=False,
                          k=5, base_k=5)
    assert seen == ["label_counts", "item_summary"]  # answered from the cache


def test_the_trend_under_exclude_flagged_carries_the_threshold(wave):
    """The overview's trend (loaders.trend) with screened responses excluded: the 2021 wave loses 6
    flagged respondents (analysis/demo.py), so at a viewer's k = 10 (> 6) every key those 6 answered
    is blanked in that wave, while at k = 5 (≤ 6) the same figures are shown. Both thresholds are
    in the cache key (a cached k = 5 answer would show the figures at k = 10)."""
    version, wid = wave
    waves = loaders.waves(version)
    series = waves.loc[waves["id"] == wid, "series_id"].iloc[0]
    ids = [i for i in waves.loc[waves["series_id"] == series, "id"]]
    ids = ids[: ids.index(wid) + 1][-2:]
    assert len(ids) == 2, ids
    names = [f"w{i}" for i in ids]
    loaders._trend.clear()
    low = loaders.trend(version, ids, names, exclude_flagged=True, k=5)
    high = loaders.trend(version, ids, names, exclude_flagged=True, k=10)
    rate = "satisfaction_rate"
    newest_low = low[low["wave"] == names[-1]][rate]
    newest_high = high[high["wave"] == names[-1]][rate]
    assert newest_low.notna().all() and len(newest_low)
    assert newest_high.isna().any(), high
