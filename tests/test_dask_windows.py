"""Windows on dask, by count or by time: the same bits as the in-memory call.

1-D dask arrays (count windows; time windows with ``times=`` in memory or as a dask array),
dask Series (count windows; time windows along the index, through the accessor and the
functional verbs) and DataFrames, over partitions of uneven lengths, empty ones, partitions
shorter than the window and windows spanning many partitions or the whole column; with NaN,
+-inf, masked values, ``missing=`` sentinels, ties, duplicated times across partition edges
and tz-aware times. Every output (positions, flags, scores, bounds, centers) must equal the
in-memory result bit for bit: each point's window holds the same values, and its statistics
depend on its window alone. The in-memory results are checked against slow numpy loops in
test_windows.py; here too, for quantile's bounds (the window's quantiles themselves).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import test_dask
from test_dask import cluster_client, edges_of, integer_valued, planted  # noqa: F401

import outliers as ol

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")

N = 600
SIZES = {
    "unequal": (61, 3, 73, 1, 43, 90, 26, 5, 89, 35, 52, 37, 85),
    "empty partitions": (0, 30, 0, 17, 0, 50, 0, 0, 92, 73, 48, 60, 0, 85, 45, 100, 0),
}
assert all(sum(s) == N for s in SIZES.values())

METHODS = [
    ("zscore", {}),
    ("zscore", {"threshold": 2.0, "ddof": 1}),
    ("mad", {"threshold": 2.5}),
    ("iqr", {"k": 1.0}),
    ("quantile", {"low": 0.1, "high": 0.85}),
    ("hampel", {"threshold": 2.0}),
]
METHOD_IDS = ["-".join([m, *(f"{k}={v}" for k, v in p.items())]) for m, p in METHODS]

# Centred windows of 3 (within most partitions) to beyond the column; trailing ones alike.
COUNT_WINDOWS = [
    {"window": 3},
    {"window": 11},
    {"window": 101, "min_periods": 40},
    {"window": 1201},
    {"window": 2**40 + 1},
    {"window": 2, "center": False},
    {"window": 10, "center": False, "min_periods": 6},
    {"window": 150, "center": False},
    {"window": 2**40, "center": False},
]
# Times step 0 to 30 minutes: spans of less than a step (windows of a point and its duplicates),
# of several partitions, and of the whole column.
TIME_WINDOWS = [
    {"window": "1min"},
    {"window": "20min"},
    {"window": "3h", "min_periods": 12},
    {"window": "1000D"},
    {"window": "1min", "center": False},
    {"window": "25min", "center": False, "min_periods": 3},
    {"window": "3h", "center": False},
    {"window": pd.Timedelta(days=1000), "center": False},
]


def window_id(p: dict) -> str:
    return "-".join(f"{k}={v}" for k, v in p.items())


def irregular_times(sizes, seed: int = 0) -> pd.DatetimeIndex:
    """Non-decreasing times, steps of 0 to 30 minutes; equal times across every other edge."""
    rng = np.random.default_rng(seed)
    steps = rng.choice([0, 1, 1, 2, 3, 7, 30], size=sum(sizes))
    steps[edges_of(sizes)[::2]] = 0  # the first point of a partition at its predecessor's time
    return pd.Timestamp("2021-03-01") + pd.to_timedelta(np.cumsum(steps), unit="min")


def darray(x: np.ndarray, sizes) -> da.Array:
    return da.from_array(x, chunks=(tuple(sizes),))


def dseries(s: pd.Series, sizes, divisions: bool = False):
    """`s` in partitions of `sizes`: from delayed pieces (unknown divisions), or with the
    divisions of its (sorted) index when `divisions` (empty partitions then left out)."""
    starts = np.concatenate([[0], np.cumsum(sizes)])
    if divisions:
        starts = [a for a, n in zip(starts, sizes, strict=False) if n]
        out = dd.from_pandas(s, npartitions=1).repartition(
            divisions=[s.index[a] for a in starts] + [s.index[-1]]
        )
        assert out.known_divisions
        return out
    pieces = [dask.delayed(s.iloc[a : a + n].copy()) for a, n in zip(starts, sizes, strict=False)]
    return dd.from_delayed(pieces, meta=s.iloc[:0])


def same(got, want, ctx: str) -> None:
    """Equal values, NaN where NaN, same dtype and shape: the same bits but for NaN payloads."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype, f"{ctx}: dtype {got.dtype} != {want.dtype}"
    assert got.shape == want.shape, f"{ctx}: shape {got.shape} != {want.shape}"
    assert np.array_equal(got, want, equal_nan=got.dtype.kind == "f"), ctx


