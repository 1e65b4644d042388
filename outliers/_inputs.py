"""Turn numpy, pandas, arrow and sequence inputs into buffers the C++ core reads in place.

This module is the one place that knows when a copy is unavoidable: numeric numpy
memory in native byte order is viewed as it is, whatever its strides; a pandas masked array
gives its data and mask buffers side by side; an arrow-backed Series gives its values buffer and
validity bitmap; datetime64/timedelta64 are viewed as int64 with NaT as missing. Copies happen
only for non-native byte order, unaligned memory, float16 and long double, Python sequences,
and arrow data split over several chunks.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator, Mapping, MappingView
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

_NUMERIC = frozenset("fiu")
_NAT = np.iinfo(np.int64).min


def column_kind(dtype: Any) -> Literal["number", "time"] | None:
    """What the core can read a column of `dtype` as: the one rule of checkable dtypes.

    ``"number"``: float and integer data (numpy, pandas nullable, pyarrow); ``"time"``:
    datetime64 (tz-aware too) and timedelta64, read as their integer values; None for the
    rest (bool, complex, object, strings, categoricals, periods, intervals...), which are
    refused when asked for and skipped when columns are chosen by default.
    """
    if isinstance(dtype, np.dtype):  # the common case first, without importing pandas
        kind = dtype.kind
    elif type(dtype).__name__ == "ArrowDtype":
        return _arrow_kind(dtype.pyarrow_dtype)
    else:  # pandas' extension dtypes say what their values are in .kind ("O" when not numbers)
        kind = getattr(dtype, "kind", "O")
    if kind in _NUMERIC:
        return "number"
    return "time" if kind in "mM" else None


def _arrow_kind(t: Any) -> Literal["number", "time"] | None:
    import pyarrow as pa

    if pa.types.is_timestamp(t) or pa.types.is_duration(t):
        return "time"
    if (pa.types.is_integer(t) or pa.types.is_floating(t)) and t.bit_width in (8, 16, 32, 64):
        return "number"
    return None


def default_columns(frame: Any) -> list[int]:
    """The positions of the columns a DataFrame's verbs check when none are named: numbers."""
    # frame.dtypes builds a Series on every access: read it once.
    return [j for j, dtype in enumerate(frame.dtypes.tolist()) if column_kind(dtype) == "number"]


@dataclass(frozen=True)
class Prepared:
    """A 1-D input as the core reads it."""

    values: np.ndarray  # 1-D, native byte order, aligned, float/int of 1-8 bytes
    mask: np.ndarray | None = None  # bool, True = missing (pandas masked arrays)
    bits: np.ndarray | None = None  # uint8 arrow validity bitmap, bit set = valid
    bit_offset: int = 0
    time_dtype: np.dtype | None = None  # datetime64/timedelta64: bounds come back in it
    copied: bool = False  # True when values is not the caller's memory
    tz: Any = None  # tz-aware datetimes (values are UTC instants): bounds come back in it

    @property
    def size(self) -> int:
        return self.values.shape[0]

    def core_column(self) -> tuple:
        """The (values, mask, bits, bit offset, NaT-is-missing) tuple _core.run_columns reads."""
        return (self.values, self.mask, self.bits, self.bit_offset, self.time_dtype is not None)

    def missing(self) -> np.ndarray | None:
        """Bool array of the positions missing by mask, bitmap or NaT; None if there are none."""
        out = None if self.mask is None else self.mask.copy()
        if self.bits is not None:
            valid = np.unpackbits(self.bits, bitorder="little")
            invalid = ~valid[self.bit_offset : self.bit_offset + self.size].astype(bool)
            out = invalid if out is None else out | invalid
        if self.time_dtype is not None:
            nat = self.values == _NAT
            out = nat if out is None else out | nat
        return out

    def in_time(self, values: Any) -> Any:
        """Bounds or centers computed on the values, given back in the input's own type.

        Float for numbers; datetime64/timedelta64 in the input's unit (NaN as NaT); for
        tz-aware data a Timestamp (scalar) or DatetimeArray (per point) in its time zone.
        """
        out = to_time(values, self.time_dtype)
        if self.tz is None:
            return out
        import pandas as pd

        if np.ndim(out) == 0:
            return pd.Timestamp(out).tz_localize("UTC").tz_convert(self.tz)
        return pd.DatetimeIndex(out).tz_localize("UTC").tz_convert(self.tz).array

    def for_custom_function(self) -> np.ndarray:
        """What a user's function is handed.

        The caller's memory itself (datetimes in their own dtype), or, when missing values are
        held apart from the values (mask or bitmap), float64 with NaN at those positions.
        """
        if self.mask is None and self.bits is None:
            if self.time_dtype is not None:
                return self.values.view(self.time_dtype)
            return self.values
        out = self.values.astype(np.float64)
        out[self.missing()] = np.nan
        return out


