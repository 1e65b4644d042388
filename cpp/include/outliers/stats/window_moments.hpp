// Count, mean and sum of squared deviations of the finite values of a sliding window, exact to
// rounding however long the data: no value is ever subtracted back out of a sum, so nothing that
// left the window (a 1e15 among unit-scale noise) leaves an error behind, as it does in the
// running sums of pandas' and bottleneck's rolling variance.
//
// The window [lo, hi) is a queue: values enter at hi and leave at lo, both ends moving forward.
// It is kept as two stacks (the "two-stacks" sliding-window aggregation: Hirzel, Schneider &
// Tangwongsan 2017, "Sliding-window aggregation algorithms", DEBS tutorial): a front segment
// [first, mid) holding the sums of every suffix [j, mid), and a back [mid, hi) holding the sums
// of all its values. The window's moments are those of the suffix [lo, mid) merged with the
// back. When lo passes mid the back becomes the front, its suffixes summed afresh in one
// backward pass: each value is added twice in all, O(1) per point whatever the window.
// Values are added with Youngs & Cramer's update (1971; analysed with the others in Chan, Golub
// & LeVeque 1983, "Algorithms for computing the sample variance"), whose two running sums each
// wait on one addition per value (Welford's update waits on a subtraction, a product and an
// addition: 3x slower here); to the values minus a shift taken from the data (the "shifted
// data" remedy of the same paper, for values far from zero compared with their spread). Parts
// are merged with Chan, Golub & LeVeque's formula (1979, "Updating formulae and a pairwise
// algorithm for computing sample variances").
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
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

// The sums of a part of a window: its values minus `shift`, their sum and M2.
struct shifted_sums {
    std::size_t count = 0;
    double sum = 0.0;
    double m2 = 0.0;

    // Youngs & Cramer: with T_j the sum of the first j values, M2 grows by
    // (j x_j - T_j)^2 / (j (j - 1)).
    void add(double y, const moment_tables& t) noexcept {
        ++count;
        sum += y;
        const double d = static_cast<double>(count) * y - sum;
        m2 += d * d * t.pair_inverse[count];
    }
};

// The moments of two parts of values shifted alike (Chan, Golub & LeVeque 1979). The means are
// compared shifted (the difference of two means near 1e9 would keep their rounding, ~1e-7).
inline running_moments merge(const shifted_sums& a, const shifted_sums& b, double shift,
                             const moment_tables& t) noexcept {
    running_moments r;
    r.count = a.count + b.count;
    if (r.count == 0) return r;
    const double mean_a = a.sum * t.inverse[a.count], mean_b = b.sum * t.inverse[b.count];
    if (b.count == 0) return {a.count, shift + mean_a, a.m2};
    if (a.count == 0) return {b.count, shift + mean_b, b.m2};
    const double delta = mean_b - mean_a;
    const double nb_over_n = static_cast<double>(b.count) * t.inverse[r.count];
    r.mean = shift + (mean_a + delta * nb_over_n);
    r.m2 = a.m2 + b.m2 + delta * delta * static_cast<double>(a.count) * nb_over_n;
    return r;
}

// A shift for the values [first, last): the median of up to three finite values read at its
// start, middle and end (a value far from the others, an outlier, is never the shift when the
// other two are alike); 0 when none of those is finite.
template <class Value>
double pick_shift(const Value& value, std::size_t first, std::size_t last) {
    double v[3];
    int found = 0;
    for (const std::size_t at : {first, first + (last - first) / 2, last - 1}) {
        const double x = at < last ? value(at) : nan;
        if (std::fabs(x) < inf) v[found++] = x;
    }
    if (found == 0) return 0.0;
    if (found < 3) return v[0];
    return std::max(std::min(v[0], v[1]), std::min(std::max(v[0], v[1]), v[2]));
}

// The moments of windows [lo, hi) visited with both ends non-decreasing. `value(j)` reads
// position j as a double (NaN for a missing value); only finite values count. The tables must
// reach one past the most positions a window spans.
class sliding_moments {
  public:
    explicit sliding_moments(const moment_tables& tables) noexcept : t_(tables) {}

    template <class Value>
    running_moments window(std::size_t lo, std::size_t hi, const Value& value) {
        if (lo >= mid_) {  // the front is used up: [lo, hi) becomes the front, the back empty
            first_ = lo;
            mid_ = hi_ = hi > lo ? hi : lo;
            shift_ = pick_shift(value, first_, mid_);
            suffix_.resize(mid_ - first_);
            shifted_sums acc;
            for (std::size_t j = mid_; j-- > first_;) {
                const double x = value(j);
                if (std::fabs(x) < inf) acc.add(x - shift_, t_);
                suffix_[j - first_] = acc;
            }
            back_ = shifted_sums{};
        }
        for (; hi_ < hi; ++hi_) {
            const double x = value(hi_);
            if (std::fabs(x) < inf) back_.add(x - shift_, t_);
        }
        const shifted_sums front = lo < mid_ ? suffix_[lo - first_] : shifted_sums{};
        return merge(front, back_, shift_, t_);
    }

  private:
    const moment_tables& t_;
    std::vector<shifted_sums> suffix_;  // suffix_[j - first_]: the values [j, mid_)
    shifted_sums back_;                 // the values [mid_, hi_)
    double shift_ = 0.0;                // of the front and the back
    std::size_t first_ = 0, mid_ = 0, hi_ = 0;
};

}  // namespace outliers::stats