def array_verbs(data, method: str, params: dict) -> dict:
    return {
        "detect": ol.detect(data, method, **params),
        "mask": ol.mask(data, method, **params),
        "scores": ol.scores(data, method, **params),
        "bounds": ol.bounds(data, method, **params),
    }


def check_array_verbs(data, x, method: str, params: dict, ctx: str, scheduler="sync") -> None:
    """The four verbs on dask `data` against the in-memory ones on `x` (same keywords)."""
    lazy = array_verbs(data, method, params)
    for key in ("mask", "scores"):
        assert lazy[key].chunks == data.chunks, f"{ctx}: {key} chunks"
    (got,) = dask.compute(lazy, scheduler=scheduler)
    want = array_verbs(x, method, params)
    for key in ("detect", "mask", "scores"):
        same(got[key], want[key], f"{ctx}: {key}")
    for g, w, name in zip(got["bounds"], want["bounds"], ("lower", "upper"), strict=True):
        same(g, w, f"{ctx}: {name}")
    assert len(want["detect"]) > 0, f"{ctx}: nothing flagged (a vacuous comparison)"


# ------------------------------------------------------------------ dask arrays


@pytest.mark.parametrize("window", COUNT_WINDOWS, ids=window_id)
@pytest.mark.parametrize("sizes", list(SIZES), ids=list(SIZES))
@pytest.mark.parametrize("case", METHODS, ids=METHOD_IDS)
def test_array_count_windows(case, sizes, window):
    method, params = case
    x = planted(SIZES[sizes])
    kept = x.copy()
    ctx = f"{method} {params} {window} {sizes}"
    check_array_verbs(darray(x, SIZES[sizes]), x, method, {**params, **window}, ctx)
    assert np.array_equal(x, kept, equal_nan=True), "data changed"


@pytest.mark.parametrize("window", TIME_WINDOWS, ids=window_id)
@pytest.mark.parametrize("times_kind", ["numpy ns", "numpy s", "dask array"])
@pytest.mark.parametrize("case", METHODS, ids=METHOD_IDS)
def test_array_time_windows(case, times_kind, window):
    """``times=`` in memory (ns, or seconds: the reach in the times' own unit) or in dask."""
    method, params = case
    sizes = SIZES["empty partitions"]
    x = planted(sizes)
    t = irregular_times(sizes).to_numpy()
    if times_kind == "numpy s":
        t = t.astype("M8[s]")
    kept = t.copy()
    times = da.from_array(t, chunks=50) if times_kind == "dask array" else t
    ctx = f"{method} {params} {window} times {times_kind}"
    check_array_verbs(darray(x, sizes), x, method, {**params, **window, "times": t}, ctx)
    lazy = ol.scores(darray(x, sizes), method, **params, **window, times=times)
    same(lazy.compute(scheduler="sync"), ol.scores(x, method, **params, **window, times=t), ctx)
    assert np.array_equal(t, kept), "times changed"


@pytest.mark.parametrize("dtype", ["int64", "float32"])
@pytest.mark.parametrize("case", METHODS, ids=METHOD_IDS)
def test_array_dtypes_and_missing(case, dtype):
    """Integers with ties and plateaus (MAD 0), float32, and a missing= sentinel."""
    method, params = case
    sizes = SIZES["unequal"]
    x = planted(sizes)
    x = integer_valued(x) if dtype == "int64" else x.astype(np.float32)
    x[[10, 11, 12, 300]] = -99
    t = irregular_times(sizes).to_numpy()
    for window in ({"window": 21}, {"window": 8, "center": False}, {"window": "40min"}):
        p = {**params, **window, "times": t, "missing": -99}
        ctx = f"{method} {dtype} {window}"
        lazy = array_verbs(darray(x, sizes), method, p)
        (got,) = dask.compute(lazy, scheduler="sync")
        want = array_verbs(x, method, p)
        for key in ("detect", "mask", "scores"):
            same(got[key], want[key], f"{ctx}: {key}")
        for g, w in zip(got["bounds"], want["bounds"], strict=True):
            same(g, w, f"{ctx}: bounds")


