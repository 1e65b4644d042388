"""hampel across partitions: each partition's windows read its neighbours' values.

Each partition gets ``window // 2`` values of its neighbours on each side (fewer at the
column's ends), gathered across as many partitions as that takes (short and empty partitions
are fine, where dask.dataframe's ``map_overlap`` refuses partitions shorter than the overlap and
dask.array's changes the chunks); the kernel computes the partition's own points only
(``partition_hampel``). The extended partition is the one copy this method makes.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from typing import Any

import numpy as np
import pandas as pd

from .. import _native
from .._inputs import prepare
from .graph import Graph


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
    prepared = prepare(extended)  # a Series as any Series (tz-aware data included)
    # A window of 2N + 1 already holds all N values at every point: a longer one is the same
    # (2N + 3: still odd, and >= 3 for an empty partition).
    window = min(full["window"], 2 * len(extended) + 3)
    out = _native.partition_hampel(
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
            out[key] = prepared.in_time(out[key])
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


def hampel_outputs(
    g: Graph,
    read,
    full: dict[str, Any],
    missing: list[float],
    want: dict[str, bool],
    lengths: tuple[int, ...] | None,
) -> list:
    """The keys of each partition's hampel outputs (bounds per point: no statistics)."""
    parts = read(None)
    h = full["window"] // 2
    # Each chain of edges reads the partitions again, so that none waits in memory for the
    # other end of the chain.
    befores: list[Any] = []
    before = None
    for p in read("before"):
        befores.append(before)
        before = g.call(_edge, [before, p], h, True)
    afters: list[Any] = []
    after = None
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
        assert lengths is not None  # runs of several partitions only when lengths are known
        start = 0
        for j in run:
            outs.append(g.call(_slice_out, key, start, start + lengths[j]))
            start += lengths[j]
    return outs
