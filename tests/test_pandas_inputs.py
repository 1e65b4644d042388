"""pandas inputs through the accessors (SPEC §2, §3, §5): every kind of Series, every verb.

Input kinds: numpy-backed float64/float32/int64/uint8 and a strided column of a 2-D block;
masked Float64/Int64/UInt8/Int32 with pd.NA (junk in the data buffer under the mask);
pyarrow double/int64 with nulls, multi-chunk and sliced (non-zero offset); datetime64 in
s/ms/us/ns with NaT, tz-aware datetimes, timedelta64; an irregular DatetimeIndex.

Each verb of each method is compared with the plain-numpy oracle of tests/reference.py
(for the method math) and with the pandas expression the accessor promises (for the
shape of the result). Then: the zero-copy promise (tracemalloc peaks, the custom
function's view) and the never-mutated promise (values, dtype, index, flags, buffers).
"""

from __future__ import annotations

import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reference as ref  # noqa: E402

import outliers as ol  # noqa: E402

N = 200
MISSING_AT = np.array([5, 40, 41, 120, 199])
SPIKES = {17: 140.0, 88: -60.0, 150: 95.0}
INF_AT = 60  # float kinds only
PER_POINT = {"hampel"}
METHOD_CASES = [
    ("zscore", {}),
    ("mad", {}),
    ("iqr", {}),
    ("quantile", {"low": 0.02, "high": 0.98}),
    ("hampel", {}),
    ("esd", {}),
]
METHOD_IDS = [m for m, _ in METHOD_CASES]
HOWS = ["nan", "drop", "clip", "center"]


# ------------------------------------------------------------ the input kinds


def base_values() -> np.ndarray:
    """N normal values around 50, three planted spikes; no missing values yet."""
    rng = np.random.default_rng(11)
    x = 50.0 + 4.0 * rng.standard_normal(N)
    for i, v in SPIKES.items():
        x[i] = v
    return x


def missing_mask() -> np.ndarray:
    m = np.zeros(N, dtype=bool)
    m[MISSING_AT] = True
    return m


def float_with_nan(dtype="float64") -> np.ndarray:
    x = base_values()
    x[MISSING_AT] = np.nan
    x[INF_AT] = np.inf
    return x.astype(dtype)


def int_values(offset=0.0) -> np.ndarray:
    return np.rint(base_values() + offset)


def masked(values: np.ndarray, junk) -> pd.Series:
    """A masked Series whose data buffer holds `junk` under the mask (must be ignored)."""
    data = values.copy()
    data[MISSING_AT] = junk
    m = missing_mask()
    if data.dtype.kind == "f":
        return pd.Series(pd.arrays.FloatingArray(data, m))
    return pd.Series(pd.arrays.IntegerArray(data, m))


def arrow_array(values: np.ndarray, m: np.ndarray, junk) -> pa.Array:
    data = values.copy()
    data[m] = junk
    return pa.array(data, mask=m)


def arrow_series(chunks) -> pd.Series:
    return pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array(chunks)))


