"""Time `outliers` against what a user would otherwise write, in one run; write the JSON.

For every size (10^3, 10^5, 10^7 float64 values by default), every candidate of
`candidates.py` (outliers' six methods, the numpy and pandas idioms, scipy, bottleneck,
the hampel package, pyod, and np.sum as the bandwidth yardstick) is timed round-robin: each
round calls every candidate once (a batch of calls for small inputs), in a fresh random order,
so that drifting machine load hits all alike; the figure kept is the median over rounds, of the
process's CPU time by default (`--clock wall` for wall time; both are recorded): on the shared
development machine a busy neighbour doubles wall times and their spread, not CPU times. A call
longer than `--long-call` seconds (a slow kernel at a wide window) is timed in the first round
only. "Read passes" = time / time of np.sum on the same array. Peak extra memory is measured twice:
tracemalloc's peak during one call (numpy's buffers, not C/C++ scratch), and the increase of the
RSS high-water mark around one call in a fresh process per (candidate, size), which sees all.
Then the frame benchmark (df.outliers.mask() over 8 columns of 10^6 rows, 1 and 2 threads, wall
time, 11 rounds: a second thread's gain swings with the host's memory load, and np.sum over the
same columns is timed in the same rounds as its yardstick) and the hampel window sweep
(outliers against bottleneck.move_median).

    python benchmarks/bench_methods.py                 # the full run of `make bench`
    python benchmarks/bench_methods.py --quick         # a smoke run on small sizes
    python benchmarks/bench_methods.py --only hampel --no-frame --sizes 100000

`benchmarks/report.py` turns the JSON into the documentation's benchmarks page and the sweep plot.
"""

from __future__ import annotations

import os

# Single-thread figures for every library that reads these (outliers' own count is set below).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import concurrent.futures
import dataclasses
import datetime
import gc
import importlib.metadata
import json
import math
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path

import outliers as ol

sys.path.insert(0, str(Path(__file__).resolve().parent))
import machine
from bandwidth import column_sums
from candidates import (
    MAD_SCALE,
    Candidate,
    all_candidates,
    by_name,
    data,
    missing_modules,
)
from timing import Settings, Timed, batch, round_robin, summary, timed, traced_call

HERE = Path(__file__).resolve().parent
SCHEMA = 1
SIZES = (10**3, 10**5, 10**7)
# Fewer rounds where one call is long; 9 at 10^7, where five let two loaded rounds set the median.
ROUNDS = (30, 15, 9)
SWEEP_WINDOWS = (7, 21, 51, 101, 501, 2001)
DISTRIBUTIONS = (
    "numpy",
    "pandas",
    "scipy",
    "bottleneck",
    "hampel",
    "pyod",
    "scikit-learn",
    "matplotlib",
    "outliers",
)


def _error(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}".splitlines()[0][:300]


# --- the 1-D benchmark --------------------------------------------------------------------


def bench_size(
    n: int, rounds: int, cands: list[Candidate], missing: dict[str, str], settings: Settings
) -> list[dict]:
    x = data(n)
    rows: dict[str, dict] = {}
    calls: dict[str, Timed] = {}
    for c in cands:
        if not c.runs_at(n):
            continue
        row = rows[c.name] = {"candidate": c.name, "task": c.task, "impl": c.impl, "n": n}
        absent = [m for m in c.requires if m in missing]
        if absent:
            row["error"] = f"not installed: {', '.join(absent)}"
            continue
        try:
            c.make(data(max(c.min_n, 128), seed=1))()  # lazy imports, first-call caches
            call = c.make(x)
            peak, first = traced_call(call, settings.clock)
            calls[c.name] = timed(call, first, settings)
        except Exception as e:  # noqa: BLE001  (one broken package must not stop the run)
            row["error"] = _error(e)
            continue
        row["tracemalloc_peak_bytes"] = peak
        row["number"] = calls[c.name].number
    times = round_robin(calls, rounds, seed=n)
    for name, ts in times.items():
        rows[name].update(summary(ts, settings.clock), rss=None)
    yardstick = rows.get("numpy.sum", {}).get("median_s", math.nan)
    for name in times:
        rows[name]["read_passes"] = rows[name]["median_s"] / yardstick
    out = list(rows.values())
    for row in out:
        if "median_s" in row:
            print(
                f"n={n:>10,d}  {row['candidate']:34s} {row['median_s'] * 1e3:11.4f} ms  "
                f"{row['read_passes']:9.1f} read passes  "
                f"tracemalloc {row['tracemalloc_peak_bytes'] / 2**20:8.2f} MiB",
                flush=True,
            )
        else:
            print(f"n={n:>10,d}  {row['candidate']:34s} skipped: {row['error']}", flush=True)
    return out


