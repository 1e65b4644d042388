"""Windows by count and by time against what a user would otherwise run, in one run; the JSON.

The data is a pandas Series of float64 values (normal, one in 10,000 multiplied by 25) with a
DatetimeIndex of 1-second steps, 10^6 and 10^7 values by default. outliers' flags are
``s.outliers.mask(method, window=w)`` with the count window 101 or the time window "101s" (on
1-second steps both hold the same 101 points, which the run checks), centred, timed with the
default thread count and with one thread. Against, in the same rounds:

- zscore: pandas ``s.rolling(w, center=True).mean()`` and ``.std()`` (w = 101 or "101s");
- mad: one ``bottleneck.move_median(x, 101)`` call, the median alone (no library has an exact
  rolling MAD), and, on 10^5 values, pandas ``rolling(w, center=True).apply`` of an exact MAD;
- iqr and quantile: pandas ``s.rolling(101, center=True).quantile(q)``, once per quantile the
  method needs (two).

Every call is timed round-robin (timing.py), a new order each round, by wall clock: a run on two
threads is judged by how long one waits for it (the process's CPU time is recorded too). Read
passes = time / time of ``np.sum(x)`` on the same array, in the same rounds. Peak extra memory:
the rise of the RSS high-water mark around one windowed call at 10^7 in a fresh process, data and
times already resident; what is left once the result is taken off is the call's scratch.

    python benchmarks/bench_windows.py --output benchmarks/windows_results.json   # make bench
    python benchmarks/bench_windows.py --quick --output /tmp/windows.json         # a smoke run

`benchmarks/report.py` renders the JSON as the Windows section of the benchmarks page.
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
import json
import platform
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

import outliers as ol

sys.path.insert(0, str(Path(__file__).resolve().parent))
import machine
from bench_methods import _child_env
from candidates import MAD_SCALE, data, missing_modules
from timing import Settings, round_robin, summary, timed

HERE = Path(__file__).resolve().parent
SCHEMA = 1
SIZES = (10**6, 10**7)
APPLY_N = 10**5  # pandas' rolling apply takes seconds here already
ROUNDS = {APPLY_N: 5, 10**6: 9, 10**7: 5}
CHECK_N = 20_000  # the flags of every call against pandas' rolling statistics
WINDOW, SPAN = 101, "101s"
DISTRIBUTIONS = ("numpy", "pandas", "bottleneck", "outliers")
START = "2026-01-01"


def series(n: int, seed: int = 0) -> pd.Series:
    """The benchmark's data: a float64 Series with a DatetimeIndex of 1-second steps."""
    index = pd.date_range(START, periods=n, freq="s")
    return pd.Series(data(n, seed), index=index, copy=False)


def exact_mad(w: np.ndarray) -> float:
    """The median absolute deviation of one window, as a user would pass to rolling.apply."""
    return float(np.median(np.abs(w - np.median(w))))


@dataclasses.dataclass(frozen=True)
class Case:
    name: str  # unique key, e.g. "outliers.zscore 101s, 1 thread"
    task: str  # "zscore 101", "mad 101s", "sum", ...
    impl: str  # "outliers", "pandas", "bottleneck", "numpy"
    label: str  # the code, as shown on the benchmarks page
    make: Callable[[pd.Series], Callable[[], object]]
    requires: tuple[str, ...] = ()
    threads: int = 1
    main: bool = True  # timed at the main sizes
    apply: bool = False  # timed at the size of the rolling-apply comparison


def _outliers(method: str, window, threads: int, default: int) -> Case:
    def make(s):
        def call():
            ol.set_num_threads(threads)
            try:
                return s.outliers.mask(method, window=window)
            finally:
                ol.set_num_threads(default)

        return call

    task = f"{method} {window}"
    suffix = "1 thread" if threads == 1 else f"{threads} threads"
    return Case(
        f"outliers.{task}, {suffix}",
        task,
        "outliers",
        f"s.outliers.mask({method!r}, window={window!r})",
        make,
        threads=threads,
        apply=method == "mad",
    )


def _pandas_moments(window) -> Case:
    def make(s):
        def call():
            r = s.rolling(window, center=True)
            return r.mean(), r.std()

        return call

    return Case(
        f"pandas.zscore {window}",
        f"zscore {window}",
        "pandas",
        f"s.rolling({window!r}, center=True).mean() and .std()",
        make,
    )


def _pandas_quantiles(method: str, qs: tuple[float, float]) -> Case:
    def make(s):
        def call():
            r = s.rolling(WINDOW, center=True)
            return [r.quantile(q) for q in qs]

        return call

    return Case(
        f"pandas.{method} {WINDOW}",
        f"{method} {WINDOW}",
        "pandas",
        f"s.rolling({WINDOW}, center=True).quantile(q) for q in {qs}",
        make,
    )


