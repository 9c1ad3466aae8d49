"""The meeting pack: one report model of a wave, laid out as Excel, PowerPoint, HTML or PDF.

``build_report`` / ``report_from_store`` compute a :class:`Report` once (analysis.metrics,
analysis.compare, the deployment's anonymity threshold); ``render(report, fmt)`` returns the file's
bytes. Formats are a registry (``FORMATS``): extension, MIME type and writer per key. This package
never imports streamlit; the download menu (ui/report_menu.py) and the CLI (analysis/cli_report.py)
call it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from analysis.report.model import Report, build_report, history_waves, wave_labels
from analysis.report.sources import deployment_min_group, report_from_store

__all__ = [
    "FORMATS",
    "Format",
    "Report",
    "build_report",
    "report_from_store",
    "deployment_min_group",
    "history_waves",
    "wave_labels",
    "render",
    "file_name",
]


@dataclass(frozen=True)
class Format:
    key: str
    ext: str
    mime: str
    module: str  # analysis.report.<module>.write(report) -> bytes
    label_zh: str
    label_en: str


FORMATS: dict[str, Format] = {
    f.key: f
    for f in [
        Format("pptx", "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
               "slides", "PowerPoint 演示文稿", "PowerPoint slides"),
        Format("xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "excel", "Excel 工作簿", "Excel workbook"),
        Format("pdf", "pdf", "application/pdf", "pdf", "PDF 文档", "PDF document"),
        Format("html", "html", "text/html", "webpage", "网页（单个文件）", "Web page (one file)"),
    ]
}


def _format(fmt: str) -> Format:
    if fmt not in FORMATS:
        raise ValueError(
            f"未知的报告格式 {fmt!r}；可用：{', '.join(FORMATS)}。 Unknown report format {fmt!r}; valid: {', '.join(FORMATS)}."
        )
    return FORMATS[fmt]


def render(report: Report, fmt: str) -> bytes:
    """The report as a file of format ``fmt`` (a key of ``FORMATS``).

    Raises ValueError for an unknown format, and ``analysis.report.pdf.PdfUnavailable`` (a
    ValueError naming the Debian packages to install) when the PDF libraries are missing.
    """
    return importlib.import_module(f"analysis.report.{_format(fmt).module}").write(report)


def file_name(report: Report | str, fmt: str, lang: str | None = None) -> str:
    """``2024年秋季测评_满意度报告.pptx`` — the wave name, the report's title, the extension.

    ``report`` is a :class:`Report` or a wave name (then ``lang`` gives the title's language), so
    the download menu can name the file before building it.
    """
    from analysis.report.text import tr

    name, lang = (report.wave_name, report.lang) if isinstance(report, Report) else (str(report), lang or "zh")
    bad = '\\/:*?"<>|\r\n\t'
    stem = "".join("_" if c in bad else c for c in name).strip(" .") or "report"
    title = tr("title", lang).replace(" ", "_")
    return f"{stem}_{title}.{_format(fmt).ext}"
