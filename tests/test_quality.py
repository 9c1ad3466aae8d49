"""Response screening (analysis.quality) on planted speeders, straight-liners and duplicates.

Every expected row below was worked out by hand from the small tables in this file.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.model import Dataset
from analysis.quality import FLAG_COLUMNS, RULES, flag_counts, screen

NA = pd.NA


def make_ds(answers: list[list], *, durations=None, ids=None, ips=None, times=None) -> Dataset:
    n = len(answers)
    k = len(answers[0])
    ans = pd.DataFrame(answers, columns=[f"q{j + 1}" for j in range(k)]).astype("Int8")
    resp = pd.DataFrame(
        {
            "row": range(1, n + 1),
            "resp_id": ids if ids is not None else [str(i + 1) for i in range(n)],
            "submitted_at": pd.to_datetime(times) if times is not None else pd.NaT,
            "duration_s": pd.array(durations if durations is not None else [NA] * n, dtype="Int64"),
            "ip": ips if ips is not None else [NA] * n,
            "group": ["学生"] * n,
        }
    )
    items = pd.DataFrame({"item": ans.columns, "label": ans.columns, "area": "overall", "scale": "zh5_hen"})
    return Dataset(answers=ans, items=items, respondents=resp)


# Six Likert items, answers varied enough that no row is a straight-liner unless planted.
VARIED = [
    [5, 4, 4, 3, 5, 4],
    [4, 4, 3, 3, 4, 5],
    [3, 4, 5, 2, 4, 4],
    [5, 5, 4, 4, 3, 5],
    [2, 3, 3, 4, 2, 3],
    [4, 5, 5, 4, 4, 3],
    [4, 3, 4, 5, 5, 4],
    [5, 4, 3, 4, 4, 4],
]


def test_speeders_below_a_third_of_the_median():
    # durations sorted: 40 90 100 200 300 310 320 330 → median (200+300)/2 = 250, threshold 250/3 = 83.33…
    durations = [300, 40, 200, 100, 310, 320, 90, 330]
    out = screen(make_ds(VARIED, durations=durations))
    assert list(out.columns) == FLAG_COLUMNS
    assert out["row"].tolist() == [2]  # 40 s; 90 s is above 83.3 s
    assert out["reasons"].tolist() == [["speeder"]]
    # a stricter fraction (1/2 → threshold 125 s) also catches 90 s and 100 s
    out = screen(make_ds(VARIED, durations=durations), speeder_fraction=0.5)
    assert out["row"].tolist() == [2, 4, 7]


def test_speeder_ignores_unknown_durations_and_fraction_zero_disables():
    durations = [300, NA, 200, 10, NA, NA, NA, NA]  # median of 300, 200, 10 = 200 → threshold 66.7
    out = screen(make_ds(VARIED, durations=durations))
    assert out["row"].tolist() == [4]
    assert screen(make_ds(VARIED, durations=durations), speeder_fraction=0).empty


def test_straightliners_need_enough_answered_items():
    rows = [list(r) for r in VARIED]
    rows[1] = [4, 4, 4, 4, 4, 4]  # 6 identical → flagged
    rows[3] = [5, 5, 5, 5, 5, NA]  # only 5 answered → not flagged with the default 6
    rows[5] = [1, 1, 1, 1, 1, 1]  # flagged (all worst)
    out = screen(make_ds(rows))
    assert out["row"].tolist() == [2, 6]
    assert all(r == ["straightliner"] for r in out["reasons"])
    out = screen(make_ds(rows), min_items_straightline=5)
    assert out["row"].tolist() == [2, 4, 6]


def test_duplicate_ids_keep_the_first():
    ids = ["A1", "A2", "A1", NA, NA, "A3", "A2", "A1"]  # NA ids are never duplicates
    out = screen(make_ds(VARIED, ids=ids))
    assert out["row"].tolist() == [3, 7, 8]
    assert out["resp_id"].tolist() == ["A1", "A2", "A1"]
    assert all(r == ["duplicate_id"] for r in out["reasons"])


def test_duplicate_answers_same_ip_within_window():
    rows = [list(r) for r in VARIED]
    rows[2] = list(rows[0])  # row 3 repeats row 1, same IP, 6 min later → flagged
    rows[4] = list(rows[0])  # row 5 repeats row 1, same IP, 45 min later (but 39 min after row 3) → kept
    rows[6] = list(rows[1])  # row 7 repeats row 2 within 2 min but from another IP → kept
    rows[7] = [4, 4, 3, 3, 4, NA]  # row 8 differs from row 2 only by a missing answer → kept
    ips = [
        "58.19.2.1(湖北-武汉)",
        "10.0.0.2",
        "58.19.2.1(湖北-武汉)",
        "10.0.0.9",
        "58.19.2.1",
        "10.0.0.4",
        "10.0.0.3",
        "10.0.0.2",
    ]
    times = [
        "2025-04-06 09:00",
        "2025-04-06 09:00",
        "2025-04-06 09:06",
        "2025-04-06 09:10",
        "2025-04-06 09:45",
        "2025-04-06 09:10",
        "2025-04-06 09:02",
        "2025-04-06 09:03",
    ]
    out = screen(make_ds(rows, ips=ips, times=times))
    assert out["row"].tolist() == [3]
    assert out["reasons"].tolist() == [["duplicate_answers"]]
    # a one-hour window also catches row 5 (39 min after row 3)
    out = screen(make_ds(rows, ips=ips, times=times), duplicate_minutes=60)
    assert out["row"].tolist() == [3, 5]


def test_several_reasons_in_rules_order_and_counts():
    rows = [list(r) for r in VARIED]
    rows[6] = [3, 3, 3, 3, 3, 3]
    durations = [300, 320, 310, 330, 290, 305, 20, 315]  # median 307.5 → row 7 (20 s) is a speeder
    ids = ["1", "2", "3", "4", "5", "6", "2", "8"]
    out = screen(make_ds(rows, durations=durations, ids=ids))
    assert out["row"].tolist() == [7]
    assert out["reasons"].tolist() == [["speeder", "straightliner", "duplicate_id"]]
    counts = flag_counts(out, n=8).set_index("rule")
    assert counts.loc["speeder", "count"] == 1 and counts.loc["duplicate_answers", "count"] == 0
    assert counts.loc["any", "count"] == 1 and counts.loc["any", "share"] == pytest.approx(1 / 8)


def test_no_flags_gives_empty_frame_with_columns():
    out = screen(make_ds(VARIED))
    assert out.empty and list(out.columns) == FLAG_COLUMNS


def test_input_not_mutated():
    ds = make_ds(VARIED, durations=[300, 40, 200, 100, 310, 320, 90, 330])
    before = (ds.answers.copy(), ds.respondents.copy())
    screen(ds)
    pd.testing.assert_frame_equal(ds.answers, before[0])
    pd.testing.assert_frame_equal(ds.respondents, before[1])


@pytest.mark.parametrize(
    "kwargs", [{"speeder_fraction": 1.5}, {"min_items_straightline": 1}, {"duplicate_minutes": -1}]
)
def test_bad_options_raise_helpful_valueerror(kwargs):
    with pytest.raises(ValueError, match="[\u4e00-\u9fff]"):
        screen(make_ds(VARIED), **kwargs)


def test_rules_registry_describes_thresholds():
    assert list(RULES) == ["speeder", "straightliner", "duplicate_id", "duplicate_answers"]
    assert "三分之一" in RULES["speeder"].describe("zh")
    assert "50%" in RULES["speeder"].describe("en", 0.5)
    assert "6" in RULES["straightliner"].describe("zh")
    assert "10 minutes" in RULES["duplicate_answers"].describe("en")


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=3, max_size=3), min_size=1, max_size=12),
    st.data(),
)
def test_screen_never_crashes_and_flags_only_existing_rows(answers, data):
    n = len(answers)
    durations = data.draw(st.lists(st.one_of(st.none(), st.integers(0, 900)), min_size=n, max_size=n))
    ids = data.draw(st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", ""])), min_size=n, max_size=n))
    ips = data.draw(
        st.lists(st.one_of(st.none(), st.sampled_from(["1.1.1.1", "2.2.2.2(北京)"])), min_size=n, max_size=n)
    )
    times = data.draw(
        st.lists(
            st.one_of(st.none(), st.sampled_from(["2025-04-06 09:00", "2025-04-06 09:05"])), min_size=n, max_size=n
        )
    )
    ds = make_ds(
        [[NA if v is None else v for v in r] for r in answers],
        durations=[NA if d is None else d for d in durations],
        ids=[NA if i is None else i for i in ids],
        ips=[NA if i is None else i for i in ips],
        times=times,
    )
    out = screen(ds, min_items_straightline=2)
    assert list(out.columns) == FLAG_COLUMNS
    assert set(out["row"]) <= set(range(1, n + 1))
    assert all(r and set(r) <= set(RULES) for r in out["reasons"])


# --------------------------------------------------------------------------------------------
# The fast paths of screen (integer ids, packed answer patterns) against the rules as written
# --------------------------------------------------------------------------------------------
def brute_force_duplicates(ds: Dataset, minutes: float = 10) -> tuple[set[int], set[int]]:
    """The two duplicate rules straight from their definitions, pair by pair (O(n²), no hashing):
    ``duplicate_id`` — a stripped non-empty id seen in an earlier row; ``duplicate_answers`` — an
    earlier-or-equal-time response from the same IP (suffix and blanks removed) with identical answers
    (NA = NA, at least one valid), at most ``minutes`` before it. Returns the flagged row numbers."""
    import re

    resp, ans = ds.respondents, ds.answers
    ids = [None if pd.isna(v) or not str(v).strip() else str(v).strip() for v in resp["resp_id"]]
    dup_id = {int(resp["row"][i]) for i in range(len(ids)) if ids[i] is not None and ids[i] in ids[:i]}

    def ip_of(v):
        if pd.isna(v):
            return None
        v = re.sub(r"\s*[(（].*$", "", str(v)).strip()
        return v or None

    ips = [ip_of(v) for v in resp["ip"]]
    times = list(pd.to_datetime(resp["submitted_at"]))
    rows = [tuple(None if pd.isna(x) else int(x) for x in r) for r in ans.itertuples(index=False)]
    dup_ans = set()
    for j in range(len(rows)):
        if ips[j] is None or pd.isna(times[j]) or all(x is None for x in rows[j]):
            continue
        for i in range(len(rows)):
            if i == j or ips[i] != ips[j] or rows[i] != rows[j] or pd.isna(times[i]):
                continue
            earlier = times[i] < times[j] or (times[i] == times[j] and i < j)
            if earlier and times[j] - times[i] <= pd.Timedelta(minutes=minutes):
                dup_ans.add(int(resp["row"][j]))
                break
    return dup_id, dup_ans


def flagged(out: pd.DataFrame, rule: str) -> set[int]:
    return {int(r) for r, reasons in zip(out["row"], out["reasons"], strict=True) if rule in reasons}


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_duplicate_rules_match_the_pairwise_definition(data):
    n = data.draw(st.integers(1, 14))
    k = data.draw(st.sampled_from([1, 3, 25, 45]))  # 25 and 45 items need two and three packed words
    top = data.draw(st.sampled_from([2, 5, 11]))
    base = data.draw(st.lists(st.lists(st.one_of(st.none(), st.integers(1, top)), min_size=k, max_size=k),
                              min_size=1, max_size=3))
    answers = [list(base[data.draw(st.integers(0, len(base) - 1))]) for _ in range(n)]
    for r in answers:  # a few rows differ from their template in one (possibly the last) item
        if data.draw(st.booleans()):
            r[data.draw(st.integers(0, k - 1))] = data.draw(st.one_of(st.none(), st.integers(1, top)))
    ids = data.draw(st.lists(st.one_of(st.none(), st.sampled_from(["1", "2", "3", "07", "7", " 2", "", "a"])),
                             min_size=n, max_size=n))
    ips = data.draw(st.lists(st.one_of(st.none(), st.sampled_from(["1.1.1.1", "1.1.1.1(北京)", " ", "2.2.2.2"])),
                             min_size=n, max_size=n))
    minutes = data.draw(st.lists(st.one_of(st.none(), st.integers(0, 30)), min_size=n, max_size=n))
    times = [None if m is None else f"2025-04-06 09:{m:02d}" for m in minutes]
    ds = make_ds([[NA if v is None else v for v in r] for r in answers], ids=[NA if i is None else i for i in ids],
                 ips=[NA if i is None else i for i in ips], times=times)
    out = screen(ds)
    want_id, want_ans = brute_force_duplicates(ds)
    assert flagged(out, "duplicate_id") == want_id
    assert flagged(out, "duplicate_answers") == want_ans


def test_integer_ids_compared_as_numbers_only_when_text_and_number_agree():
    # rows 1-4: 3, 1, 3, 2 → row 3 repeats row 1's id (hand count); "07" and "7" are different ids
    ds = make_ds([VARIED[0]] * 6, ids=["3", "1", "3", "2", "07", "7"])
    assert flagged(screen(ds), "duplicate_id") == {3}
    ds = make_ds([VARIED[0]] * 4, ids=["1", "2", "3", "4"])  # increasing: no duplicate
    assert flagged(screen(ds), "duplicate_id") == set()
    ds = make_ds([VARIED[0]] * 4, ids=["10", "9", "10", " 9 "])  # stripped: rows 3 and 4 repeat
    assert flagged(screen(ds), "duplicate_id") == {3, 4}


def test_wide_patterns_differing_only_in_the_last_item_are_not_duplicates():
    # 40 five-point items take two packed words; rows 1 and 2 differ in item 40 only, row 3 equals row 1
    # (rows 4 and 5, from another IP, give every item the range 1-5: 3 bits each, 21 items a word)
    row = [1 + (j % 5) for j in range(40)]
    other = row[:-1] + [5 if row[-1] != 5 else 4]
    times = ["2025-04-06 09:00", "2025-04-06 09:01", "2025-04-06 09:02", "2025-04-06 09:00", "2025-04-06 09:00"]
    ds = make_ds([row, other, row, [1] * 40, [5] * 40], ips=["1.1.1.1"] * 3 + ["9.9.9.9"] * 2, times=times)
    assert flagged(screen(ds), "duplicate_answers") == {3}


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_straightliners_match_the_row_max_min_definition(data):
    # fast path: running max/min vectors over int8 codes (float64 for other dtypes); reference: the
    # rule as written, per row in Python — at least ``m`` valid answers, all of them the same
    n, k = data.draw(st.integers(1, 10)), data.draw(st.integers(2, 8))
    rows = data.draw(st.lists(st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=k, max_size=k),
                              min_size=n, max_size=n))
    m = data.draw(st.integers(2, k))  # screen asks for at least 2
    ds = make_ds([[NA if v is None else v for v in r] for r in rows])
    if data.draw(st.booleans()):  # a float column takes the float64 branch of the fast path
        ds = Dataset(answers=ds.answers.astype("float64"), items=ds.items, respondents=ds.respondents)
    want = {i + 1 for i, r in enumerate(rows) if len(valid := [v for v in r if v is not None]) >= m
            and len(set(valid)) == 1}
    assert flagged(screen(ds, min_items_straightline=m), "straightliner") == want
