"""Bundled example data: NOAA daily weather for New York Central Park (public domain)."""

from __future__ import annotations

from importlib import resources

import pandas as pd

__all__ = ["load_weather"]

_WEATHER = "noaa_central_park_daily.csv"


def load_weather() -> pd.DataFrame:
    """NOAA GHCN-Daily observations for Central Park (USW00094728), 2000-01-01 to 2014-10-12.

    The values are those of the file, unchanged: ``-9999`` is NOAA's sentinel for "not
    measured" and is kept, so the raw data's real problems are there to be found; empty cells
    are missing (NaN). See ``DATA-README.md`` beside the file for units and licence.

    Returns
    -------
    pandas.DataFrame
        5,221 rows indexed by ``DATE`` (a DatetimeIndex), columns STATION, PRCP, SNWD, SNOW,
        TMAX, TMIN, AWND, WDF2, WDF5, WSF2, WSF5, PGTM, FMTM.

    Examples
    --------
    >>> from outliers.datasets import load_weather
    >>> df = load_weather()
    >>> df.shape
    (5221, 13)
    >>> int((df["SNWD"] == -9999).sum())
    674
    """
    with resources.files(__name__).joinpath(_WEATHER).open("rb") as f:
        df = pd.read_csv(f)
    df.index = pd.DatetimeIndex(
        pd.to_datetime(df.pop("DATE").astype(str), format="%Y%m%d"), name="DATE"
    )
    return df
