"""ui.loaders.compute caches the analysis function itself; the reference is the function called directly."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import metrics, store
from tests import fixtures


@pytest.fixture()
def wave(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/l.db"
    monkeypatch.setenv("SURVEY_DB_URL", url)
    eng = store.get_engine(url)
    res = store.ingest_file(eng, fixtures.wjx_text_gbk(), "w.csv")
    yield eng, str(res.wave_id)
    store.close_engine(eng)


def test_compute_takes_the_function_and_its_own_options(wave):
    from ui import loaders

    eng, wave_id = wave
    want = metrics.item_summary(store.load_wave(eng, int(wave_id)), basic_satisfied=True)
    version = loaders.data_version()
    got = loaders.compute(metrics.item_summary, version, wave_id, basic_satisfied=True)
    pd.testing.assert_frame_equal(got, want)
    by_name = loaders.compute("item_summary", version, wave_id, basic=True)  # the earlier name form
    pd.testing.assert_frame_equal(by_name, want)
    with pytest.raises(ValueError, match="unknown computation"):
        loaders.compute("no_such", version, wave_id)
