"""Bad windows, centers, min_periods and times: a clear exception naming the parameter.

Every case runs through the functional verbs, the Series accessor and a Detector (whose
keywords are checked when it is made or when it runs), and must leave the data and times as
they were. Also: empty data, and the documented choices at the edges (esd takes no window,
hampel needs one, min_periods needs a window, times are ignored without a span).
"""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest

import outliers as ol

N = 50
WINDOWED = ["zscore", "mad", "iqr", "quantile", "hampel"]
T = np.datetime64("2024-03-01T00:00:00", "s") + np.arange(N).astype("timedelta64[m]")


def data():
    x = np.random.default_rng(3).standard_normal(N)
    x[7] = 30.0
    return x


def calls(method, kw, x=None, times=None):
    """Each way of asking, as (name, thunk)."""
    x = data() if x is None else x
    with_times = dict(kw) if times is None else dict(kw, times=times)
    s = pd.Series(x)

    def detector():
        d_kw = {k: v for k, v in with_times.items() if k != "times"}
        call = {"times": with_times["times"]} if "times" in with_times else {}
        with ol.Detector(method, **d_kw) as d:
            return d.detect(x, **call)

    return [
        ("ol.detect", lambda: ol.detect(x, method, **with_times)),
        ("ol.mask", lambda: ol.mask(x, method, **with_times)),
        ("ol.scores", lambda: ol.scores(x, method, **with_times)),
        ("ol.bounds", lambda: ol.bounds(x, method, **with_times)),
        ("accessor", lambda: s.outliers.detect(method, **with_times)),
        ("frame accessor", lambda: s.to_frame("a").outliers.mask(method, **with_times)),
        ("Detector", detector),
    ]


def refused(method, kw, exc, pattern, times=None, x=None):
    x = data() if x is None else x
    before = x.tobytes()
    t_before = None if times is None else np.asarray(times).tobytes()
    for name, call in calls(method, kw, x, times):
        with pytest.raises(exc, match=pattern):
            call()
        assert x.tobytes() == before, name
        if times is not None:
            assert np.asarray(times).tobytes() == t_before, name


# ------------------------------------------------------------------ window


def _ids(cases):
    return [repr(getattr(c, "values", c)[0]) for c in cases]


BAD_WINDOWS = [
    # centred counts: odd and >= 3
    ({"window": 4}, ValueError, r"window must be odd and >= 3"),
    ({"window": 2}, ValueError, r"window must be odd and >= 3"),
    ({"window": 1}, ValueError, r"window must be odd and >= 3"),
    ({"window": 0}, ValueError, r"window must be odd and >= 3"),
    ({"window": -7}, ValueError, r"window must be odd and >= 3"),
    ({"window": np.int64(10)}, ValueError, r"window must be odd and >= 3"),
    ({"window": 100, "center": True}, ValueError, r"window must be odd and >= 3"),
    # trailing counts: >= 2
    ({"window": 1, "center": False}, ValueError, r"window must be >= 2"),
    ({"window": 0, "center": False}, ValueError, r"window must be >= 2"),
    ({"window": -3, "center": False}, ValueError, r"window must be >= 2"),
    # neither a count nor a span
    ({"window": True}, TypeError, r"window"),
    ({"window": np.bool_(True)}, TypeError, r"window"),
    ({"window": 7.0}, TypeError, r"window"),
    ({"window": 1.5}, TypeError, r"window"),
    ({"window": np.float64(5)}, TypeError, r"window"),
    ({"window": [7]}, TypeError, r"window"),
    ({"window": object()}, TypeError, r"window"),
    ({"window": 5 + 0j}, TypeError, r"window"),
    # spans <= 0 or missing
    ({"window": "0s"}, ValueError, r"window"),
    ({"window": "-1h"}, ValueError, r"window"),
    ({"window": pd.Timedelta(0)}, ValueError, r"window"),
    ({"window": pd.Timedelta(-1)}, ValueError, r"window"),
    ({"window": np.timedelta64(-5, "s")}, ValueError, r"window"),
    ({"window": datetime.timedelta(0)}, ValueError, r"window"),
    ({"window": pd.NaT}, (ValueError, TypeError), r"window"),
    ({"window": np.timedelta64("NaT")}, ValueError, r"window"),
    ({"window": np.timedelta64(5)}, ValueError, r"window"),  # no unit
    # calendar units of varying length
    ({"window": "MS"}, ValueError, r"window"),
    ({"window": "1M"}, ValueError, r"window"),
    ({"window": "1Y"}, ValueError, r"window"),
    ({"window": "2QE"}, ValueError, r"window"),
    ({"window": "3B"}, ValueError, r"window"),
    ({"window": "1BME"}, ValueError, r"window"),
    ({"window": pd.DateOffset(months=1)}, ValueError, r"window"),
    ({"window": pd.DateOffset(days=1)}, ValueError, r"window"),
    ({"window": pd.offsets.BDay(3)}, ValueError, r"window"),
    ({"window": pd.offsets.MonthEnd()}, ValueError, r"window"),
    ({"window": pd.offsets.Hour(2)}, ValueError, r"window"),
    ({"window": np.timedelta64(1, "M")}, ValueError, r"window"),
    ({"window": np.timedelta64(1, "Y")}, ValueError, r"window"),
    # strings that are not spans
    ({"window": "banana"}, ValueError, r"window"),
    ({"window": ""}, ValueError, r"window"),
    ({"window": "7"}, ValueError, r"window"),
    ({"window": "1h30"}, ValueError, r"window"),
    ({"window": "5 parsecs"}, ValueError, r"window"),
]