def test_array_datetime_data_bounds_in_its_dtype():
    """Datetime values over windows: per-point bounds in the data's dtype, as in memory."""
    sizes = SIZES["unequal"]
    x = (np.datetime64("2020-01-01") + np.arange(N).astype("m8[h]")).astype("M8[ns]")
    x[[50, 51, 400]] += np.timedelta64(900, "D")
    d = darray(x, sizes)
    for method in ("zscore", "mad", "hampel"):
        lower, upper = ol.bounds(d, method, window=31)
        want = ol.bounds(x, method, window=31)
        same(lower.compute(), want.lower, f"{method} lower")
        same(upper.compute(), want.upper, f"{method} upper")
        same(ol.detect(d, method, window=31).compute(), ol.detect(x, method, window=31), method)


# ------------------------------------------------------------------ dask Series and DataFrames


def accessor_verbs(data, method: str, params: dict, hows=("center", "clip")) -> dict:
    """The accessor's verbs on a (dask or pandas) Series or DataFrame, clean for each how."""
    acc = data.outliers
    return {
        **test_dask.series_verbs(data, method, params),  # detect, mask, scores, bounds
        "report": acc.report(method, **params),
        **{how: acc.clean(how, method, **params) for how in hows},
    }


def series_verbs(s, method: str, params: dict) -> dict:
    return accessor_verbs(s, method, params)


def frame_verbs(ddf, method: str, params: dict) -> dict:
    return accessor_verbs(ddf, method, params, ("center", "drop"))


def check_series_verbs(got: dict, want: dict, ctx: str) -> None:
    for key, w in want.items():
        if isinstance(w, pd.Series):
            pd.testing.assert_series_equal(got[key], w, check_exact=True, obj=f"{ctx} {key}")
        else:
            pd.testing.assert_frame_equal(got[key], w, check_exact=True, obj=f"{ctx} {key}")
    assert len(want["detect"]) > 0, f"{ctx}: nothing flagged (a vacuous comparison)"


@pytest.mark.parametrize("window", TIME_WINDOWS + COUNT_WINDOWS[1:3], ids=window_id)
@pytest.mark.parametrize("divisions", [False, True], ids=["unknown divisions", "divisions"])
@pytest.mark.parametrize("case", METHODS, ids=METHOD_IDS)
def test_series_windows_along_the_index(case, divisions, window):
    """The accessor's verbs (clean and report included) and the functional ones."""
    method, params = case
    sizes = SIZES["unequal"] if divisions else SIZES["empty partitions"]
    t = irregular_times(sizes, seed=1)
    if divisions:  # partitions start at a new time: known divisions need them apart
        t = t + pd.to_timedelta(np.arange(N), unit="s")
    s = pd.Series(planted(sizes, seed=2), index=t, name="x")
    ds = dseries(s, sizes, divisions)
    p = {**params, **window}
    ctx = f"{method} {p} divisions={divisions}"
    lazy = series_verbs(ds, method, p)
    functional = {"scores": ol.scores(ds, method, **p), "detect": ol.detect(ds, method, **p)}
    (got,) = dask.compute(lazy, scheduler="sync")
    (got_functional,) = dask.compute(functional, scheduler="sync")  # arrays: not mixed in
    check_series_verbs(got, series_verbs(s, method, p), ctx)
    same(got_functional["scores"], ol.scores(s, method, **p), f"{ctx}: ol.scores")
    same(got_functional["detect"], ol.detect(s, method, **p), f"{ctx}: ol.detect")


def time_frame(sizes, tz=None) -> pd.DataFrame:
    """Columns of several kinds on irregular times with duplicates."""
    x = planted(sizes, seed=3)
    masked = pd.array(planted(sizes, seed=4), dtype="Float64")
    masked[[5, 100, 101, 400]] = pd.NA
    sentinel = planted(sizes, seed=5)
    sentinel[~np.isfinite(sentinel)] = 50.0
    sentinel[[3, 39, 40, 41, 200, 599]] = -9999.0
    return pd.DataFrame(
        {
            "f64": x,
            "label": [f"item{i}" for i in range(N)],
            "i64": integer_valued(planted(sizes, seed=6)),
            "f32": planted(sizes, seed=7).astype(np.float32),
            "F64": masked,
            "sentinel": sentinel,
        },
        index=irregular_times(sizes, seed=8).tz_localize(tz),
    )


