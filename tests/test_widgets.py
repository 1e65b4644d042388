"""The explorer widget (SPEC §7): drive controls by setting .value, assert on the results."""

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
    assert e.params == {"missing": -9999, "threshold": 3.5}
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
