"""The built-in methods on dask collections, exactly, one partition at a time.

With dask installed, ``ol.detect(darr)`` (and mask, scores, bounds) runs on 1-D dask arrays and
dask Series, and ``ddf["x"].outliers`` / ``ddf.outliers`` offer the pandas accessors' verbs, all
lazily. Results equal the in-memory results on the concatenated data: the same flags, scores
and bounds to rounding, order statistics exact (not dask's approximate quantiles); over windows
(by count, or by time along a dask Series' index or ``times=``) the same bits, each partition's
windows reading its neighbours' values.

Every step hands a partition to the C++ core where it lies (``prepare``, as for any input);
small tasks combine what the partitions return. One module per job:

- :mod:`.graph`: the tasks of one call in one graph layer; partitions read afresh per step, so
  memory holds a few partitions at a time, not the column.
- :mod:`.order`: exact order statistics by radix selection across partitions.
- :mod:`.pooled`: statistics pooled over partitions (zscore, mad, iqr, quantile, esd), then
  each partition's flags and scores.
- :mod:`.windows`: every method over windows (hampel's included), each partition extended by
  the neighbours' values its windows read.
- :mod:`.plan`: which of those a method needs; :mod:`.arrays`: the functional verbs on dask
  arrays; :mod:`.accessors`: the ``.outliers`` accessors; :mod:`.register`: their registration.

The graph is lazy; every round is in it whether the data needs it or not (a round with nothing
left to do returns without computing anything). Importing this package does not import dask.
"""

from __future__ import annotations

from .._api import register_collection
from .arrays import is_dask, run
from .register import register_when_imported

__all__: list[str] = []

register_collection(is_dask, run)
register_when_imported()  # dd.Series.outliers, dd.DataFrame.outliers
