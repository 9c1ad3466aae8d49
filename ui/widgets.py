"""Shared page widgets: the definition in force, figures, anonymity notes, guarded computations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from ui import loaders
from ui.i18n import fmt_int, fmt_pct, t

__all__ = [
    "compute", "definition_caption", "show_figure", "suppressed_note", "rate_ci", "page_title", "plain", "data_table",
]

_MD_SPECIAL = set("\\`*_{}[]()#+-.!|~<>:$&=\"'")


def plain(text: object) -> str:
    """User text made safe for ``st.markdown`` / captions / ``st.info`` (issue 10, finding 13).

    Every ASCII punctuation character that Markdown or Streamlit's extensions give a meaning to is
    backslash-escaped (CommonMark §2.4: any ASCII punctuation may be escaped), so ``**x**``,
    ``![w](http://…)``, ``:red[x]``, ``:material/icon:``, ``$x$`` and ``<b>`` show as typed; line
    breaks become spaces (no headings or lists from a wave name). ``None``/NA give "".
    """
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    out = " ".join(str(text).splitlines())
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in out)


def data_table(view: Any, df: pd.DataFrame, name: str, **kwargs: Any) -> None:
    """A table with the product's own, formula-safe CSV download (issue 10, finding 14).

    Streamlit's built-in table download is switched off (``client.disableDataExport`` in
    .streamlit/config.toml): it writes ``=1+1`` / ``+cmd|…`` / ``@SUM…`` cells unescaped. This one
    goes through :func:`analysis.safe.neutralise_formulas`.
    """
    from analysis.safe import to_csv_bytes

    kwargs.setdefault("width", "stretch")
    st.dataframe(df, **kwargs)
    index = not kwargs.get("hide_index", False)
    st.download_button(
        t("safe_download", view.lang),
        data=to_csv_bytes(df, index=index),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"safe_download_{name}",
        help=t("safe_download_help", view.lang),
        icon=":material/download:",
    )

_PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"], "responsive": True}


def page_title(view: Any, key: str) -> None:
    """The page heading with the wave it shows (name · unit · period)."""
    st.title(t(key, view.lang))
    row = view.wave_row or {}
    parts = [
        str(row.get(c)) for c in ("name", "unit", "period") if row.get(c) not in (None, "") and not pd.isna(row.get(c))
    ]
    if parts:
        st.caption(" · ".join(plain(p) for p in parts))


def compute(view: Any, fn: Callable[..., Any], **options: Any) -> Any:
    """``ui.loaders.compute(fn, …)`` for the view's wave (``fn`` a ``loaders`` computation, e.g.
    ``loaders.item_summary``); a ValueError (analysis functions explain how to fix the input) becomes
    a warning on the page and None instead of a traceback.
    """
    if loaders.is_guarded(fn):  # anonymity (issue 10): the viewer's and the deployment's threshold
        options = {"k": view.k, "base_k": getattr(view, "min_group", None), **options}
    try:
        return loaders.compute(fn, view.version, view.wave, exclude_flagged=view.exclude_flagged, **options)
    except ValueError as exc:
        st.warning(t("error_input", view.lang, err=plain(exc)))
    return None


def guarded(view: Any, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn``; a ValueError becomes a message on the page instead of a traceback."""
    try:
        return fn(*args, **kwargs)
    except ValueError as exc:
        st.warning(t("error_input", view.lang, err=plain(exc)))
    return None


def definition_caption(view: Any, definition: dict | None = None, *, interval: bool = True) -> None:
    """The satisfaction definition in force (per scale used), the interval and the screening choice."""
    if definition is None:
        definition = compute(view, loaders.definition, basic=view.basic) or {}
    lines = []
    na_short = "不了解、不适用" if view.lang == "zh" else "不了解 / N/A / Don't know"
    for spec in definition.values():
        sep = "、" if view.lang == "zh" else ", "
        labels = sep.join(spec.get("satisfied", []))
        title = spec.get("title_zh" if view.lang == "zh" else "title_en", "")
        lines.append(
            (f"{plain(title)}：" if view.lang == "zh" else f"{plain(title)}: ")
            + t("def_satisfied", view.lang, labels=plain(labels), na=na_short)
        )
    if view.ds is not None:
        lines.append(t("def_sample", view.lang, n=fmt_int(view.ds.n)))
    if interval:
        lines.append(t("def_interval", view.lang))
    lines.append(t("def_flagged_on" if view.exclude_flagged else "def_flagged_off", view.lang))
    st.caption(f"**{t('definition', view.lang)}** · " + "  \n".join(lines))


def show_figure(fig: Any, *, key: str | None = None) -> None:
    """Draw a plotly figure full width with the project's chart config."""
    st.plotly_chart(fig, width="stretch", config=_PLOTLY_CONFIG, key=key, theme=None)


def suppressed_note(view: Any, table: pd.DataFrame) -> None:
    """Say how many breakdown cells anonymity hid, and why."""
    if table is None or "suppressed" not in table.columns:
        return
    n = int(table["suppressed"].fillna(False).astype(bool).sum())
    if n:
        st.caption(":material/lock: " + t("suppressed_note", view.lang, n=n, k=view.k))


def rate_ci(rate: Any, low: Any, high: Any) -> str:
    """``91.5% (87.2%–94.6%)``."""
    if rate is None or pd.isna(rate):
        return "—"
    return f"{fmt_pct(rate)} ({fmt_pct(low)}–{fmt_pct(high)})"


def likert_input(counts: pd.DataFrame, summary: pd.DataFrame, lang: str, area: str = "") -> pd.DataFrame:
    """The table ``make_likert_figure`` draws (``analysis.charts.likert_table``, shared with the reports)."""
    from analysis.charts import likert_table

    return likert_table(counts, summary, lang, area)


def distribution(view: Any, area: str = "", *, key: str | None = None) -> None:
    """The answer-distribution chart (diverging stacked bars) for the view's wave, optionally one area."""
    counts = compute(view, loaders.label_counts)
    summary = compute(view, loaders.item_summary, basic=view.basic)
    if counts is None or summary is None:
        return
    part = summary if not area else summary[summary["area"] == area]
    empty = part.loc[part["n_valid"].fillna(0) == 0, "label"].astype(str).tolist()
    if empty:  # all 不了解 / not applicable: no bar, but say which (issue 10, finding 8)
        st.caption(t("items_no_valid", view.lang, n=len(empty), items=plain("、".join(empty[:10]))))
    # built once per view state and shared by every session (ui.loaders.likert_figure, issue 16)
    fig = loaders.likert_figure(view.version, view.wave, exclude_flagged=view.exclude_flagged, basic=view.basic,
                                area=area, lang=view.lang, present=view.present, k=view.k,
                                base_k=getattr(view, "min_group", None))
    if fig is None:
        st.info(t("no_items", view.lang))
        return
    show_figure(fig, key=key)
    st.caption(t("distribution_caption", view.lang))
