"""Coding: a Survey and its codebook become a Dataset (analysis.model), in three parts.

:func:`code_items` turns the Likert answers into codes 1 = worst … k = best and lists every cell whose
answer is not on the item's scale; :func:`code_respondents` builds the respondent table (id, time,
duration, IP, group, attributes); :func:`code_texts` keeps the open answers. :func:`apply_codebook`
puts the three together (the codebook completed by analysis.codebook first), :func:`code_survey`
adds the screening flags (analysis.quality), and :func:`load_dataset` is the whole way from bytes
without the store.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.areas import AREAS, UNCLASSIFIED
from analysis.codebook import _scale_for, clean_choice, complete_codebook, parse_codes
from analysis.factors import Factors, factorize
from analysis.ingest import parse_survey
from analysis.ingest.values import parse_durations, parse_times
from analysis.model import ITEM_COLUMNS, RESPONDENT_COLUMNS, ROLES, Dataset, Survey
from analysis.scales import MISSING_MARKERS, NA_LABELS, SCALES, Scale, normalize_label

__all__ = ["CodedItems", "UNKNOWN_COLUMNS", "code_items", "code_respondents", "code_texts", "apply_codebook",
           "code_wave", "code_survey", "load_dataset"]

UNKNOWN_COLUMNS = ["row", "column", "value"]


@dataclass
class CodedItems:
    """The Likert part of a Dataset, and the cells whose answers are not on the scale.

    ``unknown`` lists those cells (``row`` = the data row in the file, ``column``, ``value``), the
    same cells ``items.n_unknown`` counts; ``warnings`` name each such column with its labels.
    """

    answers: pd.DataFrame
    items: pd.DataFrame
    importance: pd.DataFrame | None
    scales: dict[str, Scale]
    unknown: pd.DataFrame
    warnings: list[str]


def code_items(survey: Survey, codebook: pd.DataFrame, factors: Factors | None = None) -> CodedItems:
    """Code the ``likert`` and ``importance`` columns of a complete ``codebook``.

    Likert answers become codes 1 = worst … k = best; skipped/empty markers, not-applicable labels and
    labels off the scale become NA and are counted per item (``n_missing``, ``n_not_applicable``,
    ``n_unknown``); the off-scale cells are listed in ``unknown`` and named in ``warnings``, never
    silently dropped. Raises ValueError when a Likert column has no usable scale (e.g. a 问卷星 按选项序号
    export without the option order) or when there is no Likert item at all.
    """
    factors = factors if factors is not None else Factors(survey.data)
    data = survey.data
    scales: dict[str, Scale] = dict(SCALES)
    answers: dict[str, pd.api.extensions.ExtensionArray] = {}
    importance: dict[str, pd.api.extensions.ExtensionArray] = {}
    items, need_codes, warnings, unknown_parts = [], [], [], []
    rated = codebook[codebook["role"].isin(("likert", "importance"))]
    factors.prefetch(list(rated["column"]))
    for rec in rated.itertuples(index=False):
        codes_map = parse_codes(rec.codes)
        if not str(rec.scale).strip():
            need_codes.append(rec.column)
            continue
        scale = _scale_for(rec.scale, scales)
        arr, n_na, n_missing, unknown, off_scale = _code_column(
            data[rec.column], scale, codes_map, factors.of(rec.column)
        )
        if unknown:
            shown = "，".join(f"“{k}”×{v}" for k, v in list(unknown.items())[:4])
            warnings.append(
                f"列“{rec.column}”有不在量表“{scale.title_zh or scale.name}”中的答案，已视为无效：{shown}。"
                f" Column '{rec.column}': answers not on the scale were treated as invalid."
            )
            if rec.role == "likert":
                unknown_parts.append(pd.DataFrame({
                    "row": survey.rows.to_numpy(dtype="int64")[off_scale],
                    "column": rec.column,
                    "value": data[rec.column].to_numpy()[off_scale].astype(str),
                }))
        if rec.role == "importance":
            importance[rec.label or rec.column] = arr
            continue
        answers[rec.column] = arr
        area = rec.area if rec.area in AREAS else UNCLASSIFIED
        items.append({"item": rec.column, "label": rec.label or rec.column, "area": area, "scale": scale.name,
                      "qnum": rec.qnum, "n_not_applicable": n_na, "n_missing": n_missing,
                      "n_unknown": int(sum(unknown.values()))})
    if need_codes:
        raise ValueError(
            f"{len(need_codes)} 个评分列只有选项序号（如问卷星“按选项序号”导出），文件里没有选项顺序："
            f"{', '.join(need_codes[:4])}。请用 `python -m analysis codebook FILE > codebook.csv` 生成编码表，"
            "填写 scale 和 codes（如 1=很满意;2=比较满意;…;6=不了解）后用 --codebook 重新运行，或改用“按选项文本”下载。"
            " These columns hold option numbers without the option order; fill scale and codes in a codebook."
        )
    if not answers:
        raise ValueError(
            "没有识别出任何满意度评分题（选项需与内置量表一致，如 非常满意/满意/一般/不满意/非常不满意）。"
            "请用编码表指定评分列和量表。 No Likert items were recognised; mark them in a codebook."
        )
    item_df = pd.DataFrame(items, columns=ITEM_COLUMNS)
    unclassified = item_df.loc[item_df["area"] == UNCLASSIFIED, "label"].tolist()
    if unclassified:
        warnings.append(
            f"{len(unclassified)} 个评分题未能归入服务领域（{', '.join(map(str, unclassified[:4]))}），"
            "请在编码表的 area 列中指定。 Some items have no service area; set it in the codebook."
        )
    imp = None
    if importance:
        by_label = dict(zip(item_df["label"], item_df["item"], strict=False))
        matched = {by_label[k]: v for k, v in importance.items() if k in by_label}
        if len(matched) < len(importance):
            warnings.append("部分重要性评分题未能对应到满意度题（标签需相同）。 Some importance items matched no item.")
        imp = pd.DataFrame(matched) if matched else None
    unknown_cells = (pd.concat(unknown_parts, ignore_index=True) if unknown_parts
                     else pd.DataFrame({"row": pd.Series(dtype="int64"), "column": pd.Series(dtype=object),
                                        "value": pd.Series(dtype=object)}))
    return CodedItems(answers=pd.DataFrame(answers), items=item_df, importance=imp, scales=scales,
                      unknown=unknown_cells, warnings=warnings)


def code_respondents(survey: Survey, codebook: pd.DataFrame, factors: Factors | None = None
                     ) -> tuple[pd.DataFrame, list[str]]:
    """The respondent table (``RESPONDENT_COLUMNS`` then one column per attribute) and the attribute names.

    The first column of each role is used: ``id`` (stripped text), ``submitted_at`` and ``duration``
    (as the adapter read them, analysis.ingest.values; a column only the codebook calls a time or a
    duration is read here by the same functions), ``ip`` (the leading address), ``group`` and each
    ``attribute`` (choice labels without letter prefixes, missing markers as NA).
    """
    factors = factors if factors is not None else Factors(survey.data)
    data, n = survey.data, len(survey.data)
    role_cols = {r: codebook.loc[codebook["role"] == r, "column"].tolist() for r in ROLES}
    first = lambda role: role_cols[role][0] if role_cols[role] else None  # noqa: E731
    resp = pd.DataFrame({"row": survey.rows.to_numpy(dtype="int64")})
    idc = first("id")
    resp["resp_id"] = _text_values(data[idc].astype("string").str.strip()) if idc else pd.array([pd.NA] * n, "string")
    sub = first("submitted_at")
    resp["submitted_at"] = parse_times(data[sub])[0].to_numpy() if sub else pd.Series(pd.NaT, index=range(n))
    dur = first("duration")
    resp["duration_s"] = parse_durations(data[dur])[0].to_numpy() if dur else np.full(n, np.nan)
    ipc = first("ip")
    resp["ip"] = _text_values(_extract_ip(data[ipc])) if ipc else pd.array([pd.NA] * n, "string")
    grp = first("group")
    resp["group"] = _text_values(_choices(data[grp], factors.of(grp))) if grp else pd.array([pd.NA] * n, "string")
    attributes = []
    label_of = dict(zip(codebook["column"], codebook["label"], strict=False))
    for col in role_cols["attribute"]:
        name = label_of.get(col) or col
        if name in resp.columns or name in attributes:
            name = col
        resp[name] = _text_values(_choices(data[col], factors.of(col)))
        attributes.append(name)
    return resp[RESPONDENT_COLUMNS + attributes], attributes


def code_texts(survey: Survey, codebook: pd.DataFrame) -> pd.DataFrame:
    """The open answers (``text`` and ``multi`` columns, named by their label): stripped, blanks and
    missing markers as NA."""
    data = survey.data
    label_of = dict(zip(codebook["column"], codebook["label"], strict=False))
    columns = codebook.loc[codebook["role"] == "text", "column"].tolist()
    columns += codebook.loc[codebook["role"] == "multi", "column"].tolist()
    out = {}
    for c in columns:
        text = data[c].astype("string").str.strip()
        out[label_of.get(c) or c] = text.where(~text.isin(["", *MISSING_MARKERS]), pd.NA).to_numpy()
    return pd.DataFrame(out)


def code_wave(survey: Survey, codebook: pd.DataFrame | None = None, factors: Factors | None = None
              ) -> tuple[Dataset, pd.DataFrame]:
    """:func:`apply_codebook`, also returning the cells whose answers are off the scale (``UNKNOWN_COLUMNS``).

    ``factors``: the Survey's column factorizations, when the caller suggested the codebook with them.
    """
    factors = factors if factors is not None else Factors(survey.data)
    cb, warnings = complete_codebook(survey, codebook, factors)
    coded = code_items(survey, cb, factors)
    respondents, attributes = code_respondents(survey, cb, factors)
    ds = Dataset(
        answers=coded.answers,
        items=coded.items,
        respondents=respondents,
        attributes=attributes,
        texts=code_texts(survey, cb),
        scales=coded.scales,
        importance=coded.importance,
        format=survey.format,
        encoding=survey.encoding,
        warnings=list(survey.warnings) + warnings + coded.warnings,
    )
    return ds, coded.unknown


def apply_codebook(survey: Survey, codebook: pd.DataFrame | None = None) -> Dataset:
    """Code a Survey into a Dataset following ``codebook`` (the suggestion when None).

    The codebook is completed first (analysis.codebook.complete_codebook: columns it lacks are
    suggested, columns the file lacks ignored, both with a warning); then :func:`code_items`,
    :func:`code_respondents` and :func:`code_texts`. Raises ValueError as :func:`code_items` does.
    """
    return code_wave(survey, codebook)[0]


def _code_column(raw: pd.Series, scale: Scale, codes_map: dict[str, str], factors: tuple | None = None):
    """Map raw answers to codes; returns (Int8 array, n_na, n_missing, unknown value → count, unknown-cell mask).

    ``factors`` = ``factorize(raw)`` when the caller has it already.
    """
    codes, uniques, per_slot = factors if factors is not None else factorize(raw)
    # One table slot per distinct answer, slot 0 for NA (factor code -1), so ``codes + 1`` indexes
    # it directly. The per-value work is then two passes over the column (a bincount and an int8
    # take); the counts by kind and of unknown labels come from the per-slot counts. This replaced
    # an np.where, a second bincount, an int16 → Int8 conversion and a masked assignment per column
    # (bench/RESULTS.md, "Fast paths").
    idx = np.add(codes, 1, dtype=np.intp)
    lookup = scale.lookup
    mapped = np.zeros(len(uniques) + 1, dtype=np.int8)  # 0 = not a valid code (codes are 1 … k)
    kinds = np.full(len(uniques) + 1, 1, dtype=np.int8)  # 0 valid, 1 missing, 2 not applicable, 3 unknown
    unknown: dict[str, int] = {}
    for j, u in enumerate(uniques, start=1):
        text = str(u).strip()
        text = codes_map.get(text, text)
        norm = normalize_label(text)
        if norm in lookup:
            mapped[j], kinds[j] = lookup[norm], 0
        elif norm in NA_LABELS:
            kinds[j] = 2
        elif norm in MISSING_MARKERS:
            kinds[j] = 1
        else:
            kinds[j] = 3
            unknown[str(u)] = int(per_slot[j])
    kind_counts = np.zeros(4, dtype=np.int64)
    np.add.at(kind_counts, kinds, per_slot)
    values = mapped[idx]
    arr = pd.arrays.IntegerArray(values, values == 0)  # what pd.array(..., "Int8") with NA at 0 gives
    off_scale = (kinds == 3)[idx] if unknown else None
    return arr, int(kind_counts[2]), int(kind_counts[1]), unknown, off_scale



_IP_RE = r"^\s*([0-9A-Fa-f\.:]+)"


def _extract_ip(series: pd.Series) -> pd.Series:
    r"""The leading IP address of each value (``"1.2.3.4(湖北-武汉)"`` → ``"1.2.3.4"``); NA when none.

    The same values as ``series.astype("string").str.extract(_IP_RE)[0]``, which runs
    Python's regex once per value. Arrow's RE2 extracts first (bench/RESULTS.md, "Fast paths");
    values it does not match go to the Python regex: RE2's ``\s`` is ASCII-only while Python's also
    matches e.g. U+3000, so a value with a leading ideographic space is matched there. Where RE2
    matches, Python's greedy ``\s*`` stops at the same (non-space) character, so the groups agree.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    s = series.astype("string")
    arrow = s.array.__arrow_array__() if hasattr(s.array, "__arrow_array__") else None
    if not isinstance(arrow, (pa.Array, pa.ChunkedArray)) or not (
        pa.types.is_string(arrow.type) or pa.types.is_large_string(arrow.type)
    ):
        return s.str.extract(_IP_RE)[0]
    found = pc.struct_field(pc.extract_regex(arrow, r"^\s*(?P<ip>[0-9A-Fa-f\.:]+)"), [0])
    out = pd.Series(pd.array(found, dtype="string"), index=s.index)
    retry = (out.isna() & s.notna()).to_numpy()
    if retry.any():
        out[retry] = s[retry].str.extract(_IP_RE)[0].to_numpy()
    return out


