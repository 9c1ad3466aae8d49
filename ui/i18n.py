"""UI text in Chinese (default) and English, plus language-aware number and name formatting.

Strings live in dictionaries ``STRINGS = {key: {"zh": ..., "en": ...}}`` in ``ui/strings_core.py``
(pages and frame) and one ``ui/strings_<topic>.py`` per feature (data page, login …); all are merged here. A missing key
shows the key itself so a gap is visible instead of crashing a page.
"""

from __future__ import annotations

import math
from contextvars import ContextVar

import pandas as pd

__all__ = [
    "LANGS",
    "DEFAULT_LANG",
    "t",
    "set_lang",
    "get_lang",
    "fmt_pct",
    "fmt_pp",
    "fmt_int",
    "fmt_num",
    "area_label",
    "scale_label",
    "strings",
]

LANGS: dict[str, str] = {"zh": "中文", "en": "English"}
DEFAULT_LANG = "zh"

_current: ContextVar[str] = ContextVar("ui_lang", default=DEFAULT_LANG)


def strings() -> dict[str, dict[str, str]]:
    """All UI strings: ``ui.strings_core`` first, then every other ``ui/strings_<topic>.py`` by name.

    Each feature keeps its own strings module (data page, feedback, actions …); a key already
    defined by an earlier module wins.
    """
    import importlib
    import pkgutil

    import ui

    merged: dict[str, dict[str, str]] = {}
    names = sorted(m.name for m in pkgutil.iter_modules(ui.__path__) if m.name.startswith("strings_"))
    for name in ["strings_core"] + [n for n in names if n != "strings_core"]:
        for key, value in importlib.import_module(f"ui.{name}").STRINGS.items():
            merged.setdefault(key, value)
    return merged


def set_lang(lang: str) -> str:
    """Set the language for this script run (``zh`` / ``en``; anything else → zh)."""
    lang = lang if lang in LANGS else DEFAULT_LANG
    _current.set(lang)
    return lang


def get_lang() -> str:
    return _current.get()


def t(key: str, lang: str | None = None, **fmt: object) -> str:
    """Translate ``key`` into ``lang`` (default: the language set for this run) and format it.

    ``t("overview_n", n=150)`` → ``"样本量 150"``. Unknown keys return the key; a missing English
    text falls back to the Chinese one.
    """
    lang = lang or get_lang()
    entry = _STRINGS_CACHE.get(key)
    if entry is None:
        entry = strings().get(key)
        if entry is None:
            return key
        _STRINGS_CACHE[key] = entry
    text = entry.get(lang) or entry.get(DEFAULT_LANG) or key
    if fmt:
        try:
            return text.format(**fmt)
        except (KeyError, IndexError, ValueError):
            return text
    return text


_STRINGS_CACHE: dict[str, dict[str, str]] = {}


def _missing(x: object) -> bool:
    if x is None or x is pd.NA:
        return True
    try:
        return math.isnan(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def fmt_pct(x: object, digits: int = 1) -> str:
    """A rate 0..1 as a percentage with one decimal (``0.915`` → ``91.5%``); ``—`` when missing."""
    if _missing(x):
        return "—"
    return f"{float(x) * 100:.{digits}f}%"


def fmt_pp(x: object, lang: str | None = None) -> str:
    """A change in percentage points with its sign (``+2.3 个百分点`` / ``+2.3 pp``)."""
    if _missing(x):
        return "—"
    unit = " 个百分点" if (lang or get_lang()) == "zh" else " pp"
    if round(float(x), 1) == 0:  # no change shown as a rise or a fall (neither "+0.0" nor "-0.0")
        return f"0.0{unit}"
    return f"{float(x):+.1f}{unit}"


def fmt_int(x: object) -> str:
    """A count with thousands separators."""
    if _missing(x):
        return "—"
    return f"{int(x):,}"


def fmt_num(x: object, digits: int = 2) -> str:
    if _missing(x):
        return "—"
    return f"{float(x):.{digits}f}"


def area_label(key: object, lang: str | None = None) -> str:
    """Display name of a service-area key (analysis.areas registry; the key itself when unknown)."""
    lang = lang or get_lang()
    if key is None or _missing(key) or key == "":
        return t("all_areas", lang)
    from analysis.areas import AREAS, area_name

    if key in AREAS or key == "unclassified":
        return area_name(str(key), lang)
    return str(key)


def scale_label(key: str, lang: str | None = None) -> str:
    """Display name of a scale key (analysis.scales registry)."""
    from analysis.scales import SCALES

    scale = SCALES.get(key)
    if scale is None:
        return key
    return scale.title_zh if (lang or get_lang()) == "zh" else scale.title_en
