"""esd with many removals and extreme alphas (issue 15 items 4 and 13).

Many removals: against the naive oracle (reference.py) where it is quick enough, and against a
second, independent oracle on a large case that used to take minutes: two pointers over the
sorted values, with the moments of what is left from prefix sums in long double.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import reference as ref
from scipy import stats

import outliers as ol


def _check(ctx, x, **params):
    want = ref.reference("esd", x, **params)
    ref.check_mask(ctx, ol.mask(x, "esd", **params), want)
    ref.check_scores(ctx, ol.scores(x, "esd", **params), want)
    ref.check_bounds(ctx, ol.bounds(x, "esd", **params), want, x)
    return want


def _cases():
    rng = np.random.default_rng(15)
    heavy = rng.standard_t(2, 2000)
    # Huge outliers removed first: what is left must not keep their rounding error (a sum
    # downdated by subtraction would).
    huge = np.r_[rng.standard_normal(1500), rng.choice([-1, 1], 60) * 1e12 * rng.random(60)]
    rng.shuffle(huge)
    ties = np.r_[rng.integers(0, 20, 1500), [1000, -1000, 1000, 500]].astype(np.float64)
    rng.shuffle(ties)
    return {
        "heavy tails, half removed": (heavy, 1000),
        "huge outliers": (huge, 700),
        "integer ties": (ties, 800),
        "down to two values": (rng.standard_normal(300), 298),
        "more asked than n - 2": (rng.standard_t(3, 200), 10**6),
    }


@pytest.mark.parametrize("name", list(_cases()))
def test_many_removals_match_the_naive_oracle(name):
    x, r = _cases()[name]
    _check(name, x, max_outliers=r, alpha=0.05)


def test_many_removals_thread_count_independent(restore_cpu_and_threads):
    rng = np.random.default_rng(4)
    x = np.r_[rng.standard_normal(600_000), rng.standard_normal(300) * 50]
    got = []
    for threads in (1, 2, 3):
        ol.set_num_threads(threads)
        got.append(
            (ol.scores(x, "esd", max_outliers=20_000), ol.bounds(x, "esd", max_outliers=20_000))
        )
    for scores, bounds in got[1:]:
        assert np.array_equal(scores, got[0][0])
        assert bounds == got[0][1]


def _sorted_oracle(x, r, alpha):
    """Generalized ESD on distinct finite values: each step removes the lowest or the highest value
    left, so what is left is x sorted, [a, b); its mean and std come from long double prefix sums.
    Returns (positions removed in order, R_i, lambda_i)."""
    order = np.argsort(x, kind="stable")
    v = x[order].astype(np.longdouble)
    c1 = np.concatenate([[0], np.cumsum(v)])
    c2 = np.concatenate([[0], np.cumsum(v * v)])
    n = x.size
    a, b = 0, n
    removed, big_r = [], []
    for _ in range(r):
        m = b - a
        s = c1[b] - c1[a]
        mean = s / m
        sd = np.sqrt((c2[b] - c2[a] - s * mean) / (m - 1))
        d_lo, d_hi = mean - v[a], v[b - 1] - mean
        if d_lo > d_hi:
            removed.append(order[a])
            big_r.append(float(d_lo / sd))
            a += 1
        else:
            b -= 1
            removed.append(order[b])
            big_r.append(float(d_hi / sd))
    i = np.arange(1, r + 1)
    t = stats.t.isf(alpha / (2.0 * (n - i + 1)), n - i - 1)
    lam = (n - i) * t / np.sqrt((n - i - 1 + t * t) * (n - i + 1))
    return np.array(removed), np.array(big_r), lam


def test_many_removals_on_a_large_array(tmp_path):
    # max_outliers = 10**5 on 2 * 10**5 values: O(max_outliers^2) took minutes (73 s or more for
    # 10**5 on 10**6), now well under a second. Run apart, so a regression fails here instead of
    # hanging the suite.
    n, r = 200_000, 100_000
    rng = np.random.default_rng(7)
    x = rng.standard_normal(n)
    x[rng.choice(n, 200, replace=False)] *= rng.uniform(8, 40, 200)
    np.save(tmp_path / "x.npy", x)
    code = textwrap.dedent(f"""
        import numpy as np, outliers as ol
        x = np.load({str(tmp_path / "x.npy")!r})
        np.save({str(tmp_path / "scores.npy")!r}, ol.scores(x, "esd", max_outliers={r}))
        np.save({str(tmp_path / "mask.npy")!r}, ol.mask(x, "esd", max_outliers={r}))
    """)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    scores, mask = np.load(tmp_path / "scores.npy"), np.load(tmp_path / "mask.npy")

    removed, big_r, lam = _sorted_oracle(x, r, 0.05)
    want = np.zeros(n)
    want[removed] = big_r
    np.testing.assert_allclose(scores, want, rtol=1e-9, atol=1e-12)
    above = np.flatnonzero(big_r > lam)
    k = int(above[-1]) + 1 if above.size else 0
    assert not np.any(np.abs(big_r - lam) <= 1e-9 * lam), "ambiguous case: pick another seed"
    assert k >= 150  # the planted outliers
    want_mask = np.zeros(n, dtype=bool)
    want_mask[removed[:k]] = True
    assert np.array_equal(mask, want_mask)


# ---------------------------------------------------------------- extreme alphas (item 13)


def _lambdas(n, alpha, count):
    """lambda_i, i = 1..count, from the upper tail q = alpha / (2(n - i + 1)) (scipy's t.isf)."""
    i = np.arange(1, count + 1)
    t = stats.t.isf(alpha / (2.0 * (n - i + 1)), n - i - 1)
    return (n - i) * t / np.sqrt((n - i - 1 + t * t) * (n - i + 1))


def test_smallest_alpha_is_accepted():
    # alpha = 5e-324 made q underflow to 0 ("student_t_quantile: p must be in (0, 1)"). For 20
    # values t is then beyond 1e19, and lambda_i = (n - i) / sqrt(n - i + 1) to double precision:
    # the largest R_i can ever be (Samuelson's bound), so nothing is flagged.
    rng = np.random.default_rng(3)
    x = np.r_[rng.standard_normal(19), 50.0]
    want = ref.reference("esd", x, alpha=0.05)  # R_i do not depend on alpha
    scores = ol.scores(x, "esd", alpha=5e-324)
    ref.check_scores("alpha=5e-324", scores, want)
    assert not ol.mask(x, "esd", alpha=5e-324).any()
    lo, hi = ol.bounds(x, "esd", alpha=5e-324)
    lam1 = 19 / np.sqrt(20)
    np.testing.assert_allclose(
        [lo, hi], x.mean() + np.array([-1, 1]) * lam1 * x.std(ddof=1), rtol=1e-12
    )


def test_tiny_alpha_with_many_values():
    # 1 - alpha / (2(n - i + 1)) rounds to 1: the reference's ppf(p) cannot be used, isf(q) can.
    rng = np.random.default_rng(5)
    x = np.r_[rng.standard_normal(100_000), [80.0, -90.0]]
    n = x.size
    lam = _lambdas(n, 1e-300, 11)
    want = ref.esd_steps(x, max_outliers=10)
    big_r = np.array(want["R"])
    k = int(np.flatnonzero(big_r > lam[:10])[-1]) + 1
    assert k == 2
    got = ol.detect(x, "esd", alpha=1e-300)
    assert sorted(got.tolist()) == sorted(want["removed"][:k])
    left = np.delete(x, want["removed"][:k])
    lo, hi = ol.bounds(x, "esd", alpha=1e-300)
    spread = lam[k] * left.std(ddof=1)
    np.testing.assert_allclose([lo, hi], [left.mean() - spread, left.mean() + spread], rtol=1e-9)


def test_alpha_close_to_one():
    rng = np.random.default_rng(6)
    x = rng.standard_normal(500)
    _check("alpha=1-2**-53", x, max_outliers=50, alpha=1 - 2**-53)