def _move_median() -> Case:
    def make(s):
        import bottleneck as bn

        x = s.to_numpy()
        return lambda: bn.move_median(x, WINDOW)

    # The same call for both of outliers' mad windows: on these times they hold the same points.
    return Case(
        f"bottleneck.move_median {WINDOW}",
        f"mad {WINDOW}",
        "bottleneck",
        f"bn.move_median(x, {WINDOW}) (one call: the median only)",
        make,
        requires=("bottleneck",),
    )


def _pandas_apply(window) -> Case:
    def make(s):
        return lambda: s.rolling(window, center=True).apply(exact_mad, raw=True)

    return Case(
        f"pandas.mad {window} apply",
        f"mad {window}",
        "pandas",
        f"s.rolling({window!r}, center=True).apply(exact_mad, raw=True)",
        make,
        main=False,
        apply=True,
    )


def _np_sum() -> Case:
    def make(s):
        x = s.to_numpy()
        return lambda: np.sum(x)

    return Case("numpy.sum", "sum", "numpy", "np.sum(x)", make, apply=True)


def all_cases(threads: int) -> list[Case]:
    """outliers at `threads` threads and at 1, the idioms, and the np.sum yardstick."""
    cases = [_np_sum()]
    counts = (threads, 1) if threads > 1 else (1,)
    for method, windows in (
        ("zscore", (WINDOW, SPAN)),
        ("mad", (WINDOW, SPAN)),
        ("iqr", (WINDOW,)),
        ("quantile", (WINDOW,)),
    ):
        for w in windows:
            cases += [_outliers(method, w, t, threads) for t in counts]
    cases += [_pandas_moments(WINDOW), _pandas_moments(SPAN)]
    cases.append(_move_median())
    cases += [_pandas_apply(WINDOW), _pandas_apply(SPAN)]
    low, high = ol.methods()["quantile"]["low"], ol.methods()["quantile"]["high"]
    cases += [_pandas_quantiles("iqr", (0.25, 0.75)), _pandas_quantiles("quantile", (low, high))]
    return cases


def _error(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}".splitlines()[0][:300]


# --- timing -------------------------------------------------------------------------------


def bench_size(n, rounds, cases, missing, settings, args) -> tuple[list[dict], list[dict]]:
    """Every case that runs at n, round-robin; then the checks of outliers' flags."""
    s = series(n)
    warm = series(256, seed=1)
    here = [c for c in cases if (c.main and n in args.sizes) or (c.apply and n == args.apply_n)]
    rows, calls, flags = {}, {}, {}
    for c in here:
        row = rows[c.name] = {"candidate": c.name, "task": c.task, "impl": c.impl, "n": n}
        absent = [m for m in c.requires if m in missing]
        if absent:
            row["error"] = f"not installed: {', '.join(absent)}"
            continue
        try:
            c.make(warm)()  # lazy imports, first-call caches, the thread pool
            call = c.make(s)
            t0 = time.perf_counter()
            out = call()
            calls[c.name] = timed(call, time.perf_counter() - t0, settings)
        except Exception as e:  # noqa: BLE001  (one failing call must not stop the run)
            row["error"] = _error(e)
            continue
        if c.impl == "outliers":
            flags[c.name] = np.asarray(out, dtype=bool)
        row["number"] = calls[c.name].number
    times = round_robin(calls, rounds, seed=n)
    for name, ts in times.items():
        rows[name].update(summary(ts, settings.clock))
    yardstick = rows.get("numpy.sum", {}).get("median_s")
    for name in times:
        rows[name]["read_passes"] = rows[name]["median_s"] / yardstick if yardstick else None
    for row in rows.values():
        shown = (
            f"{row['median_s'] * 1e3:11.3f} ms {row['read_passes']:9.1f} read passes"
            if "median_s" in row
            else f"failed: {row['error']}"
        )
        print(f"n={n:>10,d}  {row['candidate']:40s} {shown}", flush=True)
    return list(rows.values()), checks(n, cases, flags)


def checks(n: int, cases: list[Case], flags: dict[str, np.ndarray]) -> list[dict]:
    """Flagged counts, and whether 1 thread and the count window give the same flags."""
    out = []
    for c in cases:
        if c.name not in flags:
            continue
        mask = flags[c.name]
        row = {"candidate": c.name, "n": n, "flagged": int(mask.sum())}
        one = c.name.rsplit(", ", 1)[0] + ", 1 thread"
        if c.threads > 1 and one in flags:
            row["same_as_1_thread"] = bool(np.array_equal(mask, flags[one]))
        count = c.name.replace(f" {SPAN},", f" {WINDOW},")
        if count != c.name and count in flags:
            row["same_as_count_window"] = bool(np.array_equal(mask, flags[count]))
        out.append(row)
    return out