# --- peak RSS in a fresh process ----------------------------------------------------------


def rss_child(name: str, n: int) -> dict:
    """Run in a fresh process: the RSS high-water mark before and after one call, in KiB."""
    ol.set_num_threads(1)
    c = by_name()[name]
    # Warm up on small data first: lazy imports and first-call set-up are not the call's memory.
    c.make(data(max(c.min_n, 128), seed=1))()
    x = data(n)  # written in full by the generator: the input is touched, its pages resident
    call = c.make(x)
    gc.collect()
    # Without the reset, the peak of the imports would hide any call that needs less.
    reset = machine.reset_rss_peak()
    hwm_before = machine.status_kib("VmHWM")
    before = machine.peak_rss_kib()
    call()
    after = machine.peak_rss_kib()
    hwm_after = machine.status_kib("VmHWM")
    return {
        "before_kib": before,
        "after_kib": after,
        "vmhwm_before_kib": hwm_before,
        "vmhwm_after_kib": hwm_after,
        "peak_reset": reset,
    }


def _child_command(row: dict) -> list[str]:
    py = [sys.executable, str(Path(__file__).resolve()), "--rss-child", row["candidate"]]
    py += ["--rss-n", str(row["n"])]
    # Linux carries ru_maxrss across exec from the memory of the process that forked: a child
    # forked by this (large) process would start with our high-water mark and hide its own.
    # A small shell that forks the child (it does not exec it: a command follows) breaks that.
    return ["/bin/sh", "-c", '"$@"; exit $?', "sh", *py]


def _child_env() -> dict[str, str]:
    env = os.environ.copy()
    # A fixed glibc mmap threshold turns off its dynamic growth: every block of 128 KiB or more
    # is mapped when allocated and returned when freed, so the high-water mark counts what the
    # call holds at once, not what an earlier free happened to leave resident for it to reuse.
    env["MALLOC_MMAP_THRESHOLD_"] = "131072"
    return env


def measure_rss(rows: list[dict], sizes: list[int], only: list[str] | None, workers: int) -> None:
    """Fill row["rss"] for the rows whose size is in `sizes`: one fresh process each."""
    todo = [
        r
        for r in rows
        if "median_s" in r
        and r["n"] in sizes
        and (not only or any(s in r["candidate"] for s in only))
    ]
    env = _child_env()

    def one(row):
        p = subprocess.run(_child_command(row), capture_output=True, text=True, cwd=HERE, env=env)
        if p.returncode != 0:
            tail = (p.stderr.strip().splitlines() or ["(no output)"])[-1]
            return row, {"error": f"exit {p.returncode}: {tail}"[:300]}
        child = json.loads(p.stdout.strip().splitlines()[-1])
        child["increase_bytes"] = (child["after_kib"] - child["before_kib"]) * 1024
        return row, child

    # Memory does not suffer from a busy neighbour the way time does: two at once is fine.
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        for row, rss in pool.map(one, todo):
            row["rss"] = rss
            shown = (
                f"{rss['increase_bytes'] / 2**20:8.2f} MiB" if "error" not in rss else rss["error"]
            )
            print(f"rss n={row['n']:>10,d}  {row['candidate']:34s} {shown}", flush=True)


