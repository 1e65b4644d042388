"""The built-in methods against the slow numpy oracle of tests/reference.py (SPEC §2-§5).

Matrix: ten dtypes x six memory layouts x six methods; inside each test, every
size, data variant (random with planted outliers, ties, constant, NaN/inf
placements) and parameter set (defaults and non-defaults). Flags must equal the
oracle's except where the oracle's score is within 1e-9 (relative) of the
threshold; scores and bounds agree to rtol 1e-9. Each call must leave the input's
bytes and flags unchanged.
"""

from __future__ import annotations

import functools
import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reference as ref  # noqa: E402

import outliers as ol  # noqa: E402

FLOATS = ["float32", "float64"]
INTS = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
DTYPES = FLOATS + INTS
LAYOUTS = ["contiguous", "strided3", "reversed", "readonly", "bigendian", "column2d"]
SIZES = [0, 1, 2, 3, 4, 5, 10, 11, 100, 1000]
METHODS = ["zscore", "mad", "iqr", "quantile", "hampel", "esd"]

PARAMS = {
    "zscore": [{}, {"threshold": 2.0, "ddof": 1}, {"threshold": 1.0, "ddof": 0}],
    "mad": [{}, {"threshold": 2.0}, {"threshold": 1.0}],
    "iqr": [{}, {"k": 0.75}, {"k": 3.0}],
    "quantile": [{}, {"low": 0.1, "high": 0.9}, {"low": 0.25, "high": 0.5}],
    "hampel": [{}, {"window": 3, "threshold": 2.0}, {"window": 21, "threshold": 1.5}],
    "esd": [{}, {"max_outliers": 3, "alpha": 0.1}, {"max_outliers": 1, "alpha": 0.01}],
}

# center, spread and planted outliers per dtype: well-conditioned (|center|/spread modest)
# yet reaching far into each integer type's range.
SHAPE = {
    "float32": (1.5, 2.0, (-60.0, 75.0)),
    "float64": (-3.0e3, 1.0e2, (1.0e5, -2.0e5)),
    "int8": (0, 10, (-128, 127)),
    "int16": (0, 300, (-32768, 30000)),
    "int32": (0, 100_000, (-2_000_000_000, 2_147_483_647)),
    "int64": (0, 10**12, (-(2**63), 9 * 10**18)),
    "uint8": (128, 10, (0, 255)),
    "uint16": (30_000, 300, (0, 65535)),
    "uint32": (2_000_000_000, 100_000, (0, 4_294_967_295)),
    "uint64": (10**18, 10**14, (0, 2**64 - 1)),
}


def variants(dtype):
    base = ["random", "ties", "constant"]
    return base + (["nonfinite", "mostly_nan"] if dtype in FLOATS else [])


