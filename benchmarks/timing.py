"""Timing primitives of the benchmark: batches, round-robin rounds, medians, tracemalloc peaks.

A call is timed in batches long enough for the clock (timeit's autorange idea), every candidate
once per round in a new random order, and summarised by the median of its rounds on both the
process's CPU clock and the wall clock.
"""

from __future__ import annotations

import dataclasses
import gc
import math
import random
import time
import tracemalloc
from collections.abc import Callable

import numpy as np


@dataclasses.dataclass(frozen=True)
class Settings:
    clock: str  # "cpu" or "wall": the clock of median_s
    min_batch: float  # seconds: short calls are repeated back to back up to this
    long_call: float  # seconds: a call longer than this is timed in the first round only


@dataclasses.dataclass(frozen=True)
class Timed:
    call: Callable[[], object]
    number: int  # calls per batch
    long: bool  # timed in the first round only


def batch(call, number: int) -> tuple[float, float]:
    """(wall, CPU) seconds per call over `number` back-to-back calls, gc off (as timeit)."""
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        w0, c0 = time.perf_counter(), time.process_time()
        for _ in range(number):
            call()
        w1, c1 = time.perf_counter(), time.process_time()
        return (w1 - w0) / number, (c1 - c0) / number
    finally:
        if gc_was_on:
            gc.enable()


def timed(call, estimate: float, settings: Settings) -> Timed:
    """How to time `call`, given the time of one call already made (the warm-up), in seconds.

    Short calls are batched up to `min_batch` seconds (timeit's autorange idea). Each probe is
    the best of three: one preempted probe must not make a 10 µs call look like a 5 ms one, and
    so be timed two calls at a time.
    """
    long = estimate >= settings.long_call
    if estimate >= 20 * settings.min_batch:
        return Timed(call, 1, long)
    clock = 1 if settings.clock == "cpu" else 0
    number = 1
    while True:
        per_call = min(batch(call, number)[clock] for _ in range(3))
        if per_call * number >= settings.min_batch / 10 or number >= 1 << 20:
            return Timed(call, max(1, math.ceil(settings.min_batch / max(per_call, 1e-9))), long)
        number *= 10


def round_robin(calls: dict[str, Timed], rounds: int, seed: int) -> dict[str, dict]:
    """{name: {"wall": [...], "cpu": [...]}}: seconds per call, one batch per round each.

    Every round calls every candidate, in a new random order, so that drifting load and cache
    state hit all alike; a long candidate (minutes in all with a slow kernel) is timed in the
    first round only.
    """
    order = list(calls)
    rng = random.Random(seed)
    times: dict[str, dict] = {name: {"wall": [], "cpu": []} for name in calls}
    for r in range(rounds):
        rng.shuffle(order)
        for name in order:
            t = calls[name]
            if t.long and r > 0:
                continue
            wall, cpu = batch(t.call, t.number)
            times[name]["wall"].append(wall)
            times[name]["cpu"].append(cpu)
    return times


def summary(ts: dict, clock: str) -> dict:
    """The medians of both clocks, `median_s` of the chosen one, and the raw times."""
    wall, cpu = float(np.median(ts["wall"])), float(np.median(ts["cpu"]))
    return {
        "rounds": len(ts["wall"]),
        "median_s": cpu if clock == "cpu" else wall,
        "median_wall_s": wall,
        "median_cpu_s": cpu,
        "wall_s": ts["wall"],
        "cpu_s": ts["cpu"],
    }


def traced_call(call, clock: str) -> tuple[int, float]:
    """(tracemalloc's peak in bytes during one call, the call's duration in seconds)."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        wall, cpu = batch(call, 1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak, cpu if clock == "cpu" else wall
