"""``ol.detect`` / ``mask`` / ``scores`` / ``bounds`` on 1-D dask arrays and dask Series."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._inputs import prepare, to_time
from .._params import resolve
from .._windows import is_timed
from .graph import Graph, reader
from .plan import WANT, partition_outputs
from .windows import index_ticks


def is_dask(data: Any) -> bool:
    """True for a dask collection (checked without importing dask)."""
    return type(data).__module__.startswith("dask.") and hasattr(data, "__dask_graph__")


def _get(out, key):
    return out[key]


def _positions(out, start: int) -> np.ndarray:
    return np.flatnonzero(out["mask"]).astype(np.int64) + start


def _scalar_bound(stats, key: str, time_dtype):
    return to_time(np.float64(stats[key]), time_dtype)


def run(data: Any, method: str, params: dict[str, Any], output: str, missing: Any = None) -> Any:
    """``ol.detect/mask/scores/bounds`` on a 1-D dask array or dask Series: lazy dask arrays."""
    import dask.array as da

    params = dict(params)
    times = params.pop("times", None)
    series = index = None
    if not isinstance(data, da.Array):  # a dask Series: its values, partition by partition
        prepare(data._meta)  # refuses strings, bool... now, not at compute
        series, index = data, data._meta.index
        data = data.to_dask_array()
    if data.ndim != 1:
        raise ValueError(f"expected 1-D data, got a {data.ndim}-D dask array")
    prepare(np.empty(0, data.dtype))
    chunks, dtype = data.chunks[0], data.dtype
    time_dtype = dtype if getattr(dtype, "kind", "") in "mM" else None
    if series is not None and times is None and is_timed(resolve(method, params)):
        times = index_ticks(series)  # a time window on a dask Series reads its index
    g = Graph()
    read = reader(g, data)
    parts = read(None)
    known = None if np.isnan(sum(chunks)) else tuple(int(c) for c in chunks)
    outs, stats = partition_outputs(
        g, read, method, params, WANT[output], missing, known, times, index
    )

    def column(key: str, out_dtype, func=_get, args=None):
        # One chunk per partition, empty ones included (da.concatenate would drop those).
        name = f"{g.name}-{key}"
        for j, o in enumerate(outs):
            g.call(func, o, *(args[j] if args else [key]), key=(name, j))
        return g.array(name, (tuple(chunks),), out_dtype)

    if output == "positions":
        if not np.isnan(sum(chunks)):
            return da.flatnonzero(column("mask", bool))
        # Partition lengths unknown (a dask Series): each partition's positions, offset by the
        # lengths before it.
        return column("positions", np.int64, _positions, [[o] for o in g.offsets(parts)])
    if output in ("mask", "scores"):
        return column(output, bool if output == "mask" else np.float64)
    bound_dtype = time_dtype if time_dtype is not None else np.float64
    if stats is None:  # windows: per point
        return column("lower", bound_dtype), column("upper", bound_dtype)
    bounds = []
    for k in ("lower", "upper"):
        g.call(_scalar_bound, stats, k, time_dtype, key=(f"{g.name}-{k}",))
        bounds.append(g.array(f"{g.name}-{k}", (), bound_dtype))
    return tuple(bounds)
