"""The ``report`` command (wired into ``python -m analysis`` by ``SUBCOMMAND_MODULES``)::

    python -m analysis report --wave NAME --format xlsx|pptx|html|pdf -o FILE
                              [--lang zh|en] [--basic-satisfied] [--exclude-flagged] [--db URL]

``NAME`` is a wave id or name (``python -m analysis waves`` lists them). The anonymity threshold is
the deployment's (``analysis.report.deployment_min_group``); there is no option to lower it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["add_subcommands", "cmd_report"]


def cmd_report(args: argparse.Namespace) -> int:
    from analysis.report import FORMATS, render, report_from_store
    from analysis.store import get_engine

    fmt = args.format or Path(args.output).suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise ValueError(
            f"请用 --format 指定报告格式（{'、'.join(FORMATS)}）。 Give the report format with --format ({', '.join(FORMATS)})."
        )
    out = Path(args.output)
    if out.is_dir():
        raise ValueError(f"{out} 是文件夹，请给出文件名。 {out} is a directory; give a file name.")
    if not out.parent.exists():
        raise ValueError(f"文件夹 {out.parent} 不存在。 The folder {out.parent} does not exist.")
    engine = get_engine(args.db or None)
    report = report_from_store(engine, args.wave, lang=args.lang, basic_satisfied=args.basic_satisfied,
                               exclude_flagged=args.exclude_flagged)
    data = render(report, fmt)
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(out)  # never a half-written report under the final name
    print(f"已生成 written: {out} ({len(data):,} bytes, {report.wave_name}, {FORMATS[fmt].label_zh})", file=sys.stderr)
    return 0


def add_subcommands(sub: argparse._SubParsersAction) -> None:
    from analysis.report import FORMATS

    p = sub.add_parser("report", help="write a wave's meeting pack: Excel, PowerPoint, HTML or PDF")
    p.add_argument("--wave", required=True, help="wave id or name (see the waves command)")
    p.add_argument("--format", choices=list(FORMATS), help="file format (default: from the -o file's extension)")
    p.add_argument("-o", "--output", required=True, help="file to write")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="report language (default zh)")
    p.add_argument("--basic-satisfied", action="store_true", help="count 基本满意 as satisfied (好差评 convention)")
    p.add_argument("--exclude-flagged", action="store_true", help="leave screened-out responses out of the figures")
    p.add_argument("--db", help="store URL (default: SURVEY_DB_URL or data/survey.db)")
    p.set_defaults(func=cmd_report)
