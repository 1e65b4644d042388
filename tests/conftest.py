"""Fixtures shared by the test modules, and the CPU level in pytest's header."""

from __future__ import annotations

import pytest

import outliers as ol
from outliers import _core

# The core's vectorised levels, lowest first (cpp/include/outliers/simd/cpu.hpp).
CPU_LEVELS = ("portable", "avx2", "avx512")


def detected_cpu_level() -> str:
    """The best level the core found on this CPU, whatever cap a test has set."""
    before = _core._cpu_level()
    _core._limit_cpu(CPU_LEVELS[-1])
    try:
        return _core._cpu_level()
    finally:
        _core._limit_cpu(before)


def cpu_has(level: str) -> bool:
    """Whether this CPU runs `level`: a cap above the detected level would run a lower one."""
    return CPU_LEVELS.index(level) <= CPU_LEVELS.index(detected_cpu_level())


def pytest_report_header(config):
    detected = detected_cpu_level()
    ran = [level for level in CPU_LEVELS if cpu_has(level)]
    line = f"outliers CPU level: {detected} detected; the CPU-level tests run {', '.join(ran)}"
    skipped = [level for level in CPU_LEVELS if level not in ran]
    return line + (f" and skip {', '.join(skipped)}" if skipped else "")


@pytest.fixture
def restore_cpu_and_threads():
    """Undo, after the test, what it set with ``_core._limit_cpu`` and ``ol.set_num_threads``."""
    threads = ol.get_num_threads()
    yield
    _core._limit_cpu(CPU_LEVELS[-1])
    ol.set_num_threads(threads)


@pytest.fixture
def use_cpu_level(restore_cpu_and_threads):
    """``use_cpu_level(level)`` caps the core at `level`, or skips the test if the CPU lacks it."""

    def use(level: str) -> str:
        if not cpu_has(level):
            pytest.skip(f"CPU level {level}: this CPU has {detected_cpu_level()} at most")
        _core._limit_cpu(level)
        return level

    return use


@pytest.fixture(params=CPU_LEVELS)
def cpu_level(request, use_cpu_level):
    """The test once per CPU level, the core capped at it; skipped where the CPU lacks it."""
    return use_cpu_level(request.param)
