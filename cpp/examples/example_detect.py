"""The detection function the embedding example loads: the seed's z-score rule."""

import numpy as np


def detect(values):
    """Positions more than two standard deviations from the mean."""
    return np.where(np.abs(values - values.mean()) > 2 * values.std())[0]


def shares_memory_probe(values):
    """Flags position 0 when `values` is a read-only view (no copy) of the host's memory.

    Read-only for good: numpy refuses to make it writable again.
    """
    try:
        values.setflags(write=True)
    except ValueError:
        return [0] if not values.flags.writeable and not values.flags.owndata else []
    return []


def broken(values):
    """Raises, so the host can show a Python exception arriving as a C++ exception."""
    raise ValueError(f"cannot handle {values.size} values")


def bad_result(values):
    """Returns positions out of range: the host must refuse them."""
    return [values.size + 5]
