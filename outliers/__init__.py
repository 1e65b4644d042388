"""outliers: exact, zero-copy outlier detection for numpy and pandas.

>>> import outliers as ol
>>> ol.detect([10.0, 10.2, 9.9, 10.1, 10.0, 55.0, 9.8, 10.1], "mad")
array([5])
"""

from __future__ import annotations

# _native first: a broken install fails there, saying what to do. The accessors module
# registers s.outliers and df.outliers; the dask package registers ol.detect & co. on dask
# arrays, and dd.Series.outliers / dd.DataFrame.outliers once dask.dataframe is imported.
from . import _native, datasets  # noqa: F401
from . import accessors as _accessors  # noqa: F401
from . import dask as _dask  # noqa: F401
from ._api import Bounds, bounds, detect, mask, methods, scores
from ._detector import Detector
from ._threads import apply_environment as _apply_environment
from ._threads import get_num_threads, set_num_threads
from ._version import __version__

__all__ = [
    "Bounds",
    "Detector",
    "__version__",
    "bounds",
    "datasets",
    "detect",
    "get_num_threads",
    "mask",
    "methods",
    "scores",
    "set_num_threads",
]


def __dir__() -> list[str]:
    """The public names only: what ``__all__`` lists."""
    return list(__all__)


_apply_environment()
