"""Corrective actions (整改台账) in the store: the ``actions`` table, its changes (all audited) and
their verification against the stored waves.

Verdicts are never stored: :func:`verify_actions` computes them from the live waves every time it
is called (the page caches the result by ``data_version``), so adding, deleting or restoring a wave
changes them at once. Links: ``feedback_ids`` (ids of feedback records, a JSON list) and ``items``
(survey item labels, a JSON list).

Series: verification runs within an action's series (``series_id``, the survey series of
``analysis.store.series``); a wave is dated by its fieldwork start.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from analysis.store.audit import _audit, _jsonable
from analysis.store.engine import _write
from analysis.store.schema import _now, metadata, waves

__all__ = [
    "ACTION_COLUMNS",
    "ACTION_FIELDS",
    "actions",
    "add_action",
    "update_action",
    "set_action_status",
    "delete_action",
    "restore_action",
    "get_action",
    "list_actions",
    "import_actions",
    "verification_waves",
    "series_catalog",
    "rate_source",
    "verify_actions",
]

actions = sa.Table(
    "actions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("series_id", sa.Integer, sa.ForeignKey("series.id", name="fk_actions_series_id"), index=True),
    sa.Column("register_no", sa.String(50)),
    sa.Column("problem", sa.Text, nullable=False),
    sa.Column("source", sa.Text),
    sa.Column("area", sa.String(40)),
    sa.Column("measure", sa.Text),
    sa.Column("owner", sa.String(200)),
    sa.Column("department", sa.String(200)),
    sa.Column("kind", sa.String(20)),
    sa.Column("target_text", sa.Text),
    sa.Column("target_kind", sa.String(10)),
    sa.Column("target_key", sa.String(300)),
    sa.Column("target_label", sa.String(300)),
    sa.Column("target_rate", sa.Float),
    sa.Column("target_change", sa.Float),
    sa.Column("deadline", sa.Date),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("completed_on", sa.Date),
    sa.Column("evidence", sa.Text),
    sa.Column("origin", sa.String(20), nullable=False),
    sa.Column("feedback_ids", sa.JSON, nullable=False),
    sa.Column("items", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.String(100)),
    sa.Column("updated_at", sa.DateTime),
    sa.Column("updated_by", sa.String(100)),
    sa.Column("deleted_at", sa.DateTime),
    sa.Column("deleted_by", sa.String(100)),
    sqlite_autoincrement=True,
)

# Fields a user may set (form, import, CLI); the rest is bookkeeping.
ACTION_FIELDS: tuple[str, ...] = (
    "series_id", "register_no", "problem", "source", "area", "measure", "owner", "department", "kind",
    "target_text", "target_kind", "target_key", "target_label", "target_rate", "target_change",
    "deadline", "status", "completed_on", "evidence", "origin", "feedback_ids", "items",
)
ACTION_COLUMNS = ["id", *ACTION_FIELDS, "created_at", "created_by", "updated_at", "updated_by", "deleted_at",
                  "deleted_by"]
_TEXT_LIMITS = {"register_no": 50, "area": 40, "owner": 200, "department": 200, "target_key": 300,
                "target_label": 300}


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------
def _missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return isinstance(v, str) and not v.strip()


def _date(v: Any, name: str) -> _dt.date | None:
    if _missing(v):
        return None
    if isinstance(v, _dt.datetime):
        return v.date()
    if isinstance(v, _dt.date):
        return v
    from analysis.actions_import import parse_date

    got = parse_date(v)
    if got is None:
        raise ValueError(f"{name}「{v}」不是日期（如 2025-06-30 或 2025年6月30日）。 '{v}' is not a date ({name}).")
    return got


def _clean(fields: dict, *, partial: bool) -> dict:
    from analysis.actions import KINDS, ORIGINS, STATUSES, TARGET_KINDS, parse_kind, parse_status

    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise ValueError(f"不能设置字段 {sorted(unknown)}；可设 {list(ACTION_FIELDS)}。 Unknown action field(s).")
    out: dict[str, Any] = {}
    for k, v in fields.items():
        if k in ("deadline", "completed_on"):
            out[k] = _date(v, {"deadline": "完成时限", "completed_on": "完成日期"}[k])
        elif k in ("target_rate", "target_change"):
            if _missing(v):
                out[k] = None
            else:
                try:
                    out[k] = float(v)
                except (TypeError, ValueError):
                    raise ValueError(f"{k}「{v}」须为数字。 '{k}' must be a number.") from None
        elif k == "series_id":
            out[k] = None if _missing(v) else int(v)
        elif k in ("feedback_ids", "items"):
            vals = [] if v is None or (not isinstance(v, (list, tuple, set)) and _missing(v)) else list(v)
            out[k] = [int(x) for x in vals] if k == "feedback_ids" else [str(x) for x in vals if str(x).strip()]
        elif k == "status":
            out[k] = v if v in STATUSES else parse_status(v)
        elif k == "kind":
            out[k] = None if _missing(v) else (v if v in KINDS else parse_kind(v))
        elif k == "origin":
            if v not in ORIGINS:
                raise ValueError(f"未知来源「{v}」。 Unknown origin '{v}'.")
            out[k] = v
        elif k == "target_kind":
            if _missing(v):
                out[k] = None
            elif v not in TARGET_KINDS:
                raise ValueError(f"目标类型须为 item 或 area，而不是「{v}」。 target_kind must be item or area.")
            else:
                out[k] = v
        else:
            out[k] = None if _missing(v) else str(v).strip()
            if out[k] is not None and k in _TEXT_LIMITS and len(out[k]) > _TEXT_LIMITS[k]:
                raise ValueError(f"{k} 过长（最多 {_TEXT_LIMITS[k]} 字）。 '{k}' is too long.")
    if not partial:
        if not out.get("problem"):
            raise ValueError("请填写存在问题。 The problem must not be empty.")
        out.setdefault("status", "planned")
        out.setdefault("origin", "form")
        out.setdefault("feedback_ids", [])
        out.setdefault("items", [])
    elif "problem" in out and not out["problem"]:
        raise ValueError("存在问题不能为空。 The problem must not be empty.")
    return out


def _check_target(row: dict) -> None:
    """A target is complete (kind, key and exactly one of rate / change, in range) or absent."""
    kind, key = row.get("target_kind"), row.get("target_key")
    rate, change = row.get("target_rate"), row.get("target_change")
    if kind is None and rate is None and change is None:
        return
    if rate is not None and change is not None:
        raise ValueError("目标只能是达到某满意率或提升若干个百分点之一。 A target is a rate or a change, not both.")
    if rate is None and change is None:
        raise ValueError("目标缺少满意率或提升幅度。 The target needs a rate or a change.")
    if kind is None or not key:
        raise ValueError("目标须指明题目或服务领域。 The target needs an item or a service area.")
    if kind == "area":
        from analysis.areas import AREAS

        if key not in AREAS:
            raise ValueError(f"未知服务领域「{key}」。 Unknown service area '{key}'.")
    if rate is not None and not 0 < rate <= 1:
        raise ValueError(f"目标满意率须在 0–1 之间（0.85 = 85%），而不是 {rate}。 The target rate must be in (0, 1].")
    if change is not None and not 0 < change <= 100:
        raise ValueError(f"提升幅度须在 0–100 个百分点之间，而不是 {change}。 The change must be in (0, 100] points.")


def _row(conn: Connection, action_id: int) -> dict:
    row = conn.execute(sa.select(actions).where(actions.c.id == int(action_id))).mappings().first()
    if row is None:
        raise ValueError(f"找不到整改事项 #{action_id}。 No action #{action_id}.")
    return dict(row)


def _check_series(conn: Connection, series_id: Any) -> None:
    if series_id is None:
        return
    from analysis.store.series import series

    if conn.execute(sa.select(series.c.id).where(series.c.id == int(series_id))).first() is None:
        raise ValueError(f"找不到调查项目（系列）#{series_id}。 No series #{series_id}.")


def _insert(conn: Connection, values: dict, user: str) -> int:
    _check_target(values)
    _check_series(conn, values.get("series_id"))
    if values.get("status") != "done" and values.get("completed_on") is not None:
        raise ValueError("未完成的事项不能有完成日期。 Only a done action has a completion date.")
    now = _now()
    res = conn.execute(actions.insert().values(**values, created_at=now, created_by=user, updated_at=now,
                                               updated_by=user))
    aid = int(res.inserted_primary_key[0])
    _audit(conn, user, "action_add", {"id": aid, **{k: v for k, v in values.items() if v not in (None, [], "")}})
    return aid


# ---------------------------------------------------------------------------------------------
# Changes
# ---------------------------------------------------------------------------------------------
def add_action(engine: Engine, *, user: str = "cli", **fields: Any) -> int:
    """Add one action (fields ``ACTION_FIELDS``; ``problem`` required); returns its id. Audited."""
    values = _clean(fields, partial=False)
    with _write(engine) as conn:
        return _insert(conn, values, user)


def import_actions(engine: Engine, records: Iterable[dict], *, user: str = "cli") -> list[int]:
    """Add several actions in one transaction (all or none); returns their ids. Each one audited."""
    cleaned = [_clean({**r, "origin": r.get("origin", "import")}, partial=False) for r in records]
    with _write(engine) as conn:
        ids = [_insert(conn, v, user) for v in cleaned]
        _audit(conn, user, "action_import", {"ids": ids, "n": len(ids)})
    return ids


def update_action(engine: Engine, action_id: int, *, user: str = "cli", **changes: Any) -> dict:
    """Change fields of an action; returns the updated row. Old and new values go to the audit log.

    Setting ``status`` to ``done`` without a ``completed_on`` records today; setting it back to an
    open status clears the completion date.
    """
    values = _clean(changes, partial=True)
    with _write(engine) as conn:
        old = _row(conn, action_id)
        new = {**old, **values}
        if values.get("status") and values["status"] != "done":
            new["completed_on"] = None
        elif new.get("status") == "done" and new.get("completed_on") is None and "completed_on" not in changes:
            new["completed_on"] = _dt.date.today()
        if new.get("status") != "done" and new.get("completed_on") is not None:
            raise ValueError("未完成的事项不能有完成日期。 Only a done action has a completion date.")
        _check_target(new)
        if "series_id" in values:
            _check_series(conn, values["series_id"])
        diff = {k: new[k] for k in ACTION_FIELDS if new[k] != old[k]}
        if diff:
            conn.execute(actions.update().where(actions.c.id == int(action_id))
                         .values(**diff, updated_at=_now(), updated_by=user))
            _audit(conn, user, "action_update",
                   {"id": int(action_id), **{k: {"old": _jsonable(old[k]), "new": _jsonable(v)} for k, v in diff.items()}})
        return _row(conn, action_id)


def set_action_status(engine: Engine, action_id: int, status: str, *, completed_on: Any = None,
                      user: str = "cli") -> dict:
    """Change an action's status (``done`` takes ``completed_on``, default today)."""
    changes: dict[str, Any] = {"status": status}
    if completed_on is not None:
        changes["completed_on"] = completed_on
    return update_action(engine, action_id, user=user, **changes)


