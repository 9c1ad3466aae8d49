"""Reading and changing stored waves (list, load, rename, delete, restore, purge)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from analysis.model import Dataset
from analysis.store.audit import _audit, _jsonable
from analysis.store.blobs import dataset_from_blobs
from analysis.store.engine import _write
from analysis.store.ingest import _clean_meta, _live_names, _unique_name
from analysis.store.schema import META_FIELDS, WAVE_COLUMNS, _now, uploads, wave_data, waves
from analysis.store.series import _sort_waves, series


def resolve_wave(engine: Engine, ref: int | str, *, include_deleted: bool = True) -> int:
    """Wave id from an id (int or digits) or a name (live waves first, then deleted ones)."""
    with engine.connect() as conn:
        text = str(ref).strip()
        if text.isdigit():
            q = sa.select(waves.c.id).where(waves.c.id == int(text))
            if not include_deleted:
                q = q.where(waves.c.deleted_at.is_(None))
            found = conn.execute(q).scalar()
            if found is not None:
                return int(found)
        rows = conn.execute(
            sa.select(waves.c.id, waves.c.deleted_at).where(waves.c.name == text).order_by(waves.c.id.desc())
        ).all()
        live = [r.id for r in rows if r.deleted_at is None]
        if live:
            return int(live[0])
        if include_deleted and rows:
            return int(rows[0].id)
    raise ValueError(f"找不到批次「{ref}」。请用 `python -m analysis waves` 查看批次编号。 No wave '{ref}'.")


def _wave_id(engine: Engine, wave_id: int | str) -> int:
    if isinstance(wave_id, int) and not isinstance(wave_id, bool):
        return wave_id
    return resolve_wave(engine, wave_id)


def list_waves(engine: Engine, *, include_deleted: bool = False) -> pd.DataFrame:
    """Waves in the store, by series, then fieldwork date (store/series.py ``_sort_waves``).

    Returns
    -------
    DataFrame with columns ``WAVE_COLUMNS``: ``id, name, unit, period, channel, distributed,
    returned, n_responses, n_valid`` (responses not flagged by screening), ``format, encoding,
    created_at, deleted_at`` (NaT unless deleted), ``files`` (the uploaded file names joined
    by ``"; "``), ``series_id, series_name`` (the survey series) and ``fieldwork_start,
    fieldwork_end`` (first/last submission, naive UTC; NaT when unknown). Series are ordered by
    their first wave; a wave without fieldwork dates is placed by its upload time.
    """
    own = [c for c in WAVE_COLUMNS if c not in ("files", "series_name")]
    q = (sa.select(*[waves.c[c] for c in own], series.c.name.label("series_name"))
         .select_from(waves.join(series, series.c.id == waves.c.series_id)).order_by(waves.c.id))
    if not include_deleted:
        q = q.where(waves.c.deleted_at.is_(None))
    with engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
        files: dict[int, list[str]] = {}
        for wid, fname in conn.execute(sa.select(uploads.c.wave_id, uploads.c.filename).order_by(uploads.c.id)):
            files.setdefault(int(wid), []).append(fname)
    df = pd.DataFrame([dict(r) for r in rows], columns=[*own, "series_name"])
    df["files"] = [("; ".join(files.get(int(i), []))) for i in df["id"]]
    for col in ("id", "n_responses", "n_valid", "series_id"):
        df[col] = df[col].astype("int64")
    for col in ("distributed", "returned"):
        df[col] = df[col].astype("Int64")
    for col in ("created_at", "deleted_at", "fieldwork_start", "fieldwork_end"):
        df[col] = pd.to_datetime(df[col])
    return _sort_waves(df[WAVE_COLUMNS])


def wave_meta(engine: Engine, wave_id: int | str) -> dict:
    """All fields of one wave (deleted ones too) plus ``files`` (list of file names)."""
    wid = _wave_id(engine, wave_id)
    with engine.connect() as conn:
        row = conn.execute(sa.select(waves).where(waves.c.id == wid)).mappings().first()
        if row is None:
            raise ValueError(f"找不到批次 #{wid}（可能已被彻底删除）。 Wave #{wid} does not exist.")
        out = dict(row)
        out["files"] = list(conn.execute(
            sa.select(uploads.c.filename).where(uploads.c.wave_id == wid).order_by(uploads.c.id)).scalars())
    return out


def wave_files(engine: Engine, wave_id: int | str) -> list[tuple[str, bytes]]:
    """The original uploaded files of a wave as ``(filename, bytes)`` (decompressed)."""
    wid = _wave_id(engine, wave_id)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(uploads.c.filename, uploads.c.bytes, uploads.c.compression, uploads.c.size)
            .where(uploads.c.wave_id == wid).order_by(uploads.c.id)
        ).all()
    out = []
    for r in rows:
        raw = bytes(r.bytes)
        if r.compression == "zstd":
            raw = pa.decompress(raw, decompressed_size=int(r.size), codec="zstd", asbytes=True)
        out.append((r.filename, raw))
    return out


def load_wave(engine: Engine, wave_id: int | str) -> Dataset:
    """The stored Dataset of a wave, identical to the one ingested.

    Answers come back as ``Int8``, respondents with their datetimes, texts, flags (lists of
    reason keys), importance, items, scales (custom ones rebuilt field by field) and attributes.
    Deleted (not purged) waves can still be loaded by id. ValueError when the wave does not exist.
    """
    wid = _wave_id(engine, wave_id)
    with engine.connect() as conn:
        row = conn.execute(sa.select(wave_data).where(wave_data.c.wave_id == wid)).mappings().first()
    if row is None:
        raise ValueError(f"找不到批次 #{wid} 的数据（可能已被彻底删除）。 No data for wave #{wid}.")
    return dataset_from_blobs(dict(row))


# ---------------------------------------------------------------------------------------------
# Changing waves
# ---------------------------------------------------------------------------------------------
def _require_wave(conn: Connection, wid: int) -> dict:
    row = conn.execute(sa.select(waves).where(waves.c.id == wid)).mappings().first()
    if row is None:
        raise ValueError(f"找不到批次 #{wid}。 Wave #{wid} does not exist.")
    return dict(row)


def update_wave_meta(engine: Engine, wave_id: int | str, *, user: str = "cli", **fields: Any) -> dict:
    """Change a wave's fields (``META_FIELDS``); returns the updated :func:`wave_meta`.

    A new name must not be used by another live wave (ValueError says so).
    """
    unknown = set(fields) - set(META_FIELDS)
    if unknown:
        raise ValueError(f"不能修改字段 {sorted(unknown)}；可改 {list(META_FIELDS)}。 Unknown wave field(s).")
    values = _clean_meta(fields)
    if "name" in fields and "name" not in values:
        raise ValueError("批次名称不能为空。 The wave name must not be empty.")
    wid = _wave_id(engine, wave_id)
    with _write(engine) as conn:
        old = _require_wave(conn, wid)
        if "name" in values and old["deleted_at"] is None and values["name"] != old["name"]:
            if values["name"] in _live_names(conn):
                raise ValueError(f"批次名「{values['name']}」已被使用，请换一个。 The name is already used by another wave.")
        if "series_id" in values and conn.execute(
                sa.select(series.c.id).where(series.c.id == values["series_id"])).first() is None:
            raise ValueError(f"找不到调查项目 #{values['series_id']}。 No series #{values['series_id']}.")
        if "screening" in values:
            values["screening"] = _jsonable(values["screening"])
        if values:
            conn.execute(waves.update().where(waves.c.id == wid)
                         .values(**values, updated_at=_now(), data_version=waves.c.data_version + 1))
            action = "rename" if set(values) == {"name"} else "update"
            _audit(conn, user, action, {k: {"old": _jsonable(old[k]), "new": _jsonable(v)} for k, v in values.items()},
                   wid)
    return wave_meta(engine, wid)


def rename_wave(engine: Engine, wave_id: int | str, name: str, *, user: str = "cli") -> dict:
    """Rename a wave (unique among live waves)."""
    return update_wave_meta(engine, wave_id, name=name, user=user)


def delete_wave(engine: Engine, wave_id: int | str, *, user: str = "cli") -> None:
    """Soft delete: hidden from :func:`list_waves`, data kept; :func:`restore_wave` brings it back."""
    wid = _wave_id(engine, wave_id)
    with _write(engine) as conn:
        old = _require_wave(conn, wid)
        if old["deleted_at"] is not None:
            return
        conn.execute(waves.update().where(waves.c.id == wid)
                     .values(deleted_at=_now(), deleted_by=user, data_version=waves.c.data_version + 1))
        _audit(conn, user, "delete", {"name": old["name"]}, wid)


def restore_wave(engine: Engine, wave_id: int | str, *, user: str = "cli") -> dict:
    """Undo :func:`delete_wave`. If a live wave took the name meanwhile, a suffix `` (2)`` is added."""
    wid = _wave_id(engine, wave_id)
    with _write(engine) as conn:
        old = _require_wave(conn, wid)
        if old["deleted_at"] is not None:
            name = _unique_name(conn, old["name"], exclude_id=wid)
            conn.execute(waves.update().where(waves.c.id == wid)
                         .values(deleted_at=None, deleted_by=None, name=name, updated_at=_now(),
                                 data_version=waves.c.data_version + 1))
            _audit(conn, user, "restore", {"name": name}, wid)
    return wave_meta(engine, wid)


def purge_wave(engine: Engine, wave_id: int | str, *, user: str = "cli") -> None:
    """Remove a wave for good: its data, its uploaded files and the wave row (the audit log stays)."""
    wid = _wave_id(engine, wave_id)
    with _write(engine) as conn:
        old = _require_wave(conn, wid)
        conn.execute(wave_data.delete().where(wave_data.c.wave_id == wid))
        conn.execute(uploads.delete().where(uploads.c.wave_id == wid))
        conn.execute(waves.delete().where(waves.c.id == wid))
        _audit(conn, user, "purge", {"name": old["name"]}, wid)

