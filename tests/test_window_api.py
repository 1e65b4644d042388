"""Windows through every door: parameters, times, errors, Detector, accessors and the CLI.

The numbers of each method over its windows are checked in test_windows.py; here, what the
Python layer hands the core: a window's checks and errors (count or span, calendar units
refused), a span turned into the core's reach in the times' own unit (seconds, days, "10s",
tz-aware instants, duplicates), the times found (``times=`` or the DatetimeIndex) and read in
place, and the same results through ol.detect, Detector, s.outliers, df.outliers and the CLI.
Window membership is checked against the definition written here, through each window's
median (``center`` of mad, bit-identical to ``np.median`` of the window's values).
"""

from __future__ import annotations

import datetime
import json

import numpy as np
import pandas as pd
import pytest

import outliers as ol
from outliers import _api, _native, _params, _windows, cli

NAT = np.iinfo(np.int64).min


def noisy(n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(10.0, 1.0, n)
    x[n // 3] = 40.0
    x[n // 2] = np.nan
    return x


def irregular(n, unit="s", seed=0):
    """Non-decreasing times with steps of 0 to 3 hours (duplicates included)."""
    steps = np.random.default_rng(seed).integers(0, 4, n) * 3600
    t = np.datetime64("2024-03-30T00:00:00", "s") + np.cumsum(steps).astype("m8[s]")
    return t.astype(f"M8[{unit}]")


def members(t_ns, i, span_ns, center):
    """W_i by the definition: |t_j - t_i| <= span / 2, or j <= i and t_i - t_j < span."""
    d = t_ns - t_ns[i]
    if center:
        return np.flatnonzero(2 * np.abs(d) <= span_ns)
    return np.flatnonzero((np.arange(t_ns.size) <= i) & (-d < span_ns))


def window_medians(x, t_ns, span_ns, center):
    out = np.full(x.size, np.nan)
    for i in range(x.size):
        w = x[members(t_ns, i, span_ns, center)]
        w = w[np.isfinite(w)]
        if w.size:
            out[i] = np.median(w)
    return out


def as_ns(times):
    return pd.DatetimeIndex(times).as_unit("ns").asi8


# ------------------------------------------------------------ parameters and their errors


def test_window_api_methods_table_is_unchanged():
    assert ol.methods()["hampel"] == {"window": 7, "threshold": 3.0}
    assert "window" not in ol.methods()["mad"]
    assert _params.CONTEXT == {"window": None, "center": True, "min_periods": 1, "times": None}


@pytest.mark.parametrize(
    "params,want",
    [
        ({}, {"threshold": 3.5}),  # no window: the core reads what it read before
        ({"window": None}, {"threshold": 3.5}),
        ({"window": 5}, {"threshold": 3.5, "window": 5, "center": True, "min_periods": 1}),
        ({"window": 2, "center": False}, {"threshold": 3.5, "window": 2, "center": False}),
        ({"window": np.int16(9), "min_periods": 4}, {"window": 9, "min_periods": 4}),
        ({"window": 2**70, "center": False}, {"window": 2**63 - 1}),
        ({"window": 3, "min_periods": 2**70}, {"min_periods": 2**63 - 1}),
    ],
)
def test_window_api_resolve_counts(params, want):
    full = _params.resolve("mad", params)
    assert {k: full[k] for k in want} == want
    assert set(full) <= {"threshold", "window", "center", "min_periods"}
    assert type(full.get("window", 0)) is int and type(full.get("center", True)) is bool


@pytest.mark.parametrize(
    "window,ns",
    [
        ("7D", 7 * 86_400 * 10**9),
        ("90min", 90 * 60 * 10**9),
        ("1h30min", 90 * 60 * 10**9),
        (pd.Timedelta(hours=6), 6 * 3600 * 10**9),
        (np.timedelta64(3, "s"), 3 * 10**9),
        (np.timedelta64(2, "W"), 14 * 86_400 * 10**9),
        (datetime.timedelta(minutes=1, microseconds=5), 60 * 10**9 + 5000),
        (np.timedelta64(10**10, "D"), 10**10 * 86_400 * 10**9),  # beyond int64 ns: exact
    ],
)
def test_window_api_spans_wait_for_their_times(window, ns):
    full = _params.resolve("zscore", {"window": window, "center": False})
    assert full["span"] == ns and full["window"] == 0 and full["time_reach"] is None
    assert _windows.is_timed(full) and _windows.is_windowed(full)
    assert isinstance(_params.check("zscore", {"window": window})["window"], pd.Timedelta)


def test_window_api_a_pending_span_never_runs_unwindowed():
    # The core refuses the None reach: a caller that skips with_reach cannot get global results.
    full = _params.resolve("mad", {"window": "1D"})
    with pytest.raises((TypeError, RuntimeError)):
        _native.run_columns("mad", [(noisy(20), None, None, 0, False)], full, [], mask=True)


@pytest.mark.parametrize(
    "params,error,pattern",
    [
        ({"window": 4}, ValueError, "odd and >= 3"),
        ({"window": 1}, ValueError, "odd and >= 3"),
        ({"window": -3}, ValueError, "window"),
        ({"window": 1, "center": False}, ValueError, ">= 2"),
        ({"window": 0, "center": False}, ValueError, "window"),
        ({"window": 7.0}, TypeError, "window"),
        ({"window": True}, TypeError, "window"),
        ({"window": np.bool_(True)}, TypeError, "window"),
        ({"window": [3]}, TypeError, "window"),
        ({"window": "7"}, ValueError, "no unit"),  # pandas would read 7 nanoseconds
        ({"window": "abc"}, ValueError, "window"),
        ({"window": "-1D"}, ValueError, "> 0"),
        ({"window": "0s"}, ValueError, "> 0"),
        ({"window": "NaT"}, ValueError, "> 0"),
        ({"window": pd.NaT}, TypeError, "window"),
        ({"window": np.timedelta64("NaT", "s")}, ValueError, "> 0"),
        ({"window": np.timedelta64(5)}, ValueError, "no unit"),
        ({"window": "1M"}, ValueError, "calendar"),
        ({"window": "1Y"}, ValueError, "calendar"),
        ({"window": "MS"}, ValueError, "calendar"),
        ({"window": "1B"}, ValueError, "calendar"),
        ({"window": "QE"}, ValueError, "calendar"),
        ({"window": np.timedelta64(1, "M")}, ValueError, "calendar"),
        ({"window": np.timedelta64(2, "Y")}, ValueError, "calendar"),
        ({"window": pd.DateOffset(months=1)}, ValueError, "offset"),
        ({"window": pd.offsets.BDay(3)}, ValueError, "offset"),
        ({"window": pd.tseries.frequencies.to_offset("1B")}, ValueError, "offset"),
        ({"window": 5, "center": 1}, TypeError, "center"),
        ({"window": 5, "center": "false"}, TypeError, "center"),
        ({"window": 5, "min_periods": 0}, ValueError, "min_periods"),
        ({"window": 5, "min_periods": 2.0}, TypeError, "min_periods"),
        ({"window": 5, "min_periods": True}, TypeError, "min_periods"),
        ({"min_periods": 3}, ValueError, "min_periods"),  # without a window it means nothing
        ({"windows": 5}, TypeError, "windows"),
    ],
)
def test_window_api_bad_windows_name_the_parameter(params, error, pattern):
    x = noisy(30)
    with pytest.raises(error, match=pattern):
        ol.detect(x, "iqr", **params)
    with pytest.raises(error, match=pattern):
        ol.Detector("iqr", **params)
    with pytest.raises(error, match=pattern):
        pd.Series(x).outliers.mask("iqr", **params)


@pytest.mark.parametrize(
    "params", [{"window": 5}, {"window": "1D"}, {"center": False}, {"min_periods": 1}]
)
def test_window_api_esd_tests_the_whole_sample(params):
    x = noisy(30)
    with pytest.raises(ValueError, match="esd tests the whole sample"):
        ol.detect(x, "esd", **params)
    with pytest.raises(ValueError, match="esd"):
        ol.Detector("esd", **params)
    # window=None is the whole sample, which esd is; times are accepted and never read.
    want = ol.detect(x, "esd")
    np.testing.assert_array_equal(ol.detect(x, "esd", window=None), want)
    np.testing.assert_array_equal(ol.detect(x, "esd", times=np.zeros(3, "M8[s]")), want)


def test_window_api_hampel_keeps_its_window_and_takes_the_new_forms():
    x = noisy(60)
    np.testing.assert_array_equal(ol.mask(x, "hampel"), ol.mask(x, "hampel", window=7))
    with pytest.raises(ValueError, match="hampel needs a window"):
        ol.detect(x, "hampel", window=None)
    t = pd.date_range("2024-01-01", periods=60, freq="h")
    # Hourly times: a centred span of 6 hours is the count window 7.
    np.testing.assert_array_equal(
        ol.scores(x, "hampel", window="6h", times=t), ol.scores(x, "hampel", window=7)
    )
    trailing = ol.scores(x, "hampel", window=2, center=False)
    assert np.isnan(trailing).sum() >= 1 and trailing.shape == x.shape


# ------------------------------------------------------------ the reach in the times' unit


@pytest.mark.parametrize(
    "span,unit,centred,trailing",
    [
        ("1D", "s", 43_200, 86_400),
        ("1D", "ns", 43_200 * 10**9, 86_400 * 10**9),
        ("1D", "D", 0, 1),  # half a day holds only the same day
        ("2D", "D", 1, 2),
        ("36h", "D", 0, 2),  # t_i - t_j < 1.5 days: 0 and 1 day back
        ("90min", "h", 0, 2),
        ("25s", "10s", 1, 3),
        ("1s", "ps", 5 * 10**11, 10**12),
        ("3ns", "ns", 1, 3),
    ],
)
def test_window_api_reach(span, unit, centred, trailing):
    ns = _windows.span_ns(pd.Timedelta(span))
    dtype = np.dtype(f"M8[{unit}]")
    assert _windows.reach(ns, True, dtype) == centred
    assert _windows.reach(ns, False, dtype) == trailing
    assert _windows.reach(ns, False, np.dtype(f"m8[{unit}]")) == trailing


def test_window_api_reach_is_clamped_and_months_refused():
    assert _windows.reach(10**40, True, np.dtype("M8[as]")) == 2**63 - 1
    with pytest.raises(ValueError, match="fixed length"):
        _windows.reach(10**9, True, np.dtype("M8[M]"))


@pytest.mark.parametrize("unit", ["s", "ms", "ns", "m"])
@pytest.mark.parametrize("span", ["5h", "3h", "1D", "59min"])
@pytest.mark.parametrize("center", [True, False])
def test_window_api_time_windows_hold_their_members(unit, span, center):
    x = noisy(120, seed=3)
    t = irregular(x.size, unit, seed=1)
    got = _api.center(x, "mad", window=span, center=center, times=t)
    want = window_medians(x, as_ns(t), _windows.span_ns(pd.Timedelta(span)), center)
    np.testing.assert_array_equal(got, want)  # medians: bit for bit


def count_window(x, i, window, center):
    """The finite values of W_i: positions i - h ... i + h, or i - w + 1 ... i, cut at the ends."""
    lo, hi = (i - window // 2, i + window // 2 + 1) if center else (i - window + 1, i + 1)
    w = x[max(lo, 0) : hi]
    return w[np.isfinite(w)]


@pytest.mark.parametrize("window,center", [(3, True), (7, True), (2, False), (6, False)])
def test_window_api_count_windows_hold_their_members(window, center):
    x = noisy(60, seed=9)
    x[[5, 6, 40]] = [np.inf, -np.inf, np.nan]
    windows = [count_window(x, i, window, center) for i in range(x.size)]
    medians = [np.median(w) if w.size else np.nan for w in windows]
    for data in (x, x.tolist(), pd.Series(x, index=irregular(60))):
        np.testing.assert_array_equal(
            _api.center(data, "mad", window=window, center=center), medians
        )
    lower, upper = ol.bounds(x, "quantile", low=0.0, high=1.0, window=window, center=center)
    # The short door's per-point bounds: each window's least and greatest finite value.
    np.testing.assert_array_equal(lower, [w.min() if w.size else np.nan for w in windows])
    np.testing.assert_array_equal(upper, [w.max() if w.size else np.nan for w in windows])


def test_window_api_day_times_and_trailing_matches_pandas():
    x = noisy(80, seed=5)
    days = np.datetime64("2024-01-01", "D") + np.cumsum(
        np.random.default_rng(2).integers(0, 3, x.size)
    ).astype("m8[D]")
    for span in ("1D", "2D", "36h", "5D"):
        got = _api.center(x, "mad", window=span, center=False, times=days)
        s = pd.Series(x, index=pd.DatetimeIndex(days.astype("M8[s]")))
        want = s.rolling(span, closed="right").median().to_numpy()
        np.testing.assert_array_equal(got, want, err_msg=span)


def test_window_api_tz_aware_index_is_compared_as_instants():
    # Across the spring change of Europe/Paris: the wall clock jumps, the instants do not.
    idx = pd.date_range("2024-03-30 20:00", periods=20, freq="h", tz="Europe/Paris")
    x = noisy(idx.size, seed=7)
    s = pd.Series(x, index=idx)
    got = s.outliers.bounds("mad", window="4h")
    naive = pd.Series(x, index=idx.tz_convert("UTC").tz_localize(None))
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True),
        naive.outliers.bounds("mad", window="4h").reset_index(drop=True),
    )
    want = window_medians(x, idx.as_unit("ns").asi8, 4 * 3600 * 10**9, True)
    np.testing.assert_array_equal(_api.center(s, "mad", window="4h"), want)


def test_window_api_timedelta_index_and_datetime_data():
    idx = pd.timedelta_range("0s", periods=30, freq="7s")
    x = noisy(30)
    want = window_medians(x, idx.as_unit("ns").asi8, 30 * 10**9, True)
    np.testing.assert_array_equal(_api.center(pd.Series(x, index=idx), "mad", window="30s"), want)
    # Datetime data: bounds and centers come back in the data's dtype, one per point.
    data = pd.Series(pd.date_range("2024-01-01", periods=30, freq="D").values, index=idx)
    lower, upper = ol.bounds(data, "mad", window="30s")
    assert lower.dtype == data.dtype and lower.shape == (30,)


# ------------------------------------------------------------ times: found, checked, in place


def test_window_api_times_are_read_in_place(monkeypatch):
    seen = []
    run = _native.run_columns

    def spy(*args, **kwargs):
        seen.append(kwargs.get("times"))
        return run(*args, **kwargs)

    monkeypatch.setattr(_native, "run_columns", spy)
    big = irregular(400, "s")
    times = big[::2]  # strided
    times.flags.writeable = False
    x = noisy(200)
    before_x, before_t = x.copy(), times.copy()
    ol.detect(x, "mad", window="6h", times=times)
    assert np.shares_memory(seen[-1], big) and seen[-1].dtype == np.int64
    idx = pd.DatetimeIndex(big[:200]).tz_localize("Asia/Tokyo")
    pd.Series(x, index=idx).outliers.mask("mad", window="6h")
    assert np.shares_memory(seen[-1], idx.asi8)
    np.testing.assert_array_equal(x, before_x)
    np.testing.assert_array_equal(times, before_t)
    # Count windows and no window never hand over times.
    ol.detect(x.tolist(), "mad", window=5, times=times)
    assert seen[-1] is None


def test_window_api_times_given_beat_the_index():
    x = noisy(50)
    hourly = pd.date_range("2024-01-01", periods=50, freq="h")
    daily = pd.date_range("2024-01-01", periods=50, freq="D")
    s = pd.Series(x, index=hourly)
    # Centred, half the span on each side: one step each way, a count window of 3.
    np.testing.assert_array_equal(
        s.outliers.scores("mad", window="2D", times=daily).to_numpy(),
        ol.scores(x, "mad", window=3),
    )
    np.testing.assert_array_equal(
        s.outliers.scores("mad", window="2h").to_numpy(), ol.scores(x, "mad", window=3)
    )
    np.testing.assert_array_equal(
        s.outliers.scores("mad", window="2D").to_numpy(), ol.scores(x, "mad", window=49)
    )


@pytest.mark.parametrize(
    "times,error,pattern",
    [
        (None, ValueError, "needs times"),
        (np.arange(50).astype("M8[s]")[:-1], ValueError, "times has 49 values"),
        (np.arange(50)[::-1].astype("M8[s]"), ValueError, "times must be non-decreasing"),
        (np.r_[np.arange(49), -1].astype("M8[s]"), ValueError, "non-decreasing"),
        (np.r_[np.array(["NaT"], "M8[s]"), np.arange(49).astype("M8[s]")], ValueError, "NaT"),
        (np.r_[np.arange(49).astype("M8[s]"), np.array(["NaT"], "M8[s]")], ValueError, "NaT"),
        (np.arange(50.0), TypeError, "times must hold datetime64"),
        (np.arange(50), TypeError, "times"),
        ([str(d) for d in pd.date_range("2024", periods=50)], TypeError, "times"),
        (np.arange(50).astype("M8[M]"), ValueError, "fixed length"),
        (np.zeros((50, 1), "M8[s]"), ValueError, "1-D"),
        (
            pd.Series(pd.date_range("2024", periods=50), dtype="timestamp[s][pyarrow]").where(
                np.arange(50) != 3
            ),
            ValueError,
            "NaT",
        ),
    ],
)
def test_window_api_bad_times_name_times(times, error, pattern):
    x = noisy(50)
    for data in (x, pd.Series(x)):
        with pytest.raises(error, match=pattern):
            ol.mask(data, "mad", window="1h", times=times)


def test_window_api_times_of_other_forms():
    x = noisy(40)
    t = pd.date_range("2024-01-01", periods=40, freq="h")
    want = ol.mask(x, "mad", window="5h", times=t)
    for times in (
        t.to_numpy(),
        t.to_numpy().astype("M8[m]"),
        list(t),
        pd.Series(t),
        t.array,
        pd.Series(t, dtype="timestamp[ms][pyarrow]"),
        t.to_numpy().astype(">M8[s]"),  # big-endian: the one copy it needs
        t - t[0],  # a TimedeltaIndex
    ):
        np.testing.assert_array_equal(ol.mask(x, "mad", window="5h", times=times), want)


def test_window_api_bad_index_names_the_index():
    x = noisy(30)
    with pytest.raises(ValueError, match="the index is a RangeIndex"):
        pd.Series(x).outliers.mask("mad", window="1h")
    idx = pd.date_range("2024-01-01", periods=30, freq="h")
    with pytest.raises(ValueError, match="the index must be non-decreasing"):
        pd.Series(x, index=idx[::-1]).outliers.mask("mad", window="1h")
    with pytest.raises(ValueError, match="the index holds missing times"):
        pd.Series(x, index=idx.insert(5, pd.NaT)[:30]).outliers.mask("mad", window="1h")
    with pytest.raises(ValueError, match="the index"):
        pd.DataFrame({"a": x}, index=idx[::-1]).outliers.mask("mad", window="1h")
    # Times are not read for count windows: an unsorted index is no error there.
    pd.Series(x, index=idx[::-1]).outliers.mask("mad", window=5)


# ------------------------------------------------------------ the doors agree


def test_window_api_short_door_and_general_path_agree():
    x = noisy(300)
    for params in ({"window": 5}, {"window": 4, "center": False}, {"window": 9, "min_periods": 7}):
        for verb in ("detect", "mask", "scores"):
            fast = getattr(ol, verb)(x, "iqr", **params)
            slow = getattr(ol, verb)(x.tolist(), "iqr", **params)
            np.testing.assert_array_equal(fast, slow)
        fast_b, slow_b = ol.bounds(x, "iqr", **params), ol.bounds(list(x), "iqr", **params)
        assert fast_b.lower.shape == (300,)
        np.testing.assert_array_equal(fast_b.lower, slow_b.lower)
        np.testing.assert_array_equal(fast_b.upper, slow_b.upper)


def test_window_api_detector():
    x = noisy(100)
    t = pd.date_range("2024-01-01", periods=100, freq="15min")
    d = ol.Detector("zscore", window="2h", center=False, min_periods=3)
    assert d.params == {
        "threshold": 3.0,
        "ddof": 0,
        "window": pd.Timedelta("2h"),
        "center": False,
        "min_periods": 3,
    }
    assert "Timedelta" in repr(d)
    want = ol.scores(x, "zscore", window="2h", center=False, min_periods=3, times=t)
    np.testing.assert_array_equal(d.scores(x, times=t), want)
    np.testing.assert_array_equal(d.scores(pd.Series(x, index=t)), want)
    np.testing.assert_array_equal(d.detect(x, times=t), np.flatnonzero(d.mask(x, times=t)))
    lower, upper = d.bounds(x, times=t)
    assert lower.shape == upper.shape == (100,)
    with pytest.raises(ValueError, match="needs times"):
        d.detect(x)
    with pytest.raises(TypeError, match="times= belongs to the data"):
        ol.Detector("mad", window="1D", times=t)
    with pytest.raises(TypeError, match="custom function"):
        ol.Detector(lambda v: v > 20).detect(x, times=t)
    np.testing.assert_array_equal(ol.Detector(lambda v: v > 20).mask(x), x > 20)


def test_window_api_series_accessor_per_point_results():
    idx = pd.date_range("2024-01-01", periods=200, freq="10min")
    x = noisy(200)
    x[50] = -30.0
    s = pd.Series(x, index=idx, name="v")
    params = {"window": "3h", "center": False, "min_periods": 4}
    flagged = s.outliers.mask("mad", **params)
    bounds = s.outliers.bounds("mad", **params)
    centers = pd.Series(_api.center(s, "mad", **params), index=idx)
    assert flagged.sum() >= 2 and bounds.iloc[:3].isna().all().all()  # min_periods
    report = s.outliers.report("mad", **params)
    pd.testing.assert_series_equal(report["lower"], bounds["lower"][flagged], check_names=False)
    pd.testing.assert_series_equal(report["upper"], bounds["upper"][flagged], check_names=False)
    np.testing.assert_array_equal(
        s.outliers.clean("center", "mad", **params).to_numpy(), s.where(~flagged, centers)
    )
    clipped = s.outliers.clean("clip", "mad", **params)
    np.testing.assert_array_equal(
        clipped[flagged].to_numpy(),
        np.clip(x, bounds["lower"], bounds["upper"])[flagged.to_numpy()],
    )
    pd.testing.assert_series_equal(clipped[~flagged], s[~flagged])


def test_window_api_frame_one_call_one_times(monkeypatch):
    idx = pd.date_range("2024-01-01", periods=120, freq="h", tz="UTC")
    df = pd.DataFrame(
        {"a": noisy(120, 1), "b": noisy(120, 2).astype(np.float32), "c": np.arange(120)},
        index=idx,
    )
    df["label"] = "x"  # not checked
    calls = []
    run = _native.run_columns

    def spy(*args, **kwargs):
        calls.append(len(args[1]))
        return run(*args, **kwargs)

    monkeypatch.setattr(_native, "run_columns", spy)
    got = df.outliers.mask("iqr", window="12h")
    assert calls == [3]
    for col in ("a", "b", "c"):
        pd.testing.assert_series_equal(got[col], df[col].outliers.mask("iqr", window="12h"))
    bounds = df.outliers.bounds("iqr", window="12h")
    report = df.outliers.report("iqr", window="12h")
    for col, pos, lower in zip(report["column"], report["position"], report["lower"], strict=True):
        assert bounds[(col, "lower")].iloc[pos] == lower
    cleaned = df.outliers.clean("center", "iqr", window="12h", columns=["a"])
    centers = _api.center(df["a"], "iqr", window="12h")
    np.testing.assert_array_equal(cleaned["a"], np.where(got["a"], centers, df["a"]))
    assert "background-color" in df.outliers.style("iqr", window="12h").to_html()
    other = pd.date_range("2020-01-01", periods=120, freq="D")
    pd.testing.assert_frame_equal(  # times= given beat the frame's index
        df.outliers.mask("iqr", window="12h", times=other),
        df.set_axis(other).outliers.mask("iqr", window="12h").set_axis(idx),
    )


# ------------------------------------------------------------ the command line


def test_window_api_cli_params():
    assert cli.parse_params(["window=30D", "center=false", "min_periods=3", "window=7"]) == {
        "window": 7,
        "center": False,
        "min_periods": 3,
    }
    assert cli.parse_params(["window=1h30min", "center=True"]) == {
        "window": "1h30min",
        "center": True,
    }
    with pytest.raises(cli.UserError, match="true or false"):
        cli.parse_params(["center=maybe"])
    with pytest.raises(cli.UserError, match="not a number"):
        cli.parse_params(["threshold=1D"])


@pytest.fixture
def dated_csv(tmp_path):
    x = noisy(90, seed=4)
    x[45] = np.nan
    days = pd.date_range("2024-01-01", periods=90, freq="D")
    frame = pd.DataFrame({"day": days.strftime("%Y-%m-%d"), "v": x, "w": x[::-1]})
    frame["ymd"] = days.strftime("%Y%m%d").astype(int)
    path = tmp_path / "dated.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_window_api_cli_span_reads_the_index_as_dates(dated_csv, capsys):
    path, frame = dated_csv
    for index in ("day", "ymd"):
        status = cli.main(
            ["detect", str(path), "--method", "mad", "--index", index, "--format", "json",
             "--column", "v", "--param", "window=15D", "--param", "center=false"]
        )  # fmt: skip
        assert status == 0
        got = json.loads(capsys.readouterr().out)
        s = pd.Series(frame["v"].to_numpy(), index=pd.date_range("2024-01-01", periods=90))
        want = s.outliers.report("mad", window="15D", center=False)
        assert [r["position"] for r in got] == want["position"].tolist()
        assert [r["lower"] for r in got] == pytest.approx(want["lower"].tolist())
        assert [r[index][:10] for r in got] == [str(d.date()) for d in want.index]


@pytest.mark.parametrize(
    "args,message",
    [
        (["--param", "window=15D"], "name the date column with --index"),
        (["--param", "window=15D", "--index", "v"], "--index 'v' is not a date column"),
        (["--param", "window=1M", "--index", "day"], "calendar"),
        (["--param", "window=4", "--index", "day"], "odd"),
        (["--method", "esd", "--param", "window=5"], "esd tests the whole sample"),
    ],
)
def test_window_api_cli_errors(dated_csv, capsys, args, message):
    path, _ = dated_csv
    assert cli.main(["detect", str(path), *args]) == cli.EXIT_USAGE
    assert message in capsys.readouterr().err


def test_window_api_cli_count_window_keeps_the_index_as_it_is(dated_csv, capsys):
    path, frame = dated_csv
    assert cli.main(["detect", str(path), "--index", "ymd", "--format", "csv",
                     "--method", "iqr", "--param", "window=9"]) == 0  # fmt: skip
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("ymd,column") and out[1].split(",")[0].isdigit()


def test_window_api_nothing_to_judge():
    idx = pd.date_range("2024-01-01", periods=30, freq="h")
    labels = pd.DataFrame({"s": ["a"] * 30}, index=idx)  # no column to check: no times read
    assert labels.outliers.mask("mad", window="1h").shape == (30, 0)
    assert labels.outliers.report("mad", window="1h").empty
    empty = pd.Series([], dtype=float, index=pd.DatetimeIndex([]))
    assert empty.outliers.mask("mad", window="1h").empty
    for bounds in (
        ol.bounds(empty, "mad", window="1h"),
        ol.bounds(np.array([]), "mad", window="1h", times=np.array([], "M8[s]")),
        ol.bounds(np.array([]), "mad", window=3),
    ):
        assert bounds.lower.shape == bounds.upper.shape == (0,)


def test_window_api_plots_say_what_the_flags_were_judged_against():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    idx = pd.date_range("2024-01-01", periods=100, freq="h")
    s = pd.Series(noisy(100), index=idx, name="v")
    try:
        assert "mad (6h window)" in s.outliers.plot("mad", window="6h").get_title()
        axes = s.to_frame().outliers.plot("iqr", window=5, center=False)
        assert "iqr (5-point trailing window)" in axes[0].get_title()
    finally:
        plt.close("all")
