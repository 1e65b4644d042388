"""The Series accessor `s.outliers` (SPEC §5 "pandas accessors"): what each verb returns.

detect / mask / scores / bounds / clean / report keep the Series' index (whatever its kind:
RangeIndex with a start, non-unique, strings, an irregular DatetimeIndex, a MultiIndex), its
name and its order; clean follows the pandas expression each `how` promises; report has its
columns; missing= declares sentinels; refused data and bad arguments raise errors naming
what is wrong. Method math is checked against tests/reference.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reference as ref  # noqa: E402

import outliers as ol  # noqa: E402

METHODS = ["zscore", "mad", "iqr", "quantile", "hampel", "esd"]
PARAMS = {
    "zscore": {"threshold": 2.5},
    "mad": {},
    "iqr": {"k": 2.0},
    "quantile": {"low": 0.05, "high": 0.95},
    "hampel": {"window": 9},
    "esd": {"max_outliers": 5},
}
REPORT_COLUMNS = ["position", "value", "score", "lower", "upper"]
N = 120


def values(n: int = N) -> np.ndarray:
    rng = np.random.default_rng(42)
    x = 20.0 + rng.standard_normal(n)
    x[[7, 60, 101]] = [35.0, 2.0, 31.0]
    x[[3, 50]] = np.nan
    x[90] = np.inf
    return x


def index_kinds(n: int = N) -> dict[str, pd.Index]:
    rng = np.random.default_rng(1)
    days = np.datetime64("2003-05-01") + np.cumsum(rng.integers(1, 5, n)).astype("m8[D]")
    return {
        "RangeIndex(start=1000, step=3)": pd.RangeIndex(1000, 1000 + 3 * n, 3),
        "RangeIndex(start=-50)": pd.RangeIndex(-50, -50 + n),
        "non-unique int": pd.Index(np.repeat(np.arange(n // 3), 3)[::-1]),
        "non-unique str": pd.Index([f"k{i % 7}" for i in range(n)]),
        "shuffled int": pd.Index(rng.permutation(n) * 10),
        "irregular DatetimeIndex": pd.DatetimeIndex(days),
        "descending float": pd.Index(np.linspace(5.0, -5.0, n)),
        "MultiIndex": pd.MultiIndex.from_arrays([np.arange(n) % 4, np.arange(n)]),
    }


INDEX_KINDS = list(index_kinds())


def series(index_kind: str | None = None, name="level") -> pd.Series:
    index = index_kinds()[index_kind] if index_kind else None
    return pd.Series(values(), index=index, name=name)


# ------------------------------------------------------------ index, name, order


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("index_kind", INDEX_KINDS)
def test_series_verbs_keep_index_name_and_order(index_kind, method):
    s = series(index_kind)
    params = PARAMS[method]
    ctx = f"float64 Series with {index_kind} index, method={method}"
    r = ref.reference(method, s.to_numpy(), **params)

    m = s.outliers.mask(method, **params)
    assert isinstance(m, pd.Series) and m.dtype == np.bool_, ctx
    pd.testing.assert_index_equal(m.index, s.index, exact=True, obj=f"{ctx} mask index")
    assert m.name == "level", ctx
    ref.check_mask(ctx, m.to_numpy(), r)
    flags = m.to_numpy()
    pos = np.flatnonzero(flags)
    assert pos.size >= 3, ctx

    d = s.outliers.detect(method, **params)
    pd.testing.assert_series_equal(d, s.iloc[pos], obj=f"{ctx} detect")

    sc = s.outliers.scores(method, **params)
    assert sc.dtype == np.float64 and sc.name == "level", ctx
    pd.testing.assert_index_equal(sc.index, s.index, exact=True, obj=f"{ctx} scores index")
    ref.check_scores(ctx, sc.to_numpy(), r)

    b = s.outliers.bounds(method, **params)
    assert isinstance(b, pd.DataFrame) and list(b.columns) == ["lower", "upper"], ctx
    pd.testing.assert_index_equal(b.index, s.index, exact=True, obj=f"{ctx} bounds index")
    ref.check_bounds(
        ctx,
        (b["lower"].to_numpy(), b["upper"].to_numpy())
        if method == "hampel"
        else (b["lower"].iloc[0], b["upper"].iloc[0]),
        r,
        s.to_numpy(),
        per_point=method == "hampel",
    )

    rep = s.outliers.report(method, **params)
    assert list(rep.columns) == REPORT_COLUMNS, ctx
    pd.testing.assert_index_equal(rep.index, s.index[pos], exact=True, obj=f"{ctx} report")
    np.testing.assert_array_equal(rep["position"].to_numpy(), pos, err_msg=ctx)

    for how, want in (("nan", s.mask(flags)), ("drop", s[~flags])):
        got = s.outliers.clean(how=how, method=method, **params)
        pd.testing.assert_series_equal(got, want, obj=f"{ctx} clean(how={how!r})")


@pytest.mark.parametrize("name", ["level", None, 0, ("a", 1)])
def test_series_name_kept_by_every_verb(name):
    s = series(name=name)
    for verb in ("detect", "mask", "scores"):
        assert getattr(s.outliers, verb)("mad").name == name, (verb, name)
    for how in ("nan", "drop", "clip", "center"):
        assert s.outliers.clean(how=how, method="mad").name == name, (how, name)


def test_series_detect_keeps_dtype_and_original_order():
    s = pd.Series([5, 900, 6, 5, -800, 6, 5, 700, 6, 5] * 3, index=np.arange(30)[::-1] * 7)
    s = s.astype(np.int32)
    d = s.outliers.detect("iqr")
    assert d.dtype == np.int32
    assert d.tolist() == [900, -800, 700] * 3
    assert (
        d.index.tolist() == (np.arange(30)[::-1] * 7)[[1, 4, 7, 11, 14, 17, 21, 24, 27]].tolist()
    )


def test_series_positions_not_labels():
    s = pd.Series([1.0, 1.1, 0.9, 1.0, 50.0, 1.05], index=[50, 40, 30, 20, 10, 0])
    rep = s.outliers.report("mad")
    assert rep.index.tolist() == [10]
    assert rep["position"].tolist() == [4]
    np.testing.assert_array_equal(ol.detect(s, "mad"), [4])


def test_series_default_method_is_zscore():
    s = series()
    pd.testing.assert_series_equal(s.outliers.mask(), s.outliers.mask("zscore"))
    pd.testing.assert_series_equal(s.outliers.scores(), s.outliers.scores(method="zscore"))
    pd.testing.assert_frame_equal(s.outliers.bounds(), s.outliers.bounds("zscore"))
    pd.testing.assert_series_equal(s.outliers.clean(), s.outliers.clean(how="nan"))


def test_series_method_and_params_as_keywords():
    s = series()
    pd.testing.assert_series_equal(
        s.outliers.mask(method="hampel", window=5, threshold=2.0),
        s.outliers.mask("hampel", window=5, threshold=2.0),
    )
    ref.check_mask(
        "hampel window=5 threshold=2",
        s.outliers.mask(method="hampel", window=5, threshold=2.0).to_numpy(),
        ref.reference("hampel", s.to_numpy(), window=5, threshold=2.0),
    )


# ------------------------------------------------------------ missing and infinite values


def test_series_missing_never_flagged_inf_always():
    s = series()
    for method in METHODS:
        m = s.outliers.mask(method, **PARAMS[method])
        sc = s.outliers.scores(method, **PARAMS[method])
        assert not m.iloc[[3, 50]].any(), method
        assert np.isnan(sc.iloc[[3, 50]]).all(), method
        assert m.iloc[90] and sc.iloc[90] == np.inf, method


def test_series_masked_na_is_false_in_mask():
    s = pd.Series([1, 2, None, 2, 1, 2, 3, 2, 1, 2, 200], dtype="Int64", name="n")
    m = s.outliers.mask("mad")
    assert m.dtype == np.bool_
    assert m.tolist() == [False] * 10 + [True]
    sc = s.outliers.scores("mad")
    assert sc.dtype == np.float64 and np.isnan(sc.iloc[2])


# ------------------------------------------------------------ clean, by hand

SMALL = [10.0, 11.0, 9.0, 10.0, 12.0, 8.0, 10.0, 11.0, 9.0, 10.0, 90.0]


def test_series_clean_nan_float_int_masked_datetime():
    flagged = [False] * 10 + [True]
    f = pd.Series(SMALL, name="f")
    got = f.outliers.clean(how="nan", method="mad")
    pd.testing.assert_series_equal(got, f.mask(flagged))
    assert np.isnan(got.iloc[10]) and got.dtype == np.float64

    i = pd.Series(np.array(SMALL, dtype=np.int64), name="i")
    got = i.outliers.clean(how="nan", method="mad")
    assert got.dtype == np.float64
    pd.testing.assert_series_equal(got, i.mask(flagged))

    u = pd.Series(np.array(SMALL, dtype=np.uint8))
    pd.testing.assert_series_equal(u.outliers.clean("nan", "mad"), u.mask(flagged))

    for dtype in ("Int64", "Float64", "UInt8", "Int32"):
        m = pd.Series(SMALL, dtype=dtype)
        got = m.outliers.clean(how="nan", method="mad")
        assert got.dtype == dtype, dtype
        assert got.iloc[10] is pd.NA, dtype
        pd.testing.assert_series_equal(got, m.mask(flagged), obj=dtype)

    t = pd.Series(
        pd.Timestamp("2020-01-01") + pd.to_timedelta(np.array(SMALL), unit="D"), name="t"
    )
    got = t.outliers.clean(how="nan", method="mad")
    assert got.dtype == t.dtype and got.iloc[10] is pd.NaT
    pd.testing.assert_series_equal(got, t.mask(flagged))


def test_series_clean_drop_removes_flagged_labels():
    s = pd.Series(SMALL, index=list("abcdefghijk"))
    got = s.outliers.clean(how="drop", method="mad")
    pd.testing.assert_series_equal(got, s.iloc[:10])


def test_series_clean_clip_to_bounds():
    s = pd.Series(SMALL + [-70.0], name="c")
    for method in ("zscore", "mad", "iqr", "quantile", "esd"):
        params = {"threshold": 1.5} if method == "zscore" else {}
        flags = s.outliers.mask(method, **params).to_numpy()
        lo, hi = ol.bounds(s, method, **params)
        got = s.outliers.clean(how="clip", method=method, **params)
        pd.testing.assert_series_equal(got, s.where(~flags, s.clip(lo, hi)), obj=method)
        assert flags[10] and got.iloc[10] == hi, method
        assert flags[11] and got.iloc[11] == lo, method
        pd.testing.assert_series_equal(got[~flags], s[~flags], obj=method)


def test_series_clean_clip_hampel_per_point():
    s = pd.Series(values(), name="h")
    flags = s.outliers.mask("hampel").to_numpy()
    b = s.outliers.bounds("hampel")
    got = s.outliers.clean(how="clip", method="hampel")
    want = s.where(~flags, s.clip(b["lower"].to_numpy(), b["upper"].to_numpy()))
    pd.testing.assert_series_equal(got, want)
    hi = b["upper"].to_numpy()
    assert got.iloc[7] == hi[7]


def centers(x: np.ndarray) -> dict:
    return {m: ref.reference(m, x, **PARAMS[m]).center for m in METHODS}


def test_series_clean_center_is_method_center():
    x = values()
    s = pd.Series(x, name="v")
    want_center = centers(x)
    f = x[np.isfinite(x)]
    # the centers as the spec words them
    assert want_center["zscore"] == pytest.approx(f.mean(), rel=1e-12)
    for m in ("mad", "iqr", "quantile"):
        assert want_center[m] == np.median(f), m
    for method in METHODS:
        flags = s.outliers.mask(method, **PARAMS[method]).to_numpy()
        got = s.outliers.clean(how="center", method=method, **PARAMS[method])
        assert got.dtype == np.float64 and got.name == "v", method
        pd.testing.assert_series_equal(got[~flags], s[~flags], obj=method)
        c = np.broadcast_to(want_center[method], x.shape)
        np.testing.assert_allclose(got[flags].to_numpy(), c[flags], rtol=1e-12, err_msg=method)
    # esd: the mean of the values it keeps
    flags = s.outliers.mask("esd", **PARAMS["esd"]).to_numpy()
    kept = x[~flags & np.isfinite(x)]
    got = s.outliers.clean(how="center", method="esd", **PARAMS["esd"])
    np.testing.assert_allclose(got[flags].to_numpy(), kept.mean(), rtol=1e-12)


def test_series_clean_center_hampel_window_median():
    x = np.array([5.0, 5.1, 4.9, 5.0, 40.0, 5.2, 4.8, 5.0, 5.1, 5.0, 4.9])
    s = pd.Series(x)
    got = s.outliers.clean(how="center", method="hampel", window=5)
    assert s.outliers.mask("hampel", window=5).tolist() == [False] * 4 + [True] + [False] * 6
    assert got.iloc[4] == np.median(x[2:7])
    pd.testing.assert_series_equal(got.drop(4), s.drop(4))


def test_series_clean_center_int64_and_datetime():
    i = pd.Series(np.array(SMALL, dtype=np.int64))
    got = i.outliers.clean(how="center", method="mad")
    # Integer data is replaced in float64 (centers are seldom whole numbers), whatever the value.
    pd.testing.assert_series_equal(got, i.astype(np.float64).where([True] * 10 + [False], 10.0))
    t = pd.Series(np.datetime64("2020-01-01", "s") + (np.array(SMALL) * 3600).astype("m8[s]"))
    got = t.outliers.clean(how="center", method="mad")
    assert got.dtype == t.dtype
    assert got.iloc[10] == pd.Timestamp("2020-01-01 10:00:00")


@pytest.mark.parametrize("how", ["nan", "drop", "clip", "center"])
def test_series_clean_returns_new_series_input_unchanged(how):
    s = series()
    before = s.copy(deep=True)
    got = s.outliers.clean(how=how, method="mad")
    assert got is not s
    pd.testing.assert_series_equal(s, before)
    quiet = pd.Series([1.0, 2.0, 3.0], name="q")
    same = quiet.outliers.clean(how=how)
    assert same is not quiet
    pd.testing.assert_series_equal(same, quiet)


@pytest.mark.parametrize("how", ["NaN", "remove", "", None, "winsorize"])
def test_series_clean_unknown_how_raises_naming_how(how):
    with pytest.raises(ValueError, match=r"\bhow\b"):
        series().outliers.clean(how=how)


# ------------------------------------------------------------ report


def test_series_report_values():
    s = pd.Series(SMALL + [-70.0], index=[f"d{i}" for i in range(12)], name="r")
    rep = s.outliers.report("mad")
    assert list(rep.columns) == REPORT_COLUMNS
    assert rep.index.tolist() == ["d10", "d11"]
    assert rep["position"].dtype == np.int64 and rep["position"].tolist() == [10, 11]
    assert rep["value"].dtype == np.float64 and rep["value"].tolist() == [90.0, -70.0]
    assert rep["score"].dtype == np.float64
    np.testing.assert_array_equal(rep["score"], s.outliers.scores("mad").iloc[[10, 11]])
    lo, hi = ol.bounds(s, "mad")
    assert rep["lower"].tolist() == [lo, lo] and rep["upper"].tolist() == [hi, hi]


def test_series_report_value_keeps_dtype():
    for dtype in ("int64", "Int64", "float32", "uint8"):
        s = pd.Series(np.array(SMALL).astype("float64")).astype(dtype)
        rep = s.outliers.report("mad")
        assert rep["value"].dtype == s.dtype, dtype
        assert rep["value"].tolist() == [90], dtype


def test_series_report_empty_has_columns():
    s = pd.Series([1.0, 1.0, 1.0, 1.0], index=list("abcd"))
    rep = s.outliers.report("zscore")
    assert list(rep.columns) == REPORT_COLUMNS
    assert len(rep) == 0
    assert rep["position"].dtype == np.int64
    assert rep["score"].dtype == np.float64


# ------------------------------------------------------------ empty and all-missing


@pytest.mark.parametrize("method", METHODS)
def test_series_empty(method):
    s = pd.Series([], dtype=np.float64, name="e")
    m = s.outliers.mask(method)
    assert m.dtype == np.bool_ and len(m) == 0 and m.name == "e"
    assert s.outliers.scores(method).dtype == np.float64
    assert len(s.outliers.detect(method)) == 0
    b = s.outliers.bounds(method)
    assert list(b.columns) == ["lower", "upper"] and len(b) == 0
    rep = s.outliers.report(method)
    assert list(rep.columns) == REPORT_COLUMNS and len(rep) == 0
    for how in ("nan", "drop", "clip", "center"):
        pd.testing.assert_series_equal(s.outliers.clean(how=how, method=method), s)


@pytest.mark.parametrize("method", METHODS)
def test_series_all_missing(method):
    s = pd.Series([np.nan] * 6)
    assert not s.outliers.mask(method).any()
    assert s.outliers.scores(method).isna().all()
    assert len(s.outliers.report(method)) == 0
    pd.testing.assert_series_equal(s.outliers.clean(how="center", method=method), s)


# ------------------------------------------------------------ missing= sentinels


def with_sentinel() -> np.ndarray:
    x = values()
    x[[11, 12, 77]] = -9999.0
    return x


@pytest.mark.parametrize("method", METHODS)
def test_series_missing_sentinel_like_nan(method):
    x = with_sentinel()
    s = pd.Series(x, name="w")
    params = PARAMS[method]
    nan = pd.Series(np.where(x == -9999.0, np.nan, x), name="w")
    ctx = f"float64 with -9999, method={method}, missing=-9999"
    r = ref.reference(method, nan.to_numpy(), **params)
    m = s.outliers.mask(method, missing=-9999, **params)
    ref.check_mask(ctx, m.to_numpy(), r)
    assert not m.iloc[[11, 12, 77]].any(), ctx
    pd.testing.assert_series_equal(m, nan.outliers.mask(method, **params), obj=ctx)
    sc = s.outliers.scores(method, missing=-9999, **params)
    ref.check_scores(ctx, sc.to_numpy(), r)
    pd.testing.assert_frame_equal(
        s.outliers.bounds(method, missing=-9999, **params),
        nan.outliers.bounds(method, **params),
        obj=ctx,
    )
    rep = s.outliers.report(method, missing=-9999, **params)
    assert -9999.0 not in rep["value"].tolist(), ctx
    for how in ("nan", "clip", "center"):
        got = s.outliers.clean(how=how, method=method, missing=-9999, **params)
        assert (got.iloc[[11, 12, 77]] == -9999.0).all(), (ctx, how)
    # the same through the functional API
    np.testing.assert_array_equal(ol.detect(x, method, missing=-9999, **params), np.flatnonzero(m))
    np.testing.assert_array_equal(ol.mask(x, method, missing=-9999, **params), m.to_numpy())
    np.testing.assert_array_equal(ol.scores(x, method, missing=-9999, **params), sc.to_numpy())
    lo, hi = ol.bounds(x, method, missing=-9999, **params)
    b = s.outliers.bounds(method, missing=-9999, **params)
    np.testing.assert_array_equal(np.broadcast_to(lo, x.shape), b["lower"].to_numpy())
    np.testing.assert_array_equal(np.broadcast_to(hi, x.shape), b["upper"].to_numpy())


def test_series_missing_sentinel_flagged_without_it():
    s = pd.Series(with_sentinel())
    m = s.outliers.mask("mad")
    assert m.iloc[[11, 12, 77]].all()


def test_series_missing_list_of_sentinels():
    x = with_sentinel()
    x[[20, 21]] = 9999.0
    s = pd.Series(x)
    m = s.outliers.mask("mad", missing=[-9999, 9999])
    assert not m.iloc[[11, 12, 77, 20, 21]].any()
    clean = np.where(np.isin(x, [-9999.0, 9999.0]), np.nan, x)
    ref.check_mask("missing=[-9999, 9999]", m.to_numpy(), ref.reference("mad", clean))
    np.testing.assert_array_equal(
        ol.mask(x, "mad", missing=(-9999, 9999)), m.to_numpy(), err_msg="tuple of sentinels"
    )


def test_series_missing_int_and_masked():
    x = np.rint(with_sentinel()[:80] * 10)
    x[~np.isfinite(x)] = 200
    i = pd.Series(x.astype(np.int64))
    masked = pd.Series(x.astype(np.int64), dtype="Int64")
    masked.iloc[[30, 31]] = pd.NA
    clean_i = np.where(x == -99990, np.nan, x)
    ref.check_mask(
        "int64 with missing=-99990",
        i.outliers.mask("mad", missing=-99990).to_numpy(),
        ref.reference("mad", clean_i),
    )
    clean_m = clean_i.copy()
    clean_m[[30, 31]] = np.nan
    m = masked.outliers.mask("mad", missing=-99990)
    ref.check_mask("Int64 with NA and missing=-99990", m.to_numpy(), ref.reference("mad", clean_m))
    assert not m.iloc[[11, 12, 77, 30, 31]].any()


def test_series_missing_unrepresentable_sentinel_changes_nothing():
    s = pd.Series(np.array(SMALL, dtype=np.uint8))
    pd.testing.assert_series_equal(s.outliers.mask("mad", missing=-9999), s.outliers.mask("mad"))
    f = pd.Series(SMALL)
    pd.testing.assert_series_equal(f.outliers.mask("mad", missing=10.5), f.outliers.mask("mad"))


def test_series_missing_float_sentinel():
    f = pd.Series(SMALL + [-99.5, -99.5])
    m = f.outliers.mask("mad", missing=-99.5)
    assert m.tolist() == [False] * 10 + [True, False, False]
    assert f.outliers.scores("mad", missing=-99.5).iloc[11:].isna().all()


@pytest.mark.parametrize("bad", ["-9999", "abc", [1, "x"], {"a": 1}, object()])
def test_series_missing_bad_value_raises_naming_missing(bad):
    with pytest.raises((TypeError, ValueError), match=r"\bmissing\b"):
        series().outliers.mask("mad", missing=bad)


# ------------------------------------------------------------ errors

VERBS = ["detect", "mask", "scores", "bounds", "clean", "report"]
REFUSED = {
    "bool": (lambda: pd.Series([True, False, True, True]), r"bool"),
    "boolean": (lambda: pd.Series([True, None, False], dtype="boolean"), r"(?i)bool"),
    "str": (lambda: pd.Series(["a", "b", "c"]), r"(?i)str|object"),
    "object numbers": (lambda: pd.Series([1.0, 2.0, 50.0], dtype=object), r"object"),
    "category": (lambda: pd.Series([1.0, 2.0, 1.0, 50.0], dtype="category"), r"categor"),
    "category str": (lambda: pd.Series(["a", "b", "a"], dtype="category"), r"categor"),
    "complex": (lambda: pd.Series(np.arange(4, dtype=np.complex128)), r"complex"),
    "bool[pyarrow]": (lambda: pd.Series([True, None], dtype="bool[pyarrow]"), r"bool"),
    "string[pyarrow]": (lambda: pd.Series(["a", None], dtype="string[pyarrow]"), r"str"),
}


@pytest.mark.parametrize("verb", VERBS)
@pytest.mark.parametrize("kind", list(REFUSED))
def test_series_refused_dtype_raises_type_error_naming_it(kind, verb):
    make, pattern = REFUSED[kind]
    s = make()
    acc = s.outliers  # building the accessor never fails
    with pytest.raises(TypeError, match=pattern):
        getattr(acc, verb)()
    with pytest.raises(TypeError, match=pattern):
        getattr(acc, verb)(method="mad")


@pytest.mark.parametrize("verb", VERBS)
@pytest.mark.parametrize("name", ["nope", "ZScore", "median", ""])
def test_series_unknown_method_lists_methods(verb, name):
    with pytest.raises(ValueError) as info:
        getattr(series().outliers, verb)(method=name)
    for method in METHODS:
        assert method in str(info.value), (verb, name, str(info.value))


BAD_PARAMS = [
    ("zscore", {"threshold": 0.0}, ValueError, "threshold"),
    ("zscore", {"threshold": float("nan")}, ValueError, "threshold"),
    ("zscore", {"ddof": -1}, ValueError, "ddof"),
    ("zscore", {"ddof": 0.5}, TypeError, "ddof"),
    ("mad", {"threshold": -1}, ValueError, "threshold"),
    ("iqr", {"k": -0.5}, ValueError, r"\bk\b"),
    ("quantile", {"low": 0.9, "high": 0.1}, ValueError, "low"),
    ("hampel", {"window": 4}, ValueError, "window"),
    ("hampel", {"window": 1}, ValueError, "window"),
    ("esd", {"alpha": 1.5}, ValueError, "alpha"),
    ("esd", {"max_outliers": 0}, ValueError, "max_outliers"),
    ("mad", {"window": 4}, ValueError, "window"),  # a centred count window is odd
    ("mad", {"window": "1D"}, ValueError, "DatetimeIndex"),  # a span needs times
    ("esd", {"window": 5}, ValueError, "window"),
    ("mad", {"window": 5.0}, TypeError, "window"),
    ("zscore", {"treshold": 2.0}, TypeError, "treshold"),
]


@pytest.mark.parametrize("verb", VERBS)
@pytest.mark.parametrize(
    "method,params,error,pattern", BAD_PARAMS, ids=[f"{m}-{p}" for m, p, _, _ in BAD_PARAMS]
)
def test_series_bad_params_raise_naming_param(verb, method, params, error, pattern):
    with pytest.raises(error, match=pattern):
        getattr(series().outliers, verb)(method=method, **params)
