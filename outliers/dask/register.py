"""Register ``.outliers`` on dask Series and DataFrames, when dask.dataframe is imported."""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys

from .accessors import DaskFrameOutliers, DaskSeriesOutliers


def register() -> None:
    """Register ``.outliers`` on dask Series and DataFrames (dask.dataframe is imported)."""
    from dask.dataframe.extensions import (
        register_dataframe_accessor,
        register_series_accessor,
    )

    register_series_accessor("outliers")(DaskSeriesOutliers)
    register_dataframe_accessor("outliers")(DaskFrameOutliers)


class _RegisterOnImport(importlib.abc.MetaPathFinder):
    """Registers the accessors once dask.dataframe is imported.

    So ``import outliers`` does not import dask (0.6 s) for users who never use it.
    """

    def find_spec(self, name, path, target=None):
        if name != "dask.dataframe":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_then_register(module):
            exec_module(module)
            register()

        spec.loader.exec_module = exec_then_register  # type: ignore[method-assign]
        return spec


def register_when_imported() -> None:
    """Register now if dask.dataframe is loaded, else as soon as it is."""
    if "dask.dataframe" in sys.modules:
        register()
    elif importlib.util.find_spec("dask") is not None:
        sys.meta_path.insert(0, _RegisterOnImport())
