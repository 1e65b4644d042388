"""Detection functions for 04-custom-functions.ipynb, loaded by name: "detectors:detect".

A detection function is called as ``func(values, **params)``: ``values`` is a read-only 1-D numpy
array that is a view of the caller's data. It returns integer positions or a boolean mask of the
same length; the package checks the result and returns sorted, unique int64 positions.
"""

import numpy as np


def detect(d):
    """The seed's detector: values more than two standard deviations from the mean."""
    return np.where(np.abs(d - d.mean()) > 2 * d.std())[0]


def sentinel(values, value=-9999):
    """Cells holding a "not measured" sentinel value, as a boolean mask."""
    return values == value


def jumps(values, limit=100):
    """Positions whose change from the previous value exceeds `limit` (NaN never counts)."""
    step = np.abs(np.diff(values.astype(np.float64)))
    return np.flatnonzero(step > limit) + 1
