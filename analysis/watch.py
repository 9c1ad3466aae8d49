"""Automatic ingest: every new export dropped into a folder becomes a wave (``python -m analysis watch DIR``).

For offices whose survey platform exports on a schedule into a shared folder. Each scan looks at
the folder's ``.csv``, ``.xlsx`` and ``.xls`` files:

- a file already stored (same bytes, by SHA-256: ``analysis.store.stored_as``) is skipped, so
  scanning again — or restarting the watcher — never stores anything twice;
- a file that cannot be read as a survey export (the ingest's ValueError) is moved into
  ``DIR/rejected/`` with a ``<name>.txt`` beside it giving the reason and how to fix it;
- a file still being written (changed less than ``settle`` seconds ago) waits for the next scan;
- a store that cannot be reached leaves the file where it is (the file is not at fault).

The ingest is the data page's own (``analysis.store.ingest_file``), with its codebook reuse and
screening; ``series`` (an id, or a name — created when new) puts the waves into that survey series,
else the store suggests one. The audit log names the watcher's ``user``.
"""

from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["EXTENSIONS", "REJECTED_DIR", "ScanResult", "scan", "watch"]

EXTENSIONS = (".csv", ".xlsx", ".xls")
REJECTED_DIR = "rejected"


@dataclass
class ScanResult:
    """What one scan did: file names ingested (new waves), already stored, rejected (with reason), waiting."""

    ingested: list[str] = field(default_factory=list)
    stored: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)
    waiting: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def _reject(path: Path, reason: str) -> Path:
    """Move ``path`` into ``rejected/`` (a new name if one is taken) and write the reason beside it."""
    target_dir = path.parent / REJECTED_DIR
    target_dir.mkdir(exist_ok=True)
    target = target_dir / path.name
    n = 2
    while target.exists():
        target = target_dir / f"{path.stem} ({n}){path.suffix}"
        n += 1
    path.replace(target)
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    target.with_name(target.name + ".txt").write_text(
        f"{stamp}\n文件未导入，原因 / not ingested, because:\n{reason}\n\n"
        "修正后把文件放回上一级文件夹即可重新导入。 Fix the file and put it back in the folder above to try again.\n",
        encoding="utf-8",
    )
    return target


def scan(engine: Any, folder: str | Path, *, series: str | None = None, user: str = "watch",
         settle: float = 5.0, log: Callable[[str], None] = print) -> ScanResult:
    """Ingest the new exports in ``folder`` once (see the module docstring); returns what happened."""
    from analysis.store import ingest_file, stored_as

    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"找不到文件夹：{folder}。 Folder not found: {folder}.")
    extra: dict[str, Any] = {}
    if series is not None and str(series).strip():  # a series id, or a series name (made when new)
        text = str(series).strip()
        extra["meta"] = {"series_id": int(text)} if text.isdigit() else {"series": text}
    out = ScanResult()
    now = time.time()
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in EXTENSIONS):
        if settle and now - path.stat().st_mtime < settle:
            out.waiting.append(path.name)
            continue
        data = path.read_bytes()
        try:
            res = stored_as(engine, data, path.name) or ingest_file(engine, data, path.name, user=user, **extra)
        except ValueError as exc:
            target = _reject(path, str(exc))
            out.rejected[path.name] = str(exc)
            log(f"未导入 rejected: {path.name} → {target.parent.name}/{target.name}: {' '.join(str(exc).split())}")
            continue
        except Exception as exc:  # noqa: BLE001 — the store, not the file: leave the file for the next scan
            out.failed[path.name] = f"{type(exc).__name__}: {exc}"
            log(f"稍后重试 will retry: {path.name}: {type(exc).__name__}: {exc}")
            continue
        if res.created or res.restored:
            out.ingested.append(path.name)
            log(f"已导入 ingested: {path.name} → 批次 wave #{res.wave_id}「{res.name}」, {res.n_responses} 份答卷 responses")
        else:
            out.stored.append(path.name)
    return out


def watch(engine: Any, folder: str | Path, *, series: str | None = None, interval: float = 60.0,
          once: bool = False, user: str = "watch") -> int:
    """Scan ``folder`` every ``interval`` seconds (``once``: a single scan, no settle wait); exit status."""
    if interval <= 0:
        raise ValueError(f"--interval 须为正数：{interval}。 --interval must be positive.")
    while True:
        scan(engine, folder, series=series, user=user, settle=0.0 if once else max(2.0, min(interval / 2, 30.0)))
        if once:
            return 0
        time.sleep(interval)
