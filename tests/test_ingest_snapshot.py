"""Ingest's outputs on every fixture against the snapshot recorded before the pipeline was reshaped.

tests/data/ingest_snapshot.json was written by ``python -m tests.ingest_snapshot`` on the code before
issue 11 (commit 981df10). Every output must be identical except the changes listed here:

1. Every adapter's Survey now holds the submission time as ``datetime64[ns]`` and the completion time
   as seconds (``float64``), read once (analysis.ingest.values). Those cells must equal what the old
   pipeline's codebook read from them: the old Dataset's ``respondents`` value of the same row.
2. Survey dtypes: question numbers are ``Int64`` on every path (the generic/问卷星 path had text, ``object`` or ``str``),
   matrix rows and hints ``object`` (the generic path's all-empty ones were ``str``);
   text columns keep the reader's Arrow-backed ``str`` dtype (the platform path turned them into
   ``object``).
3. The hand-typed sheet (``hand/hand_typed_messy.csv``), the reason for the work: the durations and
   times the generic path lost are read (expected values by hand below), the 4-second answer is
   flagged as a speeder, padded cells are stripped as on the platform path, and the warnings are
   the one pipeline's (repeated header, total row, unreadable times and durations with column and
   count).
"""

from __future__ import annotations

import json
import re

import pytest

from analysis import store
from tests import ingest_snapshot as snap

BEFORE = json.loads(snap.SNAPSHOT.read_text(encoding="utf-8"))
FILES = {name: (data, cb) for name, data, cb in snap.fixture_files()}
HAND = "hand/hand_typed_messy.csv"

# what the hand-typed sheet's lost cells hold (hand reading: mm:ss for two clock parts)
LOST_TIMES = {"2024年9月2日 08:00:01": "2024-09-02T08:00:01"}
LOST_DURATIONS = {"02:05": "125.0", "00:04": "4.0", "1.5分": "90.0", "1 hour": "3600.0"}
UNREAD = 'time value(s) of \'提交时间\''  # "下午3:00" has no date (4 rows); "一刻钟" is no duration (2 rows)
HAND_WARNINGS = [
    "数据中有 1 行重复的表头（数据行 11），已删除。 Dropped 1 repeated header row(s) inside the data (data rows 11).",
    "最后一行（数据行 22）像是合计/统计行而不是答卷，已删除：合计。 Dropped a total/summary row at the bottom (data row 22).",
    "“提交时间”列有 4 个时间无法识别（如缺少日期），已当作缺失。 4 time value(s) of '提交时间' could not be read"
    " (e.g. no date); treated as missing.",
    "“用时”列有 2 个值不是时长，已当作缺失。 2 value(s) of '用时' are not durations.",
]
# durations now known: 125 125 4 90 3600 90 125 105 110 (twice); median 110, a speeder is below
# 110 / 3 = 36.7 s: the two "00:04" answers (file rows 3 and 14, ids 3 and 13)
HAND_FLAGS = [["3", "3", ["speeder"]], ["14", "13", ["speeder"]]]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    eng = store.get_engine(f"sqlite:///{tmp_path_factory.mktemp('snap')}/s.db")
    yield eng
    store.close_engine(eng)


def _time_columns(rec: dict) -> dict[int, str]:
    cols = rec["survey"]["columns"]
    hint = cols["columns"].index("hint")
    return {i: row[hint] for i, row in enumerate(cols["values"]) if row[hint] in ("submitted_at", "duration")}


def _old_respondent_value(old: dict, row: int, hint: str) -> object:
    resp = old["dataset"]["respondents"]
    return resp["values"][row][resp["columns"].index("submitted_at" if hint == "submitted_at" else "duration_s")]


def _listed(name: str, path: str, old_value: object, new_value: object, old: dict) -> bool:
    """Is this difference one of the changes listed in the module docstring?"""
    if m := re.fullmatch(r"/survey/columns/dtypes\[(\d+)\]", path):
        column = old["survey"]["columns"]["columns"][int(m[1])]
        return new_value == ("Int64" if column == "qnum" else "object") and old_value in ("object", "str")
    times = _time_columns(old) if "survey" in old and isinstance(old["survey"], dict) else {}
    if m := re.fullmatch(r"/survey/data/dtypes\[(\d+)\]", path):
        hint = times.get(int(m[1]))
        want = {"submitted_at": "datetime64[ns]", "duration": "float64"}.get(hint, "str")
        return new_value == want
    if m := re.fullmatch(r"/survey/data/values\[(\d+)\]\[(\d+)\]", path):
        row, col = int(m[1]), int(m[2])
        if col in times:
            if name == HAND and new_value == (LOST_TIMES | LOST_DURATIONS).get(old_value):
                return True
            return new_value == _old_respondent_value(old, row, times[col])
        return name == HAND and isinstance(old_value, str) and new_value == old_value.strip() != old_value
    if name != HAND:
        return False
    if m := re.fullmatch(r"/dataset/respondents/values\[(\d+)\]\[(\d)\]", path):
        row, col = int(m[1]), int(m[2])
        raw = old["survey"]["data"]["values"][row][old["survey"]["data"]["columns"].index("提交时间" if col == 2 else "用时")]
        return old_value is None and new_value == (LOST_TIMES if col == 2 else LOST_DURATIONS).get(raw)
    if re.fullmatch(r"/dataset/texts/values\[\d+\]\[\d+\]", path):
        return new_value == old_value.strip() != old_value
    if path in ("/survey/warnings", "/dataset/warnings", "/stored/warnings", "/summary_json/warnings"):
        return new_value == HAND_WARNINGS
    if path == "/dataset/flags/values":
        return new_value == HAND_FLAGS
    if path == "/dataset/flags/dtypes[1]":  # the ids of flagged rows: text now that there are some
        return (old_value, new_value) == ("object", "str")
    if path == "/summary_json/flagged":
        return [[str(f["row"]), f["id"], f["reasons"]] for f in new_value] == HAND_FLAGS
    if path == "/stored/n_valid":
        return (old_value, new_value) == (20, 18)
    return path == "/stored/wave"  # the stored wave is the Dataset above, checked value by value


@pytest.mark.parametrize("name", sorted(FILES))
def test_outputs_equal_the_snapshot_except_the_listed_changes(name, engine):
    data, cb = FILES[name]
    demo = name.startswith("demo/")  # large: Survey, codebook and Dataset only (tests/test_demo.py stores them)
    rec = snap.record(data, name.split("/")[-1], cb, engine=engine, stored=not demo)
    old = BEFORE[name]
    if demo:
        rec = snap.shorten(rec)
        old = {k: v for k, v in old.items() if k in rec}
    unlisted = [(path, a, b) for path, a, b in snap.compare(old, rec) if not _listed(name, path, a, b, old)]
    assert unlisted == []


def test_the_hand_typed_sheet_changed_as_listed(engine):
    """The listed changes did happen (a rule above could also pass by nothing changing)."""
    data, cb = FILES[HAND]
    rec = snap.record(data, "hand.csv", cb, engine=engine)
    assert rec["dataset"]["flags"]["values"] == HAND_FLAGS
    assert rec["survey"]["warnings"] == HAND_WARNINGS
    assert UNREAD in rec["survey"]["warnings"][2]
    resp = rec["dataset"]["respondents"]
    durations = [row[resp["columns"].index("duration_s")] for row in resp["values"]]
    assert durations[:10] == ["125.0", "125.0", "4.0", "90.0", "3600.0", "90.0", "125.0", "105.0", "110.0", None]


def test_every_fixture_is_in_the_snapshot():
    assert sorted(FILES) == sorted(BEFORE)
