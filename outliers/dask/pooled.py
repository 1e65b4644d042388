"""Statistics pooled over partitions (zscore, mad, iqr, quantile, esd) and each partition's flags.

- ``zscore``: each partition's count, compensated sum and sum of squared deviations about its
  own mean, pooled with the parallel formula of Chan, Golub & LeVeque (1979).
- ``mad``, ``iqr``, ``quantile``: exact order statistics (:mod:`.order`).
- ``esd``: each partition's ``max_outliers`` first candidates from either end, with the moments
  of its other values; the test then runs on the candidates alone (only extremes can ever be
  removed), the rest pooled in, never subtracted out.

Then flags and scores partition by partition, from the statistics over all of them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _native
from .._inputs import prepare
from .graph import Graph
from .order import order_statistics

# A partition's index in the high bits of an ESD candidate's position: ties in value go to the
# smaller position of the concatenated data, which (partition, position in it) orders alike.
_PART_SHIFT = 40


def _moments(part, missing):
    return _native.partition_moments(prepare(part).core_column(), missing)


def _pool(parts):
    return _native.pool_moments(list(parts))


# The statistics below come from the core's own rules (stats/rules.hpp): the methods'
# constants and bound formulas are written once, in C++, for memory and dask alike.


def _zscore_stats(pooled, threshold: float, ddof: int) -> dict[str, Any]:
    center, sigma, lower, upper = _native.zscore_bounds(pooled, threshold, ddof)
    return {
        "rule": "zscore",
        "stats": [center, sigma, threshold],
        "center": center,
        "lower": lower,
        "upper": upper,
        "n_used": int(pooled[0]),
    }


def _mad_stats(order, dev_order, threshold: float) -> dict[str, Any]:
    n, (m,), _ = order
    _, (mad,), dev_sum = dev_order
    scale, lower, upper = _native.mad_bounds(n, m, mad, dev_sum, threshold)
    return {
        "rule": "deviation",
        "stats": [m, scale, threshold],
        "center": m,
        "lower": lower,
        "upper": upper,
        "n_used": n,
    }


def _center_of(order):
    return order[1][0]


def _band_stats(order, method: str, full: dict[str, Any]) -> dict[str, Any]:
    n, values, _ = order
    lo, hi = values[:2]
    median = values[2] if len(values) > 2 else np.nan  # asked for by clean(how="center") only
    if method == "iqr":
        lower, upper = _native.iqr_bounds(lo, hi, full["k"])
    else:
        lower, upper = _native.quantile_bounds(lo, hi)
    return {
        "rule": "band",
        "stats": [lo, hi, lower, upper],
        "center": median,
        "lower": lower,
        "upper": upper,
        "n_used": n,
    }


def _esd_share(part, missing, max_outliers: int, index: int):
    core, low, high = _native.partition_esd(prepare(part).core_column(), missing, max_outliers)
    offset = index << _PART_SHIFT
    return core, [(x, offset + p) for x, p in low], [(x, offset + p) for x, p in high]


def _esd_stats(shares, full: dict[str, Any]) -> dict[str, Any]:
    o = _native.esd_combine(list(shares), full["max_outliers"], full["alpha"])
    return {
        "rule": "none",
        "stats": [],
        "center": o["center"],
        "lower": o["lower"],
        "upper": o["upper"],
        "n_used": o["n_used"],
        "removed": o["removed"],
        "r_stats": o["r_stats"],
        "n_outliers": o["n_outliers"],
    }


def _apply(part, missing, stats, index: int, want: dict[str, bool]) -> dict[str, Any]:
    """Flags, scores and bounds of one partition from the statistics over all of them."""
    prepared = prepare(part)
    out = _native.partition_apply(
        stats["rule"],
        prepared.core_column(),
        missing,
        stats["stats"],
        mask=want["mask"],
        scores=want["scores"],
    )
    if "removed" in stats:  # esd: the tested values by position
        for i, pos in enumerate(stats["removed"]):
            if pos >> _PART_SHIFT == index:
                local = pos & ((1 << _PART_SHIFT) - 1)
                if want["scores"]:
                    out["scores"][local] = stats["r_stats"][i]
                if want["mask"]:
                    out["mask"][local] = i < stats["n_outliers"]
    for key in ("lower", "upper", "center"):
        out[key] = prepared.in_time(np.float64(stats[key]))
    return out


def pooled_outputs(
    g: Graph, read, method: str, full: dict[str, Any], missing: list[float], want: dict[str, bool]
) -> tuple[list, Any]:
    """The keys of each partition's outputs and of the statistics over all partitions."""
    parts = read(None)
    if method == "zscore":
        moments = [g.call(_moments, p, missing) for p in read("moments")]
        stats = g.call(_zscore_stats, g.tree(moments, _pool), full["threshold"], full["ddof"])
    elif method == "mad":
        order = order_statistics(g, read, missing, [np.nan], step="median")
        center = g.call(_center_of, order)
        dev_order = order_statistics(g, read, missing, [np.nan], center, step="mad")
        stats = g.call(_mad_stats, order, dev_order, full["threshold"])
    elif method in ("iqr", "quantile"):
        qs = [0.25, 0.75] if method == "iqr" else [full["low"], full["high"]]
        if want.get("center"):
            qs.append(np.nan)  # the median
        stats = g.call(_band_stats, order_statistics(g, read, missing, qs), method, full)
    else:  # esd
        shares = [
            g.call(_esd_share, p, missing, full["max_outliers"], j)
            for j, p in enumerate(read("esd"))
        ]
        stats = g.call(_esd_stats, shares, full)
    return [g.call(_apply, p, missing, stats, j, want) for j, p in enumerate(parts)], stats