def delete_action(engine: Engine, action_id: int, *, user: str = "cli") -> None:
    """Soft delete (hidden from :func:`list_actions`, kept for the audit trail; :func:`restore_action` undoes it)."""
    with _write(engine) as conn:
        old = _row(conn, action_id)
        if old["deleted_at"] is None:
            conn.execute(actions.update().where(actions.c.id == int(action_id))
                         .values(deleted_at=_now(), deleted_by=user))
            _audit(conn, user, "action_delete", {"id": int(action_id), "problem": old["problem"]})


def restore_action(engine: Engine, action_id: int, *, user: str = "cli") -> None:
    """Undo :func:`delete_action`."""
    with _write(engine) as conn:
        old = _row(conn, action_id)
        if old["deleted_at"] is not None:
            conn.execute(actions.update().where(actions.c.id == int(action_id))
                         .values(deleted_at=None, deleted_by=None, updated_at=_now(), updated_by=user))
            _audit(conn, user, "action_restore", {"id": int(action_id)})


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------
def get_action(engine: Engine, action_id: int) -> dict:
    """All fields of one action (deleted ones too); ValueError when it does not exist."""
    with engine.connect() as conn:
        return _row(conn, action_id)


def list_actions(engine: Engine, *, include_deleted: bool = False) -> pd.DataFrame:
    """Actions in the store, oldest first: columns ``ACTION_COLUMNS``.

    ``deadline`` / ``completed_on`` / ``created_at`` … are datetime64 (NaT when empty),
    ``target_rate`` / ``target_change`` floats (NaN when empty), ``feedback_ids`` / ``items`` lists.
    """
    q = sa.select(*[actions.c[c] for c in ACTION_COLUMNS]).order_by(actions.c.id)
    if not include_deleted:
        q = q.where(actions.c.deleted_at.is_(None))
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    df = pd.DataFrame(rows, columns=ACTION_COLUMNS)
    df["id"] = df["id"].astype("int64")
    df["series_id"] = df["series_id"].astype("Int64")
    for col in ("deadline", "completed_on", "created_at", "updated_at", "deleted_at"):
        df[col] = pd.to_datetime(df[col])
    for col in ("target_rate", "target_change"):
        df[col] = pd.to_numeric(df[col]).astype("float64")
    for col in ("feedback_ids", "items"):
        df[col] = [list(v) if isinstance(v, list) else [] for v in df[col]]
    return df


