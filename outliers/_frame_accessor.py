"""``df.outliers``: the verbs on each checked column of a DataFrame, all in one core call."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import _shaping
from ._api import run_builtin_columns
from ._inputs import column_kind, default_columns
from ._params import document, missing_values

_HIGHLIGHT = "background-color: #ffb4a8"


def _block_columns(df: pd.DataFrame) -> list[Any] | None:
    """Every column of `df` as a 1-D view of its block, in order; None unless all are numpy.

    A Series per column (what items() builds, and prepare() reads again) costs about 15 us
    serially around the parallel core call: a sixth of the 2-thread time of an 8-column frame
    of 10^6 rows. Float and integer numpy blocks are read from pandas' block manager (an
    internal layout, unchanged from pandas 1.x to 3.x); any other block, or anything
    unexpected, gives None and the public path.
    """
    try:
        out: list[Any] = [None] * df.shape[1]
        for blk in df._mgr.blocks:
            values = blk.values
            if not isinstance(values, np.ndarray) or values.ndim != 2:
                return None
            if values.dtype.kind not in "iuf":
                return None
            for k, j in enumerate(blk.mgr_locs.as_array.tolist()):
                out[j] = values[k]
    except (AttributeError, IndexError, TypeError):
        return None
    return out if all(a is not None for a in out) else None


def _rows_of_one_block(arrays: list) -> np.ndarray | None:
    """The 2-D array whose rows, in order, are `arrays` (the core's masks), or None."""
    base = arrays[0].base if arrays else None
    if not isinstance(base, np.ndarray) or base.ndim != 2 or base.shape[0] != len(arrays):
        return None
    start, step = base.ctypes.data, base.strides[0]
    for k, a in enumerate(arrays):
        if a.base is not base or a.ctypes.data != start + k * step:
            return None
    return base


class FrameOutliers:
    """Outlier detection on each numeric column of a DataFrame: ``df.outliers.mask("mad")``.

    Every verb takes ``method``, the method's parameters, ``missing=`` and ``columns=`` (the
    columns to check; default: every numeric column), and a window (``window=``, ``center=``,
    ``min_periods=``, ``times=``): a span's times are by default the frame's DatetimeIndex,
    the same for every column. All checked columns go to the C++ core in one call and run in
    parallel without the GIL.

    Examples
    --------
    >>> import pandas as pd, outliers
    >>> df = pd.DataFrame({"a": [1.0, 1.1, 0.9, 1.0, 9.0], "b": [5, 5, 6, 5, 5]})
    >>> df["c"] = list("vwxyz")  # not numeric: not checked
    >>> df.outliers.mask("iqr")
           a      b
    0  False  False
    1  False  False
    2  False   True
    3  False  False
    4   True  False
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self._df = frame

    def _positions(self, columns) -> list[int]:
        df = self._df
        if columns is None:
            return default_columns(df)
        if isinstance(columns, (str, bytes)) or not np.iterable(columns):
            columns = [columns]
        out = []
        for name in columns:
            if name not in df.columns:
                raise KeyError(f"column {name!r} is not in the DataFrame")
            loc = df.columns.get_loc(name)
            for j in np.arange(df.shape[1])[loc].ravel().tolist():
                dtype = df.dtypes.iloc[j]
                if column_kind(dtype) is None:
                    raise TypeError(
                        f"column {name!r} has dtype {dtype}, which cannot be checked for "
                        "outliers: expected a float, integer, datetime64 or timedelta64 column"
                    )
                out.append(j)
        return out

    def _all(self, cols: list[int]) -> bool:
        """True when `cols` are every column of the frame, in order."""
        return cols == list(range(self._df.shape[1]))

    def _run(self, method, params, columns, missing, *, series: bool = False, **outputs):
        """(checked column positions, their data, core results).

        The data are the columns as Series with `series`, else Series or 1-D ndarrays.
        """
        # Everything here runs serially around the parallel core call, so it is kept short: after
        # a core call over a large frame the caches hold its data, not Python's, and each line of
        # Python runs several times slower than in a loop of small calls.
        inputs = _block_columns(self._df) if columns is None and not series else None
        if inputs is not None:  # every column is a float or integer numpy column
            cols = list(range(len(inputs)))
        else:
            cols = self._positions(columns)
            # items() yields the columns at half the cost of one iloc per column.
            if self._all(cols):
                inputs = [s for _, s in self._df.items()]
            else:
                inputs = [self._df.iloc[:, j] for j in cols]
        results = run_builtin_columns(
            inputs, method, params, missing=missing, index=self._df.index, **outputs
        )
        return cols, inputs, results

    def _frame(self, cols: list[int], arrays: list) -> pd.DataFrame:
        # When every column was checked, the frame's own labels, shared as pandas' comparisons
        # (df > 0) and our index= share them: selecting them is a take through pyarrow for
        # string labels, and even a shallow copy costs 60 us after a large core call.
        labels = self._df.columns if self._all(cols) else self._df.columns[cols]
        # The arrays are fresh outputs of the core that nothing else holds, never copied (a
        # serial copy took a sixth of a 2-thread frame call). Masks come as the rows of one
        # (columns, rows) array: its transpose is the frame's one block, 6x faster to wrap
        # than one block per column.
        block = _rows_of_one_block(arrays)
        if block is not None:
            return pd.DataFrame(block.T, index=self._df.index, columns=labels, copy=False)
        out = pd.DataFrame(dict(enumerate(arrays)), index=self._df.index, copy=False)
        out.columns = labels
        return out

    def _any_flagged(self, results) -> np.ndarray:
        flags = np.zeros(len(self._df), dtype=bool)
        for r in results:
            flags |= r["mask"]
        return flags

    @document
    def detect(
        self, method: str = "zscore", *, columns=None, missing: Any = None, **params: Any
    ) -> pd.DataFrame:
        """The rows with at least one flagged cell.

        Parameters
        ----------
        {columns}
        {method_params}

        Returns
        -------
        pandas.DataFrame
            Those rows of the frame, all columns, in order.

        Raises
        ------
        {frame_raises}

        Examples
        --------
        >>> import pandas as pd, outliers
        >>> df = pd.DataFrame({"a": [1.0, 1.1, 0.9, 1.0, 9.0], "b": [5, 5, 6, 5, 5]})
        >>> df.outliers.detect("iqr")
             a  b
        2  0.9  6
        4  9.0  5
        """
        _, _, results = self._run(method, params, columns, missing, mask=True)
        return _shaping.rows(self._df, self._any_flagged(results))

    @document
    def mask(
        self, method: str = "zscore", *, columns=None, missing: Any = None, **params: Any
    ) -> pd.DataFrame:
        """Which cells of the checked columns are flagged.

        Parameters
        ----------
        {columns}
        {method_params}

        Returns
        -------
        pandas.DataFrame
            bool, one column per checked column, aligned to the rows (missing values are
            never flagged).

        Raises
        ------
        {frame_raises}

        Examples
        --------
        >>> import pandas as pd, outliers
        >>> df = pd.DataFrame({"a": [1.0, 1.1, 0.9, 1.0, 9.0], "b": [5, 5, 6, 5, 5]})
        >>> df.outliers.mask("iqr").sum().tolist()
        [1, 1]
        """
        cols, _, results = self._run(method, params, columns, missing, mask=True)
        return self._frame(cols, [r["mask"] for r in results])

    @document
    def scores(
        self, method: str = "zscore", *, columns=None, missing: Any = None, **params: Any
    ) -> pd.DataFrame:
        """The outlier score of every cell of the checked columns.

        Parameters
        ----------
        {columns}
        {method_params}

        Returns
        -------
        pandas.DataFrame
            float64, one column per checked column, aligned to the rows: NaN for missing
            values, +inf for infinite ones.

        Raises
        ------
        {frame_raises}

        Examples
        --------
        >>> import pandas as pd, outliers
        >>> df = pd.DataFrame({"a": [1.0, 1.1, 0.9, 1.0, 9.0], "b": [5, 5, 6, 5, 5]})
        >>> df.outliers.scores("iqr").columns.tolist()
        ['a', 'b']
        """
        cols, _, results = self._run(method, params, columns, missing, scores=True)
        return self._frame(cols, [r["scores"] for r in results])

    @document
    def bounds(
        self, method: str = "zscore", *, columns=None, missing: Any = None, **params: Any
    ) -> pd.DataFrame:
        """The values beyond which a cell is flagged, per checked column.

        Parameters
        ----------
        {columns}
        {method_params}

        Returns
        -------
        pandas.DataFrame
            Columns ``(column, "lower")`` and ``(column, "upper")`` for each checked column,
            aligned to the rows.

        Raises
        ------
        {frame_raises}

        Examples
        --------
        >>> import pandas as pd, outliers
        >>> df = pd.DataFrame({"a": [1.0, 1.1, 0.9, 1.0, 9.0], "b": [5, 5, 6, 5, 5]})
        >>> df.outliers.bounds("iqr").columns.tolist()
        [('a', 'lower'), ('a', 'upper'), ('b', 'lower'), ('b', 'upper')]
        """
        cols, _, results = self._run(method, params, columns, missing, bounds=True)
        n = len(self._df)
        arrays, keys = [], []
        dtypes = self._df.dtypes.tolist()
        for j, r in zip(cols, results, strict=True):
            for k in ("lower", "upper"):
                arrays.append(_shaping.per_point(r[k], n, dtypes[j]))
                keys.append((self._df.columns[j], k))
        out = pd.DataFrame(dict(enumerate(arrays)), index=self._df.index)
        # Nothing to check: no column, still the two levels (from_tuples cannot infer them).
        out.columns = (
            pd.MultiIndex.from_tuples(keys) if keys else pd.MultiIndex.from_arrays([[], []])
        )
        return out

    @document
    def clean(
        self,
        how: str = "nan",
        method: str = "zscore",
        *,
        columns=None,
        missing: Any = None,
        **params: Any,
    ) -> pd.DataFrame:
        """A new DataFrame with the checked columns' flagged cells handled.

        Parameters
        ----------
        how : {"nan", "drop", "clip", "center"}, default "nan"
            What to do with the flagged cells, as in ``Series.outliers.clean``.
        {columns}
        {method_params}

        Returns
        -------
        pandas.DataFrame
            The frame with each checked column cleaned as ``Series.outliers.clean`` does;
            ``how="drop"`` drops the rows with any flagged cell. The frame is never changed.

        Raises
        ------
        {frame_raises}

        Examples
        --------
        >>> import pandas as pd, outliers
        >>> df = pd.DataFrame({"a": [1.0, 1.1, 0.9, 1.0, 9.0], "b": [5, 5, 6, 5, 5]})
        >>> df.outliers.clean("drop", "iqr").index.tolist()
        [0, 1, 3]
        """
        _shaping.check_how(how)
        need = {"clip": {"bounds": True}, "center": {"center": True}}.get(how, {})
        cols, series, results = self._run(
            method, params, columns, missing, series=True, mask=True, **need
        )
        if how == "drop":
            return _shaping.rows(self._df, ~self._any_flagged(results))
        out = self._df.copy()
        for j, s, r in zip(cols, series, results, strict=True):
            out.isetitem(j, _shaping.clean(s, r, how))
        return out

    @document
    def report(
        self, method: str = "zscore", *, columns=None, missing: Any = None, **params: Any
    ) -> pd.DataFrame:
        """The flagged cells in long form, by column, then position.

        Parameters
        ----------
        {columns}
        {method_params}

        Returns
        -------
        pandas.DataFrame
            Indexed by the flagged rows' labels, with columns ``column``, ``position``,
            ``value``, ``score``, ``lower`` and ``upper``.

        Raises
        ------
        {frame_raises}

        Examples
        --------
        >>> import pandas as pd, outliers
        >>> df = pd.DataFrame({"a": [1.0, 1.1, 0.9, 1.0, 9.0], "b": [5, 5, 6, 5, 5]})
        >>> df.outliers.report("iqr")[["column", "position", "value"]]
          column  position  value
        4      a         4    9.0
        2      b         2    6.0
        """
        cols, inputs, results = self._run(
            method, params, columns, missing, mask=True, scores=True, bounds=True
        )
        if not cols:
            return pd.DataFrame(columns=["column", "position", "value", "score", "lower", "upper"])
        # Built as one frame: a frame per column and a concat cost 0.35 ms a column. What is
        # left per column is a few numpy indexings of its flagged cells.
        block = _rows_of_one_block([r["mask"] for r in results])
        if block is not None:  # every column in one (columns, rows) array: one nonzero
            owner, pos = np.nonzero(block)
            counts = np.bincount(owner, minlength=len(cols))
        else:
            pos = np.concatenate([np.flatnonzero(r["mask"]) for r in results])
            counts = np.array([r["mask"].sum() for r in results], dtype=np.intp)
            owner = np.repeat(np.arange(len(cols)), counts)
        ends = np.cumsum(counts).tolist()
        # Scalar float bounds (the whole sample, on numbers): repeated in one call.
        scalar = all(type(r["lower"]) is np.float64 for r in results)
        dtypes = self._df.dtypes.tolist()
        values: list[Any] = []
        scores: list[Any] = []
        lower: Any = []
        upper: Any = []
        for j, x, r, start, end in zip(cols, inputs, results, [0, *ends], ends, strict=False):
            p = pos[start:end]
            dtype = dtypes[j]
            if not isinstance(x, np.ndarray):  # a Series: numpy dtypes read as ndarrays
                x = x.to_numpy() if isinstance(dtype, np.dtype) else x.array
            values.append(x[p])
            scores.append(r["scores"][p])
            if scalar:
                continue
            for key, out in (("lower", lower), ("upper", upper)):
                bound = r[key]
                if np.ndim(bound):  # hampel or a window: one per point
                    out.append(bound[p])
                elif isinstance(bound, np.generic):  # datetime64, timedelta64
                    out.append(np.full(p.size, bound))
                else:  # a tz-aware Timestamp
                    out.append(pd.array([bound] * p.size, dtype=dtype))
        if scalar:
            lower, upper = (
                np.repeat(np.array([r[k] for r in results], dtype=np.float64), counts)
                for k in ("lower", "upper")
            )
        else:
            lower, upper = _shaping.concat(lower, counts), _shaping.concat(upper, counts)
        labels = self._df.columns if self._all(cols) else self._df.columns[cols]
        return pd.DataFrame(
            {
                "column": labels.to_flat_index().take(owner),
                "position": pos.astype(np.int64),
                "value": _shaping.concat(values, counts),
                "score": np.concatenate(scores),
                "lower": lower,
                "upper": upper,
            },
            index=self._df.index.take(pos),
        )

    @document
    def plot(
        self,
        method: str = "zscore",
        *,
        columns=None,
        missing: Any = None,
        kind: str = "line",
        **params: Any,
    ):
        """Draw each checked column with its flagged points and bounds (needs matplotlib).

        Parameters
        ----------
        kind : {"line", "hist"}, default "line"
            What to draw, as in ``Series.outliers.plot``.
        {columns}
        {method_params}

        Returns
        -------
        numpy.ndarray
            One matplotlib Axes per checked column, sharing the x axis.

        Raises
        ------
        {frame_raises}

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import pandas as pd, outliers
        >>> df = pd.DataFrame({"a": [1.0, 1.1, 0.9, 1.0, 9.0], "b": [5, 5, 6, 5, 5]})
        >>> df.outliers.plot("iqr").shape
        (2,)
        """
        from . import plotting

        cols, _, results = self._run(method, params, columns, missing, mask=True, bounds=True)
        declared = missing_values(missing)
        title = plotting.describe(method, params)  # "mad (30D window)": what it was judged by
        return plotting.plot_frame(self._df.iloc[:, cols], results, title, kind, declared)

    @document
    def explore(self, method: str = "zscore", *, missing: Any = None, **params: Any):
        """An interactive explorer with a column chooser, in a notebook (needs ipywidgets).

        Parameters
        ----------
        {method_params}

        Returns
        -------
        outliers.widgets.Explorer
            The explorer over the frame's float and integer columns; display it in a cell.

        Raises
        ------
        {raises}

        Examples
        --------
        >>> import pandas as pd, outliers
        >>> explorer = pd.DataFrame({"a": [1.0, 1.1, 0.9, 1.0, 9.0]}).outliers.explore("iqr")
        >>> type(explorer).__name__
        'Explorer'
        """
        from .widgets import Explorer

        return Explorer(self._df, method, **params, missing=missing)

    @document
    def style(self, method: str = "zscore", *, columns=None, missing: Any = None, **params: Any):
        """The whole frame with the flagged cells highlighted (pandas' Styler needs jinja2).

        Parameters
        ----------
        {columns}
        {method_params}

        Returns
        -------
        pandas.io.formats.style.Styler
            A Styler of the whole frame; the checked columns' flagged cells have a
            background color.

        Raises
        ------
        {frame_raises}

        Examples
        --------
        >>> import pandas as pd, outliers
        >>> df = pd.DataFrame({"a": [1.0, 1.1, 0.9, 1.0, 9.0], "b": [5, 5, 6, 5, 5]})
        >>> html = df.outliers.style("iqr").to_html()
        """
        cols, _, results = self._run(method, params, columns, missing, mask=True)
        css = np.full(self._df.shape, "", dtype=object)
        for j, r in zip(cols, results, strict=True):
            css[r["mask"], j] = _HIGHLIGHT
        df = self._df
        # pandas' Styler refuses repeated labels: style such an axis by position, then show
        # its labels again.
        shown = df
        if not df.index.is_unique:
            shown = shown.set_axis(range(df.shape[0]))
        if not df.columns.is_unique:
            shown = shown.set_axis(range(df.shape[1]), axis=1)
        table = pd.DataFrame(css, index=shown.index, columns=shown.columns)
        styler = shown.style.apply(lambda _: table, axis=None)
        if not df.index.is_unique:
            styler = styler.relabel_index(list(df.index))
        if not df.columns.is_unique:
            styler = styler.relabel_index(list(df.columns), axis=1)
        return styler