def arrow_multi_chunk() -> pd.Series:
    x = base_values()
    m = missing_mask()
    cuts = [0, 70, 71, 71, 130, N]  # a one-value chunk and an empty one
    return arrow_series(
        [arrow_array(x[a:b], m[a:b], 1e300) for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
    )


def arrow_sliced(dtype=np.float64, junk=1e300) -> pd.Series:
    """A single chunk with offset 3; the three hidden leading values are junk."""
    x = np.r_[[junk, -junk, junk], base_values()].astype(dtype)
    m = np.r_[[False, False, True], missing_mask()]
    arr = pa.array(x, mask=m)[3:]
    assert arr.offset == 3
    return arrow_series([arr])


def arrow_sliced_chunks() -> pd.Series:
    x = np.r_[np.full(5, 1e300), base_values(), np.full(4, -1e300)]
    m = np.r_[np.zeros(5, bool), missing_mask(), np.zeros(4, bool)]
    whole = pa.array(x, mask=m)
    chunks = [whole.slice(5, 90), whole.slice(95, 1), whole.slice(96, N - 91)]
    assert sum(len(c) for c in chunks) == N
    return arrow_series(chunks)


def strided_column() -> pd.Series:
    block = np.random.default_rng(5).random((N, 4))
    block[:, 2] = float_with_nan()
    s = pd.DataFrame(block, copy=False)[2]
    assert s.to_numpy().strides == (32,), "the column must be a strided view of the block"
    assert np.shares_memory(s.to_numpy(), block)
    return s


def seconds() -> np.ndarray:
    """Instants in seconds: an hour's jitter around an origin per point (value * 1 hour)."""
    return np.int64(1_600_000_000) + np.rint(base_values() * 3600).astype(np.int64)


def datetimes(unit: str) -> pd.Series:
    x = seconds().astype("M8[s]").astype(f"M8[{unit}]")
    x[MISSING_AT] = np.datetime64("NaT")
    s = pd.Series(x)
    assert s.dtype == np.dtype(f"M8[{unit}]")
    return s


def timedeltas(unit: str) -> pd.Series:
    x = (np.rint(base_values() * 60).astype(np.int64)).astype("m8[s]").astype(f"m8[{unit}]")
    x[MISSING_AT] = np.timedelta64("NaT")
    s = pd.Series(x)
    assert s.dtype == np.dtype(f"m8[{unit}]")
    return s


def tz_aware() -> pd.Series:
    return datetimes("us").dt.tz_localize("UTC").dt.tz_convert("America/New_York")


def irregular_dates() -> pd.Series:
    gaps = np.random.default_rng(9).integers(1, 4, N)
    index = pd.DatetimeIndex(np.datetime64("2001-01-01") + np.cumsum(gaps).astype("m8[D]"))
    return pd.Series(float_with_nan(), index=index, name="reading")


KINDS = {
    "float64": lambda: pd.Series(float_with_nan(), name="x"),
    "float32": lambda: pd.Series(float_with_nan("float32")),
    "int64": lambda: pd.Series(int_values().astype(np.int64), name="count"),
    "uint8": lambda: pd.Series(int_values(offset=60.0).astype(np.uint8)),
    "strided column": strided_column,
    "Float64 masked": lambda: masked(base_values(), 1e300),
    "Int64 masked": lambda: masked(int_values().astype(np.int64), 10**15),
    "UInt8 masked": lambda: masked(int_values(offset=60.0).astype(np.uint8), 255),
    "Int32 masked": lambda: masked(int_values().astype(np.int32), 2**31 - 1),
    "double[pyarrow]": lambda: arrow_series([arrow_array(base_values(), missing_mask(), 1e300)]),
    "int64[pyarrow]": lambda: arrow_series(
        [arrow_array(int_values().astype(np.int64), missing_mask(), 10**15)]
    ),
    "double[pyarrow] multi-chunk": arrow_multi_chunk,
    "double[pyarrow] sliced": arrow_sliced,
    "int64[pyarrow] sliced": lambda: arrow_sliced(np.int64, 10**15),
    "double[pyarrow] sliced chunks": arrow_sliced_chunks,
    "datetime64[s]": lambda: datetimes("s"),
    "datetime64[ms]": lambda: datetimes("ms"),
    "datetime64[us]": lambda: datetimes("us"),
    "datetime64[ns]": lambda: datetimes("ns"),
    "datetime64[us, tz]": tz_aware,
    "timedelta64[s]": lambda: timedeltas("s"),
    "timedelta64[ns]": lambda: timedeltas("ns"),
    "irregular DatetimeIndex": irregular_dates,
}
KIND_IDS = list(KINDS)
MASKED_KINDS = [k for k in KINDS if "masked" in k]
ARROW_KINDS = [k for k in KINDS if "pyarrow" in k]
TIME_KINDS = [k for k in KINDS if k.startswith(("datetime", "timedelta"))]
INT_EXTENSION_KINDS = [k for k in MASKED_KINDS + ARROW_KINDS if "nt" in k.split()[0]]


def test_pandas_inputs_kinds_are_what_they_claim():
    for label in MASKED_KINDS:
        assert isinstance(KINDS[label]().array, (pd.arrays.IntegerArray, pd.arrays.FloatingArray))
    for label in ARROW_KINDS:
        assert isinstance(KINDS[label]().dtype, pd.ArrowDtype), label
    assert KINDS["double[pyarrow] multi-chunk"]().array._pa_array.num_chunks == 5
    assert KINDS["datetime64[us, tz]"]().dt.tz is not None
    for label in KINDS:
        s = KINDS[label]()
        assert len(s) == N, label
        if label not in ("int64", "uint8"):
            assert s.isna().sum() == MISSING_AT.size, label


# ------------------------------------------------------------ helpers


def is_time(s) -> bool:
    dtype = s.dtype
    return isinstance(dtype, pd.DatetimeTZDtype) or (
        isinstance(dtype, np.dtype) and dtype.kind in "mM"
    )


def to_float(s: pd.Series) -> np.ndarray:
    """float64 values with NaN where missing; datetimes as integers of their own unit."""
    if is_time(s):
        v = np.asarray(s.array.asi8, dtype=np.float64).copy()
        v[s.isna().to_numpy()] = np.nan
        return v
    return s.to_numpy(dtype=np.float64, na_value=np.nan)


def from_float(values, like: pd.Series):
    """Float values (scalar or array) in the dtype of `like` (rounded for time kinds)."""
    if not is_time(like):
        return values
    v = np.atleast_1d(np.asarray(values, dtype=np.float64))
    ints = np.where(np.isnan(v), np.iinfo(np.int64).min, np.rint(np.nan_to_num(v)))
    ints = ints.astype(np.int64)
    if isinstance(like.dtype, pd.DatetimeTZDtype):
        naive = ints.view(f"M8[{like.dtype.unit}]")
        out = pd.DatetimeIndex(naive).tz_localize("UTC").tz_convert(like.dtype.tz).array
    else:
        out = ints.view(like.dtype)
    return out if np.ndim(values) else out[0]


def bound_atol(s: pd.Series) -> float:
    atol = ref._bound_atol(to_float(s))
    return max(atol, 1.0) if is_time(s) else atol  # time bounds are rounded to whole units


def check_scores(ctx: str, got: np.ndarray, r, s: pd.Series) -> None:
    """reference.check_scores, with room for the rounding of huge time integers to double.

    A datetime64[ns] of today is ~1.6e18, whose double has a spacing of 256 ns: the oracle's
    conversion moves near-zero scores by ~1e-11, more than reference.SCORE_ATOL allows.
    """
    if not is_time(s):
        ref.check_scores(ctx, got, r)
        return
    assert got.dtype == np.float64, f"{ctx}: scores dtype {got.dtype}"
    ref.assert_close(ctx, "scores", got, r.scores, ref.SCORE_RTOL, 1e-9)


def reference_for(s: pd.Series, method: str, params: dict, missing=None):
    v = to_float(s)
    if missing is not None:
        v = np.where(np.isin(v, np.atleast_1d(missing)), np.nan, v)
    return ref.reference(method, v, **params)


def check_aligned(ctx: str, got, s: pd.Series, kind=pd.Series) -> None:
    assert isinstance(got, kind), f"{ctx}: expected a {kind.__name__}, got {type(got)}"
    pd.testing.assert_index_equal(got.index, s.index, exact=True, obj=f"{ctx} index")
    if kind is pd.Series:
        assert got.name == s.name, f"{ctx}: name {got.name!r} != {s.name!r}"


def check_bounds_frame(ctx: str, b, s: pd.Series, r, method: str) -> None:
    check_aligned(ctx, b, s, pd.DataFrame)
    assert list(b.columns) == ["lower", "upper"], f"{ctx}: columns {list(b.columns)}"
    for col in ("lower", "upper"):
        if is_time(s):
            assert b[col].dtype == s.dtype, f"{ctx}: {col} dtype {b[col].dtype} != {s.dtype}"
        else:
            assert pd.api.types.is_float_dtype(b[col].dtype), f"{ctx}: {col} dtype {b[col].dtype}"
    lo, hi = to_float(b["lower"]), to_float(b["upper"])
    if method in PER_POINT:
        want_lo, want_hi = r.lower, r.upper
    else:
        want_lo, want_hi = np.full(len(s), r.lower), np.full(len(s), r.upper)
        assert np.unique(lo).size <= 1 and np.unique(hi).size <= 1, f"{ctx}: not constant"
    atol = bound_atol(s)
    ref.assert_close(ctx, "lower bound", lo, want_lo, ref.BOUND_RTOL, atol)
    ref.assert_close(ctx, "upper bound", hi, want_hi, ref.BOUND_RTOL, atol)


def check_report(ctx, rep, s, flags, scores, bounds) -> None:
    pos = np.flatnonzero(flags)
    assert isinstance(rep, pd.DataFrame), f"{ctx}: report is {type(rep)}"
    assert list(rep.columns) == ["position", "value", "score", "lower", "upper"], (
        f"{ctx}: report columns {list(rep.columns)}"
    )
    pd.testing.assert_index_equal(rep.index, s.index[pos], exact=True, obj=f"{ctx} report index")
    assert rep["position"].dtype == np.int64, f"{ctx}: position dtype {rep['position'].dtype}"
    np.testing.assert_array_equal(rep["position"].to_numpy(), pos, err_msg=ctx)
    assert rep["value"].dtype == s.dtype, f"{ctx}: value dtype {rep['value'].dtype} != {s.dtype}"
    pd.testing.assert_series_equal(
        rep["value"], s.iloc[pos], check_names=False, obj=f"{ctx} report value"
    )
    assert rep["score"].dtype == np.float64, f"{ctx}: score dtype {rep['score'].dtype}"
    pd.testing.assert_series_equal(
        rep["score"], scores.iloc[pos], check_names=False, obj=f"{ctx} report score"
    )
    pd.testing.assert_frame_equal(
        rep[["lower", "upper"]], bounds.iloc[pos], obj=f"{ctx} report bounds"
    )


# ------------------------------------------------------------ every verb, every kind


@pytest.mark.parametrize("method,params", METHOD_CASES, ids=METHOD_IDS)
@pytest.mark.parametrize("kind", KIND_IDS)
def test_pandas_inputs_verbs_match_oracle(kind, method, params):
    s = KINDS[kind]()
    ctx = f"{kind} Series, method={method} {params}"
    r = reference_for(s, method, params)
    acc = s.outliers

    m = acc.mask(method, **params)
    check_aligned(ctx + " mask", m, s)
    assert m.dtype == np.bool_, f"{ctx}: mask dtype {m.dtype}"
    ref.check_mask(ctx + " mask", m.to_numpy(), r)
    assert not m[s.isna()].any(), f"{ctx}: a missing value is flagged"
    flags = m.to_numpy()
    assert flags.any(), f"{ctx}: nothing flagged (the data has planted spikes)"

    sc = acc.scores(method, **params)
    check_aligned(ctx + " scores", sc, s)
    check_scores(ctx + " scores", sc.to_numpy(), r, s)

    b = acc.bounds(method, **params)
    check_bounds_frame(ctx + " bounds", b, s, r, method)

    d = acc.detect(method, **params)
    pd.testing.assert_series_equal(d, s[flags], obj=f"{ctx} detect")

    rep = acc.report(method, **params)
    check_report(ctx, rep, s, flags, sc, b)

    # the functional API agrees with the accessor
    np.testing.assert_array_equal(ol.mask(s, method, **params), flags, err_msg=ctx)
    np.testing.assert_array_equal(ol.detect(s, method, **params), np.flatnonzero(flags))


def in_float_counterpart(s: pd.Series) -> pd.Series:
    """Integer data in the float dtype of its family (the documented rule for clip/center)."""
    if not pd.api.types.is_integer_dtype(s.dtype):
        return s
    if isinstance(s.dtype, pd.ArrowDtype):
        return s.astype("double[pyarrow]")
    if isinstance(s.dtype, np.dtype):
        return s.astype(np.float64)
    return s.astype("Float64")


def expected_clean(s, how, flags, bounds, center, method):
    """The pandas expression each `how` promises."""
    if how == "nan":
        return s.mask(flags)
    if how == "drop":
        return s[~flags]
    # Bounds and centers are seldom whole numbers: integer data is replaced in float.
    s = in_float_counterpart(s)
    if how == "clip":
        if method in PER_POINT:
            lo, hi = bounds["lower"].array, bounds["upper"].array
        else:
            # Python floats: float32 data keeps its dtype, as with s.clip(1.5).
            lo, hi = (
                float(v) if isinstance(v, np.floating) else v
                for v in (bounds["lower"].iloc[0], bounds["upper"].iloc[0])
            )
        return s.where(~flags, s.clip(lo, hi))
    return s.where(~flags, from_float(center, s))


def assert_clean_equal(ctx, got, want, flags_in_want, atol):
    """Exact on unflagged entries; flagged ones (a center from the oracle) to rounding."""
    assert isinstance(got, pd.Series), f"{ctx}: got {type(got)}"
    assert got.dtype == want.dtype, f"{ctx}: dtype {got.dtype} != {want.dtype}"
    assert got.name == want.name, f"{ctx}: name {got.name!r} != {want.name!r}"
    pd.testing.assert_index_equal(got.index, want.index, exact=True, obj=f"{ctx} index")
    keep = ~flags_in_want
    pd.testing.assert_series_equal(got[keep], want[keep], obj=f"{ctx} unflagged entries")
    ref.assert_close(
        ctx,
        "flagged entries",
        to_float(got[flags_in_want]),
        to_float(want[flags_in_want]),
        1e-12,
        atol,
    )


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("method,params", METHOD_CASES, ids=METHOD_IDS)
@pytest.mark.parametrize("kind", KIND_IDS)
def test_pandas_inputs_clean_matches_pandas(kind, method, params, how):
    s = KINDS[kind]()
    ctx = f"{kind} Series, method={method}, clean(how={how!r})"
    flags = s.outliers.mask(method, **params).to_numpy()
    bounds = s.outliers.bounds(method, **params)
    center = reference_for(s, method, params).center
    want = expected_clean(s, how, flags, bounds, center, method)
    got = s.outliers.clean(how=how, method=method, **params)
    assert got is not s
    if how == "center":
        assert_clean_equal(ctx, got, want, flags, bound_atol(s))
    else:
        pd.testing.assert_series_equal(got, want, obj=ctx)


# ------------------------------------------------------------ kinds agree with each other


def equivalent_float64(kind: str) -> pd.Series:
    """The float64 Series with NaN that holds the same values as KINDS[kind]."""
    return pd.Series(to_float(KINDS[kind]()))


@pytest.mark.parametrize("method,params", METHOD_CASES, ids=METHOD_IDS)
@pytest.mark.parametrize("kind", MASKED_KINDS + ARROW_KINDS + ["strided column"])
def test_pandas_inputs_same_results_as_float64_with_nan(kind, method, params):
    s = KINDS[kind]()
    plain = equivalent_float64(kind)
    ctx = f"{kind} vs float64 with NaN, method={method}"
    np.testing.assert_array_equal(
        s.outliers.mask(method, **params).to_numpy(),
        plain.outliers.mask(method, **params).to_numpy(),
        err_msg=ctx,
    )
    np.testing.assert_allclose(
        s.outliers.scores(method, **params).to_numpy(),
        plain.outliers.scores(method, **params).to_numpy(),
        rtol=1e-12,
        atol=0,
        equal_nan=True,
        err_msg=ctx,
    )


@pytest.mark.parametrize("method,params", METHOD_CASES, ids=METHOD_IDS)
@pytest.mark.parametrize("family", ["datetime", "timedelta"])
def test_pandas_inputs_time_flags_do_not_depend_on_unit(family, method, params):
    make = datetimes if family == "datetime" else timedeltas
    units = ["s", "ms", "us", "ns"]
    r = reference_for(make("s"), method, params)
    assert not r.near.any(), "the data must have no point at the threshold"
    masks = {u: make(u).outliers.mask(method, **params).to_numpy() for u in units}
    for u in units[1:]:
        np.testing.assert_array_equal(masks[u], masks["s"], err_msg=f"{family}[{u}] {method}")
    for u in units:
        b = make(u).outliers.bounds(method, **params)
        letter = "M" if family == "datetime" else "m"
        assert b["lower"].dtype == np.dtype(f"{letter}8[{u}]"), f"{family}[{u}] {method} bounds"


@pytest.mark.parametrize("method,params", METHOD_CASES, ids=METHOD_IDS)
def test_pandas_inputs_tz_aware_functional_bounds_are_the_accessors(method, params):
    """ol.bounds on tz-aware data: the accessor's bounds, in the data's time zone (they were
    naive UTC times before)."""
    s = tz_aware()
    naive_lo, naive_hi = ol.bounds(datetimes("us"), method, **params)
    b = s.outliers.bounds(method, **params)
    for got, naive, col in zip(
        ol.bounds(s, method, **params), (naive_lo, naive_hi), b, strict=True
    ):
        expected = pd.DatetimeIndex(np.atleast_1d(naive)).tz_localize("UTC").tz_convert(s.dt.tz)
        if np.ndim(got) == 0:
            assert isinstance(got, pd.Timestamp) and got.tz == s.dt.tz, (method, col, got)
            assert got == expected[0] and got == b[col].iloc[0], (method, col)
        else:
            assert got.dtype == s.dtype, (method, col, got.dtype)
            pd.testing.assert_index_equal(pd.DatetimeIndex(got), expected)
            pd.testing.assert_series_equal(pd.Series(got, index=s.index, name=col), b[col])


@pytest.mark.parametrize("method,params", METHOD_CASES, ids=METHOD_IDS)
def test_pandas_inputs_tz_aware_same_instants_as_utc(method, params):
    s = tz_aware()
    naive = datetimes("us")
    ctx = f"tz-aware vs naive UTC, method={method}"
    pd.testing.assert_series_equal(
        s.outliers.mask(method, **params), naive.outliers.mask(method, **params), obj=ctx
    )
    b = s.outliers.bounds(method, **params)
    assert b["lower"].dtype == s.dtype and b["upper"].dtype == s.dtype, (ctx, b.dtypes)
    nb = naive.outliers.bounds(method, **params)
    for col in ("lower", "upper"):
        pd.testing.assert_series_equal(
            b[col].dt.tz_convert("UTC").dt.tz_localize(None), nb[col], obj=f"{ctx} {col}"
        )
    pd.testing.assert_series_equal(
        s.outliers.detect(method, **params), s[naive.outliers.mask(method, **params).to_numpy()]
    )


# ------------------------------------------------------------ missing=


@pytest.mark.parametrize("method,params", METHOD_CASES, ids=METHOD_IDS)
@pytest.mark.parametrize("kind", ["float64", "int64", "Int64 masked", "int64[pyarrow]"])
def test_pandas_inputs_missing_sentinel(kind, method, params):
    s = KINDS[kind]()
    arr = s.array.copy()
    arr[[30, 31, 32, 90]] = -9999
    s = pd.Series(arr, name=s.name)
    ctx = f"{kind} with -9999, method={method}, missing=-9999"
    r = reference_for(s, method, params, missing=-9999)
    sentinel = (s == -9999).to_numpy(dtype=bool, na_value=False)
    m = s.outliers.mask(method, missing=-9999, **params)
    ref.check_mask(ctx, m.to_numpy(), r)
    assert not m.to_numpy()[sentinel].any(), ctx
    sc = s.outliers.scores(method, missing=-9999, **params)
    ref.check_scores(ctx, sc.to_numpy(), r)
    assert np.isnan(sc.to_numpy()[sentinel]).all(), ctx
    check_bounds_frame(ctx, s.outliers.bounds(method, missing=-9999, **params), s, r, method)
    pd.testing.assert_series_equal(
        s.outliers.detect(method, missing=-9999, **params), s[m.to_numpy()], obj=ctx
    )
    # without missing=, the sentinel is an ordinary (very low) value
    plain = reference_for(s, method, params)
    ref.check_mask(ctx + " (no missing=)", s.outliers.mask(method, **params).to_numpy(), plain)


# ------------------------------------------------------------ zero copy

MiB = 1 << 20
BIG = 10**7


def traced_peak(func):
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, result


@pytest.fixture(scope="module")
def big_values():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(BIG)
    x[123_456] = 80.0
    return x


def _float64_series(values):
    x = values.copy()
    x[::1000] = np.nan
    return pd.Series(x)


def _masked_series(values):
    m = np.zeros(BIG, dtype=bool)
    m[::1000] = True
    return pd.Series(pd.arrays.FloatingArray(values.copy(), m))


def _arrow_series(values):
    m = np.zeros(BIG, dtype=bool)
    m[::1000] = True
    arr = pa.array(values, mask=m)
    assert arr.null_count == BIG // 1000
    return pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array([arr])))


