"""Segmentation, area tagging, tone and record keywords of short 后勤 comments.

- **Segmentation**: rjieba (the Rust port of jieba: identical tokens, ~27× faster here, TIPS.md),
  one private ``rjieba.Jieba`` per lexicon with every lexicon word added, so 洗衣房, 开水房 and
  managers' words come out whole.
- **Areas**: every area one of whose words is a token, or is inside a token of three or more
  characters (热水器 ⊃ 热水, 门禁卡 ⊃ 门禁); several areas per comment; an answer that says nothing
  (无, 没有意见) or names no area word tags nothing.
- **Tone**: a lexicon score (Liu, *Sentiment Analysis and Opinion Mining*, 2012, §5.1: lexicon
  words, negation flips within a short window, degree words scale): each tone word counts ±1 ×
  the weight of a degree word among the two tokens before it, flipped by an odd number of
  negations among the three tokens before it; a negation directly before an area word (没有热水,
  无人处理) counts −1. Sum < 0 → negative, > 0 → positive, else neutral. Suggestion markers
  (希望, 建议 …) set ``suggestion`` without changing the tone.
- **Keywords of one record**: its area words, then its other content words (not stop words,
  not punctuation or numbers), in text order, at most ``max_keywords``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from analysis.text.lexicon import Lexicon, shipped_lexicon
from analysis.text.mask import PLACEHOLDERS, mask_pii

__all__ = ["TONES", "Analysis", "segment", "tag_areas", "tone_of", "analyse", "analyse_texts", "is_no_opinion",
           "ANALYSIS_COLUMNS"]

TONES: dict[str, tuple[str, str]] = {
    "negative": ("负面", "negative"),
    "neutral": ("中性", "neutral"),
    "positive": ("正面", "positive"),
}
ANALYSIS_COLUMNS = ["text", "n_masked", "areas", "tone", "suggestion", "keywords"]
_PUNCT = re.compile(r"^[\W_\d]+$")
_NONE_STRIP = re.compile(r"[\s\W_]+")
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))
_SEGMENTERS: dict[tuple, object] = {}
_SEG_LOCK = threading.Lock()


@dataclass(frozen=True)
class Analysis:
    """One analysed comment: masked text, the number of masked items, areas, tone, suggestion, keywords."""

    text: str
    n_masked: int
    areas: tuple[str, ...]
    tone: str
    suggestion: bool
    keywords: tuple[str, ...]


def _segmenter(lex: Lexicon):
    import rjieba

    key = lex.signature
    seg = _SEGMENTERS.get(key)
    if seg is None:
        with _SEG_LOCK:
            seg = _SEGMENTERS.get(key)
            if seg is None:
                seg = rjieba.Jieba()
                for w in sorted(lex.words()):
                    if len(w) >= 2 and not w.isascii():
                        seg.add_word(w, max(int(seg.suggest_freq(w)), 3), None)
                if len(_SEGMENTERS) > 8:
                    _SEGMENTERS.clear()
                _SEGMENTERS[key] = seg
    return seg


def segment(text: str, lexicon: Lexicon | None = None) -> list[str]:
    """Tokens of ``text`` (rjieba with the lexicon's words), whitespace tokens dropped, lower-cased."""
    lex = lexicon or shipped_lexicon()
    return [t.lower() for t in _segmenter(lex).cut(str(text)) if t.strip()]


@lru_cache(maxsize=64)
def _inner_index(lex: Lexicon) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Area words of two or more characters, longest first (for words inside longer tokens)."""
    words = [(w, a) for w, a in lex.area_words.items() if len(w) >= 2]
    return tuple(sorted(words, key=lambda x: -len(x[0])))


def _token_areas(token: str, lex: Lexicon) -> tuple[str, ...]:
    hit = lex.area_words.get(token)
    if hit is not None:
        return hit
    if len(token) < 3:
        return ()
    return _inner_cached(token, lex)


@lru_cache(maxsize=200_000)
def _inner_cached(token: str, lex: Lexicon) -> tuple[str, ...]:
    found: list[str] = []
    for w, areas in _inner_index(lex):
        if len(w) < len(token) and w in token:
            found.extend(areas)
    return tuple(dict.fromkeys(found))


def is_no_opinion(text: object, lexicon: Lexicon | None = None) -> bool:
    """True for an answer that says nothing: empty, punctuation only, or a phrase of the ``none`` list."""
    lex = lexicon or shipped_lexicon()
    s = _NONE_STRIP.sub("", str(text or "")).lower()
    if not s:
        return True
    if s in lex.none:
        return True
    # 没有。无。/ "无，谢谢" — the phrase followed by thanks or a repeat
    for tail in ("谢谢", "感谢", "了"):
        if s.endswith(tail) and s[: -len(tail)] in lex.none:
            return True
    return False


def tag_areas(tokens: Sequence[str], lexicon: Lexicon | None = None) -> tuple[str, ...]:
    """Areas named by ``tokens`` in first-seen order (see the module docstring)."""
    lex = lexicon or shipped_lexicon()
    found: dict[str, None] = {}
    for tok in tokens:
        for a in _token_areas(tok, lex):
            found.setdefault(a, None)
    return tuple(found)


def tone_of(tokens: Sequence[str], lexicon: Lexicon | None = None) -> tuple[str, bool]:
    """``(tone, suggestion)`` of a tokenised comment (rules in the module docstring)."""
    lex = lexicon or shipped_lexicon()
    score = 0.0
    suggestion = False
    neg, deg, tone = lex.negation, lex.degree, lex.tone
    for i, tok in enumerate(tokens):
        if tok in lex.suggestion:
            suggestion = True
        value = tone.get(tok)
        if value is None and len(tok) >= 2 and tok[0] in deg and tok[1:] in tone:  # 太贵, 很好 as one token
            value = tone[tok[1:]] * deg[tok[0]]
        if value is None and len(tok) >= 2 and tok[:2] in deg and tok[2:] in tone:
            value = tone[tok[2:]] * deg[tok[:2]]
        if value is None and len(tok) >= 2 and tok[0] in "不没无未" and tok[1:] in tone:  # 不贵, 没坏 as one token
            value = -tone[tok[1:]]
        if value is None:
            if i and tokens[i - 1] in neg and lex.area_words.get(tok):  # 没有热水, 无人(处理) …
                score -= 1.0
            continue
        weight, flips = 1.0, 0
        for j in range(i - 1, max(-1, i - 4), -1):  # back to the previous tone word or punctuation
            prev = tokens[j]
            if prev in tone or _PUNCT.match(prev):
                break
            if prev in neg:
                flips += 1
            elif prev in deg and j >= i - 2:
                weight = max(weight, deg[prev])
        score += (-value if flips % 2 else value) * weight
    if score < 0:
        return "negative", suggestion
    if score > 0:
        return "positive", suggestion
    return "neutral", suggestion


def _record_keywords(tokens: Sequence[str], lex: Lexicon, max_keywords: int) -> tuple[str, ...]:
    area_kw: dict[str, None] = {}
    other: dict[str, None] = {}
    for tok in tokens:
        if tok in lex.stop or len(tok) < 2 or _PUNCT.match(tok):
            continue
        if _token_areas(tok, lex):
            area_kw.setdefault(tok, None)
        elif tok not in lex.degree and tok not in lex.negation and tok not in lex.suggestion:
            other.setdefault(tok, None)
    return tuple(list(area_kw) + [t for t in other if t not in area_kw])[:max_keywords]


def analyse(text: object, lexicon: Lexicon | None = None, *, max_keywords: int = 5) -> Analysis:
    """Mask, segment, tag, score and pick keywords for one comment (the masked text is what is analysed)."""
    lex = lexicon or shipped_lexicon()
    masked, n = mask_pii("" if text is None or text is pd.NA else text)
    if is_no_opinion(masked, lex):
        return Analysis(masked, n, (), "neutral", False, ())
    tokens = segment(_PLACEHOLDER.sub("，", masked), lex)  # a placeholder is no word of the comment
    tone, suggestion = tone_of(tokens, lex)
    return Analysis(masked, n, tag_areas(tokens, lex), tone, suggestion, _record_keywords(tokens, lex, max_keywords))


def analyse_texts(texts: Iterable[object], lexicon: Lexicon | None = None, *, max_keywords: int = 5) -> pd.DataFrame:
    """:func:`analyse` over many comments; one row per comment, columns ``ANALYSIS_COLUMNS``.

    ``areas`` and ``keywords`` are lists. Repeated comments are analysed once.
    """
    lex = lexicon or shipped_lexicon()
    cache: dict[str, Analysis] = {}
    rows = []
    for t in texts:
        key = "" if t is None or t is pd.NA or (isinstance(t, float) and t != t) else str(t)
        a = cache.get(key)
        if a is None:
            a = analyse(key, lex, max_keywords=max_keywords)
            cache[key] = a
        rows.append((a.text, a.n_masked, list(a.areas), a.tone, a.suggestion, list(a.keywords)))
    return pd.DataFrame(rows, columns=ANALYSIS_COLUMNS)
