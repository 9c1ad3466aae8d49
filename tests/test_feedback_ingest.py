"""Feedback records made at ingest (issue 13, store.feedback.wave_records / _store_wave_records).

The records the store writes for a wave's open answers are compared with the reference path of
``analysis.feedback`` — ``records_from_dataset`` then ``analyse_records``, the row-by-row code the
CLI's ``feedback FILE`` runs and the store used before the columnar path — on a wave written here
with repeats (无, 很好 … many times), whitespace variants, personal data, an over-long answer, a
multi-select column and respondents without a group. The other tests inject failures and a
lexicon change between the analysis and the write. SQLite and, with ``SURVEY_TEST_PG_URL``, PostgreSQL.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from contextlib import contextmanager

import pandas as pd
import pytest
import sqlalchemy as sa

from analysis import feedback as afb
from analysis import store
from analysis.store import feedback as sfb
from tests.test_store import SCALE, db_url, engine  # noqa: F401 - fixtures

OPEN = ["无", "无", "没有", " 无 ", "无。", "没有意见", "很好", "很好", "很好 ", "满意", "(空)", "", "食堂太贵了",
        "  食堂太贵了  ", "电话 135 7788 9900，宿舍3号楼312室热水不热", "QQ：12345678 报修没人来", "希望  增加夜宵",
        "热水器坏了", "门禁卡丢了，学号：20231234", "O'Brien 说 100% 满意", "无" + " " * 5000 + "x", "食" * 5200]
CANTEEN = ["(空)", "饭菜太咸", "饭菜太咸", "没有", "价格偏高，希望便宜一点", "很好"]


def messy_wave(n: int = 240, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    header = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、您的身份"]
    header += [f"第2题({it})" for it in ("食堂饭菜质量", "宿舍热水", "报修响应")]
    header += ["3、您常去的食堂", "4、您对后勤服务还有哪些意见和建议？", "5、您对食堂有什么意见？"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    base = dt.datetime(2025, 4, 1, 8, 0, 0)
    for i in range(1, n + 1):
        when = base + dt.timedelta(minutes=97 * i)  # over about 16 days
        group = "" if i % 37 == 0 else rng.choice(["学生", "学生", "教师", "职工"])
        w.writerow([str(i), when.strftime("%Y/%m/%d %H:%M:%S"), f"{60 + rng.randrange(400)}秒", "手机提交", "直接访问",
                    f"10.1.{i // 250}.{i % 250}(湖北-武汉)", group, *[rng.choice(SCALE) for _ in range(3)],
                    rng.choice(["一食堂┋二食堂", "一食堂", "二食堂┋三食堂"]), OPEN[i % len(OPEN)],
                    rng.choice(CANTEEN)])
    return buf.getvalue().encode("utf-8")


def stored(engine, wave_id: int) -> list[dict]:  # noqa: F811
    t = sfb.feedback_records
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t).where(t.c.wave_id == wave_id).order_by(t.c.id)).mappings().all()
    return [dict(r) for r in rows]


def reference(engine, wave_id: int, unit: str | None) -> list[dict]:  # noqa: F811
    """What analysis.feedback's row-by-row path makes of the stored wave's open answers."""
    ds = store.load_wave(engine, wave_id)
    recs = afb.analyse_records(afb.records_from_dataset(ds))
    out = []
    for r in recs.to_dict("records"):
        out.append({"date": r["date"], "channel": r["channel"], "resp_group": sfb._opt(r["group"]),
                    "unit": unit, "areas": list(r["areas"]), "tone": r["tone"], "suggestion": bool(r["suggestion"]),
                    "keywords": list(r["keywords"]), "text": r["text"], "n_masked": int(r["n_masked"]),
                    "source_row": int(r["row"]), "source_column": r["column"], "cell_n": int(r["cell_n"]),
                    "status": "new"})
    return out


def test_records_at_ingest_equal_the_row_by_row_reference(engine):  # noqa: F811
    res = store.ingest_file(engine, messy_wave(), "messy.csv", meta={"unit": "东校区"}, user="o'brien 100%")
    got = stored(engine, res.wave_id)
    want = reference(engine, res.wave_id, "东校区")
    keys = list(want[0])
    assert [{k: g[k] for k in keys} for g in got] == want
    # the fixture exercises what it claims to
    assert len(got) > 100 and len({g["text"] for g in got}) < len(got) / 4  # answers repeat
    assert any(g["n_masked"] for g in got) and not any("13577889900" in g["text"].replace(" ", "") for g in got)
    assert {g["source_column"] for g in got} == {"您对后勤服务还有哪些意见和建议？", "您对食堂有什么意见？"}  # labels
    assert any(g["resp_group"] is None for g in got)
    assert max(len(g["text"]) for g in got) == 5000  # cut like analysis.feedback._MAX_TEXT
    assert not {"无", "没有", "(空)", ""} & {g["text"] for g in got}  # nothing-to-say answers are no records
    assert {(g["wave_id"], g["file_id"], g["created_by"], g["is_demo"], g["action_id"]) for g in got} == {
        (res.wave_id, None, "o'brien 100%", False, None)}
    assert all(g["created_at"] == g["updated_at"] is not None for g in got)


def test_backfill_gives_the_same_records_as_ingest(engine):  # noqa: F811
    """The migration's backfill (analysis inside its transaction) and ingest (analysis before it) agree."""
    res = store.ingest_file(engine, messy_wave(90, seed=4), "w.csv")
    first = stored(engine, res.wave_id)
    with engine.begin() as conn:
        conn.execute(sfb.feedback_records.delete())
        assert sfb.backfill_waves(conn) == len(first)
    again = stored(engine, res.wave_id)
    drop = {"id", "created_at", "updated_at", "created_by"}
    assert [{k: v for k, v in r.items() if k not in drop} for r in again] == \
        [{k: v for k, v in r.items() if k not in drop} for r in first]


