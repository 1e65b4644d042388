"""Generalized ESD: the NIST/SEMATECH e-Handbook worked example (section 1.3.5.17.3).

Rosner's 54 values, max_outliers = 10, alpha = 0.05. The handbook's table of R_i
and lambda_i (three decimals, truncated) is copied from /work/shared/data/README.md.
R_i are read back through ``ol.scores`` (the score of the i-th removed value);
lambda_i, which the public API does not expose, are checked on the oracle and
through the bounds mean_k +- lambda_{k+1} * s_k.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reference as ref  # noqa: E402

import outliers as ol  # noqa: E402

DATA = Path(__file__).resolve().parent / "rosner_esd.csv"

# i: (R_i, lambda_i), NIST/SEMATECH e-Handbook 1.3.5.17.3, truncated to 3 decimals.
TABLE = {
    1: (3.118, 3.158),
    2: (2.942, 3.151),
    3: (3.179, 3.143),
    4: (2.810, 3.136),
    5: (2.815, 3.128),
    6: (2.848, 3.120),
    7: (2.279, 3.111),
    8: (2.310, 3.103),
    9: (2.101, 3.094),
    10: (2.067, 3.085),
}


def trunc3(v):
    return math.floor(v * 1000) / 1000


@pytest.fixture(scope="module")
def x():
    with DATA.open() as fh:
        assert fh.readline().strip() == "value"
        a = np.loadtxt(fh, dtype=np.float64)
    assert a.shape == (54,)
    return a


@pytest.fixture(scope="module")
def steps(x):
    return ref.esd_steps(x, max_outliers=10, alpha=0.05)


def test_esd_nist_flags_three_outliers(x):
    got = ol.detect(x, "esd", max_outliers=10, alpha=0.05)
    want = sorted(int(np.flatnonzero(x == v)[0]) for v in (6.01, 5.42, 5.34))
    assert got.dtype == np.int64
    assert got.tolist() == want
    assert sorted(x[got].tolist()) == [5.34, 5.42, 6.01]
    # The defaults are max_outliers=10, alpha=0.05.
    assert ol.detect(x, "esd").tolist() == want
    m = ol.mask(x, "esd", max_outliers=10, alpha=0.05)
    assert np.flatnonzero(m).tolist() == want


def test_esd_nist_oracle_reproduces_table(steps):
    # Guards the oracle itself: its R_i and lambda_i are the handbook's.
    assert len(steps["R"]) == 10
    for i, (R, lam) in TABLE.items():
        assert trunc3(steps["R"][i - 1]) == R, f"R_{i}"
        assert trunc3(steps["lam"][i - 1]) == lam, f"lambda_{i}"
    assert steps["k"] == 3


def test_esd_nist_scores_are_R_i(x, steps):
    s = ol.scores(x, "esd", max_outliers=10, alpha=0.05)
    assert s.dtype == np.float64 and s.shape == x.shape
    removed = steps["removed"]
    assert len(removed) == 10 and len(set(removed)) == 10
    # The first three removed values are the outliers, in the handbook's order.
    assert x[removed[:3]].tolist() == [6.01, 5.42, 5.34]
    for i, (R, _) in TABLE.items():
        p = removed[i - 1]
        assert trunc3(s[p]) == R, f"R_{i} (value {x[p]} at position {p}): got {s[p]}"
        assert s[p] == pytest.approx(steps["R"][i - 1], rel=1e-9), f"R_{i}"
    others = np.setdiff1d(np.arange(x.size), removed)
    assert (s[others] == 0.0).all(), "values never removed score 0"
    # Exactly the r = 10 removed values have a nonzero score, flagged or not.
    assert np.count_nonzero(s) == 10


def test_esd_nist_bounds_use_lambda_k_plus_1(x, steps):
    lo, hi = ol.bounds(x, "esd", max_outliers=10, alpha=0.05)
    flagged = ol.detect(x, "esd", max_outliers=10, alpha=0.05)
    left = np.delete(x, flagged)
    mean_k, s_k = left.mean(), left.std(ddof=1)
    lam4 = steps["lam_next"]
    assert trunc3(lam4) == TABLE[4][1]
    assert lo == pytest.approx(mean_k - lam4 * s_k, rel=1e-9)
    assert hi == pytest.approx(mean_k + lam4 * s_k, rel=1e-9)
    # lambda_4 read back from the bounds: the handbook's 3.136.
    assert trunc3((hi - mean_k) / s_k) == 3.136
    assert trunc3((mean_k - lo) / s_k) == 3.136
    # Every flagged value is beyond the bounds; every other value within them.
    assert ((x[flagged] < lo) | (x[flagged] > hi)).all()
    assert ((left >= lo) & (left <= hi)).all()


def test_esd_nist_layouts_and_dtypes_agree(x):
    want = ol.detect(x, "esd").tolist()
    assert ol.detect(x[::-1].copy()[::-1], "esd").tolist() == want
    assert ol.detect(x.astype(">f8"), "esd").tolist() == want
    b = np.zeros((54, 2))
    b[:, 1] = x
    assert ol.detect(b[:, 1], "esd").tolist() == want
    # NaN and inf inserted: the statistics of the 54 finite values are unchanged.
    y = np.insert(x, [0, 10, 54], [np.nan, np.inf, np.nan])
    fin = np.isfinite(y)
    got = ol.detect(y, "esd")
    pos_inf = int(np.flatnonzero(np.isinf(y))[0])
    want_y = sorted([int(np.flatnonzero(fin)[p]) for p in want] + [pos_inf])
    assert got.tolist() == want_y
    np.testing.assert_allclose(ol.scores(y, "esd")[fin], ol.scores(x, "esd"), rtol=1e-12)


def test_esd_reversed_data_finds_same_values(x):
    got = ol.detect(x[::-1], "esd")
    assert sorted(x[::-1][got].tolist()) == [5.34, 5.42, 6.01]


def test_esd_smaller_max_outliers_misses_masked_outliers(x):
    # With r = 2, neither R_1 nor R_2 exceeds its lambda: nothing is flagged.
    assert ol.detect(x, "esd", max_outliers=2).tolist() == []
    s = ol.scores(x, "esd", max_outliers=2)
    assert np.count_nonzero(s) == 2
    assert sorted(x[s > 0].tolist()) == [5.42, 6.01]
    assert ol.detect(x, "esd", max_outliers=3).tolist() == ol.detect(x, "esd").tolist()


# ------------------------------------------------------------ hand-checked small cases
@pytest.mark.parametrize(
    "data",
    [
        [],
        [1.0],
        [1.0, 1000.0],
        [np.nan, 1.0, np.nan, -5e9, np.nan],
        [7, 7],
    ],
    ids=["empty", "one", "two", "two-finite-among-nan", "two-int"],
)
def test_esd_fewer_than_three_values_flags_nothing(data):
    a = np.array(data, dtype=np.float64)
    assert ol.detect(a, "esd").tolist() == []
    s = ol.scores(a, "esd")
    fin = np.isfinite(a)
    assert (s[fin] == 0.0).all() and np.isnan(s[~fin]).all()
    lo, hi = ol.bounds(a, "esd")
    assert math.isnan(lo) and math.isnan(hi)  # lambda_1 is undefined (n - 2 <= 0 dof)


def test_esd_fewer_than_three_finite_values_still_flags_inf():
    a = np.array([np.inf, 1.0, np.nan, 2.0, -np.inf])
    assert ol.detect(a, "esd").tolist() == [0, 4]
    s = ol.scores(a, "esd")
    assert s[0] == s[4] == np.inf and s[1] == s[3] == 0.0 and np.isnan(s[2])


def test_esd_three_values_by_hand():
    # n = 3, r = 1: R_1 = (2/3) / sqrt(1/3) = 2/sqrt(3) = 1.1547...,
    # lambda_1 = 2 t / sqrt((1 + t^2) 3) with t = t_{1 - 0.05/6, 1} = cot(pi 0.05/6) = 38.19
    # -> 1.15430..., so the 1 is (just) an outlier.
    a = np.array([0.0, 0.0, 1.0])
    t = 1 / math.tan(math.pi * 0.05 / 6)
    lam1 = 2 * t / math.sqrt((1 + t * t) * 3)
    assert lam1 == pytest.approx(ref.esd_lambda(3, 1, 0.05), rel=1e-12)
    assert 2 / math.sqrt(3) > lam1
    assert ol.detect(a, "esd").tolist() == [2]
    s = ol.scores(a, "esd")
    assert s[2] == pytest.approx(2 / math.sqrt(3), rel=1e-12) and s[0] == s[1] == 0.0
    # lambda_1 -> 2/sqrt(3) as alpha -> 0, so even alpha = 0.01 flags it.
    assert ol.detect(a, "esd", alpha=0.01).tolist() == [2]
    # k = 1 = n - 2: lambda_2 would have 0 degrees of freedom; no bounds are checked here.


def test_esd_three_values_not_flagged_and_tie_broken_by_position():
    # [0, 1, 2]: mean 1, s = 1, R_1 = 1 < lambda_1 = 1.1543: nothing flagged.
    # 0 and 2 are equally far from the mean; the first in position order is removed.
    a = np.array([0.0, 1.0, 2.0])
    assert ol.detect(a, "esd").tolist() == []
    assert ol.scores(a, "esd").tolist() == [1.0, 0.0, 0.0]
    lam1 = ref.esd_lambda(3, 1, 0.05)
    lo, hi = ol.bounds(a, "esd")
    assert lo == pytest.approx(1 - lam1, rel=1e-9) and hi == pytest.approx(1 + lam1, rel=1e-9)


def test_esd_four_values_by_hand():
    # [0, 0, 0, 10]: mean 2.5, s = 5 -> R_1 = 1.5; lambda_1 (n=4, df=2) = 1.4812...
    # R_2 on [0, 0, 0] is 0 (no spread), so k = 1.
    a = np.array([0.0, 10.0, 0.0, 0.0])
    lam1 = ref.esd_lambda(4, 1, 0.05)
    assert 1.48 < lam1 < 1.49
    assert ol.detect(a, "esd").tolist() == [1]
    s = ol.scores(a, "esd")
    assert s[1] == pytest.approx(1.5, rel=1e-12)
    assert s[[0, 2, 3]].tolist() == [0.0, 0.0, 0.0]
    # Bounds: the three remaining zeros have mean 0 and s 0.
    assert ol.bounds(a, "esd") == (0.0, 0.0)


def test_esd_constant_data_flags_nothing():
    a = np.full(20, 3.25)
    assert ol.detect(a, "esd").tolist() == []
    assert ol.scores(a, "esd").tolist() == [0.0] * 20
    assert ol.bounds(a, "esd") == (3.25, 3.25)