FRAME_WINDOWS = [
    {"window": 15},
    {"window": 6, "center": False},
    {"window": "2h"},
    {"window": "50min", "center": False, "min_periods": 4},
]
# Each method once, each window at least once (every pair costs 2 s).
FRAME_CASES = [(*case, FRAME_WINDOWS[k % 4]) for k, case in enumerate(METHODS)]


@pytest.mark.parametrize(
    ("method", "params", "window"),
    FRAME_CASES,
    ids=[f"{i}-{window_id(c[2])}" for i, c in zip(METHOD_IDS, FRAME_CASES, strict=True)],
)
def test_frame_windows(method, params, window):
    """Every numeric column (masked, integer, float32, a sentinel with missing=), tz-aware."""
    sizes = SIZES["empty partitions"]
    pdf = time_frame(sizes, tz="America/New_York")
    ddf = dseries(pdf, sizes)
    for extra in ({}, {"missing": -9999, "columns": ["sentinel", "F64"]}):
        p = {**params, **window, **extra}
        ctx = f"{method} {p}"
        (got,) = dask.compute(frame_verbs(ddf, method, p), scheduler="sync")
        for key, want in frame_verbs(pdf, method, p).items():
            pd.testing.assert_frame_equal(got[key], want, check_exact=True, obj=f"{ctx} {key}")


@pytest.mark.parametrize("scheduler", ["threads", "distributed"])
def test_schedulers(scheduler, request):
    method, p = "mad", {"window": "30min", "min_periods": 3}
    if scheduler == "distributed":
        scheduler = request.getfixturevalue("cluster_client")
    sizes = SIZES["empty partitions"]
    pdf = time_frame(sizes)
    ddf = dseries(pdf, sizes)
    x = pdf["f64"].to_numpy()
    arrays = {
        "array": array_verbs(darray(x, sizes), "zscore", {"window": 31}),
        "times": ol.scores(darray(x, sizes), "hampel", window="1h", times=pdf.index),
    }
    (got,) = dask.compute(arrays, scheduler=scheduler)  # not mixed with dataframes: dask warns
    (got["frame"],) = dask.compute(frame_verbs(ddf, method, p), scheduler=scheduler)
    for key, want in frame_verbs(pdf, method, p).items():
        pd.testing.assert_frame_equal(got["frame"][key], want, check_exact=True, obj=key)
    same(got["array"]["scores"], ol.scores(x, "zscore", window=31), "zscore scores")
    same(got["times"], ol.scores(x, "hampel", window="1h", times=pdf.index), "hampel times=")


# ------------------------------------------------------------------ an independent reference


def window_quantiles(x, t, span_ns: int | None, count: int | None, center: bool, qs, min_p):
    """Each point's window (SPEC's definitions), its finite values' np.quantile, slowly."""
    n = len(x)
    out = np.full((n, len(qs)), np.nan)
    for i in range(n):
        if count is not None:
            h = count // 2
            lo, hi = (max(0, i - h), i + h + 1) if center else (max(0, i - count + 1), i + 1)
            w = x[lo:hi]
        elif center:
            w = x[np.abs(t - t[i]) * 2 <= span_ns]
        else:
            w = x[: i + 1][t[i] - t[: i + 1] < span_ns]
        w = w[np.isfinite(w)]
        if len(w) >= min_p:
            out[i] = np.quantile(w, qs)
    return out


@pytest.mark.parametrize(
    "window", [{"window": 9}, {"window": 12, "center": False}] + TIME_WINDOWS, ids=window_id
)
def test_quantile_bounds_are_the_windows_quantiles(window):
    """quantile's bounds are its window's quantiles: np.quantile of each window, on dask."""
    sizes = SIZES["empty partitions"]
    s = pd.Series(planted(sizes, seed=9), index=irregular_times(sizes, seed=9))
    got = dseries(s, sizes).outliers.bounds("quantile", low=0.2, high=0.7, **window)
    got = got.compute(scheduler="sync")
    span = window["window"]
    count = span if isinstance(span, int) else None
    span_ns = None if count else pd.Timedelta(span).value
    t = s.index.as_unit("ns").asi8  # the index is in microseconds
    want = window_quantiles(
        s.to_numpy(), t, span_ns, count, window.get("center", True), [0.2, 0.7],
        window.get("min_periods", 1),
    )  # fmt: skip
    same(got["lower"].to_numpy(), want[:, 0], f"{window} lower")
    same(got["upper"].to_numpy(), want[:, 1], f"{window} upper")


