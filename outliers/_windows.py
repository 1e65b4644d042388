"""Windows: ``window``, ``center`` and ``min_periods`` checked, spans turned into reaches.

Resolution has two steps. The user's values are checked first (`check_context`, called by
``_params.check``) and turned into the parameters the core reads (`core_params`); a span
waits there, as ``"span"`` (nanoseconds) with ``"time_reach": None``, until the times are known.
Then `resolve_times` reads the times in place (``times=``, or the data's DatetimeIndex) and
`with_reach` gives the span in the times' own unit. The core refuses a None reach, so a span
can never run as a whole-sample call by mistake.
"""

from __future__ import annotations

import datetime
import numbers
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np

# The largest count the core reads (int64): larger counts, reaches and min_periods mean what
# this one means for any array memory can hold, so they are clamped to it.
COUNT_MAX = 2**63 - 1
_NAT = np.iinfo(np.int64).min

# Nanoseconds per tick of numpy's fixed time units ("M" and "Y" vary in length).
_NS = {
    "W": Fraction(7 * 86_400 * 10**9),
    "D": Fraction(86_400 * 10**9),
    "h": Fraction(3_600 * 10**9),
    "m": Fraction(60 * 10**9),
    "s": Fraction(10**9),
    "ms": Fraction(10**6),
    "us": Fraction(10**3),
    "ns": Fraction(1),
    "ps": Fraction(1, 10**3),
    "fs": Fraction(1, 10**6),
    "as": Fraction(1, 10**9),
}

_SPAN_HINT = "a count (an integer) or a fixed span such as '7D', '90min' or pd.Timedelta(hours=6)"


def _calendar(value: Any) -> ValueError:
    return ValueError(
        f"window {value!r} is a calendar unit of varying length (months, years, business "
        "days...): give a fixed span such as '30D' or '7D'"
    )


def _span(value: Any) -> Any:
    """`value` as a positive pd.Timedelta; TypeError / ValueError naming window otherwise."""
    import pandas as pd

    # Offsets are refused as a kind, the fixed ones (Hour) too: most are calendar units, and
    # pandas 3 made even Day one.
    if isinstance(value, pd.offsets.BaseOffset):
        raise ValueError(
            f"window must be a fixed span, not a pandas offset (got {value!r}): pass "
            "pd.Timedelta or a string such as '1D'"
        )
    if isinstance(value, np.timedelta64):
        unit = np.datetime_data(value.dtype)[0]
        if unit in ("M", "Y"):
            raise _calendar(value)
        if unit == "generic":
            raise ValueError(
                f"window {value!r} has no unit: give one, e.g. np.timedelta64(1, 'D')"
            )
    elif isinstance(value, str):
        try:  # a bare number would be read as nanoseconds
            float(value)
        except ValueError:
            pass
        else:
            raise ValueError(
                f"window {value!r} has no unit: an integer counts positions (window="
                f"{value.strip()}), a span needs one ('{value.strip()}D', '{value.strip()}h'...)"
            )
    elif not isinstance(value, datetime.timedelta):  # pd.Timedelta is one too
        raise TypeError(f"window must be {_SPAN_HINT} (got {type(value).__name__} {value!r})")
    try:
        span = pd.Timedelta(value)
    except (ValueError, OverflowError) as e:
        if isinstance(value, str) and _is_calendar_string(value):
            raise _calendar(value) from None
        raise ValueError(f"window {value!r} is not a span: {e}") from None
    if span is pd.NaT or span <= pd.Timedelta(0):
        raise ValueError(f"window must be a span > 0 (got {value!r})")
    return span


def _is_calendar_string(text: str) -> bool:
    """True when pandas reads `text` as a calendar offset ("MS", "1B", "QE"...) or a month."""
    import pandas as pd
    from pandas.tseries.frequencies import to_offset

    try:
        offset = to_offset(text)
    except ValueError as e:  # pandas' message for "1M", "1Q", "1Y": no longer offsets either
        return "no longer supported" in str(e)
    return not isinstance(offset, (pd.offsets.Tick, pd.offsets.Day))


def span_ns(span: Any) -> int:
    """A checked span (pd.Timedelta) in nanoseconds, exactly, as a Python int (no overflow)."""
    t64 = span.to_timedelta64()
    unit, count = np.datetime_data(t64.dtype)
    ns = int(t64.astype(np.int64)) * count * _NS[unit]
    return int(ns)  # pandas' units are ns or coarser: whole nanoseconds


