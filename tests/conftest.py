"""Fixtures shared by the test modules."""

from __future__ import annotations

import pytest

import outliers as ol
from outliers import _core


@pytest.fixture
def restore_cpu_and_threads():
    """Undo, after the test, what it set with ``_core._limit_cpu`` and ``ol.set_num_threads``."""
    threads = ol.get_num_threads()
    yield
    _core._limit_cpu("avx512")
    ol.set_num_threads(threads)
