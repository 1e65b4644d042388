"""hampel against the brute-force window loop of tests/reference.py (SPEC §4).

Windows 3, 5, 7, 21, 101 and longer than the data; windows cut at the array's
ends (even-sized there); NaN runs longer than the window; inf inside windows;
ties and plateaus (S_i = 0); per-point bounds as two float64 arrays.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reference as ref  # noqa: E402

import outliers as ol  # noqa: E402

WINDOWS = [3, 5, 7, 21, 101]


def check(ctx, x, **params):
    r = ref.reference("hampel", x, **params)
    before = x.tobytes()
    ref.check_positions(ctx, ol.detect(x, "hampel", **params), r)
    ref.check_mask(ctx, ol.mask(x, "hampel", **params), r)
    ref.check_scores(ctx, ol.scores(x, "hampel", **params), r)
    b = ol.bounds(x, "hampel", **params)
    ref.check_bounds(ctx, b, r, x, per_point=True)
    assert b[0].shape == b[1].shape == x.shape, ctx
    assert x.tobytes() == before, f"{ctx}: input mutated"
    return r


def series(kind, n, seed):
    rng = np.random.default_rng([seed, n])
    if kind == "noise":
        x = rng.standard_normal(n)
    elif kind == "trend":  # a sine wave with spikes: the use case of the filter
        t = np.arange(n)
        x = 10 * np.sin(t / 15) + 0.3 * rng.standard_normal(n)
    elif kind == "ints":  # many ties
        x = rng.integers(0, 4, n).astype(np.float64)
    elif kind == "plateaus":  # long runs of equal values: S_i = 0 inside them
        x = np.repeat(rng.integers(0, 3, n // 8 + 1), 8)[:n].astype(np.float64)
    else:
        raise AssertionError(kind)
    if n >= 20:
        spikes = rng.choice(n, max(1, n // 50), replace=False)
        x[spikes] += rng.choice([-1, 1], spikes.size) * 25
    return x


@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("kind", ["noise", "trend", "ints", "plateaus"])
def test_hampel_matches_brute_force(kind, window):
    for n in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 50, 101, 102, 300]:
        x = series(kind, n, 1)
        for threshold in [3.0, 1.0, 0.5]:
            check(
                f"kind={kind} n={n} window={window} threshold={threshold}",
                x,
                window=window,
                threshold=threshold,
            )


@pytest.mark.parametrize("window", [3, 7, 21])
def test_hampel_default_parameters(window):
    x = series("trend", 200, 2)
    check("defaults", x)
    assert np.array_equal(ol.mask(x, "hampel"), ol.mask(x, "hampel", window=7, threshold=3.0))
    assert np.array_equal(ol.scores(x, "hampel"), ol.scores(x, "hampel", window=7))
    check(f"window={window}", x, window=window)


@pytest.mark.parametrize("n", [1, 2, 5, 10, 50])
def test_hampel_window_longer_than_data(n):
    x = series("noise", n, 3)
    for window in [n + 1 if n % 2 == 0 else n + 2, 2 * n + 1, 101]:
        check(f"n={n} window={window}", x, window=window, threshold=2.0)
    # A window covering everything from every point: same median for all.
    r = check(f"n={n} window=1001", x, window=1001, threshold=2.0)
    assert np.all(r.center == np.median(x))


def test_hampel_cut_windows_at_ends_are_even_sized():
    # window 5, h = 2: point 0 sees x[0:3] (3 values), point 1 sees x[0:4] (4: even).
    x = np.array([0.0, 1.0, 3.0, 10.0, 4.0, 5.0, 100.0, 6.0])
    r = check("ends", x, window=5, threshold=3.0)
    # point 1: W = [0, 1, 3, 10], m = 2, |W - m| = [2, 1, 1, 8] -> MAD 1.5
    assert r.center[1] == 2.0
    lo, hi = ol.bounds(x, "hampel", window=5, threshold=3.0)
    s1 = 1.482602218505602 * 1.5
    np.testing.assert_allclose([lo[1], hi[1]], [2 - 3 * s1, 2 + 3 * s1], rtol=1e-14)
    # last point: W = [4, 5, 100, 6]... h = 2 -> x[5:8] = [5, 100, 6]: m = 6, MAD = 1
    assert r.center[-1] == 6.0
    np.testing.assert_allclose(ol.scores(x, "hampel", window=5)[-1], 0.0, atol=0)
    # point 6 (100): W = [4, 5, 100, 6] (cut): m = 5.5, MAD = median(1.5, .5, 94.5, .5) = 1
    np.testing.assert_allclose(
        ol.scores(x, "hampel", window=5)[6], 94.5 / 1.482602218505602, rtol=1e-14
    )
    assert 6 in ol.detect(x, "hampel", window=5).tolist()


def test_hampel_nan_runs_longer_than_window():
    x = series("noise", 120, 4)
    x[10:30] = np.nan  # 20 > window
    x[50:53] = np.nan
    x[-9:] = np.nan  # trailing run
    x[:4] = np.nan  # leading run
    for window in [3, 5, 7, 21]:
        r = check(f"nan runs window={window}", x, window=window, threshold=2.0)
        # deep inside a run longer than the window: no finite value, no statistic
        if window < 19:
            assert np.isnan(r.center[20])
            lo, hi = ol.bounds(x, "hampel", window=window, threshold=2.0)
            assert np.isnan(lo[20]) and np.isnan(hi[20])
        s = ol.scores(x, "hampel", window=window)
        assert np.isnan(s[10:30]).all()
        assert not ol.mask(x, "hampel", window=window)[10:30].any()


def test_hampel_all_missing():
    x = np.full(10, np.nan)
    check("all nan", x, window=3)
    assert ol.detect(x, "hampel").tolist() == []
    lo, hi = ol.bounds(x, "hampel")
    assert np.isnan(lo).all() and np.isnan(hi).all()


def test_hampel_inf_in_windows_is_excluded_and_flagged():
    x = series("noise", 60, 5)
    x[[5, 6, 7]] = [np.inf, -np.inf, np.inf]  # a run of inf as long as a 3-window
    x[30] = np.inf
    x[31] = np.nan
    x[59] = -np.inf
    for window in WINDOWS:
        r = check(f"inf window={window}", x, window=window, threshold=2.0)
        m = ol.mask(x, "hampel", window=window, threshold=2.0)
        assert m[[5, 6, 7, 30, 59]].all() and not m[31]
        s = ol.scores(x, "hampel", window=window)
        assert (s[[5, 6, 7, 30, 59]] == np.inf).all() and np.isnan(s[31])
        # statistics of the neighbours ignore the infinities: all finite
        assert np.isfinite(r.center[[4, 8, 29, 32, 58]]).all()


def test_hampel_plateau_zero_spread():
    # Inside a plateau S_i = 0: equal values score 0, any other value scores inf.
    x = np.array([5.0] * 10 + [6.0] + [5.0] * 10)
    assert ol.detect(x, "hampel", window=7).tolist() == [10]
    s = ol.scores(x, "hampel", window=7)
    assert s[10] == np.inf and (np.delete(s, 10) == 0).all()
    lo, hi = ol.bounds(x, "hampel", window=7)
    assert lo[10] == hi[10] == 5.0
    check("plateau", x, window=7)
    check("plateau w3", x, window=3, threshold=10.0)


def test_hampel_exact_mad_not_approximation():
    # A window whose exact MAD differs from common approximations (e.g. the
    # median of the deviations from a running median of another window).
    x = np.array([1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 1.0, 2.0, 4.0, 8.0])
    for window in [3, 5, 7, 9, 11]:
        check(f"powers window={window}", x, window=window, threshold=1.0)


@pytest.mark.parametrize("dtype", ["float32", "int8", "uint16", "int64", "uint64"])
def test_hampel_other_dtypes_and_layouts(dtype):
    rng = np.random.default_rng(6)
    info = np.iinfo(dtype) if dtype != "float32" else None
    if info is None:
        x = rng.standard_normal(300).astype(dtype)
        x[::37] = 40
    else:
        mid = (int(info.min) + int(info.max)) // 2
        x = np.array([mid + int(v) for v in rng.integers(-20, 21, 300)], dtype=dtype)
        x[::37] = info.max
    for name, a in [
        ("contiguous", x),
        ("reversed", x[::-1].copy()[::-1]),
        ("strided", np.repeat(x, 2)[::2]),
        ("bigendian", x.astype(x.dtype.newbyteorder(">"))),
    ]:
        check(f"dtype={dtype} layout={name}", a, window=9, threshold=2.5)


def test_hampel_large_window_large_data():
    x = series("trend", 3000, 8)
    check("n=3000 window=101", x, window=101)
    check("n=3000 window=3", x, window=3, threshold=1.0)
