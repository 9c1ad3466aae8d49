"""Persistence: waves, their original files, codebooks, coded answers, users and the audit log.

The only module that talks SQL (SQLAlchemy 2 Core). Two back ends:

- **SQLite** (default): the file ``data/survey.db`` under the repository root, WAL journal (many
  readers beside one writer) and a 30 s busy timeout, set by PRAGMAs on every connection. Write
  transactions start with ``BEGIN IMMEDIATE`` so two writers queue on the busy timeout instead of
  failing half-way with "database is locked".
- **PostgreSQL**: ``SURVEY_DB_URL=postgresql+psycopg://user@host/db`` (psycopg 3), for shared
  deployments where several app replicas serve one department.

The schema is created and upgraded by the Alembic migrations in ``alembic/`` whenever
:func:`get_engine` opens a store; the upgrade runs inside one transaction holding a lock
(``BEGIN IMMEDIATE`` on SQLite, ``pg_advisory_xact_lock`` on PostgreSQL), so two processes starting
at once migrate exactly once.

Storage of a wave (DESIGN.md "Data model"): the Likert answer matrix is one Arrow IPC file (zstd
buffers; waves stored before 2026-11-23 hold Parquet, which still loads), the respondent table, the
open answers, the screening flags and stated importance are each one Parquet blob (pyarrow, zstd) in
``wave_data``; items, scales (custom scales too, field by field) and attribute names are JSON. A
1,000,000 × 30 wave loads in about 0.2 s this way (bench/RESULTS.md); one SQL row per answer would
be 30 M rows and tens of seconds. The original file is kept in ``uploads.bytes`` (zstd-compressed,
``compression`` column) so every wave can be traced back to what was uploaded.

Every change goes through one write transaction that also bumps ``store_state.data_version``
(the cache key of the UI) and writes an ``audit_log`` row naming the user.

Modules by role: ``schema`` (tables), ``engine`` (engines, migrations, the write transaction,
data version), ``blobs`` (Dataset <-> wave_data row), ``ingest`` (a file becomes a wave),
``wave_ops`` (read and change waves), ``codebooks``, ``audit``, ``demo`` (first-run seeding).
New features add their own module here (their tables on ``schema.metadata``) and re-export
their public functions below.
"""

from __future__ import annotations

from analysis.store.access import (
    change_password,
    create_link,
    create_session,
    create_ticket,
    end_session,
    end_user_sessions,
    get_scopes,
    list_accounts,
    list_links,
    open_link,
    redeem_ticket,
    revoke_link,
    session_user,
    set_disabled,
    set_role,
    set_scopes,
)
from analysis.store.actions import (
    ACTION_COLUMNS,
    actions,
    add_action,
    delete_action,
    get_action,
    import_actions,
    list_actions,
    restore_action,
    series_catalog,
    set_action_status,
    update_action,
    verification_waves,
    verify_actions,
)
from analysis.store.audit import audit, list_audit
from analysis.store.blobs import dataset_from_blobs, dataset_to_blobs
from analysis.store.codebooks import find_codebook, save_codebook
from analysis.store.demo import ensure_demo
from analysis.store.engine import close_engine, data_version, default_url, get_engine
from analysis.store.feedback import (  # feedback records (issue 13)
    FEEDBACK_COLUMNS,
    FeedbackImportResult,
    add_feedback,
    add_lexicon_word,
    feedback_lexicon_words,
    find_feedback_file,
    import_feedback,
    link_feedback_action,
    list_feedback,
    remove_lexicon_word,
    retag_feedback,
    store_lexicon,
    update_feedback,
)
from analysis.store.ingest import IngestResult, find_upload, ingest_file, stored_as
from analysis.store.provenance import UPLOAD_COLUMNS, wave_uploads  # issue 15: report provenance
from analysis.store.schema import (
    AUDIT_COLUMNS,
    DEFAULT_DB_PATH,
    META_FIELDS,
    WAVE_COLUMNS,
    audit_log,
    codebooks,
    login_attempts,
    metadata,
    store_state,
    uploads,
    users,
    wave_data,
    waves,
)
from analysis.store.series import (
    SERIES_COLUMNS,
    create_series,
    list_series,
    rename_series,
    series,
    series_waves,
    suggest_series,
)
from analysis.store.settings import get_setting, get_settings, set_setting, settings  # issue 10
from analysis.store.wave_ops import (
    delete_wave,
    list_waves,
    load_wave,
    purge_wave,
    rename_wave,
    resolve_wave,
    restore_wave,
    update_wave_meta,
    wave_files,
    wave_meta,
)

__all__ = [
    "DEFAULT_DB_PATH",
    "WAVE_COLUMNS",
    "AUDIT_COLUMNS",
    "META_FIELDS",
    "IngestResult",
    "get_engine",
    "close_engine",
    "default_url",
    "ingest_file",
    "list_waves",
    "load_wave",
    "wave_meta",
    "wave_files",
    "wave_uploads",
    "UPLOAD_COLUMNS",
    "resolve_wave",
    "rename_wave",
    "update_wave_meta",
    "delete_wave",
    "restore_wave",
    "purge_wave",
    "save_codebook",
    "find_codebook",
    "find_upload",
    "audit",
    "list_audit",
    "data_version",
    "ensure_demo",
    "dataset_to_blobs",
    "dataset_from_blobs",
    "stored_as",
    "metadata",
    "store_state",
    "waves",
    "uploads",
    "codebooks",
    "wave_data",
    "users",
    "login_attempts",
    "audit_log",
    # survey series (issue 12)
    "SERIES_COLUMNS",
    "series",
    "list_series",
    "series_waves",
    "suggest_series",
    "create_series",
    "rename_series",
    # corrective actions (issue 14)
    "ACTION_COLUMNS",
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
    "verify_actions",
    # feedback records (issue 13)
    "FEEDBACK_COLUMNS", "FeedbackImportResult", "add_feedback", "add_lexicon_word", "feedback_lexicon_words",
    "find_feedback_file", "import_feedback", "link_feedback_action", "list_feedback", "remove_lexicon_word",
    "retag_feedback", "store_lexicon", "update_feedback",
    # issue 10: deployment settings
    "settings",
    "get_setting",
    "get_settings",
    "set_setting",
    # access (issue 16)
    "create_link", "list_links", "revoke_link", "open_link", "create_session", "session_user", "end_session",
    "create_ticket", "redeem_ticket",
    "end_user_sessions", "change_password", "set_role", "set_disabled", "set_scopes", "get_scopes", "list_accounts",
]
