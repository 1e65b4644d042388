"""dask support (SPEC §10): the same verbs on 1-D dask arrays and dask Series/DataFrames.

Every dask result is compared with the in-memory result of this package on the concatenated
data (itself checked against independent numpy references in the other test modules):
positions and masks identical, scores and bounds equal to rounding. The data has at least 8
partitions, of unequal lengths, some of them empty, with spikes, NaN runs and infinities
planted at partition edges (so that hampel windows crossing an edge must see their
neighbours), and is computed with the synchronous and threaded schedulers and on a
`distributed.LocalCluster`. Nothing may be computed before `.compute()`.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import outliers as ol

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

METHOD_CASES = [
    ("zscore", {}),
    ("zscore", {"threshold": 2.5, "ddof": 1}),
    ("mad", {}),
    ("mad", {"threshold": 3.0}),
    ("iqr", {}),
    ("iqr", {"k": 3.0}),
    ("quantile", {}),
    ("quantile", {"low": 0.05, "high": 0.9}),
    ("hampel", {}),
    ("hampel", {"window": 7, "threshold": 2.0}),
    ("hampel", {"window": 101}),  # overlap 50: longer than most partitions
    ("esd", {}),
    ("esd", {"max_outliers": 30, "alpha": 0.01}),
]
METHODS = ["zscore", "mad", "iqr", "quantile", "hampel", "esd"]


def case_id(case) -> str:
    method, params = case
    return "-".join([method, *(f"{k}={v}" for k, v in params.items())])


CASE_IDS = [case_id(c) for c in METHOD_CASES]
# Every method with its defaults, and the cases where partitions matter most.
SHORT_CASES = [(m, {}) for m in METHODS] + [
    ("hampel", {"window": 101}),
    ("esd", {"max_outliers": 30, "alpha": 0.01}),
]
SHORT_IDS = [case_id(c) for c in SHORT_CASES]

# Scores are dimensionless (compared with thresholds of about 1 to 3): a score near 0 is the
# difference of two nearly equal numbers, where the rounding of a mean combined over
# partitions shows as a large relative error; 1e-12 in absolute terms is still rounding.
RTOL = 1e-9
SCORE_ATOL = 1e-12

# 1-D array chunkings, 600 values each. "equal": partitions of exactly hampel window 101's
# overlap (50); "unequal": lengths 1 to 90; "empty partitions": first, last and consecutive ones.
CHUNKINGS = {
    "equal": (50,) * 12,
    "unequal": (61, 3, 73, 1, 43, 90, 26, 5, 89, 35, 52, 37, 85),
    "empty partitions": (0, 30, 0, 17, 0, 50, 0, 0, 92, 73, 48, 60, 0, 85, 45, 100, 0),
}
N = 600
assert all(sum(c) == N for c in CHUNKINGS.values())

# dask DataFrame partition lengths, 600 rows (zeros are empty partitions).
FRAME_SIZES = (40, 0, 80, 57, 0, 31, 1, 48, 66, 0, 94, 44, 89, 50)
N_FRAME = sum(FRAME_SIZES)


# ------------------------------------------------------------------ data


def edges_of(sizes) -> np.ndarray:
    """Positions where a non-empty partition starts, after the first one."""
    return np.cumsum([s for s in sizes if s])[:-1]


def planted(sizes, seed: int = 0) -> np.ndarray:
    """Normal data (50 ± 2) with spikes, spike runs, NaN and ±inf at the partition edges."""
    n = sum(sizes)
    rng = np.random.default_rng(seed)
    x = 50.0 + 2.0 * rng.standard_normal(n)
    for j, b in enumerate(edges_of(sizes)):
        jump = 14.0 + j % 7
        kind = j % 5
        if kind == 0:
            x[b] += jump  # the first value of a partition
        elif kind == 1:
            x[b - 1] -= jump  # the last value of a partition
        elif kind == 2:
            x[b - 1 : b + 2] += jump  # a run of three across the edge
        elif kind == 3:
            x[b - 1 : b + 1] = np.nan  # missing on both sides of the edge
    x[0] = -np.inf
    x[n // 3] = np.inf
    x[n - 2] = np.inf
    x[rng.choice(n, 5, replace=False)] = np.nan
    return x


def integer_valued(x: np.ndarray) -> np.ndarray:
    """int64 data with many ties (and plateaus: hampel windows with MAD 0)."""
    return np.where(np.isfinite(x), np.rint(x), 90.0).astype(np.int64)


def darray(x: np.ndarray, sizes) -> da.Array:
    d = da.from_array(x, chunks=(tuple(sizes),))
    assert d.chunks == (tuple(sizes),)
    return d


def frame() -> pd.DataFrame:
    """Numeric columns of several kinds, plus columns the frame accessor must not check."""
    x = planted(FRAME_SIZES, seed=1)
    f32 = planted(FRAME_SIZES, seed=2).astype(np.float32)
    masked = pd.array(planted(FRAME_SIZES, seed=3), dtype="Float64")  # NaN -> pd.NA
    masked[[5, 100, 101, 400]] = pd.NA
    sentinel = planted(FRAME_SIZES, seed=4)
    sentinel[~np.isfinite(sentinel)] = 50.0
    sentinel[[3, 39, 40, 41, 200, 599]] = -9999.0
    rng = np.random.default_rng(5)
    return pd.DataFrame(
        {
            "f64": x,
            "label": [f"item{i}" for i in range(N_FRAME)],
            "i64": integer_valued(planted(FRAME_SIZES, seed=6)),
            "f32": f32,
            "flag": rng.random(N_FRAME) > 0.5,
            "F64": masked,
            "sentinel": sentinel,
        },
        index=pd.date_range("2001-01-01", periods=N_FRAME, freq="D", name="day"),
    )


def dask_frame(kind: str, df: pd.DataFrame):
    """`df` as a dask DataFrame whose partitions have the FRAME_SIZES lengths.

    - "divisions": from_pandas, then repartitioned on the date index (known divisions; the
      empty partitions of FRAME_SIZES are left out: they cannot have divisions);
    - "filtered": a longer frame whose filter leaves FRAME_SIZES' empty partitions empty (the
      rows filtered out hold huge values, which must not reach the statistics);
    - "delayed": from_delayed pieces (empty ones included), unknown divisions, and a shuffled
      integer index.
    """
    starts = np.concatenate([[0], np.cumsum(FRAME_SIZES)])
    if kind == "divisions":
        nonempty = [a for a, s in zip(starts, FRAME_SIZES, strict=False) if s]
        divisions = [df.index[a] for a in nonempty] + [df.index[-1]]
        ddf = dd.from_pandas(df, npartitions=3).repartition(divisions=divisions)
        want = [s for s in FRAME_SIZES if s]
    elif kind == "filtered":
        blocks = []
        for a, s in zip(starts, FRAME_SIZES, strict=False):
            block = df.iloc[a : a + s].assign(keep=True)
            if s == 0:
                block = df.iloc[:10].assign(keep=False)
                block[["f64", "f32", "F64", "sentinel"]] = 1e6
                block["i64"] = 10**6
            blocks.append(block)
        full = pd.concat(blocks)
        full.index = pd.RangeIndex(len(full)) * 10
        block_starts = np.concatenate([[0], np.cumsum([len(b) for b in blocks])])
        divisions = [full.index[a] for a in block_starts[:-1]] + [full.index[-1]]
        ddf = dd.from_pandas(full, npartitions=3).repartition(divisions=divisions)
        ddf = ddf[ddf["keep"]].drop(columns="keep")
        want = list(FRAME_SIZES)
    else:
        shuffled = df.set_axis(np.random.default_rng(9).permutation(N_FRAME) * 7)
        pieces = [
            dask.delayed(shuffled.iloc[a : a + s].copy())
            for a, s in zip(starts, FRAME_SIZES, strict=False)
        ]
        ddf = dd.from_delayed(pieces, meta=shuffled.iloc[:0])
        want = list(FRAME_SIZES)
    assert ddf.npartitions >= 8
    assert ddf.map_partitions(len).compute(scheduler="sync").tolist() == want
    return ddf


FRAME_KINDS = ["divisions", "filtered", "delayed"]


# ------------------------------------------------------------------ schedulers


@pytest.fixture(scope="module")
def cluster_client():
    """A two-process LocalCluster (one thread each), closed at the end of the module."""
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    client = distributed.Client(cluster, set_as_default=False)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture
def scheduler(request):
    """ "sync", "threads" or the LocalCluster's Client: what `compute` below runs on."""
    if request.param == "distributed":
        return request.getfixturevalue("cluster_client")
    return request.param


