"""dask against pandas in memory, on a parquet dataset larger than one partition.

Writes once (reused while its ``meta.json`` matches) a parquet dataset of float64 normal data
with one value in 10,000 multiplied by 25 (fixed seed): 10^8 values in 64 files of one row
group each by default, written piece by piece so that writing it needs one piece of memory.
Then every candidate runs in a fresh process and is timed end to end, load and detection,
wall clock:

- ``dask``: ``dd.read_parquet(path)["x"].outliers.mask(method).sum().compute()`` with the
  default (threaded) scheduler;
- ``dask distributed``: the same on a ``distributed.LocalCluster(n_workers=2,
  threads_per_worker=1)`` (``mad`` only; the cluster's start is not timed);
- ``outliers in memory``: ``pd.read_parquet(path)["x"].outliers.mask(method).sum()``;
- ``pandas``: ``pd.read_parquet(path)["x"]`` and the pandas idiom for the method (none for
  ``hampel``: pandas' rolling medians are an approximation, and slow at 10^8).

Memory is the process's RSS high-water mark (``getrusage``) minus its RSS once the imports are
done and the candidate has run once on a small warm-up dataset (its code paths loaded), the
mark lowered to that RSS first (``/proc/self/clear_refs``); the absolute peak is reported too.
For the distributed candidate it is the sum over the client and the two worker processes of
each one's peak (an upper bound of their simultaneous total). The flagged counts must be equal
between dask and outliers in memory (exit status 1 otherwise); the pandas idioms' counts are
compared and reported.

    python benchmarks/bench_dask.py --output benchmarks/dask_results.json   # 10^8 values
    python benchmarks/bench_dask.py --quick --output /tmp/dask.json         # 10^6, 8 parts
    python benchmarks/bench_dask.py --n 1e7 --partitions 16 --data /tmp/d7
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import gc
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import machine  # benchmarks/ is not a package

SCHEMA = 1
SEED = 20260801
N_FULL, PARTS_FULL = 10**8, 64
N_QUICK, PARTS_QUICK = 10**6, 8
WARMUP_N, WARMUP_PARTS = 4000, 4
MAD_SCALE = 1.482602218505602
DISTRIBUTIONS = ("numpy", "pandas", "pyarrow", "dask", "distributed", "outliers")

METHODS = {
    "zscore": {},
    "mad": {},
    "iqr": {},
    "hampel": {"window": 7},
}
READ = "read only"  # the baselines: loading alone, no detection
PANDAS_IDIOMS = {
    "zscore": "((s - s.mean()).abs() > 3 * s.std(ddof=0)).sum()",
    "mad": "m = s.median(); mad = (s - m).abs().median(); "
    "((s - m).abs() / (1.482602218505602 * mad) > 3.5).sum()",
    "iqr": "q1, q3 = s.quantile([.25, .75]); "
    "((s < q1 - 1.5 * (q3 - q1)) | (s > q3 + 1.5 * (q3 - q1))).sum()",
}
IMPLS = ("dask", "dask distributed", "outliers in memory", "pandas")


def _call(method: str) -> str:
    params = "".join(f", {k}={v}" for k, v in METHODS[method].items())
    return f'outliers.mask("{method}"{params})'


def candidates(methods: list[str], distributed: bool) -> list[dict]:
    out = [
        {
            "name": f"{READ} / dask",
            "method": READ,
            "impl": "dask",
            "code": 'dd.read_parquet(path)["x"].count().compute()',
        },
        {
            "name": f"{READ} / pandas",
            "method": READ,
            "impl": "pandas",
            "code": 'pd.read_parquet(path)["x"].count()',
        },
    ]
    for method in methods:
        out.append(
            {
                "name": f"{method} / dask",
                "method": method,
                "impl": "dask",
                "code": f'dd.read_parquet(path)["x"].{_call(method)}.sum().compute()',
            }
        )
        if distributed and method == "mad":
            out.append(
                {
                    "name": f"{method} / dask distributed",
                    "method": method,
                    "impl": "dask distributed",
                    "code": "the same, on LocalCluster(n_workers=2, threads_per_worker=1)",
                }
            )
        out.append(
            {
                "name": f"{method} / outliers in memory",
                "method": method,
                "impl": "outliers in memory",
                "code": f's = pd.read_parquet(path)["x"]; s.{_call(method)}.sum()',
            }
        )
        if method in PANDAS_IDIOMS:
            out.append(
                {
                    "name": f"{method} / pandas",
                    "method": method,
                    "impl": "pandas",
                    "code": f's = pd.read_parquet(path)["x"]; {PANDAS_IDIOMS[method]}',
                }
            )
    return out


# ---------------------------------------------------------------- the dataset


def _piece(seed: int, index: int, rows: int):
    import numpy as np

    rng = np.random.default_rng([seed, index])
    x = rng.normal(size=rows)
    x[rng.integers(0, rows, size=max(1, rows // 10_000))] *= 25.0
    return x


def _sizes(n: int, parts: int) -> list[int]:
    base, extra = divmod(n, parts)
    return [base + (i < extra) for i in range(parts)]


def write_dataset(path: Path, n: int, parts: int, seed: int) -> dict:
    """Write (or reuse) `parts` parquet files of one row group each, `n` values in all.

    The files go into the folder `path` (nothing else in it); `path` + ``.json`` says what
    they hold, written last: a dataset is reused only if that matches.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    meta = {"n": n, "partitions": parts, "seed": seed, "column": "x", "dtype": "float64"}
    stamp = path.with_name(path.name + ".json")
    if stamp.exists() and json.loads(stamp.read_text()).get("spec") == meta:
        return json.loads(stamp.read_text())
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("part-*.parquet"):
        old.unlink()
    started = time.perf_counter()
    for i, rows in enumerate(_sizes(n, parts)):
        table = pa.table({"x": _piece(seed, i, rows)})
        pq.write_table(table, path / f"part-{i:04d}.parquet", row_group_size=max(rows, 1))
    files = sorted(path.glob("part-*.parquet"))
    doc = {
        "spec": meta,
        "files": len(files),
        "bytes": sum(f.stat().st_size for f in files),
        "write_s": round(time.perf_counter() - started, 2),
    }
    stamp.write_text(json.dumps(doc, indent=1) + "\n")
    return doc


