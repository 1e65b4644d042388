"""``ddf["x"].outliers`` and ``ddf.outliers``: the pandas accessors' verbs on dask, lazily."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._params import document
from .._shaping import check_how, clean, report
from .graph import Graph, reader
from .plan import WANT, partition_outputs


def _series_piece(out, key: str, part: pd.Series) -> pd.Series:
    return pd.Series(out[key], index=part.index, name=part.name, copy=False)


def _bounds_piece(out, part: pd.Series, meta: pd.DataFrame) -> pd.DataFrame:
    n = len(part)
    frame = {}
    for k in ("lower", "upper"):
        v = out[k]
        frame[k] = np.full(n, v) if np.ndim(v) == 0 else v
    return pd.DataFrame(frame, index=part.index).astype(meta.dtypes.to_dict())


def _any_mask(outs: list, n: int) -> np.ndarray:
    """Rows with a flagged cell in any of the outputs."""
    flags = np.zeros(n, dtype=bool)
    for o in outs:
        flags |= o["mask"]
    return flags


def _flagged_rows(outs: list, part):
    return part[_any_mask(outs, len(part))]


def _frame_piece(outs: list, key: str, part: pd.DataFrame, names: list) -> pd.DataFrame:
    out = pd.DataFrame(dict(enumerate(o[key] for o in outs)), index=part.index, copy=False)
    out.columns = pd.Index(names) if names else out.columns
    return out


def _collect(g: Graph, pieces: list, meta, like):
    """A dask collection of the pieces; divisions those of `like` (unknown if None)."""
    import dask.dataframe as dd

    divisions = None if like is None else like.divisions
    return dd.from_delayed(g.delayed(pieces), meta=meta, divisions=divisions, verify_meta=False)


def _split_times(params: dict[str, Any]) -> tuple[dict[str, Any], Any, dict[str, Any]]:
    """(the parameters without ``times``, ``times``, the parameters for the empty meta).

    ``times=`` holds the whole column's times: the meta, of no rows, gets none of them.
    """
    if "times" not in params:
        return params, None, params
    params = dict(params)
    times = params.pop("times")
    if times is None:
        return params, times, params
    if hasattr(times, "__dask_graph__"):  # refused later if a span reads it: not computed here
        return params, times, {**params, "times": np.empty(0, times.dtype)}
    return params, times, {**params, "times": pd.Index(times)[:0]}


def _meta_of(collection, verb: str, *args: Any, **kwargs: Any):
    """The pandas accessor's `verb` on the collection's empty meta: the result's meta.

    The parameters are so checked now, before anything is computed.
    """
    _, _, kwargs = _split_times(kwargs)
    return getattr(collection._meta.outliers, verb)(*args, **kwargs)


def _want_clean(how: str) -> dict[str, bool]:
    check_how(how)
    return {"mask": True, "scores": False, "bounds": how == "clip", "center": how == "center"}


def _clean_piece(out, part: pd.Series, how: str) -> pd.Series:
    return clean(part, out, how)


def _report_piece(out, part: pd.Series, offset: int, column=None) -> pd.DataFrame:
    """A partition's rows of the report, at positions in the whole column."""
    rows = report(part, out)
    rows["position"] += offset
    if column is not None:
        rows.insert(0, "column", [column] * len(rows))
    return rows


def _in_memory_only(verb: str, what: str):
    """A verb that draws or styles the data in memory: refused on dask, saying what to do."""

    def refuse(self, *args: Any, **kwargs: Any):
        raise NotImplementedError(
            f"{verb} needs the data in memory: call it on the pandas {what} that .compute() "
            f"returns (.compute().outliers.{verb}(...)), or on a sample if it is large"
        )

    refuse.__name__ = verb
    refuse.__doc__ = f"Not on dask: ``.compute()`` first, then the pandas {what}'s ``{verb}``."
    return refuse