SCHEDULERS = ["sync", "threads", "distributed"]


def compute(scheduler, *objs):
    """dask.compute on one scheduler: the local ones as the configured default."""
    if isinstance(scheduler, str):
        with dask.config.set(scheduler=scheduler):
            return dask.compute(*objs)
    return dask.compute(*objs, scheduler=scheduler)


# ------------------------------------------------------------------ comparisons


def assert_close(got, want, ctx: str, *, atol: float = 0.0) -> None:
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=atol, equal_nan=True, err_msg=ctx)


def lazy_array_verbs(darr, method, params, ctx):
    """The four verbs on a dask array, with the types and chunks promised before computing."""
    pos = ol.detect(darr, method, **params)
    assert isinstance(pos, da.Array), ctx
    assert pos.dtype == np.int64 and pos.ndim == 1, ctx
    m = ol.mask(darr, method, **params)
    assert isinstance(m, da.Array) and m.dtype == np.bool_, ctx
    assert m.chunks == darr.chunks, ctx
    sc = ol.scores(darr, method, **params)
    assert isinstance(sc, da.Array) and sc.dtype == np.float64, ctx
    assert sc.chunks == darr.chunks, ctx
    b = ol.bounds(darr, method, **params)
    assert isinstance(b, tuple) and len(b) == 2, ctx
    for part in b:
        assert isinstance(part, da.Array), ctx
        if method == "hampel":
            assert part.chunks == darr.chunks, ctx
        else:
            assert part.ndim == 0, ctx
    return {"detect": pos, "mask": m, "scores": sc, "bounds": b}


def check_array(darr, method, params, scheduler, ctx) -> np.ndarray:
    """Compare the four verbs on `darr` with the in-memory ones; return the positions."""
    x = darr.compute(scheduler="sync")
    want_pos = ol.detect(x, method, **params)
    want_mask = ol.mask(x, method, **params)
    want_scores = ol.scores(x, method, **params)
    want_lower, want_upper = ol.bounds(x, method, **params)

    lazy = lazy_array_verbs(darr, method, params, ctx)
    (got,) = compute(scheduler, lazy)

    assert isinstance(got["detect"], np.ndarray) and got["detect"].dtype == np.int64, ctx
    np.testing.assert_array_equal(got["detect"], want_pos, err_msg=f"{ctx}: positions")
    assert got["mask"].dtype == np.bool_ and got["mask"].shape == x.shape, ctx
    np.testing.assert_array_equal(got["mask"], want_mask, err_msg=f"{ctx}: mask")
    assert got["scores"].dtype == np.float64 and got["scores"].shape == x.shape, ctx
    assert_close(got["scores"], want_scores, f"{ctx}: scores", atol=SCORE_ATOL)
    for name, g, w in zip(
        ("lower", "upper"), got["bounds"], (want_lower, want_upper), strict=True
    ):
        g = np.asarray(g)
        assert g.dtype == np.float64, f"{ctx}: {name} dtype {g.dtype}"
        assert g.shape == np.shape(w), f"{ctx}: {name} shape {g.shape}"
        assert_close(g, w, f"{ctx}: {name}")
    return want_pos


