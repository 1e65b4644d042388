"""mad / iqr / quantile through every selection path, bit for bit against numpy.

The core picks its path from the data (gather-all for small inputs, sample bracket, radix
fallback) and its vectorised code from the CPU: none of that may change a single bit. Each
case runs under the portable, AVX2 and AVX-512 levels (skipped where the CPU lacks them),
with and without the radix fallback forced, and is compared with ``np.median`` / ``np.quantile``
/ ``np.percentile`` on the finite values converted to float64.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np
import pandas as pd
import pytest

import outliers as ol
from outliers import _api, _core

MAD_SCALE = 1.482602218505602
MEANAD_SCALE = 1.2533141373155003

DTYPES = [
    np.float64,
    np.float32,
    np.int8,
    np.int16,
    np.int32,
    np.int64,
    np.uint8,
    np.uint16,
    np.uint32,
    np.uint64,
]


@contextlib.contextmanager
def radix_forced(radix: bool):
    _core._force_radix_select(radix)
    try:
        yield
    finally:
        _core._force_radix_select(False)


# With and without the radix fallback forced; the CPU level is the test's `cpu_level`.
RADIX = (False, True)


def _normal(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    if n:
        x[rng.integers(0, n, size=max(1, n // 500))] *= 30.0
    return x


def adversarial(n):
    """Named float64 data sets that stress ties, order, magnitudes and missing values."""
    i = np.arange(n, dtype=np.float64)
    many_ties = _normal(n, 2)
    many_ties[np.arange(n) % 5 != 0] = 0.5
    huge_tiny = _normal(n, 3) * np.where(np.arange(n) % 2 == 1, 1e300, 1e-300)
    nan_inf = _normal(n, 5)
    nan_inf[::7] = np.nan
    nan_inf[::11] = np.inf
    nan_inf[5::22] = -np.inf
    signed_zeros = np.array([0.0, -0.0, 1.0, -1.0] * (n // 4 + 1))[:n]
    return {
        "normal": _normal(n, 1),
        "all-equal": np.full(n, 7.25),
        "two-values": np.where(np.arange(n) % 3 == 0, -2.0, 1.0),
        "sorted": i * 0.5 - 3.0,
        "reverse-sorted": (i * 0.5 - 3.0)[::-1].copy(),
        "plateaus": np.floor((np.arange(n) % 13) / 3.0),
        "many-ties": many_ties,
        "huge-tiny": huge_tiny,
        "denormals": _normal(n, 4) * 5e-324 * 1e6,
        "signed-zeros": signed_zeros,
        "negative-zeros": np.full(n, -0.0),
        "nan-inf": nan_inf,
        "periodic": np.where(np.arange(n) % 64 == 0, 100.0 + i, -(np.arange(n) % 64.0)),
        "sample-hostile": sample_hostile(n) if n >= 4 else _normal(n, 6),
    }


def _splitmix64(x):
    m = (1 << 64) - 1
    x = (x + 0x9E3779B97F4A7C15) & m
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & m
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & m
    return x ^ (x >> 31)


def sample_hostile(n):
    """Huge values exactly where the core samples (select.hpp's sample_count and
    sample_positions, default tuning): the bracket lands far from the true ranks and the core
    must fall back."""
    x = _normal(n, 6)
    optimal = int((4.0 * n / 2.0) ** (2.0 / 3.0)) + 64
    s = max(1, min(65536, n // 4, max(optimal, min(n // 16, 32768))))
    width, extra = divmod(n, s)
    for j in range(s):
        begin = j * width + (j * extra) // s
        end = (j + 1) * width + ((j + 1) * extra) // s
        x[begin + (((_splitmix64(j) >> 32) * (end - begin)) >> 32)] = 1e6 + j
    return x


def as_dtype(x, dtype):
    if np.issubdtype(dtype, np.floating):
        return x.astype(dtype)
    info = np.iinfo(dtype)
    v = np.round(x[np.isfinite(x)] * 10.0)
    return np.clip(v, info.min, info.max // 2).astype(dtype)


# ---------------------------------------------------------------- the numpy side


def expected(method, x):
    """(mask, scores, lower, upper, center, exact_bounds) from numpy on the finite values."""
    v = np.asarray(x).astype(np.float64)
    finite = np.isfinite(v)
    f = v[finite]
    with np.errstate(all="ignore"):
        if f.size == 0:
            lower = upper = center = math.nan
            s_f = np.zeros(0)
            flags_f = np.zeros(0, dtype=bool)
            exact = True
        elif method == "mad":
            center = float(np.median(f))
            dev = np.abs(f - center)
            mad = float(np.median(dev))
            exact = mad > 0  # else MeanAD: numpy's pairwise sum vs the core's block sums
            scale = MAD_SCALE * mad if exact else MEANAD_SCALE * float(np.mean(dev))
            lower, upper = center - 3.5 * scale, center + 3.5 * scale
            s_f = dev / scale if scale > 0 else np.zeros(f.size)
            flags_f = s_f > 3.5 if scale > 0 else np.zeros(f.size, dtype=bool)
        else:
            if method == "iqr":
                q1, q3 = (float(q) for q in np.percentile(f, [25, 75]))
                lower, upper = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
            else:
                q1, q3 = (float(q) for q in np.quantile(f, [0.01, 0.99]))
                lower, upper = q1, q3
            center = float(np.median(f))
            d = np.maximum(np.maximum(q1 - f, f - q3), 0.0)
            s_f = d / (q3 - q1) if q3 > q1 else np.where(d > 0, np.inf, 0.0)
            s_f = np.where(d == 0, 0.0, s_f)
            flags_f = (f < lower) | (f > upper)
            exact = True
    scores = np.full(v.shape, np.nan)
    scores[finite] = s_f
    scores[np.isinf(v)] = np.inf
    mask = np.zeros(v.shape, dtype=bool)
    mask[finite] = flags_f
    mask[np.isinf(v)] = True
    return mask, scores, lower, upper, center, exact


def same(got, want, zeros_either_sign=False):
    got, want = float(got), float(want)
    if math.isnan(want):
        return math.isnan(got)
    if zeros_either_sign and got == 0.0 and want == 0.0:
        return True
    return np.float64(got).tobytes() == np.float64(want).tobytes()


def check(method, x, name, level, **kw):
    mask, scores, lower, upper, center, exact = expected(method, x)
    # Which of -0.0 / +0.0 numpy's partition leaves at a rank is arbitrary when both occur.
    either = "signed-zeros" in name
    for radix in RADIX:
        where = f"{name} {method} {level} radix={radix}"
        with radix_forced(radix):
            got_mask = ol.mask(x, method, **kw)
            got_scores = ol.scores(x, method, **kw)
            lo, hi = ol.bounds(x, method, **kw)
            c = _api.center(x, method, **kw)
        np.testing.assert_array_equal(got_mask, mask, err_msg=where)
        if exact:
            np.testing.assert_array_equal(got_scores, scores, err_msg=where)
            assert same(lo, lower, either) and same(hi, upper, either), (
                where,
                lo,
                hi,
                lower,
                upper,
            )
        else:
            np.testing.assert_allclose(got_scores, scores, rtol=1e-12, err_msg=where)
            np.testing.assert_allclose([lo, hi], [lower, upper], rtol=1e-12, err_msg=where)
        assert same(c, center, either), (where, c, center)


# ---------------------------------------------------------------- the tests


# 40_000 values: above the gather-all limit (32768), so the sample bracket runs.
@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 17, 64, 40_000])
@pytest.mark.parametrize("method", ["mad", "iqr", "quantile"])
def test_float64_adversarial(method, n, cpu_level):
    for name, x in adversarial(n).items():
        check(method, x, f"{name} n={n}", cpu_level)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("method", ["mad", "iqr", "quantile"])
def test_every_dtype(method, dtype, cpu_level):
    for n in (7, 40_000):
        for name in ("normal", "many-ties", "sorted", "plateaus", "nan-inf", "two-values"):
            x = as_dtype(adversarial(n)[name], dtype)
            check(method, x, f"{name} n={n} {np.dtype(dtype).name}", cpu_level)


def test_int64_beyond_2_53(cpu_level):
    # Distinct integers that round to the same double: order statistics of the doubles.
    i = np.arange(50_000, dtype=np.int64)
    x = np.concatenate([np.iinfo(np.int64).max - i * 37, 2**53 + i, -(2**60) + i * 3])
    for method in ("mad", "iqr", "quantile"):
        check(method, x, "int64 extremes", cpu_level)
        check(method, x.astype(np.uint64) // 2, "uint64 extremes", cpu_level)


@pytest.mark.parametrize("method", ["mad", "iqr", "quantile"])
def test_missing_values_in_place(method, cpu_level):
    # Masked arrays, sentinels, NaT and strided views take the general path: same answers.
    x = _normal(60_000, 9)
    x[::9] = -9999.0
    finite = x[x != -9999.0]
    for radix in RADIX:
        with radix_forced(radix):
            got = ol.bounds(x, method, missing=-9999.0)
            masked = ol.bounds(
                pd.Series(np.where(x == -9999.0, np.nan, x), dtype="Float64"), method
            )
            strided = ol.bounds(np.repeat(x, 2)[::2], method, missing=-9999.0)
        want = expected(method, finite)[2:4]
        for bounds in (got, masked, strided):
            assert all(same(a, b) for a, b in zip(bounds, want, strict=True)), (method, cpu_level)


def test_timedelta_nat(cpu_level):
    t = (_normal(50_000, 10) * 1e9).astype("timedelta64[ns]")
    t[::13] = np.timedelta64("NaT")
    ints = t[~np.isnat(t)].astype(np.int64)
    for radix in RADIX:
        with radix_forced(radix):
            lo, hi = ol.bounds(t, "quantile")
        want = np.rint(np.quantile(ints.astype(np.float64), [0.01, 0.99])).astype(np.int64)
        assert lo.astype(np.int64) == want[0] and hi.astype(np.int64) == want[1]
