"""Corrective-action commands (整改台账) of ``python -m analysis``.

::

    python -m analysis actions [--json] [--db URL]
    python -m analysis actions import FILE [--series S] [--dry-run] [--json] [--db URL] [--user NAME]
    python -m analysis actions add --problem TEXT [--measure …] [--owner …] [--department …]
        [--target "维修满意率≥85%" | --target-item LABEL | --target-area KEY] [--target-rate 0.85 |
        --target-change 5] [--deadline DATE] [--status planned|in_progress|done] [--completed-on DATE]
        [--kind immediate|scheduled] [--evidence …] [--source …] [--series S] [--json] [--db URL]

``actions --json`` prints ``{"actions": [...]}`` (README "Command line", the public contract):
verdicts computed now from the live waves. Without ``--series``, ``import`` and ``add`` use the
series whose waves measure the targets; when several fit equally they refuse and list them.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import pandas as pd

__all__ = ["add_subcommands", "actions_json", "cmd_actions", "cmd_import", "cmd_add"]

_S = argparse.SUPPRESS


def _engine(args: argparse.Namespace):
    from analysis.store import get_engine

    return get_engine(getattr(args, "db", None) or None)


def _num(x):
    if x is None or x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, float) and math.isnan(x):
        return None
    if hasattr(x, "item"):
        x = x.item()
    if isinstance(x, float) and math.isnan(x):
        return None
    return x


def _day(x) -> str | None:
    if x is None or x is pd.NaT or (isinstance(x, float) and math.isnan(x)):
        return None
    ts = pd.Timestamp(x)
    return None if pd.isna(ts) else ts.date().isoformat()


def _s(x) -> str:
    return "" if _num(x) is None else str(x)


def _t(x) -> str | None:
    return None if _num(x) is None else str(x)


def actions_json(df: pd.DataFrame) -> dict:
    """The ``actions --json`` object from :func:`analysis.store.verify_actions` output."""
    out = []
    for r in df.to_dict("records"):
        target = None
        if _t(r.get("target_kind")) and _t(r.get("target_key")):
            target = {"kind": r["target_kind"], "key": r["target_key"], "label": _t(r.get("target_label")) or r["target_key"],
                      "rate": _num(r.get("target_rate")), "change_pp": _num(r.get("target_change"))}
        measured = None
        if _num(r.get("measured_wave")) is not None:
            measured = {"wave": _num(r["measured_wave"]), "wave_name": r.get("measured_wave_name"),
                        "rate": _num(r["measured_rate"]), "n_valid": _num(r["n_valid"]),
                        "ci_low": _num(r["ci_low"]), "ci_high": _num(r["ci_high"])}
        baseline = None
        if _num(r.get("baseline_wave")) is not None:
            baseline = {"wave": _num(r["baseline_wave"]), "wave_name": r.get("baseline_wave_name"),
                        "rate": _num(r["baseline_rate"]), "n_valid": _num(r["baseline_n"])}
        out.append({
            "id": int(r["id"]), "problem": r["problem"], "measure": _t(r.get("measure")), "owner": _t(r.get("owner")),
            "department": _t(r.get("department")), "deadline": _day(r.get("deadline")), "status": r["status"],
            "completed_on": _day(r.get("completed_on")), "series_id": _num(r.get("series_id")),
            "kind": _t(r.get("kind")), "target_text": _t(r.get("target_text")), "target": target,
            "verdict": r["verdict"], "confident": bool(r["confident"]), "measured": measured, "baseline": baseline,
            "change_pp": _num(r.get("change_pp")), "p_value": _num(r.get("p_value")), "note": r.get("note") or "",
            "evidence": _t(r.get("evidence")), "feedback_ids": list(r.get("feedback_ids") or []),
            "items": list(r.get("items") or []),
        })
    return {"actions": out}


def cmd_actions(args: argparse.Namespace) -> int:
    from analysis.actions import VERDICTS, summary_counts, target_text
    from analysis.store import verify_actions

    df = verify_actions(_engine(args))
    if getattr(args, "json", False):
        print(json.dumps(actions_json(df), ensure_ascii=False))
        return 0
    if df.empty:
        print("（整改台账为空 no actions）")
        return 0
    c = summary_counts(df["verdict"])
    print("整改 {total} 项：".format(**c) + "，".join(f"{VERDICTS[k].zh} {c[k]}" for k in VERDICTS if c[k]))
    pct = lambda x: "-" if _num(x) is None else f"{x * 100:.1f}%"  # noqa: E731
    for r in df.to_dict("records"):
        tgt = target_text(_s(r.get("target_kind")), _s(r.get("target_key")), _s(r.get("target_label")),
                          _num(r.get("target_rate")), _num(r.get("target_change"))) or _s(_t(r.get("target_text")))
        print(f"#{r['id']:<4}{VERDICTS[r['verdict']].zh:<6}{'(确定)' if r['confident'] else '':<5}"
              f"{str(r['problem'])[:24]:<26}目标 {tgt[:20]:<22}实测 {pct(r['measured_rate']):>6} "
              f"基线 {pct(r['baseline_rate']):>6}  {_s(r.get('owner'))}")
    return 0


def _resolve_series(engine, ref: str):
    from analysis.store import verification_waves

    vw = verification_waves(engine)
    series = vw.drop_duplicates("series_id")
    text = str(ref).strip()
    for sid, name in zip(series["series_id"], series["series_name"], strict=True):
        if text == str(sid) or text == str(name):
            return sid
    listing = "；".join(f"{s} {n}" for s, n in zip(series["series_id"], series["series_name"], strict=True))
    raise ValueError(f"找不到系列「{ref}」。现有系列：{listing}。 No series '{ref}'.")


def _pick_series(engine, targets: list[tuple[str, str]], ref: str | None):
    from analysis.actions_import import choose_series
    from analysis.store import series_catalog

    if ref:
        sid = _resolve_series(engine, ref)
        cat = series_catalog(engine)
        return sid, cat[cat["series_id"] == sid].iloc[0] if len(cat) else None
    cat = series_catalog(engine)
    if not targets:  # nothing to measure: the only series, else none
        return (cat["series_id"].iloc[0], cat.iloc[0]) if len(cat) == 1 else (None, None)
    sid, scores = choose_series(targets, cat)
    if sid is None:
        if not len(scores):
            return None, None
        lines = "\n".join(f"  --series {r.series_id}  {r.series_name}（{r.n_waves} 个批次 waves，"
                          f"测到 {r.n_targets_measured} 个目标 targets measured）" for r in scores.itertuples())
        raise _Ambiguous("有多个系列都可能是这些目标的测评系列，请用 --series 指定。 Several series fit; choose one "
                         f"with --series:\n{lines}")
    return sid, cat[cat["series_id"] == sid].iloc[0]


class _Ambiguous(ValueError):
    """Several series fit: the message lists them one per line."""


def _refuse(exc: _Ambiguous) -> int:
    print(f"错误 error: {exc}", file=sys.stderr)
    return 2


def _series_id(value):
    return None if value is None else int(value)


def cmd_import(args: argparse.Namespace) -> int:
    from analysis.actions_import import read_register, register_targets, resolve_targets
    from analysis.store import import_actions

    p = Path(args.file)
    if not p.is_file():
        raise ValueError(f"找不到文件：{args.file}。请检查路径。 File not found: {args.file}.")
    reg = read_register(p.read_bytes(), p.name)
    engine = _engine(args)
    try:
        sid, entry = _pick_series(engine, register_targets(reg), getattr(args, "series", None))
    except _Ambiguous as exc:
        return _refuse(exc)
    if entry is not None:
        resolve_targets(reg, list(entry["items"]), list(entry["areas"]))
    records = reg.records(_series_id(sid))
    ids = [] if args.dry_run else import_actions(engine, records, user=args.user)
    fix = [{"line": r.line, "problem": r.fields.get("problem"), "target_text": r.fields.get("target_text"),
            "problems": r.problems} for r in reg.unparsed]
    if getattr(args, "json", False):
        print(json.dumps({"imported": ids, "n_rows": len(reg.rows), "series_id": _num(sid), "dry_run": args.dry_run,
                          "header_row": reg.header_row, "columns": reg.columns, "needs_fix": fix,
                          "warnings": reg.warnings}, ensure_ascii=False))
        return 0
    verb = "可导入 would import" if args.dry_run else "已导入 imported"
    print(f"{verb} {len(records)} 项 actions（表头在第 {reg.header_row} 行 header row；系列 series {sid}）")
    for w in reg.warnings:
        print(f"提示 warning: {w}", file=sys.stderr)
    if fix:
        print(f"需要修改 to fix: {len(fix)} 项（目标未解析的事项已导入但没有量化目标 imported without a target）")
        for f in fix:
            for msg in f["problems"]:
                print(f"  - {msg}")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from analysis.actions import TARGET_KINDS, parse_target
    from analysis.store import add_action

    fields = {k: getattr(args, k) for k in ("problem", "measure", "owner", "department", "kind", "deadline", "status",
                                            "completed_on", "evidence", "source")
              if getattr(args, k, None) is not None}
    subject = None
    if args.target_item:
        subject = ("item", args.target_item)
    elif args.target_area:
        from analysis.areas import AREAS

        if args.target_area not in AREAS:
            raise ValueError(f"未知服务领域「{args.target_area}」，可用：{', '.join(AREAS)}。 Unknown area.")
        subject = ("area", args.target_area)
    target = None
    if args.target:
        parsed = parse_target(args.target, subject=subject)
        if not parsed.ok:
            raise ValueError(parsed.reason or "请写明目标。 State the target.")
        target = parsed.target
        if target.kind not in TARGET_KINDS:
            raise ValueError("目标未写明题目或服务领域：请加 --target-item 或 --target-area。 "
                             "The target names no item or area: add --target-item or --target-area.")
        fields.update(target_text=args.target, target_kind=target.kind, target_key=target.key,
                      target_label=target.label or target.key, target_rate=target.rate,
                      target_change=target.change_pp)
    elif subject is not None:
        if (args.target_rate is None) == (args.target_change is None):
            raise ValueError("请给出 --target-rate（如 0.85）或 --target-change（百分点）之一。 "
                             "Give one of --target-rate or --target-change.")
        fields.update(target_kind=subject[0], target_key=subject[1], target_label=subject[1],
                      target_rate=args.target_rate, target_change=args.target_change)
    engine = _engine(args)
    targets = [(fields["target_kind"], fields["target_key"])] if "target_kind" in fields else []
    try:
        sid, entry = _pick_series(engine, targets, args.series)
    except _Ambiguous as exc:
        return _refuse(exc)
    if entry is not None and fields.get("target_kind") == "item":
        from analysis.actions import match_item

        label = match_item(fields["target_key"], list(entry["items"]))
        if label is None:
            raise ValueError(f"题目「{fields['target_key']}」不在该系列的问卷中。 Item not in this series' questionnaires.")
        fields["target_key"] = label
        fields["items"] = [label]
    if args.feedback_ids:
        fields["feedback_ids"] = [int(x) for x in args.feedback_ids.split(",") if x.strip()]
    aid = add_action(engine, user=args.user, origin="cli", series_id=_series_id(sid), **fields)
    if getattr(args, "json", False):
        print(json.dumps({"id": aid, "series_id": _num(sid)}, ensure_ascii=False))
    else:
        print(f"已添加 added: 整改事项 action #{aid}（系列 series {sid}）")
    return 0


def add_subcommands(sub) -> None:
    """Register ``actions`` (list), ``actions import`` and ``actions add`` on the main parser."""
    p = sub.add_parser("actions", help="整改台账: list corrective actions with their verdicts, import, add")
    p.add_argument("--json", action="store_true", help='print {"actions": [...]} (the public contract)')
    p.add_argument("--db", help="database URL (default SURVEY_DB_URL or data/survey.db)")
    p.add_argument("--user", default="cli", help="name recorded in the audit log")
    p.set_defaults(func=cmd_actions)
    asub = p.add_subparsers(dest="actions_command")
    q = asub.add_parser("import", help="import a 整改台账 workbook (.xlsx or .csv)")
    q.add_argument("file")
    q.add_argument("--series", help="series id or name the targets are measured in (default: the one that fits)")
    q.add_argument("--dry-run", action="store_true", help="read and check only; write nothing")
    q.add_argument("--json", action="store_true", default=_S)
    q.add_argument("--db", default=_S)
    q.add_argument("--user", default=_S)
    q.set_defaults(func=cmd_import)
    a = asub.add_parser("add", help="add one corrective action")
    a.add_argument("--problem", required=True, help="存在问题")
    a.add_argument("--measure", help="整改措施")
    a.add_argument("--owner", help="责任人")
    a.add_argument("--department", help="责任部门")
    a.add_argument("--kind", help="立行立改 (immediate) / 限期整改 (scheduled)")
    a.add_argument("--target", help='typed target, e.g. "维修满意率≥85%%" or "提升5个百分点"')
    a.add_argument("--target-item", help="item label the target is measured on")
    a.add_argument("--target-area", help="service-area key the target is measured on (maintenance …)")
    a.add_argument("--target-rate", type=float, help="threshold as a fraction (0.85)")
    a.add_argument("--target-change", type=float, help="required rise in percentage points")
    a.add_argument("--deadline", help="完成时限 (2025-06-30 or 2025年6月30日)")
    a.add_argument("--status", help="planned / in_progress / done (or 未启动 / 推进中 / 已完成)")
    a.add_argument("--completed-on", help="完成日期 (done actions)")
    a.add_argument("--evidence", help="佐证材料")
    a.add_argument("--source", help="问题来源")
    a.add_argument("--feedback-ids", help="linked feedback record ids, comma-separated")
    a.add_argument("--series", help="series id or name (default: the one that measures the target)")
    a.add_argument("--json", action="store_true", default=_S)
    a.add_argument("--db", default=_S)
    a.add_argument("--user", default=_S)
    a.set_defaults(func=cmd_add)