def assert_series_close(got: pd.Series, want: pd.Series, ctx: str, *, atol: float = 0.0):
    assert isinstance(got, pd.Series), ctx
    pd.testing.assert_index_equal(got.index, want.index, exact=True, obj=ctx)
    assert got.dtype == want.dtype, f"{ctx}: dtype {got.dtype} != {want.dtype}"
    assert got.name == want.name, f"{ctx}: name {got.name!r} != {want.name!r}"
    assert_close(got.to_numpy(), want.to_numpy(), ctx, atol=atol)


def assert_frame_close(got: pd.DataFrame, want: pd.DataFrame, ctx: str, *, atol: float = 0.0):
    assert isinstance(got, pd.DataFrame), ctx
    pd.testing.assert_index_equal(got.columns, want.columns, obj=f"{ctx} columns")
    for c in want.columns:
        assert_series_close(got[c], want[c], f"{ctx}, column {c!r}", atol=atol)


# ------------------------------------------------------------------ 1-D dask arrays

ARRAY_RUNS = [
    pytest.param(s, c, id=f"{s}-{c}")
    for s, c in itertools.product(SCHEDULERS, CHUNKINGS)
    if s == "sync" or c == "empty partitions"
]


@pytest.mark.parametrize(("scheduler", "chunking"), ARRAY_RUNS, indirect=["scheduler"])
@pytest.mark.parametrize("case", METHOD_CASES, ids=CASE_IDS)
def test_array_verbs_match_in_memory(scheduler, chunking, case):
    method, params = case
    sizes = CHUNKINGS[chunking]
    x = planted(sizes)
    darr = darray(x, sizes)
    assert darr.numblocks[0] >= 8
    ctx = f"dask array, {chunking} chunks, {case_id(case)}"
    pos = check_array(darr, method, params, scheduler, ctx)
    # Not vacuous: finite values are flagged, some of them next to a partition edge.
    finite = pos[np.isfinite(x[pos])]
    assert finite.size > 0, ctx
    distance = np.abs(finite[:, None] - edges_of(sizes)[None, :]).min(axis=1)
    assert (distance <= 1).any(), ctx


@pytest.mark.parametrize("dtype", ["int64", "float32"])
@pytest.mark.parametrize("case", METHOD_CASES, ids=CASE_IDS)
def test_array_dtypes(dtype, case):
    """Integer data (ties, hampel plateaus with MAD 0) and float32 data."""
    method, params = case
    sizes = CHUNKINGS["empty partitions"]
    x = planted(sizes, seed=3)
    x = integer_valued(x) if dtype == "int64" else x.astype(np.float32)
    darr = darray(x, sizes)
    assert darr.dtype == np.dtype(dtype)
    pos = check_array(darr, method, params, "threads", f"{dtype} dask array, {case_id(case)}")
    assert np.isfinite(x[pos]).any()


@pytest.mark.parametrize("missing", [-9999, [-9999.0, -8888]], ids=["number", "list"])
@pytest.mark.parametrize("method", METHODS)
def test_array_missing_sentinels(method, missing):
    sizes = CHUNKINGS["unequal"]
    x = planted(sizes, seed=4)
    x[[2, 60, 61, 62, 500, 599]] = -9999.0
    x[[300, 301]] = -8888.0 if isinstance(missing, list) else 50.0
    params = {"missing": missing}
    if method == "hampel":
        params["window"] = 9
    pos = check_array(darray(x, sizes), method, params, "sync", f"missing={missing}, {method}")
    assert pos.size > 0 and not np.isin(x[pos], [-9999.0, -8888.0]).any()


EDGE_SIZES = (30, 0, 17, 0, 50, 23, 41, 0, 39)  # 200 values, 9 partitions


def edge_data() -> dict[str, tuple[np.ndarray, tuple]]:
    with_inf = np.full(200, 5.0)
    with_inf[[0, 29, 30, 199]] = [np.inf, np.nan, -np.inf, np.nan]
    one_partition = planted((60,), seed=5)
    return {
        "all NaN": (np.full(200, np.nan), EDGE_SIZES),
        "constant": (np.full(200, 5.0), EDGE_SIZES),
        "constant int64": (np.full(200, 7, dtype=np.int64), EDGE_SIZES),
        "constant, NaN and inf": (with_inf, EDGE_SIZES),
        "empty": (np.array([], dtype=np.float64), (0,) * 8),
        "one non-empty partition": (one_partition, (0, 0, 0, 60, 0, 0, 0, 0)),
        "two values": (np.array([1.0, 100.0]), (0, 1, 0, 0, 1, 0, 0, 0)),
        "fewer values than the window": (planted((5,) * 8, seed=6), (5,) * 8),
    }


EDGE_CASES = list(edge_data())


@pytest.mark.parametrize("case", SHORT_CASES, ids=SHORT_IDS)
@pytest.mark.parametrize("edge", EDGE_CASES)
def test_array_edge_cases(edge, case):
    method, params = case
    x, sizes = edge_data()[edge]
    pos = check_array(darray(x, sizes), method, params, "sync", f"{edge}, {case_id(case)}")
    if edge in ("all NaN", "constant", "constant int64", "empty"):
        assert pos.size == 0