# ------------------------------------------------------------------ lazy, and the kernel calls


def counting_series(s: pd.Series, sizes, calls: list):
    """`s` in partitions of `sizes` that record when they are loaded."""
    starts = np.concatenate([[0], np.cumsum(sizes)])

    def load(a, n):
        calls.append(n)
        return s.iloc[a : a + n].copy()

    pieces = [dask.delayed(load)(a, n) for a, n in zip(starts, sizes, strict=False)]
    return dd.from_delayed(pieces, meta=s.iloc[:0])


@pytest.mark.parametrize("window", [{"window": 21}, {"window": "1h", "center": False}])
def test_nothing_is_computed_before_compute(window):
    sizes = SIZES["empty partitions"]
    s = pd.Series(planted(sizes), index=irregular_times(sizes))
    calls: list = []
    ds = counting_series(s, sizes, calls)
    lazy = series_verbs(ds, "mad", window)
    arrays = ol.scores(ds, "iqr", **window)
    assert calls == [], "data loaded before compute()"
    (got,) = dask.compute(lazy, scheduler="sync")
    assert sorted(set(calls)) == sorted(set(sizes))
    check_series_verbs(got, series_verbs(s, "mad", window), f"lazy {window}")
    same(arrays.compute(scheduler="sync"), ol.scores(s, "iqr", **window), "ol.scores")


def counted_kernel(monkeypatch, name: str) -> list:
    """Record the length of the buffer of each call of the core's `name` (partition_*)."""
    from outliers import _native

    seen: list = []
    real = getattr(_native, name)

    def counted(*args, **kwargs):
        column = args[1] if name == "partition_rolling" else args[0]
        seen.append(len(column[0]))
        return real(*args, **kwargs)

    monkeypatch.setattr(_native, name, counted)
    return seen


@pytest.mark.parametrize(
    ("window", "calls"),
    [({"window": 2**40, "center": False}, 1), ({"window": 2001, "center": False}, 13),
     ({"window": 3, "center": False}, 100)],
)  # fmt: skip
def test_short_partitions_share_a_kernel_call(monkeypatch, window, calls):
    """Each call sorts (or sums) its first window: partitions far shorter than the window are
    computed in runs of at least 4 x its reach (one run when the window spans the column)."""
    seen = counted_kernel(monkeypatch, "partition_rolling")
    x = np.random.default_rng(8).normal(size=100_000)
    x[::991] += 25.0
    got = ol.scores(da.from_array(x, chunks=1_000), "mad", **window)
    same(got.compute(scheduler="sync"), ol.scores(x, "mad", **window), f"{window}")
    assert len(seen) == calls


def test_time_window_spanning_the_column_is_computed_once(monkeypatch):
    """Every partition whose extended buffer is the whole column shares one kernel call."""
    seen = counted_kernel(monkeypatch, "partition_rolling")
    sizes = (500,) * 40
    s = pd.Series(
        np.random.default_rng(9).normal(size=20_000),
        index=pd.date_range("2020-01-01", periods=20_000, freq="min"),
    )
    got = dseries(s, sizes).outliers.scores("iqr", window="100D").compute(scheduler="threads")
    pd.testing.assert_series_equal(got, s.outliers.scores("iqr", window="100D"))
    assert seen == [len(s)]


def test_time_window_spanning_the_column_memory_is_of_the_column():
    """Edges by time share the partitions' memory: not a column's worth per partition."""
    n = 100_000
    s = pd.Series(
        np.random.default_rng(4).normal(size=n),
        index=pd.date_range("2020-01-01", periods=n, freq="s"),
    )
    lazy = dseries(s, (2_000,) * 50).outliers.scores("mad", window="30D", center=False)
    got, peak = test_dask.computed_with_peak(lazy)
    pd.testing.assert_series_equal(got, s.outliers.scores("mad", window="30D", center=False))
    assert peak < 8 * s.nbytes, f"peak {peak / s.nbytes:.1f} columns"


# ------------------------------------------------------------------ errors


def test_time_window_needs_times_on_a_dask_array():
    d = darray(planted(SIZES["unequal"]), SIZES["unequal"])
    with pytest.raises(ValueError, match="needs times"):
        ol.scores(d, "mad", window="1h")


