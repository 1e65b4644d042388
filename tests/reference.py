"""Slow, obviously correct numpy oracles of the built-in methods (SPEC §3, §4).

Written straight from the definitions, with no attempt at speed: convert to
float64, keep the finite values for every statistic, use ``np.median`` /
``np.percentile`` / ``np.quantile`` (linear) / ``np.std``, a Python loop over
the windows for hampel and a naive loop for the generalized ESD.

Every oracle returns a :class:`Result`, a 5-tuple ``(mask, scores, lower,
upper, center)``; ``lower``/``upper``/``center`` are floats, or float64
arrays for hampel. ``Result.near`` marks the points whose flag may
legitimately differ from the oracle because their score is within 1e-9
(relative) of the threshold (SPEC §4).

The second half of the module holds the comparison helpers the tests share.
"""

from __future__ import annotations

import math

import numpy as np

MAD_SCALE = 1.482602218505602
MEANAD_SCALE = 1.2533141373155003
REL = 1e-9  # SPEC §4: "within 1e-9 (relative) of the threshold"

DEFAULTS = {
    "zscore": {"threshold": 3.0, "ddof": 0},
    "mad": {"threshold": 3.5},
    "iqr": {"k": 1.5},
    "quantile": {"low": 0.01, "high": 0.99},
    "hampel": {"window": 7, "threshold": 3.0},
    "esd": {"max_outliers": 10, "alpha": 0.05},
}

NAN = float("nan")
INF = float("inf")


class Result(tuple):
    """``(mask, scores, lower, upper, center)`` plus ``near`` and ``extra``."""

    def __new__(cls, mask, scores, lower, upper, center, near, extra=None):
        self = tuple.__new__(cls, (mask, scores, lower, upper, center))
        self.near = near
        self.extra = extra if extra is not None else {}
        return self

    mask = property(lambda self: self[0])
    scores = property(lambda self: self[1])
    lower = property(lambda self: self[2])
    upper = property(lambda self: self[3])
    center = property(lambda self: self[4])


def _prepare(x):
    v = np.asarray(x).astype(np.float64)  # native float64 copy, any dtype/byte order/strides
    if v.ndim != 1:
        raise ValueError("1-D only")
    finite = np.isfinite(v)
    infinite = np.isinf(v)
    return v, finite, infinite


def _assemble(v, finite, infinite, finite_scores, finite_flags):
    """SPEC §3: NaN -> score NaN, never flagged; +-inf -> score +inf, always flagged."""
    scores = np.full(v.shape, np.nan)
    scores[finite] = finite_scores
    scores[infinite] = np.inf
    mask = np.zeros(v.shape, dtype=bool)
    mask[finite] = finite_flags
    mask[infinite] = True
    return mask, scores


def _all_equal(f):
    return f.size > 0 and bool(np.all(f == f[0]))


def _near_score(scores, threshold):
    """Finite scores within 1e-9 (relative) of a positive threshold."""
    with np.errstate(invalid="ignore"):
        return np.isfinite(scores) & (np.abs(scores - threshold) <= REL * threshold)


def _near_bounds(v, finite, lower, upper, width):
    """Finite values within 1e-9 * width of either bound (strictly), width > 0."""
    near = np.zeros(v.shape, dtype=bool)
    if width > 0 and math.isfinite(width):
        tol = REL * width
        near[finite] = (np.abs(v[finite] - lower) < tol) | (np.abs(v[finite] - upper) < tol)
    return near


# ---------------------------------------------------------------- zscore
def zscore(x, threshold=3.0, ddof=0):
    v, finite, infinite = _prepare(x)
    f = v[finite]
    n = f.size
    s = np.zeros(n)
    flags = np.zeros(n, dtype=bool)
    lower = upper = center = NAN
    if n > 0:
        # Exact for constant data, whatever the summation order.
        mu = float(f[0]) if _all_equal(f) else float(np.mean(f))
        center = mu
        if n - ddof > 0:
            sigma = 0.0 if _all_equal(f) else float(np.std(f, ddof=ddof))
            lower, upper = mu - threshold * sigma, mu + threshold * sigma
            if sigma > 0:
                s = np.abs(f - mu) / sigma
                flags = s > threshold
    mask, scores = _assemble(v, finite, infinite, s, flags)
    return Result(mask, scores, lower, upper, center, _near_score(scores, threshold))