ZERO_COPY_KINDS = {
    "float64": _float64_series,
    "Float64 masked": _masked_series,
    "double[pyarrow] one chunk": _arrow_series,
}


@pytest.mark.parametrize("kind", list(ZERO_COPY_KINDS))
def test_pandas_inputs_zero_copy_mask_peak(big_values, kind):
    s = ZERO_COPY_KINDS[kind](big_values)
    s.outliers.mask()  # warm up: imports, caches
    peak, m = traced_peak(lambda: s.outliers.mask())
    assert m.dtype == np.bool_ and len(m) == BIG and m.iloc[123_456]
    assert peak < BIG + MiB, (
        f"peak {peak / MiB:.1f} MiB during s.outliers.mask() (zscore) of a {BIG}-value {kind} "
        f"Series; the bool result alone is {BIG / MiB:.1f} MiB"
    )


def test_pandas_inputs_zero_copy_missing_sentinel_peak(big_values):
    """missing= never copies the data: at most one bool array besides the result."""
    x = big_values.copy()
    x[::777] = -9999.0
    s = pd.Series(x)
    s.outliers.mask(missing=-9999)
    peak, m = traced_peak(lambda: s.outliers.mask(missing=-9999))
    assert m.iloc[123_456] and not m.iloc[777]
    assert peak < 2 * BIG + MiB, (
        f"peak {peak / MiB:.1f} MiB during s.outliers.mask(missing=-9999) of {BIG} float64; "
        f"a copy of the data would be {8 * BIG / MiB:.0f} MiB"
    )


