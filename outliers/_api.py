"""The functional API: detect / mask / scores / bounds / methods, the single door into _core.

`ol.detect(arr)`, `Detector.detect` and the pandas accessors all run through `run_builtin` and
`run_custom` below, so they cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import _core
from ._inputs import Prepared, prepare, to_time
from ._params import METHODS, PER_POINT, resolve

__all__ = ["detect", "mask", "scores", "bounds", "methods"]


def run_builtin(
    data,
    method: str,
    params: dict[str, Any],
    *,
    positions: bool = False,
    mask: bool = False,
    scores: bool = False,
    bounds: bool = False,
    center: bool = False,
) -> dict[str, Any]:
    """Run a built-in method once, asking the core only for the outputs wanted."""
    full = resolve(method, params)
    prepared = prepare(data)
    result = _core.run(
        method,
        prepared.values,
        prepared.mask,
        prepared.int_min_is_missing,
        full,
        positions=positions,
        mask_out=mask,
        scores=scores,
        bounds=bounds,
        center=center,
    )
    for key in ("lower", "upper", "center"):
        result[key] = to_time(result[key], prepared.time_dtype)
    return result


def custom_view(prepared: Prepared) -> np.ndarray:
    """What a custom function is handed: the caller's memory, or float64 with NaN for masks."""
    if prepared.mask is not None:
        return prepared.as_float_with_nan()
    if prepared.time_dtype is not None:
        return prepared.values.view(prepared.time_dtype)
    return prepared.values


def run_custom(
    func: Callable, name: str, data, params: dict[str, Any], *, as_mask: bool = False
) -> np.ndarray:
    """Call a user's detection function on a read-only view of `data`.

    Returns the validated positions, or a boolean mask when `as_mask` is true.
    """
    prepared = prepare(data)
    positions = _core.call_detector(func, custom_view(prepared), params, name)
    if not as_mask:
        return positions
    out = np.zeros(prepared.size, dtype=bool)
    out[positions] = True
    return out


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
        The method's parameters (see :func:`methods` for names and defaults).

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
    return run_builtin(data, method, params, positions=True)["positions"]


def mask(data, method: str = "zscore", **params) -> np.ndarray:
    """Boolean mask of the outliers in `data` (missing values are never flagged).

    Examples
    --------
    >>> import outliers as ol
    >>> ol.mask([1.0, 1.1, 0.9, 1.0, 9.0], "iqr")
    array([False, False, False, False,  True])
    """
    return run_builtin(data, method, params, mask=True)["mask"]


def scores(data, method: str = "zscore", **params) -> np.ndarray:
    """Outlier score of every value: NaN for missing values, +inf for infinite ones.

    Examples
    --------
    >>> import outliers as ol
    >>> ol.scores([1.0, 2.0, 3.0], "zscore").round(4)
    array([1.2247, 0.    , 1.2247])
    """
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
    result = run_builtin(data, method, params, bounds=True)
    lower, upper = result["lower"], result["upper"]
    if method not in PER_POINT and not isinstance(lower, np.generic):
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