# ---------------------------------------------------------------- mad
def mad(x, threshold=3.5):
    v, finite, infinite = _prepare(x)
    f = v[finite]
    n = f.size
    s = np.zeros(n)
    flags = np.zeros(n, dtype=bool)
    lower = upper = center = NAN
    if n > 0:
        m = float(np.median(f))
        dev = np.abs(f - m)
        mad_ = float(np.median(dev))
        if mad_ > 0:
            scale = MAD_SCALE * mad_
        else:
            scale = MEANAD_SCALE * float(np.mean(dev))
        if scale > 0:
            s = dev / scale
            flags = s > threshold
        center = m
        lower, upper = m - threshold * scale, m + threshold * scale
    mask, scores = _assemble(v, finite, infinite, s, flags)
    return Result(mask, scores, lower, upper, center, _near_score(scores, threshold))


# ---------------------------------------------------------------- iqr
def _outside_scores(f, lo, hi):
    """distance outside [lo, hi] / (hi - lo); inf outside / 0 inside when hi == lo."""
    d = np.maximum(np.maximum(lo - f, f - hi), 0.0)
    w = hi - lo
    if w > 0:
        return d / w
    return np.where(d > 0, np.inf, 0.0)


def iqr(x, k=1.5):
    v, finite, infinite = _prepare(x)
    f = v[finite]
    n = f.size
    s = np.zeros(n)
    flags = np.zeros(n, dtype=bool)
    lower = upper = center = NAN
    width = 0.0
    if n > 0:
        q1, q3 = (float(q) for q in np.percentile(f, [25, 75]))
        iqr_ = q3 - q1
        lower, upper = q1 - k * iqr_, q3 + k * iqr_
        s = _outside_scores(f, q1, q3)
        flags = (f < lower) | (f > upper)
        center = float(np.median(f))
        width = k * iqr_ if k > 0 else iqr_
    mask, scores = _assemble(v, finite, infinite, s, flags)
    near = _near_bounds(v, finite, lower, upper, width)
    return Result(mask, scores, lower, upper, center, near)


# ---------------------------------------------------------------- quantile
def quantile(x, low=0.01, high=0.99):
    v, finite, infinite = _prepare(x)
    f = v[finite]
    n = f.size
    s = np.zeros(n)
    flags = np.zeros(n, dtype=bool)
    lower = upper = center = NAN
    width = 0.0
    if n > 0:
        lower, upper = (float(q) for q in np.quantile(f, [low, high]))
        s = _outside_scores(f, lower, upper)
        flags = (f < lower) | (f > upper)
        center = float(np.median(f))
        width = upper - lower
    mask, scores = _assemble(v, finite, infinite, s, flags)
    near = _near_bounds(v, finite, lower, upper, width)
    # A value exactly equal to a quantile that sits on a run of equal order statistics
    # (or is the minimum / maximum) is not ambiguous: every linear interpolation gives
    # that value exactly, so such a point must not be flagged (strict <, >).
    for q, bound in ((low, lower), (high, upper)):
        if n and _pinned(np.sort(f), q):
            near[finite & (v == bound)] = False
    return Result(mask, scores, lower, upper, center, near)


def _pinned(sorted_f, q):
    n = sorted_f.size
    if q == 0.0 or q == 1.0:
        return True
    idx = q * (n - 1)
    i0 = max(0, math.floor(idx - 1e-9))
    i1 = min(n - 1, math.ceil(idx + 1e-9))
    return bool(sorted_f[i0] == sorted_f[i1])


