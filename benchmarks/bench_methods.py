"""Time each built-in method against the numpy idiom a user would write, in the same run.

Timings are interleaved round-robin (every candidate once per round, rounds repeated) so that
drifting machine load hits all alike; the figure reported is the median over rounds, as a ratio
to the idiom. Peak extra memory is measured with tracemalloc around one call (numpy's buffers are
traced; the C++ core's scratch is not: see the README).

    python benchmarks/bench_methods.py --output benchmarks/results.json
"""

from __future__ import annotations

import argparse
import json
import platform
import time
import tracemalloc

import numpy as np

import outliers as ol


def _idioms():
    def zscore(x):
        return np.abs(x - x.mean()) > 3.0 * x.std()

    def mad(x):
        m = np.median(x)
        d = np.abs(x - m)
        return d / (1.482602218505602 * np.median(d)) > 3.5

    def iqr(x):
        q1, q3 = np.percentile(x, [25, 75])
        w = q3 - q1
        return (x < q1 - 1.5 * w) | (x > q3 + 1.5 * w)

    def quantile(x):
        lo, hi = np.quantile(x, [0.01, 0.99])
        return (x < lo) | (x > hi)

    def hampel(x, window=7):
        # The honest numpy idiom for an exact centred rolling median/MAD (valid part only).
        w = np.lib.stride_tricks.sliding_window_view(x, window)
        m = np.median(w, axis=1)
        s = 1.482602218505602 * np.median(np.abs(w - m[:, None]), axis=1)
        h = window // 2
        return np.abs(x[h:-h] - m) > 3.0 * s

    def esd(x, r=10):
        # Naive generalized ESD: r passes of mean/std over the remaining values.
        rest = x.copy()
        for _ in range(r):
            d = np.abs(rest - rest.mean())
            rest = np.delete(rest, np.argmax(d))
        return rest

    return {
        "zscore": zscore,
        "mad": mad,
        "iqr": iqr,
        "quantile": quantile,
        "hampel": hampel,
        "esd": esd,
    }


def _data(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    x[rng.integers(0, n, size=max(1, n // 10_000))] *= 25.0
    return x


def _peak_bytes(func) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    func()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def run(sizes, rounds: int) -> list[dict]:
    idioms = _idioms()
    rows = []
    for n in sizes:
        x = _data(n)
        for method, idiom in idioms.items():
            if method == "hampel" and n > 10**6:
                idiom_x = x[: 10**6]  # the sliding-window idiom needs window*n memory
            else:
                idiom_x = x
            ours = lambda m=method, v=idiom_x: ol.mask(v, m)  # noqa: E731
            theirs = lambda f=idiom, v=idiom_x: f(v)  # noqa: E731
            times = {"outliers": [], "numpy": []}
            for _ in range(rounds):
                for label, f in (("outliers", ours), ("numpy", theirs)):
                    t0 = time.perf_counter()
                    f()
                    times[label].append(time.perf_counter() - t0)
            t_ours = float(np.median(times["outliers"]))
            t_np = float(np.median(times["numpy"]))
            rows.append(
                {
                    "method": method,
                    "n": int(idiom_x.size),
                    "outliers_s": t_ours,
                    "numpy_s": t_np,
                    "ratio": t_ours / t_np,
                    "outliers_peak_bytes": _peak_bytes(ours),
                    "numpy_peak_bytes": _peak_bytes(theirs),
                }
            )
            print(
                f"{method:9s} n={idiom_x.size:>9,d}  outliers {t_ours * 1e3:9.3f} ms  "
                f"numpy {t_np * 1e3:9.3f} ms  ratio {t_ours / t_np:6.3f}",
                flush=True,
            )
    return rows


def run_frame(n_rows: int, n_cols: int, rounds: int) -> list[dict]:
    """df.outliers.mask() over a frame with 1 and 2 threads, against a per-column pandas loop."""
    import pandas as pd

    df = pd.DataFrame({f"c{j}": _data(n_rows, seed=j) for j in range(n_cols)})
    rows = []
    for method in ("zscore", "mad", "hampel"):

        def pandas_idiom(method=method):
            if method == "zscore":
                return (df - df.mean()).abs() > 3.0 * df.std(ddof=0)
            if method == "mad":
                m = df.median()
                d = (df - m).abs()
                return d > 3.5 * 1.482602218505602 * d.median()
            roll = df.rolling(7, center=True, min_periods=1)
            med = roll.median()
            mad = (df - med).abs().rolling(7, center=True, min_periods=1).median()
            return (df - med).abs() > 3.0 * 1.482602218505602 * mad

        candidates = {
            "1 thread": (1, lambda m=method: df.outliers.mask(m)),
            "2 threads": (2, lambda m=method: df.outliers.mask(m)),
            "pandas": (1, pandas_idiom),
        }
        times = {k: [] for k in candidates}
        for _ in range(rounds):
            for label, (threads, f) in candidates.items():
                ol.set_num_threads(threads)
                t0 = time.perf_counter()
                f()
                times[label].append(time.perf_counter() - t0)
        med = {k: float(np.median(v)) for k, v in times.items()}
        rows.append({"method": method, "rows": n_rows, "columns": n_cols, **med})
        print(
            f"frame {method:7s} {n_cols}x{n_rows:,}: 1 thread {med['1 thread'] * 1e3:8.1f} ms, "
            f"2 threads {med['2 threads'] * 1e3:8.1f} ms "
            f"(speed-up {med['1 thread'] / med['2 threads']:.2f}), "
            f"pandas idiom {med['pandas'] * 1e3:8.1f} ms",
            flush=True,
        )
    return rows


def markdown(rows: list[dict]) -> str:
    lines = [
        "| method | n | outliers (ms) | numpy idiom (ms) | time ratio "
        "| peak extra MiB: outliers | numpy |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['method']} | {r['n']:,} | {r['outliers_s'] * 1e3:.2f} "
            f"| {r['numpy_s'] * 1e3:.2f} "
            f"| {r['ratio']:.2f} | {r['outliers_peak_bytes'] / 2**20:.1f} "
            f"| {r['numpy_peak_bytes'] / 2**20:.1f} |"
        )
    return "\n".join(lines)


def frame_markdown(rows: list[dict]) -> str:
    lines = [
        "| method | frame | 1 thread (ms) | 2 threads (ms) | speed-up | pandas idiom (ms) |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['method']} | {r['columns']} x {r['rows']:,} | {r['1 thread'] * 1e3:.1f} "
            f"| {r['2 threads'] * 1e3:.1f} | {r['1 thread'] / r['2 threads']:.2f} "
            f"| {r['pandas'] * 1e3:.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10**5, 10**7])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--frame-rows", type=int, default=10**6)
    parser.add_argument("--frame-columns", type=int, default=8)
    parser.add_argument("--output", default="benchmarks/results.json")
    args = parser.parse_args()
    ol.set_num_threads(args.threads)
    rows = run(args.sizes, args.rounds)
    frame_rows = run_frame(args.frame_rows, args.frame_columns, args.rounds)
    meta = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "outliers": ol.__version__,
        "threads": args.threads,
        "machine": platform.machine(),
    }
    with open(args.output, "w") as f:
        json.dump({"meta": meta, "rows": rows, "frame": frame_rows}, f, indent=1)
    print()
    print(markdown(rows))
    print()
    print(frame_markdown(frame_rows))


if __name__ == "__main__":
    main()
