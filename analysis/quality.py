"""Response screening: speeders, straight-liners and duplicates.

``screen(ds)`` returns one row per flagged response with the keys of the rules it broke; the
rules, their thresholds and their plain-language descriptions live in ``RULES`` so that the
quality page, the exports and the CLI describe them the same way. Flagged responses are kept in
the data; the shared ``exclude_flagged`` filter decides whether figures leave them out.

The rules follow common survey-methodology practice: completion time far below the typical
one (Greszki, Meyer & Schoen 2015, "Exploring the effects of removing 'too fast' responses",
POQ 79(2) — a fraction of the median), identical answers across a battery of rating items
(straight-lining, Kim et al. 2019, "Straightlining: overview of measurement, comparison of
indicators, and effects in mail–web mixed-mode surveys", SSCR 37(2)), and repeated submissions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.model import Dataset

__all__ = ["Rule", "RULES", "FLAG_COLUMNS", "screen", "flag_counts"]

FLAG_COLUMNS = ["row", "resp_id", "reasons"]


@dataclass(frozen=True)
class Rule:
    """A screening rule: key, names, description (``{value}`` = the threshold), option and default."""

    key: str
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    option: str | None
    default: float | None

    def describe(self, lang: str = "zh", value: float | None = None) -> str:
        """The description with the threshold in use (the default when ``value`` is None)."""
        v = self.default if value is None else value
        text = self.description_zh if lang == "zh" else self.description_en
        if self.key == "speeder" and v is not None:
            shown = f"{v:.0%}" if abs(v * 3 - 1) > 1e-9 else ("1/3" if lang == "en" else "三分之一")
            return text.format(value=shown)
        return text.format(value=v if v is None or float(v) != int(v) else int(v))


RULES: dict[str, Rule] = {
    r.key: r
    for r in [
        Rule(
            "speeder",
            "答题过快",
            "Speeder",
            "答题用时少于本批次用时中位数的 {value}。",
            "Completion time below {value} of the wave's median completion time.",
            "speeder_fraction",
            1 / 3,
        ),
        Rule(
            "straightliner",
            "整齐划一作答",
            "Straight-liner",
            "至少 {value} 道评分题作答，且所有有效答案完全相同。",
            "All valid answers identical across the rating items, with at least {value} items answered.",
            "min_items_straightline",
            6,
        ),
        Rule(
            "duplicate_id",
            "编号重复",
            "Duplicate id",
            "答卷编号与前面的某份答卷相同（保留第一份）。",
            "The respondent id was already seen in an earlier row (the first one is kept).",
            None,
            None,
        ),
        Rule(
            "duplicate_answers",
            "重复提交",
            "Duplicate answers",
            "与同一 IP 在 {value} 分钟内提交的另一份答卷评分完全相同（保留第一份）。",
            "Identical rating answers to another response from the same IP within {value} minutes (the first is kept).",
            "duplicate_minutes",
            10,
        ),
    ]
}

_IP_SUFFIX = re.compile(r"\s*[(（].*$")


def screen(
    ds: Dataset,
    *,
    speeder_fraction: float = 1 / 3,
    min_items_straightline: int = 6,
    duplicate_minutes: float = 10,
) -> pd.DataFrame:
    """Flag suspicious responses.

    Parameters
    ----------
    ds : the coded dataset (``respondents``: ``row, resp_id, submitted_at, duration_s, ip``;
        ``answers``: Likert codes, NA = not valid).
    speeder_fraction : a response is a *speeder* when ``duration_s < speeder_fraction × median``,
        the median taken over the wave's known durations (strictly below; 0 disables the rule).
    min_items_straightline : a *straight-liner* answered at least this many Likert items validly
        and gave the same code to all of them.
    duplicate_minutes : *duplicate_answers* — the same IP (location suffix such as ``(湖北-武汉)``
        ignored) submitted identical answers to every Likert item (NA matching NA, at least one
        valid answer) no more than this many minutes after an earlier such response.
        *duplicate_id* — the same non-empty ``resp_id`` as an earlier row. In both cases the
        first response (earliest row, or earliest time) is kept and the later ones are flagged.

    Returns
    -------
    DataFrame with columns ``row, resp_id, reasons`` — only flagged responses, sorted by ``row``;
    ``reasons`` is a list of rule keys in ``RULES`` order.

    Checked against hand-counted planted cases in tests/test_quality.py.
    """
    if not 0 <= speeder_fraction < 1:
        raise ValueError(
            f"答题过快阈值应在 0 到 1 之间（中位数的比例），收到 {speeder_fraction}。"
            f" speeder_fraction must be a fraction of the median in [0, 1), got {speeder_fraction}."
        )
    if min_items_straightline < 2:
        raise ValueError(
            f"整齐划一作答的最少题数至少为 2，收到 {min_items_straightline}。"
            f" min_items_straightline must be at least 2, got {min_items_straightline}."
        )
    if duplicate_minutes < 0:
        raise ValueError(
            f"重复提交的时间窗口不能为负，收到 {duplicate_minutes}。"
            f" duplicate_minutes must not be negative, got {duplicate_minutes}."
        )
    resp = ds.respondents.reset_index(drop=True)
    n = len(resp)
    answers = ds.answers.reset_index(drop=True)
    if len(answers) != n:
        raise ValueError(
            f"答案表（{len(answers)} 行）与答卷人表（{n} 行）行数不一致。"
            f" answers ({len(answers)} rows) and respondents ({n} rows) differ in length."
        )
    flags = {key: np.zeros(n, dtype=bool) for key in RULES}

    # speeders
    if "duration_s" in resp and speeder_fraction > 0:
        dur = pd.to_numeric(resp["duration_s"], errors="coerce").astype("float64")
        known = dur.dropna()
        if len(known):
            threshold = speeder_fraction * float(np.median(known.to_numpy()))
            flags["speeder"] = (dur < threshold).fillna(False).to_numpy(dtype=bool)

    codes, valid = _code_matrix(answers, n)
    n_valid = valid.sum(axis=1)

    # straight-liners: max == min over the valid answers
    if codes.shape[1]:
        low, high = (-np.inf, np.inf) if codes.dtype.kind == "f" else (np.iinfo(codes.dtype).min, np.iinfo(codes.dtype).max)
        # Column by column into two running vectors: the same max/min as np.where(...).max(axis=1),
        # without two fresh n × items matrices reduced across a column-major layout
        # (0.19 s → ~0.03 s at 1M rows × 30 items).
        hi = np.full(n, low, dtype=codes.dtype)
        lo = np.full(n, high, dtype=codes.dtype)
        with np.errstate(all="ignore"):
            for j in range(codes.shape[1]):
                np.maximum(hi, np.where(valid[:, j], codes[:, j], low), out=hi)
                np.minimum(lo, np.where(valid[:, j], codes[:, j], high), out=lo)
        flags["straightliner"] = (n_valid >= min_items_straightline) & (hi == lo)

    # duplicate ids (first occurrence kept)
    if "resp_id" in resp:
        ids = resp["resp_id"].astype("string").str.strip()
        ids = ids.mask(ids == "")
        flags["duplicate_id"] = (ids.notna() & ids.duplicated(keep="first")).to_numpy(dtype=bool)

    # identical answers from the same IP within the window: sort by (ip, answer pattern, time) and
    # compare each response with the previous one of the same group
    if codes.shape[1] and "ip" in resp and "submitted_at" in resp:
        ip = resp["ip"].astype("string")
        # the suffix starts with a bracket: skip the replace (a Python regex per value, 0.15 s per
        # 100k rows) when no value has one — IPs taken apart by the codebook never do
        if ip.str.contains("(", regex=False).any() or ip.str.contains("（", regex=False).any():
            ip = ip.str.replace(_IP_SUFFIX, "", regex=True)
        ip = ip.str.strip()
        ip = ip.mask(ip == "")
        when = pd.to_datetime(resp["submitted_at"], errors="coerce")
        # Row hash of the answers with NA → 0 (never a valid code): the same values as
        # hash_pandas_object(DataFrame(filled int64 matrix), index=False), built one column at a time
        # — that matrix was 240 MB of fresh memory at 1M rows × 30 items. combine_hash_arrays is what
        # hash_pandas_object itself combines column hashes with (a pandas internal; pandas is pinned).
        from pandas.core.util.hashing import combine_hash_arrays

        column_hashes = (
            pd.util.hash_array(np.where(valid[:, j], codes[:, j], 0).astype(np.int64)) for j in range(codes.shape[1])
        )
        pattern = combine_hash_arrays(column_hashes, codes.shape[1])
        # Only grouping matters (equal IPs and patterns next to each other, time order inside a
        # group), not how groups are ordered: IPs are sorted as integer factor codes, with numpy's
        # lexsort on (ip, pattern, time), stable, so rows in file order break ties.
        when_ns = when.to_numpy(dtype="datetime64[ns]")
        keep = np.flatnonzero(ip.notna().to_numpy() & ~np.isnat(when_ns) & (n_valid > 0))
        # Only a response whose answer pattern another kept response shares can be a duplicate, and
        # with 30 items nearly every pattern is unique: factorizing the IPs and sorting is done for
        # those few rows (at 1M rows: 0.45 s → 0.05 s). Restricting the rows changes neither the
        # groups nor the order inside one, so the pairs compared below are the same.
        keep = keep[pd.Series(pattern[keep]).duplicated(keep=False).to_numpy()]
        if len(keep) > 1:
            ip_code = pd.factorize(ip.iloc[keep], use_na_sentinel=True)[0]  # aligned with keep
            # np.lexsort is stable and ``keep`` is ascending, so ties on (ip, pattern, time) keep row
            # order without sorting by the row as a fourth key
            local = np.lexsort((when_ns[keep], pattern[keep], ip_code))
            order = keep[local]
            k_ip, k_pat, k_when = ip_code[local], pattern[order], when_ns[order]
            same = (k_ip[1:] == k_ip[:-1]) & (k_pat[1:] == k_pat[:-1])
            window = np.timedelta64(pd.Timedelta(minutes=float(duplicate_minutes)).value, "ns")
            hit = same & (k_when[1:] - k_when[:-1] <= window)
            flags["duplicate_answers"][order[1:][hit]] = True

    any_flag = np.zeros(n, dtype=bool)
    for v in flags.values():
        any_flag |= v
    idx = np.flatnonzero(any_flag)
    reasons = [[key for key in RULES if flags[key][i]] for i in idx]
    out = pd.DataFrame(
        {
            "row": resp["row"].to_numpy()[idx] if "row" in resp else idx + 1,
            "resp_id": resp["resp_id"].to_numpy()[idx] if "resp_id" in resp else [pd.NA] * len(idx),
            "reasons": pd.Series(reasons, dtype=object),
        },
        columns=FLAG_COLUMNS,
    )
    return out.sort_values("row", kind="stable").reset_index(drop=True)


def _code_matrix(answers: pd.DataFrame, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, valid)``: the answers as one 2-D array and where they are valid (not NA).

    The coded answers are ``Int8`` columns: they become an int16 matrix (an invalid cell holds any value,
    never read) — a 30-item wave at 100k rows is 6 MB instead of the 24 MB float64 matrix
    ``astype("float64")`` made, whose fresh memory cost more than the arithmetic on a first
    call. Any other dtypes take the float64 route (NaN = invalid). The screening rules compare
    codes only for equality and order, which both routes give alike.
    """
    if not answers.shape[1]:
        return np.empty((n, 0)), np.empty((n, 0), dtype=bool)
    if all(isinstance(t, pd.Int8Dtype) for t in answers.dtypes):
        # column-major: each column is written (and later hashed) as one contiguous block
        codes = np.empty(answers.shape, dtype=np.int16, order="F")
        valid = np.empty(answers.shape, dtype=bool, order="F")
        for j in range(answers.shape[1]):
            arr = answers.iloc[:, j].array
            if isinstance(arr, pd.arrays.IntegerArray):
                # values and NA mask as stored (pandas' masked-array layout; pandas is pinned):
                # to_numpy(na_value=0) and notna() cost 9 ms per 1M-row column, copying these 1 ms
                valid[:, j] = ~arr._mask
                codes[:, j] = arr._data  # invalid cells hold whatever was stored: never read
            else:
                valid[:, j] = pd.notna(arr)
                codes[:, j] = arr.to_numpy(dtype="int16", na_value=0)
        return codes, valid
    codes = answers.astype("float64").to_numpy()
    return codes, ~np.isnan(codes)


def flag_counts(flags: pd.DataFrame, *, n: int | None = None) -> pd.DataFrame:
    """How many responses each rule flagged.

    Returns ``rule, title_zh, title_en, count, share`` (one row per rule in ``RULES`` order, plus
    ``any``); ``share`` is ``count / n`` when the number of responses ``n`` is given, else NA.
    """
    lists = flags["reasons"].tolist() if len(flags) else []
    rows = []
    for key, rule in RULES.items():
        rows.append((key, rule.title_zh, rule.title_en, sum(1 for r in lists if key in r)))
    rows.append(("any", "任一规则", "Any rule", len(lists)))
    out = pd.DataFrame(rows, columns=["rule", "title_zh", "title_en", "count"])
    out["share"] = out["count"] / n if n else np.nan
    return out
