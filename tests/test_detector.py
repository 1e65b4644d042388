"""Detector (SPEC §5): built-in names, callables, import paths, results, errors, close, threads."""

from __future__ import annotations

import gc
import re
import sys
import traceback
import uuid
import weakref
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import outliers as ol

SEED_MODULE = """\
import numpy as np
def detect(d):
    return np.where(np.abs(d - d.mean()) > 2 * d.std())[0]
"""


def seed_data(seed: int = 42) -> np.ndarray:
    """The seed's own test data: 1,000 uniform values in [0, 1), three spikes at 7, 113, 835."""
    rng = np.random.default_rng(seed)
    data = rng.random(1000)
    data[7] = 97.3
    data[113] = 92.1
    data[835] = 93.2
    return data


@pytest.fixture
def seed_module(tmp_path, monkeypatch):
    """A module `detect` file written into tmp_path, importable under a fresh name."""
    name = f"seed_detect_{uuid.uuid4().hex[:12]}"
    (tmp_path / f"{name}.py").write_text(SEED_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


# ------------------------------------------------------------ the seed's test


@pytest.mark.parametrize("seed", [42, 0, 2024])
def test_detector_seed_zscore(seed):
    data = seed_data(seed)
    result = ol.Detector("zscore", threshold=2.0).detect(data)
    assert result.dtype == np.int64
    assert result.tolist() == [7, 113, 835]


def test_detector_seed_module_path(seed_module):
    data = seed_data()
    d = ol.Detector(f"{seed_module}:detect")
    result = d.detect(data)
    assert isinstance(result, np.ndarray) and result.dtype == np.int64
    assert result.tolist() == [7, 113, 835]


def test_detector_seed_load(seed_module):
    data = seed_data()
    d = ol.Detector.load(seed_module, "detect")
    assert isinstance(d, ol.Detector)
    result = d.detect(data)
    assert result.dtype == np.int64
    assert result.tolist() == [7, 113, 835]
    np.testing.assert_array_equal(d.mask(data), np.isin(np.arange(1000), [7, 113, 835]))


def test_detector_seed_module_in_package(tmp_path, monkeypatch):
    pkg = f"seedpkg_{uuid.uuid4().hex[:12]}"
    (tmp_path / pkg).mkdir()
    (tmp_path / pkg / "__init__.py").write_text("")
    (tmp_path / pkg / "mymodule.py").write_text(SEED_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert ol.Detector(f"{pkg}.mymodule:detect").detect(seed_data()).tolist() == [7, 113, 835]
        assert ol.Detector.load(f"{pkg}.mymodule", "detect").detect(seed_data()).tolist() == [
            7,
            113,
            835,
        ]
    finally:
        for key in [k for k in sys.modules if k == pkg or k.startswith(pkg + ".")]:
            del sys.modules[key]


def test_detector_module_path_missing_module():
    name = f"no_such_module_{uuid.uuid4().hex[:8]}"
    with pytest.raises(ModuleNotFoundError, match=name):
        ol.Detector(f"{name}:detect").detect(seed_data())
    with pytest.raises(ModuleNotFoundError, match=name):
        ol.Detector.load(name, "detect").detect(seed_data())


def test_detector_module_path_missing_submodule():
    with pytest.raises(ModuleNotFoundError, match="no_such_sub_xyz"):
        ol.Detector("os.no_such_sub_xyz:detect").detect(seed_data())


def test_detector_module_path_missing_attribute(seed_module):
    with pytest.raises(AttributeError, match="no_such_function_xyz"):
        ol.Detector(f"{seed_module}:no_such_function_xyz").detect(seed_data())
    with pytest.raises(AttributeError, match="no_such_function_xyz"):
        ol.Detector.load(seed_module, "no_such_function_xyz").detect(seed_data())


# ------------------------------------------------------------ custom function results

N = 20
X = np.linspace(0.0, 1.0, N)


def _result_function(result):
    def custom_result(values):
        return result

    return custom_result


VALID_RESULTS = [
    ("list-of-ints", [5, 1, 12], [1, 5, 12]),
    ("int32-array", np.array([3, 9], dtype=np.int32), [3, 9]),
    ("uint64-array", np.array([19, 0], dtype=np.uint64), [0, 19]),
    ("int8-array", np.array([2], dtype=np.int8), [2]),
    ("int64-array", np.array([4, 4, 2], dtype=np.int64), [2, 4]),
    ("bool-mask", np.isin(np.arange(N), [0, 7, 19]), [0, 7, 19]),
    ("bool-list", [i in (3, 4) for i in range(N)], [3, 4]),
    ("all-false-mask", np.zeros(N, dtype=bool), []),
    ("unsorted-duplicates", [5, 1, 5, 3, 1, 19, 0, 0], [0, 1, 3, 5, 19]),
    ("tuple", (8, 2), [2, 8]),
    ("range", range(2, 5), [2, 3, 4]),
    ("numpy-int-scalars", [np.int64(6), np.int16(1)], [1, 6]),
    ("empty-list", [], []),
    ("empty-int-array", np.array([], dtype=np.int64), []),
    ("np.where", np.where(X > 0.9)[0], np.flatnonzero(X > 0.9).tolist()),
    ("strided-bool-mask", np.isin(np.arange(2 * N), [4, 14]).copy()[::2], [2, 7]),
    # A bool view of bytes other than 0 and 1 (e.g. made with .view(bool)): nonzero is True.
    (
        "bool-view-of-bytes",
        (np.isin(np.arange(N), [1, 9]).astype(np.uint8) * 7).view(bool),
        [1, 9],
    ),
    # numpy masked arrays: the mask is honoured (issue 15 item 14), masked = not flagged.
    (
        "masked-bool-mask",
        np.ma.array(np.isin(np.arange(N), [0, 7, 19]), mask=np.isin(np.arange(N), [7, 8])),
        [0, 19],
    ),
    ("masked-positions", np.ma.array([5, 1, 12, 3], mask=[0, 1, 0, 0]), [3, 5, 12]),
    ("masked-out-of-range-position", np.ma.array([2, 10**6, -4], mask=[0, 1, 1]), [2]),
    ("masked-array-nothing-masked", np.ma.array(np.array([4, 2], dtype=np.int32)), [2, 4]),
    ("all-masked-positions", np.ma.array([1, 2], mask=[1, 1]), []),
]


@pytest.mark.parametrize("label,result,expected", VALID_RESULTS, ids=[c[0] for c in VALID_RESULTS])
def test_detector_custom_result_normalised(label, result, expected):
    d = ol.Detector(_result_function(result))
    pos = d.detect(X)
    assert isinstance(pos, np.ndarray), label
    assert pos.dtype == np.int64, label
    assert pos.ndim == 1, label
    assert pos.tolist() == expected, label
    m = d.mask(X)
    assert m.dtype == np.bool_ and m.shape == (N,)
    assert np.flatnonzero(m).tolist() == expected
    assert m.view(np.uint8).max(initial=0) <= 1  # proper bools, whatever bytes came back
    if isinstance(result, np.ndarray):
        assert not np.shares_memory(m, result)  # the caller's own array, not the function's


BAD_RESULTS = [
    # label, result, exception types, regex for the problem
    ("float-array", np.array([1.0, 2.0]), TypeError, r"(?i)float"),
    ("float-list", [1.0, 2.0], TypeError, r"(?i)float"),
    ("float-fraction", [1.5], TypeError, r"(?i)float"),
    ("float32-array", np.array([3.0], dtype=np.float32), TypeError, r"(?i)float"),
    (
        "bool-mask-too-short",
        np.ones(N - 1, dtype=bool),
        (ValueError, TypeError),
        r"(?i)length|size|len",
    ),
    (
        "bool-mask-too-long",
        np.ones(N + 1, dtype=bool),
        (ValueError, TypeError),
        r"(?i)length|size|len",
    ),
    (
        "2-d-ints",
        np.array([[1, 2], [3, 4]]),
        (ValueError, TypeError),
        r"(?i)1-d|1d|dim|shape|2-d|2d",
    ),
    (
        "2-d-bool",
        np.ones((N, 1), dtype=bool),
        (ValueError, TypeError),
        r"(?i)1-d|1d|dim|shape|2-d|2d",
    ),
    ("position-n", [0, N], (ValueError, TypeError), r"(?i)range|bound|negative|>=|<"),
    ("position-huge", [10**6], (ValueError, TypeError), r"(?i)range|bound|negative|>=|<"),
    ("position-negative", [-1], (ValueError, TypeError), r"(?i)range|bound|negative|>=|<"),
    (
        "position-negative-int32",
        np.array([3, -5], dtype=np.int32),
        (ValueError, TypeError),
        r"(?i)range|bound|negative|>=|<",
    ),
    (
        "uint64-wraps-negative",
        np.array([2**64 - 1], dtype=np.uint64),
        (ValueError, TypeError),
        r".",
    ),
    ("uint64-2**63", np.array([2**63], dtype=np.uint64), (ValueError, TypeError), r"."),
]


@pytest.mark.parametrize("label,result,exc,problem", BAD_RESULTS, ids=[c[0] for c in BAD_RESULTS])
def test_detector_custom_bad_result_names_function(label, result, exc, problem):
    def my_bad_detector_fn(values):
        return result

    d = ol.Detector(my_bad_detector_fn)
    for verb in (d.detect, d.mask):
        with pytest.raises(exc, match="my_bad_detector_fn") as info:
            verb(X)
        assert re.search(problem, str(info.value)), (label, str(info.value))


@pytest.mark.parametrize("result", [None, "abc", object(), 3.5, [[1], [2, 3]], {"a": 1}])
def test_detector_custom_garbage_result_raises(result):
    def garbage_fn(values):
        return result

    with pytest.raises((TypeError, ValueError), match="garbage_fn"):
        ol.Detector(garbage_fn).detect(X)


def _generator():
    yield 1


# What the function gave, named in the message (issue 15 item 14: they all said "0-D result").
NON_ARRAY_RESULTS = [
    (None, "NoneType"),
    (_generator(), "generator"),
    ({"a": 1}, "dict"),
    ({1, 2}, "set"),
    (frozenset({3}), "frozenset"),
    ("abc", "str"),
    (b"ab", "bytes"),
    (5, "int"),
    (np.int64(5), "int64"),
    (3.5, "float"),
]


@pytest.mark.parametrize("result,name", NON_ARRAY_RESULTS, ids=[c[1] for c in NON_ARRAY_RESULTS])
@pytest.mark.parametrize("verb", ["detect", "mask"])
def test_detector_custom_non_array_result_named(result, name, verb):
    def odd_fn(values):
        return result

    with pytest.raises(TypeError, match=rf"odd_fn returned {name};.*positions.*boolean mask"):
        getattr(ol.Detector(odd_fn), verb)(X)


def test_detector_custom_masked_result_with_float_data_refused():
    result = np.ma.array([1.0, 2.0], mask=[0, 1])
    with pytest.raises(TypeError, match="float"):
        ol.Detector(lambda v: result).detect(X)


def test_detector_custom_empty_list_gives_empty_positions():
    pos = ol.Detector(lambda v: []).detect(X)
    assert pos.dtype == np.int64 and pos.size == 0
    assert not ol.Detector(lambda v: []).mask(X).any()


def test_detector_custom_empty_input():
    seen = []

    def f(values):
        seen.append(values.size)
        return []

    pos = ol.Detector(f).detect(np.array([], dtype=np.float64))
    assert pos.dtype == np.int64 and pos.size == 0


# ------------------------------------------------------------ exceptions from the function


class CustomError(Exception):
    pass


def test_detector_custom_exception_propagates_unchanged():
    original = CustomError("boom from inside")

    def exploding_detector(values):
        raise original

    for verb in ("detect", "mask"):
        try:
            getattr(ol.Detector(exploding_detector), verb)(X)
        except Exception as e:  # noqa: BLE001 - the point is to catch whatever arrives
            assert e is original, (verb, type(e), e)
            frames = [f.name for f in traceback.extract_tb(e.__traceback__)]
            assert "exploding_detector" in frames, frames
        else:
            pytest.fail("no exception raised")


@pytest.mark.parametrize(
    "exc_type", [KeyError, ZeroDivisionError, ValueError, TypeError, RuntimeError, MemoryError]
)
def test_detector_custom_builtin_exception_types_propagate(exc_type):
    original = exc_type("the function's own error")

    def raising_fn(values):
        raise original

    with pytest.raises(exc_type) as info:
        ol.Detector(raising_fn).detect(X)
    assert info.value is original
    assert "raising_fn" in [f.name for f in traceback.extract_tb(info.value.__traceback__)]


def test_detector_custom_exception_from_nested_call_keeps_traceback():
    def helper_deep_inside(v):
        return 1 / 0

    def outer_fn(values):
        return helper_deep_inside(values)

    with pytest.raises(ZeroDivisionError) as info:
        ol.Detector(outer_fn).detect(X)
    names = [f.name for f in traceback.extract_tb(info.value.__traceback__)]
    assert "outer_fn" in names and "helper_deep_inside" in names


def test_detector_custom_exception_then_detector_still_usable():
    state = {"fail": True}

    def flaky(values):
        if state["fail"]:
            raise CustomError("first call fails")
        return [1]

    d = ol.Detector(flaky)
    with pytest.raises(CustomError):
        d.detect(X)
    state["fail"] = False
    assert d.detect(X).tolist() == [1]


# ------------------------------------------------------------ params


def test_detector_custom_params_forwarded():
    calls = []

    def with_params(values, **kwargs):
        calls.append(kwargs)
        return [0]

    d = ol.Detector(with_params, k=3)
    assert d.detect(X).tolist() == [0]
    assert calls == [{"k": 3}]


def test_detector_custom_params_forwarded_as_keywords():
    calls = []

    def keyword_fn(values, k, name="x"):
        calls.append((values.shape, k, name))
        return np.flatnonzero(values > k)

    d = ol.Detector(keyword_fn, k=0.5, name="y")
    np.testing.assert_array_equal(d.detect(X), np.flatnonzero(X > 0.5))
    assert calls == [((N,), 0.5, "y")]


def test_detector_custom_no_params_called_with_values_only():
    calls = []

    def only_values(values):
        calls.append(len(values))
        return []

    ol.Detector(only_values).detect(X)
    assert calls == [N]


def test_detector_builtin_params_used():
    rng = np.random.default_rng(1)
    x = rng.standard_normal(500)
    for method, params in [
        ("zscore", {"threshold": 1.5}),
        ("mad", {"threshold": 2.0}),
        ("iqr", {"k": 0.3}),
        ("quantile", {"low": 0.2, "high": 0.7}),
        ("hampel", {"window": 9, "threshold": 1.0}),
        ("esd", {"max_outliers": 4, "alpha": 0.2}),
    ]:
        d = ol.Detector(method, **params)
        np.testing.assert_array_equal(d.detect(x), ol.detect(x, method, **params))


# ------------------------------------------------------------ scores / bounds for custom


def test_detector_custom_scores_and_bounds_raise_type_error():
    d = ol.Detector(lambda v: [])
    with pytest.raises(TypeError):
        d.scores(X)
    with pytest.raises(TypeError):
        d.bounds(X)


# ------------------------------------------------------------ close / context manager


@pytest.mark.parametrize("verb", ["detect", "mask", "scores", "bounds"])
def test_detector_closed_builtin_raises(verb):
    d = ol.Detector("zscore")
    d.detect(X)
    d.close()
    with pytest.raises(RuntimeError, match="closed"):
        getattr(d, verb)(X)


@pytest.mark.parametrize("verb", ["detect", "mask", "scores", "bounds"])
def test_detector_closed_custom_raises(verb):
    d = ol.Detector(lambda v: [1])
    d.close()
    with pytest.raises(RuntimeError, match="closed"):
        getattr(d, verb)(X)


def test_detector_closed_module_path_raises(seed_module):
    d = ol.Detector(f"{seed_module}:detect")
    assert d.detect(seed_data()).tolist() == [7, 113, 835]
    d.close()
    with pytest.raises(RuntimeError, match="closed"):
        d.detect(seed_data())


def test_detector_close_releases_function():
    def disposable(values):
        return []

    d = ol.Detector(disposable)
    d.detect(X)
    ref = weakref.ref(disposable)
    del disposable
    gc.collect()
    assert ref() is not None  # still held by the open Detector
    d.close()
    gc.collect()
    assert ref() is None, "close() did not release the function"


def test_detector_context_manager_closes():
    with ol.Detector("mad") as d:
        assert isinstance(d, ol.Detector)
        np.testing.assert_array_equal(d.detect(X), ol.detect(X, "mad"))
    with pytest.raises(RuntimeError, match="closed"):
        d.detect(X)


def test_detector_context_manager_closes_custom_on_error():
    def f(values):
        return [0]

    with pytest.raises(CustomError):
        with ol.Detector(f) as d:
            assert d.detect(X).tolist() == [0]
            raise CustomError("leave the block")
    with pytest.raises(RuntimeError, match="closed"):
        d.detect(X)


def test_detector_context_manager_module_path(seed_module):
    with ol.Detector(f"{seed_module}:detect") as d:
        assert d.detect(seed_data()).tolist() == [7, 113, 835]
    with pytest.raises(RuntimeError, match="closed"):
        d.mask(seed_data())


# ------------------------------------------------------------ equal to the functional API

METHOD_CASES = [
    ("zscore", {}),
    ("zscore", {"threshold": 2.0, "ddof": 1}),
    ("mad", {}),
    ("iqr", {"k": 1.0}),
    ("quantile", {"low": 0.05, "high": 0.95}),
    ("hampel", {}),
    ("hampel", {"window": 11, "threshold": 2.5}),
    ("esd", {}),
]


def _data():
    rng = np.random.default_rng(9)
    x = rng.standard_normal(2000)
    x[::97] = 9.0
    x[::131] = np.nan
    x[5] = np.inf
    return x


def _uint64(a):
    return np.ascontiguousarray(np.asarray(a, dtype=np.float64)).view(np.uint64)


@pytest.mark.parametrize("method,params", METHOD_CASES)
def test_detector_builtin_equals_functional(method, params):
    x = _data()
    d = ol.Detector(method, **params)
    np.testing.assert_array_equal(d.detect(x), ol.detect(x, method, **params))
    np.testing.assert_array_equal(d.mask(x), ol.mask(x, method, **params))
    np.testing.assert_array_equal(_uint64(d.scores(x)), _uint64(ol.scores(x, method, **params)))
    lo, hi = d.bounds(x)
    rlo, rhi = ol.bounds(x, method, **params)
    np.testing.assert_array_equal(_uint64(lo), _uint64(rlo))
    np.testing.assert_array_equal(_uint64(hi), _uint64(rhi))


def test_detector_default_method_is_zscore():
    x = _data()
    np.testing.assert_array_equal(ol.detect(x), ol.detect(x, "zscore"))
    np.testing.assert_array_equal(ol.detect(x), ol.Detector("zscore").detect(x))


# ------------------------------------------------------------ threads


def _thread_inputs():
    rng = np.random.default_rng(77)
    out = []
    for i in range(40):
        x = rng.standard_normal(5000 + 37 * i)
        x[rng.integers(0, x.size, 10)] = rng.normal(0, 30, 10)
        x[rng.integers(0, x.size, 5)] = np.nan
        out.append(x if i % 3 else x[::-1])
    return out


@pytest.mark.parametrize(
    "method,params",
    [("zscore", {"threshold": 2.5}), ("hampel", {"window": 9}), ("mad", {}), ("esd", {})],
)
def test_detector_builtin_thread_safe(method, params):
    inputs = _thread_inputs()
    d = ol.Detector(method, **params)
    serial = [(d.detect(x), _uint64(d.scores(x))) for x in inputs]

    def work(x):
        return d.detect(x), _uint64(d.scores(x))

    for _ in range(3):
        with ThreadPoolExecutor(max_workers=8) as pool:
            parallel = list(pool.map(work, inputs * 2))
        for (p, s), (ep, es) in zip(parallel, serial * 2, strict=True):
            np.testing.assert_array_equal(p, ep)
            np.testing.assert_array_equal(s, es)


def test_detector_custom_thread_safe():
    inputs = _thread_inputs()

    def threshold_fn(values, t):
        return np.flatnonzero(np.abs(values - np.nanmean(values)) > t * np.nanstd(values))

    d = ol.Detector(threshold_fn, t=2.0)
    serial = [d.detect(x) for x in inputs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(d.detect, inputs * 3))
    for p, e in zip(parallel, serial * 3, strict=True):
        np.testing.assert_array_equal(p, e)
        assert p.dtype == np.int64


def test_detector_module_path_thread_safe(seed_module):
    d = ol.Detector(f"{seed_module}:detect")
    data = [seed_data(s) for s in range(16)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(d.detect, data))
    assert all(r.tolist() == [7, 113, 835] for r in results)


# ------------------------------------------------------------ repr


def test_detector_repr_builtin():
    r = repr(ol.Detector("hampel", window=9))
    assert "hampel" in r
    assert "Detector" in r


def test_detector_repr_custom():
    def my_special_detect_fn(values):
        return []

    assert "my_special_detect_fn" in repr(ol.Detector(my_special_detect_fn))


def test_detector_repr_module_path(seed_module):
    r = repr(ol.Detector(f"{seed_module}:detect"))
    assert "detect" in r


def test_detector_bounds_is_a_named_tuple():
    x = np.array([1.0, 2.0, 3.0, 4.0, 50.0])
    b = ol.Detector("iqr", k=1.0).bounds(x)
    assert isinstance(b, ol.Bounds) and b == ol.bounds(x, "iqr", k=1.0)
    lower, upper = b
    assert (b.lower, b.upper) == (lower, upper) == (b[0], b[1])
    assert (float(lower), float(upper)) == (0.0, 6.0)
