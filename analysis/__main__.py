"""Command line: ``python -m analysis summary FILE [--json]``, ``codebook FILE``, and the store commands.

The ``summary --json`` output is a public contract (README "Command line"); exit status is non-zero
with a one-line reason on stderr for unusable input.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

import pandas as pd

__all__ = ["main", "summary_dict", "SUBCOMMAND_MODULES"]

# Modules that add their own subcommands (``add_subcommands(subparsers)``), one per feature.
SUBCOMMAND_MODULES: tuple[str, ...] = (
    "cli_store", "cli_series", "cli_actions", "cli_feedback", "cli_access", "cli_report",
)


def _num(x):
    if x is None:
        return None
    try:
        if pd.isna(x):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(x, float) and math.isnan(x):
        return None
    if hasattr(x, "item"):
        x = x.item()
    return x


def summary_dict(ds, *, basic_satisfied: bool = False, exclude_flagged: bool = False) -> dict:
    """The figures of one Dataset as the JSON object the CLI prints (contract in README)."""
    from analysis import metrics, reliability

    flagged = [
        {"row": int(r.row), "id": None if pd.isna(r.resp_id) else str(r.resp_id), "reasons": list(r.reasons)}
        for r in _flag_rows(ds).itertuples(index=False)
    ]
    work = ds.without_flagged() if exclude_flagged else ds
    items = metrics.item_summary(work, basic_satisfied=basic_satisfied)
    counts = metrics.label_counts(work)
    areas = metrics.area_summary(work, basic_satisfied=basic_satisfied)
    warnings = list(ds.warnings)
    try:
        alpha = reliability.cronbach_alpha(work.answers)
        rel = {"cronbach_alpha": _num(alpha.alpha), "ci_low": _num(alpha.ci_low), "ci_high": _num(alpha.ci_high),
               "n_items": int(alpha.n_items)}
    except ValueError as exc:
        rel = {"cronbach_alpha": None, "ci_low": None, "ci_high": None, "n_items": int(work.answers.shape[1])}
        warnings.append(str(exc))
    empty = [str(r.label) for r in items.itertuples(index=False) if not r.n_valid]
    if empty:  # e.g. every answer 不了解: the item has no rate; say so instead of dropping it silently
        warnings.append(
            f"{len(empty)} 道题没有有效答案（全部为不了解/不适用或未答），不计满意率：{'、'.join(empty[:10])}"
            f"{' …' if len(empty) > 10 else ''}。 {len(empty)} item(s) have no valid answer (all don't know / N/A"
            " or skipped) and get no rate."
        )
    item_list = []
    counts_of = {  # one pass over the counts (a per-item filter was quadratic in the number of items)
        item: {str(lab): int(n) for lab, n in zip(part["label"], part["count"], strict=False)}
        for item, part in counts.groupby("item", sort=False)
    }
    for r in items.itertuples(index=False):
        item_list.append({
            "column": r.item, "label": r.label, "area": r.area, "scale": r.scale,
            "n_valid": int(r.n_valid), "n_satisfied": int(r.n_satisfied),
            "satisfaction_rate": _num(r.satisfaction_rate), "ci_low": _num(r.ci_low), "ci_high": _num(r.ci_high),
            "mean": _num(r.mean), "counts": counts_of.get(r.item, {}),
        })
    area_list = [
        {"area": r.area, "n_items": int(r.n_items), "n_valid": int(r.n_valid), "n_satisfied": int(r.n_satisfied),
         "satisfaction_rate": _num(r.satisfaction_rate), "ci_low": _num(r.ci_low), "ci_high": _num(r.ci_high)}
        for r in areas.itertuples(index=False)
    ]
    return {
        "format": ds.format,
        "encoding": ds.encoding,
        "n_responses": int(work.n),
        "definition": {"basic_satisfied": basic_satisfied, "exclude_flagged": exclude_flagged,
                       "scales": metrics.definition(work, basic_satisfied=basic_satisfied)},
        "items": item_list,
        "areas": area_list,
        "reliability": rel,
        "flagged": flagged,
        "warnings": warnings,
    }


def _flag_rows(ds) -> pd.DataFrame:
    flags = ds.flags
    if flags is None or len(flags) == 0:
        return pd.DataFrame({"row": [], "resp_id": [], "reasons": []})
    resp = ds.respondents[["row", "resp_id"]]
    out = flags[["row", "reasons"]].merge(resp, on="row", how="left")
    return out[["row", "resp_id", "reasons"]]


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _terminal_text(value: object) -> str:
    """Text for the plain-table output: control characters (terminal escape codes, bidi overrides)
    removed so a header from a file cannot move the cursor, recolour or retitle the terminal."""
    return _CONTROL.sub("", str(value)).replace("\n", " ").replace("\t", " ")


def _print_table(d: dict) -> None:
    print(_render_table(d))


def _render_table(d: dict) -> str:
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        _print_table_raw(d)
    return "\n".join(_terminal_text(line) for line in buf.getvalue().rstrip("\n").split("\n"))


def _print_table_raw(d: dict) -> None:
    pct = lambda x: "  -  " if x is None else f"{x * 100:5.1f}%"  # noqa: E731
    print(f"格式 format: {d['format']}   编码 encoding: {d['encoding']}   答卷 responses: {d['n_responses']}")
    for scale, spec in d["definition"]["scales"].items():
        print(f"满意 = {' + '.join(spec.get('satisfied', []))}   ({scale})")
    print()
    from analysis.areas import area_name

    print(f"{'领域 area':<16}{'满意率':>8}{'95% CI':>18}{'n':>8}")
    for a in d["areas"]:
        ci = f"{pct(a['ci_low'])}–{pct(a['ci_high'])}"
        print(f"{area_name(a['area']):<16}{pct(a['satisfaction_rate']):>8}{ci:>18}{a['n_valid']:>8}")
    print()
    print(f"{'题目 item':<30}{'满意率':>8}{'95% CI':>18}{'n':>8}{'均分':>7}")
    for it in d["items"]:
        ci = f"{pct(it['ci_low'])}–{pct(it['ci_high'])}"
        mean = "-" if it["mean"] is None else f"{it['mean']:.2f}"
        print(f"{str(it['label'])[:28]:<30}{pct(it['satisfaction_rate']):>8}{ci:>18}{it['n_valid']:>8}{mean:>7}")
    rel = d["reliability"]
    if rel["cronbach_alpha"] is not None:
        print(f"\nCronbach's α = {rel['cronbach_alpha']:.3f} (95% CI {rel['ci_low']:.3f}–{rel['ci_high']:.3f}, "
              f"{rel['n_items']} items)")
    if d["flagged"]:
        print(f"筛查标记 flagged: {len(d['flagged'])} 份")
    for w in d["warnings"]:
        print(f"提示 warning: {w}")


def _read_input(path: str) -> bytes:
    p = Path(path)
    if not p.exists():
        raise ValueError(f"找不到文件：{path}。 File not found.")
    if p.is_dir():
        raise ValueError(f"{path} 是文件夹，请给出导出文件。 Expected a file, got a directory.")
    return p.read_bytes()


def cmd_summary(args) -> int:
    from analysis.codebook import load_dataset, read_codebook

    codebook = read_codebook(Path(args.codebook).read_bytes()) if args.codebook else None
    ds = load_dataset(_read_input(args.file), Path(args.file).name, codebook=codebook, format=args.format)
    d = summary_dict(ds, basic_satisfied=args.basic_satisfied, exclude_flagged=args.exclude_flagged)
    if args.json:
        sys.stdout.write(json.dumps(d, ensure_ascii=False, indent=1) + "\n")
    else:
        _print_table(d)
    return 0


def cmd_codebook(args) -> int:
    from analysis.codebook import codebook_to_csv, suggest_codebook
    from analysis.ingest import parse_survey

    survey = parse_survey(_read_input(args.file), Path(args.file).name, format=args.format)
    text = codebook_to_csv(suggest_codebook(survey))
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8-sig")
    else:
        sys.stdout.write(text)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description="后勤服务满意度分析 — command line")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("summary", help="satisfaction figures of one export file (does not touch the store)")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print one JSON object (the public contract)")
    p.add_argument("--codebook", help="codebook CSV to apply (see the codebook command)")
    p.add_argument("--basic-satisfied", action="store_true", help="count 基本满意 as satisfied (好差评 convention)")
    p.add_argument("--exclude-flagged", action="store_true", help="leave screened-out responses out of the figures")
    p.add_argument("--format", help="force an adapter (wjx_text, generic, …) instead of detecting it")
    p.set_defaults(func=cmd_summary)
    p = sub.add_parser("codebook", help="write the suggested codebook of a file as CSV")
    p.add_argument("file")
    p.add_argument("-o", "--output", help="write to this file (UTF-8 with BOM) instead of stdout")
    p.add_argument("--format", help="force an adapter instead of detecting it")
    p.set_defaults(func=cmd_codebook)
    import importlib

    for name in SUBCOMMAND_MODULES:
        importlib.import_module(f"analysis.{name}").add_subcommands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ValueError as exc:
        msg = " ".join(str(exc).split())
        print(f"错误 error: {msg}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已取消 cancelled", file=sys.stderr)
        return 130
    except Exception as exc:  # never a traceback for the user; the message names the failure
        print(f"错误 error: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