@functools.cache
def make_values(dtype, size, variant):
    """Deterministic test data of one dtype (a fresh contiguous native array)."""
    kinds = ["random", "ties", "constant", "nonfinite", "mostly_nan"]
    rng = np.random.default_rng([DTYPES.index(dtype), size, kinds.index(variant)])
    center, spread, (out_lo, out_hi) = SHAPE[dtype]
    if variant == "constant":
        v = np.full(size, 2.5 if dtype in FLOATS else center, dtype=object)
    elif variant == "ties":
        k = rng.integers(-2, 3, size)
        v = np.array([center + spread * int(j) for j in k], dtype=object)
        if size >= 5:
            v[rng.integers(size)] = out_hi
            v[: size // 4] = center  # a plateau
    else:
        z = rng.standard_normal(size)
        if dtype in FLOATS:
            v = (center + spread * z).astype(object)
        else:
            v = np.array([center + int(round(spread * t)) for t in z], dtype=object)
        if size >= 10:
            where = rng.choice(size, 3, replace=False)
            v[where[0]] = out_lo
            v[where[1]] = out_hi
            v[where[2]] = center + 7 * spread
    if dtype in FLOATS:
        a = np.array([float(t) for t in v], dtype=dtype)
    else:
        a = np.array([int(t) for t in v], dtype=dtype)
    if variant == "nonfinite" and size:
        a[rng.random(size) < 0.15] = np.nan
        if size >= 2:
            i, j = rng.choice(size, 2, replace=False)
            a[i], a[j] = np.inf, -np.inf
        if size >= 11:
            a[:3] = np.nan  # a NaN run at the start
    elif variant == "mostly_nan" and size:
        a[:] = np.nan
        if size >= 3:
            a[size // 2] = np.inf
            a[-1] = 1.0
    return a


def garbage(dtype):
    return np.array(np.inf if dtype in FLOATS else np.iinfo(dtype).max, dtype=dtype)


def in_layout(values, layout):
    """``values`` laid out in memory as ``layout`` (same logical contents)."""
    n = values.size
    dt = values.dtype
    if layout == "contiguous":
        return values.copy()
    if layout == "strided3":
        big = np.full(3 * n, garbage(dt), dtype=dt)
        big[::3] = values
        return big[::3]
    if layout == "reversed":
        return values[::-1].copy()[::-1]
    if layout == "readonly":
        a = values.copy()
        a.flags.writeable = False
        return a
    if layout == "bigendian":
        return values.astype(dt.newbyteorder(">"))
    if layout == "column2d":
        b = np.full((n, 3), garbage(dt), dtype=dt)
        b[:, 1] = values
        return b[:, 1]
    raise AssertionError(layout)


@functools.cache
def oracle(dtype, size, variant, method, params_key):
    return ref.reference(method, make_values(dtype, size, variant), **dict(params_key))


def call_unchanged(ctx, fn, a, *args, **kwargs):
    """Call ``fn(a, ...)`` and check the input's bytes and flags did not change."""
    before = a.tobytes()
    writeable = a.flags.writeable
    dtype = a.dtype
    out = fn(a, *args, **kwargs)
    assert a.tobytes() == before, f"{ctx}: {fn.__name__} mutated the input"
    assert a.flags.writeable == writeable, f"{ctx}: {fn.__name__} changed the writeable flag"
    assert a.dtype == dtype, f"{ctx}: {fn.__name__} changed the dtype"
    return out


def check_all(ctx, a, method, params, r):
    kw = dict(params)
    args = (method,) if params or method != "zscore" else ()
    pos = call_unchanged(ctx, ol.detect, a, *args, **kw)
    ref.check_positions(ctx + " detect", pos, r)
    m = call_unchanged(ctx, ol.mask, a, *args, **kw)
    ref.check_mask(ctx + " mask", m, r)
    assert np.array_equal(np.flatnonzero(m), pos), f"{ctx}: detect and mask disagree"
    s = call_unchanged(ctx, ol.scores, a, *args, **kw)
    ref.check_scores(ctx + " scores", s, r)
    b = call_unchanged(ctx, ol.bounds, a, *args, **kw)
    if a.size == 0:
        check_empty_bounds(ctx, b, method)
    else:
        ref.check_bounds(ctx + " bounds", b, r, a, per_point=(method == "hampel"))


def check_empty_bounds(ctx, b, method):
    assert isinstance(b, tuple) and len(b) == 2, f"{ctx}: bounds {b!r}"
    lo, hi = b
    if method == "hampel" and isinstance(lo, np.ndarray):
        # Per-point bounds of nothing: also accepted as empty float64 arrays.
        assert lo.dtype == hi.dtype == np.float64 and lo.shape == hi.shape == (0,), ctx
    else:
        assert math.isnan(lo) and math.isnan(hi), f"{ctx}: empty bounds {b!r}, want (nan, nan)"


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_methods_match_reference(dtype, layout, method):
    for size in SIZES:
        for variant in variants(dtype):
            values = make_values(dtype, size, variant)
            a = in_layout(values, layout)
            assert np.array_equal(a, values, equal_nan=dtype in FLOATS)
            for params in PARAMS[method]:
                r = oracle(dtype, size, variant, method, tuple(sorted(params.items())))
                ctx = (
                    f"dtype={dtype} layout={layout} size={size} variant={variant} "
                    f"method={method} params={params or 'defaults'}"
                )
                check_all(ctx, a, method, params, r)


# ------------------------------------------------------------------ API contracts
def test_methods_lists_builtin_defaults():
    got = ol.methods()
    assert got == ref.DEFAULTS
    for name, params in got.items():
        for p, default in params.items():
            assert type(default) is type(ref.DEFAULTS[name][p]), (name, p, default)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_empty_input_gives_empty_results(dtype, method):
    a = np.array([], dtype=dtype)
    pos = ol.detect(a, method)
    assert pos.dtype == np.int64 and pos.shape == (0,)
    m = ol.mask(a, method)
    assert m.dtype == np.bool_ and m.shape == (0,)
    s = ol.scores(a, method)
    assert s.dtype == np.float64 and s.shape == (0,)
    check_empty_bounds(f"{dtype} {method}", ol.bounds(a, method), method)


def test_default_method_is_zscore():
    a = make_values("float64", 100, "random")
    assert np.array_equal(ol.detect(a), ol.detect(a, "zscore"))
    assert np.array_equal(ol.scores(a), ol.scores(a, "zscore", threshold=3.0, ddof=0))


@pytest.mark.parametrize(
    "data",
    [
        [1.0, 2.0, 3.0],
        (1, 2, 3, 4, 100),
        [],
    ],
    ids=["list", "tuple", "empty-list"],
)
def test_sequences_are_accepted(data):
    r = ref.reference("zscore", np.asarray(data, dtype=np.float64), threshold=1.0)
    ref.check_positions("sequence", ol.detect(data, "zscore", threshold=1.0), r)


# ------------------------------------------------------------------ hand-checked cases
def test_all_nonfinite_statistics_are_empty():
    a = np.array([np.nan, np.inf, np.nan, -np.inf])
    for method in METHODS:
        assert ol.detect(a, method).tolist() == [1, 3], method
        s = ol.scores(a, method)
        assert np.isnan(s[[0, 2]]).all() and (s[[1, 3]] == np.inf).all(), (method, s)


def test_zscore_sigma_zero_flags_nothing_finite():
    a = np.array([4.0, 4.0, np.nan, 4.0, np.inf, 4.0])
    assert ol.detect(a, "zscore", threshold=0.5).tolist() == [4]
    s = ol.scores(a, "zscore")
    assert s[[0, 1, 3, 5]].tolist() == [0.0] * 4 and np.isnan(s[2]) and s[4] == np.inf
    assert ol.bounds(a, "zscore") == (4.0, 4.0)


@pytest.mark.parametrize("n_finite,ddof", [(1, 1), (2, 2), (3, 5), (0, 0), (0, 1)])
def test_zscore_not_enough_degrees_of_freedom(n_finite, ddof):
    a = np.array([1.0, 5.0, 9.0][:n_finite] + [np.nan, -np.inf])
    assert ol.detect(a, "zscore", ddof=ddof, threshold=0.1).tolist() == [n_finite + 1]
    s = ol.scores(a, "zscore", ddof=ddof)
    assert s[:n_finite].tolist() == [0.0] * n_finite
    lo, hi = ol.bounds(a, "zscore", ddof=ddof)
    assert math.isnan(lo) and math.isnan(hi)


def test_zscore_ddof_changes_sigma():
    a = np.array([0.0, 0.0, 0.0, 4.0])  # mean 1, std ddof=0: sqrt(3); ddof=1: 2
    np.testing.assert_allclose(ol.scores(a, "zscore", ddof=1), [0.5, 0.5, 0.5, 1.5], rtol=1e-15)
    np.testing.assert_allclose(ol.scores(a, "zscore"), np.array([1, 1, 1, 3]) / math.sqrt(3))
    assert ol.bounds(a, "zscore", ddof=1, threshold=1.5) == (-2.0, 4.0)
    assert ol.detect(a, "zscore", ddof=1, threshold=1.5).tolist() == []  # strict >
    assert ol.detect(a, "zscore", ddof=1, threshold=1.4999).tolist() == [3]


def test_mad_uses_mean_absolute_deviation_when_mad_is_zero():
    a = np.array([5.0, 5.0, 5.0, 5.0, 9.0])  # m = 5, MAD = 0, MeanAD = 0.8
    scale = 1.2533141373155003 * 0.8
    np.testing.assert_allclose(ol.scores(a, "mad"), [0, 0, 0, 0, 4 / scale], rtol=1e-15)
    assert ol.detect(a, "mad").tolist() == [4]
    np.testing.assert_allclose(ol.bounds(a, "mad"), (5 - 3.5 * scale, 5 + 3.5 * scale))


def test_mad_constant_flags_nothing():
    a = np.array([3, 3, 3, 3], dtype=np.int16)
    assert ol.detect(a, "mad").tolist() == []
    assert ol.scores(a, "mad").tolist() == [0.0] * 4
    assert ol.bounds(a, "mad") == (3.0, 3.0)


def test_mad_even_median_is_mean_of_middle_values():
    a = np.array([1.0, 2.0, 4.0, 10.0])  # m = 3, |x-m| = 2,1,1,7 -> MAD = 1.5
    want = np.abs(a - 3) / (1.482602218505602 * 1.5)
    np.testing.assert_allclose(ol.scores(a, "mad"), want, rtol=1e-15)


def test_iqr_fences_are_strict():
    a = np.arange(9, dtype=np.float64)  # Q1 = 2, Q3 = 6, IQR = 4: fences -4 and 12 at k=1.5
    assert ol.bounds(a, "iqr") == (-4.0, 12.0)
    # A value exactly on a fence is not flagged (strict >); just beyond, it is.
    d = np.array([-4.0, 1, 2, 3, 4, 5, 6, 7, 12.0])  # still Q1 = 2, Q3 = 6
    assert ol.bounds(d, "iqr") == (-4.0, 12.0)
    assert ol.detect(d, "iqr").tolist() == []
    e = np.array([-4.5, 1, 2, 3, 4, 5, 6, 7, 12.5])
    assert ol.bounds(e, "iqr") == (-4.0, 12.0)
    assert ol.detect(e, "iqr").tolist() == [0, 8]
    np.testing.assert_allclose(ol.scores(e, "iqr")[[0, 8]], [6.5 / 4, 6.5 / 4], rtol=1e-15)
    # k = 0: everything outside [Q1, Q3] is flagged, Q1 and Q3 themselves are not.
    assert ol.detect(a, "iqr", k=0).tolist() == [0, 1, 7, 8]
    assert ol.bounds(a, "iqr", k=0) == (2.0, 6.0)


def test_iqr_zero_spread_scores_inf_outside():
    a = np.array([2.0, 2.0, 2.0, 2.0, 2.0, 3.0, 1.0, 2.0])
    s = ol.scores(a, "iqr")
    assert s.tolist() == [0, 0, 0, 0, 0, np.inf, np.inf, 0]
    assert ol.detect(a, "iqr").tolist() == [5, 6]
    assert ol.bounds(a, "iqr") == (2.0, 2.0)


def test_quantile_full_range_flags_nothing_finite():
    rng = np.random.default_rng(7)
    for dtype in DTYPES:
        a = make_values(dtype, 100, "random")
        assert ol.detect(a, "quantile", low=0.0, high=1.0).tolist() == [], dtype
        f = a.astype(np.float64)
        f = f[np.isfinite(f)]
        assert ol.bounds(a, "quantile", low=0.0, high=1.0) == (f.min(), f.max()), dtype
    b = rng.integers(0, 5, 50).astype(np.float32)
    assert ol.detect(b, "quantile", low=0.0, high=1.0).tolist() == []


def test_quantile_plateau_bounds_are_exact():
    a = np.array([1.0] * 50 + [2.0] * 50)
    assert ol.bounds(a, "quantile", low=0.1, high=0.9) == (1.0, 2.0)
    assert ol.detect(a, "quantile", low=0.1, high=0.9).tolist() == []
    assert ol.scores(a, "quantile", low=0.1, high=0.9).tolist() == [0.0] * 100


def test_quantile_equal_bounds_scores_inf_outside():
    a = np.array([0.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 9.0])
    s = ol.scores(a, "quantile", low=0.2, high=0.8)
    assert s.tolist() == [np.inf] + [0.0] * 8 + [np.inf]
    assert ol.detect(a, "quantile", low=0.2, high=0.8).tolist() == [0, 9]
    assert ol.bounds(a, "quantile", low=0.2, high=0.8) == (5.0, 5.0)


def test_quantile_scores_are_relative_distance():
    a = np.arange(101, dtype=np.float64)  # q(0.1) = 10, q(0.9) = 90
    s = ol.scores(a, "quantile", low=0.1, high=0.9)
    want = np.maximum(np.maximum(10 - a, a - 90), 0) / 80
    np.testing.assert_allclose(s, want, rtol=1e-15)
    assert ol.detect(a, "quantile", low=0.1, high=0.9).tolist() == list(range(10)) + list(
        range(91, 101)
    )


def test_non_finite_values_never_enter_statistics():
    a = np.array([1.0, 2.0, 3.0, 4.0, 100.0])
    b = np.array([np.nan, 1.0, np.inf, 2.0, 3.0, np.nan, -np.inf, 4.0, 100.0])
    finite = np.isfinite(b)
    for method in METHODS:
        for p in PARAMS[method]:
            sa, sb = ol.scores(a, method, **p), ol.scores(b, method, **p)
            if method == "hampel":
                continue  # windows change with the positions; see test_hampel_reference
            np.testing.assert_allclose(sb[finite], sa, rtol=1e-12, err_msg=f"{method} {p}")
            assert np.isnan(sb[[0, 5]]).all() and (sb[[2, 6]] == np.inf).all()
            np.testing.assert_allclose(
                ol.bounds(b, method, **p), ol.bounds(a, method, **p), rtol=1e-12
            )
            mb = ol.mask(b, method, **p)
            assert mb[[2, 6]].all() and not mb[[0, 5]].any()