def warm_page_cache(path: Path) -> None:
    """Read every file once, so that the first candidate does not pay for the disk alone."""
    for f in sorted(path.glob("part-*.parquet")):
        with open(f, "rb") as fh:
            while fh.read(1 << 24):
                pass


# ---------------------------------------------------------------- one candidate (a child process)


def _worker_baseline() -> dict:
    import gc as _gc

    _gc.collect()
    rss = machine.status_kib("VmRSS")
    return {"rss_kib": rss, "reset": machine.reset_rss_peak()}


def _worker_peak() -> int:
    return machine.peak_rss_kib()


def _pandas_idiom(method: str, s):
    if method == "zscore":
        return ((s - s.mean()).abs() > 3 * s.std(ddof=0)).sum()
    if method == "mad":
        m = s.median()
        mad = (s - m).abs().median()
        return ((s - m).abs() / (MAD_SCALE * mad) > 3.5).sum()
    if method == "iqr":
        q1, q3 = s.quantile([0.25, 0.75])
        return ((s < q1 - 1.5 * (q3 - q1)) | (s > q3 + 1.5 * (q3 - q1))).sum()
    raise ValueError(method)


def child(impl: str, method: str, data: Path, warmup: Path) -> dict:
    """Run one candidate in this (fresh) process: its wall time, memory and count."""
    import numpy as np
    import pandas as pd
    import pyarrow  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    import outliers as ol

    if impl.startswith("dask"):  # the pandas candidates do without dask's imports
        import dask
        import dask.dataframe as dd

    params = METHODS.get(method, {})
    info: dict = {"outliers_threads": ol.get_num_threads()}

    def run(path: Path):
        if impl in ("dask", "dask distributed"):
            col = dd.read_parquet(str(path))["x"]
            info["npartitions"] = col.npartitions
            if method == READ:
                return col.count().compute()
            return col.outliers.mask(method, **params).sum().compute()
        s = pd.read_parquet(str(path))["x"]
        if method == READ:
            return s.count()
        if impl == "outliers in memory":
            return s.outliers.mask(method, **params).sum()
        return _pandas_idiom(method, s)

    client = cluster = None
    if impl == "dask distributed":
        import cloudpickle
        import distributed

        # The workers run _worker_baseline and _worker_peak without benchmarks/ on their path.
        cloudpickle.register_pickle_by_value(machine)
        started = time.perf_counter()
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=":0"
        )
        client = distributed.Client(cluster)
        info["cluster_start_s"] = round(time.perf_counter() - started, 2)
    elif impl == "dask":
        info["scheduler"] = dask.config.get("scheduler", "threads (default)")
    try:
        run(warmup)  # lazy imports and first-call set-up are not the candidate's cost
        gc.collect()
        workers = client.run(_worker_baseline) if client is not None else {}
        import_peak = machine.peak_rss_kib()
        baseline = machine.status_kib("VmRSS")
        reset = machine.reset_rss_peak()
        started = time.perf_counter()
        count = run(data)
        wall = time.perf_counter() - started
        peak = machine.peak_rss_kib()
        worker_peaks = client.run(_worker_peak) if client is not None else {}
    finally:
        if client is not None:
            client.close()
            cluster.close()
    procs = [{"process": "main", "baseline_kib": baseline, "peak_kib": peak}]
    for addr, base in workers.items():
        procs.append(
            {
                "process": f"worker {addr}",
                "baseline_kib": base["rss_kib"],
                "peak_kib": worker_peaks[addr],
                "reset": base["reset"],
            }
        )
    return {
        **info,
        "count": int(np.int64(count)),
        "wall_s": wall,
        "rss_after_imports_kib": sum(p["baseline_kib"] for p in procs),
        "peak_kib": sum(p["peak_kib"] for p in procs),
        "peak_extra_kib": sum(p["peak_kib"] - p["baseline_kib"] for p in procs),
        "import_peak_kib": import_peak,
        "peak_reset": reset,
        "processes": procs,
    }


