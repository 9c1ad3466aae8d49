"""Storing one export as a wave: parse and code outside any transaction, then one atomic write."""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from analysis.model import Dataset
from analysis.store.audit import _audit, _jsonable
from analysis.store.blobs import _frame_blobs, dataset_to_blobs
from analysis.store.codebooks import _save_codebook, find_codebook
from analysis.store.engine import _write
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


@dataclass
class _Prepared:
    ds: Dataset
    key: str
    codebook_to_save: pd.DataFrame | None
    frames: dict[str, bytes | None] | None = None  # _frame_blobs(ds), when encoded during the parse


def _coerce_codebook(codebook: Any) -> pd.DataFrame:
    from analysis.codebook import read_codebook

    if isinstance(codebook, pd.DataFrame):
        return codebook
    return read_codebook(codebook)


def _prepare(engine: Engine, data: bytes, filename: str, codebook: Any, format: str | None,
             encoder: ThreadPoolExecutor | None = None) -> _Prepared:
    """Parse, code and screen outside any transaction (codebook.load_dataset, plus the key and the blobs).

    With an ``encoder`` thread the frames are encoded there while screening runs here: both release
    the GIL for most of their work, so on two cores the encoding leaves the wall time.
    """
    from analysis.codebook import apply_codebook, questionnaire_key
    from analysis.ingest import parse_survey
    from analysis.quality import screen

    survey = parse_survey(data, filename, format=format)
    key = questionnaire_key(survey)
    to_save = None
    if codebook is not None:
        cb = _coerce_codebook(codebook)
        to_save = cb
    else:
        cb = find_codebook(engine, key)
    ds = apply_codebook(survey, cb)  # = codebook.code_survey, with the encoding started in between
    encoding = encoder.submit(_frame_blobs, ds) if encoder is not None else None
    ds.flags = screen(ds).reset_index(drop=True)
    return _Prepared(ds=ds, key=key, codebook_to_save=to_save, frames=encoding.result() if encoding else None)


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


def _pack(data: bytes) -> bytes:
    """The original file as stored in ``uploads.bytes``: zstd (level 3), one frame per part.

    Level 3 (zstd's own default) took the same time as Arrow's default level 1 on a 351 MB
    问卷星 export (0.69 vs 0.68 s) and wrote 47 instead of 51.5 MB; level 5 took 1.8 s
    (bench/RESULTS.md, 2026-11-23). The parts (:func:`_pack_parts`) let the ingest compress a large
    file on two threads; concatenated frames decompress as one (``pa.decompress``, as zstd does).
    """
    return b"".join(_pack_part(part) for part in _pack_parts(data))


_PACK_PART = 64 * 2**20


def _pack_parts(data: bytes) -> list[memoryview]:
    """``data`` cut into parts of ``_PACK_PART`` bytes (views, no copies), each packed as one frame."""
    view = memoryview(data)
    return [view[i : i + _PACK_PART] for i in range(0, max(len(data), 1), _PACK_PART)]


def _pack_part(part: memoryview) -> bytes:
    return pa.Codec("zstd", compression_level=3).compress(part, asbytes=True)


def _insert_wave(conn: Connection, prepared: _Prepared, *, data: bytes, sha: str, filename: str, name: str,
                 meta: dict, user: str, is_demo: bool = False, packed: bytes | None = None) -> tuple[int, str]:
    """Write one prepared wave (``packed`` = ``_pack(data)`` when the caller already has it)."""
    ds = prepared.ds
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
    if packed is None:
        packed = _pack(data)
    conn.execute(
        uploads.insert().values(
            wave_id=wave_id, filename=filename, size=len(data), sha256=sha, compression="zstd", bytes=packed,
            format=ds.format, encoding=ds.encoding, uploaded_by=user, uploaded_at=now, n_rows=int(ds.n),
            result=_jsonable({"n_responses": int(ds.n), "n_valid": int(n_valid), "n_items": int(ds.answers.shape[1])}),
            warnings=[str(w) for w in ds.warnings],
        )
    )
    conn.execute(wave_data.insert().values(wave_id=wave_id, **dataset_to_blobs(ds, prepared.frames)))
    if prepared.codebook_to_save is not None:
        _save_codebook(conn, prepared.key, prepared.codebook_to_save, user)
    _audit(conn, user, "ingest", {"filename": filename, "sha256": sha, "name": name, "n_responses": int(ds.n)}, wave_id)
    return int(wave_id), name


