"""The ipywidgets explorer: built from plain functions, returned, never displayed.

``s.outliers.explore()`` and ``df.outliers.explore()`` return an :class:`Explorer`: a method
dropdown, the method's own controls (a slider for its threshold-like parameter; a window
dropdown, "whole sample", counts and, for data indexed by time, spans; a centred / trailing
toggle), a text box of values standing for "missing", a column dropdown (frames), the plot, the
count "N flagged (p%)" and a table of the most extreme flagged points. Each change of a control
computes and draws once; the current result is readable from Python (``.mask``, ``.method``,
``.params``, ``.missing``, ``.column``, ``.report``).
"""

from __future__ import annotations

import contextlib
import io
import numbers
import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

try:
    import ipywidgets as w
except ImportError as e:  # pragma: no cover - ipywidgets is a dependency
    raise ImportError(
        'the explorer needs ipywidgets: pip install "outliers-toolkit[widgets]"'
    ) from e

from ._api import methods, run_builtin_columns
from ._inputs import default_columns
from ._params import missing_values, resolve
from ._shaping import report as _report
from .plotting import describe, plot_series, span_text

__all__ = ["Explorer", "explore"]

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

# Every method but esd (a test of the whole sample) takes a window. Its dropdown offers the
# whole sample (not to hampel, a moving-window method), these counts (odd: valid centred and
# trailing) and, for data indexed by time, the spans of SPANS that hold at least three time
# steps and at most the data's duration.
WINDOWED = tuple(m for m in SLIDERS if m != "esd")
WHOLE = "whole sample"  # the option meaning window=None (a Dropdown's None means "no choice")
COUNTS = (3, 5, 7, 9, 11, 15, 21, 31, 51, 101, 201, 501)
SPANS = (
    "1ms", "10ms", "100ms", "1s", "5s", "15s", "30s", "1min", "5min", "15min", "30min", "1h",
    "3h", "6h", "12h", "1D", "3D", "7D", "14D", "30D", "90D", "180D", "365D",
)  # fmt: skip


def slider_value(method: str, params: dict[str, Any]) -> float:
    """The slider position for `params` of `method` (its defaults filled in).

    Parameters
    ----------
    method : str
        A built-in method name.
    params : dict
        Some of the method's parameters.

    Returns
    -------
    float
        The threshold-like parameter's value (``low`` for quantile's tail slider).

    Examples
    --------
    >>> slider_value("iqr", {})
    1.5
    >>> slider_value("quantile", {"low": 0.05, "high": 0.95})
    0.05
    """
    name = SLIDERS[method][0]
    full = {**methods()[method], **params}
    return full["low"] if name == "tail" else full[name]


def params_for(
    method: str, value: float, window: Any, extra: dict[str, Any], center: bool = True
) -> dict[str, Any]:
    """The method's full parameters for a slider position, window and centring.

    Parameters
    ----------
    method : str
        A built-in method name.
    value : float
        The slider's value (quantile: the tail share cut at each end).
    window : int, str or None
        The window control's value: None for the whole sample (esd always); hampel keeps its
        window from `extra` or its default when None.
    extra : dict
        Other parameters given to the explorer; those the method does not take are left out,
        and ``min_periods`` and ``times`` are kept only with a window.
    center : bool, default True
        Centred windows, or trailing ones; written out only when False (the default is True).

    Returns
    -------
    dict
        Every parameter of `method`: its defaults, then `extra`, then the controls. The
        window keys appear only when set, so that ``params == outliers.methods()[method]``
        at a method's defaults.

    Examples
    --------
    >>> params_for("quantile", 0.05, None, {})
    {'low': 0.05, 'high': 0.95}
    >>> params_for("esd", 0.1, 7, {"max_outliers": 5, "window": 9})
    {'max_outliers': 5, 'alpha': 0.1}
    >>> params_for("mad", 3.5, "30D", {"min_periods": 5}, center=False)
    {'threshold': 3.5, 'window': '30D', 'center': False, 'min_periods': 5}
    """
    defaults = methods()[method]
    params = {**defaults, **{k: v for k, v in extra.items() if k in defaults}}
    name = SLIDERS[method][0]
    if name == "tail":
        params.update(low=value, high=1.0 - value)
    else:
        params[name] = value
    if method in WINDOWED and window is not None:
        params["window"] = window
        if not center:
            params["center"] = False
        params.update({k: v for k, v in extra.items() if k in ("min_periods", "times")})
    return params


