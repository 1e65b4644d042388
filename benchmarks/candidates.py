"""What the benchmark times: `outliers` and what a user would otherwise write, per task.

Each candidate is built by a `make(x)` that does the setup (a pandas Series, a Detector, a
2-D view for pyod: things a user holds already) and returns the call to time. Third-party
packages are imported inside `make`, so a fresh process measuring one candidate's memory loads
only what that candidate needs, and a package that is not installed costs only its own rows.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import outliers as ol

# Iglewicz & Hoaglin's consistency constant (mad and hampel).
MAD_SCALE = 1.482602218505602

HAMPEL_WINDOWS = (7, 101)
ESD_RS = (10, 100)


def data(n: int, seed: int = 0) -> np.ndarray:
    """Normal data with a few spikes: one value in 10,000 (at least one) multiplied by 25."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    x[rng.integers(0, n, size=max(1, n // 10_000))] *= 25.0
    return x


@dataclass(frozen=True)
class Candidate:
    name: str  # unique key, "<impl>.<task>", e.g. "pandas.hampel w=7"
    task: str  # what it computes: "zscore", "hampel w=7", "esd r=10", "sum", "custom"
    impl: str  # "outliers", "numpy", "pandas", "scipy", "bottleneck", "hampel", "pyod"
    label: str  # the code, as shown on the benchmarks page
    make: Callable[[np.ndarray], Callable[[], object]]
    requires: tuple[str, ...] = ()  # importable modules it needs beyond numpy/pandas/outliers
    max_n: int | None = None  # larger inputs are skipped (too slow, or window*n memory)
    min_n: int = 1
    note: str = ""

    def runs_at(self, n: int) -> bool:
        return n >= self.min_n and (self.max_n is None or n <= self.max_n)


def missing_modules(candidates: list[Candidate]) -> dict[str, str]:
    """{module: why it cannot be imported} for every module some candidate requires."""
    missing = {}
    for module in sorted({m for c in candidates for m in c.requires}):
        try:
            importlib.import_module(module)
        except Exception as e:  # noqa: BLE001  (a broken install is as unusable as a missing one)
            missing[module] = f"{type(e).__name__}: {e}"
    return missing


# --- numpy idioms -------------------------------------------------------------------------


def np_zscore(x):
    return np.abs(x - x.mean()) > 3.0 * x.std()


def np_mad(x):
    m = np.median(x)
    d = np.abs(x - m)
    return d > 3.5 * MAD_SCALE * np.median(d)


def np_iqr(x):
    q1, q3 = np.percentile(x, [25, 75])
    w = q3 - q1
    return (x < q1 - 1.5 * w) | (x > q3 + 1.5 * w)


def np_quantile(x):
    lo, hi = np.quantile(x, [0.01, 0.99])
    return (x < lo) | (x > hi)


def np_hampel(x, window):
    # The honest numpy idiom for an exact centred rolling median/MAD (valid part only); it needs
    # window * n values of memory, hence its max_n.
    w = np.lib.stride_tricks.sliding_window_view(x, window)
    m = np.median(w, axis=1)
    s = MAD_SCALE * np.median(np.abs(w - m[:, None]), axis=1)
    h = window // 2
    return np.abs(x[h:-h] - m) > 3.0 * s


def np_esd(x, r):
    # Generalized ESD written naively (Rosner 1983): r passes of mean/std over the values left,
    # removing the most extreme each time; the critical values (r scalars) are left out.
    rest = x.copy()
    stats = np.empty(r)
    for i in range(r):
        d = np.abs(rest - rest.mean())
        j = int(np.argmax(d))
        stats[i] = d[j] / rest.std(ddof=1)
        rest = np.delete(rest, j)
    return stats


# --- pandas Series idioms -----------------------------------------------------------------


def _series(x):
    import pandas as pd

    return pd.Series(x)


def pd_zscore(s):
    return (s - s.mean()).abs() > 3.0 * s.std(ddof=0)


def pd_mad(s):
    m = s.median()
    d = (s - m).abs()
    return d > 3.5 * MAD_SCALE * d.median()


def pd_fences(s, low, high, k):
    q_lo, q_hi = s.quantile([low, high])
    w = q_hi - q_lo
    return (s < q_lo - k * w) | (s > q_hi + k * w)