def _count(window: Any, center: bool) -> int:
    value = int(window)
    if center and (value < 3 or value % 2 == 0):
        raise ValueError(
            f"window must be odd and >= 3 for a centred window (got {value}); a trailing "
            "window (center=False) takes any count >= 2"
        )
    if not center and value < 2:
        raise ValueError(f"window must be >= 2 for a trailing window (got {value})")
    return min(value, COUNT_MAX)


def parse_window(window: Any, center: bool = True) -> Any:
    """The user's window: None, a count (int, clamped to COUNT_MAX) or a span (pd.Timedelta).

    Raises TypeError for a bool, a float or another type; ValueError for a count the window
    kind refuses (centred: odd and >= 3; trailing: >= 2), a span <= 0 or NaT, a calendar unit
    and a string that is not a span.
    """
    if window is None:
        return None
    if isinstance(window, numbers.Integral) and not isinstance(
        window,
        (bool, np.bool_, np.timedelta64),  # numpy's timedelta64 is an integer type
    ):
        return _count(window, center)
    if isinstance(window, (bool, np.bool_, numbers.Real)) and not isinstance(
        window, np.timedelta64
    ):
        raise TypeError(f"window must be {_SPAN_HINT} (got {window!r})")
    return _span(window)


def check_center(center: Any) -> bool:
    if not isinstance(center, (bool, np.bool_)):
        raise TypeError(f"center must be True or False (got {center!r})")
    return bool(center)


def check_min_periods(min_periods: Any) -> int:
    if isinstance(min_periods, (bool, np.bool_)) or not isinstance(min_periods, numbers.Integral):
        raise TypeError(f"min_periods must be an integer (got {min_periods!r})")
    value = int(min_periods)
    if value < 1:
        raise ValueError(f"min_periods must be an integer >= 1 (got {value})")
    return min(value, COUNT_MAX)


def check_context(method: str, p: dict[str, Any]) -> None:
    """Check and normalise, in place, the window keys of `p` (a method's merged parameters).

    ``esd`` tests the whole sample and refuses them; ``hampel`` needs a window.
    """
    given = [k for k in ("window", "center", "min_periods") if k in p]
    if method == "esd":
        if given and not (given == ["window"] and p["window"] is None):
            raise ValueError(
                "esd tests the whole sample at once: it takes no window, center or min_periods "
                f"(got {', '.join(f'{k}={p[k]!r}' for k in given)})"
            )
        p.pop("window", None)
        return
    if "center" in p:
        p["center"] = check_center(p["center"])
    if "min_periods" in p:
        p["min_periods"] = check_min_periods(p["min_periods"])
    if "window" in p:
        p["window"] = parse_window(p["window"], p.get("center", True))
    if p.get("window") is None:
        if method == "hampel":
            raise ValueError(f"hampel needs a window: {_SPAN_HINT}; for the whole sample, use mad")
        if p.get("min_periods", 1) != 1:
            raise ValueError("min_periods applies to windows: give window= too")


def core_params(p: dict[str, Any]) -> dict[str, Any]:
    """The parameters the core reads, from checked ones (`check_context` has run on `p`).

    Without a window: the method's own parameters, nothing more. A count: ``"window"``,
    ``"center"``, ``"min_periods"``. A span: ``"window": 0``, ``"span"`` (ns, for Python
    only) and ``"time_reach": None``, to be set by `with_reach` once the times are known.
    """
    window = p.get("window")
    out = {k: v for k, v in p.items() if k not in ("window", "center", "min_periods")}
    if window is None:
        return out
    out["center"] = p.get("center", True)
    out["min_periods"] = p.get("min_periods", 1)
    if isinstance(window, int):
        out["window"] = window
    else:
        out["window"] = 0
        out["span"] = span_ns(window)
        out["time_reach"] = None
    return out


def is_windowed(full: dict[str, Any]) -> bool:
    """True when the resolved parameters judge each point by its own window (per-point bounds)."""
    return full.get("window", 0) > 0 or "span" in full


def is_timed(full: dict[str, Any]) -> bool:
    """True when the resolved parameters hold a span, which needs times."""
    return "span" in full


