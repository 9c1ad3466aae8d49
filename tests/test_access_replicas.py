"""Two app processes on one PostgreSQL store (issue 16): a wave stored through one appears in the other at its next rerun.

The "other" process is this test's AppTest (the dashboard's own caches: ``ui.loaders`` keyed by the
store's ``data_version``); the writing process is a separate ``python -m analysis ingest`` run
against the same database. The expected wave list is the store's own after the write.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_store import create_pg_database, drop_pg_database

ROOT = Path(__file__).resolve().parents[1]
DEMO = sorted((ROOT / "data" / "demo").glob("*.csv"))

pytestmark = pytest.mark.postgres


def _options(at: AppTest) -> list[str]:
    from ui.i18n import t

    boxes = [s for s in at.sidebar.selectbox if s.label == t("f_wave", "zh")]
    return list(boxes[0].options) if boxes else []


def test_wave_stored_by_another_process_appears_on_next_rerun(monkeypatch):
    from analysis import store

    url, admin = create_pg_database()
    try:
        engine = store.get_engine(url)
        store.ingest_file(engine, DEMO[0].read_bytes(), DEMO[0].name)
        monkeypatch.setenv("SURVEY_DB_URL", url)
        monkeypatch.setenv("SURVEY_OPEN_VIEWING", "true")
        at = AppTest.from_file(str(ROOT / "home.py"), default_timeout=180)
        at.switch_page("pages/1_overview.py")
        at.run()
        assert not at.exception
        before = _options(at)
        assert len(before) == 1
        env = dict(os.environ, SURVEY_DB_URL=url, PYTHONPATH=str(ROOT))
        out = subprocess.run([sys.executable, "-m", "analysis", "ingest", str(DEMO[1]), "--json"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        at.run()  # the next rerun of the first process
        assert not at.exception
        expected = list(store.list_waves(engine)["name"])
        assert sorted(_options(at)) == sorted(expected) and len(expected) == 2
    finally:
        for key, eng in list(store.engine._ENGINES.items()):
            if key == url:
                store.close_engine(eng)
        drop_pg_database(url, admin)
