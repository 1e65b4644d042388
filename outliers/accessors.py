"""The pandas accessors ``s.outliers`` and ``df.outliers``, registered when outliers is imported.

pandas builds a new accessor object on every attribute access, so these hold the object they
were built on and nothing else: no state, no logic beyond shaping results as pandas objects.
The Series accessor is in ``_series_accessor``, the DataFrame one in ``_frame_accessor``.
"""

from __future__ import annotations

import pandas as pd

from ._frame_accessor import FrameOutliers
from ._series_accessor import SeriesOutliers

__all__ = ["FrameOutliers", "SeriesOutliers"]

pd.api.extensions.register_series_accessor("outliers")(SeriesOutliers)
pd.api.extensions.register_dataframe_accessor("outliers")(FrameOutliers)
