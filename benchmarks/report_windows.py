"""The Windows section of the benchmarks page, from windows_results.json (bench_windows.py).

Each target is judged twice, with outliers' default thread count and with one thread, against
idioms timed in the same rounds; then the time of every call, and the peak extra memory of a
windowed call in a fresh process.
"""

from __future__ import annotations

from report_format import MiB, Results, code, number, seconds, size, table
from targets import _target

# (outliers' task, the alternative's candidate, at the rolling-apply size?, "x faster" wanted)
SPEED = (
    ("zscore 101", "pandas.zscore 101", False, 3),
    ("zscore 101s", "pandas.zscore 101s", False, 3),
    ("mad 101", "bottleneck.move_median 101", False, 1.5),
    ("mad 101s", "bottleneck.move_median 101", False, 1.5),
    ("mad 101", "pandas.mad 101 apply", True, 50),
    ("mad 101s", "pandas.mad 101s apply", True, 50),
    ("iqr 101", "pandas.iqr 101", False, 2),
    ("quantile 101", "pandas.quantile 101", False, 2),
)
READ_PASSES = (("zscore 101", 4), ("zscore 101s", 4))
MEMORY_SLACK = MiB  # scratch allowed above the result: O(threads x window) is KiB here


def _ours(r: Results, task: str, threads: int) -> str | None:
    for name, c in r.candidates.items():
        if c["impl"] == "outliers" and c["task"] == task and c["threads"] == threads:
            return name
    return None


def _window(task: str) -> str:
    method, w = task.split()
    return f"{method}, window {w!r}" if w.endswith("s") else f"{method}, window {w}"


def _faster(x: float) -> str:
    return f"{x:.2f}× faster"


def _speed_rows(r: Results, counts: list[int], apply_n: int) -> list[list[str]]:
    rows = []
    for task, alt, at_apply, want in SPEED:
        if alt not in r.candidates:
            continue
        label = f"{_window(task)}: ≥ {want:g}× faster than {code(r.candidates[alt]['label'])}"
        for i, n in enumerate([apply_n] if at_apply else r.sizes):
            row = ["" if i else label, size(n)]
            for t in counts:
                ours = _ours(r, task, t)
                speedup = r.ratio(alt, ours, n) if ours else None
                row += _target("", speedup, want, _faster, smaller_is_better=False)[1:]
            rows.append(row)
    for task, limit in READ_PASSES:
        label = f"{_window(task)}: ≤ {limit:g} read passes of `np.sum(x)`"
        for i, n in enumerate(r.sizes):
            row = ["" if i else label, size(n)]
            for t in counts:
                ours = _ours(r, task, t)
                row += _target("", r.passes(ours, n) if ours else None, limit, number)[1:]
            rows.append(row)
    return rows


def _memory_rows(doc: dict, columns: int) -> list[list[str]]:
    rows = []
    for m in doc.get("memory") or []:
        above = m.get("above_result_bytes")
        label = f"{_window(m['method'] + ' ' + m['window'])}: peak extra memory (RSS) ≤ " + (
            f"the result ({m['result_bytes'] / MiB:.1f} MiB) + {MEMORY_SLACK / MiB:g} MiB; "
            f"data and times: {(m['data_bytes'] + m['times_bytes']) / MiB:.0f} MiB"
            if "error" not in m
            else f"the result + {MEMORY_SLACK / MiB:g} MiB"
        )
        cells = _target("", above, MEMORY_SLACK, _above_result)[1:]
        rows.append([label, size(m["n"]), *cells, *["—", ""] * (columns - 1)])
    return rows


def _above_result(b: float) -> str:
    return f"the result {'+−'[b < 0]} {abs(b) / MiB:.2f} MiB"


def _points(k: int) -> str:
    return f"{k:,} point{'s' * (k != 1)}"