def _probe():
    seen = {}

    def probe(values):
        seen["values"] = values
        seen["copy"] = np.array(values, copy=True)
        return []

    return probe, seen


NUMPY_BACKED = [
    "float64",
    "float32",
    "int64",
    "uint8",
    "strided column",
    "irregular DatetimeIndex",
    "datetime64[ns]",
    "timedelta64[s]",
]


@pytest.mark.parametrize("kind", NUMPY_BACKED)
def test_pandas_inputs_custom_function_shares_memory(kind):
    s = KINDS[kind]()
    probe, seen = _probe()
    assert ol.Detector(probe).detect(s).size == 0
    values = seen["values"]
    assert isinstance(values, np.ndarray) and values.ndim == 1, kind
    assert np.shares_memory(values, s.to_numpy()), f"{kind}: the function got a copy"
    assert not values.flags.writeable, f"{kind}: the view is writeable"
    np.testing.assert_array_equal(
        seen["copy"].view(np.int64) if is_time(s) else seen["copy"],
        s.to_numpy().view(np.int64) if is_time(s) else s.to_numpy(),
        err_msg=kind,
    )


@pytest.mark.parametrize("kind", MASKED_KINDS + ["double[pyarrow]", "int64[pyarrow] sliced"])
def test_pandas_inputs_custom_function_gets_float64_with_nan(kind):
    s = KINDS[kind]()
    probe, seen = _probe()
    ol.Detector(probe).detect(s)
    values = seen["copy"]
    assert values.dtype == np.float64, f"{kind}: the function got {values.dtype}"
    np.testing.assert_array_equal(values, to_float(s), err_msg=kind)
    assert np.isnan(values[MISSING_AT]).all(), kind