def test_analysis_runs_outside_the_write_transaction(engine, monkeypatch):  # noqa: F811
    import analysis.store.ingest as ingest_mod
    import analysis.text as text_mod

    inside = {"now": False}
    calls = []
    real_write, real_each = ingest_mod._write, text_mod.analyse_rows

    @contextmanager
    def watched(*a, **k):
        with real_write(*a, **k) as conn:
            inside["now"] = True
            try:
                yield conn
            finally:
                inside["now"] = False

    def each(*a, **k):
        calls.append(inside["now"])
        return real_each(*a, **k)

    for word, area in (("夜宵", "catering"), ("太咸", "medical"), ("门禁卡", "security")):  # a store with additions
        store.add_lexicon_word(engine, word, "area", area)
    monkeypatch.setattr(ingest_mod, "_write", watched)
    monkeypatch.setattr(text_mod, "analyse_rows", each)
    res = store.ingest_file(engine, messy_wave(60), "w.csv")
    assert calls == [False] and len(stored(engine, res.wave_id)) > 0  # analysed once, before the lock


def test_a_lexicon_change_between_analysis_and_write_is_honoured(engine, monkeypatch):  # noqa: F811
    """A manager adds an area word while a wave is analysed: its records are tagged with the new word."""
    import analysis.store.ingest as ingest_mod

    real = ingest_mod.wave_records

    def then_add_a_word(eng, ds):
        out = real(eng, ds)
        store.add_lexicon_word(eng, "太咸", "area", "medical", user="manager")  # not an area word before
        return out

    monkeypatch.setattr(ingest_mod, "wave_records", then_add_a_word)
    res = store.ingest_file(engine, messy_wave(60), "w.csv")
    salty = [r for r in stored(engine, res.wave_id) if r["text"] == "饭菜太咸"]
    assert salty and all(r["areas"] == ["catering", "medical"] for r in salty)  # 饭菜 → catering, 太咸 → the new area


def test_a_failure_while_writing_records_leaves_no_half_wave_and_a_rerun_completes(engine, monkeypatch):  # noqa: F811
    data = messy_wave(80, seed=2)

    def boom(*a, **k):
        raise RuntimeError("injected between the wave rows and its records")

    monkeypatch.setattr(sfb, "_execute_insert", boom)
    with pytest.raises(RuntimeError, match="injected"):
        store.ingest_file(engine, data, "w.csv")
    with engine.connect() as conn:
        for table in ("waves", "uploads", "wave_data", "feedback_records"):
            assert conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar() == 0, table
    monkeypatch.undo()
    res = store.ingest_file(engine, data, "w.csv")
    assert res.created and len(stored(engine, res.wave_id)) == len(reference(engine, res.wave_id, None)) > 0


