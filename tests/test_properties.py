"""Property-based tests (Hypothesis) of the built-in methods (SPEC §3, §4).

Invariants: raising the threshold only removes flags; shifting by a constant or
scaling by a power of two does not change flags; a permutation permutes flags;
and on random small arrays with NaN/inf every method agrees with the oracle.
Data are integers in a modest range converted to float, so that shifts and
sums are exact and only the rounding the spec allows can change a flag: points
whose oracle score is within 1e-9 (relative) of the threshold are left out.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reference as ref  # noqa: E402

import outliers as ol  # noqa: E402

SETTINGS = settings(max_examples=150, deadline=None, database=None)

NAN, INF = float("nan"), float("inf")

ints = st.integers(-1000, 1000).map(float)
finite_arrays = st.lists(ints, min_size=0, max_size=40).map(np.array)
with_nonfinite = st.lists(
    st.one_of(ints, ints, ints, ints, st.sampled_from([NAN, INF, -INF])), min_size=0, max_size=40
).map(lambda v: np.array(v, dtype=np.float64))
thresholds = st.floats(0.25, 5.0, allow_nan=False)
windows = st.sampled_from([3, 5, 7, 9, 11, 21])


@st.composite
def method_params(draw, methods=tuple(ref.DEFAULTS)):
    method = draw(st.sampled_from(methods))
    if method == "zscore":
        p = {"threshold": draw(thresholds), "ddof": draw(st.integers(0, 2))}
    elif method == "mad":
        p = {"threshold": draw(thresholds)}
    elif method == "iqr":
        p = {"k": draw(st.floats(0.1, 3.0))}
    elif method == "quantile":
        low = draw(st.floats(0.0, 0.49))
        p = {"low": low, "high": draw(st.floats(0.5, 1.0))}
    elif method == "hampel":
        p = {"window": draw(windows), "threshold": draw(thresholds)}
    else:
        p = {"max_outliers": draw(st.integers(1, 12)), "alpha": draw(st.floats(0.001, 0.5))}
    return method, p


def threshold_params(method, threshold, draw_extra):
    if method == "zscore":
        return {"threshold": threshold, "ddof": draw_extra}
    if method == "hampel":
        return {"threshold": threshold, "window": [3, 5, 7, 9, 11, 21][draw_extra]}
    return {"threshold": threshold}


@SETTINGS
@given(
    x=with_nonfinite,
    method=st.sampled_from(["zscore", "mad", "hampel"]),
    t1=thresholds,
    factor=st.floats(1.0, 4.0, exclude_min=True),
    extra=st.integers(0, 1),
)
def test_raising_threshold_only_removes_flags(x, method, t1, factor, extra):
    low = ol.mask(x, method, **threshold_params(method, t1, extra))
    high = ol.mask(x, method, **threshold_params(method, t1 * factor, extra))
    assert not (high & ~low).any(), (method, t1, t1 * factor, np.flatnonzero(high & ~low))


def _comparable(r1, r2):
    """Points where neither oracle result is within rounding of its threshold."""
    return ~(r1.near | r2.near)


@SETTINGS
@given(
    x=finite_arrays,
    shift=st.integers(-5000, 5000).map(float),
    mp=method_params(("zscore", "mad", "iqr")),
)
def test_shift_does_not_change_flags(x, shift, mp):
    method, p = mp
    y = x + shift
    keep = _comparable(ref.reference(method, x, **p), ref.reference(method, y, **p))
    m1, m2 = ol.mask(x, method, **p), ol.mask(y, method, **p)
    assert np.array_equal(m1[keep], m2[keep]), (method, p, shift, np.flatnonzero(m1 != m2))


@SETTINGS
@given(
    x=with_nonfinite,
    k=st.integers(-20, 20),
    mp=method_params(),
)
def test_scaling_by_power_of_two_does_not_change_flags(x, k, mp):
    method, p = mp
    c = 2.0**k
    y = x * c  # exact: no overflow or underflow in this range
    assert np.array_equal(ol.mask(x, method, **p), ol.mask(y, method, **p)), (method, p, k)
    # Scores are scale-free and bounds scale exactly: both are computed with the same
    # roundings, so equality holds bit for bit.
    np.testing.assert_array_equal(ol.scores(x, method, **p), ol.scores(y, method, **p))
    lo1, hi1 = ol.bounds(x, method, **p)
    lo2, hi2 = ol.bounds(y, method, **p)
    np.testing.assert_array_equal(np.asarray(lo1) * c, lo2)
    np.testing.assert_array_equal(np.asarray(hi1) * c, hi2)


@SETTINGS
@given(
    x=with_nonfinite,
    seed=st.integers(0, 2**32 - 1),
    mp=method_params(("zscore", "mad", "iqr", "quantile")),
)
def test_permutation_permutes_flags(x, seed, mp):
    method, p = mp
    perm = np.random.default_rng(seed).permutation(x.size)
    y = x[perm]
    r1, r2 = ref.reference(method, x, **p), ref.reference(method, y, **p)
    keep = ~(r1.near[perm] | r2.near)  # r1 is indexed like x, r2 like y = x[perm]
    m1, m2 = ol.mask(x, method, **p), ol.mask(y, method, **p)
    assert np.array_equal(m1[perm][keep], m2[keep]), (method, p, perm)
    # Order statistics do not depend on the order: their bounds are identical.
    if method in ("mad", "iqr", "quantile"):
        np.testing.assert_array_equal(ol.bounds(x, method, **p), ol.bounds(y, method, **p))


@settings(max_examples=400, deadline=None, database=None)
@given(x=with_nonfinite, mp=method_params())
def test_random_small_arrays_match_oracle(x, mp):
    method, p = mp
    r = ref.reference(method, x, **p)
    ctx = f"method={method} params={p} x={x.tolist()}"
    ref.check_positions(ctx, ol.detect(x, method, **p), r)
    ref.check_mask(ctx, ol.mask(x, method, **p), r)
    ref.check_scores(ctx, ol.scores(x, method, **p), r)
    b = ol.bounds(x, method, **p)
    if x.size:
        ref.check_bounds(ctx, b, r, x, per_point=(method == "hampel"))


@settings(max_examples=100, deadline=None, database=None)
@given(
    x=st.lists(st.integers(-(2**31), 2**31 - 1), min_size=0, max_size=30),
    dtype=st.sampled_from(["int32", "int64"]),
    mp=method_params(("zscore", "mad", "iqr", "quantile", "hampel")),
)
def test_integer_arrays_match_oracle(x, dtype, mp):
    method, p = mp
    a = np.array(x, dtype=dtype)
    # Well-conditioned data only (spread not tiny next to magnitude), so that the
    # rounding of the mean cannot be amplified beyond the tolerances.
    assume(a.size == 0 or np.ptp(a.astype(float)) >= 1e-3 * np.abs(a.astype(float)).max())
    r = ref.reference(method, a, **p)
    ctx = f"method={method} params={p} dtype={dtype} x={x}"
    ref.check_mask(ctx, ol.mask(a, method, **p), r)
    ref.check_scores(ctx, ol.scores(a, method, **p), r)
    if a.size:
        ref.check_bounds(ctx, ol.bounds(a, method, **p), r, a, per_point=(method == "hampel"))
