"""From an uploaded file to a wave ready to store: parse, codebook, code, screen — once, in this order.

``prepare_wave`` is the one path every caller takes (the CLI's ``ingest`` through ``store.ingest_file``,
the demo seeding, the data page): read and parse the file (analysis.ingest), find its questionnaire
key and codebook (the caller's, else the one saved for the questionnaire, else the suggestion;
analysis.codebook), code it (analysis.coding) and screen it (analysis.quality). The store then
writes the :class:`PreparedWave` as it is (``store.ingest_file``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.codebook import questionnaire_key, read_codebook, suggest_codebook
from analysis.coding import code_wave
from analysis.factors import Factors
from analysis.ingest import parse_survey
from analysis.model import Dataset, Survey

__all__ = ["PreparedWave", "prepare_wave"]


@dataclass
class PreparedWave:
    """One export parsed, coded and screened, with what the store keeps beside it.

    Attributes
    ----------
    data, filename : the file as uploaded.
    survey : the parsed export (analysis.model.Survey); None for a Dataset built by hand.
    key : its ``questionnaire_key`` (same questionnaire → same key).
    codebook : the codebook the answers were coded with (complete: one row per column).
    save_codebook : the caller gave that codebook, so the store saves it for ``key``.
    dataset : the coded Dataset with its screening ``flags``.
    unknown : the cells whose answer is off the item's scale (``row, column, value``).
    """

    data: bytes
    filename: str
    survey: Survey | None
    key: str
    codebook: pd.DataFrame
    save_codebook: bool
    dataset: Dataset
    unknown: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def n_responses(self) -> int:
        return self.dataset.n

    @property
    def warnings(self) -> list[str]:
        return list(self.dataset.warnings)


def _as_codebook(codebook: Any) -> pd.DataFrame:
    return codebook if isinstance(codebook, pd.DataFrame) else read_codebook(codebook)


def prepare_wave(
    data: bytes,
    filename: str,
    codebook: pd.DataFrame | bytes | str | Path | None = None,
    *,
    format: str | None = None,
    survey: Survey | None = None,
    saved: Callable[[str], pd.DataFrame | None] | None = None,
    coded: Callable[[Dataset], Any] | None = None,
) -> PreparedWave:
    """Parse, code and screen one export.

    Parameters
    ----------
    data, filename : the file (CSV / XLSX / XLS) and its name.
    codebook : the codebook to apply (DataFrame or CSV); it is saved with the wave. None: the one
        ``saved`` returns for the questionnaire, else the suggestion (neither is saved again).
    format : force an adapter key (``analysis.ingest.ADAPTERS``) instead of detecting it.
    survey : ``parse_survey(data, filename)`` when the caller already has it (the data page parsed
        the file to show its codebook), so the file is not parsed twice.
    saved : questionnaire key → the codebook saved for it, or None (``store.find_codebook``).
    coded : called with the coded Dataset before screening (the store starts encoding its frames
        there, beside the screening).

    Raises ValueError (a message for the user) when the file cannot be read or coded.
    """
    if survey is None:
        survey = parse_survey(data, filename, format=format)
    key = questionnaire_key(survey)
    given = codebook is not None
    cb = _as_codebook(codebook) if given else (saved(key) if saved is not None else None)
    factors = Factors(survey.data)  # each answer column hashed once, for the suggestion and the coding
    if cb is None:
        cb = suggest_codebook(survey, factors)
    ds, unknown = code_wave(survey, cb, factors)
    if coded is not None:
        coded(ds)
    from analysis.quality import screen

    ds.flags = screen(ds).reset_index(drop=True)
    return PreparedWave(data=bytes(data), filename=filename, survey=survey, key=key, codebook=cb,
                        save_codebook=given, dataset=ds, unknown=unknown)
