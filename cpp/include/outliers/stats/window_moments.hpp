// Count, mean and sum of squared deviations of the finite values of a sliding window, exact to
// rounding however long the data: no value is ever subtracted back out of a sum, so nothing that
// left the window (a 1e15 among unit-scale noise) leaves an error behind, as it does in the
// running sums of pandas' and bottleneck's rolling variance.
//
// Each window [lo, hi) is cut in two at a position mid that a fixed grid sets (windows/extent.hpp:
// walker::split): the suffix [lo, mid), summed backwards from mid, and the prefix [mid, hi),
// summed forwards from mid (the idea of van Herk 1992 and Gil & Werman 1993 for running maxima,
// here for sums). Points that share a mid share both runs: the suffixes are summed once when
// mid moves, the prefix grows as hi does, so each value is added about twice, O(1) per point
// whatever the window. Since mid depends on the grid alone, a point's result does not depend
// on where its block of points starts: the same for any thread count, and for a dask partition
// that starts elsewhere.
// Values are added with Youngs & Cramer's update (1971; analysed with the others in Chan, Golub
// & LeVeque 1983, "Algorithms for computing the sample variance"), whose two running sums each
// wait on one addition per value (Welford's update waits on a subtraction, a product and an
// addition: 3x slower here), to the values minus a shift: the first value each run adds, a
// value of the window, so that values far from zero compared with their spread (1e9 + noise)
// lose no digits (the "shifted data" remedy of the same paper). The two runs are merged with
// Chan, Golub & LeVeque's formula (1979, "Updating formulae and a pairwise algorithm for
// computing sample variances").
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "outliers/column.hpp"

namespace outliers::stats {

// What a window's statistics need: how many finite values, their mean and M2 (the sum of their
// squared deviations from the mean).
struct running_moments {
    std::size_t count = 0;
    double mean = 0.0;
    double m2 = 0.0;
};

// The tables the updates read instead of dividing (a division would sit in the chain each step
// waits on): 1 / k and 1 / (k (k - 1)) for k < size (0 where undefined).
struct moment_tables {
    std::vector<double> inverse, pair_inverse;

    explicit moment_tables(std::size_t size) : inverse(size, 0.0), pair_inverse(size, 0.0) {
        for (std::size_t k = 1; k < size; ++k) {
            const auto d = static_cast<double>(k);
            inverse[k] = 1.0 / d;
            if (k > 1) pair_inverse[k] = 1.0 / (d * (d - 1.0));
        }
    }
};

// A count as a double, through a signed integer: a direct size_t conversion costs a branch and
// several instructions on x86-64 (no unsigned conversion before AVX-512), once per value here.
inline double as_double(std::size_t count) noexcept {
    return static_cast<double>(static_cast<std::int64_t>(count));
}

// The sums of a run of values: their count, and their sum and M2 taken minus `shift`, the run's
// first finite value.
struct shifted_sums {
    std::size_t count = 0;
    double shift = 0.0;
    double sum = 0.0;
    double m2 = 0.0;

    // Youngs & Cramer: with T_j the sum of the first j values, M2 grows by
    // (j x_j - T_j)^2 / (j (j - 1)).
    void add(double x, const moment_tables& t) noexcept {
        if (count == 0) shift = x;
        const double y = x - shift;
        ++count;
        sum += y;
        const double d = as_double(count) * y - sum;
        m2 += d * d * t.pair_inverse[count];
    }
};

// The moments of two runs together (Chan, Golub & LeVeque 1979). The means are compared through
// their shifts (two values of the window: their difference is exact or rounded to its own size),
// so that two means near 1e9 do not bring their rounding, ~1e-7, into the spread.
inline running_moments merge(const shifted_sums& a, const shifted_sums& b,
                             const moment_tables& t) noexcept {
    running_moments r;
    r.count = a.count + b.count;
    const double mean_a = a.sum * t.inverse[a.count], mean_b = b.sum * t.inverse[b.count];
    if (b.count == 0) return {a.count, a.shift + mean_a, a.m2};
    if (a.count == 0) return {b.count, b.shift + mean_b, b.m2};
    const double delta = (b.shift - a.shift) + (mean_b - mean_a);
    const double nb_over_n = as_double(b.count) * t.inverse[r.count];
    r.mean = a.shift + (mean_a + delta * nb_over_n);
    r.m2 = a.m2 + b.m2 + delta * delta * as_double(a.count) * nb_over_n;
    return r;
}

// The moments of windows [lo, hi), cut at mid, visited with lo, mid and hi non-decreasing.
// `value(j)` reads position j as a double (NaN for a missing value); only finite values count.
// The tables must reach one past the most positions a window spans.
class sliding_moments {
  public:
    explicit sliding_moments(const moment_tables& tables) noexcept : t_(tables) {}

    template <class Value>
    running_moments window(std::size_t lo, std::size_t mid, std::size_t hi, const Value& value) {
        if (mid != mid_ || !started_) {  // a new cut: the suffixes of [lo, mid), the prefix anew
            started_ = true;
            first_ = lo;
            mid_ = hi_ = mid;
            suffix_.resize(mid - lo);
            shifted_sums run;
            for (std::size_t j = mid; j-- > lo;) {
                const double x = value(j);
                if (std::fabs(x) < inf) run.add(x, t_);
                suffix_[j - lo] = run;
            }
            prefix_ = shifted_sums{};
        }
        for (; hi_ < hi; ++hi_) {
            const double x = value(hi_);
            if (std::fabs(x) < inf) prefix_.add(x, t_);
        }
        return merge(lo < mid ? suffix_[lo - first_] : shifted_sums{}, prefix_, t_);
    }

  private:
    const moment_tables& t_;
    std::vector<shifted_sums> suffix_;  // suffix_[j - first_]: the values [j, mid_)
    shifted_sums prefix_;               // the values [mid_, hi_)
    std::size_t first_ = 0, mid_ = 0, hi_ = 0;
    bool started_ = false;
};

}  // namespace outliers::stats
