"""Exact order statistics across partitions by radix selection (median, MAD, quartiles).

A round counts each partition's values by the next 16 bits of their order-preserving 64-bit
image (``partition_histogram``) and sums the counts (one reduction); a bin of few values is
gathered and sorted instead, a bin holding one repeated value is known from its extremes, and
the fourth round gathers what is left, so four rounds pin any rank. The median and quantiles
then come from numpy's own formulas (``order_assemble``): equal to ``np.median`` /
``np.quantile`` on the concatenated data, not dask's approximation.
"""

from __future__ import annotations

import struct
from typing import Any

import numpy as np

from .. import _native
from .._inputs import prepare
from .graph import Graph

# Rounds of a selection: counting by the top 16 bits, then by the next 16 or gathering, again,
# and a last gather (values that agree in their top 48 bits). A group of at most this many
# values is gathered (8 bytes each) rather than counted again; one repeated value is known
# from its group's extremes.
_ROUNDS = 4
_GATHER_MAX = 1 << 22


def _value_of_image(image: int) -> float:
    """The double whose order-preserving image (select_scan.hpp) is ``image``."""
    key = image ^ (1 << 63)  # the signed key, as unsigned bits
    if key >> 63:  # negative values: every bit but the sign was flipped
        key ^= (1 << 63) - 1
    return struct.unpack("<d", struct.pack("<Q", key))[0]


def _round_work(state):
    """The groups a round counts and the groups it gathers, from the state so far."""
    if state is None:  # the first round: every value, one group
        return [(0, 0)], []
    hist = [g["key"] for g in state["groups"] if g["mode"] == "hist"]
    gather = [g["key"] for g in state["groups"] if g["mode"] == "gather"]
    return hist, gather


def _round_part(part, missing, state, center):
    """One partition's share of a round: counts per histogrammed group, values per gathered.

    The first round over deviations also sums them (the MAD's MeanAD fallback needs it).
    """
    hist, gather = _round_work(state)
    if not hist and not gather:
        return None
    column = prepare(part).core_column()
    mapped = np.nan if center is None else center
    out: dict[str, Any] = {"n": 0, "hist": None, "values": None, "dev_sum": 0.0}
    if hist:
        prefixes, bits = [k[0] for k in hist], [k[1] for k in hist]
        n, counts, lowest, highest = _native.partition_histogram(
            column, missing, prefixes, bits, mapped
        )
        out["n"], out["hist"] = n, (counts, lowest, highest)
    if gather:
        prefixes, bits = [k[0] for k in gather], [k[1] for k in gather]
        out["values"] = _native.partition_gather(column, missing, prefixes, bits, mapped)
    if state is None and center is not None:
        out["dev_sum"] = _native.partition_deviation_sum(column, missing, center)
    return out


def _round_sum(parts):
    """Counts added, extremes kept, gathered values collected, over partitions."""
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    out = {"n": sum(p["n"] for p in parts), "hist": None, "values": None}
    out["dev_sum"] = sum(p["dev_sum"] for p in parts)
    hists = [p["hist"] for p in parts if p["hist"] is not None]
    if hists:
        counts, lowest, highest = zip(*hists, strict=True)
        out["hist"] = (
            np.sum(counts, axis=0, dtype=np.uint64),
            np.min(lowest, axis=0),
            np.max(highest, axis=0),
        )
    values = [p["values"] for p in parts if p["values"] is not None]
    if values:
        out["values"] = [np.concatenate(group) for group in zip(*values, strict=True)]
    return out


def _next_groups(g, counts) -> list:
    """The bins of a counted group that hold its wanted ranks, as groups of the next round."""
    prefix, bits = g["key"]
    cumulative = np.cumsum(counts, dtype=np.uint64)
    by_bin: dict[int, list[int]] = {}
    for r in g["ranks"]:
        d = int(np.searchsorted(cumulative, r - g["below"], "right"))
        by_bin.setdefault(d, []).append(r)
    groups = []
    for d, ranks in by_bin.items():
        below = g["below"] + (int(cumulative[d - 1]) if d else 0)
        count, key = int(counts[d]), ((prefix << 16) | d, bits + 16)
        # The last round gathers whatever is left: values that agree in their top 48 bits.
        mode = "gather" if count <= _GATHER_MAX or key[1] == 48 else "hist"
        groups.append({"key": key, "below": below, "ranks": ranks, "mode": mode})
    return groups


def _advance(state, summed, qs: list[float]):
    """The state after a round: which groups hold the wanted ranks, and the values found."""
    if state is None:
        n = 0 if summed is None else int(summed["n"])
        ranks = list(_native.order_ranks(n, qs)) if n else []
        state = {
            "n": n,
            "qs": qs,
            "ranks": ranks,
            "found": {},
            "groups": [{"key": (0, 0), "below": 0, "ranks": ranks, "mode": "hist"}],
            "dev_sum": 0.0 if summed is None else summed["dev_sum"],
        }
        if not ranks:
            state["groups"] = []
    if summed is None:
        return state
    found = dict(state["found"])
    groups = []
    hist = [g for g in state["groups"] if g["mode"] == "hist"]
    if hist:
        counts, lowest, highest = summed["hist"]
        for j, g in enumerate(hist):
            if lowest[j] == highest[j]:  # one repeated value: every rank in it is that value
                found.update((r, _value_of_image(int(lowest[j]))) for r in g["ranks"])
            else:
                groups += _next_groups(g, counts[j])
    gather = [g for g in state["groups"] if g["mode"] == "gather"]
    for g, values in zip(gather, summed["values"] if gather else [], strict=True):
        values = np.sort(values)
        found.update((r, float(values[r - g["below"]])) for r in g["ranks"])
    return {**state, "found": found, "groups": groups}


def _order_values(state) -> tuple[int, list[float], float]:
    """(n, the requested statistics, sum of deviations) once every rank is found."""
    n = state["n"]
    if n == 0:
        return 0, [np.nan] * len(state["qs"]), 0.0
    values = [state["found"][r] for r in state["ranks"]]
    return n, list(_native.order_assemble(n, state["qs"], values)), state["dev_sum"]


def order_statistics(g: Graph, read, missing, qs: list[float], center=None, step: str = ""):
    """The key of (n, statistics, deviation sum) of the finite values (or of |x - center|).

    q NaN: the median. Each round reads the partitions again and keeps only counts (or the few
    gathered values), never the data.
    """
    state = None
    for k in range(_ROUNDS):
        shares = [g.call(_round_part, p, missing, state, center) for p in read(f"{step}-{k}")]
        state = g.call(_advance, state, g.tree(shares, _round_sum), qs)
    return g.call(_order_values, state)
