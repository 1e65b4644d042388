"""hampel with windows as long as the array or longer, and with values near +-1e308 (issue 15).

A window of 2n + 1 values or more holds the whole array at every point, whatever its size up to
the largest the binding accepts. Windows longer than the blocked sorted window's range (more than
32000 values) keep their values in ranked slots; they are checked bit for bit against the brute
force of test_hampel_paths on sampled points. Values near +-1e308 overflow numpy's (a + b) / 2 and
|x - m|: the medians are the finite midpoints, and no finite value gets a NaN score.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reference as ref  # noqa: E402
from test_hampel_paths import (  # noqa: E402
    LEVELS,
    adversarial,
    brute_force,
    run_all,
    same_bits,
)

import outliers as ol  # noqa: E402
from outliers import _core  # noqa: E402

OUTPUTS = ("scores", "lower", "upper", "center")


def assert_same(got: dict, want: dict, ctx: str, rows=slice(None)) -> None:
    for name in OUTPUTS:
        bad = np.flatnonzero(~same_bits(got[name][rows], want[name]))
        assert bad.size == 0, f"{ctx}: {name} differs at {bad[:5]}"
    assert np.array_equal(got["mask"][rows], want["mask"]), f"{ctx}: mask differs"


@pytest.mark.parametrize("n", [1, 2, 31, 1000])
def test_hampel_windows_past_the_array_are_the_whole_array(n, restore_cpu_and_threads):
    # The reproducer (n = 31) with 2^61 - 1 gave uninitialised outputs: the block size
    # 16 * window wrapped around and no block ran.
    x = np.r_[np.arange(n - 1.0) % 3, 100.0] if n > 1 else np.array([4.0])
    want = brute_force(x, 2 * n + 1, 3.0, np.arange(n))
    for window in [2 * n + 1, 2 * n + 3, 2**31 + 1, 2**32 + 1, 2**61 - 1, 2**63 - 1]:
        for level in LEVELS:
            _core._limit_cpu(level)
            for threads in (1, 2):
                ol.set_num_threads(threads)
                assert_same(run_all(x, window, 3.0), want, f"n={n} window={window} {level}")


def test_hampel_huge_window_reproducer_matches_reference():
    x = np.r_[np.arange(30.0) % 3, 100.0]
    r = ref.reference("hampel", x, window=63)
    assert np.array_equal(ol.mask(x, "hampel", window=2**61 - 1), r.mask)
    assert np.array_equal(ol.detect(x, "hampel", window=2**61 - 1), [30])
    np.testing.assert_array_equal(ol.scores(x, "hampel", window=2**61 - 1), r.scores)
    lower, upper = ol.bounds(x, "hampel", window=2**61 - 1)
    np.testing.assert_array_equal(lower, r.lower)
    np.testing.assert_array_equal(upper, r.upper)


def sampled_rows(n: int, window: int, ends: int = 400, budget: int = 6_000_000) -> np.ndarray:
    """Both ends (windows cut there, growing and shrinking), and points spread in between."""
    stride = max(1, n * window // budget)
    return np.unique(
        np.concatenate([np.arange(ends), np.arange(n - ends, n), np.arange(0, n, stride)])
    )


@pytest.mark.parametrize("window", [32_001, 32_003, 45_001, 79_999, 80_001, 120_001, 160_001])
def test_hampel_ranked_windows_bit_identical_to_brute_force(window, restore_cpu_and_threads):
    # Windows from the first ranked size to past 2n: sorting windows about as long as the array
    # took time growing faster than n^2 (n = 8e5, window 800001: 28 s).
    x = adversarial(80_000, seed=window)
    rows = sampled_rows(x.size, window)
    want = brute_force(x, window, 3.0, rows)
    first = None
    for level in ("portable", "avx512"):
        _core._limit_cpu(level)
        for threads in (1, 2):
            ol.set_num_threads(threads)
            got = run_all(x, window, 3.0)
            assert_same(got, want, f"window={window} {level} threads={threads}", rows)
            if first is None:
                first = got
            else:  # every point, not only the sampled ones
                for name in OUTPUTS:
                    assert same_bits(got[name], first[name]).all(), f"window={window}: {name}"


def test_hampel_ranked_windows_across_blocks(restore_cpu_and_threads):
    # Blocks of 4 windows, each sorting its own slots; 2 threads take blocks from 5 on.
    window = 32_001
    x = adversarial(600_000, seed=11)
    edges = np.arange(4 * window, x.size, 4 * window)
    rows = np.unique(
        np.concatenate([sampled_rows(x.size, window), (edges[:, None] + np.arange(-3, 3)).ravel()])
    )
    want = brute_force(x, window, 3.0, rows)
    ol.set_num_threads(1)
    one = run_all(x, window, 3.0)
    assert_same(one, want, "1 thread", rows)
    ol.set_num_threads(2)
    two = run_all(x, window, 3.0)
    for name in OUTPUTS:
        assert same_bits(one[name], two[name]).all(), f"{name}: 1 vs 2 threads"
    assert np.array_equal(one["mask"], two["mask"])


def test_hampel_ranked_windows_ordered_and_tied(restore_cpu_and_threads):
    # Sorted input pushes every entering value to one end; ties and long NaN gaps make the
    # ranks' cursors lose their slots and the MAD's split jump.
    n = 50_000
    rng = np.random.default_rng(7)
    ramp = np.cumsum(rng.exponential(1.0, n))
    gaps = np.round(rng.standard_normal(n))
    gaps[10_000:35_000] = np.nan
    two_groups = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    for name, x in {
        "sorted": ramp,
        "reverse": ramp[::-1].copy(),
        "ties and gap": gaps,
        "two groups": two_groups,
    }.items():
        for window in [30_001, 60_001]:
            rows = sampled_rows(n, window)
            want = brute_force(x, window, 3.0, rows)
            assert_same(run_all(x, window, 3.0), want, f"{name} window={window}", rows)


def near_overflow(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = np.array([1.7e308, -1.7e308, 1.6e308, -1.5e308, 1e308, -0.2e308, 0.0, 1.0, np.nan])
    return values[rng.integers(0, values.size, n)]


@pytest.mark.parametrize("window", [3, 5, 7, 31, 33, 101, 801, 32_001])
def test_hampel_near_overflow_bit_identical_to_brute_force(window, restore_cpu_and_threads):
    # numpy's (a + b) / 2 of 1.7e308 and 1.6e308 is inf, then inf - inf gave finite values NaN
    # scores; |x - m| of 1.7e308 and -0.2e308 is inf, inf / inf was NaN too.
    x = near_overflow(3_000 if window < 30_000 else 45_000, window)
    rows = np.arange(x.size) if window < 30_000 else sampled_rows(x.size, window)
    want = brute_force(x, window, 3.0, rows)
    for level in LEVELS:
        _core._limit_cpu(level)
        got = run_all(x, window, 3.0)
        assert_same(got, want, f"window={window} {level}", rows)
        finite = np.isfinite(x)
        assert not np.isnan(got["scores"][finite]).any(), f"window={window} {level}: NaN score"
        assert np.isfinite(got["center"][finite]).all(), f"window={window} {level}: center"


def test_hampel_overflow_examples():
    # A window cut at the end holds 1.7e308 and 1.6e308: their middle is finite (numpy: inf,
    # then |x - inf| = inf and inf - inf = NaN in the MAD).
    x = np.array([1.7e308, 1.6e308, 1.65e308, 1.6e308, 1.7e308])
    got = run_all(x, 3, 3.0)
    assert got["center"][0] == 1.7e308 / 2 + 1.6e308 / 2
    mad = 1.7e308 / 2 - 1.6e308 / 2
    assert got["scores"][0] == (1.7e308 - got["center"][0]) / (1.482602218505602 * mad)
    assert not np.isnan(got["scores"]).any()
    # m = -0.2e308 and MAD = 1.5e308 (1.4826 MAD overflows); |1.7e308 + 0.2e308| overflows:
    # numpy's inf / inf is NaN, the score is 1.9e308 / (1.4826 * 1.5e308) = 0.854...
    x = np.array([-1.7e308, -1.7e308, -0.2e308, 1.7e308, 1.7e308])
    scores = ol.scores(x, "hampel", window=9)
    assert scores[3] == pytest.approx(1.9 / (1.482602218505602 * 1.5), rel=1e-12)
    assert not ol.mask(x, "hampel", window=9)[3]
    assert ol.mask(x, "hampel", window=9, threshold=0.5)[3]


def test_hampel_window_near_the_length_of_a_large_array(tmp_path):
    # n = 2e6 with window 2000001 ran for more than 190 s (each step shifted up to n/64 blocks of
    # a sorted array); it is one ranked block now, about a second. Run apart with a timeout, so
    # a regression fails here instead of hanging the suite; checked on sampled points.
    n, window = 2_000_000, 2_000_001
    x = np.random.default_rng(11).standard_normal(n)
    x[::9973] *= 40.0
    np.save(tmp_path / "x.npy", x)
    code = (
        "import numpy as np, outliers as ol\n"
        f"x = np.load({str(tmp_path / 'x.npy')!r})\n"
        f"lower, upper = ol.bounds(x, 'hampel', window={window})\n"
        f"np.save({str(tmp_path / 'out.npy')!r}, np.stack([lower, upper, "
        f"ol.scores(x, 'hampel', window={window})]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    lower, upper, scores = np.load(tmp_path / "out.npy")
    rows = np.unique(np.r_[0, 1, n // 3, n // 2, n - 2, n - 1, np.arange(0, n, n // 7)])
    h = window // 2
    for i in rows:  # the SPEC's definition, one window at a time
        w = x[max(0, i - h) : i + h + 1]
        m = np.median(w)
        s = 1.482602218505602 * np.median(np.abs(w - m))
        want = [m - 3.0 * s, m + 3.0 * s, abs(x[i] - m) / s]
        np.testing.assert_allclose([lower[i], upper[i], scores[i]], want, rtol=1e-13, err_msg=i)
