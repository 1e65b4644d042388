"""The built-in methods, their parameters and defaults, and the checks on them."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from . import _windows
from ._windows import COUNT_MAX

# name -> {parameter: default}; the single source for ol.methods(), validation and docs.
METHODS: dict[str, dict[str, Any]] = {
    "zscore": {"threshold": 3.0, "ddof": 0},
    "mad": {"threshold": 3.5},
    "iqr": {"k": 1.5},
    "quantile": {"low": 0.01, "high": 0.99},
    "hampel": {"window": 7, "threshold": 3.0},
    "esd": {"max_outliers": 10, "alpha": 0.05},
}

# What each method computes, one line each, for the methods table of the verbs' docstrings.
_SUMMARIES = {
    "zscore": "distance to the mean, in standard deviations",
    "mad": "distance to the median, in scaled MADs (modified z-score)",
    "iqr": "Tukey's fences around the quartiles",
    "quantile": "outside the low and high quantiles",
    "hampel": "median and MAD of a moving window (7 positions by default)",
    "esd": "generalized ESD test (Rosner 1983)",
}

# The context every method but esd takes beside its own parameters, with defaults: judge each
# point by its window rather than by the whole sample (hampel's window defaults to 7).
# ``times`` is data rather than a parameter: it is read only by a time window.
CONTEXT: dict[str, Any] = {"window": None, "center": True, "min_periods": 1, "times": None}

# Methods whose bounds and center differ from point to point whatever the call; with a window
# (_windows.is_windowed) every method's do.
PER_POINT = frozenset({"hampel"})

# COUNT_MAX (from _windows), the largest count the core reads (int64; odd, so a valid centred
# window): a larger window, ddof or max_outliers means what this one means for any array
# memory can hold (a window past 2n covers the whole array, ddof >= n flags nothing,
# max_outliers stops at n - 2), so such values are clamped to it rather than refused.


def _real(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number (got {value!r})")
    try:
        value = float(value)
    except OverflowError:  # an int beyond float's range: infinite, refused below as such
        value = math.inf if value > 0 else -math.inf
    if math.isnan(value):
        raise ValueError(f"{name} must not be NaN")
    return value


def _integer(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer (got {value!r})")
    return int(value)


def _count(p: dict[str, Any], name: str, low: int) -> int:
    """p[name] as an integer >= low, clamped to COUNT_MAX; ValueError below low."""
    value = _integer(name, p[name])
    if value < low:
        raise ValueError(f"{name} must be an integer >= {low} (got {value})")
    p[name] = min(value, COUNT_MAX)
    return p[name]


def _check_threshold(p: dict[str, Any]) -> None:
    p["threshold"] = t = _real("threshold", p["threshold"])
    if not (0 < t < math.inf):
        raise ValueError(f"threshold must be > 0 and finite (got {t!r})")


def _check_zscore(p: dict[str, Any]) -> None:
    _check_threshold(p)
    _count(p, "ddof", 0)


def _check_iqr(p: dict[str, Any]) -> None:
    p["k"] = k = _real("k", p["k"])
    if not (0 <= k < math.inf):
        raise ValueError(f"k must be >= 0 and finite (got {k!r})")


def _check_quantile(p: dict[str, Any]) -> None:
    p["low"] = low = _real("low", p["low"])
    p["high"] = high = _real("high", p["high"])
    if not (0 <= low < high <= 1):
        raise ValueError(
            f"low and high must satisfy 0 <= low < high <= 1 (got low={low!r}, high={high!r})"
        )


def _check_esd(p: dict[str, Any]) -> None:
    _count(p, "max_outliers", 1)
    p["alpha"] = a = _real("alpha", p["alpha"])
    if not (0 < a < 1):
        raise ValueError(f"alpha must be in (0, 1) (got {a!r})")


_CHECKS = {
    "zscore": _check_zscore,
    "mad": _check_threshold,
    "iqr": _check_iqr,
    "quantile": _check_quantile,
    "hampel": _check_threshold,  # its window is checked with the other methods' windows
    "esd": _check_esd,
}


def missing_values(missing: Any) -> list[float]:
    """The values ``missing=`` declares missing, as floats: the one place that reads it.

    ``None`` declares nothing; a real number declares itself; any other iterable (list, tuple,
    array...) declares each of its entries, which must be real numbers. Strings, mappings,
    booleans and anything else raise TypeError naming ``missing``.
    """
    if missing is None:
        return []
    if _is_real(missing):
        return [_as_double(missing)]
    if isinstance(missing, (str, bytes, Mapping)) or not isinstance(missing, Iterable):
        raise TypeError(
            f"missing must be a number or a sequence of numbers (got {type(missing).__name__} "
            f"{missing!r})"
        )
    items = np.ravel(np.asarray(missing, dtype=object)).tolist()
    for v in items:
        if not _is_real(v):
            raise TypeError(f"missing must be a number or a sequence of numbers (got {v!r})")
    return [_as_double(v) for v in items]


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _as_double(value: Any) -> float:
    try:
        return float(value)
    except OverflowError:  # an integer beyond any double: it cannot equal a value of the data
        digits = len(str(abs(value)))
        raise ValueError(f"missing: an integer of {digits} digits is beyond any double") from None


def check_method(method: Any) -> str:
    """Return `method` if it names a built-in method, else raise ValueError listing them."""
    if not isinstance(method, str) or method not in METHODS:
        names = ", ".join(METHODS)
        raise ValueError(f"unknown method {method!r}; the built-in methods are: {names}")
    return method


def check(method: str, params: dict[str, Any]) -> dict[str, Any]:
    """Merge `params` over the method's defaults and validate them: the user's view.

    The method's parameters with defaults filled in, and the window parameters given (a
    window as a count or a pd.Timedelta). ``times`` is data, never kept here. What this
    returns can be passed back as keywords.
    """
    check_method(method)
    defaults = METHODS[method]
    unknown = sorted(set(params) - set(defaults) - set(CONTEXT))
    if unknown:
        allowed = ", ".join(
            dict.fromkeys([*defaults, *(["times"] if method == "esd" else CONTEXT)])
        )
        raise TypeError(
            f"{method} got unknown parameter(s) {', '.join(unknown)}; it takes: {allowed}"
        )
    full = {**defaults, **params}
    full.pop("times", None)
    _CHECKS[method](full)
    _windows.check_context(method, full)
    return full


def resolve(method: str, params: dict[str, Any]) -> dict[str, Any]:
    """The checked parameters as the core reads them (see `_windows.core_params`).

    Without a window, the method's parameters with defaults; a span still needs its reach
    for the times' unit (`_windows.with_reach`) before the core can run it.
    """
    return _windows.core_params(check(method, params))


def methods_table(indent: str = "") -> str:
    """The built-in methods, their parameters with defaults and what they compute, as a table.

    Built from ``METHODS``, so that the verbs' docstrings (and ``help()``) cannot drift from
    the parameters the methods take.
    """
    rows = [
        (f"``{name}``", ", ".join(f"{k}={v!r}" for k, v in defaults.items()), _SUMMARIES[name])
        for name, defaults in METHODS.items()
    ]
    header = ("method", "parameters (defaults)", "computes")
    widths = [max(len(r[j]) for r in [header, *rows]) for j in range(3)]
    rule = "  ".join("=" * w for w in widths)

    def line(cells: tuple[str, str, str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    lines = [rule, line(header), rule, *(line(r) for r in rows), rule]
    return "\n".join(indent + ln for ln in lines)


# Docstring pieces every verb shares, each written once: a line that is exactly "{name}"
# (indented as the section) is replaced by the piece.
_METHOD_PARAMS = """\
method : str, default "zscore"
    A built-in method (the table of :func:`outliers.methods`):

