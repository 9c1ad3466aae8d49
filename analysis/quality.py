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

from analysis.ingest.platforms._common import text_column
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

    columns = _answer_columns(answers)
    n_valid = np.zeros(n, dtype=np.int32)
    for _values, ok in columns:
        n_valid += ok

    # straight-liners: max == min over the valid answers, kept column by column in two running
    # vectors (no n × items matrix and its copies; bench/RESULTS.md, "Fast paths")
    if columns:
        small = all(v.dtype == np.int8 for v, _ in columns)
        dtype, low, high = (np.int8, -128, 127) if small else (np.float64, -np.inf, np.inf)
        hi = np.full(n, low, dtype=dtype)
        lo = np.full(n, high, dtype=dtype)
        with np.errstate(all="ignore"):
            for values, ok in columns:  # where=ok: invalid cells leave the running value as it is
                np.maximum(hi, values, out=hi, where=ok)
                np.minimum(lo, values, out=lo, where=ok)
        flags["straightliner"] = (n_valid >= min_items_straightline) & (hi == lo)

    # duplicate ids (first occurrence kept)
    if "resp_id" in resp:
        flags["duplicate_id"] = _duplicated_ids(resp["resp_id"])

    # identical answers from the same IP within the window: sort by (ip, answer pattern, time) and
    # compare each response with the previous one of the same group
    if columns and "ip" in resp and "submitted_at" in resp:
        when_ns = pd.to_datetime(resp["submitted_at"], errors="coerce").to_numpy(dtype="datetime64[ns]")
        words = _pattern_words(columns, n)
        # Only a response whose answer pattern another candidate shares can be a duplicate, and with
        # 30 items nearly every pattern is unique: the first word of the pattern already rules out
        # almost every row, and the exact pattern codes, the IP cleaning and the sort are done for
        # the few rows left (bench/RESULTS.md, "Fast paths"). Rows without an IP are dropped after that and
        # the shared-pattern test is repeated; no step changes the groups of equal (IP, pattern) or
        # the order inside one, so the pairs compared below are the same as over all rows.
        keep = np.flatnonzero(~np.isnat(when_ns) & (n_valid > 0))
        keep = keep[_shared(words[0][keep])]
        pattern = _combine_words([w[keep] for w in words])
        shared = _shared(pattern)
        keep, pattern = keep[shared], pattern[shared]
        ip = _clean_ip(resp["ip"].iloc[keep]).to_numpy(dtype=object)
        ok = ~pd.isna(ip)
        keep, pattern, ip = keep[ok], pattern[ok], ip[ok]
        shared = _shared(pattern)
        keep, pattern, ip = keep[shared], pattern[shared], ip[shared]
        if len(keep) > 1:
            ip_code = pd.factorize(ip)[0]  # aligned with keep
            # np.lexsort is stable and ``keep`` is ascending, so ties on (ip, pattern, time) keep row
            # order without sorting by the row as a fourth key
            local = np.lexsort((when_ns[keep], pattern, ip_code))
            order = keep[local]
            k_ip, k_pat, k_when = ip_code[local], pattern[local], when_ns[order]
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
            # the flagged rows' ids only: converting every Arrow string to an object is wasted work
            "resp_id": resp["resp_id"].iloc[idx].to_numpy() if "resp_id" in resp else [pd.NA] * len(idx),
            "reasons": pd.Series(reasons, dtype=object),
        },
        columns=FLAG_COLUMNS,
    )
    return out.sort_values("row", kind="stable").reset_index(drop=True)