def _refuse(dtype: object) -> TypeError:
    return TypeError(
        f"cannot detect outliers in data of dtype {dtype}: expected a float, integer, "
        "datetime64 or timedelta64 dtype"
    )


def _from_arrow(arr, dtype) -> Prepared:
    """View an arrow-backed array's values buffer and validity bitmap without copying."""
    import pyarrow as pa

    chunked = arr.__arrow_array__()
    t = chunked.type
    kind = _arrow_kind(t)
    if kind == "time":
        unit = "M" if pa.types.is_timestamp(t) else "m"
        np_dtype, time_dtype = np.dtype(np.int64), np.dtype(f"{unit}8[{t.unit}]")
    elif kind == "number":
        np_dtype, time_dtype = np.dtype(t.to_pandas_dtype()), None
    else:
        raise _refuse(dtype)
    if np_dtype.kind == "f" and np_dtype.itemsize == 2:  # half floats: computed in double anyway
        return _from_numpy(arr.to_numpy(dtype=np.float64, na_value=np.nan), copied=True)
    if chunked.num_chunks == 1:
        chunk, copied = chunked.chunk(0), False
    else:  # several buffers cannot be one strided view: the one copy the spec allows here
        chunk = chunked.combine_chunks() if chunked.num_chunks else pa.array([], t)
        copied = True
    validity, data = chunk.buffers()[:2]
    n, offset = len(chunk), chunk.offset
    if n:
        values = np.frombuffer(data, dtype=np_dtype, count=offset + n)[offset:]
    else:
        values = np.empty(0, np_dtype)
    bits = None
    if validity is not None and chunk.null_count:
        bits = np.frombuffer(validity, dtype=np.uint8)
    # Timestamps with a zone hold UTC instants, as pandas' own: bounds come back in the zone.
    tz = getattr(t, "tz", None) or None
    return Prepared(values, None, bits, offset, time_dtype, copied, tz)


def _from_pandas(data) -> Prepared | None:
    """Prepared buffers for a pandas Series/Index, or None when it is not one."""
    import pandas as pd
    from pandas.core.arrays import BaseMaskedArray  # not exported publicly; stable since 1.0

    if isinstance(data, pd.DataFrame):
        raise ValueError("expected 1-D data, got a DataFrame; use df.outliers or a column")
    if not isinstance(data, (pd.Series, pd.Index)):
        return None
    arr = data.array
    dtype = data.dtype
    if column_kind(dtype) is None:
        raise _refuse(dtype)
    if isinstance(arr, BaseMaskedArray):
        return _from_numpy(arr._data, mask=arr._mask)  # type: ignore[attr-defined]
    if isinstance(arr, (pd.arrays.DatetimeArray, pd.arrays.TimedeltaArray)):
        # tz-aware data is held as UTC instants; detection on instants is what a user means.
        return replace(_from_numpy(arr._ndarray), tz=getattr(dtype, "tz", None))
    if isinstance(dtype, pd.ArrowDtype):
        return _from_arrow(arr, dtype)
    values = data.to_numpy()
    if not isinstance(values, np.ndarray):
        raise _refuse(dtype)
    return _from_numpy(values)


