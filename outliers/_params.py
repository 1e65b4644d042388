"""The built-in methods, their parameters and defaults, and the checks on them."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

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
    "hampel": "moving median and MAD over a centered window",
    "esd": "generalized ESD test (Rosner 1983)",
}

# Methods whose bounds and center differ from point to point.
PER_POINT = frozenset({"hampel"})


# The largest count the core reads (int64; odd, so a valid hampel window). A larger window,
# ddof or max_outliers means what this one means for any array memory can hold (a window past
# 2n covers the whole array, ddof >= n flags nothing, max_outliers stops at n - 2), so such
# values are clamped to it rather than refused.
COUNT_MAX = 2**63 - 1


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
    if name == "window" and (value < low or value % 2 == 0):
        raise ValueError(f"window must be odd and >= {low} (got {value})")
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


def _check_hampel(p: dict[str, Any]) -> None:
    _count(p, "window", 3)
    _check_threshold(p)


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
    "hampel": _check_hampel,
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


def resolve(method: str, params: dict[str, Any]) -> dict[str, Any]:
    """Merge `params` over the method's defaults and validate them; return the full set."""
    check_method(method)
    defaults = METHODS[method]
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        allowed = ", ".join(defaults)
        raise TypeError(
            f"{method} got unknown parameter(s) {', '.join(unknown)}; it takes: {allowed}"
        )
    full = {**defaults, **params}
    _CHECKS[method](full)
    return full


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
**params
    The method's parameters, by name (see the table)."""

_RAISES = """\
TypeError
    For data of a dtype that cannot be checked (bool, complex, object, strings,
    categoricals), an unknown parameter, or a parameter or ``missing`` of the wrong type.
ValueError
    For an unknown method (the message lists them), a parameter out of its range, or data
    that is not 1-D."""

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
