"""Segmentation, area tagging, tone and record keywords of short 后勤 comments.

- **Segmentation**: rjieba (the Rust port of jieba: identical tokens and much faster, TIPS.md),
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

__all__ = ["TONES", "Analysis", "segment", "tag_areas", "tone_of", "analyse", "analyse_texts", "analyse_rows",
           "is_no_opinion", "ANALYSIS_COLUMNS"]

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
    return [t for t in _segmenter(lex).cut(str(text).lower()) if not t.isspace()]


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
    found: list[str] = []
    for w, areas in _inner_index(lex):
        if len(w) < len(token) and w in token:
            found.extend(areas)
    return tuple(dict.fromkeys(found))


# What the tagger needs to know about one token, computed once per distinct token and lexicon:
# (areas, tone value or None, is negation, degree weight or None, is suggestion marker,
#  is punctuation/number, keyword kind: 0 = not a keyword, 1 = area word, 2 = other content word)
_Info = tuple[tuple[str, ...], float | None, bool, float | None, bool, bool, int]
_INFOS: dict[Lexicon, dict[str, _Info]] = {}


def _infos(lex: Lexicon) -> dict[str, _Info]:
    table = _INFOS.get(lex)
    if table is None:
        if len(_INFOS) > 8:
            _INFOS.clear()
        table = _INFOS[lex] = {}
    return table


def _make_info(tok: str, lex: Lexicon) -> _Info:
    areas = _token_areas(tok, lex)
    tone, deg = lex.tone, lex.degree
    value = tone.get(tok)
    if value is None and len(tok) >= 2 and tok[0] in deg and tok[1:] in tone:  # 太贵, 很好 as one token
        value = tone[tok[1:]] * deg[tok[0]]
    if value is None and len(tok) >= 2 and tok[:2] in deg and tok[2:] in tone:
        value = tone[tok[2:]] * deg[tok[:2]]
    if value is None and len(tok) >= 2 and tok[0] in "不没无未" and tok[1:] in tone:  # 不贵, 没坏 as one token
        value = -tone[tok[1:]]
    punct = bool(_PUNCT.match(tok))
    kind = 0
    if not (tok in lex.stop or len(tok) < 2 or punct):
        if areas:
            kind = 1
        elif tok not in deg and tok not in lex.negation and tok not in lex.suggestion:
            kind = 2
    return (areas, value, tok in lex.negation, deg.get(tok), tok in lex.suggestion, punct, kind)


def _token_infos(tokens: Sequence[str], lex: Lexicon) -> list[_Info]:
    table = _infos(lex)
    out = []
    for tok in tokens:
        info = table.get(tok)
        if info is None:
            info = table[tok] = _make_info(tok, lex)
        out.append(info)
    return out


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


def _areas_of(infos: list[_Info]) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for info in infos:
        for a in info[0]:
            found[a] = None
    return tuple(found)


def _tone_of(infos: list[_Info]) -> tuple[str, bool]:
    score = 0.0
    suggestion = False
    for i, (areas, value, _neg, _deg, sugg, _p, _k) in enumerate(infos):
        if sugg:
            suggestion = True
        if value is None:
            if areas and i and infos[i - 1][2]:  # a negation before an area word: 没有热水, 无人(处理) …
                score -= 1.0
            continue
        weight, flips = 1.0, 0
        for j in range(i - 1, max(-1, i - 4), -1):  # back to the previous tone word or punctuation
            prev = infos[j]
            if prev[1] is not None or prev[5]:
                break
            if prev[2]:
                flips += 1
            elif prev[3] is not None and j >= i - 2:
                weight = max(weight, prev[3])
        score += (-value if flips % 2 else value) * weight
    if score < 0:
        return "negative", suggestion
    if score > 0:
        return "positive", suggestion
    return "neutral", suggestion


def _keywords_of(tokens: Sequence[str], infos: list[_Info], max_keywords: int) -> tuple[str, ...]:
    area_kw: dict[str, None] = {}
    other: dict[str, None] = {}
    for tok, info in zip(tokens, infos, strict=True):
        if info[6] == 1:
            area_kw[tok] = None
        elif info[6] == 2:
            other[tok] = None
    return tuple(list(area_kw) + [t for t in other if t not in area_kw])[:max_keywords]


def tag_areas(tokens: Sequence[str], lexicon: Lexicon | None = None) -> tuple[str, ...]:
    """Areas named by ``tokens`` in first-seen order (see the module docstring)."""
    lex = lexicon or shipped_lexicon()
    return _areas_of(_token_infos(tokens, lex))


def tone_of(tokens: Sequence[str], lexicon: Lexicon | None = None) -> tuple[str, bool]:
    """``(tone, suggestion)`` of a tokenised comment (rules in the module docstring)."""
    lex = lexicon or shipped_lexicon()
    return _tone_of(_token_infos(tokens, lex))


def _analyse_one(text: object, lex: Lexicon, cut, table: dict[str, _Info], max_keywords: int,
                 says_something: bool = False) -> tuple[str, int, tuple[str, ...], str, bool, tuple[str, ...]]:
    """The work of :func:`analyse` in one pass over the tokens (the hot loop of ``analyse_texts``).

    ``says_something``: the caller found ``is_no_opinion(text)`` False; it is then asked again only
    when masking changed the text.
    """
    masked, n = mask_pii("" if text is None or text is pd.NA else text)
    if (n or not says_something) and is_no_opinion(masked, lex):
        return masked, n, (), "neutral", False, ()
    tokens = cut((_PLACEHOLDER.sub("，", masked) if n else masked).lower())  # a placeholder is no word
    infos = []
    areas: dict[str, None] = {}
    area_kw: dict[str, None] = {}
    other: dict[str, None] = {}
    scored = False
    for tok in tokens:
        info = table.get(tok)
        if info is None:
            info = table[tok] = _make_info(tok, lex)
        infos.append(info)
        if info[0]:
            for a in info[0]:
                areas[a] = None
        kind = info[6]
        if kind == 1:
            area_kw[tok] = None
        elif kind == 2:
            other[tok] = None
        if info[1] is not None or info[2] or info[4]:
            scored = True
    tone, suggestion = _tone_of(infos) if scored else ("neutral", False)
    keywords = tuple(list(area_kw) + [t for t in other if t not in area_kw])[:max_keywords]
    return masked, n, tuple(areas), tone, suggestion, keywords


def analyse(text: object, lexicon: Lexicon | None = None, *, max_keywords: int = 5) -> Analysis:
    """Mask, segment, tag, score and pick keywords for one comment (the masked text is what is analysed)."""
    lex = lexicon or shipped_lexicon()
    return Analysis(*_analyse_one(text, lex, _segmenter(lex).cut, _infos(lex), max_keywords))


def analyse_rows(texts: Iterable[str], lexicon: Lexicon | None = None, *, max_keywords: int = 5,
                 say_something: bool = False) -> list[tuple[str, int, tuple[str, ...], str, bool, tuple[str, ...]]]:
    """:func:`analyse` of each text as a plain tuple of the :class:`Analysis` fields (``text,
    n_masked, areas, tone, suggestion, keywords``): for callers that already hold distinct texts.

    ``say_something=True`` promises that ``is_no_opinion`` is False for every text (the caller
    checked, e.g. to leave such answers out), so it is not checked again unless masking changed a text.
    """
    lex = lexicon or shipped_lexicon()
    cut, table = _segmenter(lex).cut, _infos(lex)
    return [_analyse_one(t, lex, cut, table, max_keywords, say_something) for t in texts]


def analyse_texts(texts: Iterable[object], lexicon: Lexicon | None = None, *, max_keywords: int = 5) -> pd.DataFrame:
    """:func:`analyse` over many comments; one row per comment, columns ``ANALYSIS_COLUMNS``.

    ``areas`` and ``keywords`` are lists. Repeated comments are analysed once.
    """
    lex = lexicon or shipped_lexicon()
    cut, table = _segmenter(lex).cut, _infos(lex)
    cache: dict[str, tuple] = {}
    rows = []
    for t in texts:
        key = "" if t is None or t is pd.NA or (isinstance(t, float) and t != t) else str(t)
        row = cache.get(key)
        if row is None:
            m, n, areas, tone, sugg, kw = _analyse_one(key, lex, cut, table, max_keywords)
            row = cache[key] = (m, n, list(areas), tone, sugg, list(kw))
        rows.append(row)
    return pd.DataFrame(rows, columns=ANALYSIS_COLUMNS)
