"""Windows give the same bits for 1, 2 and 4 threads, and for a column alone or in a frame.

The core cuts the points into blocks whose length depends on the window only (at least 2^14
points, 16 windows long; 4 windows beyond 32000 values) and runs min(threads, blocks // 2)
workers, so the sizes below make 8 blocks or more: 4 threads really run 4 workers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import outliers as ol

METHODS = ["zscore", "mad", "iqr", "quantile", "hampel"]
PARAMS = {
    "zscore": {"ddof": 1},
    "mad": {},
    "iqr": {"k": 1.0},
    "quantile": {"low": 0.05, "high": 0.9},
    "hampel": {"threshold": 2.5},
}
SMALL = 2**17 + 123  # window 101: blocks of 2^14 points, 9 of them
LARGE = 8 * 16 * 5001 + 123  # window 5001: blocks of 16 windows, 9 of them


@pytest.fixture(scope="module")
def sprinkled():
    rng = np.random.default_rng(2027)
    n = LARGE
    x = 10.0 + 3.0 * rng.standard_normal(n) + 5.0 * np.sin(np.arange(n) / 700.0)
    x[rng.integers(0, n, 4000)] = np.nan
    x[rng.integers(0, n, 300)] = np.inf
    x[rng.integers(0, n, 300)] = -np.inf
    x[rng.integers(0, n, 800)] += rng.normal(0, 40, 800)
    x[1000:1300] = 7.0  # constant stretches: zero MADs and sigmas
    x[2**14 - 50 : 2**14 + 50] = 3.0  # across a block edge
    x[40_000:40_500] = 1e15  # huge values that leave the windows
    x[70_000:72_000] = np.nan  # a gap longer than the windows
    return x


@pytest.fixture
def restore_threads():
    before = ol.get_num_threads()
    yield
    ol.set_num_threads(before)


def _bits(a):
    a = np.asarray(a)
    return a.view(np.int64) if a.dtype.kind in "mM" else a.astype(np.float64).view(np.uint64)


def _all(x, method, kw):
    lo, hi = ol.bounds(x, method, **kw)
    return {
        "mask": ol.mask(x, method, **kw),
        "scores": _bits(ol.scores(x, method, **kw)),
        "lower": _bits(lo),
        "upper": _bits(hi),
    }


def _same_for_every_count(ctx, run):
    results = {}
    for n in (1, 2, 4):
        ol.set_num_threads(n)
        results[n] = run()
    for n in (2, 4):
        for name, want in results[1].items():
            assert np.array_equal(results[n][name], want), f"{ctx}: {name}, 1 vs {n} threads"
    return results[1]


# every method on the short windows and the long count window; one long time window per path
# (running moments, sorted windows)
CASES = [
    (method, window, center, n)
    for method in METHODS
    for window, center, n in [
        (101, True, SMALL),
        (100, False, SMALL),
        ("101s", True, SMALL),
        ("100s", False, SMALL),
        (5001, True, LARGE),
    ]
] + [("zscore", "5000s", False, LARGE), ("mad", "5000s", False, LARGE)]


@pytest.mark.parametrize(
    "method,window,center,n",
    CASES,
    ids=[f"{c[0]}-{c[1]}-{'centred' if c[2] else 'trailing'}" for c in CASES],
)
def test_windows_threads_bit_identical(sprinkled, method, window, center, n, restore_threads):
    x = sprinkled[:n]
    times = np.datetime64("2024-01-01", "s") + np.arange(n).astype("timedelta64[s]")
    kw = dict(PARAMS[method], window=window, center=center)
    if isinstance(window, str):
        kw["times"] = times
    ctx = f"{method} window={window} center={center} n={n}"
    one = _same_for_every_count(ctx, lambda: _all(x, method, kw))
    assert one["mask"].sum() > 100, ctx
    if n == SMALL:  # the same data reversed and strided: other memory, other blocks' contents
        y = np.repeat(x[::-1], 2)[::2]
        _same_for_every_count(ctx + " reversed", lambda: _all(y, method, kw))


FRAME_CASES = [
    ("zscore", {"window": 101}),
    ("mad", {"window": "3min", "center": False}),
    ("quantile", {"window": 31, "center": False}),
    ("hampel", {"window": "1min"}),
]


def _frame(df, method, kw):
    b = df.outliers.bounds(method, **kw)
    return {
        "mask": df.outliers.mask(method, **kw).to_numpy(),
        "scores": _bits(df.outliers.scores(method, **kw).to_numpy()),
        "bounds": _bits(b.to_numpy()),
    }


@pytest.mark.parametrize("method,kw", FRAME_CASES, ids=[c[0] for c in FRAME_CASES])
def test_windows_threads_frame_columns_as_alone(sprinkled, method, kw, restore_threads):
    """A frame's columns run side by side: each one's result is the one it has alone."""
    n = SMALL
    rng = np.random.default_rng(5)
    steps = np.cumsum(rng.integers(0, 3, n)).astype("timedelta64[s]")
    index = pd.DatetimeIndex(np.datetime64("2024-01-01", "s") + steps)
    df = pd.DataFrame(
        {"a": sprinkled[:n], "b": sprinkled[n : 2 * n] * 2, "c": np.round(sprinkled[-n:])},
        index=index,
    )
    ctx = f"{method} {kw}"
    got = _same_for_every_count(ctx, lambda: _frame(df, method, kw))
    for j, col in enumerate(df.columns):
        alone = _all(df[col], method, kw)
        assert np.array_equal(got["mask"][:, j], alone["mask"]), ctx
        assert np.array_equal(got["scores"][:, j], alone["scores"]), ctx
        assert np.array_equal(got["bounds"][:, 2 * j], alone["lower"]), ctx
        assert np.array_equal(got["bounds"][:, 2 * j + 1], alone["upper"]), ctx