# ---------------------------------------------------------------- hampel
def hampel(x, window=7, threshold=3.0):
    v, finite, infinite = _prepare(x)
    n = v.size
    h = window // 2
    med = np.full(n, np.nan)
    spread = np.full(n, np.nan)
    for i in range(n):
        w = v[max(0, i - h) : i + h + 1]  # cut at the array's ends
        w = w[np.isfinite(w)]
        if w.size == 0:
            continue
        m = float(np.median(w))
        med[i] = m
        spread[i] = MAD_SCALE * float(np.median(np.abs(w - m)))
    scores = np.full(n, np.nan)
    mask = np.zeros(n, dtype=bool)
    for i in range(n):
        if np.isinf(v[i]):
            scores[i] = np.inf
            mask[i] = True
        elif np.isfinite(v[i]):
            d = abs(v[i] - med[i])
            if spread[i] > 0:
                scores[i] = d / spread[i]
            else:
                scores[i] = np.inf if d > 0 else 0.0
            mask[i] = d > threshold * spread[i]
    lower = med - threshold * spread
    upper = med + threshold * spread
    near = np.zeros(n, dtype=bool)
    pos = finite & (spread > 0)
    near[pos] = _near_score(scores[pos], threshold)
    return Result(mask, scores, lower, upper, med, near)


# ---------------------------------------------------------------- esd
def esd_lambda(n, i, alpha):
    """Rosner's critical value lambda_i for n finite values; NaN when undefined."""
    from scipy import stats

    df = n - i - 1
    if df < 1:
        return NAN
    p = 1.0 - alpha / (2.0 * (n - i + 1))
    t = float(stats.t.ppf(p, df))
    return (n - i) * t / math.sqrt((df + t * t) * (n - i + 1))


def _mean_std(vals):
    if vals.size == 0:
        return NAN, NAN
    if _all_equal(vals):
        return float(vals[0]), (0.0 if vals.size >= 2 else NAN)
    return float(np.mean(vals)), float(np.std(vals, ddof=1))


def esd_steps(x, max_outliers=10, alpha=0.05):
    """The generalized ESD procedure step by step (naive recomputation).

    Returns a dict with ``R`` and ``lam`` (lists, i = 1..r), ``removed`` (the
    original positions, in removal order), ``k`` (number of outliers),
    ``mean_k``, ``s_k``, ``lam_next`` (lambda_{k+1}) and ``n``.
    """
    v, finite, _ = _prepare(x)
    pos = np.flatnonzero(finite)
    vals = v[finite]
    n = vals.size
    r = min(max_outliers, n - 2) if n >= 3 else 0
    remaining = list(range(n))  # indices into vals, in position order
    R, lam, removed = [], [], []
    for i in range(1, r + 1):
        cur = vals[remaining]
        mean, s = _mean_std(cur)
        if s > 0:
            dev = np.abs(cur - mean)
            j = int(np.argmax(dev))  # the first of equal deviations, in position order
            R.append(float(dev[j] / s))
        else:  # every remaining value is equal: nothing stands out
            j = 0
            R.append(0.0)
        removed.append(int(pos[remaining.pop(j)]))
        lam.append(esd_lambda(n, i, alpha))
    k = max([i for i in range(1, r + 1) if R[i - 1] > lam[i - 1]], default=0)
    keep = np.ones(v.size, dtype=bool)
    keep[removed[:k]] = False
    left = v[finite & keep]
    mean_k, s_k = _mean_std(left)
    lam_next = esd_lambda(n, k + 1, alpha) if n >= 1 else NAN
    return {
        "n": n,
        "R": R,
        "lam": lam,
        "removed": removed,
        "k": k,
        "mean_k": mean_k,
        "s_k": s_k,
        "lam_next": lam_next,
    }