def test_pandas_inputs_custom_function_returns_positions_not_labels():
    """A Detector accepts a Series and answers positions, whatever the index."""
    s = pd.Series([1.0, 1.1, 0.9, 50.0, 1.0], index=[10, 20, 30, 40, 50])
    np.testing.assert_array_equal(
        ol.Detector(lambda v: v > 10).detect(s), np.array([3], dtype=np.int64)
    )


# ------------------------------------------------------------ never mutated


def raw_buffers(s: pd.Series) -> list[np.ndarray]:
    """The numpy views of every buffer that holds the Series' data (and mask)."""
    arr = s.array
    if isinstance(arr, (pd.arrays.IntegerArray, pd.arrays.FloatingArray)):
        return [arr._data, arr._mask]
    if isinstance(arr, pd.arrays.ArrowExtensionArray):
        return [
            np.frombuffer(buf, dtype=np.uint8)
            for chunk in arr._pa_array.chunks
            for buf in chunk.buffers()
            if buf is not None
        ]
    if isinstance(arr, (pd.arrays.DatetimeArray, pd.arrays.TimedeltaArray)):
        return [arr._ndarray]
    return [s.to_numpy()]


def snapshot(s: pd.Series) -> dict:
    buffers = raw_buffers(s)
    return {
        "copy": s.copy(deep=True),
        "dtype": s.dtype,
        "index": s.index.copy(deep=True),
        "name": s.name,
        "flags": s.flags.allows_duplicate_labels,
        "attrs": dict(s.attrs),
        "buffers": buffers,
        "bytes": [b.tobytes() for b in buffers],
    }