@pytest.mark.parametrize("method", WINDOWED)
@pytest.mark.parametrize("kw,exc,pattern", BAD_WINDOWS, ids=_ids(BAD_WINDOWS))
def test_windows_errors_window(method, kw, exc, pattern):
    refused(method, kw, exc, pattern, times=T)


@pytest.mark.parametrize("method", WINDOWED)
def test_windows_errors_accepted_neighbours_of_the_refused(method):
    """What the refusals must not catch: np.int64 counts, fixed pandas spans of every form,
    np.bool_ centers, very large counts and spans (clamped)."""
    x = data()
    want = ol.mask(x, method, window=5)
    for window in (np.int64(5), np.int8(5), np.uint16(5)):
        np.testing.assert_array_equal(ol.mask(x, method, window=window), want)
    np.testing.assert_array_equal(ol.mask(x, method, window=5, center=np.bool_(True)), want)
    five_minutes = ol.mask(x, method, window="5min", times=T)
    for span in (
        "300s",
        "00:05:00",
        pd.Timedelta(minutes=5),
        np.timedelta64(5, "m"),
        datetime.timedelta(minutes=5),
        "5 minutes",
        "4min60s",
    ):
        np.testing.assert_array_equal(ol.mask(x, method, window=span, times=T), five_minutes)
    for window, center in [(2**63 - 1, True), (2**70 + 1, True), (10**30, False)]:
        assert ol.mask(x, method, window=window, center=center).shape == (N,)
    assert ol.mask(x, method, window=pd.Timedelta.max, times=T).shape == (N,)


# ------------------------------------------------------------------ center, min_periods

BAD_OTHERS = [
    ({"window": 5, "center": "yes"}, TypeError, r"center"),
    ({"window": 5, "center": 1}, TypeError, r"center"),
    ({"window": 5, "center": None}, TypeError, r"center"),
    ({"window": 5, "center": "False"}, TypeError, r"center"),
    ({"window": 5, "min_periods": 0}, ValueError, r"min_periods"),
    ({"window": 5, "min_periods": -2}, ValueError, r"min_periods"),
    ({"window": 5, "min_periods": 1.5}, TypeError, r"min_periods"),
    ({"window": 5, "min_periods": 2.0}, TypeError, r"min_periods"),
    ({"window": 5, "min_periods": True}, TypeError, r"min_periods"),
    ({"window": 5, "min_periods": "2"}, TypeError, r"min_periods"),
    ({"window": 5, "min_periods": None}, TypeError, r"min_periods"),
    ({"window": "1h", "min_periods": 0}, ValueError, r"min_periods"),
]


@pytest.mark.parametrize("method", WINDOWED)
@pytest.mark.parametrize("kw,exc,pattern", BAD_OTHERS, ids=_ids(BAD_OTHERS))
def test_windows_errors_center_and_min_periods(method, kw, exc, pattern):
    refused(method, kw, exc, pattern, times=T)


@pytest.mark.parametrize(
    "kw",
    [
        {"window": 5},
        {"window": "1h"},
        {"center": False},
        {"min_periods": 3},
        {"window": 5, "center": True},
    ],
)
def test_windows_errors_esd_tests_the_whole_sample(kw):
    refused("esd", kw, ValueError, r"esd tests the whole sample", times=T)
    # window=None is the whole sample: what esd does anyway
    np.testing.assert_array_equal(ol.mask(data(), "esd", window=None), ol.mask(data(), "esd"))