def esd(x, max_outliers=10, alpha=0.05):
    v, finite, infinite = _prepare(x)
    st = esd_steps(v, max_outliers, alpha)
    scores = np.where(finite, 0.0, np.nan)
    scores[infinite] = np.inf
    scores[st["removed"]] = st["R"]
    mask = infinite.copy()
    mask[st["removed"][: st["k"]]] = True
    with np.errstate(invalid="ignore"):
        lower = st["mean_k"] - st["lam_next"] * st["s_k"]
        upper = st["mean_k"] + st["lam_next"] * st["s_k"]
    near = np.zeros(v.size, dtype=bool)
    if any(abs(R - lam) <= REL * lam for R, lam in zip(st["R"], st["lam"], strict=True)):
        # The number of outliers itself is ambiguous: any removed value may differ.
        near[st["removed"]] = True
    return Result(mask, scores, float(lower), float(upper), st["mean_k"], near, st)


ORACLES = {
    "zscore": zscore,
    "mad": mad,
    "iqr": iqr,
    "quantile": quantile,
    "hampel": hampel,
    "esd": esd,
}


def reference(method, x, **params):
    """The oracle of ``method`` with the SPEC defaults filled in."""
    full = dict(DEFAULTS[method])
    full.update(params)
    with np.errstate(all="ignore"):
        return ORACLES[method](x, **full)


# ================================================================ comparison helpers
SCORE_RTOL = 1e-9
SCORE_ATOL = 1e-11  # scores are scale-free; covers rounding of the center near zero scores
BOUND_RTOL = 1e-9
BOUND_ATOL_REL = 1e-12  # absolute tolerance of bounds, relative to max |finite value|


def _fail(ctx, what, got, want, extra=""):
    raise AssertionError(f"{ctx}: {what}\n  got:  {got!r}\n  want: {want!r}{extra}")


def check_mask(ctx, got, ref):
    got = np.asarray(got)
    if got.dtype != np.bool_ or got.shape != ref.mask.shape:
        _fail(ctx, "mask dtype/shape", (got.dtype, got.shape), (np.bool_, ref.mask.shape))
    diff = (got != ref.mask) & ~ref.near
    if diff.any():
        idx = np.flatnonzero(diff)[:10]
        _fail(
            ctx,
            f"flags differ at positions {idx.tolist()}",
            got[idx].tolist(),
            ref.mask[idx].tolist(),
            f"\n  ref scores there: {ref.scores[idx].tolist()}",
        )


def check_positions(ctx, got, ref):
    got = np.asarray(got)
    if got.dtype != np.int64 or got.ndim != 1:
        _fail(ctx, "positions dtype/ndim", (got.dtype, got.ndim), (np.int64, 1))
    if got.size > 1 and not np.all(np.diff(got) > 0):
        _fail(ctx, "positions not strictly ascending", got.tolist(), "ascending")
    n = ref.mask.size
    if got.size and (got[0] < 0 or got[-1] >= n):
        _fail(ctx, "positions out of range", got.tolist(), f"[0, {n})")
    as_mask = np.zeros(n, dtype=bool)
    as_mask[got] = True
    check_mask(ctx + " [detect]", as_mask, ref)


def assert_close(ctx, what, got, want, rtol, atol):
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        _fail(ctx, f"{what} shape", got.shape, want.shape)
    gnan, wnan = np.isnan(got), np.isnan(want)
    if not np.array_equal(gnan, wnan):
        idx = np.flatnonzero(gnan != wnan)[:10]
        _fail(ctx, f"{what}: NaN at different places {idx.tolist()}", got[idx], want[idx])
    ginf, winf = np.isinf(got), np.isinf(want)
    if not np.array_equal(ginf, winf) or not np.array_equal(got[ginf], want[winf]):
        idx = np.flatnonzero((ginf != winf) | (ginf & (got != want)))[:10]
        _fail(ctx, f"{what}: inf at different places {idx.tolist()}", got[idx], want[idx])
    fin = np.isfinite(want)
    with np.errstate(invalid="ignore"):
        bad = fin & ~(np.abs(got - want) <= atol + rtol * np.abs(want))
    if bad.any():
        idx = np.flatnonzero(bad)[:10]
        _fail(ctx, f"{what} differ at {idx.tolist()}", got[idx].tolist(), want[idx].tolist())


