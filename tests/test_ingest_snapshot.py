"""Ingest's outputs on every fixture against the snapshot recorded before the pipeline was reshaped.

tests/data/ingest_snapshot.json was written by ``python -m tests.ingest_snapshot`` on the code before
issue 11 (commit 981df10). The reshaping was to keep every output identical except the values listed
in ``CHANGES`` below — times and durations the old generic/问卷星 path lost, and the warnings that now
say what could not be read. Each listed change is asserted, and any other difference fails.
"""

from __future__ import annotations

import json

import pytest

from analysis import store
from tests import ingest_snapshot as snap

BEFORE = json.loads(snap.SNAPSHOT.read_text(encoding="utf-8"))
FILES = {name: (data, cb) for name, data, cb in snap.fixture_files()}

# (file, path in the snapshot) -> (before, after): the changes made on purpose.
CHANGES: dict[tuple[str, str], tuple[object, object]] = {}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    eng = store.get_engine(f"sqlite:///{tmp_path_factory.mktemp('snap')}/s.db")
    yield eng
    store.close_engine(eng)


@pytest.mark.parametrize("name", sorted(FILES))
def test_outputs_equal_the_snapshot_except_the_listed_changes(name, engine):
    data, cb = FILES[name]
    rec = snap.record(data, name.split("/")[-1], cb, engine=engine)
    if name.startswith("demo/"):
        rec = {k: (snap.digest(v) if isinstance(v, dict) else v) for k, v in rec.items()}
    found = {path: (old, new) for path, old, new in snap.compare(BEFORE[name], rec)}
    expected = {path: change for (file, path), change in CHANGES.items() if file == name}
    assert found == expected


def test_every_fixture_is_in_the_snapshot():
    assert sorted(FILES) == sorted(BEFORE)
