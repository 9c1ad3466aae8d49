"""Storing one export as a wave: prepared outside any transaction (analysis.prepare), then one atomic write."""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from analysis.model import Dataset
from analysis.prepare import PreparedWave, prepare_wave
from analysis.store.audit import _audit, _jsonable
from analysis.store.blobs import _frame_blobs, dataset_to_blobs
from analysis.store.codebooks import _save_codebook, find_codebook
from analysis.store.engine import _write
from analysis.store.feedback import WaveRecords, _store_wave_records, wave_records
from analysis.store.schema import META_FIELDS, _now, uploads, wave_data, waves
from analysis.store.series import _clean_series_meta, _series_values


@dataclass
class IngestResult:
    """Outcome of :func:`ingest_file`.

    ``created`` is False when the same bytes were stored before (``duplicate_of`` = that wave);
    ``restored`` is True when that wave had been deleted and the re-upload brought it back.
    """

    wave_id: int
    created: bool
    duplicate_of: int | None
    n_responses: int
    warnings: list[str] = field(default_factory=list)
    restored: bool = False
    name: str = ""


def _n_flagged(ds: Dataset) -> int:
    if ds.flags is None or not len(ds.flags) or "row" not in ds.flags.columns:
        return 0
    flags = ds.flags
    if "reasons" in flags.columns:
        flags = flags[flags["reasons"].map(lambda r: r is None or len(r) > 0)]
    return int(flags["row"].nunique())


def _live_names(conn: Connection) -> set[str]:
    return set(conn.execute(sa.select(waves.c.name).where(waves.c.deleted_at.is_(None))).scalars())


def _unique_name(conn: Connection, name: str, *, exclude_id: int | None = None) -> str:
    q = sa.select(waves.c.name).where(waves.c.deleted_at.is_(None))
    if exclude_id is not None:
        q = q.where(waves.c.id != exclude_id)
    taken = set(conn.execute(q).scalars())
    if name not in taken:
        return name
    i = 2
    while f"{name} ({i})" in taken:
        i += 1
    return f"{name} ({i})"


def _clean_meta(meta: dict | None) -> dict:
    meta = dict(meta or {})
    out = {k: meta[k] for k in META_FIELDS if k in meta and meta[k] is not None}
    for k in ("distributed", "returned"):
        if k in out:
            try:
                out[k] = int(out[k])
            except (TypeError, ValueError):
                raise ValueError(f"{k} 须为整数（问卷数）: '{out[k]}'. '{k}' must be a whole number.") from None
            if out[k] < 0:
                raise ValueError(f"{k} 不能为负数: {out[k]}. '{k}' must not be negative.")
    if "basic_satisfied" in out:
        out["basic_satisfied"] = bool(out["basic_satisfied"])
    if "name" in out:
        out["name"] = str(out["name"]).strip()
        if not out["name"]:
            raise ValueError("批次名称不能为空。 The wave name must not be empty.")
    for k in ("unit", "period", "channel"):
        if k in out:
            out[k] = str(out[k])
    out.update(_clean_series_meta(meta))
    return out


def _find_upload(conn: Connection, sha: str) -> dict | None:
    row = conn.execute(
        sa.select(uploads.c.wave_id, waves.c.deleted_at, waves.c.n_responses, waves.c.name)
        .join(waves, waves.c.id == uploads.c.wave_id)
        .where(uploads.c.sha256 == sha)
    ).mappings().first()
    return dict(row) if row else None


def _duplicate_result(conn: Connection, dup: dict, filename: str, user: str) -> IngestResult:
    """Same bytes again: never a second wave. A deleted wave is restored (see ingest_file)."""
    wave_id = int(dup["wave_id"])
    restored = False
    name = dup["name"]
    warnings = [f"该文件已导入过（批次 #{wave_id}「{name}」），未重复计入。 This file was already ingested as wave #{wave_id}."]
    if dup["deleted_at"] is not None:
        name = _unique_name(conn, name, exclude_id=wave_id)
        conn.execute(
            waves.update().where(waves.c.id == wave_id)
            .values(deleted_at=None, deleted_by=None, name=name, updated_at=_now(), data_version=waves.c.data_version + 1)
        )
        _audit(conn, user, "restore", {"reason": "re-uploaded", "filename": filename, "name": name}, wave_id)
        restored = True
        warnings = [f"该文件属于已删除的批次 #{wave_id}，已恢复该批次。 The file belonged to deleted wave #{wave_id}; it was restored."]
    return IngestResult(wave_id=wave_id, created=False, duplicate_of=wave_id, n_responses=int(dup["n_responses"]),
                        warnings=warnings, restored=restored, name=name)