def pandas_flags(s: pd.Series, method: str, window) -> np.ndarray:
    """The method's flags from pandas' rolling statistics: the reference of the run's check.

    min_periods=1 as outliers' default; pandas' mean and std are running sums, so a flag may
    differ where a score is within rounding of the threshold.
    """
    params = ol.methods()[method]
    r = s.rolling(window, center=True, min_periods=1)
    if method == "zscore":
        flags = (s - r.mean()).abs() > params["threshold"] * r.std(ddof=0)
    elif method == "mad":
        mad = r.apply(exact_mad, raw=True)
        flags = (s - r.median()).abs() > params["threshold"] * MAD_SCALE * mad
    else:
        qs = (0.25, 0.75) if method == "iqr" else (params["low"], params["high"])
        lo, hi = (r.quantile(q) for q in qs)
        if method == "iqr":
            lo, hi = lo - params["k"] * (hi - lo), hi + params["k"] * (hi - lo)
        flags = (s < lo) | (s > hi)
    return flags.to_numpy()


def reference_checks(cases: list[Case], n: int) -> list[dict]:
    """Every outliers call of the run, on n points, against the flags of pandas_flags."""
    s = series(n, seed=3)
    out, refs = [], {}
    for c in cases:
        if c.impl != "outliers":
            continue
        method, window = c.task.split()
        w = int(window) if window.isdigit() else window
        row = {"candidate": c.name, "n": n}
        try:
            mask = np.asarray(c.make(s)(), dtype=bool)
        except Exception as e:  # noqa: BLE001  (reported with the timings' error)
            out.append(row | {"error": _error(e)})
            continue
        if c.task not in refs:
            refs[c.task] = pandas_flags(s, method, w)
        differ = int(np.count_nonzero(mask != refs[c.task]))
        out.append(row | {"flagged": int(mask.sum()), "differ_from_pandas": differ})
    return out


# --- peak RSS in a fresh process ----------------------------------------------------------


def rss_child(method: str, window: str, n: int) -> dict:
    """Run in a fresh process: the RSS high-water mark around one windowed call, in KiB."""
    w = int(window) if window.isdigit() else window
    series(256, seed=1).outliers.mask(method, window=w)  # imports, the thread pool
    s = series(n)  # data and times written in full: resident before the call
    gc.collect()
    reset = machine.reset_rss_peak()  # else the peak of the imports hides a smaller call
    before = machine.peak_rss_kib()
    result = s.outliers.mask(method, window=w)
    after = machine.peak_rss_kib()
    return {
        "before_kib": before,
        "after_kib": after,
        "peak_reset": reset,
        "data_bytes": s.to_numpy().nbytes,
        "times_bytes": s.index.asi8.nbytes,
        "result_bytes": result.to_numpy().nbytes,
    }


def measure_memory(n: int, threads: int, workers: int) -> list[dict]:
    """One fresh process per windowed call, at the default thread count."""
    env = _child_env() | {"OUTLIERS_NUM_THREADS": str(threads)}
    todo = [(m, str(WINDOW)) for m in ("zscore", "mad", "iqr", "quantile")]
    todo += [(m, SPAN) for m in ("zscore", "mad")]

    def one(item):
        method, window = item
        py = [sys.executable, str(Path(__file__).resolve()), "--rss-child", method, window]
        # The small shell forks the child rather than exec it: Linux would carry this large
        # process's high-water mark into the child (as bench_methods.py explains).
        cmd = ["/bin/sh", "-c", '"$@"; exit $?', "sh", *py, "--rss-n", str(n)]
        p = subprocess.run(cmd, capture_output=True, text=True, cwd=HERE, env=env)
        row = {"method": method, "window": window, "n": n, "threads": threads}
        if p.returncode != 0:
            tail = (p.stderr.strip().splitlines() or ["(no output)"])[-1]
            return row | {"error": f"exit {p.returncode}: {tail}"[:300]}
        row |= json.loads(p.stdout.strip().splitlines()[-1])
        row["increase_bytes"] = (row["after_kib"] - row["before_kib"]) * 1024
        row["above_result_bytes"] = row["increase_bytes"] - row["result_bytes"]
        return row

    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        rows = list(pool.map(one, todo))
    for r in rows:
        shown = (
            f"{r['increase_bytes'] / 2**20:8.2f} MiB, {r['above_result_bytes'] / 2**20:8.2f} "
            "MiB above the result"
            if "error" not in r
            else r["error"]
        )
        print(f"rss n={n:,} {r['method']} {r['window']}: {shown}", flush=True)
    return rows


