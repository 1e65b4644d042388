"""Type stubs of the compiled core (cpp/python/): every function it binds.

Only outliers/_native.py imports the module; ``python -m mypy.stubtest outliers._core`` checks
this file against a build.
"""

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

# A column: (values, byte mask or None, arrow validity bitmap or None, bit offset, NaT-is-missing)
_Column = tuple[np.ndarray, np.ndarray | None, np.ndarray | None, int, bool]
# A partition's moments: (count, sum, sum_err, mean, m2, d1, first, constant, scale), those of
# the values times 2**scale (scale < 0 where their sum overflows).
_Moments = tuple[float, float, float, float, float, float, float, bool, int]
# ESD candidates: (value, position) in removal order.
_Candidates = list[tuple[float, int]]

# In-memory data: every output of a built-in method, one call for all columns; `times` (int64,
# read in place) are the times of a time window ("time_reach" in params).
def run_columns(
    method: str,
    columns: Sequence[_Column],
    params: dict[str, Any],
    missing: Sequence[float],
    positions: bool = False,
    mask: bool = False,
    scores: bool = False,
    bounds: bool = False,
    center: bool = False,
    times: npt.NDArray[np.int64] | None = None,
) -> list[dict[str, Any]]: ...

# The short door for a plain ndarray: one output (0 positions, 1 mask, 2 scores, 3 bounds), or
# None when the array needs the general path.
def run_plain(method: str, values: object, params: dict[str, Any], output: int) -> Any: ...

# A user's detection function, called on a read-only view; its result validated.
def call_detector(
    func: Callable[..., Any],
    values: np.ndarray,
    params: dict[str, Any],
    name: object,
    as_mask: bool = False,
) -> np.ndarray: ...

# The worker pool.
def set_num_threads(arg0: int) -> None: ...
def get_num_threads() -> int: ...

# dask partitions: what each contributes, and the steps that combine them.
def partition_moments(column: object, missing: Sequence[float]) -> _Moments: ...
def pool_moments(parts: Sequence[_Moments]) -> _Moments: ...
def partition_histogram(
    column: object,
    missing: Sequence[float],
    prefixes: Sequence[int],
    bits: Sequence[int],
    center: float,
) -> tuple[int, npt.NDArray[np.uint64], npt.NDArray[np.uint64], npt.NDArray[np.uint64]]: ...
def partition_gather(
    column: object,
    missing: Sequence[float],
    prefixes: Sequence[int],
    bits: Sequence[int],
    center: float,
) -> list[npt.NDArray[np.float64]]: ...
def partition_deviation_sum(column: object, missing: Sequence[float], center: float) -> float: ...
def order_ranks(n: int, qs: Sequence[float]) -> list[int]: ...
def order_assemble(n: int, qs: Sequence[float], values: Sequence[float]) -> list[float]: ...
def partition_esd(
    column: object, missing: Sequence[float], max_outliers: int
) -> tuple[_Moments, _Candidates, _Candidates]: ...
def esd_combine(
    shares: Sequence[tuple[_Moments, Sequence[tuple[float, int]], Sequence[tuple[float, int]]]],
    max_outliers: int,
    alpha: float,
) -> dict[str, Any]: ...
def partition_hampel(
    column: object,
    missing: Sequence[float],
    window: int,
    threshold: float,
    first: int,
    last: int,
    mask: bool,
    scores: bool,
    bounds: bool,
    center: bool,
) -> dict[str, Any]: ...
def partition_rolling(
    method: str,
    column: object,
    missing: Sequence[float],
    params: dict[str, Any],
    times: npt.NDArray[np.int64] | None,
    first: int,
    last: int,
    origin: int,
    mask: bool,
    scores: bool,
    bounds: bool,
    center: bool,
) -> dict[str, Any]: ...
def partition_apply(
    rule: str,
    column: object,
    missing: Sequence[float],
    stats: Sequence[float],
    mask: bool,
    scores: bool,
) -> dict[str, Any]: ...

# The methods' constants and the rules that turn pooled statistics into bounds (stats/rules.hpp).
MAD_SCALE: float
MEANAD_SCALE: float

def zscore_bounds(
    moments: _Moments, threshold: float, ddof: int
) -> tuple[float, float, float, float]: ...
def mad_bounds(
    n: int, median: float, mad: float, deviation_sum: float, threshold: float
) -> tuple[float, float, float]: ...
def iqr_bounds(q1: float, q3: float, k: float) -> tuple[float, float]: ...
def quantile_bounds(low_value: float, high_value: float) -> tuple[float, float]: ...

# Test hooks: cap the CPU level, force the radix selection, read the level in use.
def _limit_cpu(arg0: str) -> None: ...
def _force_radix_select(arg0: bool) -> None: ...
def _cpu_level() -> str: ...
