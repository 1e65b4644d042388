"""The functional API: detect / mask / scores / bounds / methods, and the one dispatch behind them.

``ol.detect(arr)``, ``Detector.detect`` and the pandas accessors all run through `_run`,
`run_builtin_columns` and `run_custom` below, so they cannot drift apart. Collections computed
elsewhere than in memory (dask) are handed to the runner their subpackage registers with
`register_collection`, so that this module never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from . import _native
from ._inputs import prepare
from ._params import METHODS, document, missing_values, resolve
from ._windows import is_timed, resolve_times, with_reach

if TYPE_CHECKING:
    import numpy.typing as npt
    import pandas as pd

    Data = npt.ArrayLike | pd.Series | pd.Index

__all__ = ["Bounds", "bounds", "detect", "mask", "methods", "scores"]


# Native-order float and integer dtypes: arrays of these that are 1-D and aligned are read in
# place as they are.
_PLAIN = frozenset(
    np.dtype(t) for t in ("f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8")
)

# The verbs' outputs, numbered as _native.run_plain numbers them (ints: the short door of a
# small array costs about 2 us, and a lookup more is a few percent of it).
_OUTPUTS = ("positions", "mask", "scores", "bounds")
_POSITIONS, _MASK, _SCORES, _BOUNDS = range(4)

# resolve() results for repeated calls: (method, (name, type, value)...) -> checked parameters.
# The type is part of the key so that True and 1 (equal, same hash) stay apart.
_RESOLVED: dict[tuple, dict[str, Any]] = {}
_RESOLVED_MAX = 256

# Collections run by a subpackage (outliers.dask): (is_collection(data), run(data, method,
# params, output, missing)), params holding the user's "times" when given; the subpackage adds
# itself when imported.
CollectionRun = Callable[[Any, str, dict[str, Any], str, Any], Any]
_COLLECTIONS: list[tuple[Callable[[Any], bool], CollectionRun]] = []


class Bounds(NamedTuple):
    """The values beyond which a point is flagged: ``lower`` and ``upper``.

    Scalars for the whole sample; arrays with one value per point for ``hampel`` and any call
    with a window (NaN where a window holds fewer than ``min_periods`` values). In the data's
    dtype and unit for datetime and timedelta data. A named tuple, so it unpacks as a pair:
    ``lower, upper = ol.bounds(x)``.
    """

    lower: Any
    upper: Any


def register_collection(is_collection: Callable[[Any], bool], run: CollectionRun) -> None:
    """Hand the data for which ``is_collection(data)`` holds to ``run`` (once per pair)."""
    if (is_collection, run) not in _COLLECTIONS:
        _COLLECTIONS.append((is_collection, run))


def _resolved(method: str, params: dict[str, Any]) -> dict[str, Any]:
    """``resolve(method, params)``, remembered when the method and values are hashable.

    The returned dict is shared between calls: it is only ever read.
    """
    try:
        key = (method, *[(name, type(v), v) for name, v in params.items()])
        full = _RESOLVED.get(key)
    except (TypeError, ValueError):  # unhashable (numpy: ValueError for np.timedelta64(5))
        return resolve(method, params)
    if full is None:
        full = resolve(method, params)  # raises for anything invalid: only valid sets are kept
        if len(_RESOLVED) >= _RESOLVED_MAX:
            _RESOLVED.clear()
        _RESOLVED[key] = full
    return full


def run_builtin_columns(
    columns: list,
    method: str,
    params: dict[str, Any],
    *,
    missing: Any = None,
    times: Any = None,
    index: Any = None,
    positions: bool = False,
    mask: bool = False,
    scores: bool = False,
    bounds: bool = False,
    center: bool = False,
) -> list[dict[str, Any]]:
    """Run a built-in method on several 1-D inputs in one core call (in parallel, no GIL).

    Only the outputs asked for are computed; bounds and centers of datetime/timedelta inputs
    come back in the input's dtype (tz-aware ones in their time zone), one per point for a
    windowed call. A time window reads its times from ``times`` (or the user's "times" in
    `params`), else from `index`, else from the first column's index (a Series'): one times
    array for every column.
    """
    declared_missing = missing_values(missing)
    if "times" in params:
        params = dict(params)
        times = params.pop("times")
    full = _resolved(method, params)
    prepared = [prepare(c) for c in columns]
    options: dict[str, Any] = {}
    if is_timed(full):
        if not prepared:  # no column: nothing to judge, no times to read
            return []
        if times is None and index is None and columns:
            index = getattr(columns[0], "index", None)
        n = prepared[0].size
        if any(p.size != n for p in prepared):
            raise ValueError("a time window needs columns of one length, sharing one times")
        t = resolve_times(times, index, n, params.get("window"))
        full = with_reach(full, t.dtype)
        options["times"] = t.values
    results = _native.run_columns(
        method,
        [p.core_column() for p in prepared],
        full,
        declared_missing,
        positions=positions,
        mask=mask,
        scores=scores,
        bounds=bounds,
        center=center,
        **options,
    )
    for p, result in zip(prepared, results, strict=True):
        for key in ("lower", "upper", "center"):
            value = result[key]
            if isinstance(value, float):
                value = np.float64(value)  # numpy scalars: float32 data is not rounded to them
            result[key] = p.in_time(value)
    return results


def run_builtin(
    data: Any,
    method: str,
    params: dict[str, Any],
    *,
    missing: Any = None,
    times: Any = None,
    **outputs: bool,
) -> dict[str, Any]:
    """Run a built-in method on one 1-D input, computing only the outputs asked for."""
    return run_builtin_columns([data], method, params, missing=missing, times=times, **outputs)[0]


def run_custom(
    func: Callable, name: str, data: Any, params: dict[str, Any], *, as_mask: bool = False
) -> np.ndarray:
    """Call a user's detection function on a read-only view of `data`.

    Returns the validated positions, or a boolean mask when `as_mask` is true.
    """
    if type(data) is np.ndarray and data.dtype in _PLAIN and data.ndim == 1 and data.flags.aligned:
        values = data  # what prepare(data).for_custom_function() gives, without preparing
    else:
        values = prepare(data).for_custom_function()
    return _native.call_detector(func, values, params, name, as_mask)


def _run(data: Any, method: str, missing: Any, params: dict[str, Any], output: int) -> Any:
    """The one dispatch of the four verbs: one output of a built-in method on any data.

    A numpy array (not a subclass) with no ``missing=`` takes the short door: the core reads
    it in place with nothing to prepare, or returns None for what needs the general path
    (other dtypes, 2-D, unaligned, a time window...), which gives the same results for the
    same values. Registered collections (dask) go to their runner; everything else is
    prepared here. `params` is the verb's own ``**params`` dict, so ``times`` is taken out of
    it in place (it is data, and unhashable).
    """
    times = params.pop("times", None) if params else None
    if type(data) is np.ndarray and missing is None:
        full = _resolved(method, params)
        if "span" not in full:  # a span needs its times: the general path
            out = _native.run_plain(method, data, full, output)
            if out is not None:
                return out
    key = _OUTPUTS[output]
    for is_collection, run in _COLLECTIONS:
        if is_collection(data):
            if times is not None:
                params["times"] = times
            return run(data, method, params, key, missing)
    result = run_builtin(data, method, params, missing=missing, times=times, **{key: True})
    return (result["lower"], result["upper"]) if output == _BOUNDS else result[key]


@document
def detect(
    data: Data, method: str = "zscore", *, missing: Any = None, **params: Any
) -> np.ndarray:
    """Positions of the outliers in `data`.

    Parameters
    ----------
    data : array_like, pandas.Series or dask array
        1-D float, integer, datetime64 or timedelta64 data: a numpy array (any strides or
        byte order), a pandas Series (numpy, nullable or pyarrow backed), a list... It is
        read in place, never copied when it is native-order numeric memory, and never changed.
    {method_params}

    Returns
    -------
    numpy.ndarray
        int64 positions (0-based, ascending) of the flagged values, whatever the index.
        A lazy dask array for dask input.

    Raises
    ------
    {raises}

    See Also
    --------
    mask, scores, bounds, methods

    Examples
    --------
    >>> import outliers as ol
    >>> ol.detect([1.0, 1.1, 0.9, 1.0, 1.2, 0.8, 1.0, 1.1, 0.9, 1.0, 8.0], "mad")
    array([10])
    >>> ol.detect([1.0, 1.1, -9999.0, 0.9, 1.0, 1.2, 8.0], "mad", missing=-9999)
    array([6])

    Each point judged by its own window, here the 3 hours around it:

    >>> import pandas as pd
    >>> t = pd.date_range("2024-01-01", periods=8, freq="h")
    >>> ol.detect([1.0, 1.1, 0.9, 1.0, 7.0, 1.1, 0.9, 1.0], "mad", window="3h", times=t)
    array([4])
    """
    return _run(data, method, missing, params, _POSITIONS)


@document
def mask(data: Data, method: str = "zscore", *, missing: Any = None, **params: Any) -> np.ndarray:
    """Boolean mask of the outliers in `data`.

    Parameters
    ----------
    data : array_like, pandas.Series or dask array
        1-D float, integer, datetime64 or timedelta64 data, as for :func:`detect`.
    {method_params}

    Returns
    -------
    numpy.ndarray
        bool, one per value: True where flagged. Missing values are never flagged.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import outliers as ol
    >>> ol.mask([1.0, 1.1, 0.9, 1.0, 9.0], "iqr")
    array([False, False, False, False,  True])
    """
    return _run(data, method, missing, params, _MASK)


@document
def scores(
    data: Data, method: str = "zscore", *, missing: Any = None, **params: Any
) -> np.ndarray:
    """Outlier score of every value in `data`.

    Parameters
    ----------
    data : array_like, pandas.Series or dask array
        1-D float, integer, datetime64 or timedelta64 data, as for :func:`detect`.
    {method_params}

    Returns
    -------
    numpy.ndarray
        float64, one per value: the method's score (a value is flagged when its score passes
        the threshold), NaN for missing values, +inf for infinite ones.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import outliers as ol
    >>> ol.scores([1.0, 2.0, 3.0], "zscore").round(4)
    array([1.2247, 0.    , 1.2247])
    """
    return _run(data, method, missing, params, _SCORES)


@document
def bounds(data: Data, method: str = "zscore", *, missing: Any = None, **params: Any) -> Bounds:
    """The values beyond which a point is flagged.

    Parameters
    ----------
    data : array_like, pandas.Series or dask array
        1-D float, integer, datetime64 or timedelta64 data, as for :func:`detect`.
    {method_params}

    Returns
    -------
    Bounds
        The named tuple ``(lower, upper)``: scalars for the whole sample; arrays with one value
        per point for ``hampel`` and any call with a window. Datetime and timedelta data get
        bounds in their own dtype and unit (tz-aware data in its time zone). Empty data gives
        ``(nan, nan)``.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import outliers as ol
    >>> ol.bounds([1.0, 2.0, 3.0, 4.0], "iqr", k=1.0)
    Bounds(lower=np.float64(0.25), upper=np.float64(4.75))
    >>> lower, upper = ol.bounds([1.0, 2.0, 3.0, 4.0], "iqr", k=1.0)
    >>> float(upper)
    4.75
    >>> ol.bounds([1.0, 2.0, 3.0, 4.0, 5.0], "quantile", low=0.0, high=1.0, window=3).lower
    array([1., 1., 2., 3., 4.])
    """
    lower, upper = _run(data, method, missing, params, _BOUNDS)
    if type(lower) is float:  # the short door's scalars: numpy scalars, as on every path
        lower, upper = np.float64(lower), np.float64(upper)
    # tuple.__new__ builds the named tuple in one C call, where Bounds(lower, upper) runs its
    # generated Python __new__ (0.2 us, a tenth of a small array's whole call).
    return tuple.__new__(Bounds, (lower, upper))


def center(data: Data, method: str = "zscore", *, missing: Any = None, **params: Any) -> Any:
    """The method's center: a scalar, or one value per point for ``hampel`` or a window."""
    return run_builtin(data, method, params, missing=missing, center=True)["center"]


def methods() -> dict[str, dict[str, Any]]:
    """The built-in methods and their parameters with defaults.

    Returns
    -------
    dict
        ``{method name: {parameter: default}}``, a fresh copy on every call.

    Examples
    --------
    >>> import outliers as ol
    >>> list(ol.methods())
    ['zscore', 'mad', 'iqr', 'quantile', 'hampel', 'esd']
    >>> ol.methods()["hampel"]
    {'window': 7, 'threshold': 3.0}
    """
    return {name: dict(defaults) for name, defaults in METHODS.items()}
