"""matplotlib drawing of flagged points (SPEC §6): ``ax=None`` in, the Axes out, never ``show()``.

Imported only by the verbs that draw, so ``import outliers`` does not import matplotlib.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

try:
    import matplotlib.pyplot as plt
except ImportError as e:  # pragma: no cover - matplotlib is a dependency
    raise ImportError("drawing needs matplotlib: pip install outliers[plot]") from e

__all__ = ["decimate", "plot_series", "plot_frame"]

FLAG_STYLE = {"color": "#d62728", "marker": "o", "s": 18, "zorder": 3, "label": "flagged"}
BAND_STYLE = {"color": "#1f77b4", "alpha": 0.15, "linewidth": 0, "label": "bounds"}


def _as_numbers(x: np.ndarray) -> np.ndarray:
    """Positions on the x axis as float64 (datetimes as their integer instants)."""
    if x.dtype.kind in "mM":
        return x.view(np.int64).astype(np.float64)
    return x.astype(np.float64, copy=False)


def decimate(x: np.ndarray, y: np.ndarray, columns: int) -> np.ndarray:
    """Indices of the points to draw: each pixel column's minimum and maximum (in order).

    With x increasing, a column is an equal slice of the x range; otherwise an equal run of
    consecutive points. Lines through these points look the same as through all of them at
    that width (the "min-max" decimation of plotting libraries for long series).
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


def _pixel_columns(ax) -> int:
    return max(100, int(ax.get_window_extent().width))


def _title(name, method: str, flagged: int, total: int) -> str:
    share = 100.0 * flagged / total if total else 0.0
    label = f"{name}: " if name is not None else ""
    return f"{label}{method} flagged {flagged:,} of {total:,} ({share:.2f}%)"


def plot_series(
    s: pd.Series,
    result: dict[str, Any],
    method: str,
    ax=None,
    kind: str = "line",
    missing: Sequence[float] = (),
):
    """Draw `s` with its flagged points and bounds from a run_builtin `result`.

    Values equal to one of `missing` (the ``missing=`` sentinels) are neither drawn nor
    counted, as they are not by the detection.
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


def _draw_line(ax, s: pd.Series, y, flags, lower, upper) -> None:
    index = s.index
    if isinstance(index, pd.DatetimeIndex) and index.tz is not None:
        index = index.tz_localize(None)  # wall-clock times of the index's own zone
    x = np.asarray(index.to_numpy())
    if x.dtype == object:  # labels that are not numbers or dates: draw against positions
        x = np.arange(y.size)
    shown = decimate(x, y, _pixel_columns(ax))
    ax.plot(x[shown], y[shown], linewidth=0.8, color="#444444", label=s.name or "values")
    if np.ndim(lower):  # per-point bounds (hampel): a band following the data
        lo, hi = np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)
        ax.fill_between(x[shown], lo[shown], hi[shown], **BAND_STYLE)
    elif np.isfinite(lower) and np.isfinite(upper):
        ax.axhspan(float(lower), float(upper), **BAND_STYLE)
    drawn = flags & np.isfinite(y)  # every flagged point, whatever the decimation
    ax.scatter(x[drawn], y[drawn], **FLAG_STYLE)
    ax.legend(loc="upper right", fontsize="small")


def _draw_hist(ax, y, flags, lower, upper) -> None:
    finite = np.isfinite(y)
    edges = np.histogram_bin_edges(y[finite], bins=100) if finite.any() else 10
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
):
    """One axis per checked column, sharing x; returns the array of Axes."""
    k = max(1, len(results))
    fig, axes = plt.subplots(k, 1, sharex=kind == "line", figsize=(10, 2.4 * k), squeeze=False)
    for (_, column), result, ax in zip(frame.items(), results, axes[:, 0], strict=False):
        plot_series(column, result, method, ax=ax, kind=kind, missing=missing)
    fig.tight_layout()
    return axes[:, 0]
