"""Likert scale registry, label normalisation and scale matching.

A scale lists its labels best → worst; the label at position ``i`` (0-based) has the numeric
code ``k - i`` so that 1 is the worst and ``k`` the best answer (DESIGN.md, "Scale").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

__all__ = [
    "Scale",
    "SCALES",
    "NA_LABELS",
    "MISSING_MARKERS",
    "normalize_label",
    "is_missing",
    "is_not_applicable",
    "get_scale",
    "match_scale",
    "custom_scale",
]

# Labels meaning "I cannot judge": never counted as valid answers.
NA_LABELS: frozenset[str] = frozenset(
    {
        "不了解", "不清楚", "无法评价", "不适用", "说不清", "不好说", "无法判断", "未使用", "没用过",
        "未接触", "不知道", "n/a", "na", "don't know", "dont know", "do not know", "not applicable",
        "unsure", "no opinion", "not sure", "无此项", "未体验",
    }
)
# Markers of skipped or empty answers (问卷星 text and code exports, blanks).
MISSING_MARKERS: frozenset[str] = frozenset({"", "(跳过)", "(空)", "跳过", "空", "-2", "-3", "nan", "none", "null"})

_PREFIX = re.compile(r"^\s*[A-Za-z][\.\、:)]\s*(?=\S)")
_SPACES = re.compile(r"\s+")


def normalize_label(value: object) -> str:
    """Normalise an answer label for matching.

    NFKC folds full-width characters (``（空）`` → ``(空)``, ``Ａ．`` → ``A.``); a letter prefix
    such as ``A.`` or ``B、`` is removed; inner white space is removed for CJK text and collapsed
    for Latin text; Latin text is lower-cased and curly quotes are straightened.
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = _PREFIX.sub("", text)
    if re.search(r"[\u4e00-\u9fff]", text):
        text = _SPACES.sub("", text)
    else:
        text = _SPACES.sub(" ", text).lower()
    return text


def is_missing(value: object) -> bool:
    """True for skipped / empty markers (after normalisation)."""
    return normalize_label(value) in MISSING_MARKERS


def is_not_applicable(value: object) -> bool:
    """True for not-applicable labels such as 不了解 or "Don't know"."""
    return normalize_label(value) in NA_LABELS


@dataclass(frozen=True)
class Scale:
    """An ordered answer scale.

    Parameters
    ----------
    name : registry key.
    labels : display labels best → worst; label ``labels[i]`` has code ``k - i``.
    title_zh, title_en : human names for the UI.
    basic_label : the label counted as satisfied only under the 好差评 convention
        (``基本满意``); ``None`` when the scale has no such label.
    aliases : extra spellings mapped to a display label.
    """

    name: str
    labels: tuple[str, ...]
    title_zh: str = ""
    title_en: str = ""
    basic_label: str | None = None
    aliases: dict[str, str] = field(default_factory=dict)
    lang: str = "zh"

    @property
    def k(self) -> int:
        return len(self.labels)

    def code_of(self, label: object) -> int | None:
        """Code (1 = worst … k = best) of a raw label, or None when it is not on the scale."""
        norm = normalize_label(label)
        lookup = self.lookup
        return lookup.get(norm)

    @cached_property
    def lookup(self) -> dict[str, int]:
        """Normalised label (or alias) → code; built once per scale (coding asks for it per column
        and per distinct answer; rebuilding it each time showed in every ingest). Read-only."""
        table = {normalize_label(lab): self.k - i for i, lab in enumerate(self.labels)}
        for alias, target in self.aliases.items():
            table[normalize_label(alias)] = table[normalize_label(target)]
        return table

    def label_of(self, code: int) -> str:
        """Display label of a code."""
        return self.labels[self.k - int(code)]

    def satisfied_codes(self, basic_satisfied: bool = False) -> frozenset[int]:
        """Codes counted as satisfied.

        Default: the labels above the neutral midpoint, i.e. codes ``c > (k + 1) / 2``
        (非常满意 + 满意 on a 5-point scale). With ``basic_satisfied`` the 好差评 convention
        also counts ``basic_label`` (基本满意) where the scale has one.
        """
        codes = {c for c in range(1, self.k + 1) if c > (self.k + 1) / 2}
        if basic_satisfied and self.basic_label is not None:
            codes.add(self.code_of(self.basic_label))
        return frozenset(codes)

    def satisfied_labels(self, basic_satisfied: bool = False) -> list[str]:
        return [self.label_of(c) for c in sorted(self.satisfied_codes(basic_satisfied), reverse=True)]


def _s(name, labels, zh, en, basic=None, aliases=None, lang="zh") -> Scale:
    return Scale(name, tuple(labels), zh, en, basic, dict(aliases or {}), lang)


_EN_NEUTRAL = {"Neither satisfied nor dissatisfied": "Neutral", "Neither": "Neutral"}