# ---------------------------------------------------------------------------------------------
# Verification against the stored waves
# ---------------------------------------------------------------------------------------------
def _period_date(period: Any) -> pd.Timestamp | None:
    """First day of a period label: ``2019-10``, ``2019年10月``, ``2019.10``, ``2019`` → a Timestamp."""
    if _missing(period):
        return None
    m = re.search(r"((?:19|20)\d\d)(?:\s*[-./年]\s*(\d{1,2}))?(?:\s*[-./月]\s*(\d{1,2}))?", str(period))
    if not m:
        return None
    y, mo, d = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    try:
        return pd.Timestamp(y, mo, d)
    except ValueError:
        try:
            return pd.Timestamp(y, mo, 1)
        except ValueError:
            return pd.Timestamp(y, 1, 1)


def verification_waves(engine: Engine) -> pd.DataFrame:
    """Live waves with the series and date verification uses: ``id, series_id, series_name, date, name``.

    ``date`` is the fieldwork start (``waves.fieldwork_start``: the first submission time, or the
    typed date), else the first day of ``period``, else the upload time.
    """
    from analysis.store.series import series

    cols = waves.c
    q = (sa.select(cols.id, cols.name, cols.period, cols.created_at, cols.series_id, cols.fieldwork_start,
                   series.c.name.label("series_name"))
         .join(series, series.c.id == cols.series_id, isouter=True)
         .where(cols.deleted_at.is_(None)).order_by(cols.id))
    with engine.connect() as conn:
        df = pd.DataFrame([dict(r) for r in conn.execute(q).mappings()],
                          columns=["id", "name", "period", "created_at", "series_id", "fieldwork_start", "series_name"])
    dates = []
    for r in df.to_dict("records"):
        d = r.get("fieldwork_start")
        if _missing(d) or pd.isna(d):
            d = _period_date(r.get("period"))
        if d is None:
            d = r.get("created_at")
        dates.append(pd.Timestamp(d))
    df["date"] = pd.to_datetime(pd.Series(dates, index=df.index, dtype="object"))
    df["series_name"] = [n if isinstance(n, str) else str(s) for n, s in zip(df["series_name"], df["series_id"],
                                                                             strict=True)]
    df = df.sort_values(["series_id", "date", "id"], kind="stable").reset_index(drop=True)
    return df[["id", "series_id", "series_name", "date", "name"]]


