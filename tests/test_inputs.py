"""Inputs accepted and refused (SPEC §2, §3): dtypes, layouts, sequences, times; never mutated."""

from __future__ import annotations

import array
import re

import numpy as np
import pandas as pd
import pytest

import outliers as ol

NUMERIC_DTYPES = [
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
]

# Every built-in method, with its defaults and with non-default parameters.
METHOD_CASES = [
    ("zscore", {}),
    ("zscore", {"threshold": 2.0, "ddof": 1}),
    ("mad", {}),
    ("mad", {"threshold": 2.5}),
    ("iqr", {}),
    ("iqr", {"k": 0.5}),
    ("quantile", {}),
    ("quantile", {"low": 0.1, "high": 0.9}),
    ("hampel", {}),
    ("hampel", {"window": 5, "threshold": 2.0}),
    ("esd", {}),
    ("esd", {"max_outliers": 3, "alpha": 0.1}),
]
CASE_IDS = [
    f"{m}-{'-'.join(f'{k}={v}' for k, v in p.items()) or 'defaults'}" for m, p in METHOD_CASES
]


def small_int_data() -> np.ndarray:
    """60 values in 10..29 (fits every integer dtype), a spike of 120 at 17 and one of 0 at 41."""
    rng = np.random.default_rng(20240601)
    x = rng.integers(10, 30, 60).astype(np.float64)
    x[17] = 120.0
    x[41] = 0.0
    return x


