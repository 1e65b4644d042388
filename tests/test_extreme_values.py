"""Values near +-1e308 and +-DBL_MAX (issue 15 item 3; hampel's are in test_hampel_robustness).

numpy's (a + b) / 2, b - a and |x - m| overflow there, which gave quantile a lower bound of +inf
(above the upper one) and mad NaN scores for finite values. NaN scores are for missing values
only (SPEC §3), and lower <= upper always. The oracle here is exact: Python fractions, converted
to float at the end.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

import outliers as ol

BIG = np.finfo(np.float64).max

DATA = {
    "+-1.7e308": np.array([-1.7e308, 1.7e308, 0.0, 1.0, -1.0, 1.7e308, -1.7e308]),
    "+-DBL_MAX": np.array([-BIG, BIG, -BIG, BIG, 0.5]),
    "two": np.array([-BIG, BIG]),
    "spread": np.r_[np.linspace(-1.0, 1.0, 11) * 1e308, 1.7e308],
    "one side": np.array([1e308, 1.5e308, 1.7e308, BIG, 1.2e308, 1.1e308]),
    "MAD overflows": np.array([-1.7e308] * 3 + [0.4e308] + [1.7e308] * 3),
    "MeanAD overflows": np.array([-1.7e308] * 4 + [1.7e308] * 3),
    "huge and small": np.r_[np.linspace(-1.0, 1.0, 9), -1.7e308, 1.7e308, np.nan, np.inf],
    # |x - m| of -1.7e308 overflows while the MAD is small: numpy's score is inf, the true 43.8.
    "one deviation overflows": np.r_[[1.5e308, 1.6e308] * 6, 1.0, -1.7e308],
    # m - 3.5 * 1.4826 MAD is beyond the doubles, m + 3.5 * 1.4826 MAD is not, and 0.7 DBL_MAX
    # lies beyond it although its deviation from m overflows.
    "bound beyond the doubles": np.array([-0.5] * 4 + [-0.1, -0.9, 0.7, 0.9]) * BIG,
}
METHODS = {
    "zscore": {},
    "mad": {},
    "iqr": {},
    "iqr k=0": {"k": 0.0},
    "quantile": {},
    "quantile low=0": {"low": 0.0, "high": 0.99},
    "esd": {"max_outliers": 3},
}


def _call(what, x, label):
    params = METHODS[label]
    return getattr(ol, what)(x, label.split()[0], **params)


@pytest.mark.parametrize("label", list(METHODS))
@pytest.mark.parametrize("name", list(DATA))
def test_no_nan_score_for_a_finite_value_and_ordered_bounds(name, label):
    x = DATA[name]
    scores = _call("scores", x, label)
    assert not np.isnan(scores[np.isfinite(x)]).any(), scores
    assert np.isnan(scores[np.isnan(x)]).all()
    lo, hi = _call("bounds", x, label)
    if label == "esd" and np.isfinite(x).sum() < 3:
        assert np.isnan(lo) and np.isnan(hi)  # nothing is tested below 3 values (SPEC §4)
    else:
        assert lo <= hi, (lo, hi)


def _finite_fractions(x):
    return sorted(Fraction(float(v)) for v in x if math.isfinite(v))


def _median(v):
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def _quantile(v, q):
    """Hyndman-Fan type 7 (numpy's "linear"), exactly."""
    h = (len(v) - 1) * Fraction(q)
    k = math.floor(h)
    if k + 1 >= len(v):
        return v[-1]
    return v[k] + (h - k) * (v[k + 1] - v[k])


def _to_float(f):
    """A Fraction as a float, +-inf beyond the doubles."""
    try:
        return float(f)
    except OverflowError:
        return math.inf if f > 0 else -math.inf


def _close(got, want, rtol=1e-14):
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        close = (got == want) | (np.abs(got - want) <= rtol * np.abs(want))
    assert np.all(close), (got, want)


@pytest.mark.parametrize("name", list(DATA))
@pytest.mark.parametrize(("low", "high"), [(0.01, 0.99), (0.0, 0.99), (0.25, 0.75), (0.0, 1.0)])
def test_quantile_bounds_and_scores_exact(name, low, high):
    x = DATA[name]
    v = _finite_fractions(x)
    q_lo, q_hi = _quantile(v, low), _quantile(v, high)
    _close(ol.bounds(x, "quantile", low=low, high=high), [float(q_lo), float(q_hi)])
    width = q_hi - q_lo
    want = []
    for f in (Fraction(float(t)) if math.isfinite(t) else None for t in x):
        if f is None:
            continue
        d = max(q_lo - f, f - q_hi, 0)
        want.append(0.0 if d == 0 else (math.inf if width == 0 else float(d / width)))
    got = ol.scores(x, "quantile", low=low, high=high)[np.isfinite(x)]
    _close(got, want)


@pytest.mark.parametrize("name", list(DATA))
@pytest.mark.parametrize("k", [0.0, 0.5, 1.5])
def test_iqr_bounds_and_scores_exact(name, k):
    x = DATA[name]
    v = _finite_fractions(x)
    q1, q3 = _quantile(v, 0.25), _quantile(v, 0.75)
    width = q3 - q1
    reach = Fraction(k) * width
    _close(ol.bounds(x, "iqr", k=k), [_to_float(q1 - reach), _to_float(q3 + reach)])
    want = []
    for t in x[np.isfinite(x)]:
        d = max(q1 - Fraction(float(t)), Fraction(float(t)) - q3, 0)
        want.append(0.0 if d == 0 else (math.inf if width == 0 else float(d / width)))
    _close(ol.scores(x, "iqr", k=k)[np.isfinite(x)], want)


@pytest.mark.parametrize("name", list(DATA))
def test_mad_center_bounds_and_scores_exact(name):
    x = DATA[name]
    v = _finite_fractions(x)
    m = _median(v)
    dev = [abs(f - m) for f in v]
    scale = Fraction(1.482602218505602) * _median(sorted(dev))
    if scale == 0:
        scale = Fraction(1.2533141373155003) * sum(dev) / len(dev)
    finite = np.isfinite(x)
    want = [float(abs(Fraction(float(t)) - m) / scale) if scale else 0.0 for t in x[finite]]
    _close(ol.scores(x, "mad")[finite], want)
    assert np.array_equal(ol.mask(x, "mad")[finite], np.array(want) > 3.5)
    _close([_center(x, "mad")], [float(m)])
    reach = Fraction(3.5) * scale
    _close(ol.bounds(x, "mad"), [_to_float(m - reach), _to_float(m + reach)])


@pytest.mark.parametrize("name", list(DATA))
@pytest.mark.parametrize("method", ["zscore", "esd"])
def test_mean_of_values_whose_sum_overflows(name, method):
    # numpy's mean overflows to +-inf (or NaN) on most of these, and every score is then NaN.
    # The center is the true mean; the std follows numpy's formula, whose squares overflow for
    # any spread beyond ~1e154: +inf, so the bounds are +-inf and zscore scores every finite
    # value 0 (esd's later steps, once the huge values are removed, can score the rest).
    x = DATA[name]
    v = _finite_fractions(x)
    if method == "esd" and len(v) < 3:
        pytest.skip("esd tests nothing below 3 values")
    if method == "zscore":
        assert np.all(ol.scores(x, method)[np.isfinite(x)] == 0.0)
    assert ol.bounds(x, method) == (-math.inf, math.inf)
    _close([_center(x, method)], [float(sum(v) / len(v))])


def _center(x, method):
    """The method's center: what clean(how="center") puts in place of an infinity (always
    flagged, never part of the statistics)."""
    s = pd.Series(np.r_[x, np.inf])
    return float(s.outliers.clean(how="center", method=method).iloc[-1])