def _wave_tables(engine: Engine, wave_id: int, basic: bool, exclude_flagged: bool,
                 cache: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    key = (int(wave_id), basic, exclude_flagged)
    if key not in cache:
        from analysis.metrics import area_summary, item_summary
        from analysis.store.wave_ops import load_wave

        ds = load_wave(engine, int(wave_id))
        if exclude_flagged:
            ds = ds.without_flagged()
        cache[key] = (item_summary(ds, basic_satisfied=basic), area_summary(ds, basic_satisfied=basic))
    return cache[key]


def rate_source(engine: Engine, *, basic_satisfied: bool = False, exclude_flagged: bool = False
                ) -> Callable[[Any, str, str], tuple[int, int] | None]:
    """``rate_of(wave_id, kind, key) -> (n_satisfied, n_valid) | None`` over the stored waves.

    Items are found by label (:func:`analysis.actions.match_item`; repeated rows of the same
    label pooled), areas by key (``analysis.metrics.area_summary``'s pooled counts).
    """
    from analysis.actions import match_item, normalise_label

    cache: dict = {}

    def rate_of(wave_id: Any, kind: str, key: str) -> tuple[int, int] | None:
        try:
            items, areas = _wave_tables(engine, int(wave_id), basic_satisfied, exclude_flagged, cache)
        except ValueError:
            return None
        if kind == "area":
            rows = areas[areas["area"] == key]
        else:
            label = match_item(key, items["label"].astype(str))
            if label is None:
                return None
            rows = items[[normalise_label(x) == normalise_label(label) for x in items["label"].astype(str)]]
        if not len(rows):
            return None
        n = int(rows["n_valid"].sum())
        return (int(rows["n_satisfied"].sum()), n) if n > 0 else None

    return rate_of


def series_catalog(engine: Engine, *, basic_satisfied: bool = False) -> pd.DataFrame:
    """What each series measures: ``series_id, series_name, n_waves, last_wave, items, areas``
    (item labels and area keys with valid answers in any of its live waves)."""
    vw = verification_waves(engine)
    cache: dict = {}
    rows = []
    for sid, grp in vw.groupby("series_id", sort=False):
        items: set[str] = set()
        areas: set[str] = set()
        for wid in grp["id"]:
            try:
                it, ar = _wave_tables(engine, int(wid), basic_satisfied, False, cache)
            except ValueError:
                continue
            items.update(it.loc[it["n_valid"] > 0, "label"].astype(str))
            areas.update(ar.loc[ar["n_valid"] > 0, "area"].astype(str))
        rows.append({"series_id": sid, "series_name": grp["series_name"].iloc[0], "n_waves": len(grp),
                     "last_wave": grp["id"].iloc[-1], "items": sorted(items), "areas": sorted(areas)})
    return pd.DataFrame(rows, columns=["series_id", "series_name", "n_waves", "last_wave", "items", "areas"])


def verify_actions(engine: Engine, *, today: Any = None, basic_satisfied: bool = False,
                   exclude_flagged: bool = False, include_deleted: bool = False) -> pd.DataFrame:
    """Every action with its verdict, computed now from the live waves (never stored).

    Returns ``list_actions`` columns plus ``analysis.actions.VERIFY_COLUMNS`` (``id`` once) and
    ``measured_wave_name`` / ``baseline_wave_name``.
    """
    from analysis.actions import VERIFY_COLUMNS, verify

    acts = list_actions(engine, include_deleted=include_deleted)
    vw = verification_waves(engine)
    result = verify(acts.assign(series_id=acts["series_id"].astype("object").where(acts["series_id"].notna(), None)),
                    vw, rate_source(engine, basic_satisfied=basic_satisfied, exclude_flagged=exclude_flagged),
                    today=today)
    out = pd.concat([acts.reset_index(drop=True), result.drop(columns=["id"]).reset_index(drop=True)], axis=1)
    names = dict(zip(vw["id"], vw["name"], strict=True))
    out["measured_wave_name"] = [names.get(w) if not _missing(w) else None for w in out["measured_wave"]]
    out["baseline_wave_name"] = [names.get(w) if not _missing(w) else None for w in out["baseline_wave"]]
    assert set(VERIFY_COLUMNS) - {"id"} <= set(out.columns)
    return out


# ---------------------------------------------------------------------------------------------
# Demo
# ---------------------------------------------------------------------------------------------
DEMO_CREATED = _dt.datetime(2019, 10, 25, 9, 0)  # the campaign's plan, after the forums and petitions


def _seed_demo_actions(conn: Connection, user: str) -> int:
    """Insert ``analysis.demo.demo_actions()`` into the series of the latest demo wave (the college).

    Created 2019-10-25 (after the October 2019 survey and forums), so the 2019 wave is their
    baseline. Returns how many were written (0 when the demo module has no actions).
    """
    import importlib

    demo = importlib.import_module("analysis.demo")  # via sys.modules: tests replace the demo module

    make = getattr(demo, "demo_actions", None)
    if make is None:
        return 0
    when = sa.func.coalesce(waves.c.fieldwork_start, waves.c.created_at)
    series_id = conn.execute(sa.select(waves.c.series_id).where(waves.c.is_demo.is_(True))
                             .order_by(when.desc(), waves.c.id.desc()).limit(1)).scalar()
    if series_id is None:
        return 0
    n = 0
    for a in make().to_dict("records"):
        target = {}
        if not _missing(a.get("target_area")) and not _missing(a.get("target_rate")):
            from analysis.actions import target_text
            from analysis.areas import area_name

            label = area_name(a["target_area"], "zh")
            target = {"target_kind": "area", "target_key": a["target_area"], "target_rate": float(a["target_rate"]),
                      "target_label": label,
                      "target_text": target_text("area", a["target_area"], label, float(a["target_rate"]), None)}
        values = _clean({
            "series_id": series_id, "problem": a["problem"], "source": a.get("source"), "area": a.get("area"),
            "measure": a.get("measure"), "owner": a.get("owner"), "department": a.get("department"),
            "deadline": a.get("deadline"), "status": a.get("status"),
            "completed_on": a.get("completed_on") if a.get("status") == "done" else None,
            "evidence": a.get("evidence"), "origin": "demo", **target,
        }, partial=False)
        _check_target(values)
        conn.execute(actions.insert().values(**values, created_at=DEMO_CREATED, created_by=user,
                                             updated_at=DEMO_CREATED, updated_by=user))
        n += 1
    _audit(conn, user, "action_import", {"n": n, "origin": "demo"})
    return n
