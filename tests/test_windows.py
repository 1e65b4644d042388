"""Windows by count or by time on every method, against the slow oracle of tests/reference.py.

``reference.windowed`` takes each point's window by the rule of the docs (count or time,
centred or trailing), keeps the window's finite values and calls ``np.median`` /
``np.quantile`` / ``np.mean`` / ``np.std`` on them, one point at a time. The oracle itself is
checked first: its windows against the definition written pair by pair, against pandas'
``rolling`` where pandas is exact, against the hampel oracle and the global oracles.

Then the package against it: every method x count/time x centred/trailing x data with NaN,
+-inf, ties and plateaus x irregular times with duplicates x min_periods, the dtypes, windows
of 2 and 3 and windows longer than the data, long windows (the sorted paths) on long data,
values of 1e15 leaving the window (no drift of running sums), tz-aware times across daylight
saving changes, the accessors, Detector and clean(). Medians and quantiles (and the bounds
made from them by the method's rule) must equal numpy's bit for bit; means and standard
deviations agree to 1e-12 of the window's largest value; a flag may differ only where the
oracle's score is within 1e-9 (relative) of the threshold.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reference as ref  # noqa: E402

import outliers as ol  # noqa: E402

METHODS = ["zscore", "mad", "iqr", "quantile", "hampel"]
NON_DEFAULT = {
    "zscore": {"threshold": 2.0, "ddof": 1},
    "mad": {"threshold": 2.0},
    "iqr": {"k": 0.5},
    "quantile": {"low": 0.1, "high": 0.8},
    "hampel": {"threshold": 1.5},
}
NAT = np.iinfo(np.int64).min
T0 = np.datetime64("2024-03-01T00:00:00", "s")


# ================================================================ data


def values(kind, n, seed):
    """Test data: float64, with planted outliers."""
    rng = np.random.default_rng([seed, n, len(kind)])
    if kind == "noise":
        x = 10.0 + 2.0 * rng.standard_normal(n) + np.sin(np.arange(n) / 20.0)
    elif kind == "ties":  # a handful of values: zero MADs and equal quantiles
        x = rng.integers(0, 5, n).astype(np.float64)
    elif kind == "plateaus":  # runs of equal values longer than small windows
        x = np.repeat(rng.integers(0, 3, n // 9 + 1), 9)[:n].astype(np.float64) * 0.1
    elif kind == "nonfinite":
        x = 10.0 + 2.0 * rng.standard_normal(n)
        x[rng.random(n) < 0.1] = np.nan
        x[n // 3 : n // 3 + 25] = np.nan  # a run of NaN longer than the small windows
        x[rng.choice(n, max(1, n // 40), replace=False)] = np.inf
        x[rng.choice(n, max(1, n // 40), replace=False)] = -np.inf
        x[n // 2 : n // 2 + 3] = [np.inf, -np.inf, np.inf]
    else:
        raise AssertionError(kind)
    if n >= 20 and kind != "nonfinite":
        spikes = rng.choice(n, max(1, n // 30), replace=False)
        x[spikes] += rng.choice([-1.0, 1.0], spikes.size) * 30.0
    return x


KINDS = ["noise", "ties", "plateaus", "nonfinite"]


def irregular_times(n, seed, unit="s"):
    """Non-decreasing times with duplicates, gaps of 0 s to 10 min (some exactly 30 s, 60 s)."""
    rng = np.random.default_rng([seed, n, 7])
    gaps = rng.choice([0, 0, 1, 2, 5, 15, 30, 30, 45, 60, 60, 90, 120, 600], n)
    gaps[0] = 0
    return (T0 + np.cumsum(gaps).astype("timedelta64[s]")).astype(f"datetime64[{unit}]")


# ================================================================ comparing with the oracle


def _floats(a):
    """Bounds as float64 (datetime64 / timedelta64 as their integers, NaT as NaN)."""
    a = np.asarray(a)
    if a.dtype.kind in "mM":
        i = a.view(np.int64)
        v = i.astype(np.float64)
        v[i == NAT] = np.nan
        return v
    return a.astype(np.float64)


def _fail(ctx, what, idx, got, want, r=None):
    idx = np.asarray(idx)[:8]
    extra = ""
    if r is not None:
        windows = list(zip(r.extra["lo"][idx].tolist(), r.extra["hi"][idx].tolist(), strict=True))
        extra = f"\n  windows [lo, hi): {windows}\n  ref scores: {r.scores[idx].tolist()}"
    raise AssertionError(
        f"{ctx}: {what} at {idx.tolist()}\n  got:  {np.asarray(got)[idx].tolist()}"
        f"\n  want: {np.asarray(want)[idx].tolist()}{extra}"
    )


def check_flags(ctx, got, r, pts):
    """Flags equal the oracle's, except where its score is within 1e-9 of the threshold."""
    got = np.asarray(got)
    assert got.dtype == np.bool_ and got.shape == r.mask.shape, (ctx, got.dtype, got.shape)
    diff = np.zeros(got.shape, dtype=bool)
    diff[pts] = (got[pts] != r.mask[pts]) & ~r.near[pts]
    if diff.any():
        _fail(ctx, "flags differ", np.flatnonzero(diff), got, r.mask, r)


