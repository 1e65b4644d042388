"""The benchmark results as the report reads them, and how figures are written in its tables.

`Results` wraps results.json (bench_methods.py) with look-ups by candidate and size; the
functions below format sizes, times, ratios and memory, and Markdown tables.
"""

from __future__ import annotations

MiB = 2**20
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def size(n: int) -> str:
    k = len(str(n)) - 1
    return "10" + str(k).translate(SUPERSCRIPT) if n == 10**k and k > 1 else f"{n:,}"


def seconds(s: float | None) -> str:
    if s is None:
        return "—"
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def number(x: float | None, digits: int = 3) -> str:
    if x is None:
        return "—"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def mib(b: float | None) -> str:
    return "—" if b is None else f"{b / MiB:.1f}"


def table(header: list[str], rows: list[list[str]], align: str | None = None) -> list[str]:
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---:" if a == "r" else "---" for a in align]
    return [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(rule) + " |",
        *("| " + " | ".join(r) + " |" for r in rows),
    ]


class Results:
    """results.json with look-ups by candidate and size."""

    def __init__(self, doc: dict):
        self.doc = doc
        self.meta = doc["meta"]
        self.sizes = list(self.meta["sizes"])
        self.candidates = doc["candidates"]
        self.rows = {(r["candidate"], r["n"]): r for r in doc["results"]}

    def median(self, name: str, n: int) -> float | None:
        return self.rows.get((name, n), {}).get("median_s")

    def wall(self, name: str, n: int) -> float | None:
        return self.rows.get((name, n), {}).get("median_wall_s")

    def passes(self, name: str, n: int) -> float | None:
        return self.rows.get((name, n), {}).get("read_passes")

    def traced(self, name: str, n: int) -> float | None:
        return self.rows.get((name, n), {}).get("tracemalloc_peak_bytes")

    def rss(self, name: str, n: int) -> float | None:
        rss = self.rows.get((name, n), {}).get("rss")
        return None if not rss or "error" in rss else rss["increase_bytes"]

    def ratio(self, a: str, b: str, n: int) -> float | None:
        ta, tb = self.median(a, n), self.median(b, n)
        return None if ta is None or tb is None else ta / tb

    def why_missing(self, name: str, n: int) -> str | None:
        return self.rows.get((name, n), {}).get("error")

    def names(self, impl: str | None = None, task: str | None = None) -> list[str]:
        return [
            k
            for k, c in self.candidates.items()
            if (impl is None or c["impl"] == impl) and (task is None or c["task"] == task)
        ]


def code(label: str) -> str:
    return "`" + label.replace("|", "\\|") + "`"