def test_literals_quote_and_refuse_what_they_cannot_hold():
    assert sfb._literal("o'brien", True) == "'o''brien'"
    assert sfb._literal("100%", False) == "'100%%'" and sfb._literal("100%", True) == "'100%'"
    assert sfb._literal("a\x00b", True) is None and sfb._literal([1], True) is None
    assert sfb._literal("a\\b", False) is None and sfb._literal("a\\b", True) == "'a\\b'"
    assert (sfb._literal(None, True), sfb._literal(True, True), sfb._literal(False, False), sfb._literal(7, False)) == \
        ("NULL", "1", "FALSE", "7")
    assert sfb._literal(dt.datetime(2025, 4, 1, 8, 0, 0, 5), True) == "'2025-04-01 08:00:00.000005'"


def test_json_of_a_list_is_what_json_dumps_writes():
    """The store's JSON text for areas/keywords equals json.dumps(..., ensure_ascii=False) (the reference)."""
    import json

    rng = random.Random(0)
    alphabet = ['a', '食', '堂', '"', '\\', '\n', '\t', '\x00', '\x1f', '\x7f', '\u2028', 'é', ' ', ',', '[', ']']
    memo: dict = {}
    for _ in range(3000):
        items = tuple("".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 4))) for _ in range(rng.randrange(0, 4)))
        assert sfb._dump_json(memo, items) == json.dumps(list(items), ensure_ascii=False)
    assert sfb._dump_json({}, (1, "a")) == '[1, "a"]'


def test_json_of_plain_strings_skips_the_encoder(monkeypatch):
    import json

    def refuse(*a, **k):
        raise AssertionError("json.dumps called for a list of plain strings")

    monkeypatch.setattr(json, "dumps", refuse)
    assert sfb._dump_json({}, ("食堂", "太贵")) == '["食堂", "太贵"]' and sfb._dump_json({}, ()) == "[]"


def test_analyse_rows_is_analyse_of_each_text():
    """analysis.text.analyse_rows (tuples, no-opinion check skipped when promised) = analyse() per text."""
    import dataclasses

    from analysis.text import analyse, analyse_rows, is_no_opinion

    texts = [t.strip()[:5000] for t in OPEN + CANTEEN + ["电话 13577889900", "无 13577889900"]]
    saying = [t for t in texts if not is_no_opinion(t)]
    assert analyse_rows(saying, say_something=True) == [dataclasses.astuple(analyse(t)) for t in saying]
    assert analyse_rows(texts) == [dataclasses.astuple(analyse(t)) for t in texts]


def test_records_analysed_ahead_are_used_and_the_unit_comes_from_the_save(engine, monkeypatch):  # noqa: F811
    """The data page may analyse while it shows its report; saving then analyses nothing, and the
    unit typed before saving is the records' unit."""
    import analysis.text as text_mod
    from analysis.prepare import prepare_wave

    prepared = prepare_wave(messy_wave(60), "w.csv")
    ahead = sfb.wave_records(engine, prepared.dataset)
    monkeypatch.setattr(text_mod, "analyse_rows", lambda *a, **k: pytest.fail("analysed again at save"))
    res = store.ingest_file(engine, prepared, meta={"unit": "西校区"}, records=ahead)
    got = stored(engine, res.wave_id)
    assert len(got) == ahead.n > 0 and {g["unit"] for g in got} == {"西校区"}
    monkeypatch.undo()
    assert [{k: g[k] for k in ("text", "areas", "source_row")} for g in got] == \
        [{k: w[k] for k in ("text", "areas", "source_row")} for w in reference(engine, res.wave_id, "西校区")]
    with pytest.raises(ValueError, match="prepared wave"):
        store.ingest_file(engine, messy_wave(61), "x.csv", records=ahead)


@pytest.mark.parametrize("stamps", [
    [dt.datetime(2025, 4, 1, 23, 59), None, dt.datetime(2025, 4, 2, 0, 1), dt.datetime(2025, 4, 1, 8)],
    pd.to_datetime(["2025-04-01 23:30", None, "2025-04-02 00:10"]).tz_localize("Asia/Shanghai").tolist(),
    ["2025-04-01 23:30:00", "2025-04-02 00:10:00", "not a time"],
])
def test_row_dates_are_each_submissions_date(stamps):
    """Against records_from_dataset's own expression: pd.to_datetime(..., errors="coerce") then .date() per row."""
    resp = pd.DataFrame({"submitted_at": pd.Series(stamps, dtype=object)})
    parsed = pd.to_datetime(resp["submitted_at"], errors="coerce")
    want = [None if pd.isna(d) else d.date() for d in parsed.tolist()]
    assert sfb._row_dates(resp, False).tolist() == want
    assert sfb._row_dates(resp, True).tolist() == [None if d is None else d.isoformat() for d in want]
