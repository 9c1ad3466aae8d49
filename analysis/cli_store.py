"""Store commands of the command line (wired into ``python -m analysis`` by analysis/__main__.py).

::

    python -m analysis ingest FILE [--wave NAME] [--codebook CSV] [--series NAME] [--allow-duplicate]
                                   [--db URL] [--user NAME] [--json]
    python -m analysis waves [--json] [--all] [--db URL]
    python -m analysis delete WAVE [--yes] [--purge] [--db URL]
    python -m analysis restore WAVE [--db URL]
    python -m analysis create-user NAME [--role admin|manager|viewer] [--series ID ...] [--wave ID ...]
        [--password-stdin] [--db URL]

``WAVE`` is a wave id or name. ``--db`` defaults to ``SURVEY_DB_URL`` or ``data/survey.db``.
Handlers return the exit status; a ValueError becomes one line on stderr and a non-zero exit
(in ``analysis.__main__.main`` or in :func:`main` here).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

__all__ = ["add_subcommands", "main", "cmd_ingest", "cmd_waves", "cmd_delete", "cmd_restore", "cmd_create_user"]


def _engine(args: argparse.Namespace):
    from analysis.store import get_engine

    return get_engine(args.db or None)


def _read_file(path: str) -> bytes:
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"找不到文件：{path}。请检查路径。 File not found: {path}.")
    return p.read_bytes()


def cmd_ingest(args: argparse.Namespace) -> int:
    from analysis.store import ingest_file, stored_as

    data = _read_file(args.file)
    codebook = _read_file(args.codebook) if args.codebook else None
    meta = {k: getattr(args, k) for k in ("unit", "period", "channel", "distributed", "returned", "series",
                                          "fieldwork_start", "fieldwork_end")
            if getattr(args, k, None) is not None}
    engine = _engine(args)
    # a file stored before is reported from its sha256 alone, without parsing it again
    res = stored_as(engine, data, Path(args.file).name)
    if res is None:  # the same answers in another export (another platform): refused unless allowed
        from analysis.prepare import prepare_wave
        from analysis.store import find_codebook
        from analysis.store.series import likely_duplicates

        prepared = prepare_wave(data, Path(args.file).name, codebook, format=args.format,
                                saved=lambda key: find_codebook(engine, key))
        dups = likely_duplicates(engine, prepared.dataset)
        if dups and not args.allow_duplicate:
            d = dups[0]
            raise ValueError(f"这些答卷与已有批次 #{d['wave_id']}「{d['name']}」的 {d['share']:.0%} 相同，可能是同一次调查"
                             "从另一平台导出的文件；确认要另存为新批次请加 --allow-duplicate。"
                             f" {d['share']:.0%} of these responses equal wave #{d['wave_id']}; likely the same survey"
                             " exported twice. Add --allow-duplicate to store it anyway.")
        res = ingest_file(engine, prepared, wave=args.wave, meta=meta, user=args.user)
        res.warnings += [f"可能与批次 #{d['wave_id']} 重复 possible duplicate of wave #{d['wave_id']}" for d in dups]
    if args.json:
        print(json.dumps({"wave_id": res.wave_id, "name": res.name, "created": res.created,
                          "duplicate_of": res.duplicate_of, "restored": res.restored,
                          "n_responses": res.n_responses, "warnings": res.warnings}, ensure_ascii=False))
        return 0
    if res.created:
        print(f"已导入 ingested: 批次 wave #{res.wave_id}「{res.name}」, {res.n_responses} 份答卷 responses")
    elif res.restored:
        print(f"已恢复 restored: 批次 wave #{res.wave_id}「{res.name}」（同一文件 same file）")
    else:
        print(f"未重复导入 already stored: 批次 wave #{res.duplicate_of}「{res.name}」（同一文件 same file）")
    for w in res.warnings:
        print(f"提示 warning: {w}", file=sys.stderr)
    return 0


def cmd_waves(args: argparse.Namespace) -> int:
    from analysis.store import list_waves

    df = list_waves(_engine(args), include_deleted=args.all)
    df["series"] = df["series_name"]  # `waves --json`: series, fieldwork_start, fieldwork_end (issue 12)
    if args.json:
        out = json.loads(df.to_json(orient="records", date_format="iso", force_ascii=False))
        print(json.dumps(out, ensure_ascii=False))
        return 0
    if df.empty:
        print("（没有批次 no waves）")
        return 0
    cols = ["id", "name", "series", "period", "n_responses", "n_valid", "distributed", "format", "created_at", "files"]
    if args.all:
        cols.append("deleted_at")
    view = df[cols].copy()
    view["created_at"] = view["created_at"].dt.strftime("%Y-%m-%d %H:%M")
    print(view.to_string(index=False))
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    from analysis.store import delete_wave, purge_wave, resolve_wave, wave_meta

    engine = _engine(args)
    wid = resolve_wave(engine, args.wave)
    meta = wave_meta(engine, wid)
    what = "彻底删除 purge (cannot be undone)" if args.purge else "删除 delete (restore可恢复)"
    if not args.yes:
        if not sys.stdin.isatty():
            raise ValueError("需要确认：请加 --yes。 Confirmation needed: add --yes when not running interactively.")
        answer = input(f"{what} 批次 wave #{wid}「{meta['name']}」? [y/N] ").strip().lower()
        if answer not in {"y", "yes", "是"}:
            print("已取消 cancelled", file=sys.stderr)
            return 1
    if args.purge:
        purge_wave(engine, wid, user=args.user)
        print(f"已彻底删除 purged: 批次 wave #{wid}「{meta['name']}」")
    else:
        delete_wave(engine, wid, user=args.user)
        print(f"已删除 deleted: 批次 wave #{wid}「{meta['name']}」（可用 restore 恢复 restore brings it back）")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from analysis.store import resolve_wave, restore_wave

    engine = _engine(args)
    meta = restore_wave(engine, resolve_wave(engine, args.wave), user=args.user)
    print(f"已恢复 restored: 批次 wave #{meta['id']}「{meta['name']}」")
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from analysis.auth import create_user

    if args.password_stdin:
        pw = sys.stdin.readline().rstrip("\r\n")
    else:
        pw = getpass.getpass("密码 password: ")
        if getpass.getpass("再次输入 repeat: ") != pw:
            raise ValueError("两次输入的密码不一致。 The passwords do not match.")
    engine = _engine(args)
    u = create_user(engine, args.name, pw, role=args.role, user=args.user)
    scopes = [("series", s) for s in args.series or []] + [("wave", w) for w in args.wave or []]
    if scopes:  # which series / waves the account may see (issue 16; none = all)
        from analysis.store.access import set_scopes

        set_scopes(engine, u.name, scopes, user=args.user)
    print(f"已创建用户 created user「{u.name}」({u.role})" + (f" 范围 scope: {scopes}" if scopes else ""))
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help="database URL (default: SURVEY_DB_URL or data/survey.db)")
    p.add_argument("--user", default="cli", help="name recorded in the audit log (default: cli)")


def add_subcommands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``ingest``, ``waves``, ``delete``, ``restore``, ``create-user`` (``func`` = handler)."""
    p = subparsers.add_parser("ingest", help="store an export file as a wave (same file twice is recognised)")
    p.add_argument("file")
    p.add_argument("--wave", help="wave name (default: the file name)")
    p.add_argument("--codebook", help="codebook CSV to apply and save for this questionnaire")
    p.add_argument("--format", help="force an adapter (wjx_text, generic, …)")
    p.add_argument("--unit", help="unit / institution")
    p.add_argument("--period", help="period, e.g. 2025春")
    p.add_argument("--channel", help="channel, e.g. 问卷星")
    p.add_argument("--distributed", type=int, help="questionnaires distributed (发放数)")
    p.add_argument("--returned", type=int, help="questionnaires returned (回收数)")
    p.add_argument("--series", help="survey series name (default: the latest series of this questionnaire and unit)")
    p.add_argument("--fieldwork-start", help="first fieldwork day, YYYY-MM-DD (default: first submission time)")
    p.add_argument("--fieldwork-end", help="last fieldwork day, YYYY-MM-DD (default: last submission time)")
    p.add_argument("--allow-duplicate", action="store_true",
                   help="store even when the answers equal a stored wave (the same survey from another platform)")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    _common(p)
    p.set_defaults(func=cmd_ingest)

    p = subparsers.add_parser("waves", help="list the stored waves")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.add_argument("--all", action="store_true", help="include deleted waves")
    _common(p)
    p.set_defaults(func=cmd_waves)

    p = subparsers.add_parser("delete", help="delete a wave (soft; restore brings it back)")
    p.add_argument("wave", help="wave id or name")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.add_argument("--purge", action="store_true", help="remove for good, with its files (cannot be undone)")
    _common(p)
    p.set_defaults(func=cmd_delete)

    p = subparsers.add_parser("restore", help="bring a deleted wave back")
    p.add_argument("wave", help="wave id or name")
    _common(p)
    p.set_defaults(func=cmd_restore)

    p = subparsers.add_parser("create-user", help="create a dashboard account")
    p.add_argument("name")
    p.add_argument("--role", default="manager", choices=["admin", "manager", "viewer"])
    p.add_argument("--series", action="append", help="a series id the account may see (repeatable; none = all)")
    p.add_argument("--wave", action="append", help="a wave id the account may see (repeatable)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    _common(p)
    p.set_defaults(func=cmd_create_user)


def main(argv: list[str] | None = None) -> int:
    """Run the store commands alone (``python -m analysis.cli_store …``)."""
    parser = argparse.ArgumentParser(prog="python -m analysis.cli_store")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ValueError as exc:
        print(f"错误 error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
