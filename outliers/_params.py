"""The built-in methods, their parameters and defaults, and the checks on them (SPEC §4, §5)."""

from __future__ import annotations

import math
import numbers
from typing import Any

# name -> {parameter: default}; the single source for ol.methods(), validation and docs.
METHODS: dict[str, dict[str, Any]] = {
    "zscore": {"threshold": 3.0, "ddof": 0},
    "mad": {"threshold": 3.5},
    "iqr": {"k": 1.5},
    "quantile": {"low": 0.01, "high": 0.99},
    "hampel": {"window": 7, "threshold": 3.0},
    "esd": {"max_outliers": 10, "alpha": 0.05},
}

# Methods whose bounds and center differ from point to point.
PER_POINT = frozenset({"hampel"})


# The largest count the core reads (int64; odd, so a valid hampel window). A larger window,
# ddof or max_outliers means what this one means for any array memory can hold (a window past
# 2n covers the whole array, ddof >= n flags nothing, max_outliers stops at n - 2), so such
# values are clamped to it rather than refused (issue 15).
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
