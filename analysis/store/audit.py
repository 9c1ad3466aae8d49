"""The audit log: who changed what, when (written inside the change's own transaction)."""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from analysis.store.engine import _write
from analysis.store.schema import AUDIT_COLUMNS, _now, audit_log


def _audit(conn: Connection, user: str | None, action: str, detail: dict | None = None, wave_id: int | None = None):
    conn.execute(
        audit_log.insert().values(at=_now(), user=user, action=action, wave_id=wave_id, detail=_jsonable(detail or {}))
    )


def _jsonable(obj: Any) -> Any:
    """JSON-safe copy (numpy scalars, timestamps, sets → plain values)."""
    return json.loads(json.dumps(obj, default=_json_default, ensure_ascii=False))


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (_dt.datetime, _dt.date, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)



def audit(engine: Engine, user: str | None, action: str, detail: dict | None = None, *,
          wave_id: int | None = None) -> None:
    """Append one row to the audit log (who did what, when)."""
    if not action:
        raise ValueError("审计动作不能为空。 The audit action must not be empty.")
    with _write(engine, bump=False) as conn:
        _audit(conn, user, action, detail, wave_id)


def list_audit(engine: Engine, *, limit: int | None = None) -> pd.DataFrame:
    """The audit log, newest first: columns ``AUDIT_COLUMNS`` (``detail`` is a dict)."""
    q = sa.select(*[audit_log.c[c] for c in AUDIT_COLUMNS]).order_by(audit_log.c.id.desc())
    if limit:
        q = q.limit(int(limit))
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    df = pd.DataFrame(rows, columns=AUDIT_COLUMNS)
    df["at"] = pd.to_datetime(df["at"])
    return df

