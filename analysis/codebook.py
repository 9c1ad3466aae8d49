"""The codebook (问卷编码表): what each column of an export is — suggested, completed, read and written.

One row per column: ``role`` (analysis.model.ROLES), ``area`` (analysis.areas.AREAS key), ``scale``
(a registry key or a custom spec ``"很满意|比较满意|一般|不太满意|很不满意"`` best → worst), ``label``
(short item text), ``qnum`` and ``codes`` (raw value → label for numeric exports:
``"1=很满意;2=比较满意;3=一般;4=不太满意;5=很不满意;6=不了解"``). It is suggested automatically,
edited by the user, saved, and reused for the next upload of the same questionnaire
(``questionnaire_key``). Coding a Survey with it is analysis.coding (``apply_codebook``,
``code_survey`` and ``load_dataset`` are also importable from here).
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.areas import AREAS, UNCLASSIFIED, classify_area
from analysis.factors import Factors, uniques_by_count
from analysis.model import ROLES, Survey
from analysis.scales import (
    MISSING_MARKERS,
    NA_LABELS,
    SCALES,
    Scale,
    custom_scale,
    match_scale,
    normalize_label,
)

__all__ = [
    "CODEBOOK_COLUMNS",
    "suggest_codebook",
    "complete_codebook",
    "codebook_to_csv",
    "read_codebook",
    "questionnaire_key",
    "clean_choice",
    "parse_codes",
]

CODEBOOK_COLUMNS = ["column", "role", "area", "scale", "label", "qnum", "codes"]
_GROUP_WORDS = ("身份", "角色", "人员类别", "人员类型", "类别", "群体", "您是", "您的职业", "role", "identity",
                "you are", "occupation", "position", "affiliation")
_TEXT_WORDS = ("建议", "意见", "其他", "其它", "原因", "说明", "请写", "请填写", "留言", "评论", "comment", "suggest",
               "why", "other", "feedback", "remark")
_PREFIX = re.compile(r"^\s*[A-Za-z][\.\、:)]\s*(?=\S)")
_MULTI_SEPS = ("┋", "|")


def clean_choice(value: object) -> object:
    """A choice label for display: NFKC, trimmed, without a letter prefix (``B.教师`` → ``教师``)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return pd.NA
    text = _PREFIX.sub("", unicodedata.normalize("NFKC", str(value)).strip())
    return pd.NA if normalize_label(text) in MISSING_MARKERS else text


def parse_codes(spec: object) -> dict[str, str]:
    """``"1=很满意;2=比较满意"`` → ``{"1": "很满意", "2": "比较满意"}``; blank → ``{}``."""
    if spec is None or (isinstance(spec, float) and np.isnan(spec)) or spec is pd.NA:
        return {}
    out: dict[str, str] = {}
    for part in re.split(r"[;；\n]", str(spec)):
        if not part.strip():
            continue
        if "=" not in part:
            raise ValueError(
                f"编码表 codes 列格式应为 “1=很满意;2=比较满意”，无法解析：“{part.strip()}”。"
                " The codes column must look like '1=Very satisfied;2=Satisfied'."
            )
        key, label = part.split("=", 1)
        out[key.strip()] = label.strip()
    return out


def questionnaire_key(survey: Survey) -> str:
    """Stable key of a questionnaire: a hash of its column headers (same form → same key)."""
    text = "\x1f".join(str(n) for n in survey.columns["name"])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _scale_for(spec: object, scales: dict[str, Scale]) -> Scale:
    spec = "" if spec is None or spec is pd.NA or (isinstance(spec, float) and np.isnan(spec)) else str(spec).strip()
    if spec in scales:
        return scales[spec]
    if "|" in spec or "｜" in spec:
        scale = custom_scale(spec)
        scales[spec] = scale
        return scale
    raise ValueError(
        f"未知量表 “{spec}”：请填写量表名（{', '.join(SCALES)}）或按“最好|…|最差”列出选项。"
        f" Unknown scale '{spec}': use a registry name or list the labels best → worst separated by |."
    )


