"""A Dataset as the blobs of one ``wave_data`` row and back (Arrow IPC / Parquet, zstd; JSON for small parts)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.model import RESPONDENT_COLUMNS, Dataset
from analysis.scales import Scale


def _frame_to_parquet(df: pd.DataFrame, *, dictionary: list[str] | None = None) -> bytes:
    """A frame as Parquet (zstd). ``dictionary`` limits dictionary encoding to those columns.

    No column statistics are written: a stored frame is always read whole, and computing min/max
    of every string column was a fifth of the write (bench/RESULTS.md, "Fast paths").
    """
    table = pa.Table.from_pandas(df, preserve_index=False)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", use_dictionary=True if dictionary is None else dictionary,
                   write_statistics=False)
    return sink.getvalue().to_pybytes()


# Respondent columns with (nearly) one value per row: Parquet's dictionary encoding is tried on them
# and abandoned once the dictionary outgrows its page — wasted work, and a larger blob without it
# on these columns (bench/RESULTS.md, "Fast paths").
_UNIQUE_PER_ROW = frozenset(RESPONDENT_COLUMNS) - {"group"}


def _frame_to_ipc(df: pd.DataFrame) -> bytes:
    """An Arrow IPC file (zstd-compressed buffers): used for the answer matrix.

    Written several times faster than Parquet at about the same size, and read back faster;
    Parquet's dictionary and RLE encodings gain nothing on 1-byte codes that zstd does not
    (bench/RESULTS.md, "Fast paths").
    """
    table = pa.Table.from_pandas(df, preserve_index=False)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema, options=pa.ipc.IpcWriteOptions(compression="zstd")) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _blob_to_frame(blob: bytes, n_rows: int | None = None) -> pd.DataFrame:
    """A stored frame back: Parquet, or an Arrow IPC file (:func:`_frame_to_ipc`, told by its magic)."""
    if bytes(blob[:6]) == b"ARROW1":
        table = pa.ipc.open_file(pa.BufferReader(blob)).read_all()
    else:
        table = pq.read_table(pa.BufferReader(blob))
    if table.num_columns == 0:
        return pd.DataFrame(index=pd.RangeIndex(n_rows or 0))
    lists = [f.name for f in table.schema if pa.types.is_list(f.type) or pa.types.is_large_list(f.type)]
    df = table.to_pandas()
    for name in lists:  # Arrow gives numpy arrays; the model's contract is Python lists of str
        df[name] = pd.Series(table.column(name).to_pylist(), index=df.index, dtype=object)
    return df


def _frame_to_json(df: pd.DataFrame) -> dict:
    """Small frame (items) as JSON: column order, dtypes and values (NA → null)."""
    data = {}
    for col in df.columns:
        values = df[col].astype(object).where(df[col].notna(), None).tolist()
        data[str(col)] = [v.item() if hasattr(v, "item") else v for v in values]
    return {"columns": [str(c) for c in df.columns], "dtypes": {str(c): str(df[c].dtype) for c in df.columns},
            "data": data}


def _json_to_frame(obj: dict) -> pd.DataFrame:
    cols = {}
    for col in obj["columns"]:
        values, dtype = obj["data"][col], obj["dtypes"][col]
        try:
            cols[col] = pd.Series(values, dtype=dtype)
        except (TypeError, ValueError):
            cols[col] = pd.Series(values, dtype=object)
    return pd.DataFrame(cols, columns=obj["columns"])


def _scale_to_json(scale: Scale) -> dict:
    out = dataclasses.asdict(scale)
    out["labels"] = list(scale.labels)
    return out


def _scale_from_json(obj: dict) -> Scale:
    kwargs = {f.name: obj[f.name] for f in dataclasses.fields(Scale) if f.name in obj}
    kwargs["labels"] = tuple(kwargs.get("labels", ()))
    kwargs["aliases"] = dict(kwargs.get("aliases") or {})
    return Scale(**kwargs)


def _frame_blobs(ds: Dataset) -> dict[str, bytes | None]:
    """The blobs of the frames screening does not change: answers (Arrow IPC), respondents, texts, importance."""
    return {
        "answers": _frame_to_ipc(ds.answers),
        "respondents": _frame_to_parquet(
            ds.respondents, dictionary=[c for c in ds.respondents.columns if c not in _UNIQUE_PER_ROW]),
        "texts": _frame_to_parquet(ds.texts),
        "importance": None if ds.importance is None else _frame_to_parquet(ds.importance),
    }


def dataset_to_blobs(ds: Dataset, frames: dict[str, bytes | None] | None = None) -> dict[str, Any]:
    """The ``wave_data`` row of a Dataset: binary blobs (zstd) for the frames, JSON for the rest.

    ``frames`` = :func:`_frame_blobs` of ``ds`` when the caller encoded them already (the ingest
    does so on its background thread while screening runs).
    """
    if frames is None:
        frames = _frame_blobs(ds)
    return {
        **frames,
        "flags": _frame_to_parquet(ds.flags),
        "items": _frame_to_json(ds.items),
        "scales": {key: _scale_to_json(s) for key, s in ds.scales.items()},
        "attributes": list(ds.attributes),
        "warnings": [str(w) for w in ds.warnings],
        "meta": {
            "format": ds.format, "encoding": ds.encoding, "n": int(len(ds.respondents)),
            "n_answers": int(len(ds.answers)), "n_texts": int(len(ds.texts)),
            "n_importance": None if ds.importance is None else int(len(ds.importance)),
        },
    }


def dataset_from_blobs(row: dict[str, Any]) -> Dataset:
    """Inverse of :func:`dataset_to_blobs`."""
    meta = row["meta"] or {}
    return Dataset(
        answers=_blob_to_frame(row["answers"], meta.get("n_answers")),
        items=_json_to_frame(row["items"]),
        respondents=_blob_to_frame(row["respondents"], meta.get("n")),
        attributes=list(row["attributes"]),
        texts=_blob_to_frame(row["texts"], meta.get("n_texts")),
        scales={key: _scale_from_json(s) for key, s in row["scales"].items()},
        flags=_blob_to_frame(row["flags"], 0),
        importance=None if row["importance"] is None else _blob_to_frame(row["importance"], meta.get("n_importance")),
        format=meta.get("format", ""),
        encoding=meta.get("encoding", ""),
        warnings=list(row["warnings"]),
    )