{table}
missing : float or sequence of float, optional
    Values that stand for "not measured", such as ``-9999``: treated exactly like NaN
    (ignored by the statistics, never flagged), compared in place without copying.
window : int or str or timedelta, optional
    Judge each point by its neighbourhood instead of the whole sample (the default; hampel's
    is 7). An integer counts positions: centred, odd and >= 3, the point and ``window // 2``
    on each side (fewer at the ends); trailing, >= 2, the point and the ``window - 1`` before
    it. A fixed span (``"7D"``, ``"90min"``, a ``pd.Timedelta``, ``np.timedelta64`` or
    ``datetime.timedelta``) needs times: centred, the points within half the span of the
    point's time; trailing, the point and those before it less than the span earlier
    (pandas' ``rolling(span)``). Months, years and business days vary in length and are
    refused. Bounds and centers are then per point; ``esd`` tests the whole sample and takes
    no window.
center : bool, default True
    Centred windows, or trailing ones (``False``: the point and what precedes it).
min_periods : int, default 1
    A point whose window holds fewer finite values is not flagged and gets score, bounds and
    center NaN (infinite values, always flagged, excepted).
times : array_like of datetime64 or timedelta64, optional
    For a span: the time of each value, non-decreasing (ties allowed), tz-aware compared as
    instants; by default the data's DatetimeIndex or TimedeltaIndex. Read in place.
**params
    The method's parameters, by name (see the table)."""

_RAISES = """\
TypeError
    For data of a dtype that cannot be checked (bool, complex, object, strings,
    categoricals), an unknown parameter, or a parameter or ``missing`` of the wrong type.
ValueError
    For an unknown method (the message lists them), a parameter out of its range, data that
    is not 1-D, a calendar window, or a span without times, or with times that hold NaT,
    decrease or do not match the data's length."""

_COLUMNS = """\
columns : label or list of labels, optional
    The columns to check, datetime and timedelta ones included; by default every float and
    integer column. Complex, bool, object, string and categorical columns are never checked
    by default and raise TypeError when named."""

_DOC_PIECES = {
    "columns": lambda: _COLUMNS,
    "methods": lambda: methods_table(),
    "method_params": lambda: _METHOD_PARAMS.format(table=methods_table("    ")),
    "raises": lambda: _RAISES,
    "frame_raises": lambda: _RAISES + "\nKeyError\n    For a column that is not in the frame.",
}


def document(func: Any) -> Any:
    """Fill the shared pieces (``{methods}``, ``{method_params}``, ``{raises}``) of a docstring.

    So that ``help(ol.detect)`` and ``help(s.outliers.detect)`` name the methods and their
    parameters, from the same table as :func:`outliers.methods`.
    """
    doc = func.__doc__
    if not doc:
        return func
    lines: list[str] = []
    for ln in doc.splitlines():
        name = ln.strip()[1:-1] if ln.strip().startswith("{") else ""
        if name in _DOC_PIECES:
            indent = ln[: len(ln) - len(ln.lstrip())]
            lines.extend(
                indent + piece if piece else "" for piece in _DOC_PIECES[name]().split("\n")
            )
        else:
            lines.append(ln)
    func.__doc__ = "\n".join(lines)
    return func
