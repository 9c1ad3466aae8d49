"""Access commands of the command line (issue 16; wired in by ``analysis.__main__.SUBCOMMAND_MODULES``).

::

    python -m analysis links create (--series S | --wave W) [--days N] [--note TEXT] [--base-url URL] [--json]
    python -m analysis links list [--json]
    python -m analysis links revoke ID
    python -m analysis watch DIR [--series S] [--interval 60] [--once]

``links create`` prints the share link's URL (``--json``: one object ``id, url, expires_at``);
the token in it is shown only this once (the store keeps its SHA-256). ``--base-url`` is the
address the dashboard is reached at (default ``SURVEY_BASE_URL`` or ``http://localhost:8501``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from urllib.parse import urlencode

__all__ = ["add_subcommands", "cmd_links_create", "cmd_links_list", "cmd_links_revoke", "cmd_watch", "link_url"]

DEFAULT_BASE_URL = "http://localhost:8501"


def _engine(args: argparse.Namespace):
    from analysis.store import get_engine

    return get_engine(args.db or None)


def link_url(base_url: str, token: str, *, wave: int | None = None) -> str:
    """The share link: the overview page of ``base_url`` with the token (and the wave, when the scope is one)."""
    base = (base_url or DEFAULT_BASE_URL).rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise ValueError(f"--base-url 须以 http:// 或 https:// 开头：'{base_url}'。 The base URL must start with http:// or https://.")
    params = {"wave": str(wave)} if wave is not None else {}
    return f"{base}/overview?{urlencode({**params, 'token': token})}"


def _iso(value) -> str | None:
    import pandas as pd

    return None if value is None or pd.isna(value) else pd.Timestamp(value).isoformat()


def cmd_links_create(args: argparse.Namespace) -> int:
    from analysis.store import create_link

    base = args.base_url or os.environ.get("SURVEY_BASE_URL") or DEFAULT_BASE_URL
    link_url(base, "x")  # check the base URL before a link is stored
    link_id, token, expires = create_link(
        _engine(args), series=args.series, wave=args.wave, days=args.days, note=args.note or "", user=args.user
    )
    url = link_url(base, token, wave=int(args.wave) if args.wave is not None else None)
    if args.json:
        print(json.dumps({"id": link_id, "url": url, "expires_at": _iso(expires)}, ensure_ascii=False))
    else:
        print(url)
        print(f"链接 link #{link_id} 有效期至 valid until {_iso(expires)} UTC", file=sys.stderr)
    return 0


def cmd_links_list(args: argparse.Namespace) -> int:
    from analysis.store import list_links

    df = list_links(_engine(args))
    rows = [
        {
            "id": int(r.id), "scope": r.scope_kind, "scope_id": int(r.scope_id), "note": r.note,
            "created_by": r.created_by, "created_at": _iso(r.created_at), "expires_at": _iso(r.expires_at),
            "last_used_at": _iso(r.last_used_at), "uses": int(r.uses), "status": r.status,
        }
        for r in df.itertuples(index=False)
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    if not rows:
        print("还没有分享链接 no share links")
    for r in rows:
        print(f"#{r['id']}\t{r['status']}\t{r['scope']}:{r['scope_id']}\t{r['expires_at']}\t"
              f"uses={r['uses']}\tlast={r['last_used_at'] or '-'}\tby={r['created_by']}\t{r['note'] or ''}")
    return 0


def cmd_links_revoke(args: argparse.Namespace) -> int:
    from analysis.store import revoke_link

    revoke_link(_engine(args), args.id, user=args.user)
    print(f"已撤销 revoked: 链接 link #{args.id}")
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from analysis.watch import watch

    return watch(_engine(args), args.dir, series=args.series, interval=args.interval, once=args.once, user=args.user)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help="database URL (default: SURVEY_DB_URL or data/survey.db)")
    p.add_argument("--user", default="cli", help="name recorded in the audit log (default: cli)")


def add_subcommands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``links create|list|revoke`` and ``watch`` (``func`` = handler)."""
    links = subparsers.add_parser("links", help="read-only share links that expire")
    sub = links.add_subparsers(dest="links_command", required=True)
    p = sub.add_parser("create", help="create a share link for one series or one wave; prints its URL")
    scope = p.add_mutually_exclusive_group(required=True)
    scope.add_argument("--series", help="series id")
    scope.add_argument("--wave", help="wave id")
    p.add_argument("--days", default=30, help="days until it expires, 1–90 (default 30)")
    p.add_argument("--note", help="what the link is for, e.g. 3月评议会")
    p.add_argument("--base-url", help="the dashboard's address (default SURVEY_BASE_URL or http://localhost:8501)")
    p.add_argument("--json", action="store_true", help="print {id, url, expires_at}")
    _common(p)
    p.set_defaults(func=cmd_links_create)
    p = sub.add_parser("list", help="list the share links (never their tokens)")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    _common(p)
    p.set_defaults(func=cmd_links_list)
    p = sub.add_parser("revoke", help="revoke a share link at once")
    p.add_argument("id", help="link id (from links list)")
    _common(p)
    p.set_defaults(func=cmd_links_revoke)

    p = subparsers.add_parser("watch", help="ingest every new export dropped into a folder")
    p.add_argument("dir", help="folder to watch")
    p.add_argument("--series", help="series the new waves belong to (when the store has series)")
    p.add_argument("--interval", type=float, default=60.0, help="seconds between scans (default 60)")
    p.add_argument("--once", action="store_true", help="scan once and exit")
    _common(p)
    p.set_defaults(func=cmd_watch)
