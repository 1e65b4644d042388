"""Windows across partitions: each partition extended by the neighbours' values its windows read.

A point's window may reach into other partitions: ``window // 2`` positions on each side for a
centred count window, ``window - 1`` before it for a trailing one, and for a time window the
points within the span's reach of its time. Each partition gets those values of its neighbours
(fewer at the column's ends), gathered across as many partitions as that takes (short and empty
partitions are fine, where dask.dataframe's ``map_overlap`` refuses partitions shorter than the
overlap and dask.array's changes the chunks), and the kernel computes the partition's own points
only (``partition_hampel`` for hampel's centred count windows, as in memory; ``partition_rolling``
for the rest). The extended partition is the one copy this method makes.

A time window reads each partition's times: its index (dask Series and DataFrames), or
``times=``, held in memory (each partition reads its slice) or as a dask array (rechunked as the
data). The times must be non-decreasing over the whole column: each partition checks its own,
and its extended buffer the junctions with its neighbours, so every pair of neighbouring points
is checked somewhere, with the messages of the in-memory call. Divisions are not needed.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .. import _native
from .._inputs import prepare
from .._windows import is_timed, resolve_times, with_reach
from .graph import Graph, reader

_INT64 = np.iinfo(np.int64)


# Task arguments below are plain objects, not tuples: dask reads a tuple as a task or a key.


@dataclass(eq=False)
class TimeSource:
    """Where a time window's partitions find their times.

    "index": the partitions' own index (pandas partitions); "ticks": a dask array of int64
    ticks partitioned as the values (a dask Series' index, or ``times=`` as a dask array);
    "times": ``times=`` held in memory, sliced by each partition at its offset.
    """

    how: str
    dtype: np.dtype  # the times' own dtype (ticks are its int64 view)
    span: Any  # the user's window, for messages
    name: str = "the index"  # what the messages call the times


@dataclass(eq=False)
class IndexTicks:
    """A dask Series' index as int64 ticks: the empty index, and a dask array of its ticks."""

    meta: Any
    ticks: Any


def _index_ticks(part) -> pd.Series:
    """A partition's index as int64 ticks, checked as the in-memory call checks an index."""
    return pd.Series(resolve_times(None, part.index, len(part.index)).values, copy=False)


def index_ticks(series) -> IndexTicks:
    """The index of a dask Series as int64 ticks (UTC instants for tz-aware times), lazily."""
    meta = pd.Series(np.empty(0, np.int64))
    ticks = series.map_partitions(_index_ticks, meta=meta, enforce_metadata=False)
    return IndexTicks(series._meta.index, ticks.to_dask_array())


def time_source(full: dict[str, Any], times: Any, index: Any, chunks: tuple | None):
    """(the parameters with their reach in the times' unit, a TimeSource, the times' data).

    `times`: the user's ``times=`` (in memory or a dask array) or an IndexTicks, or None;
    `index`: the collection's empty index (a dask Series' ``_meta.index``) or None; `chunks`:
    the partitions' lengths if known. The data is ``times=``' ticks (in memory), a dask array
    of ticks, or None (the partitions' index). Raises as the in-memory call does, now: no
    times, times of another dtype, and for times in memory NaT, decreasing or another length.
    """
    span = pd.Timedelta(full["span"], unit="ns")
    if isinstance(times, IndexTicks):
        t = resolve_times(None, times.meta, 0, span)
        return with_reach(full, t.dtype), TimeSource("ticks", t.dtype, span), times.ticks
    if times is None:
        t = resolve_times(None, index, 0 if index is None else len(index), span)
        return with_reach(full, t.dtype), TimeSource("index", t.dtype, span), None
    if hasattr(times, "__dask_graph__"):
        return _dask_times(full, times, chunks, span)
    n = len(times) if chunks is None else sum(chunks)
    t = resolve_times(times, None, n, span)
    return with_reach(full, t.dtype), TimeSource("times", t.dtype, span, "times"), t.values


def _dask_times(full: dict[str, Any], times: Any, chunks: tuple | None, span: Any):
    """``times=`` as a 1-D dask array, rechunked as the data (both lengths known)."""
    import dask.array as da

    if not isinstance(times, da.Array) or chunks is None or np.isnan(sum(times.shape)):
        raise TypeError(
            "times= for dask data must be held in memory (numpy or pandas), or be a dask array "
            "of known chunks beside a dask array of known chunks; for a dask Series, make the "
            "times its index"
        )
    t = resolve_times(np.empty(0, times.dtype), None, 0, span)  # its dtype, or TypeError
    if times.shape != (sum(chunks),):
        raise ValueError(f"times has shape {times.shape} for data of {sum(chunks)}")
    ticks = times.rechunk((tuple(chunks),)).map_blocks(_ticks_of, dtype=np.int64)
    return with_reach(full, t.dtype), TimeSource("ticks", t.dtype, span, "times"), ticks


def _ticks_of(block: np.ndarray) -> np.ndarray:
    return block.view(np.int64)


# ------------------------------------------------------------------ pieces and edges

# A piece is (values, ticks): a partition or a part of one, with the int64 times of its points
# for a time window (None for a count window). An edge is {"pieces": [...], "whole": bool}, whole
# when it holds every point on its side of the partition; None when there is nothing there.


def _piece(part, source: TimeSource | None, times=None, offset=None):
    """A partition as a piece, with its times.

    From its index, its partition of a dask array of ticks (`times`), or the slice of
    ``times=`` held in memory (`times`) at `offset`.
    """
    if source is None:
        return part, None
    if source.how == "index":
        index = part.index
        return part, resolve_times(None, index, len(index), source.span).values
    if source.how == "times":  # checked as a whole before anything was computed
        stop = offset + len(part)
        if stop > len(times):
            raise ValueError(f"times has {len(times)} values for data of {stop} or more")
        return part, times[offset:stop]
    ticks = np.asarray(times)
    if len(ticks) != len(part):  # a bug, not the user's: the ticks are chunked as the data
        raise AssertionError(f"{len(ticks)} times for {len(part)} values in a partition")
    if source.name == "times":  # an index's ticks were checked as they were read
        resolve_times(ticks.view(source.dtype), None, len(ticks), source.span)
    return part, ticks


def _cut(piece, start: int, stop: int):
    """piece[start:stop] by position, copied: not a view that would keep the whole part alive."""
    values, ticks = piece
    if isinstance(values, (pd.Series, pd.Index)):
        values = pd.Series(values).iloc[start:stop].copy()
    else:
        values = values[start:stop].copy()
    return values, None if ticks is None else ticks[start:stop].copy()


def _keep_count(flat: list, reach: int, tail: bool) -> tuple[list, bool]:
    """The last (tail) or first `reach` values of the pieces; True if none was left out."""
    out, need, complete = [], reach, True
    for p in reversed(flat) if tail else flat:
        n = len(p[0])
        if need == 0:
            complete = complete and n == 0
        elif n <= need:
            out.append(p)
        else:
            out.append(_cut(p, n - need, n) if tail else _cut(p, 0, need))
            complete = False
        need -= min(n, need)
    return out[::-1] if tail else out, complete


def _keep_time(flat: list, reach: int, tail: bool) -> tuple[list, bool]:
    """The points within `reach` ticks of the last (tail) or first time; True if all are."""
    nonempty = [p for p in flat if len(p[0])]
    if not nonempty:
        return [], True
    if tail:
        bound = max(int(nonempty[-1][1][-1]) - reach, int(_INT64.min))
        pieces = reversed(nonempty)
    else:
        bound = min(int(nonempty[0][1][0]) + reach, int(_INT64.max))
        pieces = iter(nonempty)
    out, complete = [], True
    for p in pieces:
        k = int(np.searchsorted(p[1], np.int64(bound), "left" if tail else "right"))
        n = len(p[0])
        if (n - k if tail else k) == n:
            out.append(p)
            continue
        if tail and k < n:
            out.append(_cut(p, k, n))
        elif not tail and k > 0:
            out.append(_cut(p, 0, k))
        complete = False
        break
    return out[::-1] if tail else out, complete


def _edge(edge, part, source, targ: list, reach: int, tail: bool):
    """The edge past `part` (tail: after it; else before it) from the edge beyond it.

    Whole partitions are kept by reference and at most one is cut (and copied), so the edges of
    windows longer than the partitions share the partitions' memory instead of each holding up
    to a window of values of its own: O(n) in all rather than O(partitions x window).
    """
    piece = _piece(part, source, *targ)
    pieces = [] if edge is None else edge["pieces"]
    flat = [*pieces, piece] if tail else [piece, *pieces]
    keep = _keep_count if piece[1] is None else _keep_time
    out, complete = keep(flat, reach, tail)
    return {"pieces": out, "whole": (edge is None or edge["whole"]) and complete}


def _joined(pieces: list) -> tuple[Any, np.ndarray | None]:
    """The values of the pieces end to end, and their times (None for a count window)."""
    values = [v for v, _ in pieces]
    if isinstance(values[0], (pd.Series, pd.Index)):
        joined = pd.concat([pd.Series(v) for v in values], ignore_index=True)
    else:
        joined = np.concatenate(values)
    if pieces[0][1] is None:
        return joined, None
    return joined, np.concatenate([t for _, t in pieces])


def _check_junctions(pieces: list, source: TimeSource) -> None:
    """Pieces each sorted, in order: each piece's first time >= the previous piece's last."""
    ends = [int(t[k]) for _, t in pieces if len(t) for k in (0, -1)]
    if len(ends) > 2:
        ticks = np.array(ends, dtype=np.int64).view(source.dtype)
        if source.name == "times":  # their message
            resolve_times(ticks, None, len(ticks), source.span)
        else:
            resolve_times(None, pd.Index(ticks), len(ticks), source.span)


# ------------------------------------------------------------------ the kernels


def _hampel_kernel(full: dict[str, Any]) -> bool:
    """True for hampel's centred count windows: its own kernel, as in memory (same bits)."""
    return "span" not in full and full["center"] and full["min_periods"] == 1


def _run_points(method, values, ticks, first, last, origin, missing, full, want) -> dict:
    """The outputs of the points [first, last) of `values` (a partition and its edges).

    `origin`: the position of the first value in the column.
    """
    prepared = prepare(values)  # a Series as any Series (tz-aware data included)
    column = prepared.core_column()
    asked = {k: want.get(k, False) for k in ("mask", "scores", "bounds", "center")}
    if method == "hampel" and _hampel_kernel(full):
        # A window of 2N + 1 already holds all N values at every point: a longer one is the
        # same (2N + 3: still odd, and >= 3 for an empty buffer).
        window = min(full["window"], 2 * len(values) + 3)
        out = _native.partition_hampel(
            column, missing, window, full["threshold"], first, last, **asked
        )
    else:
        out = _native.partition_rolling(
            method, column, missing, full, ticks, first, last, origin, **asked
        )
    for key in ("lower", "upper", "center"):
        if key in out:
            out[key] = prepared.in_time(out[key])
    return out


# The outputs of a whole column's points, per column of a call (a token): computed by the first
# partition whose extended buffer is the whole column, sliced by the others. Weak references:
# an entry lives as long as the partitions' results (views into it) do.
_WHOLE: dict[str, list] = {}
_WHOLE_LOCK = threading.Lock()


def _whole_column(token: str, run, column) -> dict:
    """Every point's outputs of the whole column (`column()`), once per token and process."""
    with _WHOLE_LOCK:
        entry = _WHOLE.setdefault(token, [threading.Lock(), {}])
    with entry[0]:
        out = {k: ref() for k, ref in entry[1].items()}
        if not out or any(v is None for v in out.values()):
            values, ticks = column()
            out = run(values, ticks, 0, len(values), 0)
            entry[1] = {k: weakref.ref(v) for k, v in out.items()}
            if out:
                weakref.finalize(next(iter(out.values())), _WHOLE.pop, token, None)
    return out


@dataclass(eq=False)
class _Call:
    """What every partition's task of one call shares."""

    method: str
    full: dict[str, Any]
    missing: list[float]
    want: dict[str, bool]
    source: TimeSource | None
    token: str  # this column's whole-column outputs (a frame has several columns)


def _window_part(call: _Call, before, parts: list, targs: list, offset, after, last: bool):
    """The outputs of consecutive partitions' own points, their windows reading neighbours.

    `targs`: where each partition's times are (see `_piece`); `offset`: the first partition's
    position in the column, when zscore's count windows need it (else None); `last`: the last
    partitions, whose end is then checked against the length of ``times=`` (held in memory,
    when the partitions' lengths were not known). When both edges hold everything up to the
    column's ends, the buffer is the whole column, the same for every such partition: its
    points are computed once (each call sorts its first window, and with a window spanning
    the column, every partition sorted the whole column).
    """
    how = None if call.source is None else call.source.how
    own = [_piece(p, call.source, *t) for p, t in zip(parts, targs, strict=True)]
    if last and how == "times":
        times, at = targs[-1]
        end = at + len(parts[-1])
        if end != len(times):
            raise ValueError(f"times has {len(times)} values for data of {end}")
    before_p = [] if before is None else before["pieces"]
    after_p = [] if after is None else after["pieces"]
    pieces = [*before_p, *own, *after_p]
    if call.source is not None and how in ("index", "ticks"):
        _check_junctions(pieces, call.source)
    start = sum(len(v) for v, _ in before_p)
    stop = start + sum(len(v) for v, _ in own)

    def run(values, ticks, first, last, origin):
        return _run_points(
            call.method, values, ticks, first, last, origin, call.missing, call.full, call.want
        )

    whole = (before is None or before["whole"]) and (after is None or after["whole"])
    if call.full["center"] and whole:  # trailing windows compute no edge after
        return _slice_out(_whole_column(call.token, run, lambda: _joined(pieces)), start, stop)
    return run(*_joined(pieces), start, stop, 0 if offset is None else offset - start)


def _groups(lengths, reach: int | None, count: int) -> list[range]:
    """Runs of consecutive partitions that one kernel call computes together.

    A call sorts its first window, O(min(reach, n) log) whatever its own length: partitions much
    shorter than the window would each pay that for a few points (100 partitions of a window
    2^40 + 1 sorted the whole column 100 times). A run holds at least 4 x reach points when the
    lengths and the reach in positions are known (count windows), which bounds that cost by
    about the points' own; one partition per run otherwise.
    """
    if lengths is None or reach is None:
        return [range(j, j + 1) for j in range(count)]
    groups, start, own = [], 0, 0
    for j, n in enumerate(lengths):
        own += n
        if own >= 4 * reach:
            groups.append(range(start, j + 1))
            start, own = j + 1, 0
    if start < len(lengths):
        groups.append(range(start, len(lengths)))
    return groups


def _slice_out(out: dict, start: int, stop: int) -> dict:
    return {k: v[start:stop] for k, v in out.items()}


def _reaches(full: dict[str, Any]) -> tuple[int, int]:
    """How far windows reach before and after a point: positions, or ticks for a span."""
    centred = full["center"]
    if "span" in full:
        reach = full["time_reach"]
        return reach, reach if centred else 0
    w = full["window"]
    return (w // 2, w // 2) if centred else (w - 1, 0)


def _offsets(g: Graph, read, lengths) -> list:
    """Each partition's position in the column: numbers if the lengths are known, else keys."""
    if lengths is not None:
        return [int(o) for o in np.cumsum((0, *lengths))[:-1]]
    return g.offsets(read("offsets"))


def _time_args(g: Graph, source: TimeSource | None, data, offsets, count: int):
    """``targs(step)``: where each partition finds its times for a step, as `_piece` reads it.

    A list per partition (dask replaces the keys in lists): the ticks' partition, read afresh
    for the step; ``times=`` in memory (one task holding it) and the partition's offset; or
    nothing (count windows, and the partitions' own index).
    """
    how = None if source is None else source.how
    if how == "ticks":
        ticks = reader(g, data)
        return lambda step: [[t, None] for t in ticks(step)]
    if how != "times":
        return lambda step: [[None, None]] * count
    times = g.call(np.asarray, data)  # in the graph once, whatever reads it
    return lambda step: [[times, o] for o in offsets]


def window_outputs(
    g: Graph,
    read,
    method: str,
    full: dict[str, Any],
    missing: list[float],
    want: dict[str, bool],
    lengths: tuple[int, ...] | None,
    times: Any = None,
    index: Any = None,
) -> list:
    """The keys of each partition's outputs over windows (bounds and centers per point).

    `times`: the user's ``times=`` (in memory), `index`: the collection's empty index, for a
    time window; `lengths`: the partitions' lengths when known.
    """
    source, data = None, None
    if is_timed(full):
        full, source, data = time_source(full, times, index, lengths)
    parts = read(None)
    # Positions in the column: for the slices of times= in memory, and for zscore's count
    # windows, whose moments are cut on a grid of positions of the whole column.
    offsets: list[Any] = [None] * len(parts)
    if (source is not None and source.how == "times") or (source is None and method == "zscore"):
        offsets = _offsets(g, read, lengths)
    targs = _time_args(g, source, data, offsets, len(parts))
    before_reach, after_reach = _reaches(full)
    # Each chain of edges reads the partitions again, so that none waits in memory for the
    # other end of the chain.
    befores: list[Any] = []
    before = None
    for p, t in zip(read("before"), targs("before"), strict=True):
        befores.append(before)
        before = g.call(_edge, before, p, source, t, before_reach, True)
    afters: list[Any] = [None] * len(parts)
    if full["center"]:
        afters = []
        after = None
        for p, t in zip(reversed(read("after")), reversed(targs("after")), strict=True):
            afters.append(after)
            after = g.call(_edge, after, p, source, t, after_reach, False)
        afters.reverse()
    call = _Call(method, full, missing, want, source, uuid.uuid4().hex)
    outs = []
    count_reach = None if source is not None else before_reach
    own_targs = targs(None)
    for run in _groups(lengths, count_reach, len(parts)):
        key = g.call(
            _window_part, call, befores[run[0]], [parts[j] for j in run],
            [own_targs[j] for j in run], offsets[run[0]] if source is None else None,
            afters[run[-1]], run[-1] == len(parts) - 1,
        )  # fmt: skip
        if len(run) == 1:
            outs.append(key)
            continue
        assert lengths is not None  # runs of several partitions only when lengths are known
        start = 0
        for j in run:
            outs.append(g.call(_slice_out, key, start, start + lengths[j]))
            start += lengths[j]
    return outs