# --- metadata and command line ------------------------------------------------------------


def metadata(args, started: float, load_start: list[float]) -> dict:
    dirty = machine.git("status", "--porcelain", "--untracked-files=no")
    outputs = {"benchmarks/windows_results.json", "docs/benchmarks.md"}
    return {
        "command": shlex.join(getattr(sys, "orig_argv", [sys.executable, *sys.argv])),
        "started_utc": datetime.datetime.fromtimestamp(started, datetime.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "duration_s": round(time.time() - started, 1),
        "quick": args.quick,
        "sizes": args.sizes,
        "apply_n": args.apply_n,
        "rounds": {str(n): r for n, r in args.rounds.items()},
        "clock": args.clock,
        "long_call_s": args.long_call,
        "window": WINDOW,
        "span": SPAN,
        "threads": args.threads,
        "rss_n": args.rss_n,
        "check_n": args.check_n,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": machine.cpu(),
        "cpu_count": os.cpu_count(),
        "loadavg_start": load_start,
        "loadavg_end": list(os.getloadavg()),
        "outliers_cpu_level": ol._core._cpu_level(),
        "git_commit": machine.git("rev-parse", "HEAD"),
        "git_dirty": None
        if dirty is None
        else any(line[3:] not in outputs for line in dirty.splitlines()),
        "versions": machine.versions(DISTRIBUTIONS),
    }


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="a smoke run: small sizes, few rounds")
    p.add_argument("--sizes", type=int, nargs="+", help=f"default {SIZES}")
    p.add_argument("--apply-n", type=int, help=f"the rolling-apply comparison's size ({APPLY_N})")
    p.add_argument("--rounds", type=int, help=f"rounds at every size (default {ROUNDS})")
    p.add_argument("--threads", type=int, help="outliers' thread count (default: its own)")
    p.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    p.add_argument("--min-batch", type=float, help="seconds per timed batch (default 0.005)")
    p.add_argument("--long-call", type=float, default=5.0, help="timed in round 1 only (s)")
    p.add_argument("--check-n", type=int, help="size of the check against pandas (0: none)")
    p.add_argument("--rss-n", type=int, help="the fresh processes' size (0: none; default 10^7)")
    p.add_argument("--rss-workers", type=int, default=2)
    p.add_argument("--output", default=str(HERE / "windows_results.json"))
    p.add_argument("--rss-child", nargs=2, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.sizes is None:
        args.sizes = [2000, 5000] if args.quick else list(SIZES)
    if args.apply_n is None:
        args.apply_n = 1000 if args.quick else APPLY_N
    sizes = sorted({*args.sizes, args.apply_n})
    if args.rounds is not None:
        args.rounds = dict.fromkeys(sizes, args.rounds)
    else:
        args.rounds = {n: 2 if args.quick else ROUNDS.get(n, 5) for n in sizes}
    if args.min_batch is None:
        args.min_batch = 0.001 if args.quick else 0.005
    if args.check_n is None:
        args.check_n = 500 if args.quick else CHECK_N
    if args.rss_n is None:
        args.rss_n = max(args.sizes) if args.quick else 10**7
    if args.threads is None:
        args.threads = ol.get_num_threads()
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.rss_child:
        print(json.dumps(rss_child(*args.rss_child, args.rss_n)))
        return 0
    started, load_start = time.time(), list(os.getloadavg())
    ol.set_num_threads(args.threads)
    cases = all_cases(args.threads)
    missing = missing_modules(cases)
    for module, why in missing.items():
        print(f"not installed, skipped: {module} ({why})", flush=True)
    settings = Settings(args.clock, args.min_batch, args.long_call)
    rows, checked = [], []
    for n, rounds in args.rounds.items():
        r, c = bench_size(n, rounds, cases, missing, settings, args)
        rows += r
        checked += c
    reference = reference_checks(cases, args.check_n) if args.check_n else []
    memory = measure_memory(args.rss_n, args.threads, args.rss_workers) if args.rss_n else []
    result = {
        "schema": SCHEMA,
        "meta": metadata(args, started, load_start),
        "missing": missing,
        "candidates": {
            c.name: {"task": c.task, "impl": c.impl, "label": c.label, "threads": c.threads}
            for c in cases
        },
        "results": rows,
        "checks": checked,
        "reference": reference,
        "memory": memory,
    }
    Path(args.output).write_text(json.dumps(result, indent=1) + "\n")
    print(f"\nwrote {args.output} in {result['meta']['duration_s']:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