def _uniques(series: pd.Series, limit: int = 200) -> list[str]:
    vc = series.dropna().astype(str).value_counts()
    return [str(v) for v in vc.index[:limit]]


class _UniqueCache(dict):
    """``name → _uniques(data[name])``, computed on first use.

    Columns with a role the adapter knows (ids, times, IPs: 100k distinct values each) never need
    their values listed, and counting them was most of ``suggest_codebook``'s time.
    Text columns are counted from the shared factorization (``factors``).
    """

    def __init__(self, data: pd.DataFrame, factors: Factors | None = None):
        super().__init__()
        self._data = data
        self._factors = factors

    def __missing__(self, name: str) -> list[str]:
        if self._factors is not None and self._factors.usable(name):
            values = uniques_by_count(*self._factors[name])
        else:
            values = _uniques(self._data[name])
        self[name] = values
        return values


def _partial_fit(series: pd.Series, share: float = 0.8, factors: tuple | None = None) -> Scale | None:
    """The scale covering at least ``share`` of a column's answers (typos and stray labels aside).

    ``factors`` = ``factorize(series)`` when known: the counts per value come from it instead of
    counting the column again (only which values occur how often matters here, not their order).
    """
    if factors is not None:
        _codes, uniques, counts = factors
        vc = pd.Series(counts[1:], index=[str(u) for u in uniques], dtype="int64")
    else:
        vc = series.dropna().astype(str).value_counts()
    if vc.empty or len(vc) > 40:
        return None
    norm = pd.Series(vc.to_numpy(), index=[normalize_label(v) for v in vc.index])
    norm = norm[[i not in MISSING_MARKERS and i not in NA_LABELS for i in norm.index]]
    total = norm.sum()
    best, best_share = None, share
    for scale in SCALES.values():
        hit = norm[[i in scale.lookup for i in norm.index]]
        if len(hit) >= 2 and total and hit.sum() / total >= best_share:
            best, best_share = scale, hit.sum() / total + 1e-9
    return best


def suggest_codebook(survey: Survey, factors: Factors | None = None) -> pd.DataFrame:
    """Suggest a role, area, scale and label for every column of ``survey``.

    Rules, in order: a role the adapter knows (``hint``); answers that fit a Likert scale (the scale
    is matched over all columns of the same question so a matrix shares one scale; importance
    scales give role ``importance``); ``┋``-joined answers → ``multi``; a column whose header names
    the respondent's identity (身份/角色/role …) with few distinct values → ``group``; few distinct
    short values → ``attribute``; everything else → ``text``. Numeric option codes (问卷星 按选项序号)
    are suggested as ``likert`` with an empty scale: the option order is not in the file, so the user
    must fill ``codes`` and ``scale``. ``factors``: the Survey's column factorizations when the
    caller codes it next (each column is hashed once).
    """
    return _suggest(survey, factors if factors is not None else Factors(survey.data))


