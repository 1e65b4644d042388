// Count, mean and sum of squared deviations of the finite values of a sliding window, exact to
// rounding however long the data: no value is ever subtracted back out of a sum, so nothing that
// left the window (a 1e15 among unit-scale noise) leaves an error behind, as it does in the
// running sums of pandas' and bottleneck's rolling variance.
//
// The window [lo, hi) is a queue: values enter at hi and leave at lo, both ends moving forward.
// It is kept as two stacks (the "two-stacks" sliding-window aggregation: Hirzel, Schneider &
// Tangwongsan 2017, "Sliding-window aggregation algorithms", DEBS tutorial): a front segment
// [first, mid) holding the moments of every suffix [j, mid), and a back [mid, hi) holding the
// moments of all its values. The window's moments are those of the suffix [lo, mid) merged with
// the back. When lo passes mid the back becomes the front, its suffixes computed afresh in one
// backward pass: each value is added twice in all, O(1) per point whatever the window.
// Values are added with Welford's update (Welford 1962) and parts merged with Chan, Golub &
// LeVeque's formula (1979, "Updating formulae and a pairwise algorithm for computing sample
// variances"), both free of the cancellation of sum-of-squares formulas.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "outliers/column.hpp"

namespace outliers::stats {

struct running_moments {
    std::size_t count = 0;
    double mean = 0.0;
    double m2 = 0.0;  // sum of squared deviations from the mean
};

// 1 / k for k = 0 .. size - 1 (0 for k = 0): the updates multiply instead of dividing, which
// keeps a division (~15 cycles) out of the chain each step waits on.
inline std::vector<double> reciprocals(std::size_t size) {
    std::vector<double> r(size, 0.0);
    for (std::size_t k = 1; k < size; ++k) r[k] = 1.0 / static_cast<double>(k);
    return r;
}

// Welford's update with the finite value x.
inline void add(running_moments& a, double x, const double* inverse) noexcept {
    ++a.count;
    const double delta = x - a.mean;
    a.mean += delta * inverse[a.count];
    a.m2 += delta * (x - a.mean);
}

// The moments of two disjoint sets of values together (Chan, Golub & LeVeque 1979).
inline running_moments merge(const running_moments& a, const running_moments& b,
                             const double* inverse) noexcept {
    if (a.count == 0) return b;
    if (b.count == 0) return a;
    running_moments r;
    r.count = a.count + b.count;
    const double delta = b.mean - a.mean;
    const double nb_over_n = static_cast<double>(b.count) * inverse[r.count];
    r.mean = a.mean + delta * nb_over_n;
    r.m2 = a.m2 + b.m2 + delta * delta * static_cast<double>(a.count) * nb_over_n;
    return r;
}

// The moments of windows [lo, hi) visited with both ends non-decreasing. `value(j)` reads
// position j as a double (NaN for a missing value); only finite values count. `inverse` must
// hold 1 / k up to the most positions a window spans.
class sliding_moments {
  public:
    explicit sliding_moments(const double* inverse) noexcept : inverse_(inverse) {}

    template <class Value>
    running_moments window(std::size_t lo, std::size_t hi, const Value& value) {
        if (lo >= mid_) {  // the front is used up: [lo, hi) becomes the front, the back empty
            first_ = lo;
            mid_ = hi_ = hi > lo ? hi : lo;
            suffix_.resize(mid_ - first_);
            running_moments acc;
            for (std::size_t j = mid_; j-- > first_;) {
                const double x = value(j);
                if (std::fabs(x) < inf) add(acc, x, inverse_);
                suffix_[j - first_] = acc;
            }
            back_ = running_moments{};
        }
        for (; hi_ < hi; ++hi_) {
            const double x = value(hi_);
            if (std::fabs(x) < inf) add(back_, x, inverse_);
        }
        const running_moments front = lo < mid_ ? suffix_[lo - first_] : running_moments{};
        return merge(front, back_, inverse_);
    }

  private:
    const double* inverse_;
    std::vector<running_moments> suffix_;  // suffix_[j - first_]: the values [j, mid_)
    running_moments back_;                 // the values [mid_, hi_)
    std::size_t first_ = 0, mid_ = 0, hi_ = 0;
};

}  // namespace outliers::stats