def check_scores(ctx, method, got, r, pts):
    got = np.asarray(got)
    assert got.dtype == np.float64 and got.shape == r.scores.shape, (ctx, got.dtype)
    g, w = got[pts], r.scores[pts]
    same_nan = np.isnan(g) == np.isnan(w)
    same_inf = (np.isinf(g) == np.isinf(w)) & (~np.isinf(w) | (g == w))
    tol = ref.SCORE_RTOL * np.abs(w) + ref.SCORE_ATOL
    if method == "zscore":
        # |x - mu| / sigma: the mean's rounding (of the window's largest value) over sigma
        with np.errstate(all="ignore"):
            cond = r.extra["size"][pts] / r.extra["spread"][pts]
        tol = tol + np.where(np.isfinite(cond), 1e-13 * cond * (1 + np.abs(w)), 0.0)
    with np.errstate(invalid="ignore"):
        close = ~np.isfinite(w) | (np.abs(g - w) <= tol)
    bad = ~(same_nan & same_inf & close)
    if bad.any():
        _fail(ctx, "scores differ", pts[bad], got, r.scores, r)


def check_bound(ctx, name, got, want, r, pts, timelike):
    g, w = _floats(got)[pts], want[pts]
    exact = r.extra["exact"][pts]
    if timelike:  # given back in the data's type: rounded to its integers
        w = np.where(np.isnan(w), np.nan, np.rint(w))
    same_nan = np.isnan(g) == np.isnan(w)
    # medians and quantiles: numpy's bits; means and standard deviations: within rounding of
    # the window's largest value (1e-12), however large the values that left it before
    tol = 1e-12 * (r.extra["size"][pts] + np.abs(w)) + (1.0 if timelike else 0.0)
    with np.errstate(invalid="ignore"):
        ok = np.where(exact, (g == w) | np.isnan(w), np.isnan(w) | (np.abs(g - w) <= tol))
    bad = ~(same_nan & ok)
    if bad.any():
        _fail(ctx, f"{name} bounds differ", pts[bad], _floats(got), want, r)


def results(data, method, **kw):
    """What the four verbs give for one call."""
    lo, hi = ol.bounds(data, method, **kw)
    return (
        ol.detect(data, method, **kw),
        ol.mask(data, method, **kw),
        ol.scores(data, method, **kw),
        lo,
        hi,
    )


def same_results(ctx, method, got, want, threshold=3.0):
    """Two calls whose windows hold the same values: numpy's bits for the order statistics;
    zscore within rounding (its sums may run in another order), flags equal away from the
    threshold."""
    if method != "zscore":
        for name, a, b in zip(
            ("positions", "mask", "scores", "lower", "upper"), got, want, strict=True
        ):
            np.testing.assert_array_equal(a, b, f"{ctx}: {name}")
        return
    for name, a, b in zip(("scores", "lower", "upper"), got[2:], want[2:], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, err_msg=f"{ctx}: {name}")
    with np.errstate(invalid="ignore"):
        away = ~(np.abs(want[2] - threshold) <= ref.REL * threshold)
    np.testing.assert_array_equal(got[1][away], want[1][away], f"{ctx}: mask")


def compare(ctx, method, got, r, timelike=False):
    pos, mask, scores, lo, hi = got
    n = r.mask.size
    pts = r.extra["points"]
    pos = np.asarray(pos)
    assert pos.dtype == np.int64, (ctx, pos.dtype)
    np.testing.assert_array_equal(pos, np.flatnonzero(mask), err_msg=ctx)
    check_flags(ctx, mask, r, pts)
    check_scores(ctx, method, scores, r, pts)
    for name, g, w in (("lower", lo, r.lower), ("upper", hi, r.upper)):
        assert isinstance(g, np.ndarray) and g.shape == (n,), (ctx, name, type(g))
        check_bound(ctx, name, g, w, r, pts, timelike)


def snapshot(obj):
    """Everything about an input that a call must leave as it was."""
    if obj is None:
        return None
    if isinstance(obj, pd.Series):
        return ("series", obj.copy(deep=True), obj.index.copy(deep=True), obj.dtype, obj.name)
    if isinstance(obj, pd.Index):
        return ("index", obj.copy(deep=True), obj.dtype)
    a = np.asarray(obj)
    return ("array", a.tobytes(), a.dtype, a.shape, a.strides, a.flags.writeable)


def unchanged(ctx, obj, before):
    after = snapshot(obj)
    if before is None:
        return
    if before[0] == "series":
        assert obj.dtype == before[3] and obj.name == before[4], ctx
        pd.testing.assert_series_equal(obj, before[1], check_exact=True, obj=ctx)
        assert obj.index.equals(before[2]) and obj.index.dtype == before[2].dtype, ctx
    elif before[0] == "index":
        assert obj.equals(before[1]) and obj.dtype == before[2], ctx
    else:
        assert after == before, f"{ctx}: input changed"


def check(
    ctx, data, method, window, *, center=True, min_periods=None, times=None, points=None, **params
):
    """The four verbs on `data` against the oracle; the data and times left unchanged."""
    kw = dict(params, window=window, center=center)
    if min_periods is not None:
        kw["min_periods"] = min_periods
    if times is not None:
        kw["times"] = times
    ref_times = times
    if ref_times is None and isinstance(data, pd.Series):
        ref_times = data.index
    r = ref.windowed(
        method,
        data,
        window,
        center=center,
        min_periods=min_periods or 1,
        times=ref_times,
        points=points,
        **params,
    )
    before = snapshot(data), snapshot(times)
    timelike = (
        np.asarray(data).dtype.kind in "mM"
        if not isinstance(data, pd.Series)
        else (data.dtype.kind in "mM")
    )
    compare(ctx, method, results(data, method, **kw), r, timelike)
    unchanged(ctx + " [data]", data, before[0])
    unchanged(ctx + " [times]", times, before[1])
    return r


# ================================================================ the oracle itself

SPANS = [
    "90s",
    "2min",
    "10min",
    "1h",
    pd.Timedelta("2500ms"),
    np.timedelta64(61, "s"),
    datetime.timedelta(seconds=30),
    pd.Timedelta(nanoseconds=60_000_000_001),
]


