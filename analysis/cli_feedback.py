"""Feedback commands of the command line (wired into ``python -m analysis`` by analysis/__main__.py).

::

    python -m analysis feedback FILE [--json] [--kind records|survey]   # a record file or a survey export
    python -m analysis feedback import FILE [--db URL] [--user NAME] [--json]
    python -m analysis feedback list [--area A] [--channel C] [--json] [--db URL]

``feedback FILE`` reads a record file (意见/访谈记录: CSV or XLSX with a text column) or, when the
file has no such header, a survey export (its open-text columns), without touching the store; the
``--json`` object is a public contract (README "Command line"). Personal data is masked in
everything printed, warnings included.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

__all__ = ["add_subcommands", "feedback_dict", "cmd_feedback"]


def _read(path: str) -> bytes:
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"找不到文件：{path}。请检查路径。 File not found: {path}.")
    return p.read_bytes()


def _iso(d: object) -> str | None:
    if d is None or d is pd.NA:
        return None
    try:
        if pd.isna(d):
            return None
    except (TypeError, ValueError):
        pass
    return pd.Timestamp(d).date().isoformat()


def _records_of(data: bytes, name: str, kind: str | None) -> tuple[pd.DataFrame, str, list[str]]:
    """Records (before analysis) of a record file or a survey export, the kind found, warnings."""
    from analysis import feedback as fb

    if kind != "survey":
        try:
            table = fb.read_record_table(data, name)
        except ValueError:
            if kind == "records":
                raise
        else:
            recs, errors, warnings = fb.records_from_table(table, fb.suggest_mapping(list(table.frame.columns)))
            return recs, "records", table.warnings + [e["message"] for e in errors] + warnings
    from analysis.codebook import load_dataset

    ds = load_dataset(data, name)
    recs = fb.records_from_dataset(ds)
    warnings = []
    if not len(ds.texts.columns):
        warnings.append("该问卷导出没有开放题（文本题）。 The export has no open-text column.")
    return recs, "survey", warnings


def feedback_dict(data: bytes, name: str, *, kind: str | None = None) -> dict:
    """The ``feedback FILE --json`` object (contract in README "Command line")."""
    from analysis.feedback import analyse_records
    from analysis.text import area_keywords, mask_pii

    recs, found, warnings = _records_of(data, name, kind)
    done = analyse_records(recs) if len(recs) else recs.assign(areas=[], tone=[], keywords=[], n_masked=[])
    records = [
        {"row": int(r["row"]), "date": _iso(r["date"]), "channel": r["channel"],
         "group": None if r["group"] is None or pd.isna(r["group"]) else str(r["group"]),
         "text": r["text"], "areas": list(r["areas"]), "tone": r["tone"], "keywords": list(r["keywords"]),
         "masked": int(r["n_masked"])}
        for r in done.to_dict("records")
    ]
    topics = []
    if len(done):
        kw = area_keywords(done["text"].tolist(), done["areas"].tolist(), top=8, min_count=1)
        counts: dict[str, int] = {}
        for tags in done["areas"]:
            for a in tags:
                counts[a] = counts.get(a, 0) + 1
        for area, n in sorted(counts.items(), key=lambda x: (-x[1], x[0])):
            topics.append({"area": area, "n": n, "keywords": kw.loc[kw["area"] == area, "word"].tolist()})
    return {"source": {"file": name, "kind": found}, "records": records, "topics": topics,
            "warnings": [mask_pii(w)[0] for w in warnings]}


def cmd_feedback(args: argparse.Namespace) -> int:
    if args.target == "import":
        return _cmd_import(args)
    if args.target == "list":
        return _cmd_list(args)
    if args.file:
        raise ValueError("用法：feedback FILE | feedback import FILE | feedback list。 Usage: feedback FILE.")
    d = feedback_dict(_read(args.target), Path(args.target).name, kind=args.kind)
    if args.json:
        sys.stdout.write(json.dumps(d, ensure_ascii=False, indent=1) + "\n")
        return 0
    from analysis.areas import area_name

    print(f"{d['source']['file']}: {len(d['records'])} 条记录 records ({d['source']['kind']})")
    for t in d["topics"]:
        print(f"  {area_name(t['area'])} ({t['n']}): {'、'.join(t['keywords'])}")
    for w in d["warnings"]:
        print(f"提示 warning: {w}")
    return 0


def _engine(args: argparse.Namespace):
    from analysis.store import get_engine

    return get_engine(args.db or None)


def _cmd_import(args: argparse.Namespace) -> int:
    from analysis.store import import_feedback
    from analysis.text import mask_pii

    if not args.file:
        raise ValueError("请给出记录文件：feedback import FILE。 Give the record file: feedback import FILE.")
    res = import_feedback(_engine(args), _read(args.file), Path(args.file).name, user=args.user)
    warnings = [mask_pii(w)[0] for w in res.warnings] + [e["message"] for e in res.errors]
    if args.json:
        print(json.dumps({"file_id": res.file_id, "created": res.created, "duplicate_of": res.duplicate_of,
                          "n_records": res.n_records, "errors": res.errors, "warnings": warnings}, ensure_ascii=False))
        return 0
    if res.created:
        print(f"已导入 imported: 记录文件 #{res.file_id}，{res.n_records} 条记录 records")
    for w in warnings:
        print(f"提示 warning: {w}")
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    from analysis.areas import AREAS
    from analysis.feedback import CHANNELS, channel_key
    from analysis.store import list_feedback

    area = args.area
    if area and area not in AREAS and area != "none":
        from analysis.areas import classify_area

        guess = classify_area(area)
        if guess not in AREAS:
            raise ValueError(f"未知的服务领域：{area}。可选：{', '.join(AREAS)}。 Unknown area.")
        area = guess
    channel = args.channel
    if channel and channel not in CHANNELS:
        channel = channel_key(channel)
        if channel is None:
            raise ValueError(f"未知渠道：{args.channel}。可选：{', '.join(CHANNELS)}。 Unknown channel.")
    df = list_feedback(_engine(args), area=area or None, channel=channel or None)
    cols = ["id", "date", "channel", "group", "unit", "areas", "tone", "keywords", "text", "source", "status", "action_id"]
    if args.json:
        out = [{c: (_iso(r[c]) if c == "date" else (None if not isinstance(r[c], list) and pd.isna(r[c]) else
                (int(r[c]) if c in ("id", "action_id") else r[c]))) for c in cols} for r in df.to_dict("records")]
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
        return 0
    from analysis.feedback import channel_label

    print(f"{len(df)} 条记录 records")
    for r in df.itertuples():
        print(f"#{r.id}\t{_iso(r.date) or '-'}\t{channel_label(r.channel)}\t{r.group or '-'}\t"
              f"{','.join(r.areas) or '-'}\t{r.tone}\t{r.text}")
    return 0


def add_subcommands(sub) -> None:
    """Register ``feedback`` (a file, ``import FILE`` or ``list``)."""
    p = sub.add_parser("feedback", help="feedback records: analyse a file, import one, or list the store's")
    p.add_argument("target", help="FILE (record file or survey export), or 'import' / 'list'")
    p.add_argument("file", nargs="?", help="the record file of 'feedback import FILE'")
    p.add_argument("--json", action="store_true", help="print JSON (feedback FILE: the public contract)")
    p.add_argument("--kind", choices=["records", "survey"], help="read FILE as a record file or a survey export")
    p.add_argument("--area", help="feedback list: records of this area (key or name; 'none' = no area)")
    p.add_argument("--channel", help="feedback list: records of this channel (key or name)")
    p.add_argument("--db", help="store URL (default SURVEY_DB_URL or data/survey.db)")
    p.add_argument("--user", default="cli", help="who imports (audit log)")
    p.set_defaults(func=cmd_feedback)
