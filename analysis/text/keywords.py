"""Contrastive keywords per service area: what people say about one area and not about the others.

The measure is the weighted log-odds ratio with an informative Dirichlet prior of Monroe, Colaresi
& Quinn, "Fightin' Words" (*Political Analysis* 16(4), 2008, eq. 16–22): for word w, area a and
"all other areas" r, with counts y, totals n and prior α_w = α₀ · (share of w in all comments),

    δ_w = log((y_aw + α_w) / (n_a + α₀ − y_aw − α_w)) − log((y_rw + α_w) / (n_r + α₀ − y_rw − α_w))
    σ²_w ≈ 1/(y_aw + α_w) + 1/(y_rw + α_w),   z_w = δ_w / σ_w.

Words with the largest z are the area's keywords. Counts are per comment (a word counted once per
comment), stop words, digits and punctuation left out; a word must occur in at least ``min_count``
comments of the area.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

import pandas as pd

from analysis.text.analyse import _PLACEHOLDER, _PUNCT, segment
from analysis.text.lexicon import Lexicon, shipped_lexicon

__all__ = ["log_odds", "area_keywords", "KEYWORD_COLUMNS"]

KEYWORD_COLUMNS = ["area", "word", "n", "z"]


def log_odds(counts_a: Counter, counts_r: Counter, *, alpha0: float = 100.0) -> dict[str, float]:
    """z-scores of the weighted log-odds ratio (Monroe et al. 2008) of group a against group r.

    Parameters
    ----------
    counts_a, counts_r : word → count in each group.
    alpha0 : total prior mass, spread over words by their share in a + r.
    """
    total = counts_a + counts_r
    n_all = sum(total.values())
    if not n_all:
        return {}
    n_a, n_r = sum(counts_a.values()), sum(counts_r.values())
    out = {}
    for w, c in total.items():
        alpha = alpha0 * c / n_all
        ya, yr = counts_a.get(w, 0), counts_r.get(w, 0)
        delta = (math.log((ya + alpha) / (n_a + alpha0 - ya - alpha))
                 - math.log((yr + alpha) / (n_r + alpha0 - yr - alpha)))
        out[w] = delta / math.sqrt(1.0 / (ya + alpha) + 1.0 / (yr + alpha))
    return out


def _content_words(text: str, lex: Lexicon) -> set[str]:
    return {t for t in segment(_PLACEHOLDER.sub("，", text), lex)
            if len(t) >= 2 and t not in lex.stop and not _PUNCT.match(t)}


def area_keywords(texts: Sequence[str], areas: Iterable[Sequence[str]], *, lexicon: Lexicon | None = None,
                  top: int = 8, min_count: int = 2, alpha0: float = 100.0) -> pd.DataFrame:
    """Top contrastive keywords of each area, columns ``KEYWORD_COLUMNS`` (``n`` = comments of the area with the word).

    ``texts`` and ``areas`` are parallel (the masked text and the area list of each comment); a
    comment tagged with two areas counts for both. Areas with no word reaching ``min_count`` are absent.
    """
    lex = lexicon or shipped_lexicon()
    per_area: dict[str, Counter] = {}
    for text, tags in zip(texts, areas, strict=True):
        tags = list(tags or [])
        if not tags:
            continue
        words = _content_words(str(text), lex)
        for a in tags:
            per_area.setdefault(a, Counter()).update(words)
    grand = Counter()
    for c in per_area.values():
        grand.update(c)
    rows = []
    for area, counts in per_area.items():
        rest = grand - counts
        z = log_odds(counts, rest, alpha0=alpha0)
        ranked = sorted((w for w in counts if counts[w] >= min_count), key=lambda w: (-z[w], w))
        rows.extend((area, w, int(counts[w]), float(z[w])) for w in ranked[:top])
    return pd.DataFrame(rows, columns=KEYWORD_COLUMNS)
