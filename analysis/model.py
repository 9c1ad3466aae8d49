"""The two shapes data takes on its way through the product.

``Survey``  — a platform export parsed into one row per respondent, answers still raw text,
              with each column's question number, stem and matrix-row label (ingest/ adapters).
``Dataset`` — the coded form every analysis reads: Likert answers as small integer codes
              (1 = worst … k = best, NA = not valid), item and respondent tables (codebook.apply).

Both are plain containers of DataFrames; functions in analysis/ take them and return tidy frames.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis.scales import SCALES, Scale

__all__ = ["ROLES", "Survey", "Dataset", "ITEM_COLUMNS", "RESPONDENT_COLUMNS"]

# Column roles of the codebook (问卷编码表).
ROLES: tuple[str, ...] = (
    "id",  # the export's own respondent id (序号, ResponseId …)
    "submitted_at",  # submission time
    "duration",  # completion time (converted to seconds)
    "ip",  # source IP, used for duplicate screening
    "group",  # respondent group (学生/教师/职工/家长/学员)
    "attribute",  # any other breakdown column (campus, college, intake year, building)
    "likert",  # a rating item on a scale
    "importance",  # stated importance of an item (IPA)
    "text",  # open answer
    "multi",  # multi-select (kept as text)
    "ignore",
)

ITEM_COLUMNS = ["item", "label", "area", "scale", "qnum", "n_not_applicable", "n_missing", "n_unknown"]
RESPONDENT_COLUMNS = ["row", "resp_id", "submitted_at", "duration_s", "ip", "group"]


@dataclass
class Survey:
    """A parsed export.

    Attributes
    ----------
    format : adapter key, e.g. ``"wjx_text"``, ``"generic"``.
    encoding : detected text encoding (``"xlsx"`` for workbooks).
    data : one row per respondent, one column per export column (unique names), values as stripped
        text (NA for empty cells) — except the submission-time column (``hint`` ``submitted_at``:
        ``datetime64[ns]``) and the completion-time column (``duration``: ``float64`` seconds), read
        once by analysis.ingest.values. Index 0..n-1.
    columns : one row per column of ``data``: ``name``, ``qnum`` (question number or NA),
        ``stem`` (question text), ``row`` (matrix row label or NA), ``hint`` (a role the adapter
        knows for sure, e.g. ``id`` for 问卷星's 序号, else NA).
    rows : 1-based data row number in the file for each respondent (for messages and ``flagged``).
    value_codes : True when answers are option numbers (问卷星 按选项序号, numeric exports) that need
        a codebook ``codes`` mapping to become labels.
    warnings : messages for the user (dropped blank rows, repeated headers …).
    """

    format: str
    encoding: str
    data: pd.DataFrame
    columns: pd.DataFrame
    rows: pd.Series
    value_codes: bool = False
    warnings: list[str] = field(default_factory=list)
    source_name: str = ""


@dataclass
class Dataset:
    """A coded survey: what metrics, comparisons and the store work with.

    Attributes
    ----------
    answers : Likert items, one column per item (named like ``items.item``), dtype ``Int8``,
        codes 1 = worst … k = best, ``<NA>`` for skipped, empty, not-applicable or unknown answers.
        Row ``i`` is respondent ``respondents.iloc[i]``.
    items : one row per Likert item; columns ``ITEM_COLUMNS``: ``item`` (column name in the file),
        ``label`` (short text: the matrix row or the stem), ``area`` (service-area key),
        ``scale`` (key into ``scales``), ``qnum``, ``n_not_applicable``, ``n_missing``,
        ``n_unknown`` (labels off the scale, reported in warnings).
    respondents : one row per respondent; columns ``RESPONDENT_COLUMNS`` then one column per
        attribute (named by its codebook label). ``row`` is the 1-based data row in the file.
    attributes : names of the attribute columns in ``respondents`` (breakdowns besides ``group``).
    texts : open answers, one column per text question (may have no columns).
    scales : scale key → Scale for every scale used by ``items`` (registry or custom).
    flags : screening result, columns ``row``, ``reasons`` (list of str); empty when not screened.
    importance : stated importance per item (same shape as ``answers``) or None.
    """

    answers: pd.DataFrame
    items: pd.DataFrame
    respondents: pd.DataFrame
    attributes: list[str] = field(default_factory=list)
    texts: pd.DataFrame = field(default_factory=pd.DataFrame)
    scales: dict[str, Scale] = field(default_factory=lambda: dict(SCALES))
    flags: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"row": [], "reasons": []}))
    importance: pd.DataFrame | None = None
    format: str = ""
    encoding: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.respondents)

    def subset(self, mask: pd.Series | list[bool]) -> Dataset:
        """Rows selected by a boolean mask (index-aligned to ``respondents``), re-indexed 0..m-1."""
        m = pd.Series(mask, index=self.respondents.index).fillna(False).astype(bool).to_numpy()
        pick = lambda df: None if df is None else df.loc[m].reset_index(drop=True)  # noqa: E731
        return Dataset(
            answers=pick(self.answers),
            items=self.items,
            respondents=pick(self.respondents),
            attributes=list(self.attributes),
            texts=pick(self.texts) if len(self.texts.columns) else self.texts,
            scales=self.scales,
            flags=self.flags[self.flags["row"].isin(set(self.respondents.loc[m, "row"]))].reset_index(drop=True),
            importance=pick(self.importance),
            format=self.format,
            encoding=self.encoding,
            warnings=list(self.warnings),
        )

    def without_flagged(self) -> Dataset:
        """The dataset without the responses screening flagged."""
        flagged = set(self.flags["row"]) if len(self.flags) else set()
        return self.subset(~self.respondents["row"].isin(flagged))
