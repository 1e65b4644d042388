"""The compiled core's functions, as the package calls them: the one module importing ``_core``.

Keeping every call into the extension behind this module means a rebuilt or renamed binding
is changed in one place, and a broken install fails here with a message saying what to do.
"""

from __future__ import annotations

try:
    from . import _core
except ImportError as e:  # pragma: no cover - only a broken install gets here
    raise ImportError(
        "outliers' compiled core (outliers._core) could not be imported. Rebuild and reinstall "
        "the package with `make install` (or `pip install .`). If Python runs from the source "
        "checkout, its outliers/ folder (which has no compiled core) shadows the installed "
        "package: run from another directory."
    ) from e

__all__ = [
    "call_detector",
    "esd_combine",
    "get_num_threads",
    "iqr_bounds",
    "mad_bounds",
    "order_assemble",
    "order_ranks",
    "partition_apply",
    "partition_deviation_sum",
    "partition_esd",
    "partition_gather",
    "partition_hampel",
    "partition_histogram",
    "partition_moments",
    "partition_rolling",
    "pool_moments",
    "quantile_bounds",
    "run_columns",
    "run_plain",
    "set_num_threads",
    "zscore_bounds",
]

# In-memory data: every verb, one call for all columns; the short door for plain arrays.
run_columns = _core.run_columns
run_plain = _core.run_plain
# Custom detection functions: called on a read-only view, their result validated in C++.
call_detector = _core.call_detector
# The worker pool.
set_num_threads = _core.set_num_threads
get_num_threads = _core.get_num_threads
# dask partitions: what each partition contributes, and the steps that combine them.
partition_moments = _core.partition_moments
pool_moments = _core.pool_moments
partition_histogram = _core.partition_histogram
partition_gather = _core.partition_gather
partition_deviation_sum = _core.partition_deviation_sum
order_ranks = _core.order_ranks
order_assemble = _core.order_assemble
partition_esd = _core.partition_esd
esd_combine = _core.esd_combine
partition_hampel = _core.partition_hampel
partition_rolling = _core.partition_rolling  # any method over windows, for a partition's points
partition_apply = _core.partition_apply
# The methods' rules (with their constants) for statistics pooled outside the core (dask).
zscore_bounds = _core.zscore_bounds
mad_bounds = _core.mad_bounds
iqr_bounds = _core.iqr_bounds
quantile_bounds = _core.quantile_bounds
