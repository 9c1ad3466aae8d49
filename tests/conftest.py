"""Shared test set-up: the repo root on sys.path; tests never write the real data/survey.db."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# A session-wide throwaway SQLite store unless a test sets its own (keeps data/survey.db untouched).
if "SURVEY_DB_URL" not in os.environ:
    _tmp = tempfile.mkdtemp(prefix="survey-tests-")
    os.environ["SURVEY_DB_URL"] = f"sqlite:///{_tmp}/test.db"

# Tests see Streamlit's own exception display; the app's last-resort handler (ui.frame, issue 10)
# would otherwise turn every error into a short message that `at.exception` does not list.
os.environ.setdefault("SURVEY_SHOW_TRACEBACKS", "1")
