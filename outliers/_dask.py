"""The built-in methods on dask collections (SPEC §10), exactly, one partition at a time.

Every step hands a partition to the C++ core where it lies (``prepare``, as for any input);
small tasks combine what the partitions return:

- ``zscore``: each partition's count, compensated sum and sum of squared deviations about its
  own mean, pooled with the parallel formula of Chan, Golub & LeVeque (1979); then flags and
  scores partition by partition.
- ``mad``, ``iqr``, ``quantile``: exact order statistics by radix selection across partitions.
  A round counts each partition's values by the next 16 bits of their order-preserving 64-bit
  image (``_core.partition_histogram``) and sums the counts (one reduction); a bin of few
  values is gathered and sorted instead, a bin holding one repeated value is known from its
  extremes, and the fourth round gathers what is left, so four rounds pin any rank. The median
  and quantiles then come from numpy's own formulas (``_core.order_assemble``): equal to
  ``np.median`` / ``np.quantile`` on the concatenated data, not dask's approximation.
- ``hampel``: each partition with ``window // 2`` values of its neighbours on each side (fewer
  at the column's ends), gathered across as many partitions as that takes (short and empty
  partitions are fine, where dask.dataframe's ``map_overlap`` refuses partitions shorter than
  the overlap and dask.array's changes the chunks); the kernel computes the partition's own
  points only (``_core.partition_hampel``). The extended partition is the one copy this method
  makes.
- ``esd``: each partition's ``max_outliers`` first candidates from either end, with the moments
  of its other values; the test then runs on the candidates alone (only extremes can ever be
  removed), the rest pooled in, never subtracted out.

The graph is lazy; every round is in it whether the data needs it or not (a round with nothing
left to do returns without computing anything). Each step reads the partitions afresh, so
memory holds a few partitions at a time, not the column (see ``reader``).
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import operator
import struct
import sys
import threading
import uuid
import weakref
from typing import Any

import numpy as np
import pandas as pd

from . import _api, _core
from ._inputs import prepare, to_time
from ._params import resolve

# Rounds of a selection: counting by the top 16 bits, then by the next 16 or gathering, again,
# and a last gather (values that agree in their top 48 bits). A group of at most this many
# values is gathered (8 bytes each) rather than counted again; one repeated value is known
# from its group's extremes.
_ROUNDS = 4
_GATHER_MAX = 1 << 22
# A partition's index in the high bits of an ESD candidate's position: ties in value go to the
# smaller position of the concatenated data, which (partition, position in it) orders alike.
_PART_SHIFT = 40
_MAD_SCALE = 1.482602218505602  # the core's constants (kernels/mad.hpp)
_MEANAD_SCALE = 1.2533141373155003
_FAN_IN = 8


def is_dask(data) -> bool:
    """True for a dask collection (checked without importing dask)."""
    return type(data).__module__.startswith("dask.") and hasattr(data, "__dask_graph__")


class _Graph:
    """The tasks of one call, added one by one into a single graph layer.

    ``dask.delayed`` merges the graph built so far at every call, so that N partitions' tasks
    cost O(N^2) to build (1.5 s for mad on 64 partitions); here each task costs O(1). Tasks are
    dask's tuples: an argument that is a key (or a list of keys) is replaced by its result.
    """

    def __init__(self) -> None:
        # A fresh name per call: two calls' tasks never share keys, whatever they compute.
        self.name = f"outliers-{uuid.uuid4().hex}"
        self.tasks: dict = {}
        self.inputs: list = []  # the collections' Delayed partitions the tasks read

    def use(self, parts: list) -> list:
        """The keys of delayed partitions, which the graph then includes."""
        known = {p.key for p in self.inputs}
        self.inputs.extend(p for p in parts if p.key not in known)
        return [p.key for p in parts]

    def call(self, func, *args, key=None):
        """Add func(*args); returns its key (or `key`, e.g. an array chunk's (name, j))."""
        key = f"{self.name}-{len(self.tasks)}" if key is None else key
        self.tasks[key] = (func, *args)
        return key

    def tree(self, keys: list, combine):
        """Reduce keys with ``combine(list)`` in a tree of fan-in 8, in order."""
        keys = list(keys)
        if not keys:
            return self.call(combine, [])
        while len(keys) > 1:
            keys = [
                self.call(combine, keys[i : i + _FAN_IN]) for i in range(0, len(keys), _FAN_IN)
            ]
        return keys[0]

    def graph(self, layer: str):
        from dask.highlevelgraph import HighLevelGraph

        return HighLevelGraph.from_collections(layer, dict(self.tasks), dependencies=self.inputs)

    def delayed(self, keys: list) -> list:
        from dask.delayed import Delayed

        graph = self.graph(self.name)
        return [Delayed(k, graph, layer=self.name) for k in keys]

    def array(self, name: str, chunks: tuple, dtype):
        """The dask array whose chunk j is the task keyed (name, j) (or (name,) for 0-d)."""
        import dask.array as da

        return da.Array(self.graph(name), name, chunks=chunks, dtype=dtype)


# ---------------------------------------------------------------- zscore


def _moments(part, missing):
    return _core.partition_moments(prepare(part).core_column(), missing)


def _pool(parts):
    return _core.pool_moments(list(parts))


def _zscore_stats(pooled, threshold: float, ddof: int) -> dict[str, Any]:
    # pooled[8]: the moments are those of the values times 2**scale (sums that overflow)
    count, scale = int(pooled[0]), pooled[8]
    mean = float(np.ldexp(pooled[3], -scale))
    defined = count > ddof
    sigma = float(np.ldexp(np.sqrt(pooled[4] / (count - ddof)), -scale)) if defined else np.nan
    lower = mean - threshold * sigma if defined else np.nan
    upper = mean + threshold * sigma if defined else np.nan
    return {
        "rule": "zscore",
        "stats": [mean, sigma, threshold],
        "center": mean if count else np.nan,
        "lower": lower,
        "upper": upper,
        "n_used": count,
    }


# ---------------------------------------------------------------- exact order statistics


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
    out = {"n": 0, "hist": None, "values": None, "dev_sum": 0.0}
    if hist:
        prefixes, bits = [k[0] for k in hist], [k[1] for k in hist]
        n, counts, lowest, highest = _core.partition_histogram(
            column, missing, prefixes, bits, mapped
        )
        out["n"], out["hist"] = n, (counts, lowest, highest)
    if gather:
        prefixes, bits = [k[0] for k in gather], [k[1] for k in gather]
        out["values"] = _core.partition_gather(column, missing, prefixes, bits, mapped)
    if state is None and center is not None:
        out["dev_sum"] = _core.partition_deviation_sum(column, missing, center)
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
        ranks = list(_core.order_ranks(n, qs)) if n else []
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
    return n, list(_core.order_assemble(n, state["qs"], values)), state["dev_sum"]


def _renamed(array, step: str) -> list:
    """A dask array's chunks as delayed objects under new keys, every task re-pointed to them.

    ``dask.graph_manipulation.clone`` would do this, but it renames the graph's keys and not the
    keys inside its tasks, which dask.array's optimiser then refuses ("Cannot fuse tasks with
    multiple outputs": dask issue 12455, open), so the graph is rewritten here.
    """
    from dask._task_spec import convert_legacy_graph
    from dask.delayed import Delayed

    def new(key):
        if isinstance(key, tuple):
            return (f"{key[0]}-{step}", *key[1:])
        return f"{key}-{step}"

    tasks = convert_legacy_graph(dict(array.__dask_graph__()))
    subs = {key: new(key) for key in tasks}
    graph = {subs[key]: task.substitute(subs, key=subs[key]) for key, task in tasks.items()}
    return [Delayed(subs[key], graph) for key in array.__dask_keys__()]


def reader(g: _Graph, collection):
    """A function giving the keys of a 1-D dask collection's partitions for each step.

    ``read(None)``: the partitions themselves. ``read(step)``: the partitions under new keys,
    which that step reads again. Otherwise every partition would stay in memory from its first
    read until the last step reading it, since each step's statistics wait for all partitions.
    """
    import dask.array as da
    from dask.graph_manipulation import clone

    parts = list(np.ravel(collection.to_delayed()))

    def read(step: str | None) -> list:
        if step is None or not parts:
            return g.use(parts)
        if isinstance(collection, da.Array):
            return g.use(_renamed(collection, f"{g.name}-{step}"))
        return g.use(list(clone(*parts, seed=step)))

    return read


def _order_statistics(g: _Graph, read, missing, qs: list[float], center=None, step: str = ""):
    """The key of (n, statistics, deviation sum) of the finite values (or of |x - center|).

    q NaN: the median. Each round reads the partitions again and keeps only counts (or the few
    gathered values), never the data.
    """
    state = None
    for k in range(_ROUNDS):
        shares = [g.call(_round_part, p, missing, state, center) for p in read(f"{step}-{k}")]
        state = g.call(_advance, state, g.tree(shares, _round_sum), qs)
    return g.call(_order_values, state)


def _mad_stats(order, dev_order, threshold: float) -> dict[str, Any]:
    n, (m,), _ = order
    _, (mad,), dev_sum = dev_order
    scale = _MAD_SCALE * mad if n else np.nan
    if scale == 0.0:
        scale = _MEANAD_SCALE * (dev_sum / n)
    defined = n > 0
    return {
        "rule": "deviation",
        "stats": [m, scale, threshold],
        "center": m,
        "lower": m - threshold * scale if defined else np.nan,
        "upper": m + threshold * scale if defined else np.nan,
        "n_used": n,
    }


def _center_of(order):
    return order[1][0]


def _band_stats(order, method: str, full: dict[str, Any]) -> dict[str, Any]:
    n, values, _ = order
    lo, hi = values[:2]
    median = values[2] if len(values) > 2 else np.nan  # asked for by clean(how="center") only
    if method == "iqr":
        lower, upper = lo - full["k"] * (hi - lo), hi + full["k"] * (hi - lo)
    else:
        lower, upper = lo, hi
    return {
        "rule": "band",
        "stats": [lo, hi, lower, upper],
        "center": median,
        "lower": lower,
        "upper": upper,
        "n_used": n,
    }


# ---------------------------------------------------------------- esd


def _esd_share(part, missing, max_outliers: int, index: int):
    core, low, high = _core.partition_esd(prepare(part).core_column(), missing, max_outliers)
    offset = index << _PART_SHIFT
    return core, [(x, offset + p) for x, p in low], [(x, offset + p) for x, p in high]


def _esd_stats(shares, full: dict[str, Any]) -> dict[str, Any]:
    o = _core.esd_combine(list(shares), full["max_outliers"], full["alpha"])
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


# ---------------------------------------------------------------- per-partition outputs


def _apply(part, missing, stats, index: int, want: dict[str, bool]) -> dict[str, Any]:
    """Flags, scores and bounds of one partition from the statistics over all of them."""
    prepared = prepare(part)
    out = _core.partition_apply(
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
        out[key] = to_time(np.float64(stats[key]), prepared.time_dtype)
    return out


def _concat(pieces: list):
    pieces = [p for p in pieces if p is not None]
    if isinstance(pieces[0], (pd.Series, pd.Index)):
        return pd.concat([pd.Series(p) for p in pieces], ignore_index=True)
    return np.concatenate(pieces)


def _piece(part, start: int, stop: int):
    """part[start:stop] by position, copied: not a view that would keep the whole part alive."""
    if isinstance(part, (pd.Series, pd.Index)):
        return pd.Series(part).iloc[start:stop].copy()
    return part[start:stop].copy()


def _edge(pieces: list, h: int, tail: bool) -> list | None:
    """The last (tail) or first h values of the concatenated pieces, as a list of pieces.

    `pieces` is [edge so far (a list, or None), partition] (tail) or [partition, edge so far].
    Whole partitions are kept by reference and at most one is cut (and copied), so the edges of
    a window longer than the partitions share the partitions' memory instead of each holding
    up to h values of its own: O(n) in all rather than O(partitions x min(h, n)).
    """
    flat = []
    for p in pieces:
        if isinstance(p, list):
            flat.extend(p)
        elif p is not None:
            flat.append(p)
    if tail:
        flat.reverse()
    out, need = [], h
    for p in flat:
        if need == 0:
            break
        if len(p) <= need:
            out.append(p)
        else:
            out.append(_piece(p, len(p) - need, len(p)) if tail else _piece(p, 0, need))
        need -= len(out[-1])
    if tail:
        out.reverse()
    return out or None


# The outputs of a whole column's hampel points, per column of a call (a token): computed by the
# first partition whose extended buffer is the whole column, sliced by the others. Weak
# references: an entry lives as long as the partitions' results (views into it) do.
_WHOLE: dict[str, list] = {}
_WHOLE_LOCK = threading.Lock()


def _hampel_run(extended, first: int, last: int, missing, full, want) -> dict:
    """The hampel outputs of the points [first, last) of `extended` (a partition and edges)."""
    if isinstance(extended, pd.Series):
        extended = extended.array  # positions only: the partitions' labels are not needed
    prepared = prepare(extended)
    # A window of 2N + 1 already holds all N values at every point: a longer one is the same
    # (2N + 3: still odd, and >= 3 for an empty partition).
    window = min(full["window"], 2 * len(extended) + 3)
    out = _core.partition_hampel(
        prepared.core_column(),
        missing,
        window,
        full["threshold"],
        first,
        last,
        mask=want["mask"],
        scores=want["scores"],
        bounds=want["bounds"],
        center=want.get("center", False),
    )
    for key in ("lower", "upper", "center"):
        if key in out:
            out[key] = to_time(out[key], prepared.time_dtype)
    return out


def _whole_column(token: str, column, missing, full, want) -> dict:
    """Every point's outputs of the whole column (`column()`), once per token and process."""
    with _WHOLE_LOCK:
        entry = _WHOLE.setdefault(token, [threading.Lock(), {}])
    with entry[0]:
        out = {k: ref() for k, ref in entry[1].items()}
        if not out or any(v is None for v in out.values()):
            values = column()
            out = _hampel_run(values, 0, len(values), missing, full, want)
            entry[1] = {k: weakref.ref(v) for k, v in out.items()}
            if out:
                weakref.finalize(next(iter(out.values())), _WHOLE.pop, token, None)
    return out


def _hampel_part(before, parts, after, missing, full, want, token: str):
    """The hampel outputs of consecutive partitions' own points, windows reading neighbours.

    The partitions extended by the edges (each at most h values, fewer at the column's ends)
    are the one copy this method makes; only the partitions' own points are computed. When
    both edges reach the column's ends, the buffer is the whole column, the same for every
    such partition: its points are computed once (each call sorts its first window, and with
    a window spanning the column, every partition sorted the whole column).
    """
    before, after = before or [], after or []
    start = sum(len(p) for p in before)
    stop = start + sum(len(p) for p in parts)

    def extended():
        return _concat([*before, *parts, *after])

    h = full["window"] // 2
    if start < h and sum(len(p) for p in after) < h:
        return _slice_out(_whole_column(token, extended, missing, full, want), start, stop)
    return _hampel_run(extended(), start, stop, missing, full, want)


def _hampel_groups(lengths, h: int, count: int) -> list[range]:
    """Runs of consecutive partitions that one kernel call computes together.

    A call sorts its first window, O(min(h, n) log) whatever its own length: partitions much
    shorter than the window would each pay that for a few points (100 partitions of a window
    2^40 + 1 sorted the whole column 100 times). A run holds at least 4h points when the
    lengths are known, which bounds that cost by about the points' own; one partition per run
    when they are not (a dask Series).
    """
    if lengths is None:
        return [range(j, j + 1) for j in range(count)]
    groups, start, own = [], 0, 0
    for j, n in enumerate(lengths):
        own += n
        if own >= 4 * h:
            groups.append(range(start, j + 1))
            start, own = j + 1, 0
    if start < len(lengths):
        groups.append(range(start, len(lengths)))
    return groups


def _slice_out(out: dict, start: int, stop: int) -> dict:
    return {k: v[start:stop] for k, v in out.items()}


def partition_outputs(
    g: _Graph,
    read,
    method: str,
    params: dict[str, Any],
    want: dict[str, bool],
    lengths: tuple[int, ...] | None = None,
) -> tuple[list, Any]:
    """The keys of the per-partition outputs, and of the statistics over all partitions.

    Each output is a dict with ``mask``, ``scores``, ``lower``, ``upper`` as `want` asks; the
    statistics are None for hampel, whose bounds are per point. `lengths`: the partitions'
    lengths, when known (hampel then computes runs of short partitions in one call).
    """
    parts = read(None)
    params = dict(params)
    raw_missing = params.pop("missing", None)
    missing = _api.sentinels(raw_missing)
    full = resolve(method, params)
    if method == "hampel":
        h = full["window"] // 2
        # Each chain of edges reads the partitions again, so that none waits in memory for
        # the other end of the chain.
        befores, before = [], None
        for p in read("before"):
            befores.append(before)
            before = g.call(_edge, [before, p], h, True)
        afters, after = [], None
        for p in reversed(read("after")):
            afters.append(after)
            after = g.call(_edge, [p, after], h, False)
        afters.reverse()
        outs = []
        column = uuid.uuid4().hex  # this column's whole-column outputs (a frame has several)
        for run in _hampel_groups(lengths, h, len(parts)):
            key = g.call(
                _hampel_part, befores[run[0]], [parts[j] for j in run], afters[run[-1]],
                missing, full, want, column,
            )  # fmt: skip
            if len(run) == 1:
                outs.append(key)
                continue
            start = 0
            for j in run:
                outs.append(g.call(_slice_out, key, start, start + lengths[j]))
                start += lengths[j]
        return outs, None
    if method == "zscore":
        moments = [g.call(_moments, p, missing) for p in read("moments")]
        stats = g.call(_zscore_stats, g.tree(moments, _pool), full["threshold"], full["ddof"])
    elif method == "mad":
        order = _order_statistics(g, read, missing, [np.nan], step="median")
        center = g.call(_center_of, order)
        dev_order = _order_statistics(g, read, missing, [np.nan], center, step="mad")
        stats = g.call(_mad_stats, order, dev_order, full["threshold"])
    elif method in ("iqr", "quantile"):
        qs = [0.25, 0.75] if method == "iqr" else [full["low"], full["high"]]
        if want.get("center"):
            qs.append(np.nan)  # the median
        stats = g.call(_band_stats, _order_statistics(g, read, missing, qs), method, full)
    else:  # esd
        shares = [
            g.call(_esd_share, p, missing, full["max_outliers"], j)
            for j, p in enumerate(read("esd"))
        ]
        stats = g.call(_esd_stats, shares, full)
    return [g.call(_apply, p, missing, stats, j, want) for j, p in enumerate(parts)], stats


# ---------------------------------------------------------------- dask arrays: ol.detect & co.

_WANT = {
    "positions": {"mask": True, "scores": False, "bounds": False},
    "mask": {"mask": True, "scores": False, "bounds": False},
    "scores": {"mask": False, "scores": True, "bounds": False},
    "bounds": {"mask": False, "scores": False, "bounds": True},
    "report": {"mask": True, "scores": True, "bounds": True},
}


def _get(out, key):
    return out[key]


def _positions(out, start: int) -> np.ndarray:
    return np.flatnonzero(out["mask"]).astype(np.int64) + start


def _scalar_bound(stats, key: str, time_dtype):
    return to_time(np.float64(stats[key]), time_dtype)


def run(data, method: str, params: dict[str, Any], output: str):
    """``ol.detect/mask/scores/bounds`` on a 1-D dask array or dask Series: lazy dask arrays."""
    import dask.array as da

    if not isinstance(data, da.Array):  # a dask Series: its values, partition by partition
        prepare(data._meta)  # refuses strings, bool... now, not at compute
        data = data.to_dask_array()
    if data.ndim != 1:
        raise ValueError(f"expected 1-D data, got a {data.ndim}-D dask array")
    prepare(np.empty(0, data.dtype))
    chunks, dtype = data.chunks[0], data.dtype
    time_dtype = dtype if getattr(dtype, "kind", "") in "mM" else None
    g = _Graph()
    read = reader(g, data)
    parts = read(None)
    known = None if np.isnan(sum(chunks)) else tuple(int(c) for c in chunks)
    outs, stats = partition_outputs(g, read, method, params, _WANT[output], known)

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
        offsets = [0]
        for p in parts[:-1]:
            offsets.append(g.call(operator.add, offsets[-1], g.call(len, p)))
        return column("positions", np.int64, _positions, [[o] for o in offsets])
    if output in ("mask", "scores"):
        return column(output, bool if output == "mask" else np.float64)
    bound_dtype = time_dtype if time_dtype is not None else np.float64
    if stats is None:  # hampel: per point
        return column("lower", bound_dtype), column("upper", bound_dtype)
    bounds = []
    for k in ("lower", "upper"):
        g.call(_scalar_bound, stats, k, time_dtype, key=(f"{g.name}-{k}",))
        bounds.append(g.array(f"{g.name}-{k}", (), bound_dtype))
    return tuple(bounds)


# ---------------------------------------------------------------- dask accessors


def _series_piece(out, key: str, part: pd.Series) -> pd.Series:
    return pd.Series(out[key], index=part.index, name=part.name, copy=False)


def _bounds_piece(out, part: pd.Series, meta: pd.DataFrame) -> pd.DataFrame:
    n = len(part)
    frame = {}
    for k in ("lower", "upper"):
        v = out[k]
        frame[k] = np.full(n, v) if np.ndim(v) == 0 else v
    return pd.DataFrame(frame, index=part.index).astype(meta.dtypes.to_dict())


def _any_mask(outs: list, n: int) -> np.ndarray:
    """Rows with a flagged cell in any of the outputs."""
    flags = np.zeros(n, dtype=bool)
    for o in outs:
        flags |= o["mask"]
    return flags


def _flagged_rows(outs: list, part):
    return part[_any_mask(outs, len(part))]


def _frame_piece(outs: list, key: str, part: pd.DataFrame, names: list) -> pd.DataFrame:
    out = pd.DataFrame(dict(enumerate(o[key] for o in outs)), index=part.index, copy=False)
    out.columns = pd.Index(names) if names else out.columns
    return out


def _collect(g: _Graph, pieces: list, meta, like):
    """A dask collection of the pieces; divisions those of `like` (unknown if None)."""
    import dask.dataframe as dd

    divisions = None if like is None else like.divisions
    return dd.from_delayed(g.delayed(pieces), meta=meta, divisions=divisions, verify_meta=False)


def _want_clean(how: str) -> dict[str, bool]:
    from .accessors import _check_how

    _check_how(how)
    return {"mask": True, "scores": False, "bounds": how == "clip", "center": how == "center"}


def _clean_piece(out, part: pd.Series, how: str) -> pd.Series:
    from .accessors import _clean

    return _clean(part, out, how)


def _report_piece(out, part: pd.Series, offset: int, column=None) -> pd.DataFrame:
    """A partition's rows of the report, at positions in the whole column."""
    from .accessors import _report

    rows = _report(part, out)
    rows["position"] += offset
    if column is not None:
        rows.insert(0, "column", [column] * len(rows))
    return rows


def _offsets(g: _Graph, parts: list) -> list:
    """The keys of each partition's first position in the column (lengths are not known)."""
    offsets = [0]
    for p in parts[:-1]:
        offsets.append(g.call(operator.add, offsets[-1], g.call(len, p)))
    return offsets


def _in_memory_only(verb: str, what: str):
    """A verb that draws or styles the data in memory: refused on dask, saying what to do."""

    def refuse(self, *args: Any, **kwargs: Any):
        raise NotImplementedError(
            f"{verb} needs the data in memory: call it on the pandas {what} that .compute() "
            f"returns (.compute().outliers.{verb}(...)), or on a sample if it is large"
        )

    refuse.__name__ = verb
    refuse.__doc__ = f"Not on dask: ``.compute()`` first, then the pandas {what}'s ``{verb}``."
    return refuse


class DaskSeriesOutliers:
    """``ddf["x"].outliers``: the pandas Series verbs on a dask Series, lazily (SPEC §10).

    Results equal the pandas accessor's on the concatenated data; statistics (medians,
    quantiles included) are exact. See :mod:`outliers._dask` for how each method is split.
    ``plot`` and ``explore`` draw in memory: they raise NotImplementedError saying to call
    them on ``.compute()``'s pandas Series.
    """

    def __init__(self, series) -> None:
        self._s = series

    def _run(self, method: str, params: dict[str, Any], want: dict[str, bool]):
        g = _Graph()
        read = reader(g, self._s)
        outs, _ = partition_outputs(g, read, method, params, want)
        return g, read(None), outs

    def detect(self, method: str = "zscore", **params: Any):
        """The flagged entries: a dask Series with the same labels, dtype and name."""
        meta = self._s._meta.outliers.detect(method, **params)
        g, parts, outs = self._run(method, params, _WANT["mask"])
        pieces = [g.call(_flagged_rows, [o], p) for o, p in zip(outs, parts, strict=True)]
        return _collect(g, pieces, meta, self._s)

    def mask(self, method: str = "zscore", **params: Any):
        """A boolean dask Series aligned to the data (missing values are never flagged)."""
        return self._aligned("mask", method, params)

    def scores(self, method: str = "zscore", **params: Any):
        """The float64 scores as a dask Series: NaN for missing values, +inf for infinite ones."""
        return self._aligned("scores", method, params)

    def _aligned(self, key: str, method: str, params: dict[str, Any]):
        meta = getattr(self._s._meta.outliers, key)(method, **params)
        g, parts, outs = self._run(method, params, _WANT[key])
        pieces = [g.call(_series_piece, o, key, p) for o, p in zip(outs, parts, strict=True)]
        return _collect(g, pieces, meta, self._s)

    def bounds(self, method: str = "zscore", **params: Any):
        """A dask DataFrame with columns ``lower`` and ``upper`` aligned to the data."""
        meta = self._s._meta.outliers.bounds(method, **params)
        g, parts, outs = self._run(method, params, _WANT["bounds"])
        pieces = [g.call(_bounds_piece, o, p, meta) for o, p in zip(outs, parts, strict=True)]
        return _collect(g, pieces, meta, self._s)

    def clean(self, how: str = "nan", method: str = "zscore", **params: Any):
        """A new dask Series with the flagged values handled, as ``Series.outliers.clean``."""
        want = _want_clean(how)
        meta = self._s._meta.outliers.clean(how, method, **params)
        g, parts, outs = self._run(method, params, want)
        pieces = [g.call(_clean_piece, o, p, how) for o, p in zip(outs, parts, strict=True)]
        return _collect(g, pieces, meta, self._s)

    def report(self, method: str = "zscore", **params: Any):
        """The flagged entries, indexed by their labels, as ``Series.outliers.report``.

        A dask DataFrame with ``position`` (in the whole column), ``value``, ``score``,
        ``lower``, ``upper``.
        """
        meta = self._s._meta.outliers.report(method, **params)
        g, parts, outs = self._run(method, params, _WANT["report"])
        pieces = [
            g.call(_report_piece, o, p, offset)
            for o, p, offset in zip(outs, parts, _offsets(g, parts), strict=True)
        ]
        return _collect(g, pieces, meta, self._s)

    plot = _in_memory_only("plot", "Series")
    explore = _in_memory_only("explore", "Series")


def _frame_bounds_piece(outs: list, part: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    n = len(part)
    arrays = []
    for o in outs:
        for k in ("lower", "upper"):
            arrays.append(np.full(n, o[k]) if np.ndim(o[k]) == 0 else o[k])
    out = pd.DataFrame(dict(enumerate(arrays)), index=part.index)
    out.columns = meta.columns
    return out.astype(dict(zip(meta.columns, meta.dtypes, strict=True)))


def _frame_clean_piece(outs: list, part: pd.DataFrame, cols: list, how: str) -> pd.DataFrame:
    from .accessors import _clean

    if how == "drop":
        return part[~_any_mask(outs, len(part))]
    out = part.copy()
    for j, o in zip(cols, outs, strict=True):
        out.isetitem(j, _clean(part.iloc[:, j], o, how))
    return out


class DaskFrameOutliers:
    """``ddf.outliers``: per-column detection on a dask DataFrame, lazily (SPEC §10).

    ``columns=`` as for pandas (default: the numeric columns); every column is split over
    the partitions as :class:`DaskSeriesOutliers` does. ``plot``, ``explore`` and ``style``
    draw in memory: they raise NotImplementedError saying to call them on ``.compute()``'s
    pandas DataFrame.
    """

    def __init__(self, frame) -> None:
        self._df = frame

    def _run(self, method: str, params: dict[str, Any], columns, want: dict[str, bool]):
        meta = self._df._meta
        cols = meta.outliers._positions(columns)
        names = [meta.columns[j] for j in cols]
        g = _Graph()
        parts = g.use(list(self._df.to_delayed()))
        per_column = [
            partition_outputs(g, reader(g, self._df[name]), method, params, want)[0]
            for name in names
        ]
        outs = [list(row) for row in zip(*per_column, strict=True)] if names else [[]] * len(parts)
        return g, cols, names, parts, outs

    def detect(self, method: str = "zscore", *, columns=None, **params: Any):
        """The rows (all columns) with at least one flagged cell, in order."""
        meta = self._df._meta.outliers.detect(method, columns=columns, **params)
        g, _, _, parts, outs = self._run(method, params, columns, _WANT["mask"])
        pieces = [g.call(_flagged_rows, o, p) for o, p in zip(outs, parts, strict=True)]
        return _collect(g, pieces, meta, self._df)

    def mask(self, method: str = "zscore", *, columns=None, **params: Any):
        """A boolean dask DataFrame of the checked columns."""
        return self._frame("mask", method, columns, params)

    def scores(self, method: str = "zscore", *, columns=None, **params: Any):
        """The float64 dask DataFrame of the checked columns' scores."""
        return self._frame("scores", method, columns, params)

    def _frame(self, key: str, method: str, columns, params: dict[str, Any]):
        meta = getattr(self._df._meta.outliers, key)(method, columns=columns, **params)
        g, _, names, parts, outs = self._run(method, params, columns, _WANT[key])
        pieces = [g.call(_frame_piece, o, key, p, names) for o, p in zip(outs, parts, strict=True)]
        return _collect(g, pieces, meta, self._df)

    def bounds(self, method: str = "zscore", *, columns=None, **params: Any):
        """A dask DataFrame with columns ``(column, "lower")``, ``(column, "upper")``."""
        meta = self._df._meta.outliers.bounds(method, columns=columns, **params)
        g, _, _, parts, outs = self._run(method, params, columns, _WANT["bounds"])
        pieces = [
            g.call(_frame_bounds_piece, o, p, meta) for o, p in zip(outs, parts, strict=True)
        ]
        return _collect(g, pieces, meta, self._df)

    def clean(self, how: str = "nan", method: str = "zscore", *, columns=None, **params: Any):
        """A new dask DataFrame with the checked columns cleaned as ``DataFrame.outliers.clean``.

        ``how="drop"`` drops the rows with any flagged cell.
        """
        want = _want_clean(how)
        meta = self._df._meta.outliers.clean(how, method, columns=columns, **params)
        g, cols, _, parts, outs = self._run(method, params, columns, want)
        pieces = [
            g.call(_frame_clean_piece, o, p, cols, how) for o, p in zip(outs, parts, strict=True)
        ]
        return _collect(g, pieces, meta, self._df)

    def report(self, method: str = "zscore", *, columns=None, **params: Any):
        """Long form, one row per flagged cell with its ``column``: by column, then position.

        A dask DataFrame indexed by the flagged labels (its divisions unknown: each column's
        rows start again from the first partition).
        """
        meta = self._df._meta.outliers.report(method, columns=columns, **params)
        g, cols, names, parts, outs = self._run(method, params, columns, _WANT["report"])
        if not names:  # one empty piece (dd.from_pandas would change the dtypes)
            return _collect(g, [g.call(pd.DataFrame.copy, meta)], meta, None)
        offsets = _offsets(g, parts)
        pieces = [
            g.call(_report_piece, o[k], g.call(_column_of, p, cols[k]), offset, name)
            for k, name in enumerate(names)
            for o, p, offset in zip(outs, parts, offsets, strict=True)
        ]
        return _collect(g, pieces, meta, None)

    plot = _in_memory_only("plot", "DataFrame")
    explore = _in_memory_only("explore", "DataFrame")
    style = _in_memory_only("style", "DataFrame")


def _column_of(part: pd.DataFrame, k: int) -> pd.Series:
    return part.iloc[:, k]


def register() -> None:
    """Register ``.outliers`` on dask Series and DataFrames (dask.dataframe is imported)."""
    from dask.dataframe.extensions import (
        register_dataframe_accessor,
        register_series_accessor,
    )

    register_series_accessor("outliers")(DaskSeriesOutliers)
    register_dataframe_accessor("outliers")(DaskFrameOutliers)


class _RegisterOnImport(importlib.abc.MetaPathFinder):
    """Registers the accessors once dask.dataframe is imported.

    So ``import outliers`` does not import dask (0.6 s) for users who never use it.
    """

    def find_spec(self, name, path, target=None):
        if name != "dask.dataframe":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_then_register(module):
            exec_module(module)
            register()

        spec.loader.exec_module = exec_then_register
        return spec


def register_when_imported() -> None:
    """Register now if dask.dataframe is loaded, else as soon as it is."""
    if "dask.dataframe" in sys.modules:
        register()
    elif importlib.util.find_spec("dask") is not None:
        sys.meta_path.insert(0, _RegisterOnImport())
