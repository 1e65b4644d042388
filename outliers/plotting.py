"""matplotlib drawing of flagged points: ``ax=None`` in, the Axes out, never ``show()``.

Imported only by the verbs that draw (``s.outliers.plot()``, ``df.outliers.plot()``, the
explorer), so ``import outliers`` does not import matplotlib.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

try:
    import matplotlib.pyplot as plt
except ImportError as e:  # pragma: no cover - matplotlib is a dependency
    raise ImportError('drawing needs matplotlib: pip install "outliers-toolkit[plot]"') from e

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["decimate", "describe", "plot_series", "plot_frame", "span_text"]

FLAG_STYLE: dict[str, Any] = {
    "color": "#d62728",
    "marker": "o",
    "s": 18,
    "zorder": 3,
    "label": "flagged",
}
BAND_STYLE: dict[str, Any] = {"color": "#1f77b4", "alpha": 0.15, "linewidth": 0, "label": "bounds"}
_UNITS = (("D", 86_400 * 10**9), ("h", 3_600 * 10**9), ("min", 60 * 10**9), ("s", 10**9),
          ("ms", 10**6), ("us", 10**3))  # fmt: skip


def span_text(span: Any) -> str:
    """A fixed span as the shortest string pandas reads back as it ("1h30min" -> "90min").

    Examples
    --------
    >>> span_text(pd.Timedelta(hours=36)), span_text("1h30min"), span_text("1500ms")
    ('36h', '90min', '1500ms')
    """
    ns = pd.Timedelta(span).value
    for unit, size in _UNITS:
        if ns % size == 0:
            return f"{ns // size}{unit}"
    return f"{ns}ns"


def describe(method: str, params: dict[str, Any]) -> str:
    """The method and its window, for a title: what the flags were judged against.

    Examples
    --------
    >>> describe("mad", {"threshold": 3.5})
    'mad'
    >>> describe("mad", {"window": "30D"}), describe("hampel", {"window": 7, "center": False})
    ('mad (30D window)', 'hampel (7-point trailing window)')
    """
    window = params.get("window")
    if window is None or method == "esd":
        return method
    counted = isinstance(window, numbers.Integral)
    size = f"{int(window)}-point" if counted else span_text(window)
    return f"{method} ({size}{'' if params.get('center', True) else ' trailing'} window)"


def _as_numbers(x: np.ndarray) -> np.ndarray:
    """Positions on the x axis as float64 (datetimes as their integer instants)."""
    if x.dtype.kind in "mM":
        return x.view(np.int64).astype(np.float64)
    return x.astype(np.float64, copy=False)


def decimate(x: np.ndarray, y: np.ndarray, columns: int) -> np.ndarray:
    """Indices of the points to draw: each pixel column's minimum and maximum (in order).

    With x increasing, a column is an equal slice of the x range; otherwise an equal run of
    consecutive points. Lines through these points look the same as through all of them at
    that width (the "min-max" decimation of plotting libraries for long series, e.g. the M4
    aggregation of Jugel et al., VLDB 2014, without its first and last points).

    Parameters
    ----------
    x : ndarray
        Positions on the x axis (numbers or datetimes), one per value.
    y : ndarray
        The values (float); NaN and infinities are never picked.
    columns : int
        The width in pixels. Up to ``2 * columns`` points, every index is kept.

    Returns
    -------
    ndarray of int64
        Sorted indices into `x` and `y`.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0.0, 5.0, 1.0, 2.0, -3.0, 0.0, 1.0, 0.0])
    >>> decimate(np.arange(8), y, 2)
    array([0, 1, 4, 6])
    """
    n = y.size
    if n <= 2 * columns:
        return np.arange(n)
    xs = _as_numbers(x)
    if np.all(np.diff(xs) >= 0) and xs[-1] > xs[0]:
        edges = np.linspace(xs[0], xs[-1], columns + 1)[1:-1]
        starts = np.concatenate(([0], np.searchsorted(xs, edges, side="left")))
    else:
        starts = np.linspace(0, n, columns, endpoint=False).astype(np.int64)
    starts = np.unique(starts)
    counts = np.diff(np.append(starts, n))
    finite = np.isfinite(y)
    lo = np.where(finite, y, np.inf)
    hi = np.where(finite, y, -np.inf)
    mins = np.minimum.reduceat(lo, starts)
    maxs = np.maximum.reduceat(hi, starts)
    idx = np.arange(n)
    # The first position holding each column's minimum (maximum): n where there is none.
    argmin = np.minimum.reduceat(np.where(lo == np.repeat(mins, counts), idx, n), starts)
    argmax = np.minimum.reduceat(np.where(hi == np.repeat(maxs, counts), idx, n), starts)
    keep = np.concatenate((argmin, argmax))
    return np.unique(keep[keep < n])


def _pixel_columns(ax: Axes) -> int:
    return max(100, int(ax.get_window_extent().width))


def _title(name: Any, method: str, flagged: int, total: int) -> str:
    share = 100.0 * flagged / total if total else 0.0
    label = f"{name}: " if name is not None else ""
    return f"{label}{method} flagged {flagged:,} of {total:,} ({share:.2f}%)"


def plot_series(
    s: pd.Series,
    result: dict[str, Any],
    method: str,
    ax: Axes | None = None,
    kind: str = "line",
    missing: Sequence[float] = (),
) -> Axes:
    """Draw `s` with its flagged points and its bounds; what ``s.outliers.plot()`` draws.

    ``kind="line"`` draws the values against the index (dates too; long series decimated by
    :func:`decimate`, every flagged point still drawn), the flagged points as markers and the
    bounds as a band; ``kind="hist"`` the distribution, flagged values apart, and constant
    bounds as vertical lines. The title names the method and the count flagged.

    Parameters
    ----------
    s : Series
        The data (numbers; not datetimes).
    result : dict
        The detection's result: ``"mask"`` (bool array, one per value) and ``"lower"``,
        ``"upper"`` (scalars, or arrays for methods whose bounds follow the data).
    method : str
        The method's name, for the title.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure's.
    kind : {"line", "hist"}, default "line"
    missing : sequence of float, default ()
        Values standing for "not measured": neither drawn nor counted, as the detection
        ignores them.

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    ValueError
        For an unknown `kind`.
    TypeError
        For datetime or timedelta values.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from matplotlib.figure import Figure
    >>> s = pd.Series([1.0, 1.2, 0.9, -9999.0, 9.0])
    >>> result = {"mask": np.array([False, False, False, False, True]),
    ...           "lower": 0.5, "upper": 1.5}
    >>> ax = plot_series(s, result, "mad", ax=Figure().add_subplot(), missing=[-9999.0])
    >>> ax.get_title()
    'mad flagged 1 of 4 (25.00%)'
    """
    if kind not in ("line", "hist"):
        raise ValueError(f"kind must be 'line' or 'hist' (got {kind!r})")
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 3.5))
    if s.dtype.kind in "mM":
        raise TypeError(
            f"plotting {s.dtype} values is not supported; plot their numbers instead "
            "(e.g. s.astype('int64'))"
        )
    flags = result["mask"]
    y = np.array(s.to_numpy(dtype=np.float64, na_value=np.nan))  # a copy: sentinels go
    if len(missing):
        y[np.isin(y, missing)] = np.nan
    lower, upper = result["lower"], result["upper"]
    ax.set_title(_title(s.name, method, int(flags.sum()), int((~np.isnan(y)).sum())))
    if kind == "hist":
        _draw_hist(ax, y, flags, lower, upper)
    else:
        _draw_line(ax, s, y, flags, lower, upper)
    return ax


def _draw_line(
    ax: Axes, s: pd.Series, y: np.ndarray, flags: np.ndarray, lower: Any, upper: Any
) -> None:
    index = s.index
    if isinstance(index, pd.DatetimeIndex) and index.tz is not None:
        index = index.tz_localize(None)  # wall-clock times of the index's own zone
    x = np.asarray(index.to_numpy())
    if x.dtype == object:  # labels that are not numbers or dates: draw against positions
        x = np.arange(y.size)
    shown = decimate(x, y, _pixel_columns(ax))
    ax.plot(x[shown], y[shown], linewidth=0.8, color="#444444", label=s.name or "values")
    if np.ndim(lower):  # per-point bounds (a window, hampel): a band following the data
        lo, hi = np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)
        # Decimated on its own edges, as the line is: each pixel column keeps the lowest and
        # highest point of each bound, so a narrow dip of the band is drawn too.
        columns = _pixel_columns(ax)
        edges = np.union1d(decimate(x, lo, columns), decimate(x, hi, columns))
        ax.fill_between(x[edges], lo[edges], hi[edges], **BAND_STYLE)
    elif np.isfinite(lower) and np.isfinite(upper):
        ax.axhspan(float(lower), float(upper), **BAND_STYLE)
    drawn = flags & np.isfinite(y)  # every flagged point, whatever the decimation
    ax.scatter(x[drawn], y[drawn], **FLAG_STYLE)
    ax.legend(loc="upper right", fontsize="small")


def _draw_hist(ax: Axes, y: np.ndarray, flags: np.ndarray, lower: Any, upper: Any) -> None:
    finite = np.isfinite(y)
    edges: Any = np.histogram_bin_edges(y[finite], bins=100) if finite.any() else 10
    ax.hist(y[finite], bins=edges, color="#7f7f7f", label="values")
    ax.hist(y[finite & flags], bins=edges, color=FLAG_STYLE["color"], label="flagged")
    if not np.ndim(lower):
        for bound in (lower, upper):
            if np.isfinite(bound):
                ax.axvline(float(bound), color="#1f77b4", linestyle="--", linewidth=1)
    ax.legend(loc="upper right", fontsize="small")


def plot_frame(
    frame: pd.DataFrame,
    results: list[dict[str, Any]],
    method: str,
    kind: str = "line",
    missing: Sequence[float] = (),
) -> np.ndarray:
    """One axis per column of `frame`, sharing x; what ``df.outliers.plot()`` draws.

    Parameters
    ----------
    frame : DataFrame
        The checked columns, in order.
    results : list of dict
        One detection result per column, as :func:`plot_series` reads it.
    method : str
        The method's name, for the titles.
    kind : {"line", "hist"}, default "line"
    missing : sequence of float, default ()
        Values standing for "not measured".

    Returns
    -------
    ndarray of matplotlib Axes
        One per column, top to bottom, in a new figure.

    Raises
    ------
    ValueError, TypeError
        As :func:`plot_series`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"a": [1.0, 2.0, 9.0], "b": [3.0, 3.0, 3.0]})
    >>> none = {"mask": np.zeros(3, dtype=bool), "lower": 0.0, "upper": 10.0}
    >>> axes = plot_frame(df, [none, none], "zscore")
    >>> [ax.get_title() for ax in axes]
    ['a: zscore flagged 0 of 3 (0.00%)', 'b: zscore flagged 0 of 3 (0.00%)']
    >>> import matplotlib.pyplot as plt; plt.close(axes[0].figure)
    """
    k = max(1, len(results))
    fig, axes = plt.subplots(k, 1, sharex=kind == "line", figsize=(10, 2.4 * k), squeeze=False)
    for (_, column), result, ax in zip(frame.items(), results, axes[:, 0], strict=False):
        plot_series(column, result, method, ax=ax, kind=kind, missing=missing)
    fig.tight_layout()
    return axes[:, 0]
