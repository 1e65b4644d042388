"""Plots, asserted on artists and data, never on pixels."""

from __future__ import annotations

import subprocess
import sys

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PathCollection, PolyCollection  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

import outliers as ol  # noqa: E402
from outliers.plotting import decimate  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def series(n=300, seed=0) -> pd.Series:
    rng = np.random.default_rng(seed)
    s = pd.Series(rng.normal(10, 1, n), index=pd.date_range("2020-01-01", periods=n), name="t")
    s.iloc[[20, 150]] = [30.0, -12.0]
    s.iloc[40] = np.nan
    return s


def flagged_points(ax) -> np.ndarray:
    (scatter,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    return scatter.get_offsets()


def test_plotting_import_outliers_does_not_import_matplotlib():
    code = "import sys, outliers; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


@pytest.mark.parametrize("method", ["zscore", "mad", "iqr", "quantile", "esd"])
def test_plotting_line_marks_every_flagged_point_and_the_constant_band(method):
    s = series()
    ax = s.outliers.plot(method)
    flags = s.outliers.mask(method)
    pts = flagged_points(ax)
    assert len(pts) == flags.sum()
    np.testing.assert_allclose(np.sort(pts[:, 1]), np.sort(s[flags].to_numpy()))
    lower, upper = ol.bounds(s, method)
    (band,) = [p for p in ax.patches if isinstance(p, Rectangle) or p.get_label() == "bounds"]
    ys = band.get_path().transformed(band.get_patch_transform()).vertices[:, 1]
    np.testing.assert_allclose([ys.min(), ys.max()], [lower, upper])
    title = ax.get_title()
    assert method in title and f"flagged {int(flags.sum())} of 299" in title


def test_plotting_line_x_is_the_datetime_index():
    s = series()
    ax = s.outliers.plot("mad")
    x = ax.lines[0].get_xdata()
    assert np.issubdtype(np.asarray(x).dtype, np.datetime64)
    np.testing.assert_array_equal(x, s.index.to_numpy())


def test_plotting_hampel_band_follows_per_point_bounds():
    s = series()
    ax = s.outliers.plot("hampel", window=9)
    (band,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    lower, upper = ol.bounds(s, "hampel", window=9)
    verts = band.get_paths()[0].vertices[:, 1]
    finite = np.isfinite(lower)
    assert np.isclose(verts.min(), np.nanmin(lower[finite]))
    assert np.isclose(verts.max(), np.nanmax(upper[finite]))


def _band_vertices(ax) -> tuple[np.ndarray, np.ndarray]:
    """The band's outline as (x in days, y) points (fill_between: upper edge, then lower)."""
    (band,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    verts = np.concatenate([p.vertices for p in band.get_paths()])
    return verts[:, 0], verts[:, 1]


@pytest.mark.parametrize("method", ["zscore", "mad", "iqr", "quantile", "hampel"])
@pytest.mark.parametrize("window, center", [(9, True), (6, False), ("30D", True), ("30D", False)])
def test_plotting_any_window_draws_its_per_point_bounds_as_a_band(method, window, center):
    """A seasonal series: the band must follow each point's own bounds, not one constant."""
    n = 400
    days = np.arange(n)
    rng = np.random.default_rng(5)
    values = 10 * np.sin(2 * np.pi * days / 365) + rng.normal(0, 1, n)
    values[[50, 200]] = [30.0, -25.0]
    values[120] = np.nan
    s = pd.Series(values, index=pd.date_range("2020-01-01", periods=n, freq="D"), name="t")
    ax = s.outliers.plot(method, window=window, center=center)
    lower, upper = ol.bounds(s, method, window=window, center=center)
    x, y = _band_vertices(ax)
    at = mdates.date2num(s.index)
    for i in range(n):  # n <= 2 * pixel columns: every point's bounds are drawn
        if np.isfinite(lower[i]):
            here = y[np.isclose(x, at[i], rtol=0, atol=1e-9)]
            assert np.isclose(here, lower[i]).any() and np.isclose(here, upper[i]).any(), i
    assert np.ptp(lower[np.isfinite(lower)]) > 5  # it moves with the season
    flags = s.outliers.mask(method, window=window, center=center)
    assert len(flagged_points(ax)) == flags.sum()
    assert not [p for p in ax.patches if isinstance(p, Rectangle)]  # no constant band


def test_plotting_long_windowed_band_keeps_each_columns_extremes():
    n = 200_000
    rng = np.random.default_rng(6)
    s = pd.Series(np.sin(np.arange(n) / 5_000) + rng.normal(0, 0.1, n))
    s.iloc[77_777] = 40.0  # widens the band of its windows only
    ax = s.outliers.plot("zscore", window=501)
    lower, upper = ol.bounds(s, "zscore", window=501)
    x, y = _band_vertices(ax)
    assert len(x) <= 2 * (4 * int(ax.get_window_extent().width) + 2)
    # Sampling the bounds where the values peak misses the band's own peaks (by 0.5 % here).
    assert y.max() == upper.max() and y.min() == lower.min()
    assert x[np.argmax(y)] == np.argmax(upper)


def test_plotting_describe_names_the_window():
    from outliers.plotting import describe, span_text

    assert describe("zscore", {"threshold": 3.0}) == "zscore"
    assert describe("mad", {"window": np.int64(9), "center": False}) == (
        "mad (9-point trailing window)"
    )
    assert describe("iqr", {"window": pd.Timedelta(days=30)}) == "iqr (30D window)"
    assert describe("esd", {"window": None}) == "esd"
    assert [span_text(v) for v in ("90min", "1D", "36h", "2s", "1500ms", "3us", "7ns")] == [
        "90min", "1D", "36h", "2s", "1500ms", "3us", "7ns",
    ]  # fmt: skip


def test_plotting_hist_draws_bounds_as_vertical_lines():
    s = series()
    ax = s.outliers.plot("iqr", kind="hist")
    lower, upper = ol.bounds(s, "iqr")
    xs = sorted(line.get_xdata()[0] for line in ax.lines)
    np.testing.assert_allclose(xs, [lower, upper])
    heights = sum(p.get_height() for p in ax.patches if p.get_label() != "flagged")
    assert heights >= s.notna().sum()  # the values histogram (flagged bars drawn over it)


def test_plotting_respects_ax_and_returns_it():
    fig, ax = plt.subplots()
    assert series().outliers.plot(ax=ax) is ax
    assert len(fig.axes) == 1


def test_plotting_long_series_is_decimated_but_keeps_flags():
    n = 2_000_000
    rng = np.random.default_rng(1)
    s = pd.Series(rng.normal(size=n))
    s.iloc[[3, 1_000_000, n - 2]] = [40.0, -40.0, 40.0]
    ax = s.outliers.plot("zscore")
    drawn = len(ax.lines[0].get_xdata())
    columns = int(ax.get_window_extent().width)
    assert drawn <= 2 * columns + 2
    pts = flagged_points(ax)
    assert len(pts) == ol.mask(s).sum()
    assert {3, 1_000_000, n - 2} <= set(pts[:, 0].astype(int))


def test_plotting_decimate_keeps_each_columns_min_and_max():
    rng = np.random.default_rng(2)
    y = rng.normal(size=10_000)
    x = np.arange(y.size)
    keep = decimate(x, y, 100)
    for b in range(100):
        sl = slice(b * 100, (b + 1) * 100)
        chunk = keep[(keep >= sl.start) & (keep < sl.stop)]
        assert y[sl].min() in y[chunk] and y[sl].max() in y[chunk]
    assert np.all(np.diff(keep) > 0)


def test_plotting_decimate_unsorted_x_and_nan():
    y = np.array([1.0, np.nan, 3.0, -2.0, np.nan, 7.0] * 100)
    x = np.arange(y.size)[::-1]  # decreasing: equal runs of points
    keep = decimate(x, y, 10)
    assert np.isfinite(y[keep]).all()
    assert {-2.0, 7.0} <= set(y[keep])


def test_plotting_frame_one_axis_per_column_sharing_x():
    df = ol.datasets.load_weather()
    axes = df.outliers.plot("mad", columns=["PRCP", "SNOW", "TMAX"], missing=-9999)
    assert len(axes) == 3
    assert axes[0].get_shared_x_axes().joined(axes[0], axes[2])
    for ax, col in zip(axes, ["PRCP", "SNOW", "TMAX"], strict=True):
        assert ax.get_title().startswith(f"{col}: mad flagged")
        flags = df[col].outliers.mask("mad", missing=-9999)
        assert len(flagged_points(ax)) == flags.sum()


def test_plotting_refuses_unknown_kind_and_time_values():
    with pytest.raises(ValueError, match="kind"):
        series().outliers.plot(kind="bar")
    t = pd.Series(pd.date_range("2020", periods=10))
    with pytest.raises(TypeError, match="datetime64"):
        t.outliers.plot()


def test_plotting_declared_missing_values_are_neither_drawn_nor_counted():
    s = ol.datasets.load_weather()["SNWD"]
    ax = s.outliers.plot("mad", missing=-9999)
    kept = int(((s != -9999) & s.notna()).sum())
    flagged = int(s.outliers.mask("mad", missing=-9999).sum())
    assert f"flagged {flagged:,} of {kept:,}" in ax.get_title()
    assert np.nanmin(ax.lines[0].get_ydata()) >= 0  # no -9999 drawn


@pytest.mark.parametrize(
    "module, verb, extra",
    [
        ("matplotlib", "plot", 'pip install "outliers-toolkit[plot]"'),
        ("ipywidgets", "explore", 'pip install "outliers-toolkit[widgets]"'),
    ],
)
def test_plotting_missing_library_names_the_extra(module, verb, extra):
    code = (
        f"import sys; sys.modules[{module!r}] = None\n"
        "import pandas as pd, outliers\n"
        "try:\n"
        f"    pd.Series([1.0, 2.0, 3.0]).outliers.{verb}()\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert extra in out.stdout, (out.stdout, out.stderr)
