"""The report as a PDF: the HTML document with static charts, printed by WeasyPrint.

WeasyPrint lays text out with Pango and embeds the fonts it used as subsets, so with Debian's
fonts-noto-cjk every Chinese character is real, extractable text in Noto Sans CJK SC (TIPS.md;
timings in bench/RESULTS.md, "Reports"). The footer of every page carries the wave, the definition and the data
version (a CSS running element) and the page number (``counter(page)``).

WeasyPrint needs system libraries. When they are missing, :func:`write` raises
:class:`PdfUnavailable` — a ValueError whose message names the Debian packages to install — so the
page and the CLI say what to do and the other formats keep working.
"""

from __future__ import annotations

from analysis.report.model import Report
from analysis.report.webpage import document

__all__ = ["write", "PdfUnavailable", "DEBIAN_PACKAGES", "check_pdf"]

DEBIAN_PACKAGES = ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-noto-cjk")


class PdfUnavailable(ValueError):
    """The PDF writer cannot run on this server (a library or the CJK font is missing)."""


def _message(detail: str) -> str:
    pkgs = " ".join(DEBIAN_PACKAGES)
    return (
        f"无法生成 PDF：服务器缺少系统组件（{detail}）。请管理员运行 `sudo apt-get install {pkgs}` 后重启看板；"
        f"其他格式（Excel、PowerPoint、网页）不受影响。"
        f" PDF is unavailable: the server lacks a system library ({detail}). Install it with"
        f" `sudo apt-get install {pkgs}` and restart; the other formats still work."
    )


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: libpango / libharfbuzz not found by cffi
        raise PdfUnavailable(_message(" ".join(str(exc).split())[:160])) from exc
    return weasyprint


def check_pdf() -> str | None:
    """None when PDFs can be made here, else the message saying what to install."""
    try:
        _weasyprint()
    except PdfUnavailable as exc:
        return str(exc)
    import subprocess

    try:
        out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None  # no fontconfig tools to ask; WeasyPrint will still try
    if "Noto Sans CJK" not in out and "Noto Serif CJK" not in out:
        return _message("fonts-noto-cjk")
    return None


def write(report: Report) -> bytes:
    """The report as PDF bytes (A4, CJK fonts embedded)."""
    weasyprint = _weasyprint()
    html = document(report, static=True)
    return weasyprint.HTML(string=html).write_pdf()