def test_array_method_call_of_results():
    """`.compute()` on each result (the threaded default) gives what dask.compute gives."""
    sizes = CHUNKINGS["unequal"]
    x = planted(sizes)
    darr = darray(x, sizes)
    np.testing.assert_array_equal(ol.detect(darr, "mad").compute(), ol.detect(x, "mad"))
    np.testing.assert_array_equal(ol.mask(darr, "iqr").compute(), ol.mask(x, "iqr"))
    assert_close(ol.scores(darr, "zscore").compute(), ol.scores(x, "zscore"), "", atol=1e-12)
    lower, upper = ol.bounds(darr, "quantile", low=0.1, high=0.8)
    assert_close(
        [lower.compute(), upper.compute()], ol.bounds(x, "quantile", low=0.1, high=0.8), ""
    )
    lower, upper = ol.bounds(darr, "hampel", window=11)
    want = ol.bounds(x, "hampel", window=11)
    assert_close(lower.compute(), want[0], "hampel lower")
    assert_close(upper.compute(), want[1], "hampel upper")


def counting_array(x: np.ndarray, sizes, calls: list) -> da.Array:
    """`x` as a dask array whose chunks record when they are loaded (empty ones too)."""

    def load(block):
        calls.append(len(block))
        return block.copy()

    return darray(x, sizes).map_blocks(load, dtype=x.dtype, meta=np.empty(0, x.dtype))


@pytest.mark.parametrize("case", SHORT_CASES, ids=SHORT_IDS)
def test_array_verbs_are_lazy(case):
    method, params = case
    sizes = CHUNKINGS["empty partitions"]
    x = planted(sizes)
    calls: list = []
    darr = counting_array(x, sizes, calls)
    ctx = f"lazy {case_id(case)}"
    lazy = lazy_array_verbs(darr, method, params, ctx)
    assert calls == [], f"{ctx}: data loaded before compute()"
    (got,) = dask.compute(lazy, scheduler="sync")
    assert set(calls) == set(sizes) and len(calls) >= len(sizes), f"{ctx}: chunks loaded"
    np.testing.assert_array_equal(got["detect"], ol.detect(x, method, **params), err_msg=ctx)


# ------------------------------------------------------------------ dask Series


@pytest.fixture(scope="module")
def pandas_frame() -> pd.DataFrame:
    return frame()


def series_verbs(s, method, params):
    acc = s.outliers
    return {
        "detect": acc.detect(method, **params),
        "mask": acc.mask(method, **params),
        "scores": acc.scores(method, **params),
        "bounds": acc.bounds(method, **params),
    }


def check_series(got: dict, want: dict, ctx: str) -> None:
    pd.testing.assert_series_equal(got["detect"], want["detect"], obj=f"{ctx} detect")
    pd.testing.assert_series_equal(got["mask"], want["mask"], obj=f"{ctx} mask")
    assert_series_close(got["scores"], want["scores"], f"{ctx} scores", atol=SCORE_ATOL)
    assert_frame_close(got["bounds"], want["bounds"], f"{ctx} bounds")


def check_series_columns(ddf, columns, method, params, scheduler, ctx) -> None:
    """The Series verbs on `columns` of `ddf` against pandas' on the concatenated data."""
    pdf = ddf.compute(scheduler="sync")
    lazy, want = {}, {}
    for col in columns:
        c = f"{ctx}, dask Series {col!r}"
        lazy[col] = series_verbs(ddf[col], method, params)
        assert isinstance(lazy[col]["detect"], dd.Series), c
        assert lazy[col]["detect"].dtype == ddf[col].dtype, c
        assert lazy[col]["detect"].name == col, c
        assert isinstance(lazy[col]["mask"], dd.Series), c
        assert lazy[col]["mask"].dtype == np.bool_, c
        assert isinstance(lazy[col]["scores"], dd.Series), c
        assert lazy[col]["scores"].dtype == np.float64, c
        assert isinstance(lazy[col]["bounds"], dd.DataFrame), c
        assert list(lazy[col]["bounds"].columns) == ["lower", "upper"], c
        want[col] = series_verbs(pdf[col], method, params)
        # Not vacuous: finite values are flagged.
        flagged = want[col]["detect"].to_numpy(dtype=np.float64, na_value=np.nan)
        assert np.isfinite(flagged).any(), c
    (got,) = compute(scheduler, lazy)
    for col in columns:
        check_series(got[col], want[col], f"{ctx}, dask Series {col!r}")


SERIES_RUNS = [
    pytest.param(s, k, id=f"{s}-{k}")
    for s, k in itertools.product(SCHEDULERS, FRAME_KINDS)
    if s == "sync" or k == "delayed"
]


@pytest.mark.parametrize(("scheduler", "kind"), SERIES_RUNS, indirect=["scheduler"])
@pytest.mark.parametrize("case", METHOD_CASES, ids=CASE_IDS)
def test_series_accessor_matches_pandas(pandas_frame, scheduler, kind, case):
    """float64 with NaN/inf, and a masked Float64 column with pd.NA."""
    method, params = case
    ddf = dask_frame(kind, pandas_frame)
    check_series_columns(
        ddf, ["f64", "F64"], method, params, scheduler, f"{kind}, {case_id(case)}"
    )


@pytest.mark.parametrize("column", ["i64", "f32"])
@pytest.mark.parametrize("case", SHORT_CASES, ids=SHORT_IDS)
def test_series_accessor_dtypes(pandas_frame, column, case):
    """int64 (ties, plateaus) and float32 columns."""
    method, params = case
    ddf = dask_frame("filtered", pandas_frame)
    check_series_columns(ddf, [column], method, params, "threads", f"filtered, {case_id(case)}")


