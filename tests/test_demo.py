"""Demo data (analysis.demo): the 问卷星 layout, the story figures of DOMAIN.md, determinism.

Expected figures come from DOMAIN.md's published story (2014 trainees: accommodation 96 %,
catering 91 %; October 2019: 150 distributed, 150 valid) and are checked by hand-counting the
generated answers with the csv module and the satisfied/valid rule of DESIGN.md ("满意率 =
satisfied ÷ valid; satisfied = the two labels above the midpoint; 不了解/(跳过)/(空) not valid").
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import importlib.util
import io
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.demo import (
    ACTION_COLUMNS,
    ACTION_STATUSES,
    FEEDBACK_CHANNELS,
    FEEDBACK_COLUMNS,
    FEEDBACK_STATUSES,
    WAVE_META_KEYS,
    demo_actions,
    demo_feedback,
    demo_waves,
)

ROOT = Path(__file__).resolve().parents[1]

# The two top labels of each printed scale (satisfied), and every label a valid answer may take.
SATISFIED = {"非常满意", "满意", "很满意", "比较满意"}
VALID = SATISFIED | {"一般", "基本满意", "不满意", "非常不满意", "不太满意", "很不满意"}
NOT_VALID = {"(跳过)", "(空)", "不了解"}
SCALES = [
    {"非常满意", "满意", "一般", "不满意", "非常不满意"},
    {"很满意", "比较满意", "一般", "不太满意", "很不满意"},
    {"非常满意", "满意", "基本满意", "不满意", "非常不满意"},
]
AREA_KEYS = {
    "accommodation",
    "catering",
    "maintenance",
    "cleaning",
    "greening",
    "utilities",
    "transport",
    "medical",
    "property",
    "security",
    "overall",
}


@pytest.fixture(scope="module")
def waves():
    return demo_waves()


def read_wave(wave) -> tuple[list[str], list[list[str]]]:
    """Header and rows, decoded the way a user's Excel would: BOM → UTF-8, else GBK."""
    if wave.data.startswith(codecs.BOM_UTF8):
        text = wave.data[3:].decode("utf-8")
    else:
        text = wave.data.decode("gbk")
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


def by_name(waves, fragment: str):
    hits = [w for w in waves if fragment in w.meta["name"]]
    assert len(hits) == 1, fragment
    return hits[0]


def is_likert(header: str) -> bool:
    return header.startswith("第") or "总体而言" in header


def hand_rate(wave, keywords: tuple[str, ...]) -> tuple[float, int]:
    """Pooled satisfaction rate over the Likert columns whose header has one of ``keywords``."""
    header, rows = read_wave(wave)
    cols = [i for i, h in enumerate(header) if h.startswith("第") and any(k in h for k in keywords)]
    assert cols, keywords
    sat = valid = 0
    for r in rows:
        for i in cols:
            if r[i] in VALID:
                valid += 1
                sat += r[i] in SATISFIED
    return sat / valid, valid


def durations(rows, header) -> list[int]:
    j = header.index("所用时间")
    return [int(r[j].removesuffix("秒")) for r in rows]


def straight_liners(rows, header) -> int:
    cols = [i for i, h in enumerate(header) if is_likert(h)]
    count = 0
    for r in rows:
        vals = [r[i] for i in cols if r[i] in VALID]
        count += len(vals) >= 6 and len(set(vals)) == 1
    return count


# ---------------------------------------------------------------------------------------------


def test_deterministic_bytes(waves):
    again = demo_waves()
    assert [w.filename for w in waves] == [w.filename for w in again]
    assert all(a.data == b.data and a.meta == b.meta for a, b in zip(waves, again, strict=True))


