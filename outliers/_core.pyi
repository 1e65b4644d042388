"""Type stubs for the compiled core (hand-written; see cpp/src/)."""

from collections.abc import Callable
from typing import Any

import numpy as np

def run(
    method: str,
    values: np.ndarray,
    mask: np.ndarray | None,
    int_min_is_missing: bool,
    params: dict[str, Any],
    positions: bool = False,
    mask_out: bool = False,
    scores: bool = False,
    bounds: bool = False,
    center: bool = False,
) -> dict[str, Any]: ...
def call_detector(
    func: Callable[..., Any], values: np.ndarray, params: dict[str, Any], name: str
) -> np.ndarray: ...
def set_num_threads(n: int) -> None: ...
def get_num_threads() -> int: ...