def _child_command(args, cand: dict) -> list[str]:
    py = [sys.executable, str(Path(__file__).resolve()), "--child", cand["impl"]]
    py += ["--child-method", cand["method"], "--data", str(args.data)]
    # Linux carries ru_maxrss across exec from the process that forked: a small shell that
    # forks the child (it does not exec it: a command follows) gives it a clean mark.
    return ["/bin/sh", "-c", '"$@"; exit $?', "sh", *py]


def run_candidate(args, cand: dict) -> dict:
    if args.in_process:
        values, warmup = args.data / "values", args.data / "warmup"
        try:
            return child(cand["impl"], cand["method"], values, warmup)
        except Exception as e:  # noqa: BLE001 - reported in the JSON like a failed child
            return {"error": f"{type(e).__name__}: {e}"}
    p = subprocess.run(
        _child_command(args, cand),
        capture_output=True,
        text=True,
        timeout=args.timeout,
        env=os.environ.copy(),
    )
    if p.returncode != 0:
        return {"error": (p.stderr or p.stdout)[-2000:]}
    return json.loads(p.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the run


def _mib(kib) -> float | None:
    return None if kib is None else round(kib / 1024, 1)


def summarise(cand: dict, runs: list[dict]) -> dict:
    ok = [r for r in runs if "error" not in r]
    row = {**cand, "runs": runs}
    if not ok:
        row["error"] = runs[-1]["error"]
        return row
    counts = {r["count"] for r in ok}
    row["count"] = ok[0]["count"] if len(counts) == 1 else sorted(counts)
    row["wall_s"] = round(statistics.median(r["wall_s"] for r in ok), 3)
    row["peak_extra_mib"] = _mib(statistics.median(r["peak_extra_kib"] for r in ok))
    row["peak_mib"] = _mib(statistics.median(r["peak_kib"] for r in ok))
    row["rss_after_imports_mib"] = _mib(statistics.median(r["rss_after_imports_kib"] for r in ok))
    if "npartitions" in ok[0]:
        row["npartitions"] = ok[0]["npartitions"]
    return row


def checks(rows: list[dict]) -> list[dict]:
    out = []
    for method in dict.fromkeys(r["method"] for r in rows if r["method"] != READ):
        counts = {r["impl"]: r.get("count") for r in rows if r["method"] == method}
        ref = counts.get("outliers in memory")
        entry = {"method": method, "counts": counts, "reference": "outliers in memory"}
        for impl, c in counts.items():
            if impl != "outliers in memory":
                entry[f"{impl} equal"] = c is not None and c == ref
        out.append(entry)
    return out


def what(row: dict) -> str:
    return "values" if row["method"] == READ else "flagged"


def table(rows: list[dict]) -> str:
    lines = [
        "| method | candidate | wall time (s) | peak extra RSS (MiB) | peak RSS (MiB) | flagged |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        params = METHODS.get(r["method"], {})
        label = r["method"] + "".join(f" {k}={v}" for k, v in params.items())
        if "error" in r:
            lines.append(f"| {label} | {r['impl']} | error | | | |")
            continue
        count = f"({r['count']:,} values)" if r["method"] == READ else f"{r['count']:,}"
        lines.append(
            f"| {label} | {r['impl']} | {r['wall_s']:.2f} | {r['peak_extra_mib']:,.1f} "
            f"| {r['peak_mib']:,.1f} | {count} |"
        )
    return "\n".join(lines)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--quick", action="store_true", help=f"{N_QUICK:.0e} values, {PARTS_QUICK} parts"
    )
    p.add_argument("--n", type=float, help=f"number of values (default {N_FULL:.0e})")
    p.add_argument("--partitions", type=int, help=f"files / partitions (default {PARTS_FULL})")
    p.add_argument("--data", help="dataset folder (default: one under the temp dir, reused)")
    p.add_argument("--methods", nargs="+", choices=list(METHODS), default=list(METHODS))
    p.add_argument("--no-distributed", action="store_true", help="skip the LocalCluster run")
    p.add_argument("--repeat", type=int, default=1, help="runs per candidate (median kept)")
    p.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="candidates run at once (default 1; more only for a smoke run: they compete)",
    )
    p.add_argument(
        "--in-process",
        action="store_true",
        help="run the candidates in this process, one after another: quicker (no imports per "
        "candidate), for a smoke run; times and memory are then not each candidate's alone",
    )
    p.add_argument("--timeout", type=float, default=1800, help="seconds per candidate run")
    p.add_argument("--output", default=str(HERE / "dask_results.json"))
    p.add_argument("--child", choices=IMPLS, help=argparse.SUPPRESS)
    p.add_argument("--child-method", choices=[*METHODS, READ], help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.in_process and args.jobs != 1:
        p.error("--in-process runs one candidate at a time: no --jobs")
    if args.n is None:
        args.n = N_QUICK if args.quick else N_FULL
    args.n = int(args.n)
    if args.partitions is None:
        args.partitions = PARTS_QUICK if args.quick else PARTS_FULL
    if args.data is None:
        args.data = Path(tempfile.gettempdir()) / f"outliers-bench-dask-{args.n}-{args.partitions}"
    args.data = Path(args.data)
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    values, warmup = args.data / "values", args.data / "warmup"
    if args.child:
        print(json.dumps(child(args.child, args.child_method, values, warmup)))
        return 0
    started, load_start = time.time(), list(os.getloadavg())
    print(f"dataset: {args.data} ({args.n:,} values, {args.partitions} files)", flush=True)
    dataset = write_dataset(values, args.n, args.partitions, SEED)
    write_dataset(warmup, WARMUP_N, WARMUP_PARTS, SEED + 1)
    warm_page_cache(values)
    cands = candidates(args.methods, not args.no_distributed)
    rows = []

    def one(cand):
        return summarise(cand, [run_candidate(args, cand) for _ in range(args.repeat)])

    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for row in pool.map(one, cands):
            rows.append(row)
            shown = row.get("error", "").strip().splitlines()[-1:] or [
                f"{row['wall_s']:.2f} s, peak +{row['peak_extra_mib']:,.1f} MiB, "
                f"{row['count']:,} flagged"
            ]
            print(f"{row['name']}: {shown[0]}".replace("flagged", what(row)), flush=True)
    load_end = list(os.getloadavg())
    checked = checks(rows)
    dirty = machine.git("status", "--porcelain", "--untracked-files=no")
    result = {
        "schema": SCHEMA,
        "meta": {
            "command": shlex.join(getattr(sys, "orig_argv", [sys.executable, *sys.argv])),
            "started_utc": datetime.datetime.fromtimestamp(
                started, datetime.timezone.utc
            ).isoformat(timespec="seconds"),
            "duration_s": round(time.time() - started, 1),
            "n": args.n,
            "partitions": args.partitions,
            "rows_per_partition": _sizes(args.n, args.partitions)[0],
            "dataset_path": str(values),
            "seed": SEED,
            "dataset": dataset,
            "repeat": args.repeat,
            "jobs": args.jobs,
            "in_process": args.in_process,
            "nproc": os.cpu_count(),
            "cpu": machine.cpu()["model"],
            "memory_total_bytes": machine.memory_total(),
            "loadavg_start": load_start,
            "loadavg_end": load_end,
            "platform": platform.platform(),
            "git_commit": machine.git("rev-parse", "HEAD"),
            "git_dirty": None if dirty is None else bool(dirty),
            "versions": {"python": platform.python_version(), **machine.versions(DISTRIBUTIONS)},
            "env": {
                k: os.environ.get(k)
                for k in ("OUTLIERS_NUM_THREADS", "OMP_NUM_THREADS", "MALLOC_ARENA_MAX")
            },
        },
        "candidates": rows,
        "checks": checked,
    }
    Path(args.output).write_text(json.dumps(result, indent=1) + "\n")
    print()
    print(table(rows))
    print()
    print(f"load average {load_start[0]:.2f} -> {load_end[0]:.2f} (1 min), nproc {os.cpu_count()}")
    bad = []
    for c in checked:
        for key, equal in c.items():
            if key.endswith(" equal") and not equal:
                bad.append(f"{c['method']}: {key[:-6]} {c['counts']}")
    for line in bad:
        print(f"MISMATCH {line}", flush=True)
    print(f"wrote {args.output} in {result['meta']['duration_s']:.0f} s", flush=True)
    dask_bad = [
        c
        for c in checked
        if not all(v for k, v in c.items() if k.startswith("dask") and k.endswith(" equal"))
    ]
    return 1 if dask_bad or any("error" in r for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