def float_data(n: int = 500, seed: int = 7) -> np.ndarray:
    """Normal noise, spikes at i % 70 == 2 (kept by [::2], [::-1], [::-7] of 500), NaN, inf."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    x[np.arange(n) % 70 == 2] = 50.0
    x[np.arange(n) % 97 == 5] = np.nan
    x[n * 123 // 500] = np.inf
    x[n * 401 // 500] = -np.inf
    return x


def as_float_array(b) -> np.ndarray:
    return np.asarray(b, dtype=np.float64)


def assert_same_results(data, ref, what: str) -> None:
    """Every verb of every method gives on `data` what it gives on the float64 array `ref`."""
    for method, params in METHOD_CASES:
        label = f"{what}, method={method}, params={params}"
        pos = ol.detect(data, method, **params)
        assert isinstance(pos, np.ndarray) and pos.dtype == np.int64, label
        np.testing.assert_array_equal(pos, ol.detect(ref, method, **params), err_msg=label)
        m = ol.mask(data, method, **params)
        assert m.dtype == np.bool_ and m.shape == (len(ref),), label
        np.testing.assert_array_equal(m, ol.mask(ref, method, **params), err_msg=label)
        s = ol.scores(data, method, **params)
        assert s.dtype == np.float64 and s.shape == (len(ref),), label
        np.testing.assert_allclose(
            s,
            ol.scores(ref, method, **params),
            rtol=1e-10,
            atol=1e-12,
            equal_nan=True,
            err_msg=label,
        )
        lo, hi = ol.bounds(data, method, **params)
        rlo, rhi = ol.bounds(ref, method, **params)
        np.testing.assert_allclose(
            as_float_array(lo), as_float_array(rlo), rtol=1e-10, equal_nan=True, err_msg=label
        )
        np.testing.assert_allclose(
            as_float_array(hi), as_float_array(rhi), rtol=1e-10, equal_nan=True, err_msg=label
        )


# ------------------------------------------------------------ numeric dtypes


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES)
def test_inputs_numeric_dtype_matches_float64(dtype):
    ref = small_int_data()
    x = ref.astype(dtype)
    assert ol.detect(x).tolist() == [17]  # zscore, threshold 3: the spike of 120
    assert_same_results(x, ref, f"dtype={dtype}")


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES)
def test_inputs_numeric_dtype_big_endian(dtype):
    ref = small_int_data()
    x = ref.astype(np.dtype(dtype).newbyteorder(">"))
    assert np.array_equal(x.astype(np.float64), ref)
    assert_same_results(x, ref, f"dtype={x.dtype.str} (big-endian)")


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES)
def test_inputs_numeric_dtype_little_endian_explicit(dtype):
    ref = small_int_data()
    x = ref.astype(np.dtype(dtype).newbyteorder("<"))
    assert_same_results(x, ref, f"dtype={x.dtype.str}")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_inputs_float_dtype_with_nan_and_inf(dtype):
    ref = float_data().astype(dtype).astype(np.float64)
    x = float_data().astype(dtype)
    assert_same_results(x, ref, f"dtype={dtype}, NaN/inf")
    for method, params in METHOD_CASES:
        m = ol.mask(x, method, **params)
        s = ol.scores(x, method, **params)
        nan = np.isnan(ref)
        inf = np.isinf(ref)
        assert not m[nan].any(), (method, params)
        assert np.isnan(s[nan]).all(), (method, params)
        assert m[inf].all(), (method, params)
        assert (s[inf] == np.inf).all(), (method, params)


# ------------------------------------------------------------ layouts


@pytest.mark.parametrize("step", [2, -1, -7, 3])
@pytest.mark.parametrize("dtype", ["float64", "float32", "int16", "uint32"])
def test_inputs_strided_views(dtype, step):
    base = float_data()
    if np.dtype(dtype).kind != "f":
        base = np.nan_to_num(base, nan=0.0, posinf=90.0, neginf=-90.0).round() + 100.0
    x = base.astype(dtype)
    view = x[::step]
    assert not view.flags.c_contiguous
    ref = np.ascontiguousarray(view).astype(np.float64)
    assert_same_results(view, ref, f"dtype={dtype}, view [::{step}]")


def test_inputs_strided_views_keep_spikes():
    x = float_data()
    for step in (2, -1, -7):
        v = x[::step]
        flagged = ol.detect(v, "mad")
        expected = np.flatnonzero((v == 50.0) | np.isinf(v))
        assert set(expected.tolist()) <= set(flagged.tolist()), step


@pytest.mark.parametrize("dtype", ["float64", "int32", "uint8"])
def test_inputs_read_only(dtype):
    ref = small_int_data()
    x = ref.astype(dtype)
    x.setflags(write=False)
    assert_same_results(x, ref, f"dtype={dtype}, read-only")
    assert not x.flags.writeable


def test_inputs_read_only_strided_big_endian():
    ref = float_data()
    x = ref.astype(">f8")[::-3]
    x.setflags(write=False)
    assert_same_results(x, np.ascontiguousarray(ref[::-3]), "read-only, big-endian, [::-3]")


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "uint16"])
def test_inputs_column_of_c_ordered_2d(dtype):
    base = float_data(600).reshape(200, 3)
    if np.dtype(dtype).kind != "f":
        base = np.nan_to_num(base, nan=0.0, posinf=90.0, neginf=-90.0).round() + 100.0
    b = np.ascontiguousarray(base.astype(dtype))
    col = b[:, 1]
    assert col.strides == (3 * b.itemsize,)
    ref = np.ascontiguousarray(col).astype(np.float64)
    assert_same_results(col, ref, f"dtype={dtype}, b[:, 1]")


def test_inputs_column_of_fortran_ordered_2d_row():
    b = np.asfortranarray(float_data(600).reshape(200, 3))
    row = b[5, :]
    ref = np.ascontiguousarray(row)
    assert_same_results(row, ref, "row of F-ordered 2-D")


def test_inputs_unaligned_buffer():
    ref = small_int_data()
    raw = np.zeros(ref.size * 8 + 1, dtype=np.uint8)
    x = raw[1:].view(np.float64)
    x[:] = ref
    assert not x.flags.aligned
    assert_same_results(x, ref, "unaligned float64")


# ------------------------------------------------------------ Python sequences


def test_inputs_list_of_floats():
    ref = float_data(80)
    assert_same_results(ref.tolist(), ref, "list of floats")


def test_inputs_list_of_ints():
    ref = small_int_data()
    assert_same_results([int(v) for v in ref], ref, "list of ints")


def test_inputs_mixed_int_float_list():
    ref = small_int_data()
    data = [int(v) if i % 2 else float(v) for i, v in enumerate(ref)]
    assert_same_results(data, ref, "list of ints and floats")


def test_inputs_tuple():
    ref = float_data(80)
    assert_same_results(tuple(ref.tolist()), ref, "tuple")


@pytest.mark.parametrize("typecode", ["b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "f", "d"])
def test_inputs_array_array(typecode):
    ref = small_int_data()
    data = array.array(typecode, [int(v) if typecode not in "fd" else v for v in ref])
    assert_same_results(data, ref, f"array.array({typecode!r})")


@pytest.mark.parametrize("typecode", ["d", "i", "B"])
def test_inputs_memoryview_of_array_array(typecode):
    ref = small_int_data()
    data = array.array(typecode, [int(v) if typecode != "d" else v for v in ref])
    assert_same_results(memoryview(data), ref, f"memoryview(array.array({typecode!r}))")


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "uint16"])
def test_inputs_memoryview_of_numpy(dtype):
    ref = small_int_data()
    x = ref.astype(dtype)
    assert_same_results(memoryview(x), ref, f"memoryview({dtype})")
    assert_same_results(memoryview(x)[::3], ref[::3].copy(), f"memoryview({dtype})[::3]")


def test_inputs_empty_sequences():
    for data in ([], (), np.array([], dtype=np.float64), np.array([], dtype=np.int32)):
        assert ol.detect(data).dtype == np.int64
        assert ol.detect(data).size == 0
        assert ol.mask(data).size == 0
        assert ol.scores(data).size == 0


# ------------------------------------------------------------ pandas Series (numpy-backed)


def test_inputs_numpy_backed_series_gives_positions():
    x = float_data(120)
    index = pd.Index(np.arange(120)[::-1] * 10 + 1000)
    s = pd.Series(x, index=index, name="v")
    pos = ol.detect(s)
    assert isinstance(pos, np.ndarray)
    assert pos.dtype == np.int64
    np.testing.assert_array_equal(pos, ol.detect(x))
    assert pos.size > 0 and pos.max() < 120  # positions, not labels (labels are >= 1000)
    for method, params in METHOD_CASES:
        np.testing.assert_array_equal(
            ol.detect(s, method, **params), ol.detect(x, method, **params)
        )
        np.testing.assert_array_equal(
            np.asarray(ol.mask(s, method, **params)), ol.mask(x, method, **params)
        )
        np.testing.assert_allclose(
            np.asarray(ol.scores(s, method, **params), dtype=float),
            ol.scores(x, method, **params),
            rtol=1e-12,
            equal_nan=True,
        )


def test_inputs_numpy_backed_series_with_string_index():
    x = small_int_data()
    s = pd.Series(x, index=[f"r{i}" for i in range(x.size)])
    before = s.copy()
    np.testing.assert_array_equal(ol.detect(s), [17])
    pd.testing.assert_series_equal(s, before)


# ------------------------------------------------------------ datetime64 / timedelta64

UNITS = ["s", "ms", "us", "ns"]
SCALE = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}
NAT_AT = (3, 80)
SPIKE_AT = 50


def datetimes_seconds() -> np.ndarray:
    """100 instants, one a day plus a jitter of up to an hour, one far in the future, two NaT."""
    rng = np.random.default_rng(11)
    secs = (
        np.int64(1_577_836_800)
        + np.arange(100, dtype=np.int64) * 86_400
        + rng.integers(0, 3600, 100)
    )
    x = secs.astype("M8[s]")
    x[SPIKE_AT] = np.datetime64("2150-01-01T00:00:00", "s")  # still inside the ns range
    for i in NAT_AT:
        x[i] = np.datetime64("NaT")
    return x


def timedeltas_seconds() -> np.ndarray:
    rng = np.random.default_rng(12)
    secs = 600 + rng.integers(0, 120, 100).astype(np.int64)
    x = secs.astype("m8[s]")
    x[SPIKE_AT] = np.timedelta64(10_000_000, "s")
    for i in NAT_AT:
        x[i] = np.timedelta64("NaT")
    return x


def float_reference(t: np.ndarray) -> np.ndarray:
    f = t.view(np.int64).astype(np.float64)
    f[np.isnat(t)] = np.nan
    return f


TIME_MAKERS = {"datetime64": datetimes_seconds, "timedelta64": timedeltas_seconds}


@pytest.mark.parametrize("kind", list(TIME_MAKERS))
@pytest.mark.parametrize("unit", UNITS)
def test_inputs_time_detection_runs_on_integer_values(kind, unit):
    base = TIME_MAKERS[kind]()
    t = base.astype(f"{base.dtype.char}8[{unit}]")
    assert np.isnat(t).sum() == len(NAT_AT)
    ref = float_reference(t)
    for method, params in METHOD_CASES:
        label = f"{kind}[{unit}], method={method}, params={params}"
        pos = ol.detect(t, method, **params)
        assert pos.dtype == np.int64, label
        np.testing.assert_array_equal(pos, ol.detect(ref, method, **params), err_msg=label)
        m = ol.mask(t, method, **params)
        np.testing.assert_array_equal(m, ol.mask(ref, method, **params), err_msg=label)
        assert not m[list(NAT_AT)].any(), label  # NaT is missing: never flagged
        s = ol.scores(t, method, **params)
        assert np.isnan(s[list(NAT_AT)]).all(), label  # ... and scored NaN
        np.testing.assert_allclose(
            s, ol.scores(ref, method, **params), rtol=1e-7, atol=1e-9, equal_nan=True
        )
    assert SPIKE_AT in ol.detect(t, "zscore").tolist()
    assert SPIKE_AT in ol.detect(t, "mad").tolist()


@pytest.mark.parametrize("kind", list(TIME_MAKERS))
def test_inputs_time_flags_independent_of_unit(kind):
    base = TIME_MAKERS[kind]()
    per_unit = {u: base.astype(f"{base.dtype.char}8[{u}]") for u in UNITS}
    for u in UNITS:  # the same instants
        assert np.array_equal(per_unit[u].astype(base.dtype).view(np.int64), base.view(np.int64))
    for method, params in METHOD_CASES:
        masks = {u: ol.mask(per_unit[u], method, **params) for u in UNITS}
        for u in UNITS[1:]:
            np.testing.assert_array_equal(
                masks[u], masks["s"], err_msg=f"{kind}, {method}, {params}, unit {u}"
            )
        scores = {u: ol.scores(per_unit[u], method, **params) for u in UNITS}
        for u in UNITS[1:]:
            np.testing.assert_allclose(
                scores[u], scores["s"], rtol=1e-7, atol=1e-9, equal_nan=True
            )


def _assert_time_bound(value, dtype, ref_value, unit, label):
    if np.isnan(ref_value):
        assert np.isnat(value), label
        return
    assert not np.isnat(value), label
    got = np.int64(np.asarray(value).view(np.int64))
    assert abs(float(got) - ref_value) <= 1.0 + 1e-12 * abs(ref_value), (label, got, ref_value)


@pytest.mark.parametrize("kind", list(TIME_MAKERS))
@pytest.mark.parametrize("unit", UNITS)
def test_inputs_time_bounds_same_dtype_and_unit(kind, unit):
    base = TIME_MAKERS[kind]()
    t = base.astype(f"{base.dtype.char}8[{unit}]")
    scalar_type = np.datetime64 if kind == "datetime64" else np.timedelta64
    ref = float_reference(t)
    for method, params in METHOD_CASES:
        label = f"{kind}[{unit}], method={method}, params={params}"
        lo, hi = ol.bounds(t, method, **params)
        rlo, rhi = ol.bounds(ref, method, **params)
        if method == "hampel":  # per point: arrays of the input's dtype
            for b, rb in ((lo, rlo), (hi, rhi)):
                assert isinstance(b, np.ndarray), label
                assert b.dtype == t.dtype, (label, b.dtype)
                assert b.shape == t.shape, label
                for i in range(t.size):
                    _assert_time_bound(b[i], t.dtype, float(rb[i]), unit, f"{label}, i={i}")
        else:
            for b, rb in ((lo, rlo), (hi, rhi)):
                assert isinstance(b, scalar_type), (label, type(b))
                assert b.dtype == t.dtype, (label, b.dtype)
                assert np.datetime_data(b.dtype) == (unit, 1), label
                _assert_time_bound(b, t.dtype, float(rb), unit, label)
        if method != "hampel":
            assert lo < hi, label


# ------------------------------------------------------------ refused dtypes

REFUSED = {
    "bool": (lambda: np.array([True, False, True, True]), r"bool"),
    "complex64": (lambda: np.arange(5, dtype=np.complex64), r"complex64"),
    "complex128": (lambda: np.arange(5, dtype=np.complex128), r"complex128|complex"),
    "object": (lambda: np.array([1.0, 2.0, 3.0, 100.0], dtype=object), r"object"),
    "str": (lambda: np.array(["1", "2", "3"]), r"(?i)str|<U|unicode"),
    "bytes": (lambda: np.array([b"1", b"2", b"3"]), r"(?i)bytes|S1"),
    "list-of-bool": (lambda: [True, False, True], r"bool"),
    "list-of-str": (lambda: ["a", "b", "c"], r"(?i)str|<U|unicode"),
    "categorical-str": (lambda: pd.Series(["a", "b", "a", "c"], dtype="category"), r"categor"),
    "categorical-float": (lambda: pd.Series([1.0, 2.0, 1.0, 50.0], dtype="category"), r"categor"),
}

VERBS = {
    "detect": ol.detect,
    "mask": ol.mask,
    "scores": ol.scores,
    "bounds": ol.bounds,
}


@pytest.mark.parametrize("verb", list(VERBS))
@pytest.mark.parametrize("kind", list(REFUSED))
def test_inputs_refused_dtype_raises_type_error_naming_it(kind, verb):
    make, pattern = REFUSED[kind]
    for method in ("zscore", "hampel", "iqr"):
        with pytest.raises(TypeError, match=pattern):
            VERBS[verb](make(), method)


@pytest.mark.parametrize("kind", list(REFUSED))
def test_inputs_refused_dtype_through_detector(kind):
    make, pattern = REFUSED[kind]
    with pytest.raises(TypeError, match=pattern):
        ol.Detector("mad").detect(make())
    called = []

    def never(values):
        called.append(values)
        return []

    with pytest.raises(TypeError, match=pattern):
        ol.Detector(never).detect(make())
    assert not called


@pytest.mark.parametrize(
    "data",
    [
        np.array(3.0),
        np.float64(3.0),
        np.array(7, dtype=np.int32),
        np.zeros((3, 4)),
        np.zeros((5, 1)),
        np.zeros((0, 0)),
        np.zeros((2, 2, 2)),
        np.zeros((4, 3), dtype=np.int16)[:, ::2],
        [[1.0, 2.0], [3.0, 4.0]],
    ],
    ids=[
        "0d-array",
        "0d-scalar",
        "0d-int32",
        "2d",
        "2d-column-shape",
        "2d-empty",
        "3d",
        "2d-strided",
        "nested-list",
    ],
)
@pytest.mark.parametrize("verb", list(VERBS))
def test_inputs_wrong_ndim_raises_value_error(data, verb):
    with pytest.raises(ValueError):
        VERBS[verb](data, "zscore")


def _unordered_inputs():
    d = {"a": 1.0, "b": 2.0, "c": 50.0}
    yield "dict", d, "dict"
    yield "dict.values()", d.values(), "dict_values"
    yield "set", {1.0, 2.0, 50.0}, "set"
    yield "frozenset", frozenset({1.0, 50.0}), "frozenset"
    yield "generator", (v for v in [1.0, 2.0, 50.0]), "generator"
    yield "iterator", iter([1.0, 2.0, 50.0]), "list_iterator"
    yield "map", map(float, [1, 2, 50]), "map"


UNORDERED = list(_unordered_inputs())


@pytest.mark.parametrize("label,data,kind", UNORDERED, ids=[c[0] for c in UNORDERED])
@pytest.mark.parametrize(
    "call",
    [
        *[pytest.param(VERBS[v], id=v) for v in VERBS],
        pytest.param(lambda x, m: ol.Detector(m).detect(x), id="Detector"),
        pytest.param(lambda x, m: ol.Detector(lambda v: []).detect(x), id="custom"),
        pytest.param(lambda x, m: ol.Detector(lambda v: []).mask(x), id="custom-mask"),
    ],
)
def test_inputs_dict_set_generator_named_in_type_error(label, data, kind, call):
    # issue 15 item 14: these used to give "got a 0-D array" or "a scalar of type generator".
    with pytest.raises(TypeError, match=rf"cannot detect outliers in a {kind}: .*list"):
        call(data, "zscore")


# ------------------------------------------------------------ never mutated


def snapshot(x: np.ndarray):
    return (
        x.tobytes(),
        x.dtype,
        x.shape,
        x.strides,
        x.flags.writeable,
        x.flags.c_contiguous,
        x.flags.f_contiguous,
        x.flags.owndata,
        x.flags.aligned,
    )


def _mutation_inputs():
    rng = np.random.default_rng(5)
    f = rng.standard_normal(301)
    f[::13] = np.nan
    f[7] = np.inf
    f[8] = -np.inf
    f[100] = 40.0
    ints = rng.integers(-50, 50, 301)
    ints[55] = 1000
    t = datetimes_seconds()
    yield "float64", f.copy(), None
    yield "float32", f.astype(np.float32), None
    yield "int64", ints.copy(), None
    yield "uint8", (ints + 60).clip(0, 255).astype(np.uint8), None
    yield "big-endian", f.astype(">f8"), None
    base = f.copy()
    yield "view[::-3]", base[::-3], base
    b2 = np.ascontiguousarray(np.stack([f, f[::-1], f * 2], axis=1))
    yield "b[:, 1]", b2[:, 1], b2
    ro = f.copy()
    ro.setflags(write=False)
    yield "read-only", ro, None
    yield "datetime64[ns]", t.astype("M8[ns]"), None
    yield "timedelta64[ms]", timedeltas_seconds().astype("m8[ms]"), None


MUTATION_INPUTS = list(_mutation_inputs())


@pytest.mark.parametrize("label,x,base", MUTATION_INPUTS, ids=[c[0] for c in MUTATION_INPUTS])
def test_inputs_never_mutated(label, x, base):
    before = snapshot(x)
    before_base = snapshot(base) if base is not None else None
    for method, params in METHOD_CASES:
        for verb in VERBS.values():
            verb(x, method, **params)
            assert snapshot(x) == before, (label, method, params, verb.__name__)
        d = ol.Detector(method, **params)
        d.detect(x)
        d.scores(x)
        assert snapshot(x) == before, (label, method, params, "Detector")
    ol.Detector(lambda v: [0, len(v) - 1]).detect(x)
    assert snapshot(x) == before, (label, "custom function")
    if base is not None:
        assert snapshot(base) == before_base, label


def test_inputs_never_mutated_series():
    x = float_data(200)
    s = pd.Series(x.copy(), index=pd.RangeIndex(200) * 3, name="v")
    before_values = s.to_numpy().tobytes()
    before_index = s.index.copy()
    for method, params in METHOD_CASES:
        for verb in VERBS.values():
            verb(s, method, **params)
    assert s.to_numpy().tobytes() == before_values
    assert s.index.equals(before_index)
    assert s.dtype == np.float64
    assert s.name == "v"


def test_inputs_never_mutated_list():
    data = [3.0, 1.0, float("nan"), 2.0, 100.0, 2.0, 1.0, 3.0]
    before = repr(data)
    for method, params in METHOD_CASES:
        for verb in VERBS.values():
            verb(data, method, **params)
    assert repr(data) == before


def test_inputs_error_messages_name_the_dtype_not_a_generic_message():
    with pytest.raises(TypeError) as info:
        ol.detect(np.array([1 + 2j, 3 + 0j]))
    assert re.search(r"complex", str(info.value))


@pytest.mark.parametrize(
    "values",
    [
        np.array(["1700-01-01", "2250-01-01", "2000-01-01", "2000-01-02"], dtype="M8[ns]"),
        np.array([np.iinfo(np.int64).max, np.iinfo(np.int64).min + 1, 0, 5], dtype=np.int64).view(
            "M8[ns]"
        ),
        np.array([np.iinfo(np.int64).max, -np.iinfo(np.int64).max, 0, 5], dtype=np.int64).view(
            "m8[us]"
        ),
    ],
    ids=["wide-datetime", "extreme-datetime", "extreme-timedelta"],
)
@pytest.mark.parametrize("method", ["zscore", "iqr", "hampel", "esd"])
def test_inputs_time_bounds_beyond_int64_range_quietly(values, method):
    """A bound outside the dtype's range must not wrap around nor leak a numpy cast warning."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lo, hi = ol.bounds(values, method)
    assert np.asarray(lo).dtype == values.dtype and np.asarray(hi).dtype == values.dtype
    for a, b in zip(np.atleast_1d(lo), np.atleast_1d(hi), strict=True):
        assert np.isnat(a) or np.isnat(b) or a <= b
    # Against the same computation on float values: equal where representable, saturated at
    # the dtype's extremes beyond its range, NaT only where the float bound is NaN.
    rlo, rhi = ol.bounds(float_reference(values), method)
    info = np.iinfo(np.int64)
    for got, want in ((lo, rlo), (hi, rhi)):
        for g, w in zip(np.atleast_1d(got), np.atleast_1d(want), strict=True):
            if np.isnan(w):
                assert np.isnat(g)
                continue
            gi = int(np.asarray(g).view(np.int64))
            if w >= 2.0**63:
                assert gi == info.max
            elif w <= -(2.0**63):
                assert gi == info.min + 1
            else:
                assert abs(gi - w) <= 1.0 + 1e-12 * abs(w)
