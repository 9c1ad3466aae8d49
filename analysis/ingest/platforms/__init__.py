"""Adapters for the survey platforms besides 问卷星's text export and the generic wide table.

Importing this package registers, in ``analysis.ingest.ADAPTERS``: ``wjx_codes`` (问卷星 按选项序号),
``tencent`` (腾讯问卷), ``qualtrics``, ``surveymonkey``, ``google_forms``, ``limesurvey`` and ``kobo``.
Each ``detect`` is confident only on its own layout (distinctive header cells), and every
adapter's priority is above the generic adapter's (0).
"""

from __future__ import annotations

from . import google_forms, kobo, limesurvey, qualtrics, surveymonkey, tencent, wjx_codes

__all__ = [
    "PLATFORM_KEYS",
    "google_forms",
    "kobo",
    "limesurvey",
    "qualtrics",
    "surveymonkey",
    "tencent",
    "wjx_codes",
]

PLATFORM_KEYS: tuple[str, ...] = (
    "wjx_codes",
    "tencent",
    "qualtrics",
    "surveymonkey",
    "google_forms",
    "limesurvey",
    "kobo",
)