def span_options(index: Any) -> list[str]:
    """The spans offered for data with this index: none unless it holds times.

    Those of :data:`SPANS` from three typical (median) steps between consecutive times up to
    the time the data covers: a shorter window holds one or two points, a longer one the
    whole sample at every point.

    Examples
    --------
    >>> span_options(pd.date_range("2020-01-01", periods=100, freq="D"))
    ['3D', '7D', '14D', '30D', '90D']
    >>> span_options(pd.RangeIndex(100))
    []
    """
    if not isinstance(index, (pd.DatetimeIndex, pd.TimedeltaIndex)):
        return []
    ticks = index.asi8[np.asarray(index.notna())]  # in the index's own unit
    steps = np.diff(np.sort(ticks))
    steps = steps[steps > 0]
    if not steps.size:
        return []
    tick_ns = pd.Timedelta(1, unit=index.unit).value
    step, covered = float(np.median(steps)) * tick_ns, float(ticks.max() - ticks.min()) * tick_ns
    return [s for s in SPANS if 3 * step <= pd.Timedelta(s).value <= covered]


def window_options(method: str, spans: list[str], given: Any = None) -> list[tuple[str, Any]]:
    """The window dropdown's (label, value) pairs for `method`, holding `given` if it is set.

    Examples
    --------
    >>> window_options("mad", ["7D"])[:3], window_options("mad", ["7D"])[-1]
    ([('whole sample', 'whole sample'), ('3 points', 3), ('5 points', 5)], ('7D', '7D'))
    >>> window_options("hampel", [], given=48)[-1]
    ('48 points', 48)
    """
    values: list[Any] = ([] if method == "hampel" else [WHOLE]) + [*COUNTS, *spans]
    if given is not None:  # a count, or a span given as pd.Timedelta, "1h30min"...
        given = int(given) if isinstance(given, numbers.Integral) else span_text(given)
        if given not in values:
            values.append(given)
    return [(f"{v} points" if isinstance(v, int) else v, v) for v in values]


def parse_missing(text: str) -> list[float]:
    """The numbers typed in the explorer's "missing" box (commas or spaces between them).

    Parameters
    ----------
    text : str
        For example ``"-9999"`` or ``"-9999, 9999"``; empty or blank declares nothing.

    Returns
    -------
    list of float
        The values declared missing.

    Raises
    ------
    ValueError
        When a piece of the text is not a number.

    Examples
    --------
    >>> parse_missing("-9999, 9999")
    [-9999.0, 9999.0]
    >>> parse_missing("  ")
    []
    """
    values = []
    for piece in re.split(r"[\s,;]+", text.strip()):
        if not piece:
            continue
        try:
            values.append(float(piece))
        except ValueError:
            raise ValueError(f"missing: {piece!r} is not a number") from None
    return values


def missing_text(values: list[float]) -> str:
    """The "missing" box's text for `values`, read back exactly by :func:`parse_missing`.

    Examples
    --------
    >>> missing_text([-9999.0, 0.5])
    '-9999, 0.5'
    """
    return ", ".join(repr(v).removesuffix(".0") for v in values)


def count_text(flagged: int, total: int) -> str:
    """The count line, "N flagged (p%)" of the non-missing values.

    Examples
    --------
    >>> count_text(12, 400)
    '12 flagged (3.00%)'
    """
    share = 100.0 * flagged / total if total else 0.0
    return f"{flagged:,} flagged ({share:.2f}%)"


def extreme_table(report: pd.DataFrame, rows: int = TABLE_ROWS) -> str:
    """HTML of the flagged points with the highest scores (at most `rows` of them)."""
    if report.empty:
        return "<i>nothing flagged</i>"
    top = report.sort_values("score", ascending=False, kind="stable").head(rows)
    return top.to_html(float_format=lambda v: f"{v:.4g}", border=0)


def compute(
    series: pd.Series, method: str, params: dict[str, Any], missing: list[float]
) -> dict[str, Any]:
    """Flags, scores and bounds of `series` in one call of the core (what one change costs)."""
    return run_builtin_columns(
        [series], method, params, missing=missing or None, mask=True, scores=True, bounds=True
    )[0]


def render_png(
    series: pd.Series,
    result: dict[str, Any],
    method: str,
    missing: list[float],
    size: tuple[float, float] = (9, 3.2),
) -> bytes:
    """The plot of `series` and its `result` as PNG bytes (its own figure, no pyplot state).

    `method` is the title's name for the method (with its window, from
    :func:`outliers.plotting.describe`).
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=90)
    ax = fig.add_subplot()
    plot_series(series, result, method, ax=ax, missing=missing)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _slider(method: str, value: float) -> w.FloatSlider:
    """`method`'s own slider, its range widened to hold `value` if it has to."""
    name, low, high, step = SLIDERS[method]
    slider = w.FloatSlider(
        value=value, min=min(low, value), max=max(high, value), step=step, description=name,
        continuous_update=False, readout_format=".3g",
    )  # fmt: skip
    slider.add_class("outliers-threshold")
    slider.add_class(f"outliers-{method}")
    return slider


