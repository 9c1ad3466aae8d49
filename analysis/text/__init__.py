"""Chinese text analysis of 后勤 comments (no streamlit): masking, segmentation, areas, tone, keywords.

- :mod:`analysis.text.mask` — personal data masked before anything is stored or shown;
- :mod:`analysis.text.lexicon` — the 后勤 lexicon shipped as data (``lexicon/*.txt``) plus additions;
- :mod:`analysis.text.analyse` — rjieba segmentation, area tags, tone with negation/degree words;
- :mod:`analysis.text.keywords` — contrastive keywords per area (weighted log-odds, Monroe et al. 2008).
"""

from analysis.text.analyse import (
    ANALYSIS_COLUMNS,
    TONES,
    Analysis,
    analyse,
    analyse_rows,
    analyse_texts,
    is_no_opinion,
    segment,
    tag_areas,
    tone_of,
)
from analysis.text.keywords import KEYWORD_COLUMNS, area_keywords, log_odds
from analysis.text.lexicon import WORD_KINDS, Lexicon, build_lexicon, check_addition, shipped_lexicon
from analysis.text.mask import PII_KINDS, PLACEHOLDERS, mask_pii

__all__ = [
    "ANALYSIS_COLUMNS", "TONES", "Analysis", "analyse", "analyse_rows", "analyse_texts", "is_no_opinion", "segment", "tag_areas",
    "tone_of", "KEYWORD_COLUMNS", "area_keywords", "log_odds", "WORD_KINDS", "Lexicon", "build_lexicon",
    "check_addition", "shipped_lexicon", "PII_KINDS", "PLACEHOLDERS", "mask_pii",
]
