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
    assert e.window_slider.layout.display == "none"
    e.method_dropdown.value = "hampel"
    assert e.window_slider.layout.display is None
    e.window_slider.value = 31
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
        (e.threshold_slider, 4.0), (e.window_slider, 31), (e.column_dropdown, "SNWD"),
        (e.missing_box, "-9999"),
    ):  # fmt: skip
        _reset(counted)
        control.value = value
        assert counted == {"compute": 1, "render": 1}, control.description
    assert e.params == {"window": 31, "threshold": 4.0} and e.missing == [-9999.0]
    pd.testing.assert_series_equal(
        e.mask, weather["SNWD"].outliers.mask("hampel", window=31, threshold=4.0, missing=-9999)
    )


def test_widgets_slider_ranges_never_change(weather):
    """A browser clamps a slider's value into its range: a range changed under a value made
    switching from quantile to zscore run threshold 0.5 in JupyterLab. Each method has its own
    slider, whose range is set once."""
    e = weather["TMAX"].outliers.explore()

    def ranges():
        sliders = [c for box in e.children[:2] for c in box.children if hasattr(c, "min")]
        return {(id(c), c.min, c.max, c.step) for c in sliders}

    before = ranges()
    for method in METHODS + METHODS[::-1]:
        e.method_dropdown.value = method
        assert ranges() == before, method
        slider = e.threshold_slider
        assert slider.min <= slider.value <= slider.max
        assert slider.layout.display is None
        hidden = [x for m, x in getattr(e, "sliders", {}).items() if m != method]
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
        (e.threshold_slider, "outliers-threshold"), (e.window_slider, "outliers-window"),
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