def test_time_window_on_a_series_without_times_in_its_index():
    s = dd.from_pandas(pd.Series(np.arange(50.0)), npartitions=4)
    for call in (
        lambda: s.outliers.mask("mad", window="1h"),
        lambda: ol.mask(s, "iqr", window="1h"),
    ):
        with pytest.raises(ValueError, match="needs times"):
            call()


@pytest.mark.parametrize("where", ["within a partition", "across partitions", "NaT"])
def test_unsorted_index_fails_at_compute_naming_the_index(where):
    sizes = SIZES["empty partitions"]
    t = irregular_times(sizes).to_numpy().copy()
    b = edges_of(sizes)[3]
    if where == "within a partition":
        t[b + 5], t[b + 6] = t[b + 6] + np.timedelta64(1, "h"), t[b + 5]
    elif where == "across partitions":
        t[b] = t[b - 1] - np.timedelta64(1, "s")
    else:
        t[b + 2] = np.datetime64("NaT")
    s = pd.Series(planted(sizes), index=pd.DatetimeIndex(t))
    ds = dseries(s, sizes)
    message = "the index holds missing times" if where == "NaT" else "the index must be non-dec"
    for window in ("2h", "1min"):
        with pytest.raises(ValueError, match=message):
            ds.outliers.scores("mad", window=window).compute(scheduler="sync")
        with pytest.raises(ValueError, match=message):
            ol.scores(ds, "zscore", window=window, center=False).compute(scheduler="sync")
    # A count window does not read the times.
    same(ds.outliers.scores("mad", window=5).compute(), s.outliers.scores("mad", window=5), "")


def test_times_of_the_wrong_kind_or_length():
    sizes = SIZES["unequal"]
    x = planted(sizes)
    t = irregular_times(sizes).to_numpy()
    d = darray(x, sizes)
    with pytest.raises(ValueError, match="times has 599 values for data of 600"):
        ol.scores(d, "mad", window="1h", times=t[:-1])
    with pytest.raises(ValueError, match="times has shape"):
        ol.scores(d, "mad", window="1h", times=da.from_array(t[:-1], chunks=100))
    with pytest.raises(TypeError, match="datetime64 or timedelta64"):
        ol.scores(d, "mad", window="1h", times=np.arange(N))
    with pytest.raises(ValueError, match="non-decreasing"):
        ol.scores(d, "mad", window="1h", times=t[::-1])
    bad = t.copy()
    bad[400] = bad[0]
    with pytest.raises(ValueError, match="times must be non-decreasing"):
        ol.scores(d, "mad", window="1h", times=da.from_array(bad, chunks=70)).compute()
    # Partition lengths unknown: the last partition finds times too short or too long.
    ds = dseries(pd.Series(x), sizes)
    for wrong in (t[:-1], np.r_[t, t[-1:]]):
        lazy = ds.outliers.scores("mad", window="1h", times=wrong)
        with pytest.raises(ValueError, match=f"times has {len(wrong)} values"):
            lazy.compute(scheduler="sync")
    with pytest.raises(TypeError, match="times= for dask data"):
        ds.outliers.scores("mad", window="1h", times=da.from_array(t, chunks=100))
    # times= on a dask Series (its index not read), partition lengths unknown.
    got = ds.outliers.scores("hampel", window="1h", times=t).compute(scheduler="sync")
    pd.testing.assert_series_equal(
        got, pd.Series(x).outliers.scores("hampel", window="1h", times=t)
    )


def test_bad_windows_are_refused_before_compute():
    d = darray(planted(SIZES["unequal"]), SIZES["unequal"])
    s = dd.from_pandas(pd.Series(np.arange(50.0), index=pd.date_range("2020", periods=50)), 3)
    for call, error, match in [
        (lambda: ol.scores(d, "mad", window=4), ValueError, "odd"),
        (lambda: ol.scores(d, "esd", window=5), ValueError, "esd"),
        (lambda: ol.scores(d, "mad", window=2.5), TypeError, "window"),
        (lambda: s.outliers.mask("mad", window="1M"), ValueError, "calendar"),
        (lambda: s.outliers.mask("iqr", window=5, min_periods=0), ValueError, "min_periods"),
    ]:
        with pytest.raises(error, match=match):
            call()
