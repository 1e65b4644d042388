"""Thread count of the built-in kernels: set_num_threads, get_num_threads, OUTLIERS_NUM_THREADS."""

from __future__ import annotations

import numbers
import os
import warnings

from . import _native

ENV_VAR = "OUTLIERS_NUM_THREADS"


def set_num_threads(n: int) -> None:
    """Use up to `n` threads in the built-in kernels. Results do not depend on `n`.

    The default is the machine's cores, or the environment variable ``OUTLIERS_NUM_THREADS``
    when set at import.

    Parameters
    ----------
    n : int
        The number of threads, >= 1. Small inputs run on fewer threads than this.

    Raises
    ------
    TypeError
        For a count that is not an integer.
    ValueError
        For a count below 1.

    Examples
    --------
    >>> import outliers as ol
    >>> before = ol.get_num_threads()
    >>> ol.set_num_threads(2); ol.get_num_threads()
    2
    >>> ol.set_num_threads(before)
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"thread count must be an integer (got {n!r})")
    if n < 1:
        raise ValueError(f"thread count must be >= 1 (got {n})")
    # More threads than blocks of work are never started; the cap only keeps n a C int.
    _native.set_num_threads(int(min(n, 1 << 16)))


def get_num_threads() -> int:
    """The number of threads the built-in kernels use (default: the machine's cores).

    Returns
    -------
    int
        The count set by :func:`set_num_threads` or ``OUTLIERS_NUM_THREADS``, else the
        machine's cores.

    Examples
    --------
    >>> import outliers as ol
    >>> ol.get_num_threads() >= 1
    True
    """
    return _native.get_num_threads()


def apply_environment() -> None:
    """Take the thread count from OUTLIERS_NUM_THREADS, if set; warn on a bad value."""
    raw = os.environ.get(ENV_VAR)
    if not raw:
        return
    try:
        set_num_threads(int(raw))
    except (ValueError, TypeError):
        warnings.warn(
            f"ignoring {ENV_VAR}={raw!r}: expected an integer >= 1", RuntimeWarning, stacklevel=3
        )
