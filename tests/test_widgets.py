"""The explorer widget: drive controls by setting .value, assert on the results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import outliers as ol
from outliers import widgets


@pytest.fixture(scope="module")
def weather():
    return ol.datasets.load_weather()


def test_widgets_series_explorer_starts_with_the_given_method(weather):
    s = weather["PRCP"]
    e = s.outliers.explore("mad", threshold=5.0)
    assert e.method == "mad" and e.params == {"threshold": 5.0}
    pd.testing.assert_series_equal(e.mask, s.outliers.mask("mad", threshold=5.0))
    flagged = int(e.mask.sum())
    assert e.count_label.value == widgets.count_text(flagged, int(s.notna().sum()))
    assert e.plot_image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert e.column_dropdown.layout.display == "none"  # no column choice for a Series


def test_widgets_threshold_slider_changes_mask_count_and_plot(weather):
    e = weather["PRCP"].outliers.explore("mad")
    before_count, before_png, before_mask = e.count_label.value, e.plot_image.value, e.mask
    e.threshold_slider.value = 8.0
    assert e.params["threshold"] == 8.0
    pd.testing.assert_series_equal(e.mask, weather["PRCP"].outliers.mask("mad", threshold=8.0))
    assert e.mask.sum() < before_mask.sum()
    assert e.count_label.value != before_count
    assert e.plot_image.value != before_png


def test_widgets_method_dropdown_reconfigures_the_slider(weather):
    e = weather["TMAX"].outliers.explore()
    e.method_dropdown.value = "iqr"
    assert e.threshold_slider.description == "k" and e.threshold_slider.value == 1.5
    assert e.window_dropdown.value == widgets.WHOLE and e.window is None
    assert e.center_toggle.layout.display == "none"  # no window, nothing to centre
    e.method_dropdown.value = "hampel"
    assert e.window_dropdown is e.windows["hampel"] and e.window_dropdown.value == 7
    assert e.window_dropdown.layout.display is None and e.center_toggle.layout.display is None
    e.window_dropdown.value = 31
    assert e.params == {"threshold": 3.0, "window": 31}
    pd.testing.assert_series_equal(
        e.mask, weather["TMAX"].outliers.mask("hampel", window=31, threshold=3.0)
    )
    e.method_dropdown.value = "quantile"
    e.threshold_slider.value = 0.05
    assert e.params == {"low": 0.05, "high": 0.95}
    assert int(e.mask.sum()) == int(
        weather["TMAX"].outliers.mask("quantile", low=0.05, high=0.95).sum()
    )


def test_widgets_frame_explorer_column_dropdown(weather):
    e = weather.outliers.explore("mad", missing=-9999)
    assert "STATION" not in e.column_dropdown.options and "SNWD" in e.column_dropdown.options
    e.column_dropdown.value = "SNWD"
    assert e.column == "SNWD"
    assert e.params == {"threshold": 3.5} and e.missing == [-9999.0]
    pd.testing.assert_series_equal(e.mask, weather["SNWD"].outliers.mask("mad", missing=-9999))
    assert not e.mask[weather["SNWD"] == -9999].any()
    present = int(((weather["SNWD"] != -9999) & weather["SNWD"].notna()).sum())
    assert e.count_label.value == widgets.count_text(int(e.mask.sum()), present)


def test_widgets_table_lists_the_most_extreme_flagged_points(weather):
    e = weather["SNOW"].outliers.explore("mad")
    top = e.report.sort_values("score", ascending=False).head(widgets.TABLE_ROWS)
    for value in top["value"]:
        assert f"{value:.4g}" in e.table.value
    assert e.table.value.split("<tbody>")[1].count("<tr") == len(top)  # one row per point


def test_widgets_error_is_shown_in_the_widget():
    s = pd.Series(["a", "b"]).astype("category")
    e = widgets.Explorer(pd.Series([1.0, 2.0, 3.0]), "zscore")
    e.data = s  # a refused dtype reaches update(): the message says so, nothing raises
    e.update()
    assert e.error and "TypeError" in e.error and "category" in e.message.value


def test_widgets_params_helpers():
    assert widgets.slider_value("quantile", {}) == 0.01
    assert widgets.params_for("esd", 0.1, 7, {"max_outliers": 5, "window": 9}) == {
        "max_outliers": 5,
        "alpha": 0.1,
    }
    assert widgets.count_text(0, 0) == "0 flagged (0.00%)"
    # min_periods and times go with a window only (without one, min_periods is refused)
    extra = {"min_periods": 3, "times": None, "ddof": 1}
    assert widgets.params_for("zscore", 2.0, None, extra) == {"threshold": 2.0, "ddof": 1}
    assert widgets.params_for("zscore", 2.0, 5, extra, center=False) == {
        "threshold": 2.0, "ddof": 1, "window": 5, "center": False, "min_periods": 3,
        "times": None,
    }  # fmt: skip
    assert widgets.params_for("hampel", 3.0, None, {"window": 9}) == {
        "window": 9,
        "threshold": 3.0,
    }


def test_widgets_frame_without_numeric_columns_refused():
    with pytest.raises(TypeError, match="numeric"):
        pd.DataFrame({"a": ["x", "y"]}).outliers.explore()


def test_widgets_unknown_method_refused():
    with pytest.raises(ValueError, match="method"):
        pd.Series([1.0, 2.0]).outliers.explore("median")


def test_widgets_large_series_recompute_returns_a_new_count():
    s = pd.Series(np.random.default_rng(0).normal(size=200_000))
    e = s.outliers.explore()
    e.threshold_slider.value = 2.0
    assert e.count_label.value == widgets.count_text(int(ol.mask(s, threshold=2.0).sum()), len(s))


# ------------------------------------------------------------ one computation per change


@pytest.fixture
def counted(monkeypatch):
    """How many times the explorer computed and drew since the last reset."""
    calls = {"compute": 0, "render": 0}

    def counting(name, func):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return func(*args, **kwargs)

        return wrapper

    if hasattr(widgets, "compute"):
        monkeypatch.setattr(widgets, "compute", counting("compute", widgets.compute))
    monkeypatch.setattr(widgets, "render_png", counting("render", widgets.render_png))
    return calls


def _reset(calls: dict) -> None:
    calls.update(compute=0, render=0)


METHODS = list(ol.methods())


@pytest.mark.parametrize("start", METHODS)
def test_widgets_method_change_starts_at_defaults_and_computes_once(weather, counted, start):
    s = weather["TMAX"]
    e = s.outliers.explore(start, missing=-9999)
    slider = e.threshold_slider
    slider.value = slider.min if slider.value != slider.min else slider.max  # not the default
    for method in [m for m in METHODS if m != start] + [start]:
        _reset(counted)
        e.method_dropdown.value = method
        assert counted == {"compute": 1, "render": 1}, (start, method)
        assert e.method == method and e.params == ol.methods()[method], (start, method)
        want = s.outliers.mask(method, missing=-9999)
        pd.testing.assert_series_equal(e.mask, want)
        present = int((s.notna() & (s != -9999)).sum())
        assert e.count_label.value == widgets.count_text(int(want.sum()), present)


def test_widgets_every_control_change_computes_once(weather, counted):
    e = weather.outliers.explore("hampel")
    for control, value in (
        (e.threshold_slider, 4.0), (e.window_dropdown, 31), (e.column_dropdown, "SNWD"),
        (e.missing_box, "-9999"), (e.window_dropdown, "30D"), (e.center_toggle, False),
    ):  # fmt: skip
        _reset(counted)
        control.value = value
        assert counted == {"compute": 1, "render": 1}, control.description
    assert e.params == {"window": "30D", "center": False, "threshold": 4.0}
    assert e.missing == [-9999.0]
    pd.testing.assert_series_equal(
        e.mask,
        weather["SNWD"].outliers.mask(
            "hampel", window="30D", center=False, threshold=4.0, missing=-9999
        ),
    )


def test_widgets_slider_ranges_never_change(weather):
    """A browser clamps a slider's value into its range: a range changed under a value made
    switching from quantile to zscore run threshold 0.5 in JupyterLab. Each method has its own
    slider and window dropdown, whose range and options are set once."""
    e = weather["TMAX"].outliers.explore()

    def ranges():
        controls = [c for box in e.children[:2] for c in box.children]
        sliders = {(id(c), c.min, c.max, c.step) for c in controls if hasattr(c, "min")}
        return sliders, {(id(c), c.options) for c in controls if hasattr(c, "options")}

    before = ranges()
    for method in METHODS + METHODS[::-1]:
        e.method_dropdown.value = method
        assert ranges() == before, method
        slider = e.threshold_slider
        assert slider.min <= slider.value <= slider.max
        assert slider.layout.display is None
        hidden = [x for m, x in getattr(e, "sliders", {}).items() if m != method]
        hidden += [x for m, x in e.windows.items() if m != method]
        assert all(x.layout.display == "none" for x in hidden)


def test_widgets_given_parameters_are_the_starting_methods(weather):
    s = weather["PRCP"]
    e = s.outliers.explore("esd", alpha=0.9, max_outliers=3)
    assert e.params == {"max_outliers": 3, "alpha": 0.9}
    assert e.threshold_slider.max >= 0.9  # widened to hold the value given
    pd.testing.assert_series_equal(e.mask, s.outliers.mask("esd", alpha=0.9, max_outliers=3))
    e.method_dropdown.value = "mad"
    e.method_dropdown.value = "esd"
    assert e.params == ol.methods()["esd"]


def test_widgets_missing_box(weather, counted):
    s = weather["SNWD"]
    e = s.outliers.explore("mad")
    assert e.missing == [] and e.missing_box.value == ""
    e.missing_box.value = "-9999, 12345.5"
    assert e.missing == [-9999.0, 12345.5]
    pd.testing.assert_series_equal(e.mask, s.outliers.mask("mad", missing=[-9999, 12345.5]))
    _reset(counted)
    e.missing_box.value = "-9999 abc"
    assert e.error == "ValueError: missing: 'abc' is not a number"
    assert counted["compute"] == 0  # nothing computed from a bad box
    e.missing_box.value = ""
    assert e.error is None
    pd.testing.assert_series_equal(e.mask, s.outliers.mask("mad"))
    assert widgets.missing_text(widgets.parse_missing("-9999, 0.1, 1e300")) == "-9999, 0.1, 1e+300"


def test_widgets_controls_have_classes(weather):
    e = weather.outliers.explore()
    for control, name in (
        (e.method_dropdown, "outliers-method"), (e.column_dropdown, "outliers-column"),
        (e.threshold_slider, "outliers-threshold"), (e.window_dropdown, "outliers-window"),
        (e.center_toggle, "outliers-center"),
        (e.missing_box, "outliers-missing"), (e.count_label, "outliers-count"),
        (e.plot_image, "outliers-plot"), (e.table, "outliers-table"),
    ):  # fmt: skip
        assert name in control._dom_classes, name


@pytest.mark.parametrize(
    "kwargs, error", [({"windw": 5}, TypeError), ({"threshold": -1}, ValueError),
                      ({"missing": "x"}, TypeError)]
)  # fmt: skip
def test_widgets_bad_parameters_refused(kwargs, error):
    with pytest.raises(error):
        pd.Series([1.0, 2.0]).outliers.explore("zscore", **kwargs)


# ------------------------------------------------------------ windows


def _slow_window_mad_mask(values, times, span_ns, threshold=3.5):
    """A point's mad flag over its centred time window, by numpy on each window's finite values."""
    k = 1.482602218505602
    flags = np.zeros(values.size, dtype=bool)
    for i in range(values.size):
        near = np.abs(times - times[i]) <= span_ns // 2
        v = values[near]
        v = v[np.isfinite(v)]
        if not np.isfinite(values[i]) or not v.size:
            continue
        m = np.median(v)
        dev = np.abs(v - m)
        scale = k * np.median(dev) if np.median(dev) else 1.2533141373155003 * dev.mean()
        flags[i] = scale > 0 and abs(values[i] - m) > threshold * scale
    return flags


def test_widgets_time_window_matches_a_slow_loop(weather, counted):
    s = weather["TMAX"]  # irregular days (the 8th of each month absent), 52 empty cells
    e = s.outliers.explore("mad")
    assert e.window is None and ("30D", "30D") in e.window_dropdown.options
    _reset(counted)
    e.window_dropdown.value = "30D"
    assert counted == {"compute": 1, "render": 1}
    want = _slow_window_mad_mask(
        s.to_numpy(dtype=float), s.index.as_unit("ns").asi8, pd.Timedelta("30D").value
    )
    np.testing.assert_array_equal(e.mask.to_numpy(), want)
    assert 0 < want.sum() and e.params == {"threshold": 3.5, "window": "30D"}


@pytest.mark.parametrize("method", widgets.WINDOWED)
@pytest.mark.parametrize("window, center", [(9, True), (5, False), ("30D", True), ("7D", False)])
def test_widgets_every_windowed_method_takes_counts_and_spans(weather, method, window, center):
    s = weather["TMAX"]
    e = s.outliers.explore(method)
    e.window_dropdown.value = window
    e.center_toggle.value = center
    assert e.error is None
    trailing = {} if center else {"center": False}
    assert e.params == {**ol.methods()[method], "window": window, **trailing}
    pd.testing.assert_series_equal(e.mask, s.outliers.mask(method, window=window, center=center))
    assert e.center_toggle.layout.display is None


def test_widgets_esd_has_no_window_and_hampel_no_whole_sample(weather):
    e = weather["TMAX"].outliers.explore("esd")
    assert e.window_dropdown is None and e.window is None
    assert all(d.layout.display == "none" for d in e.windows.values())
    assert e.center_toggle.layout.display == "none"
    assert widgets.WHOLE not in dict(e.windows["hampel"].options).values()
    assert widgets.WHOLE in dict(e.windows["zscore"].options).values()


def test_widgets_method_change_resets_the_window(weather, counted):
    e = weather["TMAX"].outliers.explore("zscore", window="30D", center=False, min_periods=10)
    assert e.params == {"threshold": 3.0, "ddof": 0, "window": "30D", "center": False,
                        "min_periods": 10}  # fmt: skip
    pd.testing.assert_series_equal(
        e.mask, weather["TMAX"].outliers.mask("zscore", window="30D", center=False, min_periods=10)
    )
    for method, window in (("mad", widgets.WHOLE), ("hampel", 7), ("zscore", widgets.WHOLE)):
        _reset(counted)
        e.method_dropdown.value = method
        assert counted == {"compute": 1, "render": 1}
        assert e.window_dropdown.value == window and e.center_toggle.value is True
        assert e.params == ol.methods()[method]


def test_widgets_window_given_is_offered(weather):
    e = weather["TMAX"].outliers.explore("hampel", window=48, center=False)
    assert e.window_dropdown.options[-1] == ("48 points", 48) and e.window == 48
    e = weather["TMAX"].outliers.explore("mad", window=pd.Timedelta(hours=36))
    assert e.window == "36h" and e.window_dropdown.label == "36h"
    pd.testing.assert_series_equal(e.mask, weather["TMAX"].outliers.mask("mad", window="36h"))
    e = weather["TMAX"].outliers.explore("iqr", window="14D")  # one of the spans offered
    assert e.window_dropdown.options.count(("14D", "14D")) == 1


def test_widgets_span_options_fit_the_time_step():
    daily = pd.date_range("2000-01-01", "2014-10-12", freq="D")
    assert widgets.span_options(daily) == ["3D", "7D", "14D", "30D", "90D", "180D", "365D"]
    hourly = pd.date_range("2020-01-01", periods=24 * 10, freq="h", tz="Europe/Paris", unit="s")
    assert widgets.span_options(hourly) == ["3h", "6h", "12h", "1D", "3D", "7D"]
    ragged = pd.DatetimeIndex(["2020-01-01", None, "2020-01-01", "2020-01-03", "2020-01-02"])
    assert widgets.span_options(ragged) == []  # steps of a day, two days covered
    assert widgets.span_options(pd.to_timedelta(np.arange(0, 600, 10), unit="s"))[:2] == [
        "30s", "1min",
    ]  # fmt: skip
    assert widgets.span_options(pd.RangeIndex(10)) == []
    assert widgets.span_options(pd.DatetimeIndex(["2020-01-01"] * 3)) == []
    e = pd.Series(np.arange(20.0)).outliers.explore()  # no times, no spans
    assert [v for _, v in e.window_dropdown.options] == [widgets.WHOLE, *widgets.COUNTS]


def test_widgets_plot_title_names_the_window(weather, monkeypatch):
    titles = []
    draw = widgets.render_png
    monkeypatch.setattr(
        widgets,
        "render_png",
        lambda s, r, method, *a: titles.append(method) or draw(s, r, method, *a),
    )
    e = weather["TMAX"].outliers.explore("iqr")
    e.window_dropdown.value = "30D"
    e.center_toggle.value = False
    e.method_dropdown.value = "hampel"
    e.method_dropdown.value = "esd"
    assert titles == [
        "iqr",
        "iqr (30D window)",
        "iqr (30D trailing window)",
        "hampel (7-point window)",
        "esd",
    ]


def test_widgets_span_on_unsorted_index_is_explained(counted):
    index = pd.date_range("2020-01-01", periods=50, freq="h")[::-1]
    e = pd.Series(np.random.default_rng(3).normal(size=50), index=index).outliers.explore("mad")
    assert e.error is None
    e.window_dropdown.value = "6h"
    assert e.error and e.error.startswith("ValueError") and "sort" in e.error
    e.window_dropdown.value = 5  # a count needs no times
    assert e.error is None and e.params["window"] == 5
