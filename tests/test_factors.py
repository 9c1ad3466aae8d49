"""analysis.factors: the fast factorization of Arrow-backed text held equal to its reference.

``_arrow_factorize`` concatenates the encoded chunks' indices instead of letting pandas combine the
chunks; ``pandas.factorize`` (and numpy's bincount for the counts) is the reference.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.factors import Factors, _arrow_factorize, factorize, uniques_by_count


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["很满意", "满意", "一般", "", " 一般", "不满意", None]), max_size=12),
                min_size=1, max_size=6))
def test_factorize_of_chunked_text_equals_pandas(chunks):
    arrow = pa.chunked_array([pa.array(c, type=pa.large_string()) for c in chunks], type=pa.large_string())
    series = pd.Series(pd.array(arrow, dtype="str"))
    codes, uniques, counts = factorize(series)
    ref_codes, ref_uniques = pd.factorize(series, use_na_sentinel=True)
    np.testing.assert_array_equal(codes, ref_codes)
    assert uniques.equals(ref_uniques) and uniques.dtype == ref_uniques.dtype
    np.testing.assert_array_equal(counts, np.bincount(ref_codes + 1, minlength=len(ref_uniques) + 1))
    if len(series):
        assert _arrow_factorize(series) is not None  # the shortcut was taken, not the fallback


def test_factorize_falls_back_for_object_columns():
    series = pd.Series(["a", None, "b", "a"], dtype=object)
    assert _arrow_factorize(series) is None
    codes, uniques, counts = factorize(series)
    assert codes.tolist() == [0, -1, 1, 0] and list(uniques) == ["a", "b"] and counts.tolist() == [1, 2, 1]


def test_factors_hash_each_text_column_once_and_skip_other_columns():
    data = pd.DataFrame({"a": pd.Series(["x", "y", "x"], dtype="str"), "n": [1.0, 2.0, 3.0]})
    factors = Factors(data)
    assert factors.of("n") is None and "n" not in factors
    first = factors.of("a")
    assert factors.of("a") is first  # cached, not hashed again
    assert uniques_by_count(*first) == ["x", "y"]  # by count, most frequent first (hand count: x 2, y 1)