def pd_hampel(s, window):
    # The usual pandas approximation of Hampel: the MAD is a rolling median of deviations from
    # each point's own window median, not each window's exact MAD.
    med = s.rolling(window, center=True, min_periods=1).median()
    dev = (s - med).abs()
    mad = dev.rolling(window, center=True, min_periods=1).median()
    return dev > 3.0 * MAD_SCALE * mad


# --- the candidates -----------------------------------------------------------------------


def _ol(method, **params):
    return lambda x: lambda: ol.mask(x, method, **params)


def _ol_threads(threads, method, **params):
    def make(x):
        def call():
            ol.set_num_threads(threads)
            try:
                return ol.mask(x, method, **params)
            finally:
                ol.set_num_threads(1)

        return call

    return make


def _on_series(func, *args):
    def make(x):
        s = _series(x)
        return lambda: func(s, *args)

    return make


def _scipy_zscore(x):
    from scipy import stats

    return lambda: np.abs(stats.zscore(x)) > 3.0


def _scipy_mad(x):
    from scipy import stats

    def call():
        m = np.median(x)
        return np.abs(x - m) > 3.5 * stats.median_abs_deviation(x, scale="normal")

    return call


def _pyod_mad(x):
    from pyod.models.mad import MAD

    x2 = x.reshape(-1, 1)  # pyod takes (n_samples, 1)
    return lambda: MAD(threshold=3.5).fit(x2).labels_


def _bn_move_median(window):
    def make(x):
        import bottleneck as bn

        h = window // 2
        # move_median is trailing: result[i] is the median of x[i-window+1 .. i], so the centred
        # median of x[i] sits at result[i + h].
        return lambda: bn.move_median(x, window, min_count=1)[h:]

    return make


def _hampel_package(window):
    def make(x):
        from hampel import hampel

        return lambda: hampel(x, window_size=window, n_sigma=3.0).outlier_indices

    return make


def _custom(via_detector):
    def make(x):
        if via_detector:
            d = ol.Detector(np_zscore)
            return lambda: d.mask(x)
        return lambda: np_zscore(x)

    return make


def _whole_sample_candidates() -> list[Candidate]:
    """zscore, mad, iqr, quantile: outliers against the numpy, pandas, scipy, pyod idioms."""
    return [
        Candidate("numpy.sum", "sum", "numpy", "np.sum(x)", lambda x: lambda: np.sum(x)),
        Candidate("outliers.zscore", "zscore", "outliers", "ol.mask(x)", _ol("zscore")),
        Candidate(
            "numpy.zscore",
            "zscore",
            "numpy",
            "np.abs(x - x.mean()) > 3 * x.std()",
            lambda x: lambda: np_zscore(x),
        ),
        Candidate(
            "pandas.zscore",
            "zscore",
            "pandas",
            "(s - s.mean()).abs() > 3 * s.std(ddof=0)",
            _on_series(pd_zscore),
        ),
        Candidate(
            "scipy.zscore",
            "zscore",
            "scipy",
            "np.abs(scipy.stats.zscore(x)) > 3",
            _scipy_zscore,
            requires=("scipy",),
        ),
        Candidate("outliers.mad", "mad", "outliers", 'ol.mask(x, "mad")', _ol("mad")),
        Candidate(
            "numpy.mad",
            "mad",
            "numpy",
            "np.median(x); np.median(np.abs(x - m))",
            lambda x: lambda: np_mad(x),
        ),
        Candidate(
            "pandas.mad",
            "mad",
            "pandas",
            "s.median(); (s - m).abs().median()",
            _on_series(pd_mad),
        ),
        Candidate(
            "scipy.mad",
            "mad",
            "scipy",
            'np.median(x); scipy.stats.median_abs_deviation(x, scale="normal")',
            _scipy_mad,
            requires=("scipy",),
        ),
        Candidate(
            "pyod.mad",
            "mad",
            "pyod",
            "pyod.models.mad.MAD(threshold=3.5).fit(x[:, None]).labels_",
            _pyod_mad,
            requires=("pyod", "sklearn"),
        ),
        Candidate("outliers.iqr", "iqr", "outliers", 'ol.mask(x, "iqr")', _ol("iqr")),
        Candidate(
            "numpy.iqr",
            "iqr",
            "numpy",
            "np.percentile(x, [25, 75]) fences",
            lambda x: lambda: np_iqr(x),
        ),
        Candidate(
            "pandas.iqr",
            "iqr",
            "pandas",
            "s.quantile([.25, .75]) fences",
            _on_series(pd_fences, 0.25, 0.75, 1.5),
        ),
        Candidate(
            "outliers.quantile", "quantile", "outliers", 'ol.mask(x, "quantile")', _ol("quantile")
        ),
        Candidate(
            "numpy.quantile",
            "quantile",
            "numpy",
            "np.quantile(x, [.01, .99]) fences",
            lambda x: lambda: np_quantile(x),
        ),
        Candidate(
            "pandas.quantile",
            "quantile",
            "pandas",
            "s.quantile([.01, .99]) fences",
            _on_series(pd_fences, 0.01, 0.99, 0.0),
        ),
    ]


