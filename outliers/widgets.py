"""The ipywidgets explorer (SPEC §7): built from plain functions, returned, never displayed.

``s.outliers.explore()`` and ``df.outliers.explore()`` return an :class:`Explorer`: a method
dropdown, a slider for the method's threshold-like parameter, a window slider (hampel), a
column dropdown (frames), the plot, the count "N flagged (p%)" and a table of the most
extreme flagged points. Everything is recomputed when a control changes; the current result
is readable from Python (``.mask``, ``.method``, ``.params``, ``.column``).
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd

try:
    import ipywidgets as w
except ImportError as e:  # pragma: no cover - ipywidgets is a dependency
    raise ImportError("the explorer needs ipywidgets: pip install outliers[widgets]") from e

from ._api import sentinels
from ._params import METHODS

# The slider each method gets for its threshold-like parameter: (parameter, min, max, step).
# quantile's slider is the tail share cut at each end (low = t, high = 1 - t).
SLIDERS: dict[str, tuple[str, float, float, float]] = {
    "zscore": ("threshold", 0.5, 10.0, 0.1),
    "mad": ("threshold", 0.5, 10.0, 0.1),
    "iqr": ("k", 0.0, 6.0, 0.1),
    "quantile": ("tail", 0.001, 0.2, 0.001),
    "hampel": ("threshold", 0.5, 10.0, 0.1),
    "esd": ("alpha", 0.001, 0.5, 0.001),
}
TABLE_ROWS = 10


def slider_value(method: str, params: dict[str, Any]) -> float:
    """The slider position for `params` (defaults filled in)."""
    name = SLIDERS[method][0]
    full = {**METHODS[method], **params}
    return full["low"] if name == "tail" else full[name]


def params_for(method: str, value: float, window: int, fixed: dict[str, Any]) -> dict[str, Any]:
    """The method's parameters for a slider position (and window, for hampel)."""
    name = SLIDERS[method][0]
    params = {k: v for k, v in fixed.items() if k in METHODS[method] or k == "missing"}
    if name == "tail":
        params.update(low=value, high=1.0 - value)
    else:
        params[name] = value
    if method == "hampel":
        params["window"] = window
    return params


def count_text(flagged: int, total: int) -> str:
    """The count line, "N flagged (p%)" of the non-missing values."""
    share = 100.0 * flagged / total if total else 0.0
    return f"{flagged:,} flagged ({share:.2f}%)"


def extreme_table(report: pd.DataFrame, rows: int = TABLE_ROWS) -> str:
    """HTML of the flagged points with the highest scores."""
    if report.empty:
        return "<i>nothing flagged</i>"
    top = report.sort_values("score", ascending=False, kind="stable").head(rows)
    return top.to_html(float_format=lambda v: f"{v:.4g}", border=0)


def render_png(series: pd.Series, method: str, params: dict[str, Any], size=(9, 3.2)) -> bytes:
    """The plot of `series` as PNG bytes (a figure made and closed here, no pyplot state)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=90)
    ax = fig.add_subplot()
    series.outliers.plot(method, ax=ax, **params)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


class Explorer(w.VBox):
    """Interactive outlier explorer for a Series or the numeric columns of a DataFrame."""

    def __init__(self, data: pd.Series | pd.DataFrame, method: str = "zscore", **params: Any):
        if method not in SLIDERS:
            raise ValueError(f"unknown method {method!r}; choose one of: {', '.join(SLIDERS)}")
        self.data = data
        self._fixed = dict(params)
        self.mask: pd.Series | None = None
        self.report: pd.DataFrame | None = None
        self.error: str | None = None

        columns = self._columns()
        self.column_dropdown = w.Dropdown(options=columns, description="column")
        self.column_dropdown.layout.display = "none" if isinstance(data, pd.Series) else None
        self.method_dropdown = w.Dropdown(
            options=list(SLIDERS), value=method, description="method"
        )
        self.threshold_slider = w.FloatSlider(continuous_update=False, readout_format=".3g")
        self.window_slider = w.IntSlider(
            value=int(params.get("window", METHODS["hampel"]["window"])),
            min=3, max=501, step=2, description="window", continuous_update=False,
        )  # fmt: skip
        self.count_label = w.Label()
        self.count_label.add_class("outliers-count")
        self.plot_image = w.Image(format="png")
        self.plot_image.add_class("outliers-plot")
        self.table = w.HTML()
        self.message = w.HTML()
        self._configure_slider(method, slider_value(method, params))

        self.method_dropdown.observe(self._method_changed, names="value")
        for control in (self.threshold_slider, self.window_slider, self.column_dropdown):
            control.observe(lambda _: self.update(), names="value")
        controls = w.HBox([self.column_dropdown, self.method_dropdown])
        sliders = w.HBox([self.threshold_slider, self.window_slider])
        super().__init__(
            [controls, sliders, self.count_label, self.plot_image, self.table, self.message]
        )
        self.update()

    def _columns(self) -> list:
        if isinstance(self.data, pd.Series):
            return [self.data.name]
        numeric = [
            c for c, dtype in self.data.dtypes.items()
            if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
        ]  # fmt: skip
        if not numeric:
            raise TypeError("the DataFrame has no numeric column to explore")
        return numeric

    def _configure_slider(self, method: str, value: float) -> None:
        name, low, high, step = SLIDERS[method]
        slider = self.threshold_slider
        with self.threshold_slider.hold_trait_notifications():
            slider.min, slider.max = -np.inf, np.inf  # widen first: min/max check each other
            slider.min, slider.max, slider.step = low, high, step
            slider.value = float(np.clip(value, low, high))
            slider.description = name
        self.window_slider.layout.display = None if method == "hampel" else "none"

    def _method_changed(self, change) -> None:
        method = change["new"]
        self._configure_slider(method, slider_value(method, {}))
        self.update()

    @property
    def method(self) -> str:
        """The method shown."""
        return self.method_dropdown.value

    @property
    def column(self):
        """The column shown (the Series' name for a Series)."""
        return self.column_dropdown.value

    @property
    def series(self) -> pd.Series:
        """The data being explored: the Series, or the selected column."""
        if isinstance(self.data, pd.Series):
            return self.data
        return self.data[self.column]

    @property
    def params(self) -> dict[str, Any]:
        """The method's parameters as the controls set them."""
        return params_for(
            self.method, self.threshold_slider.value, self.window_slider.value, self._fixed
        )

    def update(self) -> None:
        """Recompute the flags, the count, the table and the plot for the current controls."""
        s, method, params = self.series, self.method, self.params
        try:
            self.report = s.outliers.report(method, **params)
            flags = np.zeros(len(s), dtype=bool)
            flags[self.report["position"].to_numpy()] = True
            self.mask = pd.Series(flags, index=s.index, name=s.name)
            present = s.notna() & ~s.isin(sentinels(params.get("missing")))
            self.count_label.value = count_text(int(flags.sum()), int(present.sum()))
            self.table.value = extreme_table(self.report)
            self.plot_image.value = render_png(s, method, params)
            self.error = None
            self.message.value = ""
        except Exception as e:  # shown in the widget, not lost in a callback's traceback
            self.error = f"{type(e).__name__}: {e}"
            self.message.value = f"<b style='color:#b00'>{self.error}</b>"
