"""Results of the built-in methods as pandas objects: rows, reports, cleaned Series.

Shared by the pandas accessors, the dask accessors (partition by partition) and the explorer,
so that each shapes its results the same way.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

HOW = ("nan", "drop", "clip", "center")


def rows(obj, which):
    """``obj.iloc[which]``, also for big-endian columns (which are accepted as input).

    pandas' take, behind every row selection, runs native-order kernels and refuses such
    columns: they are selected in native order and given back in their own dtype (a copy,
    as any row selection is).
    """
    dtypes: list[Any] = [obj.dtype] if isinstance(obj, pd.Series) else obj.dtypes.tolist()
    swapped = [j for j, t in enumerate(dtypes) if isinstance(t, np.dtype) and not t.isnative]
    if not swapped:
        return obj.iloc[which]
    if isinstance(obj, pd.Series):
        return obj.astype(dtypes[0].newbyteorder("=")).iloc[which].astype(obj.dtype)
    native = obj.copy(deep=False)
    for j in swapped:
        native.isetitem(j, obj.iloc[:, j].astype(dtypes[j].newbyteorder("=")))
    out = native.iloc[which]
    for j in swapped:
        out.isetitem(j, out.iloc[:, j].astype(dtypes[j]))
    return out


def concat(pieces: list, counts: np.ndarray):
    """The columns' pieces end to end, in the dtype pd.concat gives them; one concat per dtype.

    Pieces of one dtype are joined as they are (np.concatenate, or the extension array's own
    concatenation); pieces of several dtypes go through pd.concat once per dtype, and their
    rows are put back in the columns' order (piece k has counts[k] rows).
    """
    groups: dict[Any, list[int]] = {}
    for k, piece in enumerate(pieces):
        groups.setdefault(piece.dtype, []).append(k)

    def join(ks: list[int]):
        same = [pieces[k] for k in ks]
        if isinstance(same[0], np.ndarray):
            return np.concatenate(same)
        return type(same[0])._concat_same_type(same)

    if len(groups) == 1:
        return join(list(range(len(pieces))))
    joined = pd.concat([pd.Series(join(ks), copy=False) for ks in groups.values()])
    owner = np.concatenate([np.repeat(ks, counts[ks]) for ks in groups.values()])
    return joined.array.take(np.argsort(owner, kind="stable"))


def per_point(value, n: int, dtype: Any = None):
    """A scalar broadcast to n entries, or the per-point array as it is.

    `dtype`: the data's. Bounds of tz-aware data keep their zone even when there is no entry
    to infer it from (NaT bounds of empty data, a report without flagged rows).
    """
    if np.ndim(value):
        return value
    zoned = _zoned_dtype(value, dtype)
    if zoned is not None:
        return pd.array([value] * n, dtype=zoned)
    return pd.Series([value] * n).array if n else np.empty(0, np.asarray(value).dtype)


def _zoned_dtype(value, dtype: Any) -> pd.DatetimeTZDtype | None:
    """The tz-aware dtype of a bound: the Timestamp's own, or for NaT the data's zone."""
    if isinstance(value, pd.Timestamp) and value.tz is not None:
        return pd.DatetimeTZDtype(value.unit, value.tz)
    if isinstance(dtype, pd.DatetimeTZDtype):
        return dtype
    arrow: Any = getattr(dtype, "pyarrow_dtype", None)  # pyarrow timestamps with a zone
    if getattr(arrow, "tz", None):
        return pd.DatetimeTZDtype(arrow.unit, arrow.tz)
    return None


def check_how(how: str) -> None:
    if how not in HOW:
        raise ValueError(f"how must be one of {', '.join(map(repr, HOW))} (got {how!r})")


def _in_float_counterpart(s: pd.Series) -> pd.Series:
    """Integer data in its family's float dtype: bounds and centers are seldom whole numbers."""
    if not pd.api.types.is_integer_dtype(s.dtype):
        return s
    if isinstance(s.dtype, pd.ArrowDtype):
        return s.astype("double[pyarrow]")
    if isinstance(s.dtype, np.dtype):
        return s.astype(np.float64)
    return s.astype("Float64")  # pandas masked integers


def clean(s: pd.Series, result: dict[str, Any], how: str) -> pd.Series:
    flagged = result["mask"]
    if how == "nan":
        return s.mask(flagged)
    if how == "drop":
        return rows(s, ~flagged)
    s = _in_float_counterpart(s)

    def replacement(key: str):
        value = result[key]
        # A Python float, not np.float64: float32 data keeps its dtype, as in s.clip(1.5).
        return float(value) if isinstance(value, np.floating) else value

    if how == "clip":
        return s.where(~flagged, s.clip(replacement("lower"), replacement("upper")))
    return s.where(~flagged, replacement("center"))


def report(s: pd.Series, result: dict[str, Any]) -> pd.DataFrame:
    pos = np.flatnonzero(result["mask"])
    lower, upper = result["lower"], result["upper"]
    per_point_bounds = bool(np.ndim(lower))

    def pick(v):
        return v[pos] if per_point_bounds else per_point(v, len(pos), s.dtype)

    return pd.DataFrame(
        {
            "position": pos.astype(np.int64),
            "value": s.array[pos],
            "score": result["scores"][pos],
            "lower": pick(lower),
            "upper": pick(upper),
        },
        index=s.index[pos],
    )
