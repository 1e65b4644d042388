"""The package's speed and memory targets, each met or missed by how much, from results.json.

The first section of the benchmarks page (report.py): read passes against `np.sum`, peak extra
memory against the size of the result, ratios against the numpy idioms and one
`bottleneck.move_median` call, the cost of `Detector(func)` and what a second thread buys.
"""

from __future__ import annotations

from report_format import MiB, Results, code, mib, number, seconds, size, table


def _target(label, measured, limit, fmt, smaller_is_better=True):
    if measured is None:
        return [label, "—", "not measured"]
    ok = measured <= limit if smaller_is_better else measured >= limit
    if ok:
        verdict = "met"
    else:
        factor = measured / limit if smaller_is_better else limit / measured
        verdict = f"**missed** ({number(factor)}× off)"
    return [label, fmt(measured), verdict]


def _memory_targets(r: Results, n: int) -> list[list[str]]:
    result_bytes = n  # the bool mask
    rows = [
        _target(
            f"zscore: peak extra memory (RSS) ≤ the result + 1 MiB = "
            f"{(result_bytes + MiB) / MiB:.1f} MiB",
            r.rss("outliers.zscore", n),
            result_bytes + MiB,
            lambda b: f"{mib(b)} MiB",
        )
    ]
    limit = 0.1 * 8 * n + result_bytes
    for method in ("mad", "iqr", "quantile"):
        rows.append(
            _target(
                f"{method}: peak extra memory (RSS) ≤ 10 % of the input + the result = "
                f"{limit / MiB:.1f} MiB",
                r.rss(f"outliers.{method}", n),
                limit,
                lambda b: f"{mib(b)} MiB",
            )
        )
    return rows


def _speed_targets(r: Results, n: int) -> list[list[str]]:
    rows = []
    for method, alt, want in (
        ("mad", "numpy.mad", 10),
        ("iqr", "numpy.iqr", 8),
        ("quantile", "numpy.quantile", 8),
    ):
        idiom = r.candidates.get(alt, {}).get("label", alt)
        rows.append(
            _target(
                f"{method}: ≥ {want}× faster than {code(idiom)}",
                r.ratio(alt, f"outliers.{method}", n),
                want,
                lambda x: f"{x:.2f}× faster",
                smaller_is_better=False,
            )
        )
    return rows


def _hampel_targets(r: Results, n: int) -> list[list[str]]:
    rows = []
    for w, want in ((7, 0.2), (101, 1.2)):
        rows.append(
            _target(
                f"hampel window {w}: ≤ {want}× one `bottleneck.move_median` call",
                r.ratio(f"outliers.hampel w={w}", f"bottleneck.hampel w={w}", n),
                want,
                lambda x: f"{x:.3g}×",
            )
        )
    sweep = r.doc.get("sweep") or {}
    by = {(s["impl"], s["window"]): s["median_s"] for s in sweep.get("rows", [])}
    w = max((w for i, w in by if i == "outliers"), default=None)
    if w is not None and ("bottleneck", w) in by:
        rows.append(
            _target(
                f"hampel window {w} (sweep, n = {size(sweep['n'])}): ≤ 1.5× one move_median call",
                by[("outliers", w)] / by[("bottleneck", w)],
                1.5,
                lambda x: f"{x:.3g}×",
            )
        )
    return rows


def _custom_targets(r: Results, n: int, small: int) -> list[list[str]]:
    overhead, direct = r.median("outliers.custom", small), r.median("custom.direct", small)
    extra = None
    if r.rss("outliers.custom", n) is not None and r.rss("custom.direct", n) is not None:
        extra = r.rss("outliers.custom", n) - r.rss("custom.direct", n)
    return [
        _target(
            f"`Detector(func)`: overhead ≤ 3 µs per call at n = {size(small)}",
            None if overhead is None or direct is None else overhead - direct,
            3e-6,
            lambda s: f"{s * 1e6:.2f} µs",
        ),
        _target(
            f"`Detector(func)`: no copy (RSS over calling func: a copy is {8 * n / MiB:.1f} MiB)",
            extra,
            4 * n,
            lambda b: f"{mib(b)} MiB",
        ),
    ]


def _thread_targets(r: Results, n: int) -> list[list[str]]:
    one, two = r.wall("outliers.hampel w=7", n), r.wall("outliers.hampel w=7, 2 threads", n)
    rows = [
        _target(
            "hampel, 2 threads: ≥ 1.6× faster than 1 thread (wall time)",
            None if one is None or two is None else one / two,
            1.6,
            lambda x: f"{x:.2f}×",
            smaller_is_better=False,
        )
    ]
    for f in r.doc.get("frame") or []:
        rows.append(
            _target(
                f"frame {f['columns']} × {f['rows']:,}, {f['method']}: 2 threads ≥ 1.6× faster "
                "(wall time)",
                f["1 thread"] / f["2 threads"],
                1.6,
                lambda x: f"{x:.2f}×",
                smaller_is_better=False,
            )
        )
    return rows


def targets(r: Results) -> list[str]:
    """The package's speed and memory targets, each met or missed by how much."""
    n, small = max(r.sizes), min(r.sizes)
    read = lambda name: r.passes(name, n)  # noqa: E731
    rows = [_target("zscore: ≤ 1.5 read passes", read("outliers.zscore"), 1.5, number)]
    rows += _memory_targets(r, n) + _speed_targets(r, n) + _hampel_targets(r, n)
    for k in (10, 100):
        rows.append(
            _target(
                f"esd, max_outliers={k}: ≤ 3 read passes", read(f"outliers.esd r={k}"), 3, number
            )
        )
    rows += _custom_targets(r, n, small)
    rows.append(
        _target(
            f"`ol.mask(x)` (zscore) at n = {size(small)}: ≤ 5 µs",
            r.median("outliers.zscore", small),
            5e-6,
            seconds,
        )
    )
    rows += _thread_targets(r, n)
    return [
        f"## Targets (n = {size(n)} unless said)",
        "",
        *table(["target", "measured", ""], rows, "lrl"),
    ]