def _choices(series: pd.Series, factors: tuple | None = None):
    """Clean a categorical column: labels without letter prefixes, missing markers → NA.

    ``factors`` = ``factorize(series)`` when the caller has it (the suggestion hashed the column).
    """
    import pyarrow as pa

    s = series.astype("string")
    # clean each distinct label once and spread by the factor codes (same as mapping every value);
    # Arrow's take builds the string column from the few cleaned labels (NA in the last slot)
    # instead of pandas converting an object array of every value
    codes, uniques = factors[:2] if factors is not None else pd.factorize(s, use_na_sentinel=True)
    cleaned = [None if v is pd.NA else v for v in map(clean_choice, uniques)] + [None]
    taken = pa.array(cleaned, type=pa.large_string()).take(np.where(codes < 0, len(uniques), codes))
    return pd.Series(pd.array(taken, dtype="string"), index=s.index)


def _text_values(values: pd.Series):
    """What assigning ``values.to_numpy()`` (a ``string`` Series) to a frame column gives, made faster.

    pandas infers the ``str`` dtype from the object array of str / NA, converting every value back
    to Arrow; ``astype("str")`` gives that column directly. A
    column without any value keeps the object path, for which pandas infers ``object`` instead.
    """
    if values.notna().any():
        return values.astype("str").array
    return values.to_numpy()


def load_dataset(
    data: bytes,
    filename: str = "",
    *,
    codebook: pd.DataFrame | None = None,
    format: str | None = None,
    screen: bool = True,
) -> Dataset:
    """Read, parse, code and screen one export: the whole ingest pipeline without the store."""
    return code_survey(parse_survey(data, filename, format=format), codebook, screen=screen)


def code_survey(survey: Survey, codebook: pd.DataFrame | None = None, *, screen: bool = True) -> Dataset:
    """Apply the codebook and, with ``screen``, store the screening flags (analysis.quality) in ``flags``."""
    from analysis.quality import screen as screen_responses

    ds = apply_codebook(survey, codebook)
    if screen:
        ds.flags = screen_responses(ds).reset_index(drop=True)
    return ds