def test_reference_windows_are_the_definition():
    """The oracle's runs of positions are the sets the rule defines, pair by pair."""
    n = 120
    for unit in ["s", "ms", "ns"]:
        t = irregular_times(n, 1, unit)
        for span in SPANS:
            for center in (True, False):
                lo, hi = ref.window_ranges(n, span, center, t)
                for i in range(n):
                    want = ref.window_members(i, span, center, t)
                    np.testing.assert_array_equal(np.arange(lo[i], hi[i]), want, f"{span} {i}")
    for w in [2, 3, 4, 7, 8, 51, 1001]:
        for center in (True, False) if w % 2 else (False,):
            lo, hi = ref.window_ranges(30, w, center)
            for i in range(30):
                want = ref.window_members(i, w, center, n=30)
                np.testing.assert_array_equal(np.arange(lo[i], hi[i]), want, f"{w} {i}")


def test_reference_trailing_time_windows_are_pandas_closed_right():
    """Trailing time windows hold as many values as pandas' rolling(span, closed="right")."""
    n = 400
    for unit in ["s", "us", "ns"]:
        t = irregular_times(n, 2, unit)
        s = pd.Series(np.ones(n), index=pd.DatetimeIndex(t))
        for span in ["1s", "30s", "61s", "2min", "10min", "2h"]:
            lo, hi = ref.window_ranges(n, span, False, t)
            want = s.rolling(span, closed="right").count().to_numpy()
            np.testing.assert_array_equal(hi - lo, want, f"{unit} {span}")


@pytest.mark.parametrize("center", [True, False])
def test_reference_medians_are_pandas_rolling_medians(center):
    """pandas' rolling median returns the exact middle order statistic (or the mean of the
    two): on data with NaN it equals the oracle's median of each window's finite values."""
    x = values("noise", 500, 3)
    x[::13] = np.nan
    x[200:230] = np.nan
    s = pd.Series(x)
    for w in [3, 5, 21, 101] if center else [2, 3, 4, 20, 101]:
        want = s.rolling(w, center=center, min_periods=1).median().to_numpy()
        got = ref.windowed("mad", x, w, center=center).center
        np.testing.assert_array_equal(got, want, f"w={w}")
    t = irregular_times(500, 3)
    st = pd.Series(x, index=pd.DatetimeIndex(t))
    if not center:
        for span in ["90s", "10min"]:
            want = st.rolling(span, closed="right", min_periods=1).median().to_numpy()
            got = ref.windowed("mad", x, span, center=False, times=t).center
            np.testing.assert_array_equal(got, want, span)


@pytest.mark.parametrize("ddof", [0, 1])
def test_reference_moments_match_pandas_rolling_mean_and_std(ddof):
    x = values("noise", 600, 4)
    x[::11] = np.nan
    s = pd.Series(x)
    t = irregular_times(600, 4)
    st = pd.Series(x, index=pd.DatetimeIndex(t))
    cases = [(s, w, c, None) for w in (3, 21, 101) for c in (True, False)]
    cases += [(st, span, False, t) for span in ("2min", "10min")]
    for series, w, center, times in cases:
        roll = (
            series.rolling(w, center=center, min_periods=1)
            if times is None
            else (series.rolling(w, closed="right", min_periods=1))
        )
        r = ref.windowed("zscore", x, w, center=center, times=times, ddof=ddof, threshold=1.0)
        np.testing.assert_allclose(r.center, roll.mean().to_numpy(), rtol=1e-12, atol=1e-13)
        sigma = (r.upper - r.lower) / 2.0
        np.testing.assert_allclose(sigma, roll.std(ddof=ddof).to_numpy(), rtol=1e-9, atol=1e-12)


def test_reference_count_windows_are_the_hampel_oracle():
    """Centred count windows of hampel: the oracle written for hampel alone, bit for bit."""
    for kind in KINDS:
        x = values(kind, 150, 5)
        for w in [3, 7, 21, 101, 301]:
            a = ref.windowed("hampel", x, w, threshold=2.0)
            b = ref.reference("hampel", x, window=w, threshold=2.0)
            for name, u, v in zip("mask scores lower upper center".split(), a, b, strict=True):
                np.testing.assert_array_equal(u, v, f"{kind} w={w} {name}")


@pytest.mark.parametrize("method", ["zscore", "mad", "iqr", "quantile"])
def test_reference_whole_windows_are_the_global_oracle(method):
    """A window that holds every point makes every point's statistics the sample's."""
    for kind in KINDS:
        x = values(kind, 60, 6)
        t = irregular_times(60, 6)
        g = ref.reference(method, x, **NON_DEFAULT[method])
        for window, center, times in [(121, True, None), ("1000D", True, t), (60, False, None)]:
            r = ref.windowed(method, x, window, center=center, times=times, **NON_DEFAULT[method])
            # a trailing window grows: only the last point sees every value
            at = slice(None) if center else slice(-1, None)
            ctx = f"{kind} {window} {center}"
            for name in ("lower", "upper", "center"):
                want = np.broadcast_to(getattr(g, name), x.shape)[at]
                np.testing.assert_allclose(getattr(r, name)[at], want, rtol=1e-13, err_msg=ctx)
            np.testing.assert_allclose(
                r.scores[at], g.scores[at], rtol=1e-12, atol=1e-13, err_msg=ctx
            )
            np.testing.assert_array_equal((r.mask | r.near)[at], (g.mask | r.near)[at], ctx)


# ================================================================ the package against it