def _window_dropdown(method: str, spans: list[str], given: Any) -> w.Dropdown:
    """`method`'s own window dropdown (options fixed), starting at `given` or the default."""
    options = window_options(method, spans, given)
    start = methods()[method].get("window") if given is None else given
    if start is None:
        start = WHOLE
    else:
        start = int(start) if isinstance(start, numbers.Integral) else span_text(start)
    dropdown = w.Dropdown(options=options, value=start, description="window")
    dropdown.add_class("outliers-window")
    dropdown.add_class(f"outliers-{method}")
    return dropdown


class Explorer(w.VBox):
    """Interactive outlier explorer for a Series or the checkable columns of a DataFrame.

    Each method has its own slider and window dropdown (esd has no window), whose options never
    change: a method chosen in the dropdown starts at its defaults (:func:`outliers.methods`;
    the whole sample, or hampel's 7 points, centred), while the parameters given here apply to
    the starting method. The window dropdown offers spans ("1D", "30D"...) when the data is
    indexed by time. Every change of a control computes and draws once.

    Parameters
    ----------
    data : Series or DataFrame
        The data; for a frame, the columns that ``df.outliers`` checks by default are offered.
    method : str, default "zscore"
        The starting method.
    missing : number or sequence of numbers, optional
        Values standing for "not measured" (e.g. ``-9999``), editable in the "missing" box.
    **params
        The starting method's parameters, ``window``, ``center`` and ``min_periods`` included.

    Raises
    ------
    ValueError, TypeError
        For an unknown method or a bad parameter, and for a frame with no checkable column.
    """

    def __init__(
        self,
        data: pd.Series | pd.DataFrame,
        method: str = "zscore",
        *,
        missing: Any = None,
        **params: Any,
    ) -> None:
        resolve(method, params)  # an unknown method or a bad parameter is refused here
        self.data = data
        self._extra = dict(params)
        self._quiet = False
        self.mask: pd.Series | None = None
        self.report: pd.DataFrame | None = None
        self.error: str | None = None
        self._build_controls(method, params, missing_values(missing))
        self._observe()
        super().__init__(
            [
                w.HBox([self.column_dropdown, self.method_dropdown, self.missing_box]),
                w.HBox([*self.sliders.values(), *self.windows.values(), self.center_toggle]),
                self.count_label, self.plot_image, self.table, self.message,
            ]
        )  # fmt: skip
        self._show_controls()
        self.update()

    def _build_controls(self, method: str, params: dict[str, Any], missing: list[float]) -> None:
        self.column_dropdown = w.Dropdown(options=self._columns(), description="column")
        self.column_dropdown.layout.display = "none" if isinstance(self.data, pd.Series) else None
        self.method_dropdown = w.Dropdown(
            options=list(SLIDERS), value=method, description="method"
        )
        self.sliders = {
            m: _slider(m, slider_value(m, params if m == method else {})) for m in SLIDERS
        }
        spans = span_options(self.data.index)
        self.windows = {
            m: _window_dropdown(m, spans, params.get("window") if m == method else None)
            for m in WINDOWED
        }
        self.center_toggle = w.ToggleButtons(
            options=[("centred", True), ("trailing", False)],
            value=bool(params.get("center", True)),
            tooltips=["the point in the middle of its window", "the point and those before it"],
        )
        self.missing_box = w.Text(
            value=missing_text(missing), description="missing", placeholder="e.g. -9999",
            continuous_update=False,
        )  # fmt: skip
        self.count_label = w.Label()
        self.plot_image = w.Image(format="png")
        self.table = w.HTML()
        self.message = w.HTML()
        for widget, name in (
            (self.column_dropdown, "column"), (self.method_dropdown, "method"),
            (self.center_toggle, "center"), (self.missing_box, "missing"),
            (self.count_label, "count"), (self.plot_image, "plot"), (self.table, "table"),
            (self.message, "message"),
        ):  # fmt: skip
            widget.add_class(f"outliers-{name}")

    def _observe(self) -> None:
        self.method_dropdown.observe(self._method_changed, names="value")
        controls = [*self.sliders.values(), *self.windows.values(), self.center_toggle]
        for control in (*controls, self.column_dropdown, self.missing_box):
            control.observe(self._control_changed, names="value")

    def _columns(self) -> list:
        if isinstance(self.data, pd.Series):
            return [self.data.name]
        numeric = [self.data.columns[j] for j in default_columns(self.data)]
        if not numeric:
            raise TypeError("the DataFrame has no numeric column to explore")
        return numeric

    @contextlib.contextmanager
    def _silenced(self) -> Iterator[None]:
        """Controls set inside do not recompute (the caller does, once)."""
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False

    def _control_changed(self, change: dict[str, Any]) -> None:
        if not self._quiet:
            self._show_controls()  # the toggle shows only with a window
            self.update()

    def _method_changed(self, change: dict[str, Any]) -> None:
        method = change["new"]
        with self._silenced():
            self._extra = {}  # the parameters given at the start were the first method's
            self.sliders[method].value = slider_value(method, {})
            if method in self.windows:
                default = methods()[method].get("window")
                self.windows[method].value = WHOLE if default is None else default
            self.center_toggle.value = True
            self._show_controls()
        self.update()

    def _show_controls(self) -> None:
        for m, slider in self.sliders.items():
            slider.layout.display = None if m == self.method else "none"
        for m, dropdown in self.windows.items():
            dropdown.layout.display = None if m == self.method else "none"
        self.center_toggle.layout.display = None if self.window is not None else "none"

    @property
    def method(self) -> str:
        """The method shown."""
        return self.method_dropdown.value

    @property
    def threshold_slider(self) -> w.FloatSlider:
        """The slider of the method shown (its threshold-like parameter)."""
        return self.sliders[self.method]

    @property
    def window_dropdown(self) -> w.Dropdown | None:
        """The window dropdown of the method shown (None for esd, which takes no window)."""
        return self.windows.get(self.method)

    @property
    def window(self) -> Any:
        """The window chosen: None (the whole sample), a count or a span such as ``"30D"``."""
        dropdown = self.window_dropdown
        return None if dropdown is None or dropdown.value == WHOLE else dropdown.value

    @property
    def column(self) -> Any:
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
        """Every parameter of the method shown, as the controls set them.

        The window keys appear only when set: ``s.outliers.mask(e.method, **e.params)`` gives
        ``e.mask``.
        """
        slider = self.threshold_slider.value
        return params_for(self.method, slider, self.window, self._extra, self.center_toggle.value)

    @property
    def missing(self) -> list[float]:
        """The values declared missing in the "missing" box (ValueError if it is not numbers)."""
        return parse_missing(self.missing_box.value)

    def update(self) -> None:
        """Compute the flags, the count, the table and the plot for the controls, once."""
        s, method = self.series, self.method
        try:
            params, missing = self.params, self.missing
            result = compute(s, method, params, missing)
            self.report = _report(s, result)
            self.mask = pd.Series(result["mask"], index=s.index, name=s.name)
            present = s.notna() & ~s.isin(missing)
            self.count_label.value = count_text(int(result["mask"].sum()), int(present.sum()))
            self.table.value = extreme_table(self.report)
            self.plot_image.value = render_png(s, result, describe(method, params), missing)
            self.error = None
            self.message.value = ""
        except Exception as e:  # shown in the widget, not lost in a callback's traceback
            self.error = f"{type(e).__name__}: {e}"
            self.message.value = f"<b style='color:#b00'>{self.error}</b>"


