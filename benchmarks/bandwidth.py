"""How much faster a memory-bound reduction runs on 2 threads than on 1, on this machine.

The yardstick for the frame speed-ups of the README: `np.sum` over 8 columns of 10^6 float64
values (64 MB, more than the caches hold), on one thread, then split over two (numpy releases
the GIL in the sum). A kernel close to the memory's speed cannot gain more than this from a
second thread; a compute-bound one can gain up to 2x.

    python benchmarks/bandwidth.py
"""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np


def median_ms(call, rounds: int = 51) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def column_sums(columns: list[np.ndarray], pool: ThreadPoolExecutor):
    """(one thread, two threads): np.sum of every column, on this thread or split over two.

    bench_methods.py times them next to the frame calls as the yardstick of their speed-ups.
    """

    def one_thread():
        for c in columns:
            np.sum(c)

    def two_threads():
        list(pool.map(lambda part: [np.sum(c) for c in part], (columns[0::2], columns[1::2])))

    return one_thread, two_threads


def main() -> None:
    columns = [np.random.default_rng(j).standard_normal(10**6) for j in range(8)]
    with ThreadPoolExecutor(2) as pool:
        one_thread, two_threads = column_sums(columns, pool)
        for _ in range(3):
            one, two = median_ms(one_thread), median_ms(two_threads)
            print(
                f"np.sum, 8 x 10^6 float64: 1 thread {one:.2f} ms, 2 threads {two:.2f} ms, "
                f"speed-up {one / two:.2f}"
            )


if __name__ == "__main__":
    main()