def assert_unchanged(ctx: str, s: pd.Series, snap: dict) -> None:
    pd.testing.assert_series_equal(s, snap["copy"], check_exact=True, obj=ctx)
    assert s.dtype == snap["dtype"], ctx
    pd.testing.assert_index_equal(s.index, snap["index"], exact=True, obj=f"{ctx} index")
    assert s.name == snap["name"], ctx
    assert s.flags.allows_duplicate_labels == snap["flags"], f"{ctx}: flags changed"
    assert s.attrs == snap["attrs"], f"{ctx}: attrs changed"
    now = raw_buffers(s)
    assert len(now) == len(snap["buffers"]), f"{ctx}: buffers replaced"
    for i, (a, b, raw) in enumerate(zip(now, snap["buffers"], snap["bytes"], strict=True)):
        assert a.size == 0 or np.shares_memory(a, b), f"{ctx}: buffer {i} replaced"
        assert a.tobytes() == raw, f"{ctx}: buffer {i} bytes changed"


SERIES_VERBS = {
    "detect": lambda s: s.outliers.detect("mad"),
    "mask": lambda s: s.outliers.mask("hampel"),
    "scores": lambda s: s.outliers.scores("iqr"),
    "bounds": lambda s: s.outliers.bounds("hampel"),
    "clean-nan": lambda s: s.outliers.clean(how="nan", method="mad"),
    "clean-drop": lambda s: s.outliers.clean(how="drop", method="zscore"),
    "clean-clip": lambda s: s.outliers.clean(how="clip", method="quantile"),
    "clean-center": lambda s: s.outliers.clean(how="center", method="hampel"),
    "report": lambda s: s.outliers.report("esd"),
    "missing": lambda s: s.outliers.mask("mad", missing=[-9999, 52]),
}


