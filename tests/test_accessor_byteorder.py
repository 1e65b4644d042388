"""Big-endian Series and DataFrame columns through every accessor verb (SPEC §2, issue 15 item 9).

pandas' take refuses big-endian buffers ("Big-endian buffer not supported on little-endian
compiler"), so detect and clean(how="drop") used to fail inside pandas. Each verb must give what
the same call gives on the native-order data, with the caller's dtypes kept where the verb keeps
them (detect and clean(how="drop") return rows of the caller's data, in its own dtypes).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import outliers  # noqa: F401  (registers the accessors)

BIG = [">f8", ">f4", ">i4", ">i8", ">u2"]
METHODS = [("mad", {}), ("hampel", {"window": 5}), ("zscore", {"threshold": 2.0})]
VERBS = [
    ("detect", {}),
    ("mask", {}),
    ("scores", {}),
    ("bounds", {}),
    ("clean", {"how": "nan"}),
    ("clean", {"how": "drop"}),
    ("clean", {"how": "clip"}),
    ("clean", {"how": "center"}),
    ("report", {}),
]
VERB_IDS = [f"{v}-{kw['how']}" if kw else v for v, kw in VERBS]


def _values(dtype: str) -> np.ndarray:
    x = np.r_[np.arange(40.0) % 5 + 10, 90.0, 11.0, 12.0, 1.0]
    if np.dtype(dtype).kind == "f":
        x[7] = np.nan
    return x.astype(dtype)


def _native(obj):
    """obj with every big-endian numpy column in native order (the reference's dtypes)."""
    if isinstance(obj, pd.Series):
        dt = obj.dtype
        return obj.astype(dt.newbyteorder("=")) if isinstance(dt, np.dtype) else obj
    out = obj.copy()
    for j, dt in enumerate(obj.dtypes.tolist()):
        if isinstance(dt, np.dtype) and not dt.isnative:
            out.isetitem(j, obj.iloc[:, j].astype(dt.newbyteorder("=")))
    return out


def _check(got, want, source_dtypes, verb, kw):
    if isinstance(want, pd.Series):
        pd.testing.assert_series_equal(_native(got), want)
    else:
        pd.testing.assert_frame_equal(_native(got), want)
    if verb == "detect" or kw.get("how") == "drop":
        # Rows of the caller's data: its dtypes kept, a big-endian column stays big-endian.
        dtypes = [got.dtype] if isinstance(got, pd.Series) else got.dtypes.tolist()
        assert dtypes == source_dtypes, (verb, dtypes)


@pytest.mark.parametrize("dtype", BIG)
@pytest.mark.parametrize("method,params", METHODS, ids=[m for m, _ in METHODS])
@pytest.mark.parametrize("verb,kw", VERBS, ids=VERB_IDS)
def test_byteorder_series_verbs_match_native(dtype, method, params, verb, kw):
    x = _values(dtype)
    big = pd.Series(x, index=np.arange(x.size) * 3 + 1, name="v")
    native = pd.Series(x.astype(np.dtype(dtype).newbyteorder("=")), index=big.index, name="v")
    before = big.copy()
    got = getattr(big.outliers, verb)(method=method, **kw, **params)
    want = getattr(native.outliers, verb)(method=method, **kw, **params)
    _check(got, want, [np.dtype(dtype)], verb, kw)
    pd.testing.assert_series_equal(big, before)
    assert big.dtype == np.dtype(dtype)


def _frames(dtype: str):
    x = _values(dtype)
    cols = {"a": x, "b": x[::-1].copy(), "c": np.roll(x, 5), "s": [f"r{i}" for i in range(x.size)]}
    big = pd.DataFrame(cols)
    big["n"] = np.arange(x.size, dtype=np.float64)  # a native column beside them
    native = _native(big)
    return big, native


@pytest.mark.parametrize("dtype", BIG)
@pytest.mark.parametrize("method,params", METHODS, ids=[m for m, _ in METHODS])
@pytest.mark.parametrize("verb,kw", VERBS, ids=VERB_IDS)
def test_byteorder_frame_verbs_match_native(dtype, method, params, verb, kw):
    big, native = _frames(dtype)
    before = big.copy()
    got = getattr(big.outliers, verb)(method=method, **kw, **params)
    want = getattr(native.outliers, verb)(method=method, **kw, **params)
    assert len(want), "the data has flagged values"
    _check(got, want, big.dtypes.tolist(), verb, kw)
    pd.testing.assert_frame_equal(big, before)


@pytest.mark.parametrize("dtype", [">f8", ">i4"])
def test_byteorder_frame_style_matches_native(dtype):
    pytest.importorskip("jinja2")
    big, native = _frames(dtype)
    got = big.outliers.style("mad").set_uuid("t").to_html()
    want = native.outliers.style("mad").set_uuid("t").to_html()
    assert got == want
    assert "background-color" in got
