"""Where a wave came from: its uploaded files' names, hashes, uploader and time (never their bytes).

Reports print this beside every figure (DESIGN.md "Reports"); the bytes themselves are
``wave_ops.wave_files``.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from analysis.store.schema import uploads
from analysis.store.wave_ops import _wave_id

__all__ = ["UPLOAD_COLUMNS", "wave_uploads"]

UPLOAD_COLUMNS = ["filename", "size", "sha256", "format", "encoding", "uploaded_by", "uploaded_at"]


def wave_uploads(engine: Engine, wave_id: int | str) -> pd.DataFrame:
    """The uploaded files of a wave without their bytes, in upload order.

    Returns
    -------
    DataFrame ``UPLOAD_COLUMNS``: ``filename, size, sha256, format, encoding, uploaded_by,
    uploaded_at`` (naive UTC datetime), one row per file.
    """
    wid = _wave_id(engine, wave_id)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(*[uploads.c[c] for c in UPLOAD_COLUMNS]).where(uploads.c.wave_id == wid).order_by(uploads.c.id)
        ).mappings().all()
    df = pd.DataFrame([dict(r) for r in rows], columns=UPLOAD_COLUMNS)
    df["uploaded_at"] = pd.to_datetime(df["uploaded_at"])
    return df