def _hampel_candidates(w: int) -> list[Candidate]:
    """One window: outliers (1 and 2 threads) against bottleneck, pandas, numpy, hampel."""
    task = f"hampel w={w}"
    c: list[Candidate] = []
    c.append(
        Candidate(
            f"outliers.{task}",
            task,
            "outliers",
            f'ol.mask(x, "hampel", window={w})',
            _ol("hampel", window=w),
            min_n=w,
        )
    )
    if w == HAMPEL_WINDOWS[0]:
        c.append(
            Candidate(
                f"outliers.{task}, 2 threads",
                task,
                "outliers",
                f'ol.mask(x, "hampel", window={w}), ol.set_num_threads(2)',
                _ol_threads(2, "hampel", window=w),
                min_n=w,
                note="2 threads; its CPU time counts both",
            )
        )
    c += [
        Candidate(
            f"bottleneck.{task}",
            task,
            "bottleneck",
            f"bn.move_median(x, {w}, min_count=1)[{w // 2}:] (one call: the median only)",
            _bn_move_median(w),
            requires=("bottleneck",),
            min_n=w,
        ),
        Candidate(
            f"pandas.{task}",
            task,
            "pandas",
            f"s.rolling({w}, center=True).median(), then the rolling median of |s - med|",
            _on_series(pd_hampel, w),
            min_n=w,
            note="approximate MAD",
        ),
        Candidate(
            f"numpy.{task}",
            task,
            "numpy",
            f"sliding_window_view(x, {w}): np.median over axis 1, twice",
            lambda x, w=w: lambda: np_hampel(x, w),
            max_n=10**5,
            min_n=w,
            note="window*n memory",
        ),
        Candidate(
            f"hampel.{task}",
            task,
            "hampel",
            f"hampel.hampel(x, window_size={w}, n_sigma=3.0)",
            _hampel_package(w),
            requires=("hampel",),
            max_n=10**5,
            min_n=w,
            note="slow; computes in float32",
        ),
    ]
    return c


def _esd_candidates(r: int) -> list[Candidate]:
    """outliers' ESD test against the naive numpy loop, for max_outliers r."""
    task = f"esd r={r}"
    return [
        Candidate(
            f"outliers.{task}",
            task,
            "outliers",
            f'ol.mask(x, "esd", max_outliers={r})',
            _ol("esd", max_outliers=r),
        ),
        Candidate(
            f"numpy.{task}",
            task,
            "numpy",
            f"{r} passes of mean, std, argmax, np.delete",
            lambda x, r=r: lambda: np_esd(x, r),
            # r full copies of the data: the naive loop is a minute per call at 10^7.
            max_n=10**7 if r <= 10 else 10**5,
        ),
    ]


def _custom_candidates() -> list[Candidate]:
    """A Python function called directly and through Detector(func)."""
    return [
        Candidate(
            "custom.direct",
            "custom",
            "numpy",
            "func(x), func = the numpy zscore idiom",
            _custom(via_detector=False),
        ),
        Candidate(
            "outliers.custom",
            "custom",
            "outliers",
            "ol.Detector(func).mask(x)",
            _custom(via_detector=True),
        ),
    ]


def all_candidates() -> list[Candidate]:
    """Every candidate, in the order of the tables."""
    c = _whole_sample_candidates()
    for w in HAMPEL_WINDOWS:
        c += _hampel_candidates(w)
    for r in ESD_RS:
        c += _esd_candidates(r)
    return c + _custom_candidates()


def by_name() -> dict[str, Candidate]:
    return {c.name: c for c in all_candidates()}
