"""Joint protection across two breakdowns of one wave (issue 10, anonymity item 2, "two attributes").

The areas page shows a wave's items broken down by 身份 (group) and, on request, by another attribute
(校区, 入学年份, 是否住在学生公寓 …); both tables add up to the same published item totals. In the
2021 demo wave 入学年份 and 住在学生公寓 are answered by students only, so "the respondents outside
every year" are exactly the 教师, 职工 and 家长 — a link between the two tables an attacker knows. ``metrics.group_summary`` protects a breakdown by an attribute jointly with the
身份 breakdown (``analysis.anonymity.link_breakdowns``).

The audit here shares no code with the suppression: for each item, the unknowns are the answers of
each (group, attribute value or none) combination, ≥ 0, and 0 where the wave has nobody in that
combination (the attacker is assumed to know every empty combination); the constraints are every
cell shown in either table and the item's total. scipy.optimize.linprog (HiGHS) gives the smallest
and largest value of every hidden cell of 1…k−1 respondents, and of the hidden non-empty cells of the
group table pooled; a width below 1 would mean the two tables together give them away.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from analysis import store
from analysis.metrics import group_summary

K = 5


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    eng = store.get_engine(f"sqlite:///{tmp_path_factory.mktemp('joint')}/demo.db")
    store.ensure_demo(eng)
    waves = store.list_waves(eng).sort_values("period")
    return store.load_wave(eng, int(waves.iloc[-1]["id"]))  # 2021: 学生 337, 教师 44, 职工 27, 家长 3


def joint_ranges(ds, attr):
    """(group, item) → (true, lo, hi) for the hidden small group cells, the attribute's hidden small
    cells ("<attr>=<value>") and the group table's pooled hidden cells per item ("pool"), given both
    tables as published at k = 5."""
    a = group_summary(ds, "group", level="item", min_n=K)
    b = group_summary(ds, attr, level="item", min_n=K)
    groups = list(dict.fromkeys(a["group"]))
    values = list(dict.fromkeys(b["group"])) + [None]  # None: no answer to the attribute
    g_of = ds.respondents["group"].to_numpy(dtype=object)
    v_of = ds.respondents[attr].to_numpy(dtype=object)
    out = {}
    for item in ds.items["item"]:
        answered = ds.answers[item].notna().to_numpy()
        combos = [(g, v) for g in groups for v in values]
        true = np.array([
            int((answered & (g_of == g) & (np.array([x if pd.notna(x) else None for x in v_of], dtype=object) == v
                                           if v is not None else pd.isna(v_of))).sum())
            for g, v in combos
        ])
        rows, rhs = [np.ones(len(combos))], [true.sum()]  # the item's total
        for g in groups:
            cell = a[(a["group"] == g) & (a["key"] == item)].iloc[0]
            if not cell["suppressed"]:
                rows.append(np.array([1.0 if cg == g else 0.0 for cg, _ in combos]))
                rhs.append(int(cell["n_valid"]))
        for v in values[:-1]:
            cell = b[(b["group"] == v) & (b["key"] == item)].iloc[0]
            if not cell["suppressed"]:
                rows.append(np.array([1.0 if cv == v else 0.0 for _, cv in combos]))
                rhs.append(int(cell["n_valid"]))
        bounds = [(0, 0) if t == 0 else (0, None) for t in true]

        def rng(target, rows=rows, rhs=rhs, bounds=bounds):
            lo = linprog(target, A_eq=np.array(rows), b_eq=rhs, bounds=bounds, method="highs")
            hi = linprog(-target, A_eq=np.array(rows), b_eq=rhs, bounds=bounds, method="highs")
            assert lo.status == 0 and hi.status == 0
            return lo.fun, -hi.fun

        cells = a[a["key"] == item].set_index("group")
        hidden_groups = [g for g in groups if cells.at[g, "suppressed"]]
        n_true = {g: int(true[[i for i, (cg, _) in enumerate(combos) if cg == g]].sum()) for g in groups}
        for g in hidden_groups:
            if 0 < n_true[g] < K:
                out[(g, item)] = (n_true[g], *rng(np.array([1.0 if cg == g else 0.0 for cg, _ in combos])))
        vcells = b[b["key"] == item].set_index("group")
        for v in values[:-1]:
            n_v = int(true[[i for i, (_, cv) in enumerate(combos) if cv == v]].sum())
            if vcells.at[v, "suppressed"] and 0 < n_v < K:
                out[(f"{attr}={v}", item)] = (n_v, *rng(np.array([1.0 if cv == v else 0.0 for _, cv in combos])))
        pool = [g for g in hidden_groups if n_true[g] > 0]
        if pool and sum(n_true[g] for g in pool) < K * 2:
            target = np.array([1.0 if cg in pool else 0.0 for cg, _ in combos])
            out[("pool", item)] = (sum(n_true[g] for g in pool), *rng(target))
    return out


@pytest.mark.parametrize("attr", ["您的入学年份", "您是否住在学生公寓？", "您所在的校区"])
def test_two_breakdowns_together_reveal_no_small_group(demo, attr):
    found = joint_ranges(demo, attr)
    assert any(key[0] == "家长" for key in found)  # the 3 家长 are hidden somewhere: the audit has work
    leaks = {key: v for key, v in found.items() if v[2] - v[1] < 0.5 and (key[0] != "pool" or v[0] < K)}
    assert not leaks, leaks


def test_attribute_answered_by_one_group_only_is_protected_jointly(monkeypatch):
    import dataclasses

    from tests.test_metrics import make_ds

    # 学生 30, 教师 10, 职工 8, 家长 2 answer q1. By group: 家长 (2) hidden, complement 职工 (8), the
    # smallest shown cell. By 部门 (only 职工 answer it, all "后勤处"): 后勤处 = 8 shown. Together:
    # 家长 = 50 − 30 − 10 − 8 = 2.
    groups = ["学生"] * 30 + ["教师"] * 10 + ["职工"] * 8 + ["家长"] * 2
    ds = make_ds({"q1": [5] * 50}, groups=groups)
    resp = ds.respondents.copy()
    resp["部门"] = [None] * 40 + ["后勤处"] * 8 + [None] * 2
    ds = dataclasses.replace(ds, respondents=resp, attributes=["部门"])
    found = joint_ranges(ds, "部门")
    lo, hi = found[("家长", "q1")][1:]
    assert hi - lo > 0.5
    # the 部门 cell is hidden (it would publish the 职工 count), as a complementary cell
    cell = group_summary(ds, "部门", level="item", min_n=K).set_index("group").loc["后勤处"]
    assert cell["suppressed"] and cell["suppress_reason"] == "complementary"
    # each table protected on its own (before the joint protection): the audit finds 家长 = 2
    from analysis import metrics

    monkeypatch.setattr(metrics, "_joint_with", lambda *a, **kw: (False, False))
    true, lo, hi = joint_ranges(ds, "部门")[("家长", "q1")]
    assert (true, lo, hi) == (2, 2.0, 2.0)