def ns_per_tick(dtype: np.dtype) -> Fraction:
    """Nanoseconds per unit of a datetime64/timedelta64 dtype ("M8[10s]": 10**10).

    ValueError for months, years and dtypes without a unit, whose ticks have no fixed length.
    """
    unit, count = np.datetime_data(dtype)
    if unit not in _NS:
        raise ValueError(
            f"times in {dtype} have no fixed length per tick: give them in days or finer units"
        )
    return count * _NS[unit]


def reach(span: int, center: bool, dtype: np.dtype) -> int:
    """A span (ns) as the core's reach in ticks of `dtype`, clamped to COUNT_MAX.

    Centred: W_i = {j : |t_j - t_i| <= reach}, reach = floor(span / 2 / tick); trailing:
    W_i = {j <= i : t_i - t_j < reach}, reach = ceil(span / tick) >= 1. Times are whole ticks,
    so these hold exactly the points within span / 2, or less than span before.
    """
    ticks = Fraction(span) / ns_per_tick(dtype)
    out = (ticks / 2).__floor__() if center else (ticks).__ceil__()
    return min(out, COUNT_MAX)


def with_reach(full: dict[str, Any], dtype: np.dtype) -> dict[str, Any]:
    """A copy of resolved parameters holding a span, with its ``"time_reach"`` for `dtype`."""
    return {**full, "time_reach": reach(full["span"], full["center"], dtype)}


class Times(NamedTuple):
    """Times as the core reads them: an int64 view of the caller's memory, and its dtype."""

    values: np.ndarray
    dtype: np.dtype


def _as_times(times: Any, name: str) -> tuple[Any, Times]:
    """(a pandas Index to ask for monotonicity, or None; the int64 view and its dtype)."""
    import pandas as pd

    from ._inputs import column_kind, prepare

    if not isinstance(times, (np.ndarray, pd.Series, pd.Index)):
        if np.ndim(times) != 1:
            raise ValueError(f"{name} must be 1-D (got shape {np.shape(times)})")
        times = pd.Index(times, copy=False)  # a list of Timestamps, a DatetimeArray...
    if times.ndim != 1:
        raise ValueError(f"{name} must be 1-D (got shape {times.shape})")
    dtype = times.dtype
    if column_kind(dtype) != "time":
        raise TypeError(f"{name} must hold datetime64 or timedelta64 values (got dtype {dtype})")
    p = prepare(times)
    assert p.time_dtype is not None
    if p.bits is not None or (p.mask is not None and p.mask.any()):  # arrow nulls
        raise ValueError(f"{name} holds missing times (NaT): every value needs a time")
    index = times if isinstance(times, (pd.DatetimeIndex, pd.TimedeltaIndex)) else None
    return index, Times(p.values, p.time_dtype)


def resolve_times(times: Any, index: Any, n: int, span: Any = None) -> Times:
    """The times of a time window: ``times=`` if given, else `index` (the data's).

    Read in place as int64 (tz-aware times as UTC instants). ValueError (naming ``times`` or
    the index) when there are none, when their length is not `n`, or when they hold NaT or
    decrease; TypeError when they are not datetime64/timedelta64.
    """
    import pandas as pd

    if times is None:
        name = "the index"
        if not isinstance(index, (pd.DatetimeIndex, pd.TimedeltaIndex)):
            what = "" if index is None else f" (the index is a {type(index).__name__})"
            raise ValueError(
                f"a time window (window={span!r}) needs times: pass times= or give the data a "
                f"DatetimeIndex{what}"
            )
        source = index
    else:
        name, source = "times", times
    mono_index, t = _as_times(source, name)
    if t.values.shape[0] != n:
        raise ValueError(f"{name} has {t.values.shape[0]} values for data of {n}")
    if mono_index is not None:  # cached by pandas: free on later calls; False with any NaT
        ordered = mono_index.is_monotonic_increasing
    else:
        ordered = pd.Index(t.values, copy=False).is_monotonic_increasing
        ordered = ordered and (n == 0 or t.values[0] != _NAT)  # NaT is int64's least value
    if not ordered:
        if bool(np.any(t.values == _NAT)):
            raise ValueError(f"{name} holds missing times (NaT): every value needs a time")
        raise ValueError(
            f"{name} must be non-decreasing (duplicates are allowed): sort the data by time "
            "first, e.g. with sort_index()"
        )
    return t
