"""Every hampel code path, bit for bit: vectorised and portable, 1 and 2 threads, vs brute force.

The kernel sorts windows of up to 31 values with SIMD sorting networks and slides a sorted window
beyond; windows with NaN, inf or cut at the array's ends take a scalar path. All must give the
bits of the obvious algorithm (SPEC §4): numpy medians of each window's finite values, (a + b) / 2
for even counts, the MAD from fabs(w - m). 10^5 points with ties, plateaus, NaN runs and inf;
sorted, reverse-sorted, constant and huge-and-tiny inputs; overflowing and subnormal values.
Where numpy's arithmetic overflows though the result is finite ((a + b) / 2 near +-1e308, |x - m|
past the largest double) the kernel, and brute_force here, compute from the halves (issue 15).
"""

from __future__ import annotations

import numpy as np
import pytest

import outliers as ol
from outliers import _core
from outliers._api import run_builtin

MAD_SCALE = 1.482602218505602
SWEEP = [7, 21, 51, 101, 501, 2001]
LEVELS = ["portable", "avx2", "avx512"]


def adversarial(n: int = 100_000, seed: int = 0) -> np.ndarray:
    """Normal noise with spikes, rounded stretches (ties), plateaus, NaN runs and +-inf."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    x[rng.integers(0, n, n // 100)] *= 30.0
    for start in rng.integers(0, n - 3000, 12):  # stretches of few distinct values: many ties
        x[start : start + 3000] = np.round(x[start : start + 3000])
    for start in rng.integers(0, n - 600, 10):  # plateaus: zero MAD inside
        x[start : start + rng.integers(5, 600)] = 1.5
    for length in [1, 2, 3, 5, 8, 40, 150, 700, 2500]:  # NaN runs, some longer than the window
        start = rng.integers(0, n - length)
        x[start : start + length] = np.nan
    x[rng.integers(0, n, 50)] = np.nan
    x[rng.integers(0, n, 20)] = np.inf
    x[rng.integers(0, n, 20)] = -np.inf
    x[:5] = np.nan  # a leading run
    x[-3:] = [np.inf, 2.0, np.nan]
    return x


def brute_force(x: np.ndarray, window: int, threshold: float, rows: np.ndarray) -> dict:
    """The SPEC's definition, vectorised over the windows of `rows` (a few thousand at a time)."""
    h = window // 2
    v = np.where(np.isfinite(x), x, np.nan)  # +-inf never enter a window
    padded = np.concatenate([np.full(h, np.nan), v, np.full(h, np.nan)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, window)
    parts = []
    chunk = max(1, 4_000_000 // window)
    with np.errstate(all="ignore"):  # inf - inf, overflow, 0 / 0: the values are what is compared
        for s in range(0, rows.size, chunk):
            parts.append(brute_force_rows(windows, x, rows[s : s + chunk], threshold))
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def brute_force_rows(windows: np.ndarray, x: np.ndarray, r: np.ndarray, threshold: float) -> dict:
    w = np.sort(windows[r], axis=1)  # NaN sort last
    k = np.isfinite(w).sum(axis=1)
    m = middle(w, k)
    mad = middle(np.sort(np.abs(w - m[:, None]), axis=1), k)
    spread = MAD_SCALE * mad
    xi = x[r]
    dist = np.abs(xi - m)
    scores = np.where(spread > 0, dist / spread, np.where(dist == 0, 0.0, np.inf))
    flags = dist > threshold * spread
    # |x - m| overflowed (x and m near +-1e308, opposite signs): the score and the comparison
    # from the halves, exact there, as without overflow (a finite value never scores NaN).
    over = np.isfinite(xi) & np.isinf(dist)
    half_dist = np.abs(xi / 2 - m / 2)
    half_spread = MAD_SCALE * (mad / 2)
    scores = np.where(over, np.where(half_spread > 0, half_dist / half_spread, np.inf), scores)
    flags = np.where(over, half_dist > threshold * half_spread, flags)
    return {
        "center": m,
        "lower": m - threshold * spread,
        "upper": m + threshold * spread,
        "scores": np.where(np.isnan(xi), np.nan, np.where(np.isinf(xi), np.inf, scores)),
        "mask": np.isinf(xi) | (np.isfinite(xi) & flags),
    }


def middle(sorted_rows: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Median of the first k values of each sorted row: numpy's (a + b) / 2 for even k, or
    a / 2 + b / 2 where a + b overflows but a and b are finite (the midpoint is finite)."""
    lo = np.take_along_axis(sorted_rows, np.maximum(k - 1, 0)[:, None] // 2, axis=1)[:, 0]
    hi = np.take_along_axis(sorted_rows, (k // 2)[:, None], axis=1)[:, 0]
    mean = (lo + hi) / 2
    mean = np.where(np.isinf(mean) & np.isfinite(lo) & np.isfinite(hi), lo / 2 + hi / 2, mean)
    med = np.where(k % 2 == 1, hi, mean)
    return np.where(k == 0, np.nan, med)


def same_bits(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Equal bits; NaN equals NaN, and +0.0 equals -0.0 (which zero a selection returns is
    the selection's choice)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return (
        (a.view(np.int64) == b.view(np.int64))
        | (np.isnan(a) & np.isnan(b))
        | ((a == 0) & (b == 0))
    )


def run_all(x, window, threshold):
    r = run_builtin(
        x,
        "hampel",
        {"window": window, "threshold": threshold},
        mask=True,
        scores=True,
        bounds=True,
        center=True,
    )
    return {k: np.asarray(r[k]) for k in ("mask", "scores", "lower", "upper", "center")}


def rows_for(n: int, window: int) -> np.ndarray:
    """All points for small windows; for long ones, both ends (cut windows) and every k-th point
    (the NaN runs, plateaus and ties wherever they fell), about 10^7 window values in all."""
    if window <= 101:
        return np.arange(n)
    ends = 1_000
    stride = max(1, n * window // 10_000_000)
    return np.unique(
        np.concatenate([np.arange(ends), np.arange(n - ends, n), np.arange(0, n, stride)])
    )


@pytest.mark.parametrize("window", SWEEP)
def test_hampel_paths_bit_identical_to_brute_force(window, restore_cpu_and_threads):
    x = adversarial()
    threshold = 3.0
    results = {}
    for level in LEVELS:
        _core._limit_cpu(level)
        for threads in (1, 2):
            ol.set_num_threads(threads)
            results[level, threads] = run_all(x, window, threshold)
    first = results["portable", 1]
    for key, got in results.items():
        for name in ("scores", "lower", "upper", "center"):
            bad = np.flatnonzero(~same_bits(got[name], first[name]))
            assert bad.size == 0, (
                f"window={window} {key}: {name} differs from portable/1 at {bad[:5]}"
            )
        assert np.array_equal(got["mask"], first["mask"]), f"window={window} {key}: mask differs"
    rows = rows_for(x.size, window)
    want = brute_force(x, window, threshold, rows)
    for name in ("scores", "lower", "upper", "center"):
        bad = np.flatnonzero(~same_bits(first[name][rows], want[name]))
        assert bad.size == 0, (
            f"window={window}: {name} differs from brute force at points {rows[bad[:5]]}: "
            f"{first[name][rows[bad[:5]]]} vs {want[name][bad[:5]]}"
        )
    assert np.array_equal(first["mask"][rows], want["mask"]), f"window={window}: flags differ"


@pytest.mark.parametrize("window", [3, 9, 15, 23, 31, 33])
def test_hampel_paths_network_sizes(window, restore_cpu_and_threads):
    # The sizes around the network/sliding boundaries, on short data with every kind of value.
    x = adversarial(20_000, seed=window)
    want = brute_force(x, window, 2.0, np.arange(x.size))
    for level in LEVELS:
        _core._limit_cpu(level)
        got = run_all(x, window, 2.0)
        for name in ("scores", "lower", "upper", "center"):
            assert same_bits(got[name], want[name]).all(), f"window={window} cpu={level}: {name}"
        assert np.array_equal(got["mask"], want["mask"]), f"window={window} cpu={level}: mask"


def test_hampel_paths_extreme_values(restore_cpu_and_threads):
    # Overflowing (a + b) / 2 and |w - m|, subnormals and signed zeros, in every path.
    rng = np.random.default_rng(3)
    values = np.array([0.0, -0.0, 1e308, -1e308, 5e-324, -5e-324, 1.0, 2.0, 1e-300, -7.5])
    x = values[rng.integers(0, values.size, 5_000)]
    for window in [5, 7, 31, 33, 101]:
        want = brute_force(x, window, 3.0, np.arange(x.size))
        for level in LEVELS:
            _core._limit_cpu(level)
            got = run_all(x, window, 3.0)
            for name in ("scores", "lower", "upper", "center"):
                assert same_bits(got[name], want[name]).all(), (
                    f"window={window} cpu={level}: {name}"
                )
            assert np.array_equal(got["mask"], want["mask"]), f"window={window} cpu={level}"


def ordered_and_constant(n: int = 20_000) -> dict[str, np.ndarray]:
    """Inputs that steer a sliding sorted window to one end every step, or never move it."""
    rng = np.random.default_rng(5)
    ramp = np.cumsum(rng.exponential(1.0, n))
    ramp[rng.integers(0, n, 40)] += 500.0  # spikes, so that something is flagged
    stairs = np.floor(np.arange(n) / 37.0)  # sorted, with runs of 37 equal values
    return {
        "sorted": np.sort(ramp),
        "reverse-sorted": np.sort(ramp)[::-1].copy(),
        "sorted with spikes": ramp,
        "sorted stairs": stairs,
        "reverse stairs": stairs[::-1].copy(),
        "all equal": np.full(n, -3.25),
        "huge and tiny": rng.standard_normal(n) * np.where(np.arange(n) % 3 == 0, 1e300, 1e-300),
    }


@pytest.mark.parametrize("window", [7, 31, 33, 101, 2001])
def test_hampel_paths_ordered_and_constant_input(window, restore_cpu_and_threads):
    for name, x in ordered_and_constant().items():
        rows = rows_for(x.size, window)
        want = brute_force(x, window, 3.0, rows)
        for level in LEVELS:
            _core._limit_cpu(level)
            for threads in (1, 2):
                ol.set_num_threads(threads)
                got = run_all(x, window, 3.0)
                ctx = f"{name} window={window} cpu={level} threads={threads}"
                for key in ("scores", "lower", "upper", "center"):
                    assert same_bits(got[key][rows], want[key]).all(), f"{ctx}: {key}"
                assert np.array_equal(got["mask"][rows], want["mask"]), f"{ctx}: mask"