class DaskSeriesOutliers:
    """``ddf["x"].outliers``: the pandas Series verbs on a dask Series, lazily.

    Results equal the pandas accessor's on the concatenated data; statistics (medians,
    quantiles included) are exact. See :mod:`outliers.dask` for how each method is split.
    ``plot`` and ``explore`` draw in memory: they raise NotImplementedError saying to call
    them on ``.compute()``'s pandas Series.

    Examples
    --------
    >>> import dask.dataframe as dd, pandas as pd, outliers
    >>> s = dd.from_pandas(pd.Series([10.0, 10.2, 9.9, 10.1, 55.0, 9.8]), npartitions=2)
    >>> s.outliers.mask("mad").compute().tolist()
    [False, False, False, False, True, False]
    """

    def __init__(self, series) -> None:
        self._s = series

    def _run(self, method: str, params: dict[str, Any], missing: Any, want: dict[str, bool]):
        g = Graph()
        read = reader(g, self._s)
        params, times, _ = _split_times(params)
        index = self._s._meta.index
        outs, _ = partition_outputs(g, read, method, params, want, missing, None, times, index)
        return g, read(None), outs

    @document
    def detect(self, method: str = "zscore", *, missing: Any = None, **params: Any):
        """The flagged entries, lazily.

        Parameters
        ----------
        {method_params}

        Returns
        -------
        dask.dataframe.Series
            The flagged entries with their labels, dtype and name, in order.

        Raises
        ------
        {raises}
        """
        meta = _meta_of(self._s, "detect", method, missing=missing, **params)
        g, parts, outs = self._run(method, params, missing, WANT["mask"])
        pieces = [g.call(_flagged_rows, [o], p) for o, p in zip(outs, parts, strict=True)]
        return _collect(g, pieces, meta, self._s)

    @document
    def mask(self, method: str = "zscore", *, missing: Any = None, **params: Any):
        """Which entries are flagged, lazily.

        Parameters
        ----------
        {method_params}

        Returns
        -------
        dask.dataframe.Series
            bool, aligned to the data (missing values are never flagged).

        Raises
        ------
        {raises}
        """
        return self._aligned("mask", method, params, missing)

    @document
    def scores(self, method: str = "zscore", *, missing: Any = None, **params: Any):
        """The outlier score of every entry, lazily.

        Parameters
        ----------
        {method_params}

        Returns
        -------
        dask.dataframe.Series
            float64, aligned to the data: NaN for missing values, +inf for infinite ones.

        Raises
        ------
        {raises}
        """
        return self._aligned("scores", method, params, missing)

    def _aligned(self, key: str, method: str, params: dict[str, Any], missing: Any):
        meta = _meta_of(self._s, key, method, missing=missing, **params)
        g, parts, outs = self._run(method, params, missing, WANT[key])
        pieces = [g.call(_series_piece, o, key, p) for o, p in zip(outs, parts, strict=True)]
        return _collect(g, pieces, meta, self._s)

    @document
    def bounds(self, method: str = "zscore", *, missing: Any = None, **params: Any):
        """The values beyond which an entry is flagged, per entry, lazily.

        Parameters
        ----------
        {method_params}

        Returns
        -------
        dask.dataframe.DataFrame
            Columns ``lower`` and ``upper`` aligned to the data.

        Raises
        ------
        {raises}
        """
        meta = _meta_of(self._s, "bounds", method, missing=missing, **params)
        g, parts, outs = self._run(method, params, missing, WANT["bounds"])
        pieces = [g.call(_bounds_piece, o, p, meta) for o, p in zip(outs, parts, strict=True)]
        return _collect(g, pieces, meta, self._s)

    @document
    def clean(
        self, how: str = "nan", method: str = "zscore", *, missing: Any = None, **params: Any
    ):
        """A new dask Series with the flagged values handled, as ``Series.outliers.clean``.

        Parameters
        ----------
        how : {"nan", "drop", "clip", "center"}, default "nan"
            What to do with the flagged values, as in the pandas accessor's ``clean``.
        {method_params}

        Returns
        -------
        dask.dataframe.Series
            The cleaned Series; the data itself is never changed.

        Raises
        ------
        {raises}
        """
        want = _want_clean(how)
        meta = _meta_of(self._s, "clean", how, method, missing=missing, **params)
        g, parts, outs = self._run(method, params, missing, want)
        pieces = [g.call(_clean_piece, o, p, how) for o, p in zip(outs, parts, strict=True)]
        return _collect(g, pieces, meta, self._s)

    @document
    def report(self, method: str = "zscore", *, missing: Any = None, **params: Any):
        """The flagged entries, indexed by their labels, as ``Series.outliers.report``.

        Parameters
        ----------
        {method_params}

        Returns
        -------
        dask.dataframe.DataFrame
            Columns ``position`` (in the whole column), ``value``, ``score``, ``lower``,
            ``upper``.

        Raises
        ------
        {raises}
        """
        meta = _meta_of(self._s, "report", method, missing=missing, **params)
        g, parts, outs = self._run(method, params, missing, WANT["report"])
        pieces = [
            g.call(_report_piece, o, p, offset)
            for o, p, offset in zip(outs, parts, g.offsets(parts), strict=True)
        ]
        return _collect(g, pieces, meta, self._s)

    plot = _in_memory_only("plot", "Series")
    explore = _in_memory_only("explore", "Series")