@pytest.mark.parametrize("method", METHODS)
def test_series_accessor_missing_sentinel(pandas_frame, method):
    ddf = dask_frame("delayed", pandas_frame)
    pdf = ddf.compute(scheduler="sync")
    for missing in (-9999, [-9999, -8888.0]):
        params = {"missing": missing}
        ctx = f"dask Series 'sentinel', {method}, missing={missing}"
        want = series_verbs(pdf["sentinel"], method, params)
        (got,) = compute("threads", series_verbs(ddf["sentinel"], method, params))
        check_series(got, want, ctx)
        assert (want["detect"] != -9999).all() and len(want["detect"]) > 0, ctx


def counting_frame(df: pd.DataFrame, calls: list):
    """`df` as a dask DataFrame of delayed FRAME_SIZES pieces that record when they load."""
    starts = np.concatenate([[0], np.cumsum(FRAME_SIZES)])

    def load(i):
        calls.append(i)
        return df.iloc[starts[i] : starts[i + 1]].copy()

    pieces = [dask.delayed(load)(i) for i in range(len(FRAME_SIZES))]
    return dd.from_delayed(pieces, meta=df.iloc[:0])


@pytest.mark.parametrize("case", SHORT_CASES, ids=SHORT_IDS)
def test_accessors_are_lazy(pandas_frame, case):
    method, params = case
    calls: list = []
    ddf = counting_frame(pandas_frame, calls)
    ctx = f"lazy accessors, {case_id(case)}"
    series = series_verbs(ddf["F64"], method, params)
    frames = {
        "mask": ddf.outliers.mask(method, **params),
        "scores": ddf.outliers.scores(method, **params),
        "detect": ddf.outliers.detect(method, **params),
    }
    assert calls == [], f"{ctx}: data loaded before compute()"
    (got_series, got_frames) = dask.compute(series, frames, scheduler="sync")
    assert len(calls) >= len(FRAME_SIZES), ctx
    pd.testing.assert_series_equal(
        got_series["mask"], pandas_frame["F64"].outliers.mask(method, **params), obj=ctx
    )
    pd.testing.assert_frame_equal(
        got_frames["detect"], pandas_frame.outliers.detect(method, **params), obj=ctx
    )


# ------------------------------------------------------------------ dask DataFrame


def check_frame_calls(ddf, calls: dict, method, params, scheduler, ctx) -> None:
    """The DataFrame verbs for each set of extra keywords in `calls`, against pandas'."""
    pdf = ddf.compute(scheduler="sync")
    checked = ["f64", "i64", "f32", "F64", "sentinel"]  # numeric, bool excluded
    lazy, want = {}, {}
    for name, extra in calls.items():
        p = {**params, **extra}
        lazy[name] = {
            "mask": ddf.outliers.mask(method, **p),
            "scores": ddf.outliers.scores(method, **p),
            "detect": ddf.outliers.detect(method, **p),
        }
        c = f"{ctx}, {name}"
        assert isinstance(lazy[name]["mask"], dd.DataFrame), c
        assert isinstance(lazy[name]["scores"], dd.DataFrame), c
        assert isinstance(lazy[name]["detect"], dd.DataFrame), c
        cols = extra.get("columns", checked)
        assert list(lazy[name]["mask"].columns) == cols, c
        assert list(lazy[name]["scores"].columns) == cols, c
        assert list(lazy[name]["detect"].columns) == list(ddf.columns), c
        want[name] = {
            "mask": pdf.outliers.mask(method, **p),
            "scores": pdf.outliers.scores(method, **p),
            "detect": pdf.outliers.detect(method, **p),
        }
        assert list(want[name]["mask"].columns) == cols, c
        assert 0 < len(want[name]["detect"]) < len(pdf), c
    (got,) = compute(scheduler, lazy)
    for name in calls:
        c = f"{ctx}, {name}"
        pd.testing.assert_frame_equal(got[name]["mask"], want[name]["mask"], obj=f"{c} mask")
        assert_frame_close(got[name]["scores"], want[name]["scores"], c, atol=SCORE_ATOL)
        pd.testing.assert_frame_equal(got[name]["detect"], want[name]["detect"], obj=c)


@pytest.mark.parametrize(("scheduler", "kind"), SERIES_RUNS, indirect=["scheduler"])
@pytest.mark.parametrize("case", SHORT_CASES, ids=SHORT_IDS)
def test_frame_accessor_matches_pandas(pandas_frame, scheduler, kind, case):
    """mask / scores / detect over the numeric columns (int64, float32, Float64 included)."""
    method, params = case
    ddf = dask_frame(kind, pandas_frame)
    check_frame_calls(ddf, {"default": {}}, method, params, scheduler, f"{kind}, {case_id(case)}")


@pytest.mark.parametrize("case", SHORT_CASES, ids=SHORT_IDS)
def test_frame_accessor_columns_and_missing(pandas_frame, case):
    method, params = case
    ddf = dask_frame("delayed", pandas_frame)
    calls = {"columns": {"columns": ["F64", "i64"]}, "missing": {"missing": [-9999]}}
    check_frame_calls(ddf, calls, method, params, "threads", f"delayed, {case_id(case)}")