COUNT_WINDOWS = {True: [3, 7, 31], False: [2, 5, 30]}
TIME_WINDOWS = ["90s", "5min", "1h"]


@pytest.mark.parametrize("center", [True, False], ids=["centred", "trailing"])
@pytest.mark.parametrize("by", ["count", "time"])
@pytest.mark.parametrize("method", METHODS)
def test_windows_match_reference(method, by, center):
    n = 240
    t = irregular_times(n, 8)
    flagged = 0
    for k, kind in enumerate(KINDS):
        x = values(kind, n, 8)
        windows = COUNT_WINDOWS[center] if by == "count" else TIME_WINDOWS
        for j, window in enumerate(windows):
            params = NON_DEFAULT[method] if (j + k) % 2 else {}
            ctx = f"{method} {kind} window={window!r} center={center} {params}"
            times = t if by == "time" else None
            r = check(ctx, x, method, window, center=center, times=times, **params)
            flagged += int(r.mask.sum())
    assert flagged > 50, f"{method}: too few flags to test anything ({flagged})"


@pytest.mark.parametrize("method", METHODS)
def test_windows_ints_by_position_and_duration_agree_on_a_regular_grid(method):
    """On times one second apart, a centred "21s" window is the count window 21, and a trailing
    "20s" the trailing count window 20: the same results."""
    x = values("noise", 300, 9)
    t = T0 + np.arange(300).astype("timedelta64[s]")
    for by_time, by_count in [
        ({"window": "21s"}, {"window": 21}),
        ({"window": "20s", "center": False}, {"window": 20, "center": False}),
    ]:
        a = results(x, method, times=t, **by_time)
        b = results(x, method, **by_count)
        same_results(f"{method} {by_time}", method, a, b)


def test_windows_plateaus_and_ties():
    """Windows of equal values: sigma 0 (zscore scores 0), MAD 0 (mad falls back on the mean
    absolute deviation, hampel scores a different value inf), IQR 0 (iqr scores it inf)."""
    x = np.array([0.1] * 30 + [0.2] + [0.1] * 30 + [0.3, 0.1] * 10 + [1 / 3] * 25)
    for method in METHODS:
        for window, center in [(7, True), (6, False), (21, True), (2, False)]:
            r = check(f"{method} plateau {window} {center}", x, method, window, center=center)
            if method == "mad" and window == 7:
                assert not r.extra["exact"].all()  # the MeanAD fallback was taken
    # point 30 (0.2) among 0.1s: window 7 holds six 0.1s and itself
    s = {m: ol.scores(x, m, window=7)[30] for m in METHODS}
    np.testing.assert_allclose(s["mad"], 0.1 / (ref.MEANAD_SCALE * 0.1 / 7), rtol=1e-12)
    assert s["hampel"] == np.inf and s["iqr"] == np.inf
    assert 30 in ol.detect(x, "mad", window=7) and 30 in ol.detect(x, "hampel", window=7)
    assert (ol.scores(x, "zscore", window=7)[:27] == 0).all()  # constant windows: exactly 0
    assert (ol.scores(x, "zscore", window=5)[-20:] == 0).all()
    assert not ol.mask(x, "zscore", window=5)[-20:].any()


def four_windows(times, centred, trailing, span, trailing_span):
    """(window, center, times): a count and a span, each centred and trailing."""
    return [
        (centred, True, None),
        (trailing, False, None),
        (span, True, times),
        (trailing_span, False, times),
    ]


# ------------------------------------------------------------------ dtypes

DTYPES = ["float64", "float32", "int64", "int8", "uint8", "Float64", "datetime64"]