# --- DataFrame: 1 and 2 threads -----------------------------------------------------------


FRAME_METHODS = ("zscore", "mad", "hampel")


def run_frame(n_rows: int, n_cols: int, rounds: int, settings: Settings) -> list[dict]:
    """df.outliers.mask() over a frame with 1 and 2 threads, against the pandas idiom.

    Wall time here: the point is the speed-up from a second thread, next to the speed-up the
    memory allows a memory-bound np.sum in the same rounds.
    """
    import pandas as pd

    settings = dataclasses.replace(settings, clock="wall")
    df = pd.DataFrame({f"c{j}": data(n_rows, seed=j) for j in range(n_cols)})
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        yardstick = column_sums([df[c].to_numpy() for c in df.columns], pool)
        return [_frame_row(df, method, yardstick, rounds, settings) for method in FRAME_METHODS]


def _frame_row(df, method: str, yardstick, rounds: int, settings: Settings) -> dict:
    """One method's frame timings, round-robin with the pandas idiom and the np.sum yardstick.

    The yardstick (np.sum of every column on 1 thread, then split over 2) is memory-bound: it
    shows, in the same rounds, how much the machine's memory lets a second thread gain.
    """
    n_rows, n_cols = df.shape

    def pandas_idiom():
        if method == "zscore":
            return (df - df.mean()).abs() > 3.0 * df.std(ddof=0)
        if method == "mad":
            m = df.median()
            d = (df - m).abs()
            return d > 3.5 * MAD_SCALE * d.median()
        med = df.rolling(7, center=True, min_periods=1).median()
        dev = (df - med).abs()
        return dev > 3.0 * MAD_SCALE * dev.rolling(7, center=True, min_periods=1).median()

    def with_threads(threads):
        def masked():
            ol.set_num_threads(threads)
            try:
                return df.outliers.mask(method)
            finally:
                ol.set_num_threads(1)

        return masked

    calls = {}
    for label, call in (
        ("1 thread", with_threads(1)),
        ("2 threads", with_threads(2)),
        ("pandas", pandas_idiom),
        ("np.sum 1 thread", yardstick[0]),
        ("np.sum 2 threads", yardstick[1]),
    ):
        calls[label] = timed(call, batch(call, 1)[0], settings)  # also the warm-up
    times = round_robin(calls, rounds, seed=n_rows + len(method))
    row = {"method": method, "rows": n_rows, "columns": n_cols}
    row |= {k: summary(v, "wall")["median_s"] for k, v in times.items()}
    row["rounds"] = len(times["1 thread"]["wall"])
    row["cpu_s"] = {k: summary(v, "cpu")["median_s"] for k, v in times.items()}
    row["times"] = times
    print(
        f"frame {method:7s} {n_cols}x{n_rows:,}: 1 thread {row['1 thread'] * 1e3:8.1f} ms, "
        f"2 threads {row['2 threads'] * 1e3:8.1f} ms "
        f"(speed-up {row['1 thread'] / row['2 threads']:.2f}; np.sum "
        f"{row['np.sum 1 thread'] / row['np.sum 2 threads']:.2f}), "
        f"pandas idiom {row['pandas'] * 1e3:8.1f} ms (wall)",
        flush=True,
    )
    return row


# --- hampel: time against window ----------------------------------------------------------