def _checks(doc: dict) -> str:
    checks = doc.get("checks") or []
    texts = []
    for key, what in (
        ("same_as_1_thread", "flags with several threads identical to one thread's"),
        ("same_as_count_window", "flags of the time window identical to the count window's"),
    ):
        seen = [c for c in checks if key in c]
        if not seen:
            continue
        bad = [f"{c['candidate']} at {size(c['n'])}" for c in seen if not c[key]]
        verdict = "**no**: " + ", ".join(bad) if bad else "yes, in every call"
        texts.append(f"{what}: {verdict}")
    reference = doc.get("reference") or []
    if reference:
        bad = [
            f"{c['candidate']} ({c.get('error') or _points(c['differ_from_pandas'])})"
            for c in reference
            if c.get("differ_from_pandas") != 0
        ]
        verdict = "**no**: " + ", ".join(bad) if bad else "yes, at every point of every call"
        texts.append(
            f"on {reference[0]['n']:,} points, flags identical to those of pandas' rolling "
            "statistics (mean and std with ddof=0, median, quantiles, apply of the exact MAD; "
            f"min_periods=1): {verdict}"
        )
    return "Checks of the run: " + "; ".join(texts) + "." if texts else ""


def _times(r: Results, apply_n: int) -> list[str]:
    sizes = sorted({*r.sizes, apply_n})
    rows = []
    for name, c in r.candidates.items():
        cells = [seconds(r.median(name, n)) for n in sizes]
        if all(cell == "—" for cell in cells):
            continue
        passes = [number(r.passes(name, n)) for n in r.sizes]
        threads = str(c["threads"]) if c["impl"] == "outliers" else "1"
        rows.append([code(c["label"]), threads, *cells, *passes])
    return table(
        ["call", "threads", *map(size, sizes), *(f"read passes {size(n)}" for n in r.sizes)],
        rows,
        "lr" + "r" * (len(sizes) + len(r.sizes)),
    )


def windows_section(doc: dict | None) -> list[str]:
    """The Windows section of the page; nothing without results."""
    if not doc:
        return []
    r = Results(doc)
    m = r.meta
    threads = m["threads"]
    counts = [threads, 1] if threads > 1 else [1]
    rounds = ", ".join(f"{k} at {size(int(n))}" for n, k in m["rounds"].items())
    load = f"{m['loadavg_start'][0]:.1f} → {m['loadavg_end'][0]:.1f}"
    missing = doc.get("missing") or {}
    clock = "wall-clock" if m["clock"] == "wall" else "CPU"
    lines = [
        "## Windows: by count and by time",
        "",
        f"`{m['command']}` on {m['started_utc'][:10]}, in {m['duration_s'] / 60:.1f} minutes: "
        f"outliers on {threads} thread{'s' * (threads > 1)} (its default here; the machine has "
        f"{m['cpu_count']} cores, load average {load}) and on 1; the alternatives on 1. Data: a "
        "float64 Series `s` (normal, one value in 10,000 multiplied by 25) with a DatetimeIndex "
        "of 1-second steps, so the centred time window `'101s'` holds the same 101 points as "
        "the count window 101. outliers' flags are `s.outliers.mask(method, window=...)`, "
        "centred. bottleneck's `move_median` gives the median alone: no library has an exact "
        "rolling MAD to compare with; pandas' rolling quantile is called once per quantile the "
        f"method needs. {clock.capitalize()} time, median over rounds ({rounds}), every call "
        "once per round in a new order; read passes = time / time of `np.sum(x)` on the same "
        "array in the same rounds. Memory: the rise of the RSS high-water mark around one call "
        "in a fresh process, data and times already resident, shown against the result's size "
        "(at page granularity: within about 0.1 MiB).",
    ]
    once = [
        f"{code(r.candidates[row['candidate']]['label'])} at {size(row['n'])}"
        for row in doc["results"]
        if "rounds" in row and row["rounds"] < int(m["rounds"][str(row["n"])])
    ]
    if once:
        long = f"Timed in the first round only, one call taking over {m['long_call_s']:g} s: "
        lines += ["", long + ", ".join(once) + "."]
    if missing:
        lines += ["", "Not installed, so not measured: " + ", ".join(f"`{k}`" for k in missing)]
    if m.get("quick"):
        lines += ["", "**A `--quick` smoke run: small sizes, few rounds; not for quoting.**"]
    checks = _checks(doc)
    if checks:
        lines += ["", checks]
    header = ["target", "n"]
    for t in counts:
        header += [f"{t} thread{'s' * (t > 1)}", ""]
    rows = _speed_rows(r, counts, m["apply_n"]) + _memory_rows(doc, len(counts))
    return [
        *lines,
        "",
        *table(header, rows, "lr" + "rl" * len(counts)),
        "",
        *_times(r, m["apply_n"]),
    ]