def check_scores(ctx, got, ref):
    got = np.asarray(got)
    if got.dtype != np.float64 or got.shape != ref.scores.shape:
        _fail(ctx, "scores dtype/shape", (got.dtype, got.shape), (np.float64, ref.scores.shape))
    assert_close(ctx, "scores", got, ref.scores, SCORE_RTOL, SCORE_ATOL)


def _bound_atol(data):
    v = np.asarray(data).astype(np.float64)
    f = np.abs(v[np.isfinite(v)])
    return BOUND_ATOL_REL * float(f.max()) if f.size else 0.0


def check_bounds(ctx, got, ref, data, per_point=False):
    if not isinstance(got, tuple) or len(got) != 2:
        _fail(ctx, "bounds must be a (lower, upper) tuple", type(got), tuple)
    lo, hi = got
    atol = _bound_atol(data)
    if per_point:
        for name, g in (("lower", lo), ("upper", hi)):
            if not isinstance(g, np.ndarray) or g.dtype != np.float64:
                _fail(ctx, f"{name} bound must be a float64 array", type(g), np.ndarray)
    else:
        for name, g in (("lower", lo), ("upper", hi)):
            if not isinstance(g, (float, np.floating)):
                _fail(ctx, f"{name} bound must be a float scalar", type(g), float)
    assert_close(ctx, "lower bound", lo, ref.lower, BOUND_RTOL, atol)
    assert_close(ctx, "upper bound", hi, ref.upper, BOUND_RTOL, atol)


# ================================================================ windows
# Each point judged by the statistics of its own window: the window's positions by the rule of
# the docs (count or time, centred or trailing), then the method's statistics over the finite
# values found there, one point at a time. Times are compared as integers of nanoseconds, never
# as floats, so that a window edge falling exactly on a time is decided exactly.
def _is_count(window) -> bool:
    # np.timedelta64 is a numpy integer type too: a duration all the same
    if isinstance(window, (bool, np.bool_, np.timedelta64)):
        return False
    return isinstance(window, (int, np.integer))


def time_ns(times) -> np.ndarray:
    """Times (datetime64 / timedelta64 of any unit, tz-aware or not) as int64 nanoseconds."""
    import pandas as pd

    if isinstance(getattr(times, "dtype", None), pd.DatetimeTZDtype):
        times = pd.DatetimeIndex(times).tz_convert("UTC").tz_localize(None)  # the instants
    arr = np.asarray(times)
    if arr.dtype.kind == "M":
        return arr.astype("datetime64[ns]").view(np.int64)
    if arr.dtype.kind == "m":
        return arr.astype("timedelta64[ns]").view(np.int64)
    raise TypeError(f"times of dtype {arr.dtype}")


def span_ns(span) -> int:
    """A fixed duration in integer nanoseconds."""
    import pandas as pd

    return int(pd.Timedelta(span).as_unit("ns").value)


