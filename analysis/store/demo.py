"""Seeding a new store with the demo waves, exactly once."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from analysis.prepare import PreparedWave, prepare_wave
from analysis.store.codebooks import find_codebook
from analysis.store.engine import _write
from analysis.store.ingest import _clean_meta, _find_upload, _insert_wave
from analysis.store.schema import store_state, waves


def ensure_demo(engine: Engine, *, user: str = "demo") -> bool:
    """Fill a store that has never held a wave with the demo waves (``analysis.demo.demo_waves``).

    Returns True when the demo was written. Runs once per store: the ``demo_seeded`` flag is set
    the first time this runs (or finds waves), so demo waves a manager deleted or purged do not
    come back. The check and the inserts share one write transaction, so two app processes
    starting at once seed the demo exactly once.
    """
    with engine.connect() as conn:
        seeded = conn.execute(sa.select(store_state.c.demo_seeded)).scalar()
        if seeded:
            return False
        has_waves = conn.execute(sa.select(sa.func.count()).select_from(waves)).scalar() > 0
    prepared: list[tuple[Any, PreparedWave, str]] = []
    if not has_waves:
        from analysis.demo import demo_waves

        for dw in demo_waves():
            prep = prepare_wave(dw.data, dw.filename, saved=lambda key: find_codebook(engine, key))
            prepared.append((dw, prep, hashlib.sha256(dw.data).hexdigest()))
    with _write(engine, bump=bool(prepared)) as conn:
        state = conn.execute(sa.select(store_state.c.demo_seeded)).scalar()
        any_wave = conn.execute(sa.select(sa.func.count()).select_from(waves)).scalar() > 0
        conn.execute(store_state.update().values(demo_seeded=True))
        if state or any_wave or not prepared:
            return False
        for dw, prep, sha in prepared:
            if _find_upload(conn, sha) is not None:
                continue
            meta = _clean_meta(getattr(dw, "meta", {}) or {})
            name = meta.get("name") or Path(dw.filename).stem
            _insert_wave(conn, prep, sha=sha, name=name, meta=meta, user=user, is_demo=True)
        from analysis.store.actions import _seed_demo_actions

        _seed_demo_actions(conn, user)  # the demo's 整改台账, verified against these waves
        from analysis.store.feedback import seed_demo_feedback

        seed_demo_feedback(conn, user=user)  # the 2019 campaign's interview and petition records
    return True


