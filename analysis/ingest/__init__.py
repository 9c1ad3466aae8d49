"""Ingest: bytes → RawTable (readers) → Survey (one adapter per platform) → Dataset (codebook).

Adapters register themselves in ``ADAPTERS``; ``parse_survey`` asks each one how well it
recognises the file and lets the most confident parse it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from analysis.ingest.readers import RawTable, read_table
from analysis.model import Survey

__all__ = ["Adapter", "ADAPTERS", "register", "detect_format", "parse_survey", "read_table", "RawTable"]


@dataclass(frozen=True)
class Adapter:
    """A platform layout.

    ``detect(raw)`` returns a confidence in [0, 1] (0 = not this layout); ``parse(raw)`` returns
    a :class:`Survey` or raises ValueError with a message for the user. ``priority`` breaks ties
    (higher wins); the generic wide adapter has the lowest.
    """

    key: str
    title_zh: str
    title_en: str
    detect: Callable[[RawTable], float]
    parse: Callable[[RawTable], Survey]
    priority: int = 0


ADAPTERS: dict[str, Adapter] = {}


def register(adapter: Adapter) -> Adapter:
    ADAPTERS[adapter.key] = adapter
    return adapter


def _load_adapters() -> None:
    # Importing the modules registers their adapters (kept here so the registry is complete
    # whichever module is imported first).
    from analysis.ingest import generic, platforms, wjx  # noqa: F401


def detect_format(raw: RawTable) -> Adapter:
    """The adapter most confident about ``raw`` (the generic one when nothing else is)."""
    _load_adapters()
    scored = [(a.detect(raw), a.priority, a.key) for a in ADAPTERS.values()]
    scored = [s for s in scored if s[0] > 0]
    if not scored:
        raise ValueError(
            "无法识别文件版式：需要第一行为题目、每行一份答卷的表格。"
            " Unrecognised layout: expected a header row of questions and one row per respondent."
        )
    scored.sort(reverse=True)
    return ADAPTERS[scored[0][2]]


def parse_survey(data: bytes, filename: str = "", *, format: str | None = None) -> Survey:
    """Read and parse an export. ``format`` forces an adapter key; otherwise it is detected."""
    raw = read_table(data, filename)
    _load_adapters()
    if format:
        if format not in ADAPTERS:
            raise ValueError(f"未知格式 unknown format '{format}'. 可用 valid: {', '.join(sorted(ADAPTERS))}")
        adapter = ADAPTERS[format]
    else:
        adapter = detect_format(raw)
    survey = adapter.parse(raw)
    survey.encoding = raw.encoding
    survey.source_name = filename
    survey.warnings = list(raw.warnings) + list(survey.warnings)
    return survey
