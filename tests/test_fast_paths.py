"""The fast paths of issue 5 give the answers of the slow ones.

- zscore and esd: the vectorised loops (AVX2, AVX-512) and the portable fallback, with 1 and 2
  threads, give bit-identical results, and those results match the numpy oracle of
  tests/reference.py on adversarial data, both below and above the size where zscore switches
  to its one-read algorithm.
- The short door for plain numpy arrays (``_core.run_plain``) gives exactly what the general
  path gives for the same values held in a list, a Series or an array it does not take.
- The custom-function path hands plain arrays over without preparing them and takes the
  commonest results in one pass, with the results and errors of the general path.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reference as ref  # noqa: E402

import outliers as ol  # noqa: E402
from outliers import _api, _core  # noqa: E402

BIG = 300_000  # above zscore's one-read threshold (4 blocks of 65,536)
SMALL = 5_000


def _sample_runs(n):
    """Where zscore's fixed sample reads (kernels/zscore.hpp, sample())."""
    runs = min(2048, n // 128)
    return [k * (n - 8) // (runs - 1) for k in range(runs)]


@functools.cache
def make(variant: str, n: int) -> np.ndarray:
    rng = np.random.default_rng([n, len(variant), sum(map(ord, variant))])
    z = rng.standard_normal(n)
    if variant == "spikes":
        x = z.copy()
        x[rng.integers(0, n, max(3, n // 1000))] *= 25.0
    elif variant == "ties":
        x = rng.integers(-2, 3, n).astype(np.float64)
        x[: n // 4] = 0.0  # a plateau
        x[rng.integers(0, n, 5)] = 40.0
    elif variant == "constant":
        x = np.full(n, 0.1)
    elif variant == "constant_but_one":
        x = np.full(n, 7.0)
        x[n // 3] = 8.0
    elif variant == "huge":
        x = z * 1e150
    elif variant == "overflowing":
        x = z * 1e200  # squares overflow: std is inf, as numpy's
    elif variant == "tiny":
        x = z * 1e-150
    elif variant == "underflowing":
        x = z * 1e-200  # squares underflow: std is 0, as numpy's
    elif variant == "offset":
        x = 1e3 + z  # |mean| / std = 1e3: an ulp of the mean stays below the oracle's atol
    elif variant == "nonfinite":
        x = 10.0 + 3.0 * z
        x[rng.random(n) < 0.1] = np.nan
        x[rng.integers(0, n, 7)] = np.inf
        x[rng.integers(0, n, 7)] = -np.inf
        x[:3] = np.nan
    elif variant == "sorted":
        x = np.sort(z)
    elif variant == "reversed":
        x = np.sort(z)[::-1].copy()
    elif variant == "hidden":  # huge values between the sample's runs: its guess is wrong
        x = z.copy()
        starts = _sample_runs(n) if n >= 4 * 65_536 else [0, n // 2]
        x[[s + 60 for s in starts[::97]]] = 1e6
    else:
        raise AssertionError(variant)
    return x


VARIANTS = [
    "spikes",
    "ties",
    "constant",
    "constant_but_one",
    "huge",
    "overflowing",
    "tiny",
    "underflowing",
    "offset",
    "nonfinite",
    "sorted",
    "reversed",
    "hidden",
]
CASES = [
    ("zscore", {}),
    ("zscore", {"threshold": 2.0, "ddof": 1}),
    ("esd", {}),
    ("esd", {"max_outliers": 30, "alpha": 0.1}),
]


def _bits(a):
    return np.ascontiguousarray(np.asarray(a, dtype=np.float64)).view(np.uint64)


def _everything(x, method, params):
    """Every output of one input, as arrays that compare bit for bit."""
    lo, hi = ol.bounds(x, method, **params)
    return {
        "positions": ol.detect(x, method, **params),
        "mask": ol.mask(x, method, **params),
        "scores": _bits(ol.scores(x, method, **params)),
        "bounds": _bits([lo, hi]),
    }


def _check_oracle(ctx, x, method, params, got):
    r = ref.reference(method, x, **params)
    ref.check_positions(ctx, got["positions"], r)
    ref.check_mask(ctx, got["mask"], r)
    ref.check_scores(ctx, got["scores"].view(np.float64), r)
    lo, hi = got["bounds"].view(np.float64)
    ref.check_bounds(ctx, (np.float64(lo), np.float64(hi)), r, x)


_BASELINES: dict = {}


def _portable_one_thread(variant, size, method, params):
    """Every output on the portable level and one thread: what every other run must give."""
    key = (variant, size, method, tuple(sorted(params.items())))
    if key not in _BASELINES:
        before = _core._cpu_level(), ol.get_num_threads()
        _core._limit_cpu("portable")
        ol.set_num_threads(1)
        try:
            _BASELINES[key] = _everything(make(variant, size), method, params)
        finally:
            _core._limit_cpu(before[0])
            ol.set_num_threads(before[1])
    return _BASELINES[key]


@pytest.mark.parametrize("size", [SMALL, BIG])
@pytest.mark.parametrize("method,params", CASES, ids=[f"{m}-{p}" for m, p in CASES])
@pytest.mark.parametrize("variant", VARIANTS)
def test_fast_paths_every_level_and_thread_count_match_the_oracle(
    variant, method, params, size, cpu_level
):
    x = make(variant, size)
    base = _portable_one_thread(variant, size, method, params)
    for threads in (1, 2):
        ol.set_num_threads(threads)
        got = _everything(x, method, params)
        for name in base:
            assert np.array_equal(got[name], base[name]), (
                f"{variant} n={size} {method} {params}: {name} differs between portable/1 "
                f"thread and {cpu_level}/{threads} threads"
            )
    if cpu_level == "portable":
        _check_oracle(f"{variant} n={size} {method} {params}", x, method, params, base)


@pytest.mark.parametrize("size", [SMALL, BIG])
@pytest.mark.parametrize("dtype", ["float32", "int32", "uint8", "int64"])
@pytest.mark.parametrize("method", ["zscore", "esd"])
@pytest.mark.parametrize("level", ["portable", "avx512"])
def test_fast_paths_other_dtypes_and_layouts_match_the_oracle(
    level, dtype, method, size, use_cpu_level
):
    use_cpu_level(level)
    x = make("spikes", size) * (30.0 if dtype != "uint8" else 10.0)
    if dtype == "uint8":
        x = np.clip(x + 128, 0, 255)
    a = x.astype(dtype)
    for layout, data in (("contiguous", a), ("reversed", a[::-1]), ("strided", a[::3])):
        got = _everything(data, method, {})
        _check_oracle(f"{dtype} {layout} {level} {method}", data, method, {}, got)


@pytest.mark.parametrize("size", [SMALL, BIG])
@pytest.mark.parametrize("variant", ["spikes", "nonfinite", "ties"])
def test_fast_paths_zscore_mask_agrees_with_scores(variant, size, restore_cpu_and_threads):
    x = make(variant, size)
    for threshold in (1.0, 2.0, 3.0):
        mask = ol.mask(x, threshold=threshold)
        scores = ol.scores(x, threshold=threshold)
        with np.errstate(invalid="ignore"):
            near = np.abs(scores - threshold) <= 1e-9 * threshold
            assert np.array_equal(mask[~near], (scores > threshold)[~near])


# ------------------------------------------------------------------- the short door (run_plain)

METHOD_PARAMS = [
    ("zscore", {}),
    ("zscore", {"threshold": 1.5, "ddof": 1}),
    ("mad", {}),
    ("iqr", {"k": 1.0}),
    ("quantile", {"low": 0.05, "high": 0.95}),
    ("hampel", {"window": 5}),
    ("esd", {"max_outliers": 4}),
]


def _general(data, method, params):
    """The general path's answers (prepare + run_columns), never the short door."""
    out = {}
    for verb in ("positions", "mask", "scores"):
        out[verb] = _api.run_builtin(data, method, params, **{verb: True})[verb]
    result = _api.run_builtin(data, method, params, bounds=True)
    out["bounds"] = (result["lower"], result["upper"])
    return out


def _short(data, method, params):
    lo, hi = ol.bounds(data, method, **params)
    return {
        "positions": ol.detect(data, method, **params),
        "mask": ol.mask(data, method, **params),
        "scores": ol.scores(data, method, **params),
        "bounds": (lo, hi),
    }


def _same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


@pytest.mark.parametrize("method,params", METHOD_PARAMS, ids=[m for m, _ in METHOD_PARAMS])
@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 1000, 70_000])
def test_fast_paths_short_door_equals_general_path(method, params, n):
    x = make("nonfinite", max(n, 3))[:n].copy()
    ro = x.copy()
    ro.flags.writeable = False
    short = _short(x, method, params)
    general = _general(x, method, params)
    for inputs in (x, ro, x.tolist(), pd.Series(x), pd.Series(x, dtype="Float64")):
        other = _short(inputs, method, params)
        for verb in ("positions", "mask", "scores"):
            assert _same(short[verb], general[verb]), (method, n, verb, "ndarray")
            assert _same(other[verb], short[verb]), (method, n, verb, type(inputs).__name__)
        for got, want in zip(other["bounds"], general["bounds"], strict=True):
            assert _same(got, want), (method, n, "bounds", type(inputs).__name__)
    lo, hi = short["bounds"]
    if method != "hampel":
        assert type(lo) is np.float64 and type(hi) is np.float64


@pytest.mark.parametrize(
    "make_input",
    [
        lambda x: x[::2],
        lambda x: x[::-1],
        lambda x: np.ascontiguousarray(np.stack([x, x], axis=1))[:, 1],
        lambda x: x.astype(">f8"),
        lambda x: x.astype(np.float32),
        lambda x: (x * 100).astype(np.int16),
        lambda x: (x * 100).astype(np.int16).astype(">i2"),
        lambda x: np.frombuffer(b"\0" + x.tobytes(), dtype=np.float64, count=x.size, offset=1),
        lambda x: x.view(np.ndarray).view(type("Sub", (np.ndarray,), {})),
    ],
    ids=[
        "strided",
        "reversed",
        "column",
        "big-endian",
        "float32",
        "int16",
        "big-endian-int16",
        "unaligned",
        "subclass",
    ],
)
def test_fast_paths_layouts_and_kinds_equal_general_path(make_input):
    x = make_input(make("spikes", 2000))
    for method, params in METHOD_PARAMS:
        short, general = _short(x, method, params), _general(x, method, params)
        for verb in ("positions", "mask", "scores"):
            assert _same(short[verb], general[verb]), (method, verb)
        for got, want in zip(short["bounds"], general["bounds"], strict=True):
            assert _same(got, want), (method, "bounds")


def test_fast_paths_datetimes_and_missing_keep_the_general_path():
    t = np.arange(np.datetime64("2020-01-01"), np.datetime64("2020-03-01")).astype("M8[s]")
    t[5] = t[5] + np.timedelta64(10**8, "s")
    lo, hi = ol.bounds(t)
    assert lo.dtype == t.dtype and hi.dtype == t.dtype
    assert ol.detect(t).tolist() == [5]
    x = make("spikes", 500)
    x[[3, 4]] = -9999.0
    assert not ol.mask(x, "mad", missing=-9999)[[3, 4]].any()


def test_fast_paths_parameter_cache_checks_every_call():
    x = make("spikes", 100)
    ol.mask(x, threshold=1)
    with pytest.raises(TypeError, match="threshold"):
        ol.mask(x, threshold=True)  # equal to 1 and same hash: must not hit the cached entry
    for _ in range(2):
        with pytest.raises(ValueError, match="threshold"):
            ol.mask(x, threshold=0.0)
        with pytest.raises(ValueError, match="threshold"):
            ol.mask(x, threshold=float("nan"))
        with pytest.raises(TypeError, match="unknown parameter"):
            ol.mask(x, thresold=2.0)
        with pytest.raises(ValueError, match="unknown method"):
            ol.mask(x, ["zscore"])
        with pytest.raises(TypeError, match="threshold"):
            ol.mask(x, threshold=[2.0])  # unhashable: resolved, not remembered
    assert np.array_equal(ol.mask(x, threshold=np.float64(1.0)), ol.mask(x, threshold=1.0))
    for k in range(600):  # more distinct sets than the cache keeps
        ol.mask(x, threshold=1.0 + k / 1000)
    assert len(_api._RESOLVED) <= _api._RESOLVED_MAX


def test_fast_paths_short_door_refuses_what_it_cannot_read():
    params = {"threshold": 3.0, "ddof": 0}
    for data in ([1.0, 2.0], np.zeros((2, 2)), np.zeros(3, ">f8"), np.zeros(3, "f2")):
        assert _core.run_plain("zscore", data, params, 1) is None
    assert _core.run_plain("zscore", np.zeros(3, "M8[s]"), params, 1) is None
    with pytest.raises(ValueError, match="output"):
        _core.run_plain("zscore", np.zeros(3), params, 7)


# --------------------------------------------------------------------------- custom functions


def test_fast_paths_custom_function_gets_the_callers_memory_read_only():
    x = make("spikes", 10_000)
    seen = {}

    def detect(v):
        seen["shares"] = np.shares_memory(v, x)
        seen["writeable"] = v.flags.writeable
        seen["dtype"] = v.dtype
        return np.flatnonzero(np.abs(v) > 5)

    got = ol.Detector(detect).detect(x)
    assert seen == {"shares": True, "writeable": False, "dtype": x.dtype}
    assert x.flags.writeable
    assert np.array_equal(got, np.flatnonzero(np.abs(x) > 5))
    assert np.array_equal(ol.Detector(detect).detect(x.tolist()), got)
    assert np.array_equal(ol.Detector(detect).detect(pd.Series(x)), got)


@pytest.mark.parametrize(
    "answer",
    [
        lambda v: np.flatnonzero(v > 1),  # int64, increasing: the one-pass case
        lambda v: np.flatnonzero(v > 1)[::-1],  # decreasing
        lambda v: np.repeat(np.flatnonzero(v > 1), 2),  # duplicates
        lambda v: np.flatnonzero(v > 1).astype(np.int32),
        lambda v: np.flatnonzero(v > 1).astype(">i8"),
        lambda v: np.flatnonzero(v > 1).tolist(),
        lambda v: v > 1,  # bool mask
        lambda v: (v > 1)[::-1][::-1],
        lambda v: np.asarray(v > 1, dtype=np.uint8),  # uint8 positions, not a mask
        lambda v: np.empty(0, dtype=np.float64),  # nothing flagged
    ],
)
def test_fast_paths_custom_results_normalised_as_before(answer):
    x = make("spikes", 300)
    got = ol.Detector(answer).detect(x)
    result = answer(x)
    a = np.asarray(result)
    if a.dtype == np.bool_:
        want = np.flatnonzero(a)
    elif a.size == 0:
        want = np.empty(0, np.int64)
    else:
        want = np.unique(a.astype(np.int64))
    assert got.dtype == np.int64 and np.array_equal(got, want)
    if isinstance(result, np.ndarray):
        assert not np.shares_memory(got, result)


@pytest.mark.parametrize(
    "answer,error,match",
    [
        (lambda v: np.array([0, 5, 300]), ValueError, "position 300"),
        (lambda v: np.array([-1, 5]), ValueError, "position -1"),
        (lambda v: np.array([3, 2, 400]), ValueError, "position 400"),
        (lambda v: np.ones(299, dtype=bool), ValueError, "length 299"),
        (lambda v: np.ones((2, 2), dtype=np.int64), ValueError, "2-D"),
        (lambda v: np.array([1.0]), TypeError, "float64"),
    ],
)
def test_fast_paths_custom_errors_name_the_function(answer, error, match):
    x = make("spikes", 300)
    with pytest.raises(error, match=match) as info:
        ol.Detector(answer).detect(x)
    assert "lambda" in str(info.value)
