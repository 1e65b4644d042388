"""What each partition computes for a method: the per-partition outputs a verb asks for."""

from __future__ import annotations

from typing import Any

from .._params import missing_values, resolve
from .graph import Graph
from .hampel import hampel_outputs
from .pooled import pooled_outputs

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
) -> tuple[list, Any]:
    """The keys of the per-partition outputs, and of the statistics over all partitions.

    Each output is a dict with ``mask``, ``scores``, ``lower``, ``upper`` as `want` asks; the
    statistics are None for hampel, whose bounds are per point. `lengths`: the partitions'
    lengths, when known (hampel then computes runs of short partitions in one call).
    Parameters and ``missing=`` are checked now, before anything is computed.
    """
    declared = missing_values(missing)
    full = resolve(method, params)
    if method == "hampel":
        return hampel_outputs(g, read, full, declared, want, lengths), None
    return pooled_outputs(g, read, method, full, declared, want)
