"""Write the documentation's benchmarks page and the hampel sweep plot from the JSON results.

The page (docs/benchmarks.md) is generated whole from benchmarks/results.json (bench_methods.py),
benchmarks/windows_results.json (bench_windows.py) and benchmarks/dask_results.json
(bench_dask.py); nothing is timed here. `make bench` runs the suite and then this;
`make bench-report` only this.

    python benchmarks/report.py   # -> docs/benchmarks.md, docs/images/hampel_sweep.png
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from report_format import MiB, Results, code, mib, number, seconds, size, table
from report_windows import windows_section
from targets import targets

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / "docs"

# The alternatives each outliers row is compared with, in table order.
TASKS = (
    "zscore",
    "mad",
    "iqr",
    "quantile",
    "hampel w=7",
    "hampel w=101",
    "esd r=10",
    "esd r=100",
)


# --- sections -----------------------------------------------------------------------------


def intro(r: Results) -> list[str]:
    m = r.meta
    v = m["versions"]
    rounds = ", ".join(f"{k} at {size(int(n))}" for n, k in m["rounds"].items())
    libs = ", ".join(f"{k} {v[k]}" for k in v if v[k] and k != "outliers")
    load = f"{m['loadavg_start'][0]:.1f} → {m['loadavg_end'][0]:.1f}"
    clock = (
        "Times are the process's CPU time (`time.process_time`: user + system), which a busy "
        "neighbour on a shared machine does not inflate the way it does wall time; the thread "
        "comparisons use wall time; both clocks are in `results.json`."
        if m.get("clock") == "cpu"
        else "Times are wall-clock time."
    )
    commit = (m.get("git_commit") or "unknown")[:10] + (
        " (with local changes)" * bool(m.get("git_dirty"))
    )
    lines = [
        f"## The run\n\n`{m['command']}` on {m['started_utc'][:10]}, "
        f"in {m['duration_s'] / 60:.1f} minutes.",
        "",
        f"Machine: {m['cpu']['model']}, {m['cpu_count']} cores "
        f"(load average {load} during the run), outliers at commit {commit}, vectorised level "
        f"`{m['outliers_cpu_level']}`; Python {m['python']}, {libs}.",
        "",
        "One thread unless said. Every candidate is timed round-robin, each round calling every "
        "candidate once (a batch of calls for short ones) in a new order, so that drifting load "
        f"hits all alike; the figure is the median over rounds ({rounds}). {clock} Input: "
        "float64 normal data with one value in 10,000 multiplied by 25. **Read passes** = time "
        "/ time of `np.sum(x)` on the same array: the bandwidth yardstick.",
    ]
    once = [
        f"{row['candidate']} at {size(row['n'])}"
        for row in r.doc["results"]
        if "rounds" in row and row["rounds"] < int(m["rounds"][str(row["n"])])
    ]
    once += [
        f"the sweep's {s['impl']} at window {s['window']}"
        for s in (r.doc.get("sweep") or {}).get("rows", [])
        if s["rounds"] < r.doc["sweep"]["rounds"]
    ]
    if once:
        lines += [
            "",
            f"Timed in the first round only, one call taking over {m['long_call_s']:g} s: "
            + ", ".join(once)
            + ".",
        ]
    if m.get("quick"):
        lines += ["", "**A `--quick` smoke run: small sizes, few rounds; not for quoting.**"]
    missing = r.doc.get("missing") or {}
    if missing:
        lines += [
            "",
            "Not installed, so not measured: "
            + "; ".join(f"`{k}` ({why})" for k, why in missing.items())
            + ".",
        ]
    return lines


def ratios(r: Results) -> list[str]:
    rows = []
    for task in TASKS:
        ours = f"outliers.{task}"
        if ours not in r.candidates:
            continue
        for alt in r.names(task=task):
            if r.candidates[alt]["impl"] == "outliers":
                continue
            cells = []
            for n in r.sizes:
                x = r.ratio(ours, alt, n)
                cells.append(number(x) if x is not None else "—")
            note = r.candidates[alt]["note"]
            rows.append(
                [task, f"{r.candidates[alt]['impl']}: {code(r.candidates[alt]['label'])}"]
                + cells
                + [note]
            )
    return [
        "## Time: outliers against what a user would otherwise write",
        "",
        "Ratio = outliers' time / the alternative's time, both in the same run: **below 1, "
        "outliers is faster**. The hampel alternatives are not all equal to it: bottleneck's "
        "is one `move_median` call (the median only, no MAD), pandas' is an approximation "
        "(the rolling median of deviations from each point's own median), the hampel package "
        "computes in float32; numpy's `sliding_window_view` is exact. A dash: not run at that "
        "size (too slow, or window × n memory) or not installed.",
        "",
        *table(
            ["task", "alternative", *map(size, r.sizes), "note"],
            rows,
            "ll" + "r" * len(r.sizes) + "l",
        ),
    ]


def times(r: Results) -> list[str]:
    rows = []
    for name, c in r.candidates.items():
        rows.append(
            [name, code(c["label"])]
            + [seconds(r.median(name, n)) for n in r.sizes]
            + [number(r.passes(name, n)) for n in r.sizes]
        )
    return [
        "## Time per call, and read passes",
        "",
        *table(
            [
                "candidate",
                "code",
                *map(size, r.sizes),
                *(f"read passes {size(n)}" for n in r.sizes),
            ],
            rows,
            "ll" + "r" * 2 * len(r.sizes),
        ),
    ]


def memory(r: Results) -> list[str]:
    shown = [n for n in r.sizes if n >= 10**5] or r.sizes
    rows = []
    for name in r.candidates:
        rows.append(
            [name] + [mib(r.traced(name, n)) for n in shown] + [mib(r.rss(name, n)) for n in shown]
        )
    n = max(r.sizes)
    return [
        "## Peak extra memory (MiB)",
        "",
        "**tracemalloc**: the peak of Python and numpy allocations during one call (it does not "
        "see C/C++ scratch: not outliers' core, bottleneck's or pandas' rolling buffers). "
        "**RSS**: the rise of the RSS high-water mark (`getrusage(RUSAGE_SELF).ru_maxrss`) "
        "around one call in a fresh process per candidate and size, input already resident: it "
        "sees everything, at page granularity (small sizes show 0). Both include the result: "
        f"the bool mask is {n / MiB:.1f} MiB at n = {size(n)}, where the input is "
        f"{8 * n / MiB:.1f} MiB. (All sizes are in `results.json`.)",
        "",
        *table(
            [
                "candidate",
                *(f"tracemalloc {size(n)}" for n in shown),
                *(f"RSS {size(n)}" for n in shown),
            ],
            rows,
        ),
    ]


def detector(r: Results) -> list[str]:
    rows = []
    for n in r.sizes:
        d, o = r.median("custom.direct", n), r.median("outliers.custom", n)
        if d is None or o is None:
            continue
        rows.append([size(n), seconds(d), seconds(o), f"{(o - d) * 1e6:.2f} µs"])
    if not rows:
        return []
    func = r.candidates["custom.direct"]["label"]
    return [
        "## Custom functions: `Detector(func)` against calling `func`",
        "",
        f"`func` is the numpy zscore idiom; {code(func.split(',')[0])} against "
        f"{code(r.candidates['outliers.custom']['label'])}.",
        "",
        *table(["n", "func(x)", "Detector(func).mask(x)", "overhead per call"], rows),
    ]


def _speedup(one: float | None, two: float | None) -> str:
    return "—" if one is None or not two else f"{one / two:.2f}"


def _cores(cpu: float | None, wall: float | None) -> str:
    """The cores a call had on average: its process CPU time over its wall time."""
    return "—" if cpu is None or not wall else f"{cpu / wall:.2f}"


def threads(r: Results) -> list[str]:
    rows = []
    for f in r.doc.get("frame") or []:
        cpu = f.get("cpu_s") or {}
        rows.append(
            [
                f"`df.outliers.mask({f['method']!r})`",
                f"{f['columns']} × {f['rows']:,}",
                seconds(f["1 thread"]),
                seconds(f["2 threads"]),
                _speedup(f["1 thread"], f["2 threads"]),
                f"{_cores(cpu.get('1 thread'), f['1 thread'])} / "
                f"{_cores(cpu.get('2 threads'), f['2 threads'])}",
                _speedup(f.get("np.sum 1 thread"), f.get("np.sum 2 threads")),
                seconds(f["pandas"]),
            ]
        )
    n = max(r.sizes)
    names = ("outliers.hampel w=7", "outliers.hampel w=7, 2 threads")
    one, two = (r.wall(name, n) for name in names)
    if one is not None and two is not None:
        cpu_one, cpu_two = (r.rows[name, n].get("median_cpu_s") for name in names)
        rows.append(
            [
                "`ol.mask(x, 'hampel')`",
                f"1 × {n:,}",
                seconds(one),
                seconds(two),
                _speedup(one, two),
                f"{_cores(cpu_one, one)} / {_cores(cpu_two, two)}",
                "—",
                seconds(r.wall("pandas.hampel w=7", n)),
            ]
        )
    if not rows:
        return []
    return [
        "## Threads",
        "",
        "Wall time: what a second thread buys, on a machine whose other load the header gives. "
        "Cores used: the call's process CPU time over its wall time, medians, with 1 / 2 threads; "
        "a speed-up can only reach the ratio of the two, so a second figure well below 2 means "
        "the machine's other load did not leave the second thread a core, and the speed-up "
        "says nothing about the code. np.sum: the frame's columns summed on 1 thread, then "
        "split over 2, in the same rounds: memory-bound, it shows how much faster this "
        "machine's memory lets a second thread read (a kernel near memory speed, as zscore is, "
        "cannot gain much more). "
        "The pandas idiom on the frame: the zscore and mad idioms above on the whole frame, and "
        "the rolling approximation of hampel (window 7); frame rounds: "
        f"{(r.doc.get('frame') or [{}])[0].get('rounds', '—')}.",
        "",
        *table(
            [
                "call",
                "data",
                "1 thread",
                "2 threads",
                "speed-up",
                "cores used",
                "np.sum speed-up",
                "pandas idiom",
            ],
            rows,
            "llrrrrrr",
        ),
    ]


def sweep_section(r: Results, plot_ref: str | None) -> list[str]:
    sweep = r.doc.get("sweep")
    if not sweep:
        return []
    by = {(s["impl"], s["window"]): s["median_s"] for s in sweep["rows"]}
    windows = sorted({w for _, w in by})
    rows = []
    for w in windows:
        o, b = by.get(("outliers", w)), by.get(("bottleneck", w))
        ratio = None if o is None or b is None else o / b
        rows.append([str(w), seconds(o), seconds(b), number(ratio)])
    lines = [
        f"## Hampel: time against window (n = {size(sweep['n'])}, median of "
        f"{sweep['rounds']} rounds)",
        "",
    ]
    if plot_ref:
        lines += [f"![hampel time against window]({plot_ref})", ""]
    return lines + table(
        ["window", "outliers hampel", "bottleneck.move_median (one call)", "ratio"], rows
    )


def plot_sweep(r: Results, path: Path) -> bool:
    sweep = r.doc.get("sweep")
    if not sweep or not sweep["rows"]:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0), layout="constrained")
    labels = {
        "outliers": "outliers: ol.mask(x, 'hampel', window=w)",
        "bottleneck": "bottleneck.move_median(x, w): median only",
    }
    for impl, style in (("outliers", "o-"), ("bottleneck", "s--")):
        pts = sorted((s["window"], s["median_s"]) for s in sweep["rows"] if s["impl"] == impl)
        if pts:
            ax.plot([p[0] for p in pts], [p[1] * 1e3 for p in pts], style, label=labels[impl])
    ax.set_xscale("log")
    ax.set_yscale("log")
    windows = sorted({s["window"] for s in sweep["rows"]})
    ax.set_xticks(windows, [str(w) for w in windows])
    ax.minorticks_off()
    ax.set_xlabel("window")
    clock = "CPU time" if r.meta.get("clock") == "cpu" else "wall time"
    ax.set_ylabel(f"{clock} per call (ms)")
    ax.set_title(f"Hampel, n = {sweep['n']:,} float64, one thread")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def dask_section(doc: dict | None) -> list[str]:
    """The dask benchmark (bench_dask.py): wall time, peak extra memory, counts."""
    if not doc:
        return []
    m = doc["meta"]
    by: dict[str, list[dict]] = {}
    for c in doc["candidates"]:
        by.setdefault(c["method"], []).append(c)
    rows = []
    for method, cands in by.items():
        counts = {c.get("count") for c in cands if "error" not in c}
        flagged = f"{counts.pop():,} (all)" if len(counts) == 1 else "differ: see the JSON"
        rows.append(
            [
                method,
                " / ".join(c["impl"] for c in cands),
                " / ".join(f"{c['wall_s']:.2f}" if "wall_s" in c else "—" for c in cands),
                " / ".join(
                    f"{c['peak_extra_mib']:,.0f}" if "peak_extra_mib" in c else "—" for c in cands
                ),
                "" if method == "read only" else flagged,
            ]
        )
    load = f"{m['loadavg_start'][0]:.1f} → {m['loadavg_end'][0]:.1f}"
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v)
    return [
        "## dask: data larger than memory",
        "",
        f"`{m['command']}` on {m['started_utc'][:10]}: {m['n']:,} float64 values in "
        f"{m['partitions']} parquet files ({m['dataset']['bytes'] / MiB:,.0f} MiB). Each "
        "candidate runs in a fresh process: the wall time of reading and detecting, and the "
        f"rise of the peak RSS; {m['nproc']} cores, load average {load}. *In memory* includes "
        "`pd.read_parquet`, which alone holds the whole column (and an arrow copy while "
        f"reading). Versions: {versions}.",
        "",
        *table(
            ["method", "candidate", "wall (s)", "peak extra RSS (MiB)", "flagged"], rows, "llrrr"
        ),
    ]


PREAMBLE = [
    "# Benchmarks",
    "",
    "% Generated by benchmarks/report.py from the JSON results: edit that, not this page.",
    "",
    "What outliers costs against what a user would otherwise write, in time and memory. "
    "`make bench` runs `benchmarks/bench_methods.py` (3 to 10 minutes; `--quick` for a smoke "
    "run, `--only hampel` and `--help` for parts) into `benchmarks/results.json` and "
    "`benchmarks/bench_windows.py` (windows by count and by time) into "
    "`benchmarks/windows_results.json`, then `benchmarks/report.py`, which writes this page and "
    "its plot from the JSON (`make bench-report` does only that). The dask figures come from "
    "`benchmarks/bench_dask.py` (`benchmarks/dask_results.json`). How the kernels reach these "
    "figures is on the {doc}`design` page.",
]


def render(
    doc: dict, plot_ref: str | None, dask_doc: dict | None = None, windows_doc: dict | None = None
) -> str:
    """The whole benchmarks page."""
    r = Results(doc)
    parts = [
        PREAMBLE,
        intro(r),
        targets(r),
        ratios(r),
        times(r),
        memory(r),
        detector(r),
        threads(r),
        sweep_section(r, plot_ref),
        windows_section(windows_doc),
        dask_section(dask_doc),
    ]
    body = []
    for p in parts:
        if p:
            body += p + [""]
    return "\n".join(body).rstrip() + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--results", default=str(HERE / "results.json"))
    p.add_argument("--dask-results", default=str(HERE / "dask_results.json"), help="'' for none")
    p.add_argument(
        "--windows-results", default=str(HERE / "windows_results.json"), help="'' for none"
    )
    p.add_argument("--output", default=str(DOCS / "benchmarks.md"))
    p.add_argument("--plot", default=str(DOCS / "images" / "hampel_sweep.png"))
    args = p.parse_args(argv)
    doc = json.loads(Path(args.results).read_text())
    dask_doc = json.loads(Path(args.dask_results).read_text()) if args.dask_results else None
    windows = Path(args.windows_results) if args.windows_results else None
    windows_doc = json.loads(windows.read_text()) if windows and windows.exists() else None
    page, plot = Path(args.output), Path(args.plot)
    plot.parent.mkdir(parents=True, exist_ok=True)
    drawn = plot_sweep(Results(doc), plot)
    ref = os.path.relpath(plot, page.parent) if drawn else None
    page.write_text(render(doc, ref, dask_doc, windows_doc))
    print(f"wrote {page}" + (f" and {plot}" if drawn else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