def _answer_columns(answers: pd.DataFrame) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(values, valid)`` per answer column, without copying the coded (``Int8``) columns.

    An ``Int8`` column gives its stored int8 values and the inverse of its NA mask (pandas'
    masked-array layout; pandas is pinned) — an invalid cell holds any value, never read. Any other
    dtype gives float64 values (NaN = invalid). The rules compare codes only for equality and order.
    """
    out = []
    for j in range(answers.shape[1]):
        arr = answers.iloc[:, j].array
        if isinstance(arr, pd.arrays.IntegerArray) and arr.dtype == "Int8":
            out.append((arr._data, ~arr._mask))
        else:
            values = pd.to_numeric(pd.Series(arr), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            out.append((values, ~np.isnan(values)))
    return out


def _pattern_words(columns: list[tuple[np.ndarray, np.ndarray]], n: int) -> list[np.ndarray]:
    """Each row's answers packed into 64-bit words: two rows have the same words exactly when all
    their answers are equal (NA matching NA).

    A column becomes small keys (0 = NA, 1 … m for its valid codes, in value order), taking as many
    bits as m needs — a five-point item 3 bits, so 21 items share a word. Exact, and cheaper than
    hashing each column (pandas ``hash_array`` + ``combine_hash_arrays``; bench/RESULTS.md, "Fast paths").
    """
    words: list[np.ndarray] = []
    word = np.zeros(n, dtype=np.uint64)
    used = 0
    for values, ok in columns:
        if values.dtype == np.int8:
            # the range of the stored values, masked cells included: a superset of the valid
            # codes' range (so the keys stay one-to-one), without a masked reduction per column
            vmin, vmax = int(values.min()), int(values.max())
            keys = values.astype(np.int16)
            np.subtract(keys, vmin - 1, out=keys)
            np.multiply(keys, ok, out=keys)  # NA → 0
            width = max(vmax - vmin + 1, 1)
        else:
            codes, uniques = pd.factorize(np.where(ok, values, np.nan), use_na_sentinel=True, sort=True)
            keys = codes.astype(np.int64) + 1
            width = max(len(uniques), 1)
        bits = int(width).bit_length()
        if used + bits > 64:
            words.append(word)
            word, used = np.zeros(n, dtype=np.uint64), 0
        word |= keys.astype(np.uint64) << np.uint64(used)
        used += bits
    words.append(word)
    return words


def _combine_words(words: list[np.ndarray]) -> np.ndarray:
    """Dense int64 codes equal exactly where all ``words`` are equal (pairs factorized in turn)."""
    code = pd.factorize(words[0])[0].astype(np.int64)
    for w in words[1:]:
        c2, u2 = pd.factorize(w)
        code = pd.factorize(code * len(u2) + c2)[0].astype(np.int64)  # < rows²: no overflow below 3e9 rows
    return code


def _shared(codes: np.ndarray) -> np.ndarray:
    """Mask of the entries whose value occurs more than once."""
    return pd.Series(codes).duplicated(keep=False).to_numpy()


def _clean_ip(values: pd.Series) -> pd.Series:
    """IPs for the duplicate rule: location suffix ``(湖北-武汉)`` removed, stripped, blank → NA."""
    ip = values.astype("string")
    # the suffix starts with a bracket: skip the replace (a Python regex per value) when no value has one
    if ip.str.contains("(", regex=False).any() or ip.str.contains("（", regex=False).any():
        ip = ip.str.replace(_IP_SUFFIX, "", regex=True)
    return text_column(ip)


_CANONICAL_INT = r"^(0|[1-9][0-9]{0,17})$"


def _duplicated_ids(values: pd.Series) -> np.ndarray:
    """Rows whose stripped, non-empty id occurred in an earlier row.

    The same as ``ids.notna() & ids.duplicated(keep="first")`` on the stripped text. Ids that are
    all canonical integers (问卷星's 序号 1, 2, …; no sign, no leading zero, so text and number
    correspond one to one) are compared as int64: increasing ids have no duplicates at all, and
    otherwise the integer test is far cheaper than hashing the strings (bench/RESULTS.md, "Fast paths").
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    ids = text_column(values)
    present = ids.notna().to_numpy()
    arrow = ids.array.__arrow_array__() if hasattr(ids.array, "__arrow_array__") else None
    if isinstance(arrow, (pa.Array, pa.ChunkedArray)) and present.any():
        filled = arrow.drop_null() if arrow.null_count else arrow
        if pc.all(pc.match_substring_regex(filled, _CANONICAL_INT)).as_py():
            number = pc.cast(filled, pa.int64()).to_numpy()
            out = np.zeros(len(ids), dtype=bool)
            if len(number) > 1 and not (number[1:] > number[:-1]).all():
                out[np.flatnonzero(present)] = pd.Series(number).duplicated(keep="first").to_numpy()
            return out
    return (ids.notna() & ids.duplicated(keep="first")).to_numpy(dtype=bool)


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
