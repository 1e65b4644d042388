"""``s.outliers``: the verbs on a pandas Series, each one call into the core."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes

import numpy as np
import pandas as pd

from . import _shaping
from ._api import run_builtin_columns
from ._params import document, missing_values


class SeriesOutliers:
    """Outlier detection on a Series: ``s.outliers.detect("mad")`` and friends.

    Every verb takes ``method`` (a built-in method name, see :func:`outliers.methods`), the
    method's parameters, ``missing=`` (values to treat as missing, e.g. ``-9999``) and a
    window (``window=``, ``center=``, ``min_periods=``, ``times=``; a span's times are by
    default the Series' DatetimeIndex). Positions are positions; results keep the Series'
    index, name and order.

    Examples
    --------
    >>> import pandas as pd, outliers
    >>> s = pd.Series([10.0, 10.2, 9.9, 10.1, 55.0, 9.8], index=list("abcdef"), name="t")
    >>> s.outliers.detect("mad")
    e    55.0
    Name: t, dtype: float64
    >>> s.outliers.mask("mad").tolist()
    [False, False, False, False, True, False]
    """

    def __init__(self, series: pd.Series) -> None:
        self._s = series

    def _run(
        self, method: str, params: dict[str, Any], missing: Any, **outputs: bool
    ) -> dict[str, Any]:
        return run_builtin_columns([self._s], method, params, missing=missing, **outputs)[0]

    def _series(self, values: np.ndarray) -> pd.Series:
        return pd.Series(values, index=self._s.index, name=self._s.name, copy=False)

    @document
    def detect(self, method: str = "zscore", *, missing: Any = None, **params: Any) -> pd.Series:
        """The flagged entries.

        Parameters
        ----------
        {method_params}

        Returns
        -------
        pandas.Series
            The flagged entries of the Series, with their labels, dtype and name, in order.

        Raises
        ------
        {raises}

        Examples
        --------
        >>> import pandas as pd, outliers
        >>> s = pd.Series([10.0, 10.2, 9.9, 10.1, 55.0, 9.8], index=list("abcdef"))
        >>> s.outliers.detect("mad")
        e    55.0
        dtype: float64
        """
        return _shaping.rows(
            self._s, self._run(method, params, missing, positions=True)["positions"]
        )

    @document
    def mask(self, method: str = "zscore", *, missing: Any = None, **params: Any) -> pd.Series:
        """Which entries are flagged.

        Parameters
        ----------
        {method_params}

        Returns
        -------
        pandas.Series
            bool, aligned to the data: True where flagged (missing values never are).

        Raises
        ------
        {raises}

        Examples
        --------
        >>> import pandas as pd, outliers
        >>> pd.Series([1.0, 1.1, 0.9, 1.0, 9.0]).outliers.mask("iqr").tolist()
        [False, False, False, False, True]
        """
        return self._series(self._run(method, params, missing, mask=True)["mask"])

    @document
    def scores(self, method: str = "zscore", *, missing: Any = None, **params: Any) -> pd.Series:
        """The outlier score of every entry.

        Parameters
        ----------
        {method_params}

        Returns
        -------
        pandas.Series
            float64, aligned to the data: NaN for missing values, +inf for infinite ones.

        Raises
        ------
        {raises}

        Examples
        --------
        >>> import pandas as pd, outliers
        >>> pd.Series([1.0, 2.0, 3.0]).outliers.scores().round(4).tolist()
        [1.2247, 0.0, 1.2247]
        """
        return self._series(self._run(method, params, missing, scores=True)["scores"])

    @document
    def bounds(
        self, method: str = "zscore", *, missing: Any = None, **params: Any
    ) -> pd.DataFrame:
        """The values beyond which an entry is flagged, per entry.

        Parameters
        ----------
        {method_params}

        Returns
        -------
        pandas.DataFrame
            Columns ``lower`` and ``upper`` aligned to the data (the same on every row but for
            ``hampel`` and windows), in the data's dtype for datetimes and timedeltas.

        Raises
        ------
        {raises}

        Examples
        --------
        >>> import pandas as pd, outliers
        >>> pd.Series([1.0, 2.0, 3.0, 4.0]).outliers.bounds("iqr", k=1.0).iloc[0].tolist()
        [0.25, 4.75]
        """
        result = self._run(method, params, missing, bounds=True)
        n = len(self._s)
        return pd.DataFrame(
            {k: _shaping.per_point(result[k], n, self._s.dtype) for k in ("lower", "upper")},
            index=self._s.index,
        )

    @document
    def clean(
        self, how: str = "nan", method: str = "zscore", *, missing: Any = None, **params: Any
    ) -> pd.Series:
        """A new Series with the flagged values handled; the Series itself is never changed.

        Parameters
        ----------
        how : {"nan", "drop", "clip", "center"}, default "nan"
            ``"nan"`` sets them missing (``s.mask(flags)``, so integers become float64 and
            masked dtypes get ``pd.NA``), ``"drop"`` removes them, ``"clip"`` clips them to
            the bounds, ``"center"`` replaces them with the method's center (mean for zscore,
            median for mad/iqr/quantile, the window median for hampel, the mean of the kept
            values for esd). With a window, each value's own bounds and center, those of its
            window.
        {method_params}

        Returns
        -------
        pandas.Series
            Unflagged values untouched. For ``"clip"`` and ``"center"`` integer data comes
            back in its float dtype (float64, ``Float64`` or ``double[pyarrow]``): bounds and
            centers are seldom whole numbers. Float data keeps its dtype (float32 stays
            float32, replacements rounded to it).

        Raises
        ------
        {raises}

        Examples
        --------
        >>> import pandas as pd, outliers
        >>> s = pd.Series([1.0, 2.0, 2.0, 3.0, 50.0])
        >>> s.outliers.clean("center", "mad").tolist()
        [1.0, 2.0, 2.0, 3.0, 2.0]
        """
        _shaping.check_how(how)
        need = {"clip": {"bounds": True}, "center": {"center": True}}.get(how, {})
        return _shaping.clean(self._s, self._run(method, params, missing, mask=True, **need), how)

    @document
    def report(
        self, method: str = "zscore", *, missing: Any = None, **params: Any
    ) -> pd.DataFrame:
        """The flagged entries, with where they are, their scores and the bounds they passed.

        Parameters
        ----------
        {method_params}

        Returns
        -------
        pandas.DataFrame
            Indexed by the flagged labels, in order, with columns ``position`` (0-based),
            ``value``, ``score``, ``lower`` and ``upper``.

        Raises
        ------
        {raises}

        Examples
        --------
        >>> import pandas as pd, outliers
        >>> s = pd.Series([10.0, 10.2, 9.9, 10.1, 55.0, 9.8], index=list("abcdef"))
        >>> s.outliers.report("mad")[["position", "value"]]
           position  value
        e         4   55.0
        """
        return _shaping.report(
            self._s, self._run(method, params, missing, mask=True, scores=True, bounds=True)
        )

    @document
    def plot(
        self,
        method: str = "zscore",
        *,
        ax=None,
        kind: str = "line",
        missing: Any = None,
        **params: Any,
    ) -> Axes:
        """Draw the Series with its flagged points and bounds (needs matplotlib).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure's axes by default.
        kind : {"line", "hist"}, default "line"
            ``"line"`` draws the values against the index (long series are decimated to each
            pixel column's min and max; every flagged point is still drawn) with the bounds
            as a shaded band; ``"hist"`` draws the distribution with the bounds as lines.
        {method_params}

        Returns
        -------
        matplotlib.axes.Axes
            The axes drawn on.

        Raises
        ------
        {raises}

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import pandas as pd, outliers
        >>> ax = pd.Series([1.0, 1.1, 0.9, 1.0, 9.0]).outliers.plot("iqr")
        >>> type(ax).__name__
        'Axes'
        """
        from . import plotting

        result = self._run(method, params, missing, mask=True, bounds=True)
        declared = missing_values(missing)
        title = plotting.describe(method, params)  # "mad (30D window)": what it was judged by
        return plotting.plot_series(self._s, result, title, ax=ax, kind=kind, missing=declared)

    @document
    def explore(self, method: str = "zscore", *, missing: Any = None, **params: Any) -> Any:
        """An interactive explorer of this Series, in a notebook (needs ipywidgets).

        Parameters
        ----------
        {method_params}

        Returns
        -------
        outliers.widgets.Explorer
            The explorer: a method chooser, a slider per parameter and the plot; display it
            in a notebook cell.

        Raises
        ------
        {raises}

        Examples
        --------
        >>> import pandas as pd, outliers
        >>> explorer = pd.Series([1.0, 1.1, 0.9, 1.0, 9.0]).outliers.explore("iqr")
        >>> type(explorer).__name__
        'Explorer'
        """
        from .widgets import Explorer

        return Explorer(self._s, method, **params, missing=missing)