def ingest_file(
    engine: Engine,
    data: bytes,
    filename: str,
    *,
    wave: str | None = None,
    meta: dict | None = None,
    codebook: pd.DataFrame | bytes | str | Path | None = None,
    user: str = "cli",
    format: str | None = None,
    dataset: Dataset | None = None,
    questionnaire: str | None = None,
) -> IngestResult:
    """Store one export as a new wave, atomically and at most once.

    Parameters
    ----------
    data, filename : the uploaded file (CSV / XLSX / XLS) and its name.
    wave : wave name; default ``meta["name"]`` or the file name without extension. A name already
        used by a live wave gets a suffix `` (2)``, `` (3)`` … (a warning says so).
    meta : wave fields ``unit, period, channel, distributed, returned, basic_satisfied, screening``.
    codebook : a codebook (DataFrame or CSV). It is saved for the questionnaire and reused: with
        ``codebook=None`` the codebook last saved for the same questionnaire_key is applied, else
        one is suggested automatically.
    user : who uploads (audit log).
    format : force an adapter key (see ``analysis.ingest.ADAPTERS``).
    dataset, questionnaire : the file already parsed, coded with ``codebook`` and screened —
        ``code_survey(parse_survey(data, filename), codebook)`` — and its ``questionnaire_key``, when
        the caller has them: the data page computed both for its validation report, so saving does
        not parse the file a second time (1M responses: ~2 s less). Both or neither.

    Returns
    -------
    IngestResult. The sha256 of ``data`` identifies a file: the same bytes again return
    ``created=False, duplicate_of=<wave id>`` and are never counted twice. **Restore semantics:**
    if that wave had been soft-deleted, the re-upload restores it (``restored=True``; audit action
    ``restore``) instead of creating a copy. After :func:`purge_wave` the file is unknown again
    and a re-upload makes a new wave.

    The wave, its upload, its data and the audit row are written in one transaction: a wave
    appears whole or not at all, also when the process is killed mid-write.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValueError("需要文件的字节内容（bytes）。 ingest_file expects the file's bytes.")
    if (dataset is None) != (questionnaire is None):
        raise ValueError("dataset 与 questionnaire 须同时给出。 Pass dataset and questionnaire together.")
    data = bytes(data)
    meta = _clean_meta(meta)
    # The file's sha256 and its zstd copy for ``uploads.bytes`` run on two background threads at the
    # lowest CPU priority: while pyarrow parses the file on both cores they mostly wait, and
    # afterwards, when parsing continues on one core, they have the other (at 1M rows: 0.2 s of
    # hashing and 0.7 s of compression leave the wall time). Two, so that the hash and the copy's
    # first part start together and a large file's last parts are packed on both cores once the
    # parse is done (with one thread the ingest of 1M rows waited ~0.2 s for the copy at the end).
    # The coded frames are encoded on a third thread while screening runs. The duplicate check
    # therefore follows the parse; the data page looks the file up before that.
    helper = ThreadPoolExecutor(max_workers=2, initializer=_lower_priority)
    # the frames of a parsed file: on the critical path, normal priority (a caller's dataset: below)
    encoder = ThreadPoolExecutor(max_workers=1) if dataset is None else None
    try:
        hashing = helper.submit(lambda: hashlib.sha256(data).hexdigest())
        packing = [helper.submit(_pack_part, part) for part in _pack_parts(data)]
        if dataset is not None:  # encoded here, outside the write transaction, while the helpers pack
            to_save = None if codebook is None else _coerce_codebook(codebook)
            prepared = _Prepared(ds=dataset, key=questionnaire, codebook_to_save=to_save, frames=_frame_blobs(dataset))
            error = None
        else:
            try:
                prepared, error = _prepare(engine, data, filename, codebook, format, encoder), None
            except ValueError as exc:  # a stored file is still recognised when it no longer parses on its own
                prepared, error = None, exc
        sha = hashing.result()
        with engine.connect() as conn:
            dup = _find_upload(conn, sha)
            if dup is not None and dup["deleted_at"] is None:
                return _duplicate_result(conn, dup, filename, user)
        if dup is not None:  # a deleted wave's file: restore it (needs the write lock; checked again under it)
            with _write(engine) as conn:
                dup = _find_upload(conn, sha)
                if dup is not None:
                    return _duplicate_result(conn, dup, filename, user)
        if error is not None:
            raise error
        packed = b"".join(f.result() for f in packing)
    finally:  # a duplicate or a parse error leaves without waiting for the compression
        helper.shutdown(wait=False, cancel_futures=True)
        if encoder is not None:
            encoder.shutdown(wait=False)
    name = (wave or "").strip() or meta.get("name") or Path(filename).stem.strip() or "批次 wave"
    with _write(engine, checkpoint_later=True) as conn:
        dup = _find_upload(conn, sha)  # another writer may have stored it while we parsed
        if dup is not None:
            return _duplicate_result(conn, dup, filename, user)
        wave_id, final = _insert_wave(conn, prepared, data=data, sha=sha, filename=filename, name=name, meta=meta,
                                      user=user, packed=packed)
    warnings = list(prepared.ds.warnings)
    if final != name:
        warnings.append(f"批次名「{name}」已存在，已命名为「{final}」。 Wave name '{name}' exists; saved as '{final}'.")
    return IngestResult(wave_id=wave_id, created=True, duplicate_of=None, n_responses=int(prepared.ds.n),
                        warnings=warnings, name=final)

def stored_as(engine: Engine, data: bytes, filename: str) -> IngestResult | None:
    """What :func:`ingest_file` returns for a file already stored in a live wave, without parsing it.

    ``ingest_file`` hashes the file while it parses (so a new file pays nothing for the check);
    a caller that expects repeats — the CLI run twice over the same export — asks here first:
    0.2 s of hashing for a 1M-response file instead of ~2 s of parsing. None for a new file and
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