def test_windows_errors_hampel_needs_a_window_and_min_periods_a_window():
    refused("hampel", {"window": None}, ValueError, r"window")
    for method in ["zscore", "mad", "iqr", "quantile"]:
        refused(method, {"min_periods": 2}, ValueError, r"min_periods")
        # min_periods=1 and center alone change nothing without a window
        x = data()
        want = ol.mask(x, method)
        np.testing.assert_array_equal(ol.mask(x, method, min_periods=1), want)
        np.testing.assert_array_equal(ol.mask(x, method, center=False), want)


# ------------------------------------------------------------------ times

BAD_TIMES = [
    (T[:-1], ValueError, r"times"),  # too short
    (np.concatenate([T, T[-1:]]), ValueError, r"times"),  # too long
    (np.where(np.arange(N) == 9, np.datetime64("NaT"), T), ValueError, r"times"),
    (T[::-1], ValueError, r"times"),  # decreasing
    (np.concatenate([T[:20], T[19:20] - 1, T[21:]]), ValueError, r"times"),  # one step back
    (T.astype(np.int64), TypeError, r"times"),
    (T.astype(np.int64).astype(np.float64), TypeError, r"times"),
    (np.arange(N), TypeError, r"times"),
    (T.astype(str), TypeError, r"times"),
    (list(range(N)), TypeError, r"times"),
    (pd.Series(np.arange(N) * 1.0), TypeError, r"times"),
    (pd.Series(T.astype(np.int64), dtype="Int64"), TypeError, r"times"),
    (np.stack([T, T]), (ValueError, TypeError), r"times"),
    (T[0], (ValueError, TypeError), r"times"),
]


@pytest.mark.parametrize("method", WINDOWED)
@pytest.mark.parametrize("k", range(len(BAD_TIMES)))
def test_windows_errors_times(method, k):
    times, exc, pattern = BAD_TIMES[k]
    for center in (True, False):
        refused(method, {"window": "1h", "center": center}, exc, pattern, times=times)


@pytest.mark.parametrize("method", WINDOWED)
def test_windows_errors_a_span_needs_times(method):
    x = data()
    pattern = r"needs times"
    for _, call in calls(method, {"window": "1h"}, x):  # a RangeIndex is no time
        with pytest.raises(ValueError, match=pattern):
            call()
    s = pd.Series(x, index=np.arange(N) * 10)
    with pytest.raises(ValueError, match=pattern):
        s.outliers.mask(method, window="1h")
    with pytest.raises(ValueError, match=pattern):
        ol.mask(s.to_numpy(), method, window="1h")


@pytest.mark.parametrize("method", WINDOWED)
def test_windows_errors_a_bad_index(method):
    x = data()
    shuffled = pd.DatetimeIndex(T).delete(3).insert(30, T[3])  # one time out of order
    with_nat = pd.DatetimeIndex(np.where(np.arange(N) == 5, np.datetime64("NaT"), T))
    for index in (shuffled, with_nat, pd.DatetimeIndex(T[::-1])):
        s = pd.Series(x, index=index)
        before = s.copy(deep=True)
        for call in (
            lambda s=s: s.outliers.mask(method, window="1h"),
            lambda s=s: ol.mask(s, method, window="1h"),
            lambda s=s: s.to_frame("a").outliers.scores(method, window="1h"),
        ):
            with pytest.raises(ValueError, match=r"index"):
                call()
        pd.testing.assert_series_equal(s, before)
        # times= given: the index is not read
        assert ol.mask(s, method, window="1h", times=T).shape == (N,)


def test_windows_errors_empty_data():
    empty = np.array([], dtype=np.float64)
    no_times = np.array([], dtype="datetime64[ns]")
    for method in WINDOWED:
        for kw in [
            {"window": 5},
            {"window": 4, "center": False},
            {"window": "1h", "times": no_times},
            {"window": "1h", "center": False, "times": no_times},
        ]:
            assert ol.detect(empty, method, **kw).tolist() == []
            assert ol.mask(empty, method, **kw).shape == (0,)
            assert ol.scores(empty, method, **kw).shape == (0,)
            lo, hi = ol.bounds(empty, method, **kw)
            assert np.shape(lo) == np.shape(hi) == (0,), (method, kw)
        s = pd.Series([], dtype=np.float64, index=pd.DatetimeIndex([]))
        assert s.outliers.detect(method, window="1h").empty
        assert s.outliers.bounds(method, window="1h").shape == (0, 2)