def _lower_priority() -> None:
    """Give the calling thread the lowest CPU priority (Linux: ``setpriority`` acts per thread).

    Elsewhere a thread id is not a valid ``setpriority`` target, so nothing is changed there.
    """
    if sys.platform.startswith("linux"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        except OSError:
            pass


_PACK_PART = 64 * 2**20


def _pack_parts(data: bytes) -> list[memoryview]:
    """``data`` cut into parts of ``_PACK_PART`` bytes (views, no copies), each packed as one frame."""
    view = memoryview(data)
    return [view[i : i + _PACK_PART] for i in range(0, max(len(data), 1), _PACK_PART)]


def _pack_part(part: memoryview) -> bytes:
    return pa.Codec("zstd", compression_level=3).compress(part, asbytes=True)


def _pack(data: bytes) -> bytes:
    """The original file as stored in ``uploads.bytes``: zstd (level 3), one frame per part of
    ``_PACK_PART`` bytes (concatenated frames decompress as one, ``pa.decompress``, as zstd does)."""
    return b"".join(_pack_part(part) for part in _pack_parts(data))


class _FileWork:
    """The work on the file's bytes that does not need the parse, done beside it.

    The sha256 (which identifies the file) and the zstd copy for ``uploads.bytes`` run on two
    background threads at the lowest CPU priority: while pyarrow parses on both cores they mostly
    wait, afterwards they take the idle core; two, so that a large file's parts are packed on both
    cores once the parse is done. :meth:`encode` encodes a coded Dataset's frames on a third thread
    at normal priority (they are on the critical path) while the caller screens. Leaving the
    ``with`` block does not wait for work still running (a duplicate or an unreadable file leaves
    at once). Timings: bench/RESULTS.md.
    """

    def __init__(self, data: bytes):
        self._helpers = ThreadPoolExecutor(max_workers=2, initializer=_lower_priority)
        self._encoder = ThreadPoolExecutor(max_workers=1)
        self._sha = self._helpers.submit(lambda: hashlib.sha256(data).hexdigest())
        self._parts = [self._helpers.submit(_pack_part, part) for part in _pack_parts(data)]
        self._frames = None

    def __enter__(self) -> _FileWork:
        return self

    def __exit__(self, *exc) -> None:
        self._helpers.shutdown(wait=False, cancel_futures=True)
        self._encoder.shutdown(wait=False)

    def encode(self, ds: Dataset) -> None:
        self._frames = self._encoder.submit(_frame_blobs, ds)

    def sha256(self) -> str:
        return self._sha.result()

    def packed(self) -> bytes:
        return b"".join(f.result() for f in self._parts)

    def frames(self) -> dict[str, bytes | None] | None:
        return None if self._frames is None else self._frames.result()


def _insert_wave(conn: Connection, prepared: PreparedWave, *, sha: str, name: str, meta: dict, user: str,
                 is_demo: bool = False, packed: bytes | None = None,
                 frames: dict[str, bytes | None] | None = None, records: WaveRecords | None = None) -> tuple[int, str]:
    """Write one prepared wave inside the caller's write transaction: the wave row, its upload (the
    original, zstd), its data blobs, the codebook it was coded with (when the caller gave one) and
    the audit row, and the feedback records of its open answers. Returns the wave id and its final
    name (suffixed when taken).

    ``packed`` = ``_pack(prepared.data)``, ``frames`` = ``_frame_blobs(prepared.dataset)`` and
    ``records`` = ``store.feedback.wave_records(engine, prepared.dataset)`` when the caller
    already has them (the records are analysed here otherwise, or when the lexicon changed since).
    """
    ds, data, filename = prepared.dataset, prepared.data, prepared.filename
    now = _now()
    name = _unique_name(conn, name)
    n_valid = ds.n - _n_flagged(ds)
    wave_id = conn.execute(
        waves.insert().values(
            name=name, unit=meta.get("unit"), period=meta.get("period"), channel=meta.get("channel"),
            distributed=meta.get("distributed"), returned=meta.get("returned"),
            screening=_jsonable(meta.get("screening")) if meta.get("screening") is not None else None,
            basic_satisfied=bool(meta.get("basic_satisfied", False)), questionnaire_key=prepared.key,
            format=ds.format, encoding=ds.encoding, n_responses=int(ds.n), n_valid=int(n_valid),
            is_demo=is_demo, data_version=1, created_at=now, created_by=user, updated_at=now,
            **_series_values(conn, key=prepared.key, meta=meta, respondents=ds.respondents, name=name, user=user),
        ).returning(waves.c.id)
    ).scalar_one()
    conn.execute(
        uploads.insert().values(
            wave_id=wave_id, filename=filename, size=len(data), sha256=sha, compression="zstd",
            bytes=packed if packed is not None else _pack(data),
            format=ds.format, encoding=ds.encoding, uploaded_by=user, uploaded_at=now, n_rows=int(ds.n),
            result=_jsonable({"n_responses": int(ds.n), "n_valid": int(n_valid), "n_items": int(ds.answers.shape[1])}),
            warnings=[str(w) for w in ds.warnings],
        )
    )
    conn.execute(wave_data.insert().values(wave_id=wave_id, **dataset_to_blobs(ds, frames)))
    _store_wave_records(conn, wave_id, ds, meta, records, user=user, is_demo=is_demo)  # open answers → records
    if prepared.save_codebook:
        _save_codebook(conn, prepared.key, prepared.codebook, user)
    _audit(conn, user, "ingest", {"filename": filename, "sha256": sha, "name": name, "n_responses": int(ds.n)}, wave_id)
    return int(wave_id), name


def _known_file(engine: Engine, sha: str, filename: str, user: str) -> IngestResult | None:
    """Ingest's answer for a file stored before (a deleted wave's file restores that wave), else None."""
    with engine.connect() as conn:
        dup = _find_upload(conn, sha)
        if dup is not None and dup["deleted_at"] is None:
            return _duplicate_result(conn, dup, filename, user)
    if dup is None:
        return None
    with _write(engine) as conn:  # restoring needs the write lock; checked again under it
        dup = _find_upload(conn, sha)
        return None if dup is None else _duplicate_result(conn, dup, filename, user)


def ingest_file(
    engine: Engine,
    data: bytes | PreparedWave,
    filename: str | None = None,
    *,
    wave: str | None = None,
    meta: dict | None = None,
    codebook: pd.DataFrame | bytes | str | Path | None = None,
    user: str = "cli",
    format: str | None = None,
    records: WaveRecords | None = None,
) -> IngestResult:
    """Store one export as a new wave, atomically and at most once.

    Parameters
    ----------
    data, filename : the uploaded file (CSV / XLSX / XLS) and its name — or a
        :class:`~analysis.prepare.PreparedWave` (the data page prepared it for its validation report;
        ``filename`` then defaults to its own, and ``codebook``/``format`` are already part of it).
    wave : wave name; default ``meta["name"]`` or the file name without extension. A name already
        used by a live wave gets a suffix `` (2)``, `` (3)`` … (a warning says so).
    meta : wave fields ``unit, period, channel, distributed, returned, basic_satisfied, screening``.
    codebook : a codebook (DataFrame or CSV). It is saved for the questionnaire and reused: with
        ``codebook=None`` the codebook last saved for the same questionnaire_key is applied, else
        one is suggested automatically (``analysis.prepare.prepare_wave``).
    user : who uploads (audit log).
    format : force an adapter key (see ``analysis.ingest.ADAPTERS``).
    records : with a prepared wave, its open answers already analysed
        (``store.feedback.wave_records(engine, prepared.dataset)``, e.g. while the data page showed
        its validation report); analysed here otherwise (and again if the lexicon changed since).

    Returns
    -------
    IngestResult. The sha256 of the file identifies it: the same bytes again return
    ``created=False, duplicate_of=<wave id>`` and are never counted twice. **Restore semantics:**
    if that wave had been soft-deleted, the re-upload restores it (``restored=True``; audit action
    ``restore``) instead of creating a copy. After :func:`purge_wave` the file is unknown again
    and a re-upload makes a new wave.

    The file is prepared outside any transaction (while :class:`_FileWork` hashes and compresses it),
    and so are the feedback records of its open answers (masked and analysed); the wave, its upload,
    its data, its records and the audit row are then written in one transaction
    (:func:`_insert_wave`): a wave appears whole or not at all, also when the process is killed
    mid-write. A file stored before is recognised from its sha256 even when it no longer parses on
    its own; the duplicate check follows the parse (the data page looks the file up before that).
    """
    prepared = data if isinstance(data, PreparedWave) else None
    if prepared is not None:
        if codebook is not None or format is not None:
            raise ValueError("预处理过的批次已含编码表和格式。 A prepared wave already has its codebook and format.")
        raw, filename = prepared.data, filename or prepared.filename
    elif isinstance(data, (bytes, bytearray, memoryview)):
        if records is not None:
            raise ValueError("分析好的意见记录须与预处理过的批次一起传入。 records= goes with a prepared wave.")
        raw, filename = bytes(data), filename or ""
    else:
        raise ValueError("需要文件的字节内容（bytes）。 ingest_file expects the file's bytes.")
    meta = _clean_meta(meta)
    error = None
    with _FileWork(raw) as work:
        if prepared is None:
            try:
                prepared = prepare_wave(raw, filename, codebook, format=format,
                                        saved=lambda key: find_codebook(engine, key), coded=work.encode)
            except ValueError as exc:  # a stored file is still recognised when it no longer parses on its own
                error = exc
        else:
            work.encode(prepared.dataset)
        sha = work.sha256()
        known = _known_file(engine, sha, filename, user)
        if known is not None:
            return known
        if error is not None:
            raise error
        if records is None:
            records = wave_records(engine, prepared.dataset)  # while the zstd copy finishes
        packed, frames = work.packed(), work.frames()
    name = (wave or "").strip() or meta.get("name") or Path(filename).stem.strip() or "批次 wave"
    with _write(engine, checkpoint_later=True) as conn:
        dup = _find_upload(conn, sha)  # another writer may have stored it while we parsed
        if dup is not None:
            return _duplicate_result(conn, dup, filename, user)
        wave_id, final = _insert_wave(conn, prepared, sha=sha, name=name, meta=meta, user=user,
                                      packed=packed, frames=frames, records=records)
    warnings = prepared.warnings
    if final != name:
        warnings.append(f"批次名「{name}」已存在，已命名为「{final}」。 Wave name '{name}' exists; saved as '{final}'.")
    return IngestResult(wave_id=wave_id, created=True, duplicate_of=None, n_responses=prepared.n_responses,
                        warnings=warnings, name=final)


def stored_as(engine: Engine, data: bytes, filename: str) -> IngestResult | None:
    """What :func:`ingest_file` returns for a file already stored in a live wave, without parsing it.

    ``ingest_file`` hashes the file while it parses (so a new file pays nothing for the check);
    a caller that expects repeats — the CLI run twice over the same export — asks here first:
    hashing a file costs a tenth of parsing it (bench/RESULTS.md). None for a new file and
    for a deleted wave's file (``ingest_file`` restores that wave, which is a write).
    """
    with engine.connect() as conn:
        dup = _find_upload(conn, hashlib.sha256(data).hexdigest())
        if dup is None or dup["deleted_at"] is not None:
            return None
        return _duplicate_result(conn, dup, filename, user="")  # a live wave: nothing is written


def find_upload(engine: Engine, sha256: str) -> dict | None:
    """The wave a file with this sha256 was ingested into (``wave_id, name, deleted_at, n_responses``), or None."""
    with engine.connect() as conn:
        return _find_upload(conn, sha256)

