"""The speed targets for zscore, esd, small inputs and custom functions, in one run.

Every figure is a ratio to something timed in the same run, interleaved round-robin, median of
the rounds, on one thread:

- read passes: time / time of ``np.sum(x)`` on the same 10^7 float64 array (normal data with a
  spike every 10^4 values), by wall clock and by thread CPU time, for ``ol.mask(x)`` (zscore),
  ``ol.mask(x, "esd")`` with max_outliers 10 and 100, and the numpy idiom
  ``abs(x - mean) > 3 * std``;
- small inputs: ``ol.mask(x)`` on 10^3 values against the numpy idiom, best of many ``timeit``
  repeats;
- custom functions: ``Detector(func).detect(x)`` minus ``func(x)`` on 10^3 values, and
  ``np.shares_memory`` of what func sees at 10^7;
- peak extra memory of ``ol.mask`` at 10^7 (tracemalloc; the result alone is 10^7 bytes) and
  the RSS high-water mark of a fresh process, against one that only allocates the result.

    python benchmarks/bench_fast_paths.py [--rounds 21]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import timeit
import tracemalloc

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import outliers as ol  # noqa: E402


def _data(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    x[rng.integers(0, n, size=max(1, n // 10_000))] *= 25.0
    return x


def _idiom(x):
    return np.abs(x - x.mean()) > 3.0 * x.std()


def read_passes(rounds: int) -> dict[str, dict[str, float]]:
    """Ratios to np.sum by wall clock and by this thread's CPU time (one thread: the kernels
    run on the calling thread), which a loaded machine disturbs much less."""
    x = _data(10**7)
    candidates = {
        "np.sum": lambda: np.sum(x),
        "zscore": lambda: ol.mask(x),
        "esd r=10": lambda: ol.mask(x, "esd"),
        "esd r=100": lambda: ol.mask(x, "esd", max_outliers=100),
        "numpy idiom": lambda: _idiom(x),
    }
    wall = {k: [] for k in candidates}
    cpu = {k: [] for k in candidates}
    for _ in range(rounds):
        for name, f in candidates.items():
            w0, c0 = time.perf_counter(), time.thread_time()
            f()
            cpu[name].append(time.thread_time() - c0)
            wall[name].append(time.perf_counter() - w0)
    out = {}
    for clock, times in (("wall", wall), ("cpu", cpu)):
        base = float(np.median(times["np.sum"]))
        out[clock] = {k: float(np.median(v)) / base for k, v in times.items()}
        out[clock]["np.sum ms"] = base * 1e3
    return out


def _best(f, number: int = 2000, repeat: int = 15) -> float:
    return min(timeit.repeat(f, number=number, repeat=repeat)) / number


def small_inputs(rounds: int) -> dict[str, float]:
    x = _data(10**3)

    def func(v):
        return np.flatnonzero(v > 50.0)

    d = ol.Detector(func)
    candidates = {
        "ol.mask": lambda: ol.mask(x),
        "numpy idiom": lambda: _idiom(x),
        "func": lambda: func(x),
        "Detector(func).detect": lambda: d.detect(x),
    }
    best = {k: [] for k in candidates}
    for _ in range(max(3, rounds // 3)):
        for name, f in candidates.items():
            best[name].append(_best(f))
    out = {k + " us": float(np.median(v)) * 1e6 for k, v in best.items()}
    out["custom overhead us"] = out["Detector(func).detect us"] - out["func us"]
    return out


def custom_no_copy() -> bool:
    x = _data(10**7)
    seen = {}

    def func(v):
        seen["shares"] = np.shares_memory(v, x)
        return np.empty(0, np.int64)

    ol.Detector(func).detect(x)
    return bool(seen["shares"])


def peak_memory() -> dict[str, float]:
    x = _data(10**7)
    ol.mask(x)  # warm up
    tracemalloc.start()
    tracemalloc.reset_peak()
    ol.mask(x)
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # The RSS high-water mark is reset (Linux: "5" > /proc/self/clear_refs) after the data is
    # made and the code mapped by a first call, so only the call's own growth counts.
    program = (
        "import numpy as np, outliers as ol\n"
        "x = np.random.default_rng(0).normal(size=10**7)\n"
        "{call}\n"  # a first call maps the code it runs: not the call's memory
        "def kib(key):\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith(key):\n"
        "            return int(line.split()[1])\n"
        "open('/proc/self/clear_refs', 'w').write('5')\n"
        "base = kib('VmRSS')\n"
        "m = {call}\n"
        "print(kib('VmHWM') - base)\n"
    )
    rss = {}
    calls = (("ol.mask", "ol.mask(x)"), ("result only", "np.ones(x.size, bool)"))
    for label, call in calls:
        proc = subprocess.run(
            [sys.executable, "-c", program.format(call=call)],
            capture_output=True,
            text=True,
            check=True,
        )
        rss[label] = int(proc.stdout.strip()) / 1024  # KiB -> MiB
    return {
        "tracemalloc peak MiB": traced / 2**20,
        "RSS growth MiB (ol.mask)": rss["ol.mask"],
        "RSS growth MiB (result only)": rss["result only"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    ol.set_num_threads(1)
    print(f"cpu level {ol._core._cpu_level()}, numpy {np.__version__}")
    passes = read_passes(args.rounds)
    print(f"  {'read passes (1e7 float64)':28s} {'wall':>8s} {'cpu':>8s}")
    for name in passes["wall"]:
        print(f"  {name:28s} {passes['wall'][name]:8.2f} {passes['cpu'][name]:8.2f}")
    for name, value in small_inputs(args.rounds).items():
        print(f"  {name:28s} {value:8.2f}")
    print(f"  {'custom no copy at 1e7':28s} {custom_no_copy()}")
    for name, value in peak_memory().items():
        print(f"  {name:28s} {value:8.2f}")


if __name__ == "__main__":
    main()
