"""Turn what a user passes (numpy, pandas, sequences) into buffers the C++ core reads in place.

This module is the one place that knows when a copy is unavoidable (SPEC §2): numeric numpy
memory in native byte order is viewed as it is, whatever its strides; a pandas masked array
gives its data and mask buffers side by side; datetime64/timedelta64 are viewed as int64 with
NaT as missing. Copies happen only for non-native byte order, unaligned memory, float16 and
long double, Python sequences, and arrow arrays whose buffers cannot be viewed.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

_NUMERIC = frozenset("fiu")


@dataclass(frozen=True)
class Prepared:
    """A 1-D input as the core reads it."""

    values: np.ndarray  # 1-D, native byte order, aligned, float/int of 1-8 bytes
    mask: np.ndarray | None  # bool, True = missing (pandas masked arrays), or None
    int_min_is_missing: bool  # datetime64/timedelta64: the int64 minimum is NaT
    time_dtype: np.dtype | None  # the datetime64/timedelta64 dtype to give bounds back in
    copied: bool  # True when values is not the caller's memory

    @property
    def size(self) -> int:
        return self.values.shape[0]

    def as_float_with_nan(self) -> np.ndarray:
        """Float64 values with NaN at missing positions (what a custom function gets for masks)."""
        out = self.values.astype(np.float64)
        if self.mask is not None:
            out[self.mask] = np.nan
        if self.int_min_is_missing:
            out[self.values == np.iinfo(np.int64).min] = np.nan
        return out


def _refuse(dtype: object) -> TypeError:
    return TypeError(
        f"cannot detect outliers in data of dtype {dtype}: expected a float, integer, "
        "datetime64 or timedelta64 dtype"
    )


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
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(dtype):
        raise _refuse(dtype)
    if isinstance(arr, BaseMaskedArray):
        values = arr._data
        if values.dtype.kind not in _NUMERIC:
            raise _refuse(dtype)
        return _from_numpy(values, mask=arr._mask)
    if isinstance(arr, (pd.arrays.DatetimeArray, pd.arrays.TimedeltaArray)):
        # tz-aware data is held as UTC instants; detection on instants is what a user means.
        return _from_numpy(arr._ndarray)
    if isinstance(dtype, pd.ArrowDtype):
        kind = getattr(dtype, "kind", "O")
        if kind not in _NUMERIC and kind not in "mM":
            raise _refuse(dtype)
        if kind in "mM":
            values = arr.to_numpy()
            return _from_numpy(values)
        return _copied(arr.to_numpy(dtype=np.float64, na_value=np.nan))
    values = data.to_numpy()
    if values.dtype == object or not isinstance(values, np.ndarray):
        raise _refuse(dtype)
    return _from_numpy(values)


def _copied(values: np.ndarray) -> Prepared:
    return Prepared(values, None, False, None, copied=True)


def _from_numpy(a: np.ndarray, mask: np.ndarray | None = None) -> Prepared:
    if a.ndim != 1:
        raise ValueError(f"expected 1-D data, got a {a.ndim}-D array of shape {a.shape}")
    kind = a.dtype.kind
    copied = False
    time_dtype = None
    if kind in "mM":
        time_dtype = a.dtype.newbyteorder("=")
        if not a.dtype.isnative:
            a, copied = a.astype(time_dtype), True
        a = a.view(np.int64)
    elif kind == "f" and a.dtype.itemsize not in (4, 8):
        a, copied = a.astype(np.float64), True  # float16 / long double: computed in double anyway
    elif kind not in _NUMERIC:
        raise _refuse(a.dtype)
    if not a.dtype.isnative:
        a, copied = a.astype(a.dtype.newbyteorder("=")), True
    if not a.flags.aligned or a.strides[0] % a.itemsize:
        a, copied = a.copy(), True
    if mask is not None and (mask.dtype != np.bool_ or mask.shape != a.shape):
        raise ValueError("mask must be a bool array of the values' length")
    return Prepared(a, mask, time_dtype is not None, time_dtype, copied)


def _from_sequence(data) -> Prepared:
    a = np.asarray(data)
    if a.dtype == object and a.ndim == 1:
        # A list with None for missing values: numeric if every other entry is a real number.
        items = a.tolist()
        if all(
            x is None or (isinstance(x, numbers.Real) and not isinstance(x, bool)) for x in items
        ):
            a = np.array([np.nan if x is None else x for x in items], dtype=np.float64)
    if a.dtype == np.bool_:
        raise _refuse(a.dtype)
    prepared = _from_numpy(a)
    return Prepared(
        prepared.values, None, prepared.int_min_is_missing, prepared.time_dtype, copied=True
    )


def prepare(data) -> Prepared:
    """Return the buffers the core reads for `data`; raise TypeError/ValueError if refused."""
    if isinstance(data, np.ndarray):
        if data.ndim == 0:
            raise ValueError("expected 1-D data, got a 0-D array (a scalar)")
        return _from_numpy(data)
    prepared = _from_pandas(data)
    if prepared is not None:
        return prepared
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
