"""The functional API: detect / mask / scores / bounds / methods, the single door into _core.

`ol.detect(arr)`, `Detector.detect` and the pandas accessors all run through `run_builtin` and
`run_custom` below, so they cannot drift apart.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _core, _dask
from ._inputs import prepare, to_time
from ._params import METHODS, resolve

__all__ = ["detect", "mask", "scores", "bounds", "methods"]

# Native-order float and integer dtypes: arrays of these that are 1-D and aligned are read in
# place as they are (SPEC §2).
_PLAIN = frozenset(
    np.dtype(t) for t in ("f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8")
)

# The output codes of _core.run_plain.
_POSITIONS, _MASK, _SCORES, _BOUNDS = 0, 1, 2, 3

# resolve() results for repeated calls: (method, (name, type, value)...) -> checked parameters.
# The type is part of the key so that True and 1 (equal, same hash) stay apart.
_RESOLVED: dict[tuple, dict[str, Any]] = {}
_RESOLVED_MAX = 256


def sentinels(missing) -> list[float]:
    """The values declared missing (``missing=``): a number or a list of numbers."""
    if missing is None:
        return []
    items = missing if isinstance(missing, (list, tuple, np.ndarray)) else [missing]
    out = []
    for v in np.asarray(items, dtype=object).ravel().tolist():
        if isinstance(v, bool) or not isinstance(v, (numbers.Real, np.number)):
            raise TypeError(f"missing must be a number or a list of numbers (got {v!r})")
        out.append(float(v))
    return out


def _resolved(method, params: dict[str, Any]) -> dict[str, Any]:
    """``resolve(method, params)``, remembered when the method and values are hashable.

    The returned dict is shared between calls: it is only ever read.
    """
    try:
        key = (method, *[(name, type(v), v) for name, v in params.items()])
        full = _RESOLVED.get(key)
    except TypeError:  # an unhashable method or value: nothing to remember
        return resolve(method, params)
    if full is None:
        full = resolve(method, params)  # raises for anything invalid: only valid sets are kept
        if len(_RESOLVED) >= _RESOLVED_MAX:
            _RESOLVED.clear()
        _RESOLVED[key] = full
    return full


def _run_plain(data, method, params: dict[str, Any], output: int):
    """The short door for a plain ndarray; None when `data` needs the general path.

    A numpy array (not a subclass) of a float or integer dtype, 1-D, aligned and in native
    byte order is read in place by the core with nothing to prepare: no pandas, no sentinels,
    no time units. Everything else returns None and goes through `run_builtin`, which gives
    the same results for the same values.
    """
    if type(data) is not np.ndarray or "missing" in params:
        return None
    return _core.run_plain(method, data, _resolved(method, params), output)


def run_builtin_columns(
    columns: list,
    method: str,
    params: dict[str, Any],
    *,
    positions: bool = False,
    mask: bool = False,
    scores: bool = False,
    bounds: bool = False,
    center: bool = False,
) -> list[dict[str, Any]]:
    """Run a built-in method on several 1-D inputs in one core call (in parallel, no GIL).

    Only the outputs asked for are computed; bounds and centers of datetime/timedelta inputs
    come back in the input's dtype.
    """
    params = dict(params)
    declared_missing = sentinels(params.pop("missing", None))
    full = resolve(method, params)
    prepared = [prepare(c) for c in columns]
    results = _core.run_columns(
        method,
        [p.core_column() for p in prepared],
        full,
        declared_missing,
        positions=positions,
        mask=mask,
        scores=scores,
        bounds=bounds,
        center=center,
    )
    for p, result in zip(prepared, results, strict=True):
        for key in ("lower", "upper", "center"):
            value = result[key]
            if isinstance(value, float):
                value = np.float64(value)  # numpy scalars: float32 data is not rounded to them
            result[key] = to_time(value, p.time_dtype)
    return results


def run_builtin(data, method: str, params: dict[str, Any], **outputs: bool) -> dict[str, Any]:
    """Run a built-in method on one 1-D input, computing only the outputs asked for."""
    return run_builtin_columns([data], method, params, **outputs)[0]


def run_custom(
    func: Callable, name: str, data, params: dict[str, Any], *, as_mask: bool = False
) -> np.ndarray:
    """Call a user's detection function on a read-only view of `data`.

    Returns the validated positions, or a boolean mask when `as_mask` is true.
    """
    if type(data) is np.ndarray and data.dtype in _PLAIN and data.ndim == 1 and data.flags.aligned:
        values = data  # what prepare(data).for_custom_function() gives, without preparing
    else:
        values = prepare(data).for_custom_function()
    return _core.call_detector(func, values, params, name, as_mask)


def detect(data, method: str = "zscore", **params) -> np.ndarray:
    """Positions of the outliers in `data`.

    Parameters
    ----------
    data : array_like or pandas.Series
        1-D numeric, datetime64 or timedelta64 data (SPEC §2). It is read in place, never
        copied when it is native-order numeric memory, and never changed.
    method : str
        One of :func:`methods`: ``"zscore"``, ``"mad"``, ``"iqr"``, ``"quantile"``,
        ``"hampel"``, ``"esd"``.
    **params
        The method's parameters (see :func:`methods` for names and defaults), and
        ``missing=``: a number or list of numbers to treat as missing values, such as a
        ``-9999`` "not measured" sentinel (read in place: the data is not copied).

    Returns
    -------
    numpy.ndarray
        int64 positions (0-based, ascending) of the flagged values, whatever the index.

    Examples
    --------
    >>> import outliers as ol
    >>> ol.detect([1.0, 1.1, 0.9, 1.0, 1.2, 0.8, 1.0, 1.1, 0.9, 1.0, 8.0], "mad")
    array([10])
    """
    out = _run_plain(data, method, params, _POSITIONS)
    if out is not None:
        return out
    if _dask.is_dask(data):
        return _dask.run(data, method, params, "positions")
    return run_builtin(data, method, params, positions=True)["positions"]


def mask(data, method: str = "zscore", **params) -> np.ndarray:
    """Boolean mask of the outliers in `data` (missing values are never flagged).

    Examples
    --------
    >>> import outliers as ol
    >>> ol.mask([1.0, 1.1, 0.9, 1.0, 9.0], "iqr")
    array([False, False, False, False,  True])
    """
    out = _run_plain(data, method, params, _MASK)
    if out is not None:
        return out
    if _dask.is_dask(data):
        return _dask.run(data, method, params, "mask")
    return run_builtin(data, method, params, mask=True)["mask"]


def scores(data, method: str = "zscore", **params) -> np.ndarray:
    """Outlier score of every value: NaN for missing values, +inf for infinite ones.

    Examples
    --------
    >>> import outliers as ol
    >>> ol.scores([1.0, 2.0, 3.0], "zscore").round(4)
    array([1.2247, 0.    , 1.2247])
    """
    out = _run_plain(data, method, params, _SCORES)
    if out is not None:
        return out
    if _dask.is_dask(data):
        return _dask.run(data, method, params, "scores")
    return run_builtin(data, method, params, scores=True)["scores"]


def bounds(data, method: str = "zscore", **params):
    """The values beyond which a point is flagged, as ``(lower, upper)``.

    Scalars for every method but ``hampel``, whose bounds are arrays, one value per point.
    Datetime and timedelta data get bounds in their own dtype and unit. Empty data gives
    ``(nan, nan)``.

    Examples
    --------
    >>> import outliers as ol
    >>> ol.bounds([1.0, 2.0, 3.0, 4.0], "iqr", k=1.0)
    (np.float64(0.25), np.float64(4.75))
    """
    out = _run_plain(data, method, params, _BOUNDS)
    if out is None and _dask.is_dask(data):
        return _dask.run(data, method, params, "bounds")
    if out is None:
        result = run_builtin(data, method, params, bounds=True)
        return result["lower"], result["upper"]
    lower, upper = out
    if np.ndim(lower) == 0:  # numpy scalars, as on the general path
        lower, upper = np.float64(lower), np.float64(upper)
    return lower, upper


def center(data, method: str = "zscore", **params):
    """The method's center: a scalar, or one value per point for ``hampel`` (SPEC §4)."""
    return run_builtin(data, method, params, center=True)["center"]


def methods() -> dict[str, dict[str, Any]]:
    """The built-in methods and their parameters with defaults.

    Examples
    --------
    >>> import outliers as ol
    >>> ol.methods()["hampel"]
    {'window': 7, 'threshold': 3.0}
    """
    return {name: dict(defaults) for name, defaults in METHODS.items()}