def _suggest(survey: Survey, factors: Factors) -> pd.DataFrame:
    """:func:`suggest_codebook` with the column factorizations shared with the caller."""
    data, cols = survey.data, survey.columns
    n = max(len(data), 1)
    factors.prefetch([n for n, h in zip(cols["name"], cols["hint"], strict=True) if h is None or pd.isna(h)])
    uniq = _UniqueCache(data, factors)
    # columns of one question (same number, or same stem of a matrix) share a scale
    by_q: dict[str, list[str]] = {}
    for name, q, stem, row in zip(cols["name"], cols["qnum"], cols["stem"], cols["row"], strict=False):
        if q is not None and not pd.isna(q):
            by_q.setdefault(f"q{q}", []).append(name)
        elif row is not None and not pd.isna(row):
            by_q.setdefault(f"s{stem}", []).append(name)
    group_of = {n: g for g, names in by_q.items() for n in names}
    rows = []
    group_taken = False
    for rec in cols.itertuples(index=False):
        name, qnum, stem, row, hint = rec.name, rec.qnum, rec.stem, rec.row, rec.hint
        qnum = None if qnum is None or pd.isna(qnum) else str(qnum)
        stem = "" if stem is None or pd.isna(stem) else str(stem)
        row = None if row is None or pd.isna(row) else str(row)
        label = row or stem or name
        role, area, scale, codes = "text", "", "", ""
        hinted = hint is not None and not pd.isna(hint)
        values = [] if hinted else uniq[name]  # ids, times, IPs: 100k distinct values, never needed
        if hinted:
            role = str(hint)
        elif survey.value_codes and values and all(re.fullmatch(r"-?\d{1,2}", v.strip()) for v in values):
            role = "likert"
        else:
            pool = values
            if name in group_of and len(by_q[group_of[name]]) > 1:
                pool = sorted({v for c in by_q[group_of[name]] for v in uniq[c]})
            fit = (match_scale(pool) or match_scale(values)
                   or _partial_fit(data[name], factors=factors.of(name)))
            if fit is not None and len(values) > 0:
                role = "importance" if "importance" in fit.name else "likert"
                scale = fit.name
            elif any(any(sep in v for sep in _MULTI_SEPS[:1]) for v in values):
                role = "multi"
            else:
                n_distinct = len(factors[name][1]) if factors.usable(name) else data[name].nunique(dropna=True)
                mean_len = float(np.mean([len(v) for v in values])) if values else 0.0
                few = n_distinct <= max(2, min(30, 0.5 * n)) and mean_len <= 24
                header = normalize_label(stem or name)
                if few and not group_taken and any(w in header for w in _GROUP_WORDS):
                    role, group_taken = "group", True
                elif any(w in header for w in _TEXT_WORDS) or mean_len > 16:
                    role = "text"
                elif few and n_distinct > 0:
                    role = "attribute"
                elif n_distinct == 0:
                    role = "text"
        if role in ("likert", "importance"):
            area = classify_area(row) if row else UNCLASSIFIED
            if area == UNCLASSIFIED:
                area = classify_area(stem)
            if area == UNCLASSIFIED and row:
                area = classify_area(f"{stem} {row}")
        rows.append({"column": name, "role": role, "area": area, "scale": scale, "label": label,
                     "qnum": qnum or "", "codes": codes})
    out = pd.DataFrame(rows, columns=CODEBOOK_COLUMNS)
    return _prefer_dominant_scale(out, uniq)


def _prefer_dominant_scale(cb: pd.DataFrame, uniq: dict[str, list[str]]) -> pd.DataFrame:
    """Where a column's labels also fit the questionnaire's most used scale, use that scale.

    A column in which nobody chose the extremes ({满意, 一般, 不满意}) fits a 3-point scale best on its
    own, but in a questionnaire whose other items use the 5-point scale it is a 5-point item.
    """
    likert = cb["role"].eq("likert") & cb["scale"].ne("")
    if likert.sum() < 2:
        return cb
    dominant = cb.loc[likert, "scale"].value_counts().index[0]
    scale = SCALES.get(dominant)
    if scale is None:
        return cb
    cb = cb.copy()
    for i in cb.index[likert]:
        if cb.at[i, "scale"] != dominant and match_scale(uniq[cb.at[i, "column"]], {dominant: scale}) is not None:
            cb.at[i, "scale"] = dominant
    return cb


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _neutralise(value: object) -> object:
    """Prefix a cell that a spreadsheet would run as a formula with ``'`` (OWASP CSV injection)."""
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def _restore(value: str) -> str:
    """Undo :func:`_neutralise` when a codebook comes back."""
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


def codebook_to_csv(codebook: pd.DataFrame) -> str:
    """The codebook as CSV text (write it with a UTF-8 BOM so Excel opens it correctly).

    Column names come from the uploaded file, so cells that Excel would evaluate as formulas
    (``=``, ``+``, ``-``, ``@`` …) are written with a leading ``'``; :func:`read_codebook` removes it.
    """
    out = codebook.reindex(columns=CODEBOOK_COLUMNS).astype("object")
    return out.map(_neutralise).to_csv(index=False)