def test_committed_demo_files_are_current(waves):
    spec = importlib.util.spec_from_file_location("build_demo", ROOT / "data" / "build_demo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    files = module.demo_files()
    for w in waves:
        assert files[w.filename] == w.data
    stale = [n for n, data in files.items() if (ROOT / "data" / "demo" / n).read_bytes() != data]
    assert stale == [], "run `python data/build_demo.py` and commit data/demo/"


def test_wjx_text_layout(waves):
    assert len(waves) >= 8
    for w in waves:
        header, rows = read_wave(w)
        assert header[:6] == ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"], w.filename
        for h in header[6:]:
            assert re.fullmatch(r"\d+、.+", h) or re.fullmatch(r"第\d+题\(.+\)", h), h
        assert [r[0] for r in rows] == [str(i) for i in range(1, len(rows) + 1)]
        assert all(len(r) == len(header) for r in rows)
        times = [dt.datetime.strptime(r[1], "%Y/%m/%d %H:%M:%S") for r in rows]
        assert times == sorted(times)
        year, month = map(int, w.meta["period"].split("-"))
        assert all((t.year, t.month) == (year, month) for t in times), w.filename
        assert all(re.fullmatch(r"\d+秒", r[2]) for r in rows)
        assert all(re.fullmatch(r"\d+\.\d+\.\d+\.\d+\([^()-]+-[^()-]+\)", r[5]) for r in rows)
        # one overall question and one open question in every wave
        assert sum("总体而言，您对后勤服务满意吗？" in h for h in header) == 1
        assert "意见" in header[-1] or "建议" in header[-1]


def test_encodings_mix_utf8_bom_and_one_gbk(waves):
    gbk = [w for w in waves if not w.data.startswith(codecs.BOM_UTF8)]
    assert len(gbk) == 1
    with pytest.raises(UnicodeDecodeError):
        gbk[0].data.decode("utf-8")
    assert gbk[0].data.decode("gbk").startswith("序号,")
    for w in waves:
        if w is not gbk[0]:
            w.data[3:].decode("utf-8")  # strict: raises if not UTF-8


def test_meta(waves):
    for w in waves:
        assert list(w.meta) == WAVE_META_KEYS
        _, rows = read_wave(w)
        assert w.meta["returned"] == len(rows)
        assert w.meta["distributed"] >= w.meta["returned"]
        assert re.fullmatch(r"\d{4}-\d{2}", w.meta["period"])
        assert w.meta["channel"] == "问卷调查"
        assert w.meta["name"] in w.filename and w.filename.endswith(".csv")
    assert len({w.filename for w in waves}) == len(waves)
    assert {w.meta["name"] for w in waves} >= {"2014年学员满意度测评"}


def test_2014_trainee_rates_match_the_published_figures(waves):
    w2014 = by_name(waves, "2014年学员")
    acc, n_acc = hand_rate(w2014, ("住宿",))
    cat, n_cat = hand_rate(w2014, ("餐饮",))
    assert abs(acc - 0.96) <= 0.01, acc
    assert abs(cat - 0.91) <= 0.01, cat
    assert n_acc >= 300 and n_cat >= 300  # three items each, over 100 trainees


def test_2014_is_the_best_on_record(waves):
    trainee = [w for w in waves if "学员" in w.meta["name"]]
    assert [w.meta["period"][:4] for w in trainee] == ["2012", "2013", "2014", "2015", "2016"]
    acc = {w.meta["period"][:4]: hand_rate(w, ("住宿",))[0] for w in trainee}
    cat = {w.meta["period"][:4]: hand_rate(w, ("餐饮",))[0] for w in trainee}
    for year in ("2012", "2013", "2015", "2016"):
        assert acc[year] < acc["2014"] and cat[year] < cat["2014"], year
    assert acc["2012"] < acc["2013"] < acc["2014"]  # climbing to the record


def test_one_trainee_wave_uses_basic_satisfied(waves):
    uses_basic = [w.meta["name"] for w in waves if "基本满意".encode() in w.data]
    assert len(uses_basic) == 1 and "学员" in uses_basic[0]


def test_likert_columns_stay_on_one_printed_scale(waves):
    for w in waves:
        header, rows = read_wave(w)
        for i, h in enumerate(header):
            if not is_likert(h):
                continue
            labels = {r[i] for r in rows} - NOT_VALID
            assert any(labels <= s for s in SCALES), (w.filename, h, labels)
            assert len(labels) >= 4, (w.filename, h, labels)
    cells = {c for w in waves for row in read_wave(w)[1] for c in row}
    assert NOT_VALID <= cells  # skipped by logic, left empty, not applicable


def test_2019_wave_150_student_representatives(waves):
    w = by_name(waves, "2019年学生")
    header, rows = read_wave(w)
    assert len(rows) == 150
    assert w.meta["distributed"] == 150 and w.meta["returned"] == 150
    assert w.meta["period"] == "2019-10"
    group = header.index("1、您的身份")
    assert {r[group] for r in rows} == {"学生"}
    college = next(i for i, h in enumerate(header) if "学院" in h)
    assert len({r[college] for r in rows}) == 10  # every department represented
    # 150 valid: nothing for screening to remove
    secs = durations(rows, header)
    assert min(secs) >= sorted(secs)[len(secs) // 2] / 3
    assert straight_liners(rows, header) == 0


def test_maintenance_low_in_2019_then_improves(waves):
    college = [w for w in waves if w.meta["unit"] == waves[-1].meta["unit"]]
    assert [w.meta["period"][:4] for w in college] == ["2018", "2019", "2020", "2021"]
    maint = [hand_rate(w, ("维修", "报修"))[0] for w in college]
    assert maint[1] == min(maint)
    assert maint[1] < 0.60 < maint[2] < maint[3]
    # maintenance is the weakest area in 2019
    w2019 = college[1]
    others = [hand_rate(w2019, (k,))[0] for k in ("公寓", "食堂", "保洁", "绿化", "开水", "安保")]
    assert maint[1] < min(others)


def test_east_campus_air_conditioning_story(waves):
    college = [w for w in waves if w.meta["unit"] == waves[-1].meta["unit"]]

    def ac_rate(w, east: bool) -> float:
        header, rows = read_wave(w)
        campus = header.index("2、您所在的校区")
        ac = next(i for i, h in enumerate(header) if "空调" in h)
        vals = [r[ac] for r in rows if (r[campus] == "东校区") == east and r[ac] in VALID]
        return sum(v in SATISFIED for v in vals) / len(vals)

    w2019, w2020 = college[1], college[2]
    assert ac_rate(w2019, True) < ac_rate(w2019, False) - 0.3
    assert ac_rate(w2020, True) > ac_rate(w2019, True) + 0.4
    # the action register quotes 42 % → 80 % for this item
    assert abs(hand_rate(w2019, ("空调",))[0] - 0.42) <= 0.01
    assert abs(hand_rate(w2020, ("空调",))[0] - 0.80) <= 0.01


def test_groups_campuses_and_a_group_below_the_anonymity_threshold(waves):
    groups_seen, campuses_seen, small = set(), set(), []
    for w in waves:
        header, rows = read_wave(w)
        g = header.index("1、您的身份")
        counts = pd.Series([r[g] for r in rows]).value_counts()
        groups_seen |= set(counts.index)
        small += [(w.meta["name"], k, v) for k, v in counts.items() if v < 5]
        if "2、您所在的校区" in header:
            c = header.index("2、您所在的校区")
            campuses_seen |= {r[c] for r in rows}
    assert groups_seen == {"学生", "教师", "职工", "家长", "学员"}
    assert campuses_seen == {"东校区", "西校区", "南校区", "医学院", "师范学院"}
    assert small and all(k == "家长" and 3 <= v <= 4 for _, k, v in small)


def test_planted_speeders_straight_liners_and_duplicates(waves):
    total_speeders = total_straight = total_dups = 0
    for w in waves:
        header, rows = read_wave(w)
        secs = durations(rows, header)
        median = sorted(secs)[len(secs) // 2]
        total_speeders += sum(s < median / 3 for s in secs)
        total_straight += straight_liners(rows, header)
        answers = [tuple(r[5:]) for r in rows]  # IP and every answer identical
        total_dups += len(answers) - len(set(answers))
    assert 8 <= total_speeders <= 20
    assert 6 <= total_straight <= 20
    assert total_dups >= 2


def test_open_comments_are_chinese_and_by_area(waves):
    w = by_name(waves, "2019年学生")
    header, rows = read_wave(w)
    comments = [r[-1] for r in rows if r[-1] != "(空)"]
    assert 20 <= len(comments) <= 100
    assert all(re.search(r"[\u4e00-\u9fff]{4,}", c) for c in comments)
    assert any("报修" in c or "维修" in c for c in comments)


def test_items_use_words_the_area_classifier_knows(waves):
    from analysis.areas import classify_area

    seen = set()
    for w in waves:
        header, _ = read_wave(w)
        for h in header:
            if is_likert(h):
                area = classify_area(h)
                assert area != "unclassified", h
                seen.add(area)
    assert seen == AREA_KEYS


def test_every_wave_loads_through_the_pipeline(waves):
    from analysis.codebook import load_dataset
    from analysis.metrics import area_summary

    for w in waves:
        ds = load_dataset(w.data, w.filename)
        _, rows = read_wave(w)
        assert ds.n == len(rows)
        assert ds.format == "wjx_text"
        if w.meta["name"] == "2014年学员满意度测评":
            areas = area_summary(ds).set_index("area")["satisfaction_rate"]
            assert areas["accommodation"] == pytest.approx(hand_rate(w, ("住宿",))[0])
            assert areas["catering"] == pytest.approx(hand_rate(w, ("餐饮",))[0])
        if w.meta["name"].startswith("2019年学生"):
            assert len(ds.flags) == 0


# ---------------------------------------------------------------------------------------------


def test_feedback_records_the_2019_activities():
    fb = demo_feedback()
    assert list(fb.columns) == FEEDBACK_COLUMNS
    assert set(fb["channel"]) <= set(FEEDBACK_CHANNELS)
    assert set(fb["area"]) <= AREA_KEYS
    assert set(fb["status"]) <= set(FEEDBACK_STATUSES)
    assert fb["text"].str.len().min() >= 8
    forums = fb[fb["channel"] == "座谈会"]
    assert set(forums["date"].dt.strftime("%m-%d")) == {"10-15", "10-17"}
    assert set(forums.loc[forums["date"].dt.day == 15, "group"]) == {"学生"}
    assert set(forums.loc[forums["date"].dt.day == 17, "group"]) == {"教师"}
    interviews = fb[fb["channel"] == "个别访谈"]
    assert (interviews["group"] == "学生").sum() == 12
    assert (interviews["group"] == "教师").sum() == 8
    parents = fb[fb["group"] == "家长"]
    assert (parents["channel"] == "电话访谈").sum() == 3
    assert (parents["channel"] == "个别访谈").sum() == 1
    petitions = fb[fb["channel"] == "信访"]
    assert len(petitions) == 5 and petitions["text"].str.contains("阳光信访").all()
    assert fb["date"].is_monotonic_increasing


def test_actions_register():
    acts = demo_actions()
    assert list(acts.columns) == ACTION_COLUMNS
    assert set(acts["status"]) <= set(ACTION_STATUSES)
    assert set(acts["area"]) <= AREA_KEYS
    done = acts["status"] == "done"
    assert acts.loc[done, "completed_on"].notna().all()
    assert acts.loc[~done, "completed_on"].isna().all()
    has_target = acts["target_rate"].notna()
    assert ((acts["target_area"] != "") == has_target).all()
    assert set(acts.loc[has_target, "target_area"]) <= AREA_KEYS
    assert acts.loc[has_target, "target_rate"].between(0.5, 1.0).all()
    # the four problem areas of the 2019 review: apartments, catering, maintenance, outsourcing
    assert {"accommodation", "catering", "maintenance", "cleaning"} <= set(acts["area"])
    text = " ".join(acts["measure"])
    for fact in ("6栋", "4000", "空调", "护栏", "5度", "8度", "3%", "教工窗口", "微信", "外包"):
        assert fact in text, fact
    assert (acts["deadline"] >= pd.Timestamp("2019-10-01")).all()