@pytest.mark.parametrize("method", METHODS)
def test_frame_edge_columns(method):
    """An all-NaN column, a constant column and an all-NA Float64 column, with empty parts."""
    n = sum(EDGE_SIZES)
    df = pd.DataFrame(
        {
            "nan": np.full(n, np.nan),
            "const": np.full(n, 5.0),
            "const_int": np.full(n, 3, dtype=np.int64),
            "na": pd.array([None] * n, dtype="Float64"),
            "x": planted(EDGE_SIZES, seed=7),
        }
    )
    starts = np.concatenate([[0], np.cumsum(EDGE_SIZES)])
    ddf = dd.from_delayed(
        [
            dask.delayed(df.iloc[a : a + s].copy())
            for a, s in zip(starts, EDGE_SIZES, strict=False)
        ],
        meta=df.iloc[:0],
    )
    pdf = ddf.compute(scheduler="sync")
    lazy = {
        "mask": ddf.outliers.mask(method),
        "scores": ddf.outliers.scores(method),
        "detect": ddf.outliers.detect(method),
        "series": {c: series_verbs(ddf[c], method, {}) for c in ("nan", "const", "na")},
    }
    (got,) = compute("threads", lazy)
    ctx = f"edge columns, {method}"
    want_mask = pdf.outliers.mask(method)
    assert not want_mask[["nan", "const", "const_int", "na"]].any().any(), ctx
    pd.testing.assert_frame_equal(got["mask"], want_mask, obj=ctx)
    assert_frame_close(got["scores"], pdf.outliers.scores(method), ctx, atol=SCORE_ATOL)
    pd.testing.assert_frame_equal(got["detect"], pdf.outliers.detect(method), obj=ctx)
    for c in ("nan", "const", "na"):
        check_series(got["series"][c], series_verbs(pdf[c], method, {}), f"{ctx}, {c}")


# ------------------------------------------------------------------ hampel: long windows

# Windows longer than every partition, than half the column, than the column (every window
# then the whole column) and far beyond it.
LONG_WINDOWS = [201, 601, 1201, 2**40 + 1, 2**61 - 1]


@pytest.mark.parametrize("window", LONG_WINDOWS)
@pytest.mark.parametrize("chunking", ["unequal", "empty partitions"])
def test_array_hampel_windows_longer_than_partitions(chunking, window):
    sizes = CHUNKINGS[chunking]
    x = planted(sizes)
    pos = check_array(darray(x, sizes), "hampel", {"window": window}, "threads", chunking)
    assert pos.size > 0


@pytest.mark.parametrize("window", [201, 2**40 + 1])
def test_series_accessor_hampel_long_windows(pandas_frame, window):
    ddf = dask_frame("delayed", pandas_frame)
    check_series_columns(ddf, ["f64", "F64"], "hampel", {"window": window}, "threads", "delayed")


def hampel_reference(x: np.ndarray, window: int, threshold: float = 3.0):
    """(median, scaled MAD, score) of each point's window, with numpy: SPEC §4's definition."""
    h, n = window // 2, len(x)
    med, scale, score = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    for i in range(n):
        w = x[max(0, i - h) : i + h + 1]
        w = w[np.isfinite(w)]
        if w.size:
            med[i] = np.median(w)
            scale[i] = 1.482602218505602 * np.median(np.abs(w - med[i]))
        d = abs(x[i] - med[i])
        score[i] = d / scale[i] if scale[i] > 0 else (0.0 if d == 0 else np.inf)
    score[np.isnan(x)] = np.nan
    score[np.isinf(x)] = np.inf
    return med, scale, score


@pytest.mark.parametrize("window", [5, 41, 1001, 2**40 + 1])
@pytest.mark.parametrize(("first", "last"), [(0, 300), (120, 121), (50, 250), (299, 300), (7, 7)])
def test_core_hampel_computes_a_range_of_points(window, first, last):
    """The kernel's entry for a partition's own points inside its extended buffer."""
    from outliers import _core
    from outliers._inputs import prepare

    x = planted((100, 100, 100), seed=11)
    med, scale, score = hampel_reference(x, window)
    out = _core.partition_hampel(
        prepare(x).core_column(), [], min(window, 2 * len(x) + 1), 3.0, first, last,
        mask=True, scores=True, bounds=True, center=True,
    )  # fmt: skip
    r = slice(first, last)
    assert {k: v.shape for k, v in out.items()} == dict.fromkeys(
        ("mask", "scores", "lower", "upper", "center"), (last - first,)
    )
    np.testing.assert_array_equal(out["center"], med[r])
    np.testing.assert_allclose(out["scores"], score[r], rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(out["lower"], med[r] - 3.0 * scale[r], rtol=1e-12)
    np.testing.assert_allclose(out["upper"], med[r] + 3.0 * scale[r], rtol=1e-12)
    np.testing.assert_array_equal(out["mask"], ol.mask(x, "hampel", window=window)[r])
    np.testing.assert_array_equal(out["scores"], ol.scores(x, "hampel", window=window)[r])


def computed_with_peak(lazy):
    """(lazy computed by the synchronous scheduler, the peak of Python's allocations meanwhile)."""
    import tracemalloc

    tracemalloc.start()
    try:
        got = lazy.compute(scheduler="sync")
        return got, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_array_hampel_huge_window_memory_is_of_the_column():
    """Window 2^40 + 1 on 50 partitions: the overlaps share the partitions' memory.

    Each edge used to copy up to h values of its neighbours: the column's length for every
    partition (50 columns' worth at once), where the data itself is one column.
    """
    x = np.random.default_rng(4).normal(size=100_000)
    x[::997] += 30.0
    darr = da.from_array(x, chunks=2_000)
    got, peak = computed_with_peak(ol.scores(darr, "hampel", window=2**40 + 1))
    np.testing.assert_array_equal(got, ol.scores(x, "hampel", window=2**40 + 1))
    assert peak < 8 * x.nbytes, f"peak {peak / x.nbytes:.1f} columns"


@pytest.mark.parametrize(("window", "calls"), [(2**40 + 1, 1), (2001, 25), (3, 100)])
def test_array_hampel_short_partitions_share_a_kernel_call(monkeypatch, window, calls):
    """Each kernel call sorts its first window: partitions far shorter than the window are
    computed in runs of at least 2 x window points (one run when the window spans the column).
    """
    from outliers import _native

    seen = []
    real = _native.partition_hampel

    def counted(column, *args, **kwargs):
        out = real(column, *args, **kwargs)
        seen.append(len(column[0]))
        return out

    monkeypatch.setattr(_native, "partition_hampel", counted)
    x = np.random.default_rng(8).normal(size=100_000)
    x[::991] += 25.0
    got = ol.scores(da.from_array(x, chunks=1_000), "hampel", window=window)
    np.testing.assert_array_equal(
        got.compute(scheduler="sync"), ol.scores(x, "hampel", window=window)
    )
    assert len(seen) == calls


# ------------------------------------------------------------------ clean, report, frame bounds

HOWS = ["nan", "drop", "clip", "center"]


def assert_pandas_close(got, want, ctx: str) -> None:
    """Same labels, columns, dtypes and missing entries; numbers equal to rounding."""
    if isinstance(want, pd.Series):
        pd.testing.assert_series_equal(got, want, check_exact=False, rtol=RTOL, obj=ctx)
    else:
        pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=RTOL, obj=ctx)


