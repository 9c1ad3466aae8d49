"""Series commands of the command line (named in ``analysis.__main__.SUBCOMMAND_MODULES``).

::

    python -m analysis trend (--series NAME | --wave NAME) [--level area|item] [--basic-satisfied]
                             [--exclude-flagged] [--json] [--db URL]
    python -m analysis series [--json] [--db URL]

``trend --json`` prints ``{"series": NAME, "rows": [...]}``; each row has ``wave, date, key, label,
rate, n_valid, ci_low, ci_high, prev_wave, diff_pp, p_value, significant, best_on_record``
(``analysis.series.TREND_ROW_COLUMNS``; ``n_valid`` counts answers for an area, people for an item;
``date`` is the fieldwork start, ISO ``YYYY-MM-DD``; missing numbers are null). Every change is taken
against the previous wave of the same series in fieldwork-date order.
"""

from __future__ import annotations

import argparse
import json
import math

import pandas as pd

__all__ = ["add_subcommands", "cmd_trend", "cmd_series", "trend_dict"]


def _engine(args: argparse.Namespace):
    from analysis.store import get_engine

    return get_engine(args.db or None)


def _series_id(engine, args: argparse.Namespace) -> tuple[int, str]:
    from analysis.store import list_series, list_waves, resolve_wave

    ser = list_series(engine)
    if args.series:
        text = str(args.series).strip()
        hit = ser[(ser["name"] == text) | (ser["id"].astype(str) == text)]
        if not len(hit):
            names = "、".join(ser["name"].astype(str)) or "（无 none）"
            raise ValueError(f"找不到调查项目「{text}」。现有：{names}。 No series '{text}'; "
                             "see `python -m analysis series`.")
        return int(hit.iloc[0]["id"]), str(hit.iloc[0]["name"])
    wid = resolve_wave(engine, args.wave, include_deleted=False)
    row = list_waves(engine).set_index("id").loc[wid]
    return int(row["series_id"]), str(row["series_name"])


def _clean(value):
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.strftime("%Y-%m-%d")
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def trend_dict(engine, series_id: int, name: str, *, level: str = "area", basic_satisfied: bool = False,
               exclude_flagged: bool = False) -> dict:
    """The ``trend --json`` object of one series (contract in the module docstring)."""
    from analysis.anonymity import min_group
    from analysis.series import TREND_ROW_COLUMNS, series_trend
    from analysis.store import load_wave, series_waves

    waves = series_waves(engine, series_id)
    full = [load_wave(engine, int(wid)) for wid in waves["id"]]
    datasets = [ds.without_flagged() for ds in full] if exclude_flagged else full
    # as on the trends page (issue 10): a wave the filter moves by fewer than k respondents is blanked
    rows = series_trend(waves, datasets, level=level, basic_satisfied=basic_satisfied,
                        baselines=full if exclude_flagged else None, k=min_group(engine))
    out = [{c: _clean(r[c]) for c in TREND_ROW_COLUMNS} for _, r in rows.iterrows()]
    for r in out:
        r["significant"] = bool(r["significant"])
        r["best_on_record"] = bool(r["best_on_record"])
    return {"series": name, "level": level, "basic_satisfied": basic_satisfied, "exclude_flagged": exclude_flagged,
            "rows": out}


def cmd_trend(args: argparse.Namespace) -> int:
    engine = _engine(args)
    sid, name = _series_id(engine, args)
    d = trend_dict(engine, sid, name, level=args.level, basic_satisfied=args.basic_satisfied,
                   exclude_flagged=args.exclude_flagged)
    if args.json:
        print(json.dumps(d, ensure_ascii=False))
        return 0
    pct = lambda x: "   -  " if x is None else f"{x * 100:5.1f}%"  # noqa: E731
    print(f"调查项目 series: {name}   层级 level: {args.level}")
    print(f"{'批次 wave':<24}{'日期 date':<12}{'项目 key':<20}{'满意率':>8}{'n':>8}{'变化 pp':>9}{'p':>9}")
    for r in d["rows"]:
        diff = "" if r["diff_pp"] is None else f"{r['diff_pp']:+.1f}"
        p = "" if r["p_value"] is None else f"{r['p_value']:.3g}"
        mark = (" ★" if r["significant"] else "") + (" 最好" if r["best_on_record"] else "")
        print(f"{str(r['wave'])[:22]:<24}{str(r['date'] or ''):<12}{str(r['label'])[:18]:<20}{pct(r['rate']):>8}"
              f"{r['n_valid']:>8}{diff:>9}{p:>9}{mark}")
    return 0


def cmd_series(args: argparse.Namespace) -> int:
    from analysis.store import list_series

    df = list_series(_engine(args))
    if args.json:
        print(json.dumps(json.loads(df.to_json(orient="records", force_ascii=False)), ensure_ascii=False))
        return 0
    print(df.to_string(index=False) if len(df) else "（没有调查项目 no series）")
    return 0


def add_subcommands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``trend`` and ``series``."""
    p = subparsers.add_parser("trend", help="satisfaction across the waves of one survey series")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--series", help="series name or id (see the series command)")
    which.add_argument("--wave", help="a wave id or name: its series")
    p.add_argument("--level", choices=["area", "item"], default="area")
    p.add_argument("--basic-satisfied", action="store_true", help="count 基本满意 as satisfied (好差评 convention)")
    p.add_argument("--exclude-flagged", action="store_true", help="leave screened-out responses out")
    p.add_argument("--json", action="store_true", help='print {"series": …, "rows": [...]}')
    p.add_argument("--db", help="database URL (default: SURVEY_DB_URL or data/survey.db)")
    p.set_defaults(func=cmd_trend)

    p = subparsers.add_parser("series", help="list the survey series")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.add_argument("--db", help="database URL (default: SURVEY_DB_URL or data/survey.db)")
    p.set_defaults(func=cmd_series)
