"""Saved codebooks, one per questionnaire key (reused for the next upload of the same questionnaire)."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from analysis.store.audit import _audit
from analysis.store.engine import _write
from analysis.store.schema import _now, codebooks


def _codebook_csv(df: pd.DataFrame) -> str:
    from analysis.codebook import codebook_to_csv

    return codebook_to_csv(df)


def _save_codebook(conn: Connection, key: str, df: pd.DataFrame, user: str) -> None:
    csv_text = _codebook_csv(df)
    conn.execute(codebooks.delete().where(codebooks.c.key == key))
    conn.execute(codebooks.insert().values(key=key, csv=csv_text, updated_at=_now(), updated_by=user))
    _audit(conn, user, "save_codebook", {"key": key, "rows": int(len(df))})


def save_codebook(engine: Engine, key: str, df: pd.DataFrame, *, user: str = "cli") -> None:
    """Save (replace) the codebook of a questionnaire (``analysis.codebook.questionnaire_key``)."""
    if not key:
        raise ValueError("问卷标识为空。 The questionnaire key must not be empty.")
    with _write(engine, bump=False) as conn:
        _save_codebook(conn, key, df, user)


def find_codebook(engine: Engine, key: str) -> pd.DataFrame | None:
    """The codebook saved for a questionnaire key, or None."""
    with engine.connect() as conn:
        text = conn.execute(sa.select(codebooks.c.csv).where(codebooks.c.key == key)).scalar()
    if text is None:
        return None
    from analysis.codebook import read_codebook

    return read_codebook(text)

