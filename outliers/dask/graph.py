"""The dask graph of one call: its tasks in a single layer, and readers of the partitions."""

from __future__ import annotations

import operator
import uuid

import numpy as np

# Reductions combine this many results per task.
_FAN_IN = 8


class Graph:
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

    def offsets(self, parts: list) -> list:
        """The keys of each partition's first position in the column (lengths not known)."""
        offsets = [0]
        for p in parts[:-1]:
            offsets.append(self.call(operator.add, offsets[-1], self.call(len, p)))
        return offsets

    def graph(self, layer: str):
        """The tasks as one layer of a dask HighLevelGraph, over the collections read."""
        from dask.highlevelgraph import HighLevelGraph

        return HighLevelGraph.from_collections(layer, dict(self.tasks), dependencies=self.inputs)

    def delayed(self, keys: list) -> list:
        """Delayed objects for the tasks `keys`."""
        from dask.delayed import Delayed

        graph = self.graph(self.name)
        return [Delayed(k, graph, layer=self.name) for k in keys]

    def array(self, name: str, chunks: tuple, dtype):
        """The dask array whose chunk j is the task keyed (name, j) (or (name,) for 0-d)."""
        import dask.array as da

        return da.Array(self.graph(name), name, chunks=chunks, dtype=dtype)


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


def reader(g: Graph, collection):
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
