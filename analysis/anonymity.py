"""Anonymity: the one module that decides whether a breakdown figure may be shown.

Every page and every export asks this module (docs/METRICS.md, "Anonymity policy"); no page
computes its own suppression.

* :func:`min_group` — the deployment's threshold k: ``SURVEY_MIN_GROUP`` (default 5), raised (never
  lowered) by the managers' setting stored in the database. :func:`viewer_k` lets a viewer raise it
  for their own view, never lower it.
* :func:`protect` — cell suppression on a set of cells tied together by published margins
  (linear relations such as "the groups of an item add up to the item's total"). A cell describing
  1…k−1 respondents is hidden (primary); more cells are hidden (complementary) until an exact audit
  finds nothing an attacker can compute from the shown cells and the published relations:

  1. no hidden small cell has a single possible value, and
  2. in no relation does a set of hidden non-empty cells pooling fewer than k respondents have a
     single possible sum (alone or with hidden empty cells: "total minus the visible cells" always
     describes ≥ k respondents or nobody), unless the set is the whole relation (its total).

  The audit: hidden empty cells the relations force to 0 by linear programming, then a rank test of
  the relations on the rest (Hundepool et al., *Statistical Disclosure Control*, Wiley 2012,
  §5.2–5.3 "secondary suppression", "audit").

  Cells with no respondents protect nothing: pools count true respondents. Respondents outside every
  group (no value in the breakdown column) are an unpublished cell of each margin and are protected
  like a group.
* :func:`suppress` — the two-way (group × key) form used by the tests and simple tables;
  :func:`suppress_breakdown` — group × item and group × area at once, with the relation
  "a group's area figure pools its item figures", so the item and area breakdowns agree.
* Filters (exclude flagged responses): a filtered cell that differs from the unfiltered one by
  1…k−1 respondents would reveal those respondents; :func:`filter_difference` marks it and the
  cell is then protected as a small cell (reason ``filter_difference``); :func:`guard_totals` and
  :func:`guard_trend` do the same for totals and trends.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "SUPPRESS_REASONS",
    "DEFAULT_K",
    "K_MAX",
    "ENV_VAR",
    "SETTING_KEY",
    "Line",
    "min_group",
    "viewer_k",
    "parse_k",
    "protect",
    "protect_cells",
    "clear_memo",
    "suppress",
    "suppress_breakdown",
    "link_breakdowns",
    "filter_difference",
    "guard_totals",
    "guard_trend",
    "respondents_per_key",
    "shown",
]

DEFAULT_K = 5
MAX_AUDITED = 1500  # more hidden cells than this: the whole breakdown is hidden (the audit is cubic)
MAX_STEPS = 400  # complementary cells chosen one by one at most; beyond, the whole breakdown is hidden
K_MAX = 100
ENV_VAR = "SURVEY_MIN_GROUP"
SETTING_KEY = "min_group"
SUPPRESS_REASONS: dict[str, tuple[str, str]] = {
    "small_cell": ("人数少于阈值，已隐藏", "fewer respondents than the threshold; hidden"),
    "complementary": ("为防止由合计反推而一并隐藏", "hidden so a small cell cannot be recovered from totals"),
    "filter_difference": (
        "与未筛选时相差不足阈值人数，已隐藏",
        "differs from the unfiltered figure by fewer respondents than the threshold; hidden",
    ),
}


def parse_k(value: Any, *, what: str = ENV_VAR) -> int:
    """A threshold from text or a number: an integer 1…K_MAX, else a bilingual ValueError."""
    try:
        k = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(
            f"{what} 必须是 1–{K_MAX} 的整数，当前为 {value!r}。 {what} must be an integer from 1 to {K_MAX}, got {value!r}."
        ) from None
    if not 1 <= k <= K_MAX:
        raise ValueError(
            f"{what} 必须是 1–{K_MAX} 的整数，当前为 {k}。 {what} must be an integer from 1 to {K_MAX}, got {k}."
        )
    return k


def min_group(settings: Any = None) -> int:
    """The deployment's anonymity threshold k.

    Parameters
    ----------
    settings : a SQLAlchemy engine (its stored settings are read), a mapping of settings (key
        ``"min_group"``), or None (configuration only).

    Returns
    -------
    ``max(SURVEY_MIN_GROUP or 5, the managers' setting)``: configuration sets the floor, the
    managers' setting may raise it, nothing lowers it. An invalid ``SURVEY_MIN_GROUP`` falls back to
    the default 5 (never to a lower value); an unreadable store falls back to configuration.
    """
    raw = os.environ.get(ENV_VAR, "").strip()
    try:
        floor = parse_k(raw) if raw else DEFAULT_K
    except ValueError:
        floor = DEFAULT_K
    stored = None
    if settings is not None and hasattr(settings, "connect"):
        try:
            from analysis.store.settings import get_setting

            stored = get_setting(settings, SETTING_KEY)
        except Exception:  # noqa: BLE001 — a store without the table (old schema) keeps the floor
            stored = None
    elif isinstance(settings, Mapping):
        stored = settings.get(SETTING_KEY)
    try:
        manager = parse_k(stored) if stored not in (None, "") else 0
    except ValueError:
        manager = 0
    return max(floor, manager)


def viewer_k(deployment_k: int, requested: Any = None) -> int:
    """The threshold for one viewer: the deployment's, or higher if the viewer asked for more."""
    try:
        asked = int(requested) if requested is not None else 0
    except (TypeError, ValueError):
        asked = 0
    return max(int(deployment_k), min(asked, K_MAX))


@dataclass(frozen=True)
class Line:
    """One published relation between cells: ``Σ coefs[j] · cell[cells[j]] = a published figure``.

    ``pool`` says how the respondents of hidden cells on the positive side add up: ``"sum"`` when
    the cells are disjoint groups of people (groups of one item), ``"max"`` when they are the same
    people (the items of one group within an area). Cells with a negative coefficient are the
    margin itself when it is a cell too (a group's area figure as the sum of its items).
    """

    cells: np.ndarray
    coefs: np.ndarray
    pool: str = "sum"


def _relations(lines: Sequence[Line], n: int, free: np.ndarray) -> np.ndarray:
    """The relations restricted to the ``free`` cells: one row per line that touches one."""
    idx = np.flatnonzero(free)
    pos = -np.ones(n, dtype=np.int64)
    pos[idx] = np.arange(len(idx))
    rows = []
    for line in lines:
        p = pos[line.cells]
        m = p >= 0
        if m.any():
            r = np.zeros(len(idx))
            np.add.at(r, p[m], line.coefs[m])
            rows.append(r)
    return np.vstack(rows) if rows else np.zeros((0, len(idx)))


def _null_space(a: np.ndarray, width: int) -> np.ndarray:
    """An orthonormal basis (columns) of the null space of ``a`` (``width`` unknowns)."""
    if not a.shape[0]:
        return np.eye(width)
    _, s, vt = np.linalg.svd(a, full_matrices=True)
    rank = int((s > 1e-9 * max(1.0, s[0] if len(s) else 1.0)).sum())
    return vt[rank:].T


def _implicit_zeros(lines: Sequence[Line], n: int, hidden: np.ndarray, nonempty: np.ndarray) -> np.ndarray:
    """Hidden empty cells the published relations force to 0 (an attacker knows they are empty).

    A hidden empty cell ``z`` can be positive in some table agreeing with every published figure iff
    there is a direction ``d`` with ``A d = 0`` (restricted to the hidden cells), ``d ≥ 0`` on the
    hidden empty cells and ``d_z > 0`` (the true table has every hidden non-empty cell positive, so a
    small step along ``d`` stays feasible). This depends on which cells are empty, not on the
    counts. Found by repeated LPs (scipy HiGHS), each maximising ``Σ t_z``, ``0 ≤ t_z ≤ min(d_z, 1)``
    over the empty cells not yet shown to be free.
    """
    from scipy.optimize import linprog

    out = np.zeros(n, dtype=bool)
    zeros = hidden & ~nonempty
    if not zeros.any():
        return out
    idx = np.flatnonzero(hidden)
    a = _relations(lines, n, hidden)
    if not a.shape[0]:
        return out
    is_zero = zeros[idx]
    todo = is_zero.copy()
    m = len(idx)
    while todo.any():
        t_idx = np.flatnonzero(todo)
        nt = len(t_idx)
        # variables: d (m), t (nt); maximise Σ t
        c = np.concatenate([np.zeros(m), -np.ones(nt)])
        a_eq = np.hstack([a, np.zeros((a.shape[0], nt))])
        a_ub = np.zeros((nt, m + nt))
        a_ub[np.arange(nt), t_idx] = -1.0  # t − d ≤ 0
        a_ub[np.arange(nt), m + np.arange(nt)] = 1.0
        bounds = [(0.0, 1.0) if is_zero[i] else (-1.0, 1.0) for i in range(m)] + [(0.0, 1.0)] * nt
        res = linprog(c, A_ub=a_ub, b_ub=np.zeros(nt), A_eq=a_eq, b_eq=np.zeros(a.shape[0]), bounds=bounds,
                      method="highs")
        if res.status != 0 or -res.fun < 1e-9:
            break
        got = res.x[m:] > 1e-9
        if not got.any():
            break
        todo[t_idx[got]] = False
    out[idx[todo]] = True
    return out


@dataclass
class _Audit:
    """What the published figures reveal about the hidden cells (see :func:`protect`)."""

    free: np.ndarray  # hidden cells an attacker cannot pin to 0 (non-empty, or empty but free)
    basis: np.ndarray  # null space of the relations on ``free`` cells: rows follow ``free`` cells
    pos: np.ndarray  # cell → row of ``basis`` (−1: not free)

    def pinned(self, cells: Sequence[int]) -> bool:
        """Whether the sum of ``cells`` is fixed by the published figures."""
        p = self.pos[np.asarray(cells, dtype=np.int64)]
        if (p < 0).any():
            return True  # a cell known (visible, or forced to 0)
        if not self.basis.shape[1]:
            return True
        return float(np.linalg.norm(self.basis[p].sum(axis=0))) < 1e-7

    def candidates(
        self, hid: np.ndarray, empty: list[int], c: np.ndarray, k: int, pool: str
    ) -> list[tuple[list[int], list[int]]]:
        """Sets of the hidden non-empty cells ``hid`` pooling < k whose sum might be fixed, each with
        hidden empty cells (of ``empty``) to add to it: an attacker who learns the sum of a set and
        some empty cells learns the set's pool (zero cells protect nothing).

        A set's sum is fixed iff its 0/1 vector ``w`` has ``wᵀ B = 0`` (B: the basis rows of the
        cells). When those dependencies form a space of dimension ≤ 1 the only candidate is the
        support of its generator; otherwise the small sets are listed (at most 4,096).
        """
        cells = [int(x) for x in hid] + list(empty)
        p = self.pos[np.asarray(cells, dtype=np.int64)]
        if not self.basis.shape[1]:
            dep = np.eye(len(cells))
        else:
            m = self.basis[p]
            _, sv, vt = np.linalg.svd(m.T, full_matrices=True)
            rank = int((sv > 1e-9 * max(1.0, sv[0] if len(sv) else 1.0)).sum())
            dep = vt[rank:]
        if not len(dep):
            return []
        if len(dep) == 1:
            w = dep[0]
            supp = np.flatnonzero(np.abs(w) > 1e-9)
            if len(supp) and np.allclose(w[supp], w[supp[0]], atol=1e-7):
                subset = [cells[i] for i in supp if i < len(hid)]
                if subset and (sum(c[x] for x in subset) if pool == "sum" else max(c[x] for x in subset)) < k:
                    return [(subset, [cells[i] for i in supp if i >= len(hid)])]
            return []
        return [(x, y) for x in _small_unions(hid, c, k, pool) for y in ([], list(empty))]


def _audit(lines: Sequence[Line], n: int, hidden: np.ndarray, nonempty: np.ndarray) -> _Audit:
    free = hidden & ~_implicit_zeros(lines, n, hidden, nonempty)
    basis = _null_space(_relations(lines, n, free), int(free.sum()))
    pos = -np.ones(n, dtype=np.int64)
    pos[np.flatnonzero(free)] = np.arange(int(free.sum()))
    return _Audit(free, basis, pos)


def _small_unions(cells: np.ndarray, c: np.ndarray, k: int, pool: str, limit: int = 4096) -> list[list[int]]:
    """Sets of the given hidden non-empty cells pooling fewer than k respondents (largest first)."""
    small = [int(x) for x in sorted(cells.tolist(), key=lambda x: c[x]) if c[x] < k]
    out: list[list[int]] = []

    def grow(start: int, chosen: list[int], total: float) -> None:
        if len(out) >= limit:
            return
        for i in range(start, len(small)):
            x = small[i]
            t = total + c[x] if pool == "sum" else max(total, c[x])
            if t >= k:
                if pool == "sum":
                    break  # sorted: every later cell is at least as large
                continue
            out.append([*chosen, x])
            grow(i + 1, [*chosen, x], t)

    grow(0, [], 0.0)
    return out


def _with(mask: np.ndarray, j: int) -> np.ndarray:
    out = mask.copy()
    out[j] = True
    return out


MEMO_SIZE = 512  # protect() results kept per process (two boolean arrays each); 0 turns the memo off
_memo: OrderedDict[bytes, tuple[np.ndarray, np.ndarray]] = OrderedDict()
_memo_lock = threading.Lock()


def _memo_key(counts, lines, k, masks) -> bytes:
    """A digest of everything :func:`protect` reads: equal inputs give the same cells."""
    h = hashlib.blake2b(digest_size=20)
    h.update(np.asarray(counts, dtype=float).tobytes())
    h.update(str(int(k)).encode())
    for mask in masks:
        h.update(b"-" if mask is None else np.asarray(mask, dtype=bool).tobytes() + b"|")
    for line in lines:
        h.update(np.asarray(line.cells, dtype=np.int64).tobytes())
        h.update(np.asarray(line.coefs, dtype=float).tobytes())
        h.update(line.pool.encode() + b";")
    return h.digest()


def clear_memo() -> None:
    """Forget the remembered :func:`protect` results (benchmarks time the computation cold)."""
    with _memo_lock:
        _memo.clear()


def protect(
    counts: Sequence[int] | np.ndarray,
    lines: Sequence[Line],
    k: int,
    *,
    force: np.ndarray | None = None,
    unpublished: np.ndarray | None = None,
    hide: np.ndarray | None = None,
    fixed: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`protect_cells`, remembered: the breakdowns of a wave are protected in a chain (each
    jointly with the ones before it), so one page asks for the same protection several times
    (bench/bench_anonymity.py; bench/RESULTS.md, "Anonymity: cost of the joint protection")."""
    if MEMO_SIZE <= 0:
        return protect_cells(counts, lines, k, force=force, unpublished=unpublished, hide=hide, fixed=fixed)
    key = _memo_key(counts, lines, k, (force, unpublished, hide, fixed))
    with _memo_lock:
        got = _memo.get(key)
        if got is not None:
            _memo.move_to_end(key)
            return got[0].copy(), got[1].copy()
    hidden, primary = protect_cells(counts, lines, k, force=force, unpublished=unpublished, hide=hide, fixed=fixed)
    with _memo_lock:
        _memo[key] = (hidden.copy(), primary.copy())
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return hidden, primary


def protect_cells(
    counts: Sequence[int] | np.ndarray,
    lines: Sequence[Line],
    k: int,
    *,
    force: np.ndarray | None = None,
    unpublished: np.ndarray | None = None,
    hide: np.ndarray | None = None,
    fixed: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Primary and complementary suppression on cells tied by published relations (the reference
    computation; :func:`protect` remembers its results).

    Parameters
    ----------
    counts : respondents per cell (the count the threshold applies to).
    lines : the published relations (:class:`Line`).
    k : threshold (≥ 1): cells with ``0 < count < k`` are hidden (primary); empty cells are hidden
        too but protect nothing.
    force : cells to hide and protect as small cells whatever their count (filter differences,
        cells already hidden at the deployment's threshold when a viewer raises k).
    unpublished : cells never shown (respondents outside every group); they are protected when
        small but are never chosen as complementary cells.
    hide : cells already hidden (complementary cells of a table published as it is).
    fixed : cells whose state is given (another page's table): never chosen.

    Returns
    -------
    ``(hidden, primary)`` boolean arrays. The attacker sees the shown cells and every relation's
    published figure and knows that counts are ≥ 0. Guarantees, checked by an exact audit
    (:func:`_audit`: the hidden empty cells the relations force to 0 by LP, then a rank test of the
    remaining relations, Hundepool et al., *Statistical Disclosure Control*, 2012, §5.2–5.3):

    1. no primary cell's count is fixed by the published figures;
    2. in every relation, no set of its hidden non-empty cells pooling fewer than k respondents
       (sum, or max for ``"max"`` relations) has a fixed total, alone or with the relation's hidden
       empty cells — in particular "the relation's figure minus its shown cells" describes ≥ k
       respondents — unless the set is every non-empty cell of the relation (then that figure is
       the total itself, shown without a breakdown).

    Empty cells never count as protection: the pooling is on the true counts. Greedy choice: the
    smallest shown non-empty cell that repairs the fault (cells near the fault first), else the
    cheapest pair; when no shown cell is left the whole breakdown is hidden and only the relations'
    figures remain. More than ``MAX_AUDITED`` hidden cells or ``MAX_STEPS`` choices: every cell is
    hidden (such a breakdown, e.g. one group per respondent, shows nothing worth the risk).
    """
    k = int(k)
    if k < 1:
        raise ValueError(f"匿名阈值 k 必须 ≥ 1，当前为 {k}。 The anonymity threshold k must be at least 1, got {k}.")
    c = np.asarray(counts, dtype=float)
    c = np.where(np.isfinite(c), c, 0.0)
    n = len(c)
    forced = np.zeros(n, dtype=bool) if force is None else np.asarray(force, dtype=bool)
    never = np.zeros(n, dtype=bool) if unpublished is None else np.asarray(unpublished, dtype=bool)
    nonempty = c > 0
    primary = (nonempty & (c < k)) | (forced & nonempty)
    given = np.zeros(n, dtype=bool) if fixed is None else np.asarray(fixed, dtype=bool)
    hidden = ((c < k) & ~never) | forced | (never & nonempty)  # an empty unpublished cell is known: 0
    if hide is not None:
        hidden |= np.asarray(hide, dtype=bool)
    lines_of: list[list[int]] = [[] for _ in range(n)]
    for li, line in enumerate(lines):
        for j in line.cells:
            lines_of[int(j)].append(li)

    def addable(x: int) -> bool:
        return not hidden[x] and nonempty[x] and not never[x] and not given[x]

    def faults(audit: _Audit) -> list[tuple[list[int], int | None]]:
        """(cells whose total is revealed, the relation at fault or None)."""
        out: list[tuple[list[int], int | None]] = []
        for li, line in enumerate(lines):
            cells = line.cells
            pos_side = cells[line.coefs > 0]
            hid = pos_side[hidden[pos_side] & nonempty[pos_side]]
            if not len(hid):
                continue
            everyone = set(cells[nonempty[cells]].tolist())
            empty = [int(x) for x in pos_side[hidden[pos_side] & ~nonempty[pos_side]] if audit.pos[x] >= 0]
            for subset, extra in audit.candidates(hid, empty, c, k, line.pool):
                if audit.pinned([*subset, *extra]):
                    if set(subset) == everyone:
                        continue  # the relation's own figure: the total, shown without its breakdown
                    out.append((subset, li))
                    break
        for j in np.flatnonzero(primary & hidden):
            if audit.pinned([int(j)]):
                out.append(([int(j)], None))
        return out

    for step in range(n + 1):
        if int(hidden.sum()) > MAX_AUDITED or step > MAX_STEPS:
            # a breakdown of hundreds of tiny groups (one per respondent …): hide all of it
            hidden |= nonempty & ~never & ~given
            break
        audit = _audit(lines, n, hidden, nonempty)
        bad = faults(audit)
        if not bad:
            break
        cells, li = bad[0]
        # a relation whose hidden cells pool < k: hide its smallest shown non-empty cell
        pick = None
        line = lines[li] if li is not None else None
        hid_line = [] if line is None else [int(x) for x in line.cells[line.coefs > 0] if hidden[x] and nonempty[x]]
        pool = 0.0 if not hid_line else (c[hid_line].sum() if line.pool == "sum" else c[hid_line].max())
        if line is not None and pool < k:  # "the figure minus its shown cells" pools < k: widen it
            opts = [int(x) for x in line.cells[line.coefs > 0] if addable(int(x))]
            if not opts:
                opts = [int(x) for x in line.cells[line.coefs < 0] if addable(int(x))]
            if opts:
                pick = min(opts, key=lambda x: (c[x], x))
        if pick is None:
            near: set[int] = set()
            for j in cells:
                for lj in lines_of[j]:
                    near.update(int(x) for x in lines[lj].cells)
                    for other in lines[lj].cells[hidden[lines[lj].cells]]:
                        for lk in lines_of[int(other)]:
                            near.update(int(x) for x in lines[lk].cells)
            ranked = sorted((x for x in near if addable(x)), key=lambda x: (c[x], x))
            if not ranked:
                ranked = sorted((int(x) for x in range(n) if addable(x)), key=lambda x: (c[x], x))
            for x in ranked[:24]:
                if not _audit(lines, n, _with(hidden, x), nonempty).pinned(cells):
                    pick = x
                    break
            if pick is None:  # no single cell frees it: the cheapest pair that does (a rectangle)
                pairs = sorted(combinations(ranked[:10], 2), key=lambda xy: (c[xy[0]] + c[xy[1]], xy))
                for x, y in pairs:
                    if not _audit(lines, n, _with(_with(hidden, x), y), nonempty).pinned(cells):
                        hidden[x] = True
                        pick = y
                        break
            if pick is None and ranked:
                pick = ranked[0]
        if pick is None:
            break  # nothing shown is left to hide: only the relations' own figures remain
        hidden[pick] = True
    return hidden, primary


def _reasons(hidden: np.ndarray, primary: np.ndarray, counts: np.ndarray, k: int, filtered: np.ndarray) -> pd.array:
    small = (np.asarray(counts, dtype=float) < k) | (primary & ~filtered)
    reason = np.where(
        hidden & small, "small_cell", np.where(hidden & filtered, "filter_difference", np.where(hidden, "complementary", None))
    )
    return pd.array(reason, dtype="string")


def _blank(out: pd.DataFrame, value_cols: Sequence[str], hidden: np.ndarray) -> None:
    for col in value_cols:
        series = out[col]
        if pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
            series = series.astype("Int64" if pd.api.types.is_integer_dtype(series.dtype) else "boolean")
        elif not pd.api.types.is_float_dtype(series.dtype):
            series = series.astype(object)
        out[col] = series.mask(hidden)


def _check(table: pd.DataFrame, needed: Sequence[str], k: int) -> None:
    absent = [c for c in dict.fromkeys(needed) if c not in table.columns]
    if absent:
        raise ValueError(
            f"表中缺少列 {absent}，无法进行匿名化处理。 The table lacks column(s) {absent} needed for suppression."
        )
    if int(k) < 1:
        raise ValueError(f"匿名阈值 k 必须 ≥ 1，当前为 {k}。 The anonymity threshold k must be at least 1, got {k}.")


def _counts(table: pd.DataFrame, col: str) -> np.ndarray:
    return pd.to_numeric(table[col], errors="coerce").astype("Float64").fillna(0).to_numpy(dtype=float)


def suppress(
    table: pd.DataFrame,
    *,
    count_col: str,
    value_cols: list[str],
    k: int = DEFAULT_K,
    group_col: str,
    key_col: str,
    outside: Mapping[Any, int] | None = None,
    rows_published: bool = True,
    force: Sequence[bool] | None = None,
) -> pd.DataFrame:
    """Hide cells describing fewer than ``k`` respondents, plus the cells needed to protect them.

    Parameters
    ----------
    table : long table, one row per (group, key) cell; not modified.
    count_col : respondents in the cell; cells with ``count < k`` are suppressed (primary).
    value_cols : columns blanked (set to NA) in suppressed cells. Include ``count_col`` to hide it too.
    k : threshold (≥ 1).
    group_col, key_col : the two dimensions. Rows of the cross table are groups, columns are keys.
        Each key's total over the groups is published (an item's or area's total).
    outside : respondents of each key outside every group (no value in the breakdown column); they
        are part of the key's total, so a small number of them is protected like a small group.
    rows_published : also treat each group's total over the keys as published (``"max"`` pooling).
    force : cells to hide as small cells whatever their count (see :func:`filter_difference`).

    Returns
    -------
    A copy of ``table`` with ``suppressed`` (bool) and ``suppress_reason`` (``"small_cell"``,
    ``"complementary"``, ``"filter_difference"`` or NA) appended and ``value_cols`` blanked where
    suppressed (integer columns become nullable ``Int64``). See :func:`protect` for the guarantees.
    """
    _check(table, [count_col, group_col, key_col, *value_cols], k)
    out = table.copy()
    counts = _counts(out, count_col)
    groups = pd.factorize(out[group_col])[0]
    keys, key_values = pd.factorize(out[key_col])
    n = len(out)
    extra = np.array([float((outside or {}).get(kv, 0) or 0) for kv in key_values])
    all_counts = np.concatenate([counts, extra])
    never = np.concatenate([np.zeros(n, dtype=bool), np.ones(len(extra), dtype=bool)])
    forced = np.zeros(n + len(extra), dtype=bool)
    if force is not None:
        forced[:n] = np.asarray(force, dtype=bool)
    order = np.arange(n)
    lines = []
    for kk in range(len(key_values)):
        cells = np.concatenate([order[keys == kk], [n + kk]])
        lines.append(Line(cells, np.ones(len(cells)), "sum"))
    if rows_published:
        for gg in np.unique(groups):
            cells = order[groups == gg]
            if len(cells) >= 2:
                lines.append(Line(cells, np.ones(len(cells)), "max"))
    hidden, primary = protect(all_counts, lines, k, force=forced, unpublished=never)
    hidden, primary = hidden[:n], primary[:n]
    out["suppressed"] = hidden
    out["suppress_reason"] = _reasons(hidden, primary, counts, k, forced[:n])
    _blank(out, value_cols, hidden)
    return out


def suppress_breakdown(
    items: pd.DataFrame,
    areas: pd.DataFrame,
    area_of: Mapping[Any, Any],
    *,
    k: int,
    count_col: str = "n_respondents",
    outside_items: Mapping[Any, int] | None = None,
    outside_areas: Mapping[Any, int] | None = None,
    force_items: Sequence[bool] | None = None,
    force_areas: Sequence[bool] | None = None,
    hide_items: Sequence[bool] | None = None,
    hide_areas: Sequence[bool] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Protect the group × item and group × area breakdowns of one wave together.

    Published relations: each item's and each area's total over the groups (plus the respondents
    outside every group), and each group's area figure as the pool of its item figures in that area
    (``Σ items − area = 0``; respondents overlap, ``"max"`` pooling). Both tables need the columns
    ``group``, ``key`` and ``count_col``; ``area_of`` maps an item key to its area key.

    hide_items, hide_areas : cells to hide as complementary cells from the start (chosen by
        :func:`link_breakdowns`).

    Returns
    -------
    ``(items, areas)`` copies with ``suppressed`` and ``suppress_reason`` appended (no figure
    blanked: the caller blanks with the mask it gets).
    """
    _check(items, ["group", "key", count_col], k)
    _check(areas, ["group", "key", count_col], k)
    ni, na = len(items), len(areas)
    ik, ikeys = pd.factorize(items["key"])
    ak, akeys = pd.factorize(areas["key"])
    oi = np.array([float((outside_items or {}).get(x, 0) or 0) for x in ikeys])
    oa = np.array([float((outside_areas or {}).get(x, 0) or 0) for x in akeys])
    counts = np.concatenate([_counts(items, count_col), _counts(areas, count_col), oi, oa])
    base_o = ni + na
    never = np.zeros(len(counts), dtype=bool)
    never[base_o:] = True
    forced = np.zeros(len(counts), dtype=bool)
    if force_items is not None:
        forced[:ni] = np.asarray(force_items, dtype=bool)
    if force_areas is not None:
        forced[ni : ni + na] = np.asarray(force_areas, dtype=bool)
    lines: list[Line] = []
    i_idx, a_idx = np.arange(ni), np.arange(na) + ni
    for j in range(len(ikeys)):
        cells = np.concatenate([i_idx[ik == j], [base_o + j]])
        lines.append(Line(cells, np.ones(len(cells)), "sum"))
    for j in range(len(akeys)):
        cells = np.concatenate([a_idx[ak == j], [base_o + len(ikeys) + j]])
        lines.append(Line(cells, np.ones(len(cells)), "sum"))
    area_cell = {(g, a): i for g, a, i in zip(areas["group"], areas["key"], a_idx, strict=True)}
    members: dict[int, list[int]] = {}
    for g, key, i in zip(items["group"], items["key"], i_idx, strict=True):
        parent = area_cell.get((g, area_of.get(key)))
        if parent is not None:
            members.setdefault(parent, []).append(int(i))
    for parent, kids in members.items():
        cells = np.array([*kids, parent])
        lines.append(Line(cells, np.array([1.0] * len(kids) + [-1.0]), "max"))
    extra = np.zeros(len(counts), dtype=bool)  # complementary cells chosen by a joint protection
    if hide_items is not None:
        extra[:ni] = np.asarray(hide_items, dtype=bool)
    if hide_areas is not None:
        extra[ni : ni + na] = np.asarray(hide_areas, dtype=bool)
    hidden, primary = protect(counts, lines, k, force=forced, unpublished=never, hide=extra)
    out = []
    for table, sl in ((items, slice(0, ni)), (areas, slice(ni, ni + na))):
        t = table.copy()
        t["suppressed"] = hidden[sl]
        t["suppress_reason"] = _reasons(hidden[sl], primary[sl], counts[sl], k, forced[sl])
        out.append(t)
    return out[0], out[1]


def link_breakdowns(
    group_table: pd.DataFrame,
    table: pd.DataFrame,
    joint: pd.DataFrame,
    outside: Mapping[Any, int],
    group_outside: Mapping[Any, int],
    *,
    k: int,
    sep: str = "\x1f",
    count_col: str = "n_respondents",
) -> np.ndarray:
    """Cells of a breakdown to hide so that, together with an earlier breakdown of the same wave
    published as it is (the 身份 table, or another attribute's), no small cell or small pool can be
    computed.

    The two tables add up to the same totals and are tied through the unpublished combinations of
    the earlier breakdown's groups and this one's values (``joint``: ``group`` =
    ``"<group><sep><value>"``, either part empty for respondents without one; nobody is outside
    it), whose empty ones an attacker is assumed to know (an attribute asked of students only; a
    college that lies on one campus).
    Per key: ``Σ_value X[g, value] = G[g]``, ``Σ_g X[g, value] = A[value]`` (and the respondents
    without a group or a value), protected with :func:`protect` — the group table fixed, small
    combinations and small pools protected, only the attribute's cells chosen.

    Parameters
    ----------
    group_table, table : protected breakdowns (``group, key, count_col, suppressed``): the earlier
        one (fixed) and the one to protect, one level (items or areas).
    joint : the unprotected breakdown by the combination (``group, key, count_col``).
    outside, group_outside : respondents without a value in this breakdown / in the earlier one, per key.
    k : the threshold.

    Returns
    -------
    Boolean array over ``table``'s rows: the cells to hide in addition.
    """
    extra = np.zeros(len(table), dtype=bool)
    hid_t = table["suppressed"].to_numpy(bool)
    for key in dict.fromkeys(table["key"]):
        g_rows = group_table[group_table["key"] == key]
        t_rows = np.flatnonzero((table["key"] == key).to_numpy())
        j_rows = joint[joint["key"] == key]
        groups = [str(g) for g in g_rows["group"]]
        values = [str(v) for v in table["group"].iloc[t_rows]]
        cols: dict[str, list] = {"counts": [], "never": [], "hide": [], "fixed": []}

        def cell(n: float, *, is_never: bool = False, hidden: bool = False, given: bool = False,
                 cols: dict[str, list] = cols) -> int:
            for name, value in zip(cols, (float(n), is_never, hidden, given), strict=True):
                cols[name].append(value)
            return len(cols["counts"]) - 1

        g_cell = {g: cell(n, hidden=h, given=True) for g, n, h in
                  zip(groups, _counts(g_rows, count_col), g_rows["suppressed"].to_numpy(bool), strict=True)}
        g_out = cell(float(group_outside.get(key, 0) or 0), is_never=True)  # no group: one more group
        a_cell = {v: cell(n, hidden=bool(hid_t[i])) for v, n, i in
                  zip(values, _counts(table.iloc[t_rows], count_col), t_rows, strict=True)}
        a_out = cell(float(outside.get(key, 0) or 0), is_never=True)
        by_g: dict[str, list[int]] = {g: [] for g in groups}
        by_g[""] = []
        by_v: dict[str, list[int]] = {v: [] for v in values}
        by_v[""] = []
        for name, n in zip(j_rows["group"].astype(str), _counts(j_rows, count_col), strict=True):
            g, _, v = name.partition(sep)
            x = cell(n, is_never=True)
            by_g.setdefault(g, []).append(x)
            by_v.setdefault(v, []).append(x)
        lines = [Line(np.array([*g_cell.values(), g_out]), np.ones(len(g_cell) + 1), "sum")]  # the total
        for g, xs in by_g.items():
            target = g_cell.get(g, g_out if g == "" else None)
            if target is not None and xs:
                lines.append(Line(np.array([*xs, target]), np.array([1.0] * len(xs) + [-1.0]), "sum"))
        for v, xs in by_v.items():
            target = a_cell.get(v, a_out if v == "" else None)
            if target is not None and xs:
                lines.append(Line(np.array([*xs, target]), np.array([1.0] * len(xs) + [-1.0]), "sum"))
        hidden, _ = protect(np.array(cols["counts"]), lines, k, unpublished=np.array(cols["never"]),
                            hide=np.array(cols["hide"]), fixed=np.array(cols["fixed"]))
        for v, i in zip(values, t_rows, strict=True):
            extra[i] = bool(hidden[a_cell[v]]) and not hid_t[i]
    return extra


def filter_difference(unfiltered: Sequence[float], filtered: Sequence[float], k: int) -> np.ndarray:
    """Cells a filter changed by 1…k−1 respondents: showing both versions would reveal them.

    Parameters
    ----------
    unfiltered, filtered : respondents per cell without and with the filter (same cell order).
    k : threshold.

    Returns
    -------
    Boolean array, True where ``0 < unfiltered − filtered < k``.
    """
    a = np.nan_to_num(np.asarray(unfiltered, dtype=float))
    b = np.nan_to_num(np.asarray(filtered, dtype=float))
    d = a - b
    return (d > 0) & (d < int(k))


def shown(table: pd.DataFrame) -> pd.Series:
    """True for the rows (cells) of a protected table that may be shown."""
    if table is None or "suppressed" not in table.columns:
        return pd.Series(True, index=getattr(table, "index", None), dtype=bool)
    return ~table["suppressed"].fillna(True).astype(bool)


def respondents_per_key(ds: Any, level: str = "item") -> dict:
    """Respondents with at least one valid answer per item (``level="item"``) or per area."""
    from analysis.metrics import _codes

    out: dict = {}
    answered: dict = {}
    for item, area in zip(ds.items["item"], ds.items["area"], strict=True):
        got = _codes(ds.answers, item) > 0
        key = item if level == "item" else area
        answered[key] = answered[key] | got if key in answered else got
    for key, mask in answered.items():
        out[key] = int(mask.sum())
    return out


def guard_totals(table: pd.DataFrame, ds: Any, baseline: Any, *, level: str, k: int) -> pd.DataFrame:
    """Blank the figures of keys a filter changed by 1…k−1 respondents (see :func:`filter_difference`).

    Parameters
    ----------
    table : a per-item (``item`` column: item_summary, label_counts) or per-area (``area`` column:
        area_summary) table computed on the filtered ``ds``.
    ds, baseline : the filtered and the unfiltered dataset; ``baseline=None`` (no filter) returns
        ``table`` unchanged.
    level : ``"item"`` or ``"area"``.
    k : the threshold.

    Returns
    -------
    A copy with every numeric figure of the affected keys set to NA.
    """
    if baseline is None or table is None or not len(table):
        return table
    col = "item" if level == "item" else "area"
    if col not in table.columns:
        return table
    now, before = respondents_per_key(ds, level), respondents_per_key(baseline, level)
    keys = list(now)
    bad = {key for key, hit in zip(keys, filter_difference([before.get(x, 0) for x in keys], [now[x] for x in keys], k),
                                   strict=True) if hit}
    if not bad:
        return table
    out = table.copy()
    mask = out[col].isin(bad).to_numpy()
    for name in out.columns:
        if name != col and pd.api.types.is_numeric_dtype(out[name].dtype) and not pd.api.types.is_bool_dtype(out[name].dtype):
            series = out[name]
            if pd.api.types.is_integer_dtype(series.dtype):
                series = series.astype("Int64")
            out[name] = series.mask(mask)
    return out


def guard_trend(trend: pd.DataFrame, baseline: pd.DataFrame | None, *, k: int, count_col: str = "n_people",
                rate_col: str = "satisfaction_rate") -> pd.DataFrame:
    """Blank the (wave, key) figures of a trend a filter changed by 1…k−1 respondents.

    Parameters
    ----------
    trend : a trend table (``wave``, ``key``, ``count_col`` and figures; rows by wave then key in
        date order, as ``analysis.compare.trend_summary`` returns) computed on filtered datasets.
    baseline : the same trend on the unfiltered datasets; None (no filter) returns ``trend``.
    k : the threshold.

    Returns
    -------
    A copy where, for the rows whose respondents differ from the baseline by 1…k−1
    (:func:`filter_difference`), every count, rate, interval, change and p-value is NA and
    ``significant``/``best_on_record`` are False; a later wave's change and test against a blanked
    wave are blanked too (rate − change would give the blanked rate), and ``best_on_record`` is
    False for a key once one of its earlier waves is blanked (it would compare with a hidden rate).
    """
    if baseline is None or trend is None or not len(trend):
        return trend
    merged = trend[["wave", "key"]].merge(baseline[["wave", "key", count_col]], on=["wave", "key"], how="left")
    before = pd.to_numeric(merged[count_col], errors="coerce").fillna(0).to_numpy(dtype=float)
    now = pd.to_numeric(trend[count_col], errors="coerce").fillna(0).to_numpy(dtype=float)
    bad = filter_difference(before, now, k)
    if not bad.any():
        return trend
    out = trend.copy()
    hidden_pairs = set(zip(out.loc[bad, "wave"].astype(str), out.loc[bad, "key"].astype(str), strict=True))
    prev = out["prev_wave"] if "prev_wave" in out.columns else pd.Series(None, index=out.index)
    after_hidden = np.array([
        p is not None and not (isinstance(p, float) and np.isnan(p)) and (str(p), str(key)) in hidden_pairs
        for p, key in zip(prev, out["key"], strict=True)
    ])
    seen: set = set()
    tainted = np.zeros(len(out), dtype=bool)
    for i, (key, b) in enumerate(zip(out["key"].astype(str), bad, strict=True)):
        tainted[i] = key in seen
        if b:
            seen.add(key)
    figures = [c for c in out.columns if c not in ("wave", "key", "label", "prev_wave", "date", "wave_id")
               and pd.api.types.is_numeric_dtype(out[c].dtype) and not pd.api.types.is_bool_dtype(out[c].dtype)]
    for col in figures:
        series = out[col]
        if pd.api.types.is_integer_dtype(series.dtype):
            series = series.astype("Int64")
        mask = bad | (after_hidden & (col in ("diff_pp", "p_value")))
        out[col] = series.mask(mask)
    if "significant" in out.columns:
        out["significant"] = out["significant"].astype(bool) & ~bad & ~after_hidden
    if "best_on_record" in out.columns:
        out["best_on_record"] = out["best_on_record"].astype(bool) & ~bad & ~tainted
    return out