# missing= takes numbers: not combined with datetime/timedelta data
MUTATION_CASES = [
    (kind, verb)
    for kind in KIND_IDS
    for verb in SERIES_VERBS
    if not (verb == "missing" and kind in TIME_KINDS)
]


@pytest.mark.parametrize("kind,verb", MUTATION_CASES, ids=[f"{k}-{v}" for k, v in MUTATION_CASES])
def test_pandas_inputs_never_mutated(kind, verb):
    s = KINDS[kind]()
    s.attrs["source"] = "test"
    if kind in ("float64", "Int64 masked", "datetime64[ns]"):
        s = s.set_flags(allows_duplicate_labels=False)
    snap = snapshot(s)
    try:
        SERIES_VERBS[verb](s)
    except (TypeError, ValueError):
        # clip/center into an integer extension dtype: whether that raises is undecided here,
        # but even a refusal must leave the input alone.
        if not (verb in ("clean-clip", "clean-center") and kind in INT_EXTENSION_KINDS):
            raise
    assert_unchanged(f"{kind} after s.outliers.{verb}", s, snap)


def test_pandas_inputs_clean_result_is_independent_of_input():
    s = KINDS["float64"]()
    snap = snapshot(s)
    for how in HOWS:
        out = s.outliers.clean(how=how, method="mad")
        if len(out):
            out.iloc[0] = -123.0
        assert_unchanged(f"float64 after writing into clean(how={how!r})", s, snap)


