"""Detector: a built-in method, a callable, or a "module:function" path; load and close."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _api
from ._api import Bounds
from ._params import check, document, missing_values

if TYPE_CHECKING:
    from ._api import Data


def _import_path(module: str, attribute: str) -> Callable:
    path = f"{module}:{attribute}"
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as e:
        raise ModuleNotFoundError(
            f"cannot load detection function {path!r}: {e}", name=e.name
        ) from e
    try:
        func = getattr(mod, attribute)
    except AttributeError as e:
        raise AttributeError(
            f"cannot load detection function {path!r}: module {module!r} has no attribute "
            f"{attribute!r}"
        ) from e
    if not callable(func):
        raise TypeError(f"{path!r} is not callable (it is a {type(func).__name__})")
    return func


def _name_of(func: Callable) -> str:
    name = getattr(func, "__qualname__", None) or getattr(func, "__name__", None)
    if name is None:  # e.g. functools.partial or a callable instance: its repr says what it is
        return repr(func)
    module = getattr(func, "__module__", None)
    return f"{module}.{name}" if module and module != "__main__" else name


@document
class Detector:
    """An outlier detector: a built-in method or a user's detection function.

    Parameters
    ----------
    method : str or callable, default "zscore"
        A built-in method name (the table below), a callable, or an import path
        ``"module:function"``. A built-in name never contains ``:``; a path always does.

        {methods}
    missing : float or sequence of float, optional
        Built-in methods only: values that stand for "not measured", such as ``-9999``,
        treated exactly like NaN. A custom function is handed the values as they are.
    **params
        Parameters: checked now for a built-in method, passed as keywords to a callable.
        A built-in method takes a window here too (``window=``, ``center=``,
        ``min_periods=``); the times of a span belong to the data: a Series' DatetimeIndex,
        or ``times=`` given to each call (``d.detect(x, times=t)``), never here.

    Raises
    ------
    ValueError
        For an unknown built-in method or a parameter out of its range.
    TypeError
        For an unknown parameter of a built-in method, a bad ``missing``, ``missing`` with a
        custom function, or ``times`` (given to each call instead).
    ModuleNotFoundError, AttributeError
        For an import path whose module or attribute does not exist.

    Notes
    -----
    A callable is called as ``func(values, **params)``, where ``values`` is a read-only 1-D
    numpy array sharing memory with the caller's data (float64 with NaN at missing positions
    for pandas masked arrays); numpy refuses to make it writable. It returns integer
    positions or a boolean mask of the same length (of a numpy masked array, the masked
    entries are not flagged); the core checks the result and returns sorted, unique int64
    positions. Custom functions have no scores or bounds.

    A Detector may be used from several threads at once.

    Examples
    --------
    >>> import numpy as np, outliers as ol
    >>> with ol.Detector("zscore", threshold=2.0) as d:
    ...     d.detect(np.array([0.0, 0.1, -0.1, 0.05, -0.05, 0.02, -0.02, 9.0]))
    array([7])
    >>> ol.Detector(lambda v: v > 1).detect([0.5, 2.0, 0.7])
    array([1])
    >>> import pandas as pd
    >>> d = ol.Detector("mad", window="3h")
    >>> t = pd.date_range("2024-01-01", periods=8, freq="h")
    >>> d.detect([1.0, 1.1, 0.9, 1.0, 7.0, 1.1, 0.9, 1.0], times=t)
    array([4])
    """

    def __init__(
        self, method: str | Callable = "zscore", /, *, missing: Any = None, **params: Any
    ) -> None:
        self._lock = threading.Lock()
        self._closed = False
        self._missing = missing
        if "times" in params:
            raise TypeError(
                "times= belongs to the data: give it to each call (d.detect(x, times=t)), or "
                "use a Series with a DatetimeIndex"
            )
        if missing is not None and (callable(method) or ":" in str(method)):
            raise TypeError(
                "missing= applies to the built-in methods: a custom function is handed the "
                "values as they are (pass your sentinels to it as a parameter of your own)"
            )
        if callable(method):
            self._func: Callable | None = method
            self._method = None
            self._name = _name_of(method)
            self._params = dict(params)
        elif isinstance(method, str) and ":" in method:
            module, _, attribute = method.partition(":")
            self._func = _import_path(module, attribute)
            self._method = None
            self._name = method
            self._params = dict(params)
        else:
            self._params = check(method, params)  # ValueError for unknown names
            missing_values(missing)  # checked now, not at the first call
            self._func = None
            self._method = method
            self._name = method

    @classmethod
    def load(cls, module: str, function: str, /, **params: Any) -> Detector:
        """Load ``function`` from ``module``: the same as ``Detector("module:function")``."""
        return cls(f"{module}:{function}", **params)

    @property
    def method(self) -> str:
        """The built-in method's name, or the function's qualified name."""
        return self._name

    @property
    def params(self) -> dict[str, Any]:
        """The parameters (with defaults filled in for built-in methods)."""
        return dict(self._params)

    @property
    def missing(self) -> Any:
        """The values declared missing (``missing=``), as given; None when none are."""
        return self._missing

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has been called."""
        return self._closed

    def _target(self) -> Callable | None:
        with self._lock:
            if self._closed:
                raise RuntimeError(f"Detector({self._name!r}) is closed")
            return self._func

    def _with(self, times: Any) -> dict[str, Any]:
        """The parameters of a built-in method's call: the Detector's, and this call's times."""
        return self._params if times is None else {**self._params, "times": times}

    def _custom_params(self, times: Any) -> dict[str, Any]:
        if times is not None:
            raise TypeError(
                f"times= applies to the built-in methods' windows; {self._name} is a custom "
                "function (give it times as a parameter of your own)"
            )
        return self._params

    def _builtin_only(self, verb: str) -> None:
        if self._target() is not None:
            raise TypeError(
                f"{verb}() is not available for the custom function {self._name}: "
                "custom functions return positions only, they have no scores or bounds"
            )

    def detect(self, data: Data, *, times: Any = None) -> np.ndarray:
        """Positions of the outliers in `data`.

        Parameters
        ----------
        data : array_like or pandas.Series
            1-D float, integer, datetime64 or timedelta64 data (see :func:`outliers.detect`).
        times : array_like of datetime64 or timedelta64, optional
            The times of the values, for a window given as a span (by default the data's
            DatetimeIndex); built-in methods only.

        Returns
        -------
        numpy.ndarray
            int64 positions (0-based, ascending) of the flagged values. A custom function's
            result (positions or a boolean mask) is checked and normalised to these.

        Raises
        ------
        RuntimeError
            When the Detector is closed.
        TypeError
            For data of a dtype that cannot be checked.
        ValueError
            For data that is not 1-D, a custom function's result that is not valid, or a
            span without times or with times that hold NaT, decrease or differ in length.

        Examples
        --------
        >>> import outliers as ol
        >>> ol.Detector("mad").detect([1.0, 1.1, 0.9, 1.0, 1.2, 0.8, 9.0])
        array([6])
        """
        func = self._target()
        if func is not None:
            return _api.run_custom(func, self._name, data, self._custom_params(times))
        return _api.detect(data, self._method, missing=self._missing, **self._with(times))

    def mask(self, data: Data, *, times: Any = None) -> np.ndarray:
        """Boolean mask of the outliers in `data`.

        Parameters
        ----------
        data : array_like or pandas.Series
            1-D float, integer, datetime64 or timedelta64 data (see :func:`outliers.detect`).
        times : array_like of datetime64 or timedelta64, optional
            The times of the values, for a window given as a span (by default the data's
            DatetimeIndex); built-in methods only.

        Returns
        -------
        numpy.ndarray
            bool, one per value: True where flagged.

        Raises
        ------
        RuntimeError
            When the Detector is closed.
        TypeError
            For data of a dtype that cannot be checked.
        ValueError
            For data that is not 1-D, a custom function's result that is not valid, or a
            span without times or with times that hold NaT, decrease or differ in length.

        Examples
        --------
        >>> import outliers as ol
        >>> ol.Detector("iqr").mask([1.0, 1.1, 0.9, 1.0, 9.0])
        array([False, False, False, False,  True])
        """
        func = self._target()
        if func is None:
            return _api.mask(data, self._method, missing=self._missing, **self._with(times))
        return _api.run_custom(func, self._name, data, self._custom_params(times), as_mask=True)

    def scores(self, data: Data, *, times: Any = None) -> np.ndarray:
        """Outlier score of every value in `data` (built-in methods only).

        Parameters
        ----------
        data : array_like or pandas.Series
            1-D float, integer, datetime64 or timedelta64 data (see :func:`outliers.detect`).
        times : array_like of datetime64 or timedelta64, optional
            The times of the values, for a window given as a span (by default the data's
            DatetimeIndex); built-in methods only.

        Returns
        -------
        numpy.ndarray
            float64, one per value: NaN for missing values, +inf for infinite ones.

        Raises
        ------
        RuntimeError
            When the Detector is closed.
        TypeError
            For data of a dtype that cannot be checked, or a custom function (it has no scores).
        ValueError
            For data that is not 1-D, or a span without times or with times that hold NaT,
            decrease or differ in length.

        Examples
        --------
        >>> import outliers as ol
        >>> ol.Detector("zscore").scores([1.0, 2.0, 3.0]).round(4)
        array([1.2247, 0.    , 1.2247])
        """
        self._builtin_only("scores")
        return _api.scores(data, self._method, missing=self._missing, **self._with(times))

    def bounds(self, data: Data, *, times: Any = None) -> Bounds:
        """The values beyond which a point is flagged (built-in methods only).

        Parameters
        ----------
        data : array_like or pandas.Series
            1-D float, integer, datetime64 or timedelta64 data (see :func:`outliers.detect`).
        times : array_like of datetime64 or timedelta64, optional
            The times of the values, for a window given as a span (by default the data's
            DatetimeIndex); built-in methods only.

        Returns
        -------
        Bounds
            The named tuple ``(lower, upper)``, as :func:`outliers.bounds` gives it.

        Raises
        ------
        RuntimeError
            When the Detector is closed.
        TypeError
            For data of a dtype that cannot be checked, or a custom function (it has no bounds).
        ValueError
            For data that is not 1-D, or a span without times or with times that hold NaT,
            decrease or differ in length.

        Examples
        --------
        >>> import outliers as ol
        >>> ol.Detector("iqr", k=1.0).bounds([1.0, 2.0, 3.0, 4.0])
        Bounds(lower=np.float64(0.25), upper=np.float64(4.75))
        """
        self._builtin_only("bounds")
        return _api.bounds(data, self._method, missing=self._missing, **self._with(times))

    def close(self) -> None:
        """Release the function; any later call raises RuntimeError.

        Examples
        --------
        >>> import outliers as ol
        >>> d = ol.Detector("mad")
        >>> d.close()
        >>> d.closed
        True
        """
        with self._lock:
            self._closed = True
            self._func = None

    def __enter__(self) -> Detector:
        self._target()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = ", closed" if self._closed else ""
        params = "".join(f", {k}={v!r}" for k, v in self._params.items())
        if self._missing is not None:
            params += f", missing={self._missing!r}"
        return f"Detector({self._name!r}{params}{state})"
