"""Factorizing text columns: each answer column of a Survey hashed once, shared by suggesting and coding.

``factorize(series)`` is ``pandas.factorize`` (the reference) plus the counts per code; for Arrow-backed
text it takes :func:`_arrow_factorize`, the one fast path here (pandas combines the chunks of a column
read in many blocks before hashing; the shortcut concatenates the chunks' indices instead —
bench/RESULTS.md has the measurement). tests/test_factors.py holds the two equal.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from analysis.ingest.platforms._common import is_arrow_text

__all__ = ["factorize", "Factors", "uniques_by_count"]


def factorize(series: pd.Series) -> tuple[np.ndarray, pd.api.extensions.ExtensionArray | np.ndarray, np.ndarray]:
    """``pd.factorize(series)`` (NA → -1) with the codes in the smallest integer type that holds them,
    plus the count of each code shifted by one (``counts[0]`` = NA, ``counts[i + 1]`` = ``uniques[i]``).

    Listing the values by frequency (suggesting) and coding them both need the counts; one bincount
    serves both.
    """
    found = _arrow_factorize(series)
    codes, uniques = found if found is not None else pd.factorize(series, use_na_sentinel=True)
    for dtype in (np.int8, np.int16, np.int32):
        if len(uniques) < np.iinfo(dtype).max:
            codes = codes.astype(dtype, copy=False)
            break
    counts = np.bincount(np.add(codes, 1, dtype=np.intp), minlength=len(uniques) + 1)
    return codes, uniques, counts


def _arrow_factorize(series: pd.Series) -> tuple[np.ndarray, pd.api.extensions.ExtensionArray] | None:
    """``pd.factorize(series)`` of Arrow-backed text, without pandas' ``combine_chunks``.

    pandas dictionary-encodes the chunked column (Arrow's hash kernel) and then combines the
    encoded chunks into one array, which for a column read in 352 blocks took longer than the
    hashing itself (bench/RESULTS.md, "Fast paths"). All encoded chunks carry the same
    final dictionary, so their int32 indices are simply concatenated here. Returns None (the caller
    uses pandas) for other dtypes or when the chunks' dictionaries are not one shared buffer; the
    result equals pandas' (tests/test_codebook.py).
    """
    if not is_arrow_text(series) or len(series) == 0:
        return None
    import pyarrow as pa

    arrow = series.array.__arrow_array__()
    if not isinstance(arrow, pa.ChunkedArray):
        arrow = pa.chunked_array([arrow])
    chunks = [c for c in arrow.dictionary_encode().chunks if len(c)]
    if not chunks or chunks[0].type.index_type != pa.int32():
        return None
    dictionary = chunks[0].dictionary
    shared = dictionary.buffers()[1]
    if any(c.dictionary.buffers()[1] is None or c.dictionary.buffers()[1].address != shared.address
           or len(c.dictionary) != len(dictionary) for c in chunks[1:]):
        return None
    codes = np.concatenate([
        np.frombuffer(c.indices.buffers()[1], dtype=np.int32, count=len(c), offset=4 * c.indices.offset)
        for c in chunks
    ])
    if any(c.null_count for c in chunks):  # a null slot's index is unspecified: -1 as in pandas
        codes[~np.concatenate([c.is_valid().to_numpy(zero_copy_only=False) for c in chunks])] = -1
    return codes, pd.Index(pd.array(dictionary, dtype=series.dtype))


class Factors(dict):
    """``name → factorize(data[name])`` for the text columns of one Survey, computed once.

    Hashing a 100k-row text column is the costly part of listing its distinct values (suggesting)
    and of coding it; with this cache ``apply_codebook`` hashes each Likert column once instead of
    twice. :meth:`prefetch` hashes many columns on two threads (Arrow's hashing runs without the
    GIL). Codes are kept as int8 for the usual few labels (1M rows × 30 items = 30 MB).
    """

    def __init__(self, data: pd.DataFrame):
        super().__init__()
        self._data = data

    def usable(self, name: str) -> bool:
        """Only text columns: for them the factorization equals that of ``dropna().astype(str)``."""
        return isinstance(self._data[name].dtype, pd.StringDtype)

    def __missing__(self, name: str):
        self[name] = found = factorize(self._data[name])
        return found

    def of(self, name: str) -> tuple | None:
        """The factorization of a text column (computed now if needed); None for other columns."""
        return self[name] if self.usable(name) else None

    def prefetch(self, names: list[str]) -> None:
        todo = [n for n in dict.fromkeys(names) if n not in self and self.usable(n)]
        if len(todo) < 2:
            return
        with ThreadPoolExecutor(max_workers=2) as pool:
            for name, found in zip(todo, pool.map(lambda n: factorize(self._data[n]), todo), strict=True):
                self[name] = found


def uniques_by_count(codes: np.ndarray, uniques, counts: np.ndarray, limit: int = 200) -> list[str]:
    """A column's distinct values from its factorization: distinct values by count, most frequent first.

    Ties keep the order of first appearance, as ``value_counts`` does (Arrow counts in that order,
    then pandas sorts stably); factorize lists uniques in the same order. ``counts`` as from
    :func:`factorize` (slot 0 = NA).
    """
    order = np.argsort(-counts[1:], kind="stable")[:limit]
    return [str(uniques[i]) for i in order]
