"""Render a wave's PowerPoint and PDF reports to PNG pages, to look at them before a release.

Usage::

    python scripts/report_preview.py [--wave NAME] [--db URL] [--lang zh|en] [-o DIR]

Writes ``DIR/report.pptx``, ``DIR/report.pdf``, ``DIR/slides-NN.png`` (the deck converted by
LibreOffice: ``soffice --headless --convert-to pdf``, then ``pdftoppm``) and ``DIR/pdf-N.png``.
Needs ``libreoffice-impress`` and ``poppler-utils`` (Debian). Without ``--db`` it uses a throwaway
store filled with the demo waves; without ``--wave`` the newest wave.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import store  # noqa: E402
from analysis.report import render, report_from_store  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wave")
    ap.add_argument("--db")
    ap.add_argument("--lang", choices=["zh", "en"], default="zh")
    ap.add_argument("-o", "--out", default="report-preview")
    args = ap.parse_args(argv)
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            print(f"{tool} not found: apt-get install libreoffice-impress poppler-utils", file=sys.stderr)
            return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        engine = store.get_engine(args.db or f"sqlite:///{tmp}/demo.db")
        if not args.db:
            store.ensure_demo(engine)
        wave = args.wave or str(store.list_waves(engine)["id"].iloc[-1])
        report = report_from_store(engine, wave, lang=args.lang)
        (out / "report.pptx").write_bytes(render(report, "pptx"))
        (out / "report.pdf").write_bytes(render(report, "pdf"))
        store.close_engine(engine)
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", tmp, str(out / "report.pptx")],
                       check=True, capture_output=True, timeout=300)
        subprocess.run(["pdftoppm", "-r", "60", "-png", f"{tmp}/report.pdf", str(out / "slides")], check=True)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(out / "report.pdf"), str(out / "pdf")], check=True)
    print(f"{out}: {len(list(out.glob('slides-*.png')))} slides, {len(list(out.glob('pdf-*.png')))} PDF pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