def typed(dtype, n, seed):
    """Data of one accepted kind, with missing values and outliers where the kind has them."""
    rng = np.random.default_rng([seed, n, DTYPES.index(dtype)])
    if dtype == "float64":
        return values("nonfinite", n, seed)
    if dtype == "float32":
        return values("nonfinite", n, seed).astype(np.float32) * np.float32(1.7)
    if dtype == "int64":
        x = 10**12 + rng.integers(-1000, 1001, n) * 10**6
        x[rng.choice(n, 4, replace=False)] = [-(2**62), 2**62, 9 * 10**15, -(10**15)]
        return x.astype(np.int64)
    if dtype == "int8":
        x = rng.integers(-3, 4, n)
        x[rng.choice(n, 6, replace=False)] = [-128, 127, 127, -128, 50, -50]
        return x.astype(np.int8)
    if dtype == "uint8":
        x = rng.integers(100, 104, n)
        x[rng.choice(n, 4, replace=False)] = [0, 255, 255, 0]
        return x.astype(np.uint8)
    if dtype == "Float64":  # a masked array: pd.NA is missing
        s = pd.Series(values("noise", n, seed), dtype="Float64")
        s[rng.random(n) < 0.15] = pd.NA
        s[10:30] = pd.NA
        return s
    if dtype == "datetime64":  # arrival times, some missing, a few far off
        gaps = rng.integers(50, 70, n).astype("timedelta64[s]")
        x = (T0 + np.cumsum(gaps)).astype("datetime64[us]")
        x[rng.choice(n, 5, replace=False)] = np.datetime64("NaT")
        x[rng.choice(n, 3, replace=False)] = np.datetime64("2031-01-01T00:00:00", "us")
        return x
    raise AssertionError(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("method", METHODS)
def test_windows_dtypes(method, dtype):
    n = 200
    x = typed(dtype, n, 13)
    t = irregular_times(n, 13, "ms")
    for window, center, times in four_windows(t, 7, 6, "5min", "5min"):
        ctx = f"{method} {dtype} window={window} center={center}"
        check(ctx, x, method, window, center=center, times=times)


# ------------------------------------------------------------------ min_periods


@pytest.mark.parametrize("method", METHODS)
def test_windows_min_periods(method):
    n = 200
    x = values("nonfinite", n, 14)
    t = irregular_times(n, 14)
    for mp in [1, 2, 4, 7, 8, 60]:
        for window, center, times in four_windows(t, 7, 10, "5min", "3min"):
            ctx = f"{method} min_periods={mp} window={window} center={center}"
            r = check(ctx, x, method, window, center=center, times=times, min_periods=mp)
            # too few finite values: no statistic, no flag, score NaN; +-inf always flagged
            few = r.extra["count"] < mp
            assert np.isnan(r.lower[few]).all() and np.isnan(r.scores[few & np.isfinite(x)]).all()
            assert (r.scores[np.isinf(x)] == np.inf).all() and r.mask[np.isinf(x)].all()
    # a window of 7 never holds 8 values: only the infinities are flagged, nothing has bounds
    s = ol.scores(x, method, window=7, min_periods=8)
    assert np.isnan(s[~np.isinf(x)]).all() and (s[np.isinf(x)] == np.inf).all()
    np.testing.assert_array_equal(ol.mask(x, method, window=7, min_periods=8), np.isinf(x))
    lo, hi = ol.bounds(x, method, window=7, min_periods=8)
    assert np.isnan(lo).all() and np.isnan(hi).all()
    # a huge min_periods is clamped, not refused
    np.testing.assert_array_equal(ol.mask(x, method, window=7, min_periods=10**30), np.isinf(x))


# ------------------------------------------------------------------ window sizes


@pytest.mark.parametrize("method", METHODS)
def test_windows_longer_than_the_data(method):
    for n in [1, 2, 3, 5, 10, 50]:
        x = values("noise", n, 15)
        t = irregular_times(n, 15)
        for window, center, times in [
            (2 * n + 1, True, None),
            (1001, True, None),
            (2**63 - 1, True, None),
            (n + 5, False, None),
            (2**63 - 1, False, None),
            ("3000D", True, t),
            ("3000D", False, t),
            (pd.Timedelta.max, True, t),
            (pd.Timedelta.max, False, t),
        ]:
            ctx = f"{method} n={n} window={window!r} center={center}"
            r = check(ctx, x, method, window, center=center, times=times)
            if center:  # every window holds every value: the sample's statistics everywhere
                assert np.unique(r.center).size == 1, ctx


@pytest.mark.parametrize("method", METHODS)
def test_windows_of_one_two_and_three_values(method):
    """The smallest windows: 3 centred, 2 trailing, and spans that hold one instant only (the
    point and its duplicates): a window of equal values flags nothing but the infinities."""
    n = 120
    x = values("nonfinite", n, 16)
    t = irregular_times(n, 16, "ns")
    for window, center, times in [
        (3, True, None),
        (2, False, None),
        ("1ns", True, t),
        ("1ns", False, t),
        ("2ns", True, t),
        ("999ms", True, t),
        ("1s", False, t),
        ("1001ms", False, t),
    ]:
        ctx = f"{method} window={window} center={center}"
        check(ctx, x, method, window, center=center, times=times)
    single = T0 + np.arange(n).astype("timedelta64[m]")  # one value per window
    np.testing.assert_array_equal(ol.mask(x, method, window="1s", times=single), np.isinf(x))
    s = ol.scores(x, method, window="30s", center=False, times=single)
    np.testing.assert_array_equal(
        s, np.where(np.isinf(x), np.inf, np.where(np.isnan(x), np.nan, 0.0))
    )


def _spread_points(n, k, seed, block_edges=()):
    """Some positions of n: both ends, around the given edges, and k random ones."""
    rng = np.random.default_rng(seed)
    pts = [np.arange(min(n, 40)), np.arange(max(0, n - 40), n), rng.choice(n, k, replace=False)]
    for e in block_edges:
        pts.append(np.arange(max(0, e - 3), min(n, e + 3)))
    return np.unique(np.concatenate(pts))


@pytest.mark.parametrize("method", METHODS)
def test_windows_long_windows(method):
    """Windows of hundreds and thousands of values (the sorted-window paths)."""
    n = 2500
    x = values("noise", n, 17)
    x[rng_positions(n, 60, 17)] = np.nan
    x[1200:1260] = 4.0  # a plateau inside the windows
    t = irregular_times(n, 17)
    for window, center, times in [
        (1001, True, None),
        (801, True, None),
        (1000, False, None),
        ("3h", True, t),
        ("5h", False, t),
    ]:
        ctx = f"{method} long window={window} center={center}"
        check(
            ctx, x, method, window, center=center, times=times, points=_spread_points(n, 400, 17)
        )


def rng_positions(n, k, seed):
    return np.random.default_rng([seed, 99]).choice(n, k, replace=False)


@pytest.mark.parametrize("method", METHODS)
def test_windows_very_long_windows_on_long_data(method):
    """~10^5 points, windows of 4001 and 32769 values and a span of ~40000 values; checked
    at the ends, around every 2^14 and 2^16 values and at random points."""
    n = 100_003
    rng = np.random.default_rng(18)
    x = 5.0 + rng.standard_normal(n) + np.sin(np.arange(n) / 3000.0)
    x[rng.choice(n, 500, replace=False)] = rng.normal(0, 30, 500)
    x[rng.choice(n, 300, replace=False)] = np.nan
    x[rng.choice(n, 30, replace=False)] = np.inf
    x[50_000:50_100] = 2.0
    t = T0 + np.arange(n).astype("timedelta64[s]")
    cases = [(4001, True, None), (32769, True, None), ("11h", False, t)]
    if method in ("zscore", "mad"):
        cases.append((40000, False, None))
    for window, center, times in cases:
        # the edges of the core's blocks today (16 windows, 4 beyond 32000 values, >= 2^14
        # points) and of any power-of-two blocking
        w = 39600 if times is not None else window
        block = max(2**14, (4 if w > 32000 else 16) * w)
        edges = list(range(block, n, block)) + list(range(2**14, n, 2**14))
        pts = _spread_points(n, 150, 18, edges)
        ctx = f"{method} n={n} window={window} center={center}"
        check(ctx, x, method, window, center=center, times=times, points=pts)


# ------------------------------------------------------------------ no drift


@pytest.mark.parametrize("center", [True, False], ids=["centred", "trailing"])
@pytest.mark.parametrize("by", ["count", "time"])
def test_windows_no_drift_after_huge_values_leave(by, center):
    """Values of 1e15 then unit-scale noise: once the huge values have left a window, its mean
    and standard deviation are those of its own values to 1e-12 (running sums would keep an
    error of the huge values' rounding, ~0.1 here, for ever)."""
    n = 4000
    rng = np.random.default_rng(19)
    x = rng.standard_normal(n)
    x[:400] = 1e15 + 1e3 * rng.standard_normal(400)
    x[2000:2003] = [1e15, -3e15, 1e15]  # and a few more that come and go
    x[3000::97] = 1e15
    t = T0 + (np.arange(n) * 2).astype("timedelta64[s]")  # every 2 s
    window = (101 if center else 100) if by == "count" else ("202s" if center else "200s")
    times = t if by == "time" else None
    for method, params in [
        ("zscore", {}),
        ("zscore", {"ddof": 1, "threshold": 2.0}),
        ("mad", {}),
        ("iqr", {}),
    ]:
        ctx = f"{method} {params} drift window={window} center={center}"
        r = check(ctx, x, method, window, center=center, times=times, **params)
        lo, hi = ol.bounds(x, method, window=window, center=center, times=times, **params)
        calm = (r.extra["size"] < 10) & (np.arange(n) > 400)
        assert calm.sum() > 1000, ctx
        np.testing.assert_allclose(lo[calm], r.lower[calm], rtol=1e-12, atol=0, err_msg=ctx)
        np.testing.assert_allclose(hi[calm], r.upper[calm], rtol=1e-12, atol=0, err_msg=ctx)


# ------------------------------------------------------------------ times


def _probe(times, window, center=True):
    """Each point's window read back through the package: on the values 0, 1, 2, ..., the
    quantiles 0 and 1 of a window are its first and last positions."""
    x = np.arange(len(times), dtype=np.float64)
    lo, hi = ol.bounds(x, "quantile", low=0.0, high=1.0, window=window, center=center, times=times)
    return lo.astype(np.int64), hi.astype(np.int64) + 1


def _probe_matches(ctx, times, window, center, ref_times=None):
    want = ref.window_ranges(len(times), window, center, times if ref_times is None else ref_times)
    got = _probe(times, window, center)
    for a, b, name in zip(got, want, ("first", "last + 1"), strict=True):
        bad = np.flatnonzero(a != b)
        assert bad.size == 0, (
            f"{ctx}: window {name} differ at {bad[:8].tolist()}: "
            f"{a[bad[:8]].tolist()} != {b[bad[:8]].tolist()}"
        )


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_windows_membership_at_the_edges(unit):
    """Edges fall exactly on times: a centred span holds the times exactly span/2 away, a
    trailing span never the time exactly span before, nor any later position (duplicates)."""
    t = irregular_times(500, 20, unit)
    for span in SPANS + ["30s", "60s", "1min", "59999999999ns", "60000000001ns", "15s", "1ns"]:
        for center in (True, False):
            _probe_matches(f"{unit} {span!r} center={center}", t, span, center)
    grid = (T0 + np.arange(50).astype("timedelta64[m]")).astype(f"datetime64[{unit}]")
    lo, hi = _probe(grid, "2min")  # +-1 min: the neighbours exactly one minute away
    np.testing.assert_array_equal(hi - lo, [2] + [3] * 48 + [2])
    lo, hi = _probe(grid, "1min", center=False)  # the point only: 1 min back is out
    np.testing.assert_array_equal(hi - lo, np.ones(50))
    lo, hi = _probe(grid, "61s", center=False)
    np.testing.assert_array_equal(hi - lo, [1] + [2] * 49)


def test_windows_times_in_every_form_give_the_same_results():
    n = 300
    x = values("nonfinite", n, 21)
    t = irregular_times(n, 21, "ns")
    forms = {
        "ndarray ns": t,
        "ndarray s": t.astype("datetime64[s]"),
        "ndarray us readonly": _readonly(t.astype("datetime64[us]")),
        "strided": np.repeat(t, 2)[::2],
        "DatetimeIndex": pd.DatetimeIndex(t),
        "Series": pd.Series(t, index=np.arange(n)[::-1]),
        "tz-aware index": pd.DatetimeIndex(t).tz_localize("UTC").tz_convert("Asia/Kolkata"),
        "tz-aware Series": pd.Series(pd.DatetimeIndex(t).tz_localize("America/Sao_Paulo")),
        "timedelta64": t - t[0],
        "TimedeltaIndex": pd.TimedeltaIndex(t - np.datetime64("2020-01-01")),
    }
    for method in METHODS:
        for window, center in [("5min", True), ("90s", False)]:
            want = None
            for name, times in forms.items():
                ctx = f"{method} {window} center={center} times={name}"
                r = ref.windowed(method, x, window, center=center, times=times)
                before = snapshot(times)
                got = results(x, method, window=window, center=center, times=times)
                compare(ctx, method, got, r)
                unchanged(ctx, times, before)
                want = got if want is None else want  # every form: the same gaps
                same_results(ctx, method, got, want)


def _readonly(a):
    a = a.copy()
    a.flags.writeable = False
    return a


@pytest.mark.parametrize(
    "zone,day",
    [
        ("Europe/Berlin", "2024-03-31"),
        ("Europe/Berlin", "2024-10-27"),
        ("America/New_York", "2024-11-03"),
        ("Australia/Lord_Howe", "2024-04-07"),
    ],
)
def test_windows_tz_aware_times_across_daylight_saving(zone, day):
    """Times compared as instants: across the change of a day, 15-minute steps stay 15
    minutes apart (the wall clock jumps or goes back, and may repeat an hour)."""
    local = pd.date_range(f"{day} 00:00", periods=200, freq="15min", tz="UTC").tz_convert(zone)
    local = local - pd.Timedelta(hours=2)
    utc = local.tz_convert("UTC")
    x = values("noise", 200, 22)
    s = pd.Series(x, index=local)
    for window, center in [("1h", True), ("1h", False), ("45min", True), ("3h", False)]:
        _probe_matches(f"{zone} {window} {center}", local, window, center, utc)
        for method in ("mad", "zscore"):
            a = results(x, method, window=window, center=center, times=local)
            b = results(x, method, window=window, center=center, times=utc.tz_localize(None))
            c = results(s, method, window=window, center=center)  # the index itself
            same_results(f"{zone} {window} {center} {method}", method, a, b)
            same_results(f"{zone} {window} {center} {method} index", method, c, b)
    assert s.index.equals(local) and s.index.tz is not None


def test_windows_times_are_ignored_by_count_windows():
    x = values("noise", 100, 23)
    t = irregular_times(100, 23)
    for method in METHODS:
        want = results(x, method, window=7)
        for times in [t, pd.DatetimeIndex(t), t[::-1]]:
            got = results(x, method, window=7, times=times)
            for a, b in zip(got, want, strict=True):  # the same call: the same bits
                np.testing.assert_array_equal(a, b, method)
    # and by the whole-sample methods
    np.testing.assert_array_equal(ol.mask(x, "mad", times=t), ol.mask(x, "mad"))


def test_windows_np_timedelta64_is_a_span_not_a_count():
    """np.timedelta64 is a numpy integer type: 61 seconds must not become 61 positions."""
    x = values("noise", 300, 24)
    t = irregular_times(300, 24)
    a = results(x, "mad", window=np.timedelta64(61, "s"), times=t)
    b = results(x, "mad", window="61s", times=t)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    check("np.timedelta64(61, s)", x, "mad", np.timedelta64(61, "s"), times=t)


# ------------------------------------------------------------------ accessors, Detector, clean


def _series_case(n=300, seed=25):
    t = irregular_times(n, seed)
    x = values("nonfinite", n, seed)
    return pd.Series(x, index=pd.DatetimeIndex(t), name="v"), x, t


@pytest.mark.parametrize("method", METHODS)
def test_windows_series_accessor_reads_the_datetimeindex(method):
    s, x, t = _series_case()
    before = snapshot(s)
    for window, center in [("5min", True), ("2min", False), (9, True), (4, False)]:
        ctx = f"{method} accessor window={window} center={center}"
        r = ref.windowed(method, x, window, center=center, times=t)
        acc = s.outliers
        kw = {"window": window, "center": center}
        mask = acc.mask(method, **kw)
        scores = acc.scores(method, **kw)
        b = acc.bounds(method, **kw)
        for out in (mask, scores, b):
            assert out.index.equals(s.index), ctx
        assert list(b.columns) == ["lower", "upper"], ctx
        got = (
            np.flatnonzero(mask.to_numpy()),
            mask.to_numpy(),
            scores.to_numpy(),
            b["lower"].to_numpy(),
            b["upper"].to_numpy(),
        )
        compare(ctx, method, got, r)
        flagged = mask.to_numpy()
        pd.testing.assert_series_equal(acc.detect(method, **kw), s[flagged])
        rep = acc.report(method, **kw)
        np.testing.assert_array_equal(rep["position"].to_numpy(), np.flatnonzero(flagged))
        np.testing.assert_array_equal(rep["lower"].to_numpy(), b["lower"].to_numpy()[flagged])
        np.testing.assert_array_equal(rep["upper"].to_numpy(), b["upper"].to_numpy()[flagged])
        # the functional verbs read the index of a Series too
        compare(ctx + " [ol.*]", method, results(s, method, **kw), r)
        _check_clean(ctx, s, method, kw, r, flagged, b)
    unchanged(f"{method} accessor", s, before)


def _check_clean(ctx, s, method, kw, r, flagged, b):
    """clean(how="center") puts each flagged point's own window center; "clip" its bounds."""
    x = s.to_numpy(dtype=np.float64)
    c = s.outliers.clean("center", method, **kw).to_numpy()
    keep = ~flagged
    np.testing.assert_array_equal(c[keep], x[keep], ctx)
    fin = flagged & np.isfinite(r.center)
    if method == "zscore":
        np.testing.assert_allclose(c[fin], r.center[fin], rtol=1e-12, err_msg=ctx)
    else:
        np.testing.assert_array_equal(c[fin], r.center[fin], ctx)
    clip = s.outliers.clean("clip", method, **kw).to_numpy()
    np.testing.assert_array_equal(clip[keep], x[keep], ctx)
    lo, hi = b["lower"].to_numpy(), b["upper"].to_numpy()
    fin = flagged & np.isfinite(lo) & np.isfinite(hi)
    np.testing.assert_array_equal(clip[fin], np.minimum(np.maximum(x[fin], lo[fin]), hi[fin]))
    assert fin.sum() > 0 or not flagged.any(), ctx


@pytest.mark.parametrize("method", METHODS)
def test_windows_frame_accessor_per_column(method):
    n = 250
    t = irregular_times(n, 26)
    cols = {
        "a": values("nonfinite", n, 26),
        "b": typed("int64", n, 26),
        "c": typed("Float64", n, 26),
        "d": values("ties", n, 26).astype(np.float32),
    }
    df = pd.DataFrame(cols, index=pd.DatetimeIndex(t))
    df["text"] = "x"  # not numeric: skipped
    before = df.copy(deep=True)
    for window, center in [("5min", True), ("3min", False), (7, True), (6, False)]:
        kw = {"window": window, "center": center, "min_periods": 2}
        mask = df.outliers.mask(method, **kw)
        scores = df.outliers.scores(method, **kw)
        b = df.outliers.bounds(method, **kw)
        assert list(mask.columns) == list(cols), mask.columns
        for col in cols:
            ctx = f"{method} frame column {col} window={window} center={center}"
            r = ref.windowed(method, df[col], window, center=center, times=t, min_periods=2)
            m = mask[col].to_numpy()
            got = (
                np.flatnonzero(m),
                m,
                scores[col].to_numpy(),
                b[(col, "lower")].to_numpy(),
                b[(col, "upper")].to_numpy(),
            )
            compare(ctx, method, got, r)
        rows = mask.any(axis=1).to_numpy()
        pd.testing.assert_frame_equal(df.outliers.detect(method, **kw), df[rows])
    pd.testing.assert_frame_equal(df, before)


@pytest.mark.parametrize("method", METHODS)
def test_windows_detector(method):
    """A Detector keeps the window; times belong to the data: given per call, or the index."""
    s, x, t = _series_case(200, 27)
    for kw, data, call in [
        ({"window": 11}, x, {}),
        ({"window": 10, "center": False, "min_periods": 3}, x, {}),
        ({"window": "10min"}, x, {"times": t}),
        ({"window": "4min", "center": False}, s, {}),
    ]:
        ctx = f"{method} Detector {kw} {list(call)}"
        r = ref.windowed(
            method,
            x,
            kw["window"],
            center=kw.get("center", True),
            min_periods=kw.get("min_periods", 1),
            times=t,
            **NON_DEFAULT[method],
        )
        with ol.Detector(method, **NON_DEFAULT[method], **kw) as d:
            lo, hi = d.bounds(data, **call)
            got = (d.detect(data, **call), d.mask(data, **call), d.scores(data, **call), lo, hi)
            compare(ctx, method, got, r)
    with pytest.raises(TypeError, match="times"):
        ol.Detector(method, window="1h", times=t)


# ------------------------------------------------------------------ inputs never changed


def test_windows_inputs_never_changed():
    n = 400
    t = irregular_times(n, 28, "ns")
    base = values("nonfinite", n, 28)
    inputs = {
        "contiguous": base.copy(),
        "readonly": _readonly(base),
        "strided": np.repeat(base, 3)[::3],
        "reversed": base[::-1].copy()[::-1],
        "bigendian": base.astype(">f8"),
        "int8": typed("int8", n, 28),
        "masked": typed("Float64", n, 28),
        "series": pd.Series(base, index=pd.DatetimeIndex(t).tz_localize("Europe/Paris")),
    }
    times_forms = [t, _readonly(t), pd.DatetimeIndex(t), pd.Series(t), np.repeat(t, 2)[::2]]
    for name, data in inputs.items():
        for k, times in enumerate(times_forms):
            for method in ("mad", "zscore"):
                kw = {"window": "5min", "center": k % 2 == 0}
                if name != "series":
                    kw["times"] = times
                ctx = f"{name} times #{k} {method}"
                before = snapshot(data), snapshot(times)
                r = ref.windowed(
                    method,
                    data,
                    "5min",
                    center=kw["center"],
                    times=data.index if name == "series" else times,
                )
                compare(ctx, method, results(data, method, **kw), r)
                unchanged(ctx + " data", data, before[0])
                unchanged(ctx + " times", times, before[1])


# ------------------------------------------------------------------ pandas, where it is exact


def test_windows_trailing_spans_hold_what_pandas_rolling_counts():
    for unit in ("s", "ns"):
        t = irregular_times(600, 29, unit)
        s = pd.Series(np.ones(600), index=pd.DatetimeIndex(t))
        for span in ["1s", "30s", "61s", "5min", "1h"]:
            lo, hi = _probe(t, span, center=False)
            want = s.rolling(span, closed="right").count().to_numpy()
            np.testing.assert_array_equal(hi - lo, want, f"{unit} {span}")


@pytest.mark.parametrize("center", [True, False])
def test_windows_centers_are_pandas_rolling_medians(center):
    """mad's center (put in place by clean(how="center")) is pandas' rolling median."""
    x = values("noise", 500, 30)
    x[::17] = np.nan
    s = pd.Series(x)
    for w in [5, 21, 101] if center else [4, 20, 100]:
        flagged = ol.mask(x, "mad", threshold=0.5, window=w, center=center)
        assert flagged.sum() > 50
        cleaned = s.outliers.clean("center", "mad", threshold=0.5, window=w, center=center)
        want = s.rolling(w, center=center, min_periods=1).median()
        np.testing.assert_array_equal(cleaned[flagged].to_numpy(), want[flagged].to_numpy())
