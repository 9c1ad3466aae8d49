"""The "下载报告" menu every page carries, and the data page's original-file downloads.

The frame calls :func:`report_menu` with one line. The menu shows the format, the report's
language and the filters in force (wave, definition, screening, the deployment's anonymity
threshold); the file is built only when the button is clicked
(``st.download_button(data=callable, on_click="ignore")``: Streamlit calls the function in its
own thread, so it touches only the store and analysis.report, never ``st``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from ui import loaders
from ui.i18n import LANGS, t

__all__ = ["report_menu", "original_files", "report_builder"]


@st.cache_data(show_spinner=False, ttl=600)
def _pdf_problem() -> str | None:
    from analysis.report.pdf import check_pdf

    return check_pdf()


@st.cache_data(show_spinner=False)
def _min_group(url: str, version: str) -> int:
    from analysis.report import deployment_min_group

    return deployment_min_group(loaders.engine())


def report_builder(engine: Any, wave: str, fmt: str, lang: str, basic: bool, exclude_flagged: bool,
                   min_group: int) -> Callable[[], bytes]:
    """The callable the download button runs on click: the report's bytes, built from the store."""

    def build() -> bytes:
        from analysis.report import render, report_from_store

        report = report_from_store(engine, wave, lang=lang, basic_satisfied=basic, exclude_flagged=exclude_flagged,
                                   min_group=min_group)
        return render(report, fmt)

    return build


def report_menu(view: Any, box: Any) -> None:
    """Draw the download menu into ``box`` (a sidebar container, or the page in presentation mode)."""
    from analysis.report import FORMATS, file_name

    lang = view.lang
    with box.popover(t("rep_menu", lang), icon=":material/download:", width="stretch"):
        if view.ds is None or not view.wave:
            st.caption(t("rep_no_wave", lang))
            return
        fmt = st.selectbox(
            t("rep_format", lang), list(FORMATS), key="rep_format",
            format_func=lambda f: FORMATS[f].label_zh if lang == "zh" else FORMATS[f].label_en,
        )
        rep_lang = st.segmented_control(t("rep_lang", lang), list(LANGS), default=lang, format_func=LANGS.get,
                                        key="rep_lang", selection_mode="single") or lang
        k = _min_group(loaders.db_url(), view.version)
        st.caption(t(
            "rep_filters", lang, wave=view.wave_name(),
            basic=t("rep_basic_on" if view.basic else "rep_basic_off", lang),
            flagged=t("rep_flag_on" if view.exclude_flagged else "rep_flag_off", lang), k=k,
        ))
        problem = _pdf_problem() if fmt == "pdf" else None
        if problem:
            st.warning(problem)  # our own message: names the Debian packages to install
            return
        st.download_button(
            t("rep_download", lang),
            data=report_builder(loaders.engine(), str(view.wave), fmt, rep_lang, bool(view.basic),
                                bool(view.exclude_flagged), k),
            file_name=file_name(view.wave_name(), fmt, rep_lang),
            mime=FORMATS[fmt].mime,
            on_click="ignore",
            icon=":material/description:",
            help=t("rep_help", lang),
            key="rep_download",
            type="primary",
            width="stretch",
        )


def original_files(engine: Any, wave_id: Any, lang: str) -> None:
    """Download buttons for a wave's original uploaded files (data page; bytes loaded on click)."""
    from analysis.store import wave_uploads

    ups = wave_uploads(engine, wave_id)
    for i, row in enumerate(ups.itertuples()):
        def load(i: int = i) -> bytes:
            from analysis.store import wave_files

            return wave_files(engine, wave_id)[i][1]

        st.download_button(
            f"{t('rep_original', lang)}：{row.filename}",
            data=load,
            file_name=str(row.filename),
            mime="application/octet-stream",
            on_click="ignore",
            icon=":material/file_download:",
            help=t("rep_original_help", lang) + f" SHA-256 {str(row.sha256)[:12]}…",
            key=f"rep_original_{wave_id}_{i}",
        )
