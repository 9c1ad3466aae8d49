"""analysis.series and the series trend through the store and the CLI.

Two series with interleaved dates, every change hand-computed: series 甲 (2020-01: 6 of 10
satisfied, 2021-01: 9 of 10), series 乙 (2020-06: 2 of 10, 2021-06: 5 of 10), uploaded in the order
甲2020, 乙2020, 甲2021, 乙2021. Within series: 甲2021 − 甲2020 = +30 points (not 甲2021 − 乙2020 =
+70), 乙2021 − 乙2020 = +30. p-values: items against scipy ``chi2_contingency(correction=False)``,
areas against statsmodels ``OLS(...).fit(cov_type="cluster")``.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.stats import chi2_contingency

from analysis import store
from analysis.__main__ import main as cli
from analysis.model import Dataset
from analysis.prepare import PreparedWave
from analysis.series import match_items, normalise_stem, ordered, previous_wave, series_trend, waves_up_to


def one_item_ds(n_sat: int, n: int, when: str, *, label: str = "饭菜质量") -> Dataset:
    """n respondents answering one catering item: n_sat 满意 (code 4), the rest 不满意 (2), all on ``when``."""
    answers = pd.DataFrame({"q1": pd.array([4] * n_sat + [2] * (n - n_sat), dtype="Int8")})
    items = pd.DataFrame({"item": ["q1"], "label": [label], "area": ["catering"], "scale": ["zh5_very"], "qnum": [1],
                          "n_not_applicable": [0], "n_missing": [0], "n_unknown": [0]})
    resp = pd.DataFrame({"row": range(1, n + 1), "resp_id": [f"r{i}" for i in range(n)],
                         "submitted_at": pd.to_datetime([when] * n), "duration_s": [100.0] * n,
                         "ip": [None] * n, "group": ["学生"] * n})
    return Dataset(answers=answers, items=items, respondents=resp, format="generic", encoding="utf-8")


INTERLEAVED = [  # upload order: (wave, series, satisfied of 10, fieldwork)
    ("甲2020", "甲", 6, "2020-01-10 09:00"),
    ("乙2020", "乙", 2, "2020-06-10 09:00"),
    ("甲2021", "甲", 9, "2021-01-10 09:00"),
    ("乙2021", "乙", 5, "2021-06-10 09:00"),
]


@pytest.fixture
def two_series(tmp_path):
    url = f"sqlite:///{tmp_path}/two.db"
    eng = store.get_engine(url)
    for name, series, k, when in INTERLEAVED:
        prepared = PreparedWave(data=name.encode(), filename=f"{name}.csv", survey=None, key="same-form",
                                codebook=pd.DataFrame(), save_codebook=False, dataset=one_item_ds(k, 10, when))
        store.ingest_file(eng, prepared, wave=name, meta={"series": series})
    yield eng, url
    store.close_engine(eng)


def test_previous_wave_is_the_previous_wave_of_the_same_series(two_series):
    eng, _ = two_series
    w = store.list_waves(eng)
    ids = dict(zip(w["name"], w["id"], strict=True))
    assert list(w["name"]) == ["甲2020", "甲2021", "乙2020", "乙2021"]  # series, then date
    assert previous_wave(w, ids["甲2021"]) == ids["甲2020"]
    assert previous_wave(w, ids["乙2021"]) == ids["乙2020"]
    assert previous_wave(w, ids["乙2020"]) is None
    assert previous_wave(w, 999) is None
    assert list(waves_up_to(w, ids["甲2021"])["name"]) == ["甲2020", "甲2021"]
    # a wave uploaded later but dated earlier comes first (date order, not upload order)
    early = PreparedWave(data=b"early", filename="e.csv", survey=None, key="same-form", codebook=pd.DataFrame(),
                         save_codebook=False, dataset=one_item_ds(5, 10, "2019-01-10"))
    late = store.ingest_file(eng, early, wave="甲2019", meta={"series": "甲"})
    w = store.list_waves(eng)
    assert previous_wave(w, ids["甲2020"]) == late.wave_id


@pytest.mark.parametrize("level", ["item", "area"])
def test_series_trend_changes_within_the_series(two_series, level):
    eng, _ = two_series
    ser = store.list_series(eng).set_index("name")
    for name, k_old, k_new, new in [("甲", 6, 9, "甲2021"), ("乙", 2, 5, "乙2021")]:
        waves = store.series_waves(eng, int(ser.loc[name, "id"]))
        rows = series_trend(waves, [store.load_wave(eng, int(i)) for i in waves["id"]], level=level)
        last = rows.set_index("wave").loc[new]
        assert last["diff_pp"] == pytest.approx(30.0)  # hand: (k_new − k_old) / 10 × 100
        assert last["prev_wave"] == new.replace("2021", "2020")
        if level == "item":
            ref = chi2_contingency(np.array([[k_new, 10 - k_new], [k_old, 10 - k_old]]), correction=False).pvalue
        else:
            y = np.r_[np.ones(k_old), np.zeros(10 - k_old), np.ones(k_new), np.zeros(10 - k_new)]
            ref = sm.OLS(y, sm.add_constant(np.r_[np.zeros(10), np.ones(10)])).fit(
                cov_type="cluster", cov_kwds={"groups": np.arange(20)}).pvalues[1]
        assert last["p_value"] == pytest.approx(ref, rel=1e-9)
        assert last["date"] == pd.Timestamp(INTERLEAVED[[r[0] for r in INTERLEAVED].index(new)][3])
        assert bool(last["best_on_record"])


def test_series_trend_refuses_waves_of_two_series(two_series):
    eng, _ = two_series
    w = store.list_waves(eng)
    with pytest.raises(ValueError, match="同一调查项目"):
        series_trend(w, [store.load_wave(eng, int(i)) for i in w["id"]])


def test_cli_trend_json_contract(two_series, capsys):
    _, url = two_series
    assert cli(["trend", "--series", "甲", "--level", "item", "--json", "--db", url]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["series"] == "甲"
    assert [r["wave"] for r in d["rows"]] == ["甲2020", "甲2021"]
    first, second = d["rows"]
    assert set(first) == {"wave", "date", "key", "label", "rate", "n_valid", "ci_low", "ci_high", "prev_wave",
                          "diff_pp", "p_value", "significant", "best_on_record"}
    assert (first["prev_wave"], first["diff_pp"], first["p_value"]) == (None, None, None)
    assert (second["date"], second["key"], second["label"]) == ("2021-01-10", "饭菜质量", "饭菜质量")
    assert second["rate"] == pytest.approx(0.9) and second["n_valid"] == 10
    assert second["prev_wave"] == "甲2020" and second["diff_pp"] == pytest.approx(30.0)
    assert second["significant"] is False  # p ≈ 0.121 for 9/10 vs 6/10
    # --wave picks the wave's series
    assert cli(["trend", "--wave", "乙2021", "--json", "--db", url]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["series"] == "乙" and d["rows"][-1]["diff_pp"] == pytest.approx(30.0)
    assert cli(["trend", "--series", "不存在", "--db", url]) == 2
    assert "找不到调查项目" in capsys.readouterr().err


def test_cli_waves_json_has_series_and_fieldwork(two_series, capsys):
    _, url = two_series
    assert cli(["waves", "--json", "--db", url]) == 0
    rows = json.loads(capsys.readouterr().out)
    first = rows[0]
    assert (first["name"], first["series"]) == ("甲2020", "甲")
    assert first["fieldwork_start"].startswith("2020-01-10T09:00")
    assert first["fieldwork_end"].startswith("2020-01-10T09:00")


def test_normalise_stem_and_match_items():
    assert normalise_stem("第6题(学生公寓 空调)") == normalise_stem("7. 学生公寓空调") == "学生公寓空调"
    assert normalise_stem("Q3.2 Dining Hall") == "dininghall"
    assert normalise_stem("１２、食堂：价格") == "食堂价格"  # full-width digits and punctuation
    earlier = pd.DataFrame({"item": ["第6题(学生公寓空调)", "第7题(食堂价格)", "q9"],
                            "label": ["学生公寓空调", "食堂价格", "维修速度"]})
    later = pd.DataFrame({"item": ["第6题(学生公寓空调)", "8、食堂 价格", "q10", "q11"],
                          "label": ["学生公寓空调", "食堂 价格", "报修响应速度", "新题"]})
    m = match_items(earlier, later, mapping={"q10": "q9"}).set_index("item")
    assert m.loc["第6题(学生公寓空调)", "how"] == "same"
    assert (m.loc["8、食堂 价格", "matched"], m.loc["8、食堂 价格", "how"]) == ("第7题(食堂价格)", "stem")
    assert (m.loc["q10", "matched"], m.loc["q10", "how"]) == ("q9", "codebook")
    assert pd.isna(m.loc["q11", "matched"])


def test_ordered_puts_undated_waves_by_upload_time():
    w = pd.DataFrame({"id": [1, 2, 3], "series_id": [1, 1, 1],
                      "fieldwork_start": pd.to_datetime(["2021-05-01", None, "2020-05-01"]),
                      "created_at": pd.to_datetime(["2026-01-01", "2020-09-01", "2026-01-02"])})
    assert list(ordered(w)["id"]) == [3, 2, 1]


def test_item_keeps_its_identity_when_its_stem_is_the_same_after_normalisation():
    a = one_item_ds(6, 10, "2020-01-10", label="学生公寓 空调")
    b = one_item_ds(9, 10, "2021-01-10", label="学生公寓空调")
    waves = pd.DataFrame({"id": [1, 2], "name": ["w1", "w2"], "series_id": [1, 1],
                          "fieldwork_start": pd.to_datetime(["2020-01-10", "2021-01-10"])})
    rows = series_trend(waves, [a, b], level="item")
    assert rows["key"].tolist() == ["学生公寓 空调", "学生公寓 空调"]  # the first wave's wording
    assert rows["diff_pp"].iloc[1] == pytest.approx(30.0)


def test_cli_trend_exclude_flagged_blanks_a_wave_moved_by_fewer_than_k(tmp_path, monkeypatch, capsys):
    """``trend --exclude-flagged`` guards like the trends page (issue 10): the demo's 2021 wave loses
    6 flagged respondents (analysis/demo.py); with the deployment threshold at 10 (> 6) its area rates
    are blanked under the filter, at 5 (≤ 6) they are shown."""
    url = f"sqlite:///{tmp_path}/demo.db"
    store.ensure_demo(store.get_engine(url))
    waves = store.list_waves(store.get_engine(url))
    wid = str(waves.loc[waves["period"] == "2021-10", "id"].iloc[0])
    name = str(waves.loc[waves["period"] == "2021-10", "name"].iloc[0])

    def rates(k: str) -> list:
        monkeypatch.setenv("SURVEY_MIN_GROUP", k)
        assert cli(["trend", "--wave", wid, "--exclude-flagged", "--json", "--db", url]) == 0
        rows = json.loads(capsys.readouterr().out)["rows"]
        return [r["rate"] for r in rows if r["wave"] == name]

    shown, blanked = rates("5"), rates("10")
    assert shown and all(r is not None for r in shown)
    assert any(r is None for r in blanked)