def _frame_bounds_piece(outs: list, part: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    n = len(part)
    arrays = []
    for o in outs:
        for k in ("lower", "upper"):
            arrays.append(np.full(n, o[k]) if np.ndim(o[k]) == 0 else o[k])
    out = pd.DataFrame(dict(enumerate(arrays)), index=part.index)
    out.columns = meta.columns
    return out.astype(dict(zip(meta.columns, meta.dtypes, strict=True)))


def _frame_clean_piece(outs: list, part: pd.DataFrame, cols: list, how: str) -> pd.DataFrame:
    if how == "drop":
        return part[~_any_mask(outs, len(part))]
    out = part.copy()
    for j, o in zip(cols, outs, strict=True):
        out.isetitem(j, clean(part.iloc[:, j], o, how))
    return out


class DaskFrameOutliers:
    """``ddf.outliers``: per-column detection on a dask DataFrame, lazily.

    ``columns=`` as for pandas (default: the numeric columns); every column is split over
    the partitions as :class:`DaskSeriesOutliers` does. ``plot``, ``explore`` and ``style``
    draw in memory: they raise NotImplementedError saying to call them on ``.compute()``'s
    pandas DataFrame.
    """

    def __init__(self, frame) -> None:
        self._df = frame

    def _run(
        self, method: str, params: dict[str, Any], missing: Any, columns, want: dict[str, bool]
    ):
        meta = self._df._meta
        cols = meta.outliers._positions(columns)
        names = [meta.columns[j] for j in cols]
        g = Graph()
        parts = g.use(list(self._df.to_delayed()))
        params, times, _ = _split_times(params)
        per_column = [
            partition_outputs(
                g, reader(g, self._df[name]), method, params, want, missing, None, times,
                meta.index,
            )[0]
            for name in names
        ]  # fmt: skip
        outs = [list(row) for row in zip(*per_column, strict=True)] if names else [[]] * len(parts)
        return g, cols, names, parts, outs

    @document
    def detect(self, method: str = "zscore", *, columns=None, missing: Any = None, **params: Any):
        """The rows (all columns) with at least one flagged cell, in order, lazily.

        Parameters
        ----------
        {columns}
        {method_params}

        Returns
        -------
        dask.dataframe.DataFrame
            Those rows of the frame.

        Raises
        ------
        {frame_raises}
        """
        meta = _meta_of(self._df, "detect", method, columns=columns, missing=missing, **params)
        g, _, _, parts, outs = self._run(method, params, missing, columns, WANT["mask"])
        pieces = [g.call(_flagged_rows, o, p) for o, p in zip(outs, parts, strict=True)]
        return _collect(g, pieces, meta, self._df)

    @document
    def mask(self, method: str = "zscore", *, columns=None, missing: Any = None, **params: Any):
        """Which cells of the checked columns are flagged, lazily.

        Parameters
        ----------
        {columns}
        {method_params}

        Returns
        -------
        dask.dataframe.DataFrame
            bool, one column per checked column.

        Raises
        ------
        {frame_raises}
        """
        return self._frame("mask", method, columns, params, missing)

    @document
    def scores(self, method: str = "zscore", *, columns=None, missing: Any = None, **params: Any):
        """The outlier score of every cell of the checked columns, lazily.

        Parameters
        ----------
        {columns}
        {method_params}

        Returns
        -------
        dask.dataframe.DataFrame
            float64, one column per checked column.

        Raises
        ------
        {frame_raises}
        """
        return self._frame("scores", method, columns, params, missing)

    def _frame(self, key: str, method: str, columns, params: dict[str, Any], missing: Any):
        meta = _meta_of(self._df, key, method, columns=columns, missing=missing, **params)
        g, _, names, parts, outs = self._run(method, params, missing, columns, WANT[key])
        pieces = [g.call(_frame_piece, o, key, p, names) for o, p in zip(outs, parts, strict=True)]
        return _collect(g, pieces, meta, self._df)

    @document
    def bounds(self, method: str = "zscore", *, columns=None, missing: Any = None, **params: Any):
        """The values beyond which a cell is flagged, per checked column, lazily.

        Parameters
        ----------
        {columns}
        {method_params}

        Returns
        -------
        dask.dataframe.DataFrame
            Columns ``(column, "lower")`` and ``(column, "upper")`` per checked column.

        Raises
        ------
        {frame_raises}
        """
        meta = _meta_of(self._df, "bounds", method, columns=columns, missing=missing, **params)
        g, _, _, parts, outs = self._run(method, params, missing, columns, WANT["bounds"])
        pieces = [
            g.call(_frame_bounds_piece, o, p, meta) for o, p in zip(outs, parts, strict=True)
        ]
        return _collect(g, pieces, meta, self._df)

    @document
    def clean(
        self,
        how: str = "nan",
        method: str = "zscore",
        *,
        columns=None,
        missing: Any = None,
        **params: Any,
    ):
        """A new dask DataFrame with the checked columns cleaned, lazily.

        Parameters
        ----------
        how : {"nan", "drop", "clip", "center"}, default "nan"
            What to do with the flagged values, as in the pandas accessor's ``clean``.
        {columns}
        {method_params}

        Returns
        -------
        dask.dataframe.DataFrame
            Each checked column cleaned as ``DataFrame.outliers.clean`` does;
            ``how="drop"`` drops the rows with any flagged cell.

        Raises
        ------
        {frame_raises}
        """
        want = _want_clean(how)
        meta = _meta_of(self._df, "clean", how, method, columns=columns, missing=missing, **params)
        g, cols, _, parts, outs = self._run(method, params, missing, columns, want)
        pieces = [
            g.call(_frame_clean_piece, o, p, cols, how) for o, p in zip(outs, parts, strict=True)
        ]
        return _collect(g, pieces, meta, self._df)

    @document
    def report(self, method: str = "zscore", *, columns=None, missing: Any = None, **params: Any):
        """Long form, one row per flagged cell with its ``column``: by column, then position.

        Parameters
        ----------
        {columns}
        {method_params}

        Returns
        -------
        dask.dataframe.DataFrame
            Indexed by the flagged labels (its divisions unknown: each column's rows start
            again from the first partition).

        Raises
        ------
        {frame_raises}
        """
        meta = _meta_of(self._df, "report", method, columns=columns, missing=missing, **params)
        g, cols, names, parts, outs = self._run(method, params, missing, columns, WANT["report"])
        if not names:  # one empty piece (dd.from_pandas would change the dtypes)
            return _collect(g, [g.call(pd.DataFrame.copy, meta)], meta, None)
        offsets = g.offsets(parts)
        pieces = [
            g.call(_report_piece, o[k], g.call(_column_of, p, cols[k]), offset, name)
            for k, name in enumerate(names)
            for o, p, offset in zip(outs, parts, offsets, strict=True)
        ]
        return _collect(g, pieces, meta, None)

    plot = _in_memory_only("plot", "DataFrame")
    explore = _in_memory_only("explore", "DataFrame")
    style = _in_memory_only("style", "DataFrame")


def _column_of(part: pd.DataFrame, k: int) -> pd.Series:
    return part.iloc[:, k]