def read_codebook(source: bytes | str | Path) -> pd.DataFrame:
    """Read a codebook CSV (bytes, text, or a path) and check it.

    Raises ValueError naming the row and what to change when a role, area or scale is not valid.
    """
    from analysis.ingest.readers import decode_text

    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source and Path(source).exists()):
        source = Path(source).read_bytes()
    text = decode_text(source)[0] if isinstance(source, bytes) else source
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except Exception as exc:  # pandas raises several parser error types
        raise ValueError(f"编码表不是有效的 CSV：{exc}。 The codebook is not valid CSV.") from None
    df.columns = [str(c).strip().lower() for c in df.columns]
    missing = [c for c in ("column", "role") if c not in df.columns]
    if missing:
        raise ValueError(
            f"编码表缺少列：{', '.join(missing)}。需要列 {', '.join(CODEBOOK_COLUMNS)}（可用 "
            "`python -m analysis codebook FILE` 生成模板）。 The codebook lacks columns; generate one with the codebook command."
        )
    df = df.reindex(columns=CODEBOOK_COLUMNS).astype("object").fillna("").map(lambda v: _restore(str(v)))
    for i, rec in enumerate(df.itertuples(index=False), start=2):
        if rec.role not in ROLES:
            raise ValueError(
                f"编码表第 {i} 行（{rec.column}）的 role “{rec.role}” 无效，可选：{', '.join(ROLES)}。"
                f" Row {i}: invalid role '{rec.role}'."
            )
        if rec.role in ("likert", "importance"):
            if rec.area and rec.area not in AREAS and rec.area != UNCLASSIFIED:
                raise ValueError(
                    f"编码表第 {i} 行（{rec.column}）的 area “{rec.area}” 无效，可选：{', '.join(AREAS)}。"
                    f" Row {i}: invalid area '{rec.area}'."
                )
            if rec.scale:
                _scale_for(rec.scale, dict(SCALES))
            parse_codes(rec.codes)
    return df


def complete_codebook(survey: Survey, codebook: pd.DataFrame | None, factors: Factors | None = None
                      ) -> tuple[pd.DataFrame, list[str]]:
    """The codebook to code ``survey`` with, one row per column in file order, and warnings.

    None → the suggestion. A given codebook is used as it is where it names the file's columns:
    its rows for columns the file lacks are dropped and the file's columns it lacks are suggested,
    each with a warning (only then is the file's suggestion computed).
    """
    factors = factors if factors is not None else Factors(survey.data)
    if codebook is None:
        return _suggest(survey, factors), []
    warnings: list[str] = []
    cb = codebook.reindex(columns=CODEBOOK_COLUMNS).fillna("").astype(str)
    known = set(survey.columns["name"])
    extra = [c for c in cb["column"] if c not in known]
    if extra:
        warnings.append(
            f"编码表中有 {len(extra)} 列在文件中不存在，已忽略：{', '.join(extra[:5])}。"
            " Codebook columns not in the file were ignored."
        )
    cb = cb[cb["column"].isin(known)]
    if set(cb["column"]) == known and len(cb) == len(known) and list(cb["column"]) == list(survey.columns["name"]):
        return cb.reset_index(drop=True), warnings
    suggested = _suggest(survey, factors)
    missing = suggested[~suggested["column"].isin(set(cb["column"]))]
    if len(missing):
        warnings.append(
            f"文件中有 {len(missing)} 列不在编码表中，已按自动识别处理：{', '.join(missing['column'][:5])}。"
            " File columns missing from the codebook were classified automatically."
        )
    merged = pd.concat([cb, missing], ignore_index=True)
    order = {n: i for i, n in enumerate(survey.columns["name"])}
    merged = merged.sort_values("column", key=lambda s: s.map(order)).reset_index(drop=True)
    return merged, warnings


_CODING = ("apply_codebook", "code_survey", "load_dataset")


def __getattr__(name: str):
    """``apply_codebook``, ``code_survey`` and ``load_dataset`` live in analysis.coding (imported on use:
    coding imports this module)."""
    if name in _CODING:
        from analysis import coding

        return getattr(coding, name)
    raise AttributeError(f"module 'analysis.codebook' has no attribute '{name}'")
