"""outliers: exact, zero-copy outlier detection for numpy and pandas.

>>> import outliers as ol
>>> ol.detect([10.0, 10.2, 9.9, 10.1, 10.0, 55.0, 9.8, 10.1], "mad")
array([5])
"""

from __future__ import annotations

try:
    from . import _core  # noqa: F401
except ImportError as e:  # pragma: no cover - only a broken install gets here
    raise ImportError(
        "outliers' compiled core (outliers._core) could not be imported. Rebuild and reinstall "
        "the package with `make install` (or `pip install .`). If Python runs from the source "
        "checkout, its outliers/ folder (which has no compiled core) shadows the installed "
        "package: run from another directory."
    ) from e

from . import _dask, datasets
from . import accessors as _accessors  # noqa: F401  (registers s.outliers, df.outliers)
from ._api import bounds, detect, mask, methods, scores
from ._detector import Detector
from ._threads import apply_environment as _apply_environment
from ._threads import get_num_threads, set_num_threads

__version__ = "0.1.0"

__all__ = [
    "Detector",
    "bounds",
    "datasets",
    "detect",
    "get_num_threads",
    "mask",
    "methods",
    "scores",
    "set_num_threads",
    "__version__",
]

_apply_environment()
_dask.register_when_imported()  # dd.Series.outliers, dd.DataFrame.outliers
