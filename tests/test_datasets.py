"""Bundled data: load_weather() is the NOAA file, indexed by date, values unchanged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import outliers as ol

HERE = Path(__file__).resolve().parent
CANDIDATES = [
    HERE.parent.parent / "shared" / "data" / "noaa_central_park_daily.csv",
    HERE.parent / "outliers" / "datasets" / "noaa_central_park_daily.csv",
]
COLUMNS = [
    "STATION",
    "PRCP",
    "SNWD",
    "SNOW",
    "TMAX",
    "TMIN",
    "AWND",
    "WDF2",
    "WDF5",
    "WSF2",
    "WSF5",
    "PGTM",
    "FMTM",
]


@pytest.fixture(scope="module")
def raw():
    for path in CANDIDATES:
        if path.exists():
            return pd.read_csv(path)
    pytest.fail(f"NOAA CSV not found in {CANDIDATES}")


@pytest.fixture(scope="module")
def weather():
    return ol.datasets.load_weather()


def test_datasets_load_weather_shape(weather):
    assert isinstance(weather, pd.DataFrame)
    assert len(weather) == 5221
    assert list(weather.columns) == COLUMNS


def test_datasets_load_weather_date_index(weather, raw):
    assert isinstance(weather.index, pd.DatetimeIndex)
    assert weather.index.is_monotonic_increasing
    assert weather.index.is_unique
    expected = raw["DATE"].to_numpy()
    got = (weather.index.year * 10000 + weather.index.month * 100 + weather.index.day).to_numpy()
    np.testing.assert_array_equal(got, expected)
    assert weather.index[0] == pd.Timestamp("2000-01-01")
    assert weather.index[-1] == pd.Timestamp("2014-10-12")


def test_datasets_load_weather_values_unchanged(weather, raw):
    assert len(raw) == len(weather)
    for column in COLUMNS:
        got = weather[column]
        want = raw[column]
        if column == "STATION":
            assert (got.to_numpy() == want.to_numpy()).all()
            continue
        assert pd.api.types.is_numeric_dtype(got.dtype), (column, got.dtype)
        g = got.to_numpy(dtype=np.float64, na_value=np.nan)
        w = want.to_numpy(dtype=np.float64, na_value=np.nan)
        np.testing.assert_array_equal(g, w, err_msg=column)


def test_datasets_load_weather_same_dtypes_as_plain_read_csv(weather, raw):
    for column in COLUMNS:
        if column == "STATION":
            continue
        assert weather[column].dtype == raw[column].dtype, (
            column,
            weather[column].dtype,
            raw[column].dtype,
        )


def test_datasets_load_weather_sentinel_kept(weather):
    assert (weather["SNWD"] == -9999).sum() == 674
    assert (weather["AWND"] == -9999).sum() == 36
    assert (weather["PGTM"] == -9999).sum() == 1514
    assert weather["SNWD"].notna().all()


def test_datasets_load_weather_missing_tmax(weather):
    assert weather["TMAX"].isna().sum() == 52
    assert (weather["TMAX"] == -9999).sum() == 0


def test_datasets_load_weather_returns_fresh_frame(weather):
    first = ol.datasets.load_weather()
    first.loc[first.index[0], "PRCP"] = 123456
    first["SNWD"] = 0
    second = ol.datasets.load_weather()
    assert second["PRCP"].iloc[0] == 0
    assert (second["SNWD"] == -9999).sum() == 674


def test_datasets_load_weather_works_with_detect(weather):
    pos = ol.detect(
        weather["SNWD"], "mad"
    )  # MAD is 0 there: the MeanAD fallback scores them about 6.1
    snwd = weather["SNWD"].to_numpy()
    sentinel = np.flatnonzero(snwd == -9999)
    assert set(sentinel.tolist()) <= set(pos.tolist())