# Registry order matters for ties: the more common scale comes first.
SCALES: dict[str, Scale] = {
    s.name: s
    for s in [
        _s("zh5_very", ["非常满意", "满意", "一般", "不满意", "非常不满意"], "五级（非常满意…非常不满意）",
           "5-point (非常满意…)", aliases={"比较满意": "满意", "较满意": "满意", "不太满意": "不满意"}),
        _s("zh5_hen", ["很满意", "比较满意", "一般", "不太满意", "很不满意"], "五级（很满意…很不满意）",
           "5-point (很满意…)", aliases={"较满意": "比较满意", "较不满意": "不太满意"}),
        _s("zh5_basic", ["非常满意", "满意", "基本满意", "不满意", "非常不满意"], "五级好差评（含基本满意）",
           "5-point with 基本满意", basic="基本满意"),
        _s("zh5_plain", ["满意", "较满意", "一般", "较不满意", "不满意"], "五级（满意…不满意）",
           "5-point (满意…不满意)", aliases={"比较满意": "较满意", "不太满意": "较不满意"}),
        _s("zh4", ["非常满意", "满意", "不满意", "非常不满意"], "四级", "4-point (zh)"),
        _s("zh3", ["满意", "基本满意", "不满意"], "三级（满意/基本满意/不满意）", "3-point (zh)",
           basic="基本满意"),
        _s("zh3_plain", ["满意", "一般", "不满意"], "三级（满意/一般/不满意）", "3-point (满意/一般/不满意)"),
        _s("zh5_agree", ["非常同意", "同意", "一般", "不同意", "非常不同意"], "五级同意度", "5-point agreement (zh)",
           aliases={"比较同意": "同意", "不太同意": "不同意"}),
        _s("zh5_importance", ["非常重要", "重要", "一般", "不重要", "非常不重要"], "五级重要性", "5-point importance (zh)",
           aliases={"比较重要": "重要", "不太重要": "不重要", "很重要": "非常重要"}),
        _s("en5", ["Very satisfied", "Satisfied", "Neutral", "Dissatisfied", "Very dissatisfied"],
           "英文五级", "5-point (Very satisfied…)", aliases=_EN_NEUTRAL, lang="en"),
        _s("en5_extremely", ["Extremely satisfied", "Somewhat satisfied", "Neither satisfied nor dissatisfied",
                             "Somewhat dissatisfied", "Extremely dissatisfied"],
           "英文五级（Qualtrics）", "5-point (Extremely satisfied…)", aliases={"Neutral": "Neither satisfied nor dissatisfied"},
           lang="en"),
        _s("en7_extremely", ["Extremely satisfied", "Moderately satisfied", "Slightly satisfied",
                             "Neither satisfied nor dissatisfied", "Slightly dissatisfied",
                             "Moderately dissatisfied", "Extremely dissatisfied"],
           "英文七级（Qualtrics）", "7-point (Extremely satisfied…)", lang="en"),
        _s("en4", ["Very satisfied", "Satisfied", "Dissatisfied", "Very dissatisfied"], "英文四级", "4-point (en)",
           lang="en"),
        _s("en3", ["Satisfied", "Neutral", "Dissatisfied"], "英文三级", "3-point (en)",
           aliases=_EN_NEUTRAL, lang="en"),
        _s("en5_agree", ["Strongly agree", "Agree", "Neutral", "Disagree", "Strongly disagree"],
           "英文五级同意度", "5-point agreement", aliases={"Neither agree nor disagree": "Neutral"}, lang="en"),
        _s("en5_importance", ["Extremely important", "Very important", "Moderately important", "Slightly important",
                              "Not at all important"], "英文五级重要性", "5-point importance", lang="en"),
    ]
}


def get_scale(name: str, custom: dict[str, Scale] | None = None) -> Scale:
    """Look a scale up by registry name (or in ``custom``); ValueError names the valid keys."""
    if custom and name in custom:
        return custom[name]
    if name in SCALES:
        return SCALES[name]
    raise ValueError(f"未知量表 unknown scale '{name}'. 可用 valid: {', '.join(SCALES)}")


def custom_scale(spec: str, name: str | None = None) -> Scale:
    """Build a scale from ``"很满意|比较满意|一般|不太满意|很不满意"`` (labels best → worst)."""
    labels = [p.strip() for p in re.split(r"[|｜]", spec) if p.strip()]
    if len(labels) < 2:
        raise ValueError(
            f"量表定义需要至少两个标签，用 | 分隔（从最好到最差）: '{spec}'. "
            "A custom scale lists at least two labels best → worst separated by |."
        )
    return Scale(name or spec, tuple(labels), spec, spec, basic_label="基本满意" if "基本满意" in labels else None)


def match_scale(labels: object, scales: dict[str, Scale] | None = None) -> Scale | None:
    """Choose the scale that fits a set of observed answer labels.

    Missing and not-applicable labels are ignored. A scale fits when it covers every remaining
    label; among fitting scales the one whose labels are best covered by the observations wins
    (ties: registry order). Returns None when no scale fits or nothing valid was observed.
    """
    pool = scales or SCALES
    observed = {normalize_label(v) for v in labels}
    observed = {v for v in observed if v not in MISSING_MARKERS and v not in NA_LABELS}
    if not observed:
        return None
    best, best_cov = None, -1.0
    for scale in pool.values():
        lookup = scale.lookup
        if observed <= lookup.keys():
            coverage = len({lookup[v] for v in observed}) / scale.k
            if coverage > best_cov:
                best, best_cov = scale, coverage
    return best