def window_ranges(n, window, center=True, times=None):
    """Each point's window as the positions ``lo[i] <= j < hi[i]`` (two int64 arrays).

    ``window`` is a count (an int) or a duration (then ``times`` holds each point's time).
    Count, centred: i-h .. i+h with h = w // 2; count, trailing: i-w+1 .. i; both cut at the
    ends. Time, centred: ``2 |t_j - t_i| <= span``; time, trailing: ``j <= i`` and
    ``t_i - t_j < span``, in nanoseconds. Times being non-decreasing, each window is a run of
    positions, found here by ``np.searchsorted``; ``window_members`` is the definition itself,
    point by point, and the tests check that both agree.
    """
    i = np.arange(n, dtype=np.int64)
    if _is_count(window):
        w = int(window)
        if center:
            h = w // 2
            return np.maximum(i - h, 0), np.minimum(i + h + 1, n)
        return np.maximum(i - w + 1, 0), i + 1
    t = time_ns(times)
    span = span_ns(window)
    if center:
        reach = span // 2  # for integers, 2|d| <= span  <=>  |d| <= span // 2
        lo = np.searchsorted(t, _shifted(t, -reach), side="left")
        hi = np.searchsorted(t, _shifted(t, reach), side="right")
        return lo.astype(np.int64), hi.astype(np.int64)
    # t_i - t_j < span  <=>  t_j > t_i - span
    lo = np.searchsorted(t, _shifted(t, -span), side="right")
    return lo.astype(np.int64), i + 1


def _shifted(t, d):
    """t + d for int64 t, saturated at the int64 range (a span may be ~2**63 ns)."""
    info = np.iinfo(np.int64)
    out = np.full(t.shape, info.max if d > 0 else info.min, dtype=np.int64)
    fits = (t <= info.max - d) if d > 0 else (t >= info.min - d)
    out[fits] = t[fits] + d
    return out


