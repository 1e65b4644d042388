"""Type stubs for the compiled core (hand-written; see cpp/src/)."""

from collections.abc import Callable
from typing import Any

import numpy as np

# A column: (values, byte mask or None, arrow validity bitmap or None, bit offset, NaT-is-missing)
Column = tuple[np.ndarray, np.ndarray | None, np.ndarray | None, int, bool]

def run_columns(
    method: str,
    columns: list[Column],
    params: dict[str, Any],
    missing: list[float],
    positions: bool = False,
    mask: bool = False,
    scores: bool = False,
    bounds: bool = False,
    center: bool = False,
) -> list[dict[str, Any]]: ...
def run_plain(method: str, values: object, params: dict[str, Any], output: int) -> Any: ...
def call_detector(
    func: Callable[..., Any],
    values: np.ndarray,
    params: dict[str, Any],
    name: object,
    as_mask: bool = False,
) -> np.ndarray: ...
def set_num_threads(n: int) -> None: ...
def get_num_threads() -> int: ...
def _limit_cpu(name: str) -> None: ...
def _force_radix_select(on: bool) -> None: ...
def _cpu_level() -> str: ...
