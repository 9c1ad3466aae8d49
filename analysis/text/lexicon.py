"""The 后勤 lexicon: area words, tone words, degree and negation words, suggestion markers, stop words.

Shipped as plain-text data in ``analysis/text/lexicon/`` (``areas.txt``, ``tone.txt``,
``stopwords.txt``) so a department can read and extend it without touching code; managers add
words on the feedback page and the store keeps them (``analysis.store.feedback``), merged here by
:func:`build_lexicon`. The area words of ``analysis.areas`` (the question classifier) are included
too, so a comment and a question about the same thing land in the same area.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from analysis.areas import AREAS

__all__ = ["Lexicon", "LEXICON_DIR", "WORD_KINDS", "shipped_lexicon", "build_lexicon", "check_addition"]

LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"
# What a manager may add: an area word (with its area), a tone word, or a stop word.
WORD_KINDS: dict[str, tuple[str, str]] = {
    "area": ("领域词", "area word"),
    "positive": ("正面词", "positive word"),
    "negative": ("负面词", "negative word"),
    "stop": ("停用词", "stop word"),
}
_MAX_WORD = 20


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Everything the tagger reads. Build with :func:`shipped_lexicon` or :func:`build_lexicon`.

    Attributes
    ----------
    area_words : word → areas it indicates (a word may indicate more than one area).
    tone : word → +1.0 (positive) or -1.0 (negative).
    degree : degree word → weight (很 1.5, 稍 0.7 …).
    negation : words that flip the tone of a following tone word.
    suggestion : markers of a suggestion (希望, 建议 …).
    none : whole answers that say nothing (无, 没有意见 …).
    stop : words never shown as keywords.
    """

    area_words: dict[str, tuple[str, ...]]
    tone: dict[str, float]
    degree: dict[str, float]
    negation: frozenset[str]
    suggestion: frozenset[str]
    none: frozenset[str]
    stop: frozenset[str]
    additions: tuple[tuple[str, str, str], ...] = field(default=())

    def __hash__(self) -> int:
        return hash(self.additions)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Lexicon) and other.additions == self.additions

    @property
    def signature(self) -> tuple:
        """Hashable identity (caches of the segmenter and tagger are keyed by it)."""
        return self.additions

    def words(self) -> set[str]:
        """Every word the segmenter should keep whole."""
        return set(self.area_words) | set(self.tone) | set(self.degree) | set(self.negation) | set(self.suggestion)


def _lines(name: str) -> list[str]:
    text = (LEXICON_DIR / name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def _sections(name: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in _lines(name):
        key, _, words = line.partition(":")
        out.setdefault(key.strip(), []).extend(words.split())
    return out


@lru_cache(maxsize=1)
def _shipped_parts() -> tuple:
    area_words: dict[str, list[str]] = {}
    for key, words in _sections("areas.txt").items():
        if key not in AREAS:
            raise ValueError(f"areas.txt: unknown area key {key!r}; valid: {', '.join(AREAS)}")
        for w in words:
            area_words.setdefault(w.lower(), []).append(key)
    for area in AREAS.values():  # the question classifier's Chinese words
        for w in area.keywords:
            if not w.isascii():
                lst = area_words.setdefault(w.lower(), [])
                if area.key not in lst:
                    lst.append(area.key)
    tone_sec = _sections("tone.txt")
    tone = {w: 1.0 for w in tone_sec.get("positive", [])}
    tone.update({w: -1.0 for w in tone_sec.get("negative", [])})
    degree = {}
    for item in tone_sec.get("degree", []):
        w, _, weight = item.partition("=")
        degree[w] = float(weight or 1.0)
    stop = {w for line in _lines("stopwords.txt") for w in line.split()}
    return (
        {w: tuple(a) for w, a in area_words.items()},
        tone,
        degree,
        frozenset(tone_sec.get("negation", [])),
        frozenset(tone_sec.get("suggestion", [])),
        frozenset(w.lower() for w in tone_sec.get("none", [])),
        frozenset(stop),
    )


def shipped_lexicon() -> Lexicon:
    """The lexicon as shipped (no manager additions)."""
    return build_lexicon(())


def check_addition(word: object, kind: str, area: str | None = None) -> tuple[str, str, str]:
    """Validate one manager addition; returns ``(word, kind, area)`` normalised (area "" unless kind is area).

    Raises ValueError (bilingual) for an empty or over-long word, an unknown kind or area.
    """
    w = str(word or "").strip().lower()
    if not w or any(c.isspace() for c in w):
        raise ValueError("词语不能为空，也不能含空格。 The word must not be empty or contain spaces.")
    if len(w) > _MAX_WORD:
        raise ValueError(f"词语最长 {_MAX_WORD} 个字。 A word has at most {_MAX_WORD} characters.")
    if kind not in WORD_KINDS:
        raise ValueError(f"未知的词语类别：{kind}。可选：{', '.join(WORD_KINDS)}。 Unknown word kind.")
    a = str(area or "").strip()
    if kind == "area":
        if a not in AREAS:
            raise ValueError(f"未知的服务领域：{a or '（空）'}。可选：{', '.join(AREAS)}。 Unknown service area.")
    else:
        a = ""
    return w, kind, a


@lru_cache(maxsize=32)
def _build(additions: tuple[tuple[str, str, str], ...]) -> Lexicon:
    area_words, tone, degree, negation, suggestion, none, stop = _shipped_parts()
    area_words = dict(area_words)
    tone = dict(tone)
    stop = set(stop)
    for word, kind, area in additions:
        if kind == "area":
            area_words[word] = tuple(dict.fromkeys((*area_words.get(word, ()), area)))
        elif kind == "positive":
            tone[word] = 1.0
        elif kind == "negative":
            tone[word] = -1.0
        elif kind == "stop":
            stop.add(word)
    return Lexicon(area_words=area_words, tone=tone, degree=dict(degree), negation=negation,
                   suggestion=suggestion, none=none, stop=frozenset(stop), additions=additions)


def build_lexicon(additions: Iterable[tuple[str, str, str | None]] = ()) -> Lexicon:
    """The shipped lexicon plus ``additions`` (``(word, kind, area)``, kinds of ``WORD_KINDS``).

    Each addition is checked with :func:`check_addition`; the result is cached per set of additions.
    """
    checked = tuple(sorted({check_addition(w, k, a) for w, k, a in additions}))
    return _build(checked)
