"""What each partition computes for a method: the per-partition outputs a verb asks for."""

from __future__ import annotations

from typing import Any

from .._params import missing_values, resolve
from .._windows import is_windowed
from .graph import Graph
from .pooled import pooled_outputs
from .windows import window_outputs

# The outputs each verb needs from the partitions.
WANT = {
    "positions": {"mask": True, "scores": False, "bounds": False},
    "mask": {"mask": True, "scores": False, "bounds": False},
    "scores": {"mask": False, "scores": True, "bounds": False},
    "bounds": {"mask": False, "scores": False, "bounds": True},
    "report": {"mask": True, "scores": True, "bounds": True},
}


def partition_outputs(
    g: Graph,
    read,
    method: str,
    params: dict[str, Any],
    want: dict[str, bool],
    missing: Any = None,
    lengths: tuple[int, ...] | None = None,
    times: Any = None,
    index: Any = None,
) -> tuple[list, Any]:
    """The keys of the per-partition outputs, and of the statistics over all partitions.

    Each output is a dict with ``mask``, ``scores``, ``lower``, ``upper`` as `want` asks; the
    statistics are None over windows (hampel's included), whose bounds are per point.
    `lengths`: the partitions' lengths, when known (windows then compute runs of short
    partitions in one call). A time window reads ``times=`` (in memory) if given, else the
    partitions' index (`index`: the collection's empty one). Parameters, ``missing=`` and the
    times are checked now, before anything is computed.
    """
    declared = missing_values(missing)
    full = resolve(method, params)
    if is_windowed(full):
        outs = window_outputs(g, read, method, full, declared, want, lengths, times, index)
        return outs, None
    return pooled_outputs(g, read, method, full, declared, want)