def explore(
    data: pd.Series | pd.DataFrame, method: str = "zscore", *, missing: Any = None, **params: Any
) -> Explorer:
    """An interactive explorer of `data` (what ``s.outliers.explore()`` returns).

    Parameters
    ----------
    data : Series or DataFrame
        The data; for a frame, a dropdown chooses among its checkable columns.
    method : str, default "zscore"
        The starting method; see :func:`outliers.methods`.
    missing : number or sequence of numbers, optional
        Values standing for "not measured" (e.g. ``-9999``).
    **params
        The starting method's parameters (each method chosen later starts at its defaults).

    Returns
    -------
    Explorer
        The widget (an ``ipywidgets.VBox``); display it in a notebook.

    Raises
    ------
    ValueError, TypeError
        For an unknown method, a bad parameter or ``missing``, or a frame with no checkable
        column.

    Examples
    --------
    >>> import pandas as pd
    >>> from outliers.widgets import explore
    >>> e = explore(pd.Series([1.0, 1.2, 0.9, 1.1, 9.0, 1.0]), "mad", missing=-9999)
    >>> e.method, e.params, e.missing
    ('mad', {'threshold': 3.5}, [-9999.0])
    >>> e.count_label.value
    '1 flagged (16.67%)'
    >>> e.method_dropdown.value = "iqr"
    >>> e.params
    {'k': 1.5}
    """
    return Explorer(data, method, missing=missing, **params)