def _from_numpy(a: np.ndarray, mask: np.ndarray | None = None, copied: bool = False) -> Prepared:
    if a.ndim != 1:
        raise ValueError(f"expected 1-D data, got a {a.ndim}-D array of shape {a.shape}")
    kind = column_kind(a.dtype)
    time_dtype = None
    if kind is None:
        raise _refuse(a.dtype)
    if kind == "time":
        time_dtype = a.dtype.newbyteorder("=")
        if not a.dtype.isnative:
            a, copied = a.astype(time_dtype), True
        a = a.view(np.int64)
    elif a.dtype.kind == "f" and a.dtype.itemsize not in (4, 8):
        a, copied = a.astype(np.float64), True  # float16 / long double: computed in double anyway
    if not a.dtype.isnative:
        a, copied = a.astype(a.dtype.newbyteorder("=")), True
    if not a.flags.aligned or a.strides[0] % a.itemsize:
        a, copied = a.copy(), True
    if mask is not None and (mask.dtype != np.bool_ or mask.shape != a.shape):
        raise ValueError("mask must be a bool array of the values' length")
    return Prepared(a, mask, None, 0, time_dtype, copied)


def _from_sequence(data) -> Prepared:
    a = np.asarray(data)
    if a.dtype == object and a.ndim == 1:
        # A list with None for missing values: numeric if every other entry is a real number.
        items = a.tolist()
        if all(
            x is None or (isinstance(x, numbers.Real) and not isinstance(x, bool)) for x in items
        ):
            a = np.array([np.nan if x is None else x for x in items], dtype=np.float64)
    return _from_numpy(a, copied=True)


def _refuse_unordered(data) -> None:
    """TypeError for a mapping, a set or an iterator: numpy would make each a 0-D object."""
    kind = type(data).__name__
    if isinstance(data, (Mapping, MappingView)):
        hint = "pass its values as a list or array, e.g. list(d.values())"
    elif isinstance(data, AbstractSet):
        hint = "a set has no order: pass a list or array, e.g. sorted(s)"
    elif isinstance(data, Iterator):
        hint = "pass a list or array, e.g. list(...) or np.fromiter(..., float)"
    else:
        return
    raise TypeError(f"cannot detect outliers in a {kind}: {hint}")


def prepare(data) -> Prepared:
    """Return the buffers the core reads for `data`; raise TypeError/ValueError if refused."""
    if isinstance(data, np.ndarray):
        if data.ndim == 0:
            raise ValueError("expected 1-D data, got a 0-D array (a scalar)")
        return _from_numpy(data)
    prepared = _from_pandas(data)
    if prepared is not None:
        return prepared
    _refuse_unordered(data)
    if isinstance(data, (str, bytes)) or np.ndim(data) == 0 and not hasattr(data, "__len__"):
        raise ValueError(f"expected 1-D data, got a scalar of type {type(data).__name__}")
    return _from_sequence(data)


def to_time(values, time_dtype: np.dtype | None):
    """Give float bounds/centers back in the input's datetime64/timedelta64 dtype.

    NaN becomes NaT; a bound beyond the dtype's range saturates at its most extreme
    representable value, so comparisons with it keep their meaning.
    """
    if time_dtype is None:
        return values
    v = np.asarray(values, dtype=np.float64)
    info = np.iinfo(np.int64)
    out = np.full(v.shape, info.min, dtype=np.int64)  # NaT
    ok = ~np.isnan(v)
    # 2**63 is exactly representable in float64; anything at or above it overflows int64.
    high = ok & (v >= 2.0**63)
    low = ok & (v <= -(2.0**63))
    inside = ok & ~high & ~low
    out[inside] = np.rint(v[inside]).astype(np.int64)
    out[high] = info.max
    out[low] = info.min + 1
    out = out.view(time_dtype)
    return out[()] if out.ndim == 0 else out