@pytest.mark.parametrize("kind", ["divisions", "delayed"])
@pytest.mark.parametrize("case", SHORT_CASES, ids=SHORT_IDS)
def test_series_accessor_clean_and_report(pandas_frame, kind, case):
    """clean (every how) and report on dask Series equal pandas' on the concatenated data."""
    method, params = case
    ddf = dask_frame(kind, pandas_frame)
    pdf = ddf.compute(scheduler="sync")
    columns = ["f64", "F64", "i64", "f32"]
    lazy = {
        c: {
            "report": ddf[c].outliers.report(method, **params),
            **{how: ddf[c].outliers.clean(how, method, **params) for how in HOWS},
        }
        for c in columns
    }
    (got,) = compute("threads", lazy)
    for c in columns:
        ctx = f"{kind}, {case_id(case)}, {c!r}"
        want = pdf[c].outliers.report(method, **params)
        assert len(want) > 0, ctx
        assert_pandas_close(got[c]["report"], want, f"{ctx} report")
        for how in HOWS:
            want = pdf[c].outliers.clean(how, method, **params)
            assert_pandas_close(got[c][how], want, f"{ctx} clean {how}")


@pytest.mark.parametrize("case", SHORT_CASES, ids=SHORT_IDS)
def test_frame_accessor_bounds_clean_and_report(pandas_frame, case):
    method, params = case
    calls: list = []
    ddf = counting_frame(pandas_frame, calls)
    kinds = [{}, {"columns": ["F64", "i64"]}, {"columns": []}, {"missing": -9999}]
    lazy = []
    for extra in kinds:
        p = {**params, **extra}
        lazy.append(
            {
                "bounds": ddf.outliers.bounds(method, **p),
                "report": ddf.outliers.report(method, **p),
                **{how: ddf.outliers.clean(how, method, **p) for how in HOWS},
            }
        )
    assert calls == [], "data loaded before compute()"
    (got,) = compute("threads", lazy)
    pdf = ddf.compute(scheduler="sync")
    for extra, g in zip(kinds, got, strict=True):
        p = {**params, **extra}
        ctx = f"{case_id(case)}, {extra}"
        if extra.get("columns") != []:  # pandas' own bounds of no column: issue 15 item 12
            assert_pandas_close(g["bounds"], pdf.outliers.bounds(method, **p), f"{ctx} bounds")
        want = pdf.outliers.report(method, **p)
        if extra.get("columns") == []:  # dask gives an empty object column its string dtype
            assert len(g["report"]) == 0 and list(g["report"].columns) == list(want.columns)
        else:
            assert len(want) > 0, ctx
            assert_pandas_close(g["report"], want, f"{ctx} report")
        for how in HOWS:
            want = pdf.outliers.clean(how, method, **p)
            assert_pandas_close(g[how], want, f"{ctx} clean {how}")


@pytest.mark.parametrize("scheduler", ["sync", "threads"])
def test_series_hampel_window_spanning_the_column_is_computed_once(monkeypatch, scheduler):
    """Partition lengths unknown: every partition whose extended buffer is the whole column
    shares one kernel call (each call sorts its first window: here the whole column).
    """
    from outliers import _native

    seen = []
    real = _native.partition_hampel

    def counted(column, *args, **kwargs):
        seen.append(len(column[0]))
        return real(column, *args, **kwargs)

    monkeypatch.setattr(_native, "partition_hampel", counted)
    x = np.random.default_rng(9).normal(size=20_000)
    x[::97] += 25.0
    s = dd.from_pandas(pd.Series(x, name="x"), npartitions=40)
    lazy = s.outliers.scores("hampel", window=2**40 + 1)
    got = lazy.compute(scheduler=scheduler)
    pd.testing.assert_series_equal(
        got, pd.Series(x, name="x").outliers.scores("hampel", window=2**40 + 1)
    )
    assert seen == [len(x)]


def test_accessors_drawing_in_memory_say_to_compute_first(pandas_frame):
    ddf = dask_frame("delayed", pandas_frame)
    calls = [
        (ddf["f64"].outliers.plot, ()), (ddf["f64"].outliers.explore, ()),
        (ddf.outliers.plot, ()), (ddf.outliers.explore, ()), (ddf.outliers.style, ("mad",)),
    ]  # fmt: skip
    for call, args in calls:
        with pytest.raises(NotImplementedError, match=r"call it on the pandas .*\.compute\(\)"):
            call(*args)


