// z-score: |x - mean| / std(ddof), flagged above a threshold (SPEC §4, `zscore`).
#pragma once

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "../outputs.hpp"

namespace outliers::kernels {

struct zscore_params {
    double threshold = 3.0;
    std::size_t ddof = 0;
};

namespace detail {
struct sum_count {
    double sum = 0.0;
    std::size_t count = 0;
};
}  // namespace detail

// Two passes, mean then the sum of squared deviations: the textbook-stable way (Chan, Golub &
// LeVeque 1983) that keeps the variance exact to rounding, unlike one-pass sum of squares.
// Each pass sums fixed blocks into their own slots, combined in block order, so the result
// is the same for every thread count.
template <class T>
summary zscore(const column<T>& c, const zscore_params& p, const outputs& out) {
    if (!(p.threshold > 0.0)) throw std::invalid_argument("threshold must be > 0");
    const std::size_t n_all = c.size();
    std::vector<detail::sum_count> partial(block_count(n_all));
    for_each_block(n_all, [&](std::size_t b, std::size_t begin, std::size_t end) {
        detail::sum_count acc;
        for (std::size_t i = begin; i < end; ++i)
            if (classify(c, i) == state::finite) {
                acc.sum += value(c, i);
                ++acc.count;
            }
        partial[b] = acc;
    });
    detail::sum_count total;
    for (const auto& s : partial) {
        total.sum += s.sum;
        total.count += s.count;
    }
    const std::size_t n = total.count;
    const double mean = n ? total.sum / static_cast<double>(n) : nan;

    std::vector<double> partial_m2(partial.size());
    for_each_block(n_all, [&](std::size_t b, std::size_t begin, std::size_t end) {
        double m2 = 0.0;
        for (std::size_t i = begin; i < end; ++i)
            if (classify(c, i) == state::finite) {
                const double d = value(c, i) - mean;
                m2 += d * d;
            }
        partial_m2[b] = m2;
    });
    double m2 = 0.0;
    for (double s : partial_m2) m2 += s;

    summary result;
    result.n_used = n;
    result.center = mean;
    const bool defined = n > p.ddof;
    const double sigma = defined ? std::sqrt(m2 / static_cast<double>(n - p.ddof)) : nan;
    if (defined) {
        result.lower = mean - p.threshold * sigma;
        result.upper = mean + p.threshold * sigma;
    }
    const bool usable = defined && sigma > 0.0;
    write_pointwise(
        c, out, [&](double x) { return usable ? std::fabs(x - mean) / sigma : 0.0; },
        [&](double x) { return usable && std::fabs(x - mean) / sigma > p.threshold; });
    return result;
}

}  // namespace outliers::kernels
