"""Errors (SPEC §5): unknown methods, bad parameters, thread counts; methods() and its defaults."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reference as ref  # noqa: E402

import outliers as ol  # noqa: E402

SIX = ["zscore", "mad", "iqr", "quantile", "hampel", "esd"]
DEFAULTS = {
    "zscore": {"threshold": 3.0, "ddof": 0},
    "mad": {"threshold": 3.5},
    "iqr": {"k": 1.5},
    "quantile": {"low": 0.01, "high": 0.99},
    "hampel": {"window": 7, "threshold": 3.0},
    "esd": {"max_outliers": 10, "alpha": 0.05},
}

VERBS = {"detect": ol.detect, "mask": ol.mask, "scores": ol.scores, "bounds": ol.bounds}


def data():
    rng = np.random.default_rng(4)
    x = rng.standard_normal(200)
    x[10] = 25.0
    return x


# ------------------------------------------------------------ unknown method


@pytest.mark.parametrize("verb", list(VERBS))
@pytest.mark.parametrize("name", ["nope", "ZScore", "z-score", "", "zscore ", "median"])
def test_errors_unknown_method_lists_methods(verb, name):
    with pytest.raises(ValueError) as info:
        VERBS[verb](data(), name)
    message = str(info.value)
    for method in SIX:
        assert method in message, (name, message)


def test_errors_unknown_method_in_detector_lists_methods():
    with pytest.raises(ValueError) as info:
        ol.Detector("not_a_method").detect(data())
    for method in SIX:
        assert method in str(info.value)


# ------------------------------------------------------------ bad parameters

NAN = float("nan")
BAD_PARAMS = [
    # method, params, regex the message must contain
    ("zscore", {"threshold": 0}, "threshold"),
    ("zscore", {"threshold": 0.0}, "threshold"),
    ("zscore", {"threshold": -1.0}, "threshold"),
    ("zscore", {"threshold": NAN}, "threshold"),
    ("zscore", {"threshold": np.float64("nan")}, "threshold"),
    ("zscore", {"threshold": "3"}, "threshold"),
    ("mad", {"threshold": 0.0}, "threshold"),
    ("mad", {"threshold": -3.5}, "threshold"),
    ("mad", {"threshold": NAN}, "threshold"),
    ("hampel", {"threshold": 0.0}, "threshold"),
    ("hampel", {"threshold": -2.0}, "threshold"),
    ("hampel", {"threshold": NAN}, "threshold"),
    ("hampel", {"window": 4}, "window"),
    ("hampel", {"window": 8}, "window"),
    ("hampel", {"window": 2}, "window"),
    ("hampel", {"window": 1}, "window"),
    ("hampel", {"window": 0}, "window"),
    ("hampel", {"window": -1}, "window"),
    ("hampel", {"window": -7}, "window"),
    ("hampel", {"window": 3.5}, "window"),
    ("hampel", {"window": "7"}, "window"),
    ("iqr", {"k": -0.1}, r"\bk\b"),
    ("iqr", {"k": -1}, r"\bk\b"),
    ("iqr", {"k": NAN}, r"\bk\b"),
    ("zscore", {"ddof": -1}, "ddof"),
    ("zscore", {"ddof": 1.5}, "ddof"),
    ("zscore", {"ddof": "1"}, "ddof"),
    ("quantile", {"low": 0.5, "high": 0.5}, "low|high"),
    ("quantile", {"low": 0.9, "high": 0.1}, "low|high"),
    ("quantile", {"low": 0.995}, "low|high"),  # low >= the default high
    ("quantile", {"low": -0.1}, "low"),
    ("quantile", {"low": -0.1, "high": 0.5}, "low"),
    ("quantile", {"high": 1.1}, "high"),
    ("quantile", {"low": 0.1, "high": 1.0001}, "high"),
    ("quantile", {"low": NAN}, "low"),
    ("quantile", {"high": NAN}, "high"),
    ("esd", {"alpha": 0}, "alpha"),
    ("esd", {"alpha": 0.0}, "alpha"),
    ("esd", {"alpha": 1}, "alpha"),
    ("esd", {"alpha": 1.0}, "alpha"),
    ("esd", {"alpha": -0.05}, "alpha"),
    ("esd", {"alpha": 1.5}, "alpha"),
    ("esd", {"alpha": NAN}, "alpha"),
    ("esd", {"max_outliers": 0}, "max_outliers"),
    ("esd", {"max_outliers": -3}, "max_outliers"),
    ("esd", {"max_outliers": 2.5}, "max_outliers"),
    ("zscore", {"window": 8}, "window"),  # a centred count window is odd
    ("zscore", {"window": 1, "center": False}, "window"),
    ("mad", {"window": "1M"}, "window"),  # months vary in length
    ("iqr", {"window": 7.0}, "window"),
    ("quantile", {"window": 5, "min_periods": 0}, "min_periods"),
    ("mad", {"window": 5, "center": "yes"}, "center"),
    ("esd", {"window": 7}, "window"),
    ("hampel", {"window": None}, "window"),
    ("zscore", {"foo": 1}, "foo"),
    ("mad", {"ddof": 0}, "ddof"),
    ("iqr", {"threshold": 3.0}, "threshold"),
    ("quantile", {"k": 1.5}, r"\bk\b"),
    ("hampel", {"alpha": 0.05}, "alpha"),
    ("esd", {"threshold": 3.0}, "threshold"),
    ("esd", {"unknown_keyword_xyz": 3.0}, "unknown_keyword_xyz"),
    # Beyond int64 and float (issue 15 item 8): refused naming the parameter, never a cast error.
    *[
        (method, {name: value}, name)
        for method, name in (("hampel", "window"), ("zscore", "ddof"), ("esd", "max_outliers"))
        for value in (-(2**63) - 1, -(2**64), -(10**30))
    ],
    ("hampel", {"window": 2**64}, "window"),  # even
    ("hampel", {"window": 10**30}, "window"),  # even
    ("zscore", {"threshold": 10**400}, "threshold"),
    ("mad", {"threshold": -(10**400)}, "threshold"),
    ("iqr", {"k": 10**400}, r"\bk\b"),
    ("quantile", {"high": 10**400}, "high"),
    ("esd", {"alpha": 10**400}, "alpha"),
]


def _id(case):
    method, params, _ = case
    return f"{method}-" + "-".join(f"{k}={v!r}" for k, v in params.items())


@pytest.mark.parametrize("verb", list(VERBS))
@pytest.mark.parametrize("method,params,name", BAD_PARAMS, ids=[_id(c) for c in BAD_PARAMS])
def test_errors_bad_parameter_names_it(method, params, name, verb):
    with pytest.raises((ValueError, TypeError), match=name):
        VERBS[verb](data(), method, **params)


@pytest.mark.parametrize("method,params,name", BAD_PARAMS, ids=[_id(c) for c in BAD_PARAMS])
def test_errors_bad_parameter_in_detector(method, params, name):
    with pytest.raises((ValueError, TypeError), match=name):
        ol.Detector(method, **params).detect(data())


@pytest.mark.parametrize("method,params,name", BAD_PARAMS, ids=[_id(c) for c in BAD_PARAMS])
def test_errors_bad_parameter_even_on_empty_input(method, params, name):
    with pytest.raises((ValueError, TypeError), match=name):
        ol.detect(np.array([], dtype=np.float64), method, **params)


GOOD_EDGE_PARAMS = [
    ("zscore", {"threshold": 1e-12}),
    ("zscore", {"threshold": np.float32(2.0)}),
    ("zscore", {"threshold": 2}),
    ("zscore", {"ddof": 1}),
    ("zscore", {"ddof": np.int64(1)}),
    ("zscore", {"ddof": 0}),
    ("hampel", {"window": 3}),
    ("hampel", {"window": np.int32(5)}),
    ("hampel", {"window": 1001}),
    ("iqr", {"k": 0}),
    ("iqr", {"k": 0.0}),
    ("quantile", {"low": 0.0, "high": 1.0}),
    ("quantile", {"low": 0, "high": 1}),
    ("quantile", {"low": 0.49, "high": 0.5}),
    ("esd", {"max_outliers": 1}),
    ("esd", {"max_outliers": 1000}),
    ("esd", {"alpha": 1e-9}),
    ("esd", {"alpha": 0.999}),
]


@pytest.mark.parametrize(
    "method,params", GOOD_EDGE_PARAMS, ids=[_id((*c, None)) for c in GOOD_EDGE_PARAMS]
)
def test_errors_edge_parameters_accepted(method, params):
    x = data()
    for verb in VERBS.values():
        verb(x, method, **params)


# Beyond int64 (odd: valid hampel windows); 2**63 - 1 is the largest the core reads as it is.
HUGE_COUNTS = [2**63 + 1, 2**64 + 1, 10**30 + 1, np.uint64(2**64 - 1), 2**63 - 1]


def _huge_ids(values):
    return [f"{type(v).__name__}({v})" for v in values]


def _check_against(method, x, got_mask, got_scores, want):
    ctx = f"{method} {want}"
    ref.check_mask(ctx, got_mask, want)
    ref.check_scores(ctx, got_scores, want)


@pytest.mark.parametrize("value", HUGE_COUNTS, ids=_huge_ids(HUGE_COUNTS))
def test_errors_huge_ddof_flags_nothing(value):
    # issue 15 item 8: pybind11's "Unable to cast Python instance" before; ddof >= n flags nothing.
    x = data()
    x[3] = np.inf  # still flagged (SPEC §3)
    _check_against(
        "zscore",
        x,
        ol.mask(x, "zscore", ddof=value),
        ol.scores(x, "zscore", ddof=value),
        ref.reference("zscore", x, ddof=x.size),
    )
    assert np.isnan(ol.bounds(x, "zscore", ddof=value)).all()
    assert ol.Detector("zscore", ddof=value).detect(x).tolist() == [3]


@pytest.mark.parametrize("value", HUGE_COUNTS, ids=_huge_ids(HUGE_COUNTS))
def test_errors_huge_max_outliers_is_n_minus_2(value):
    rng = np.random.default_rng(8)
    x = rng.standard_normal(40)
    x[[5, 17, 30]] = [9.0, -12.0, 15.0]
    want = ref.reference("esd", x, max_outliers=x.size - 2)
    _check_against(
        "esd",
        x,
        ol.mask(x, "esd", max_outliers=value),
        ol.scores(x, "esd", max_outliers=value),
        want,
    )
    np.testing.assert_allclose(
        ol.bounds(x, "esd", max_outliers=value), (want.lower, want.upper), rtol=1e-9
    )


@pytest.mark.parametrize("value", HUGE_COUNTS, ids=_huge_ids(HUGE_COUNTS))
def test_errors_huge_window_is_the_whole_array(value):
    x = np.r_[np.arange(30.0) % 3, 100.0]  # the reproducer
    want = ref.reference("hampel", x, window=2 * x.size + 1)
    assert want.mask.tolist() == [False] * 30 + [True]
    _check_against(
        "hampel", x, ol.mask(x, "hampel", window=value), ol.scores(x, "hampel", window=value), want
    )
    assert ol.detect(x, "hampel", window=value).tolist() == [30]
    lower, upper = ol.bounds(x, "hampel", window=value)
    np.testing.assert_allclose(lower, want.lower, rtol=1e-12)
    np.testing.assert_allclose(upper, want.upper, rtol=1e-12)


def test_errors_parameter_passed_positionally_or_by_keyword_method():
    x = data()
    np.testing.assert_array_equal(ol.detect(x, method="mad"), ol.detect(x, "mad"))


# ------------------------------------------------------------ threads


@pytest.fixture
def restore_threads():
    before = ol.get_num_threads()
    yield before
    ol.set_num_threads(before)


@pytest.mark.parametrize("n", [0, -1, -8])
def test_errors_set_num_threads_below_one(n, restore_threads):
    with pytest.raises(ValueError):
        ol.set_num_threads(n)
    assert ol.get_num_threads() == restore_threads


@pytest.mark.parametrize("n", [1.5, "2", None])
def test_errors_set_num_threads_not_an_integer(n, restore_threads):
    with pytest.raises((ValueError, TypeError)):
        ol.set_num_threads(n)
    assert ol.get_num_threads() == restore_threads


# ------------------------------------------------------------ methods()


def test_errors_methods_six_names_with_defaults():
    m = ol.methods()
    assert isinstance(m, dict)
    assert sorted(m) == sorted(SIX)
    assert m == DEFAULTS
    for name, params in DEFAULTS.items():
        for key, value in params.items():
            got = m[name][key]
            assert got == value, (name, key, got)
            if isinstance(value, int):
                assert isinstance(got, int) and not isinstance(got, bool), (name, key, type(got))
            else:
                assert isinstance(got, (int, float)) and not math.isnan(got), (
                    name,
                    key,
                    type(got),
                )


def test_errors_methods_defaults_are_the_defaults_used():
    x = data()
    for name, params in DEFAULTS.items():
        np.testing.assert_array_equal(ol.detect(x, name), ol.detect(x, name, **params))


def test_errors_methods_result_cannot_change_defaults():
    m = ol.methods()
    m["zscore"]["threshold"] = 0.1
    m["hampel"]["window"] = 3
    m.pop("mad", None)
    assert ol.methods() == DEFAULTS
    x = data()
    np.testing.assert_array_equal(ol.detect(x, "zscore"), ol.detect(x, "zscore", threshold=3.0))


# ------------------------------------------------------------ missing= (one rule, every verb)

FUNCTIONS = ["detect", "mask", "scores", "bounds"]
X = np.array([1.0, 1.1, 0.9, 1.0, 1.2, -9999.0, 0.8, 1.0, 1.1, 0.9, 1.0, 8.0])


def test_errors_missing_is_keyword_only_on_every_verb():
    import inspect

    import pandas as pd

    callables = [getattr(ol, v) for v in FUNCTIONS]
    callables += [getattr(pd.Series(X).outliers, v) for v in [*FUNCTIONS, "clean", "report"]]
    callables += [getattr(pd.DataFrame({"x": X}).outliers, v) for v in FUNCTIONS]
    callables += [ol.Detector]
    for f in callables:
        p = inspect.signature(f).parameters["missing"]
        assert p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is None, f


@pytest.mark.parametrize("verb", FUNCTIONS)
@pytest.mark.parametrize(
    "missing", [-9999, -9999.0, np.float32(-9999), [-9999], (-9999, 12345), np.array([-9999])]
)
def test_errors_missing_accepts_numbers_and_sequences(verb, missing):
    got = getattr(ol, verb)(X, "mad", missing=missing)
    clean = X.copy()
    clean[5] = np.nan
    want = getattr(ol, verb)(clean, "mad")
    if verb == "bounds":
        assert got == want
    else:
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("verb", FUNCTIONS)
@pytest.mark.parametrize(
    "bad,error",
    [
        ("-9999", TypeError),
        (True, TypeError),
        ([1, "x"], TypeError),
        ({"a": 1}, TypeError),
        (1j, TypeError),
        (object(), TypeError),
        (10**400, ValueError),
    ],
)
def test_errors_bad_missing_names_it(verb, bad, error):
    for data in (X, X.tolist()):  # the short door for arrays, the general path for lists
        with pytest.raises(error, match=r"\bmissing\b"):
            getattr(ol, verb)(data, "mad", missing=bad)
    with pytest.raises(error, match=r"\bmissing\b"):
        ol.Detector("mad", missing=bad)


def test_errors_detector_missing_applies_to_built_in_methods_only():
    d = ol.Detector("mad", missing=-9999)
    np.testing.assert_array_equal(d.detect(X), ol.detect(X, "mad", missing=-9999))
    assert "missing" not in d.params
    with pytest.raises(TypeError, match="missing"):
        ol.Detector(lambda v: v > 5, missing=-9999)
    with pytest.raises(TypeError, match="missing"):
        ol.Detector("numpy:isnan", missing=-9999)