def run_sweep(
    n: int, windows: list[int], rounds: int, missing: dict[str, str], settings: Settings
) -> dict:
    """Hampel at each window against one bottleneck.move_median call, round-robin."""
    x = data(n, seed=2)
    probe = x[: min(n, 20_000)]
    makers = {"outliers": lambda v, w: lambda: ol.mask(v, "hampel", window=w)}
    if "bottleneck" not in missing:
        import bottleneck as bn

        makers["bottleneck"] = lambda v, w: lambda: bn.move_median(v, w, min_count=1)[w // 2 :]
    calls = {}
    for impl, make in makers.items():
        for w in windows:
            if w > n:
                continue
            # Warm up on a slice and scale its time: a slow kernel at a wide window is not run
            # in full once more just to learn that one call is long enough.
            wall, cpu = batch(make(probe, w), 1)
            estimate = (cpu if settings.clock == "cpu" else wall) * n / probe.size
            calls[f"{impl} {w}"] = timed(make(x, w), estimate, settings)
    times = round_robin(calls, rounds, seed=n)
    rows = []
    for name, ts in times.items():
        impl, w = name.split()
        rows.append({"impl": impl, "window": int(w), **summary(ts, settings.clock)})
        print(f"sweep n={n:,} {impl:10s} window {w:>5s}: {rows[-1]['median_s'] * 1e3:10.2f} ms")
    return {
        "n": n,
        "rounds": rounds,
        "windows": list(windows),
        "missing": {k: v for k, v in missing.items() if k == "bottleneck"},
        "rows": rows,
    }


# --- metadata -----------------------------------------------------------------------------


def metadata(args, started: float, load_start) -> dict:
    dirty = machine.git("status", "--porcelain", "--untracked-files=no")
    outputs = {"benchmarks/results.json", "docs/images/hampel_sweep.png", "docs/benchmarks.md"}
    return {
        "command": shlex.join(getattr(sys, "orig_argv", [sys.executable, *sys.argv])),
        "started_utc": datetime.datetime.fromtimestamp(started, datetime.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "duration_s": round(time.time() - started, 1),
        "quick": args.quick,
        "sizes": args.sizes,
        "rounds": dict(zip(map(str, args.sizes), args.rounds, strict=True)),
        "clock": args.clock,
        "min_batch_s": args.min_batch,
        "long_call_s": args.long_call,
        "rss_sizes": args.rss_sizes,
        "rss_only": args.rss_only,
        "threads": 1,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": machine.cpu(),
        "cpu_count": os.cpu_count(),
        "memory_total_bytes": machine.memory_total(),
        "loadavg_start": load_start,
        "loadavg_end": list(os.getloadavg()),
        "outliers_cpu_level": ol._core._cpu_level(),
        "git_commit": machine.git("rev-parse", "HEAD"),
        "git_dirty": None
        if dirty is None
        else any(line[3:] not in outputs for line in dirty.splitlines()),
        "versions": machine.versions(DISTRIBUTIONS),
        "env": {
            k: os.environ.get(k)
            for k in (
                "OMP_NUM_THREADS",
                "OPENBLAS_NUM_THREADS",
                "MKL_NUM_THREADS",
                "NUMBA_NUM_THREADS",
                "OPENBLAS_CORETYPE",
                "OPENBLAS_L2_SIZE",
            )
        },
    }


def bench_requirements() -> list[str]:
    """The `bench` extra of the installed outliers, from its metadata (no TOML parser needed)."""
    reqs = importlib.metadata.requires("outliers") or []
    return [r.split(";")[0].strip() for r in reqs if 'extra == "bench"' in r]


# --- command line -------------------------------------------------------------------------


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="a smoke run: small sizes, few rounds")
    p.add_argument("--sizes", type=int, nargs="+", help=f"default {SIZES}")
    p.add_argument("--rounds", type=int, nargs="+", help=f"one per size; default {ROUNDS}")
    p.add_argument(
        "--clock",
        choices=("cpu", "wall"),
        default="cpu",
        help="the clock of the reported medians: the process's CPU time (default; a busy "
        "neighbour on a shared machine does not inflate it) or wall time; both are recorded",
    )
    p.add_argument("--min-batch", type=float, help="seconds per timed batch (default 0.005)")
    p.add_argument(
        "--long-call",
        type=float,
        default=5.0,
        help="seconds: a call longer than this is timed in the first round only (default 5)",
    )
    p.add_argument("--only", nargs="+", help="candidates whose name contains one of these")
    p.add_argument("--rss-sizes", type=int, nargs="*", help="sizes measured in fresh processes")
    p.add_argument("--rss-only", nargs="+", help="fresh processes only for these candidates")
    p.add_argument("--rss-workers", type=int, default=2)
    p.add_argument("--frame-rows", type=int)
    p.add_argument("--frame-columns", type=int)
    p.add_argument("--frame-rounds", type=int)
    p.add_argument("--no-frame", action="store_true")
    p.add_argument("--sweep-n", type=int, help="default 10^6")
    p.add_argument("--sweep-windows", type=int, nargs="+", help=f"default {SWEEP_WINDOWS}")
    p.add_argument("--sweep-rounds", type=int)
    p.add_argument("--no-sweep", action="store_true")
    p.add_argument("--output", default=str(HERE / "results.json"))
    p.add_argument(
        "--requirements", action="store_true", help="print the bench extra's requirements"
    )
    p.add_argument("--rss-child", help=argparse.SUPPRESS)
    p.add_argument("--rss-n", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    quick = args.quick

    def default(name, full, small):
        if getattr(args, name) is None:
            setattr(args, name, small if quick else full)

    default("sizes", list(SIZES), [1000, 5000])
    if args.rounds is None:
        args.rounds = [3] * len(args.sizes) if quick else _default_rounds(args.sizes)
    if len(args.rounds) == 1:
        args.rounds = args.rounds * len(args.sizes)
    if len(args.rounds) != len(args.sizes):
        p.error("--rounds takes one count, or one per size")
    default("min_batch", 0.005, 0.001)
    default("rss_sizes", list(args.sizes), args.sizes[:1])
    default("frame_rows", 10**6, 2000)
    default("frame_columns", 8, 2)
    default("frame_rounds", 11, 2)
    default("sweep_n", 10**6, 5000)
    default("sweep_windows", list(SWEEP_WINDOWS), [7, 21, 101])
    default("sweep_rounds", 3, 1)
    return args


def _default_rounds(sizes):
    return [ROUNDS[0] if n <= 10**4 else ROUNDS[1] if n <= 10**6 else ROUNDS[2] for n in sizes]


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.requirements:
        print("\n".join(bench_requirements()))
        return 0
    if args.rss_child:
        print(json.dumps(rss_child(args.rss_child, args.rss_n)))
        return 0
    started, load_start = time.time(), list(os.getloadavg())
    ol.set_num_threads(1)
    cands = all_candidates()
    if args.only:
        cands = [c for c in cands if c.name == "numpy.sum" or any(s in c.name for s in args.only)]
    missing = missing_modules(cands)
    for module, why in missing.items():
        print(f"not installed, skipped: {module} ({why})", flush=True)
    settings = Settings(args.clock, args.min_batch, args.long_call)
    rows = []
    for n, rounds in zip(args.sizes, args.rounds, strict=True):
        rows += bench_size(n, rounds, cands, missing, settings)
    frame = (
        []
        if args.no_frame
        else run_frame(args.frame_rows, args.frame_columns, args.frame_rounds, settings)
    )
    sweep = (
        None
        if args.no_sweep
        else run_sweep(args.sweep_n, args.sweep_windows, args.sweep_rounds, missing, settings)
    )
    measure_rss(rows, args.rss_sizes, args.rss_only, args.rss_workers)
    result = {
        "schema": SCHEMA,
        "meta": metadata(args, started, load_start),
        "missing": missing,
        "candidates": {
            c.name: {"task": c.task, "impl": c.impl, "label": c.label, "note": c.note}
            for c in cands
        },
        "results": rows,
        "frame": frame,
        "sweep": sweep,
    }
    Path(args.output).write_text(json.dumps(result, indent=1) + "\n")
    print(f"\nwrote {args.output} in {result['meta']['duration_s']:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