@pytest.mark.parametrize("scheduler", ["sync", "threads"])
def test_frame_accessor_hampel_window_spanning_the_column(pandas_frame, scheduler):
    """Every column's partitions share their own column's whole-column call, not another's."""
    ddf = dask_frame("delayed", pandas_frame)
    pdf = ddf.compute(scheduler="sync")
    params = {"window": 2**40 + 1}
    lazy = {
        "mask": ddf.outliers.mask("hampel", **params),
        "scores": ddf.outliers.scores("hampel", **params),
        "bounds": ddf.outliers.bounds("hampel", **params),
    }
    (got,) = compute(scheduler, lazy)
    want = pdf.outliers.mask("hampel", **params)
    assert want.any().all()
    pd.testing.assert_frame_equal(got["mask"], want)
    assert_frame_close(got["scores"], pdf.outliers.scores("hampel", **params), "scores")
    assert_pandas_close(got["bounds"], pdf.outliers.bounds("hampel", **params), "bounds")


def _near_the_largest_double():
    from test_extreme_values import DATA

    rng = np.random.default_rng(3)
    # Sums overflow but the spread is small: finite bounds, flags decided by true statistics.
    close = 1.5e308 + rng.standard_normal(500) * 1e305
    close[[17, 230, 401]] = [1.79e308, 1.2e308, 1.75e308]
    return {**DATA, "close to 1.5e308": close, "two sides, many": np.r_[close, -close[::2]]}


@pytest.mark.parametrize("name", sorted(_near_the_largest_double()))
@pytest.mark.parametrize("method", ["zscore", "esd"])
def test_array_sums_that_overflow_as_in_memory(name, method):
    # Partition moments whose sums overflow (near +-1.8e308) are pooled in units of 2^-64:
    # no NaN score for a finite value, and the in-memory result (issue 15 item 3).
    x = _near_the_largest_double()[name]
    params = {"max_outliers": 5} if method == "esd" else {}
    want_scores = ol.scores(x, method, **params)
    want_lower, want_upper = ol.bounds(x, method, **params)
    for chunks in (1, 3, max(1, x.size // 4), x.size):
        d = da.from_array(x, chunks=chunks)
        scores = ol.scores(d, method, **params).compute()
        assert not np.isnan(scores[np.isfinite(x)]).any(), chunks
        np.testing.assert_allclose(scores, want_scores, rtol=1e-9, err_msg=f"chunks={chunks}")
        assert np.array_equal(ol.mask(d, method, **params).compute(), ol.mask(x, method, **params))
        lower, upper = (float(b.compute()) for b in ol.bounds(d, method, **params))
        np.testing.assert_allclose([lower, upper], [want_lower, want_upper], rtol=1e-9)


@pytest.mark.parametrize("k", [0.0, 0.1, 1.5])
def test_array_iqr_fences_where_the_iqr_overflows_are_the_in_memory_ones(k):
    """Q3 - Q1 beyond the largest double: the fences come from the core's one formula, as in
    memory (dask's own retyped formula gave NaN for k=0 and -+inf for k=0.1)."""
    x = np.array([-1e308] * 5 + [0.0] * 2 + [1e308] * 5 + [1.7e308])
    darr = da.from_array(x, chunks=4)
    want = ol.bounds(x, "iqr", k=k)
    got = [float(b.compute()) for b in ol.bounds(darr, "iqr", k=k)]
    assert got == [float(want.lower), float(want.upper)], (k, got, want)
    np.testing.assert_array_equal(ol.mask(darr, "iqr", k=k).compute(), ol.mask(x, "iqr", k=k))


def test_import_outliers_leaves_dask_alone_and_registers_when_dask_dataframe_is_imported():
    """``import outliers`` does not import dask; ``import dask.dataframe`` afterwards gives dask
    Series and DataFrames their ``.outliers``; dask arrays work without dask.dataframe."""
    import subprocess
    import sys

    code = (
        "import sys, outliers as ol, numpy as np\n"
        "assert not [m for m in sys.modules if m == 'dask' or m.startswith('dask.')]\n"
        "import dask.array as da\n"
        "assert ol.detect(da.from_array(np.r_[np.zeros(20), 9.0], chunks=5), 'mad')"
        ".compute().tolist() == [20]\n"
        "import dask.dataframe as dd, pandas as pd\n"
        "s = dd.from_pandas(pd.Series([1.0, 1.1, 0.9, 1.0, 9.0]), npartitions=2)\n"
        "print(s.outliers.mask('iqr').compute().tolist())\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[False, False, False, False, True]"


@pytest.mark.parametrize("method", ["zscore", "mad", "hampel"])
def test_series_tz_aware_is_the_pandas_accessor(method):
    """tz-aware datetimes on dask: hampel refused them (its windows were read as objects) and
    bounds came back as strings (the empty meta had lost the time zone)."""
    s = pd.Series(pd.date_range("2020-01-01", periods=40, freq="h", tz="Europe/Paris"))
    s.iloc[7] += pd.Timedelta(days=30)
    d = dd.from_pandas(s, npartitions=3)
    for verb in ("mask", "scores", "bounds", "report"):
        got = getattr(d.outliers, verb)(method).compute()
        want = getattr(s.outliers, verb)(method)
        if verb in ("mask", "scores"):
            pd.testing.assert_series_equal(got, want, obj=f"{method} {verb}")
        else:
            pd.testing.assert_frame_equal(got, want, obj=f"{method} {verb}")