def window_members(i, window, center=True, times=None, n=None):
    """Point i's window straight from the definition: the positions j that belong to it."""
    if _is_count(window):
        j = np.arange(n, dtype=np.int64)
        w = int(window)
        if center:
            return j[np.abs(j - i) <= w // 2]
        return j[(j <= i) & (i - j < w)]
    t = [int(v) for v in time_ns(times)]  # Python integers: no overflow, no rounding
    span = span_ns(window)
    if center:
        return np.array([j for j in range(len(t)) if 2 * abs(t[j] - t[i]) <= span], np.int64)
    return np.array([j for j in range(i + 1) if t[i] - t[j] < span], np.int64)


def as_float(x) -> np.ndarray:
    """Data of any accepted kind as float64, NaN where missing (datetimes: their integers)."""
    import pandas as pd

    if isinstance(x, (pd.Series, pd.Index)):
        if x.dtype.kind not in "mM":
            return x.to_numpy(dtype=np.float64, na_value=np.nan)
        x = x.to_numpy()
    a = np.asarray(x)
    if a.dtype.kind in "mM":
        i = a.view(np.int64)
        v = i.astype(np.float64)
        v[i == np.iinfo(np.int64).min] = np.nan  # NaT
        return v
    return a.astype(np.float64)


def _window_stats(method, f, p):
    """One window's statistics from its finite values ``f`` (at least one).

    Returns ``(center, lower, upper, a, b, exact)``: ``a``, ``b`` are what a point is scored
    against (zscore: mu, sigma; mad, hampel: m, scale; iqr: Q1, Q3; quantile: q_lo, q_hi) and
    ``exact`` says whether the bounds are numpy's medians and quantiles put through the
    method's rule, which the package must match bit for bit.
    """
    t = p.get("threshold")
    if method == "zscore":
        constant = _all_equal(f)  # exact for a constant window, whatever the summation order
        mu = float(f[0]) if constant else float(np.mean(f))
        if f.size - p["ddof"] <= 0:
            return mu, NAN, NAN, mu, NAN, False
        sigma = 0.0 if constant else float(np.std(f, ddof=p["ddof"]))
        return mu, mu - t * sigma, mu + t * sigma, mu, sigma, False
    if method in ("mad", "hampel"):
        m = float(np.median(f))
        dev = np.abs(f - m)
        scale = MAD_SCALE * float(np.median(dev))
        exact = True
        if scale == 0.0 and method == "mad":  # MeanAD fallback (hampel has none)
            scale = MEANAD_SCALE * float(np.mean(dev))
            exact = False  # a mean: within rounding only
        return m, m - t * scale, m + t * scale, m, scale, exact
    median = float(np.median(f))
    if method == "iqr":
        q1, q3 = (float(q) for q in np.quantile(f, [0.25, 0.75]))
        k = p["k"]
        return median, q1 - k * (q3 - q1), q3 + k * (q3 - q1), q1, q3, True
    if method == "quantile":
        lo, hi = (float(q) for q in np.quantile(f, [p["low"], p["high"]]))
        return median, lo, hi, lo, hi, True
    raise AssertionError(method)


def _point_score(method, x, stats, p):
    """(score, flag) of a finite value x against its window's statistics."""
    _, lower, upper, a, b, _ = stats
    if method in ("zscore", "mad"):  # b: sigma, or mad's scale (0: nothing flagged, score 0)
        if not b > 0:
            return 0.0, False
        s = abs(x - a) / b
        return s, bool(s > p["threshold"])
    if method == "hampel":
        d = abs(x - a)
        s = d / b if b > 0 else (INF if d > 0 else 0.0)
        return s, bool(d > p["threshold"] * b)
    d = max(a - x, x - b, 0.0)  # distance outside [Q1, Q3] or [q_lo, q_hi]
    s = d / (b - a) if b > a else (INF if d > 0 else 0.0)
    return s, bool(x < lower or x > upper)


def windowed(method, x, window, center=True, min_periods=1, times=None, points=None, **params):
    """The windowed oracle: a :class:`Result` whose lower, upper and center are per point.

    ``points`` (default: all) limits the work to some positions; the others are left NaN /
    False and must not be compared. ``extra`` holds ``points``, ``count`` (finite values in
    each window), ``exact`` (bounds to match bit for bit), ``size`` (the largest |value| of
    each window, the scale of its rounding errors), ``spread`` (sigma, mad's or hampel's
    scale, Q3 - Q1 or q_hi - q_lo) and the windows ``lo``, ``hi``.
    """
    p = dict(DEFAULTS[method])
    p.update(params)
    p.pop("window", None)
    v = as_float(x)
    n = v.size
    lo, hi = window_ranges(n, window, center, times)
    pts = np.arange(n) if points is None else np.unique(np.asarray(points, dtype=np.int64))
    scores = np.full(n, np.nan)
    mask = np.zeros(n, dtype=bool)
    lower, upper, middle, spread = (np.full(n, np.nan) for _ in range(4))
    count = np.zeros(n, dtype=np.int64)
    exact = np.zeros(n, dtype=bool)
    size = np.zeros(n)
    with np.errstate(all="ignore"):
        for i in pts:
            w = v[lo[i] : hi[i]]
            f = w[np.isfinite(w)]
            count[i] = f.size
            xi = v[i]
            if np.isinf(xi):  # always flagged, score inf, whatever its window holds
                scores[i], mask[i] = INF, True
            if f.size == 0 or f.size < min_periods:
                continue
            stats = _window_stats(method, f, p)
            middle[i], lower[i], upper[i], a, b, exact[i] = stats
            spread[i] = b - a if method in ("iqr", "quantile") else b
            size[i] = float(np.max(np.abs(f)))
            if np.isfinite(xi):
                scores[i], mask[i] = _point_score(method, xi, stats, p)
    near = _windowed_near(method, scores, spread, p)
    extra = {"points": pts, "count": count, "exact": exact, "size": size, "spread": spread}
    extra.update(lo=lo, hi=hi)
    return Result(mask, scores, lower, upper, middle, near, extra)


def _windowed_near(method, scores, spread, p):
    """Points whose flag may differ from the oracle's: score within 1e-9 of the threshold."""
    if method == "quantile":  # flagged iff outside the exact quantiles: nothing is ambiguous
        return np.zeros(scores.shape, dtype=bool)
    threshold = p["k"] if method == "iqr" else p["threshold"]
    if threshold <= 0:
        return np.zeros(scores.shape, dtype=bool)
    near = _near_score(scores, threshold)
    if method == "hampel":
        near &= spread > 0
    return near
