"""Deployment settings kept in the store (issue 10): small key → text values set by managers.

The one setting today is the anonymity threshold (``min_group``): managers may raise the
deployment's ``SURVEY_MIN_GROUP`` on the data page; :func:`analysis.anonymity.min_group` reads it.
Every change is audited and bumps ``data_version`` (cached pages redraw with the new value).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from analysis.store.audit import _audit
from analysis.store.engine import _write
from analysis.store.schema import _now, metadata

__all__ = ["settings", "get_setting", "get_settings", "set_setting"]

KEY_MAX, VALUE_MAX = 64, 500

settings = sa.Table(
    "settings", metadata,
    sa.Column("key", sa.String(KEY_MAX), primary_key=True),
    sa.Column("value", sa.String(VALUE_MAX), nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("updated_by", sa.String(100)),
)


def get_settings(engine: Engine) -> dict[str, str]:
    """All stored settings as ``{key: value}``."""
    with engine.connect() as conn:
        return {r.key: r.value for r in conn.execute(sa.select(settings.c.key, settings.c.value))}


def get_setting(engine: Engine, key: str, default: str | None = None) -> str | None:
    """One stored setting, or ``default`` when it was never set."""
    with engine.connect() as conn:
        value = conn.execute(sa.select(settings.c.value).where(settings.c.key == key)).scalar()
    return default if value is None else value


def set_setting(engine: Engine, key: str, value: str | None, *, user: str | None = None) -> None:
    """Store (or, with ``value=None``, remove) a setting; audited as ``setting``."""
    if not key or len(key) > KEY_MAX:
        raise ValueError(f"设置名无效：{key!r}。 Invalid setting name {key!r}.")
    if value is not None and len(str(value)) > VALUE_MAX:
        raise ValueError(f"设置值过长（上限 {VALUE_MAX} 字符）。 The setting's value is too long (limit {VALUE_MAX}).")
    with _write(engine) as conn:
        conn.execute(settings.delete().where(settings.c.key == key))
        if value is not None:
            conn.execute(settings.insert().values(key=key, value=str(value), updated_at=_now(), updated_by=user))
        _audit(conn, user, "setting", {"key": key, "value": value})