@pytest.mark.parametrize("n", [0, 20])
def test_pandas_inputs_tz_aware_bounds_keep_the_dtype_with_nothing_to_infer_it_from(n):
    """Empty data (NaT bounds) and a report without flagged rows: the bounds columns are the
    data's tz-aware dtype, as when there are rows (they were object)."""
    s = pd.Series(pd.date_range("2020-01-01", periods=n, freq="h", tz="America/New_York"))
    b = s.outliers.bounds("mad")
    assert b.dtypes.tolist() == [s.dtype, s.dtype]
    rep = s.outliers.report("mad")
    assert len(rep) == 0 and rep["lower"].dtype == s.dtype and rep["upper"].dtype == s.dtype
    fb = s.to_frame("t").outliers.bounds("mad", columns=["t"])
    assert fb.dtypes.tolist() == [s.dtype, s.dtype]


@pytest.mark.parametrize("method,params", METHOD_CASES, ids=METHOD_IDS)
def test_pandas_inputs_arrow_timestamps_with_a_zone_are_pandas_tz_aware_ones(method, params):
    """pyarrow timestamps with a zone: bounds in that zone, as for pandas' own tz-aware dtype
    (they came back as naive UTC datetime64)."""
    s = tz_aware()
    a = s.astype(pd.ArrowDtype(pa.timestamp(s.dt.unit, tz=str(s.dt.tz))))
    pd.testing.assert_series_equal(
        a.outliers.mask(method, **params), s.outliers.mask(method, **params)
    )
    pd.testing.assert_frame_equal(
        a.outliers.bounds(method, **params), s.outliers.bounds(method, **params)
    )
    got, want = ol.bounds(a, method, **params), ol.bounds(s, method, **params)
    for g, w in zip(got, want, strict=True):
        if np.ndim(w):
            pd.testing.assert_extension_array_equal(g, w)
        else:
            assert g == w and g.tz == w.tz, (method, g, w)
    for empty in (a.iloc[:0], a[a.isna()]):
        assert empty.outliers.bounds(method, **params).dtypes.tolist() == [s.dtype, s.dtype]
