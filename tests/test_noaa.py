"""The accessors on the bundled NOAA Central Park data.

The raw file keeps NOAA's -9999 "no data" sentinel: the robust methods must find every one
of them, and declaring it (missing=-9999, or replacing it by NaN) must make them vanish from
the results. The heaviest rain days are outliers of PRCP for mad and iqr. The index is an
irregular DatetimeIndex (a few days are absent), kept by every verb.
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

SENTINEL = -9999
# what the data holds (tests/test_datasets.py checks the file itself)
SENTINEL_COLUMNS = ["SNWD", "AWND", "WDF2", "WDF5", "WSF2", "WSF5", "PGTM", "FMTM"]
REPORT_COLUMNS = ["column", "position", "value", "score", "lower", "upper"]


@pytest.fixture(scope="module")
def weather() -> pd.DataFrame:
    return ol.datasets.load_weather()


@pytest.fixture
def df(weather) -> pd.DataFrame:
    return weather.copy(deep=True)


def numeric_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c != "STATION"]


def sentinel_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in numeric_columns(df) if (df[c] == SENTINEL).any()]


def test_noaa_sentinel_columns(df):
    assert sentinel_columns(df) == SENTINEL_COLUMNS
    assert (df["SNWD"] == SENTINEL).sum() == 674
    gaps = df.index.to_series().diff().dropna().unique()
    assert len(gaps) > 1, "the index is irregular: some days are absent"


def test_noaa_snwd_mad_flags_every_sentinel(df):
    m = df["SNWD"].outliers.mask("mad")
    sentinel = (df["SNWD"] == SENTINEL).to_numpy()
    assert sentinel.sum() == 674
    assert m.to_numpy()[sentinel].all(), f"{(~m.to_numpy()[sentinel]).sum()} sentinels missed"
    pd.testing.assert_index_equal(m.index, df.index, exact=True)
    assert m.name == "SNWD"


@pytest.mark.parametrize("column", SENTINEL_COLUMNS)
def test_noaa_mad_flags_every_sentinel_of_each_column(df, column):
    s = df[column]
    sentinel = (s == SENTINEL).to_numpy()
    m = s.outliers.mask("mad").to_numpy()
    assert m[sentinel].all(), f"{column}: {(~m[sentinel]).sum()} of {sentinel.sum()} missed"
    ref.check_mask(f"NOAA {column} ({s.dtype}), mad", m, ref.reference("mad", s.to_numpy()))
    frame_mask = df.outliers.mask("mad")[column].to_numpy()
    np.testing.assert_array_equal(frame_mask, m, err_msg=column)


@pytest.mark.parametrize("column", SENTINEL_COLUMNS)
def test_noaa_missing_sentinel_never_flagged(df, column):
    s = df[column]
    sentinel = (s == SENTINEL).to_numpy()
    values = np.where(sentinel, np.nan, s.to_numpy(dtype=np.float64))
    for method in ("mad", "iqr", "zscore", "hampel"):
        ctx = f"NOAA {column}, {method}, missing=-9999"
        m = s.outliers.mask(method, missing=SENTINEL).to_numpy()
        assert not m[sentinel].any(), ctx
        ref.check_mask(ctx, m, ref.reference(method, values))
        sc = s.outliers.scores(method, missing=SENTINEL).to_numpy()
        assert np.isnan(sc[sentinel]).all(), ctx


def test_noaa_frame_missing_sentinel_never_flagged(df):
    m = df.outliers.mask("mad", missing=SENTINEL)
    assert list(m.columns) == numeric_columns(df)
    for c in SENTINEL_COLUMNS:
        assert not m[c].to_numpy()[(df[c] == SENTINEL).to_numpy()].any(), c
    rep = df.outliers.report("mad", missing=SENTINEL)
    assert SENTINEL not in rep["value"].tolist()
    rows = df.outliers.detect("mad", missing=SENTINEL)
    assert len(rows) > 0


def test_noaa_replace_by_nan_never_flagged(df):
    nan = df.replace(SENTINEL, np.nan)
    m = nan.outliers.mask("mad")
    declared = df.outliers.mask("mad", missing=SENTINEL)
    for c in SENTINEL_COLUMNS:
        sentinel = (df[c] == SENTINEL).to_numpy()
        assert not m[c].to_numpy()[sentinel].any(), c
        np.testing.assert_array_equal(m[c].to_numpy(), declared[c].to_numpy(), err_msg=c)
        np.testing.assert_allclose(
            nan[c].outliers.scores("mad").to_numpy(),
            df[c].outliers.scores("mad", missing=SENTINEL).to_numpy(),
            rtol=1e-12,
            equal_nan=True,
            err_msg=c,
        )


@pytest.mark.parametrize("method", ["mad", "iqr"])
def test_noaa_heaviest_rain_flagged(df, method):
    prcp = df["PRCP"]
    top = prcp.nlargest(10)
    assert top.iloc[-1] > 800  # tenths of mm: more than 80 mm of rain in a day
    m = prcp.outliers.mask(method)
    assert m.loc[top.index].all(), f"{method}: {top.index[~m.loc[top.index]].tolist()} missed"
    d = prcp.outliers.detect(method)
    assert set(top.index) <= set(d.index)
    assert d.index.is_monotonic_increasing  # original order of the dates
    assert d.dtype == prcp.dtype and d.name == "PRCP"


def test_noaa_tmax_nan_never_flagged(df):
    t = df["TMAX"]
    assert t.isna().sum() == 52
    for method in ("zscore", "mad", "iqr", "quantile", "hampel", "esd"):
        assert not t.outliers.mask(method)[t.isna()].any(), method
        assert t.outliers.scores(method)[t.isna()].isna().all(), method


def test_noaa_detect_returns_rows(df):
    rows = df.outliers.detect("mad")
    assert isinstance(rows, pd.DataFrame)
    assert list(rows.columns) == list(df.columns)
    assert 0 < len(rows) < len(df)
    assert rows.index.is_monotonic_increasing and rows.index.isin(df.index).all()
    pd.testing.assert_frame_equal(rows, df.loc[rows.index])
    any_sentinel = (df[SENTINEL_COLUMNS] == SENTINEL).any(axis=1)
    assert set(df.index[any_sentinel]) <= set(rows.index)
    expected = df.outliers.mask("mad").any(axis=1).to_numpy()
    pd.testing.assert_frame_equal(rows, df[expected])


def test_noaa_report_long_form(df):
    rep = df.outliers.report("mad")
    assert list(rep.columns) == REPORT_COLUMNS
    assert isinstance(rep.index, pd.DatetimeIndex)
    assert rep["position"].dtype == np.int64
    assert rep["score"].dtype == np.float64
    order = list(dict.fromkeys(rep["column"]))
    assert order == [c for c in numeric_columns(df) if c in order]
    m = df.outliers.mask("mad")
    assert len(rep) == int(m.to_numpy().sum())
    snwd = rep[rep["column"] == "SNWD"]
    assert (snwd["value"] == SENTINEL).sum() == 674
    np.testing.assert_array_equal(snwd["position"], np.flatnonzero(m["SNWD"].to_numpy()))
    assert (df.index[snwd["position"].to_numpy()] == snwd.index).all()
    for c, part in rep.groupby("column", sort=False):
        assert part["position"].is_monotonic_increasing, c
        assert (part["value"].to_numpy() == df[c].to_numpy()[part["position"]]).all(), c


def test_noaa_station_column_refused(df):
    with pytest.raises(TypeError, match="STATION"):
        df.outliers.mask(columns=["STATION"])
    with pytest.raises(TypeError, match="STATION"):
        df.outliers.report("mad", columns=["PRCP", "STATION"])
    with pytest.raises(KeyError, match="RAIN"):
        df.outliers.mask(columns=["RAIN"])


def test_noaa_clean_keeps_rows_and_declared_sentinels(df):
    cleaned = df.outliers.clean(how="nan", method="mad", missing=SENTINEL)
    assert list(cleaned.columns) == list(df.columns)
    pd.testing.assert_index_equal(cleaned.index, df.index)
    for c in SENTINEL_COLUMNS:
        sentinel = (df[c] == SENTINEL).to_numpy()
        assert (cleaned[c].to_numpy()[sentinel] == SENTINEL).all(), c
    dropped = df.outliers.clean(how="drop", method="mad")
    assert not (dropped[SENTINEL_COLUMNS] == SENTINEL).any().any()
    pd.testing.assert_frame_equal(dropped, df.drop(df.outliers.detect("mad").index))


def test_noaa_series_verbs_keep_the_date_index(df):
    s = df["TMIN"]
    for verb in ("mask", "scores"):
        got = getattr(s.outliers, verb)("hampel", window=15)
        pd.testing.assert_index_equal(got.index, df.index, exact=True, obj=verb)
    b = s.outliers.bounds("hampel", window=15)
    pd.testing.assert_index_equal(b.index, df.index, exact=True)
    ref.check_mask(
        "NOAA TMIN hampel window=15",
        s.outliers.mask("hampel", window=15).to_numpy(),
        ref.reference("hampel", s.to_numpy(), window=15),
    )


def test_noaa_never_mutated(weather):
    df = weather.copy(deep=True)
    before = df.copy(deep=True)
    buffers = {c: df[c].to_numpy() for c in numeric_columns(df)}
    raw = {c: b.tobytes() for c, b in buffers.items()}
    df.outliers.mask("mad")
    df.outliers.report("mad", missing=SENTINEL)
    df.outliers.clean(how="clip", method="iqr", columns=["TMAX", "PRCP"])
    df.outliers.detect("hampel")
    df["PRCP"].outliers.clean(how="center", method="mad")
    pd.testing.assert_frame_equal(df, before)
    for c, b in buffers.items():
        assert np.shares_memory(df[c].to_numpy(), b), c
        assert df[c].to_numpy().tobytes() == raw[c], c
