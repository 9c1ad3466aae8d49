"""Every breakdown of a wave protected jointly with the ones before it (issue 10, "several attributes").

A viewer can break one wave down by 身份 and by each attribute (校区, 学院, 入学年份, 是否住在学生公寓).
Two attributes other than 身份 can be nested: in the 2019 demo wave the 学前教育系 (4 students) lies
on one campus, so "that campus minus its other colleges" gave the 4 back when the 学院 table was
protected only against the 身份 table. ``metrics.group_summary`` now protects the breakdowns in a
fixed order (身份, then the attributes in file order; ``metrics.breakdown_order``), each jointly with
every one before it as published.

The audit shares no code with the suppression. Per item (and per area), the unknowns are the
respondents of each combination of every breakdown's value (身份 × 校区 × 学院 × … — the non-empty
combinations; the attacker is assumed to know every empty one, so they are 0), ≥ 0; the constraints are
the key's total and every cell shown in any of the tables at once. scipy.optimize.linprog (HiGHS) gives
the smallest and largest value of every hidden cell of 1…k−1 respondents; a width below 1 would mean
the published tables together give it away. The same audit ran against the code before this change
finds 学前教育系 = 4 on five items and two areas of the 2019 wave (see the planted test for a failing
case kept in the suite).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from analysis import metrics, store
from analysis.metrics import breakdown_order, group_summary
from tests.test_metrics import make_ds

K = 5


def joint_leaks(ds, bys, *, k=K, level="item"):
    """{(breakdown, value, key): (true, lo, hi)} for the small hidden cells pinned by all tables."""
    tables = {b: group_summary(ds, b, level=level, min_n=k) for b in bys}
    values = {b: [x if pd.notna(x) else None for x in ds.respondents[b].to_numpy(dtype=object)] for b in bys}
    if level == "item":
        keys = {item: [item] for item in ds.items["item"]}
    else:
        keys = {area: list(ds.items.loc[ds.items["area"] == area, "item"]) for area in dict.fromkeys(ds.items["area"])}
    leaks, audited = {}, 0
    for key, cols in keys.items():
        answered = ds.answers[cols].notna().any(axis=1).to_numpy()
        combos: dict[tuple, int] = {}
        for i in np.flatnonzero(answered):
            c = tuple(values[b][i] for b in bys)
            combos[c] = combos.get(c, 0) + 1
        order = list(combos)
        true = np.array([combos[c] for c in order], dtype=float)
        rows, rhs = [np.ones(len(order))], [true.sum()]  # the key's total (overview, item table)
        for j, b in enumerate(bys):
            t = tables[b][tables[b]["key"] == key]
            for v, hidden, n in zip(t["group"], t["suppressed"], t["n_respondents"], strict=True):
                if not hidden:
                    rows.append(np.array([1.0 if c[j] == v else 0.0 for c in order]))
                    rhs.append(float(n))
        a = np.array(rows)
        for j, b in enumerate(bys):
            t = tables[b][tables[b]["key"] == key].set_index("group")
            for v in dict.fromkeys(values[b]):
                w = np.array([1.0 if c[j] == v else 0.0 for c in order])
                n_v = float(w @ true)
                if not 0 < n_v < k:
                    continue
                if v is not None:
                    assert t.at[v, "suppressed"], (b, v, key)  # a small cell is never shown
                audited += 1
                lo = linprog(w, A_eq=a, b_eq=rhs, bounds=(0, None), method="highs")
                hi = linprog(-w, A_eq=a, b_eq=rhs, bounds=(0, None), method="highs")
                assert lo.status == 0 and hi.status == 0
                if -hi.fun - lo.fun < 0.5:
                    leaks[(b, v, key)] = (n_v, lo.fun, -hi.fun)
    return leaks, audited


@pytest.fixture(scope="module")
def demo_waves(tmp_path_factory):
    eng = store.get_engine(f"sqlite:///{tmp_path_factory.mktemp('nested')}/demo.db")
    store.ensure_demo(eng)
    waves = store.list_waves(eng).set_index("period")
    return {p: store.load_wave(eng, int(waves.at[p, "id"])) for p in ("2019-10", "2021-10")}


@pytest.mark.parametrize("period", ["2019-10", "2021-10"])
@pytest.mark.parametrize("level", ["item", "area"])
def test_all_breakdowns_of_a_demo_wave_together_reveal_no_small_cell(demo_waves, period, level):
    ds = demo_waves[period]
    bys = ["group", *[a for a in ds.attributes if a in ds.respondents.columns]]
    assert len(bys) == 5  # 身份, 校区, 学院, 入学年份, 学生公寓
    leaks, audited = joint_leaks(ds, bys, level=level)
    assert audited > 0  # small cells exist (2019: 学前教育系 with 4 students; 2021: 3 家长): the audit has work
    assert not leaks, leaks


def nested_campus_ds():
    """One group of 73 students; 东校区 holds 学院 A (30) and B (3), 西校区 holds C (20) and D (20).

    Alone, the 学院 table hides B (3) and its smallest shown cell, C or D (20); the 校区 table shows
    东 = 33 and 西 = 40. Together, B = 东 − A = 3 unless A is hidden too.
    """
    college = ["A"] * 30 + ["B"] * 3 + ["C"] * 20 + ["D"] * 20
    campus = ["东"] * 33 + ["西"] * 40
    ds = make_ds({"q1": [5] * 73, "q2": [4] * 73})
    resp = ds.respondents.assign(校区=campus, 学院=college)
    return dataclasses.replace(ds, respondents=resp, attributes=["校区", "学院"])


def test_a_college_nested_in_a_campus_is_protected_against_the_campus_table():
    ds = nested_campus_ds()
    leaks, audited = joint_leaks(ds, ["group", "校区", "学院"])
    assert audited == 2 and not leaks  # B on q1 and q2, both protected
    cells = group_summary(ds, "学院", level="item", min_n=K).query("key == 'q1'").set_index("group")
    assert cells.at["B", "suppress_reason"] == "small_cell"
    assert cells.at["A", "suppressed"] and cells.at["A", "suppress_reason"] == "complementary"


def test_without_the_link_the_audit_finds_the_nested_college(monkeypatch):
    # the same tables, the 学院 table protected on its own: the audit recovers B = 3 (it can fail)
    ds = nested_campus_ds()
    monkeypatch.setattr(metrics, "_joint_with", lambda *a, **kw: (False, False))
    leaks, _ = joint_leaks(ds, ["group", "校区", "学院"])
    assert leaks[("学院", "B", "q1")] == (3.0, 3.0, 3.0)


def test_the_order_is_fixed_and_does_not_depend_on_what_was_asked_before():
    ds = nested_campus_ds()
    assert breakdown_order(ds, "学院") == ["group", "校区", "学院"]
    assert breakdown_order(ds, "group") == ["group"]
    assert breakdown_order(ds, "其他") == ["group", "校区", "学院", "其他"]
    first = group_summary(ds, "学院", level="item", min_n=K)
    group_summary(ds, "校区", level="item", min_n=K)
    again = group_summary(ds, "学院", level="item", min_n=K)
    pd.testing.assert_frame_equal(first, again)


def test_a_viewer_raising_k_keeps_every_cell_hidden_at_the_deployments_k():
    ds = nested_campus_ds()
    base = group_summary(ds, "学院", level="item", min_n=K)
    raised = group_summary(ds, "学院", level="item", min_n=K + 1, base_k=K)
    assert (raised["suppressed"] | ~base["suppressed"]).all()
