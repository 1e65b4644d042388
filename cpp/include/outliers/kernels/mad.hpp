// Modified z-score (Iglewicz & Hoaglin 1993): |x - median| / (1.482602218505602 * MAD) (SPEC §4, `mad`).
#pragma once

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "../fast_flags.hpp"
#include "../outputs.hpp"
#include "../select.hpp"

namespace outliers::kernels {

struct mad_params {
    double threshold = 3.5;
};

// 1 / Phi^-1(3/4): makes the MAD a consistent estimator of the normal standard deviation.
inline constexpr double mad_scale = 1.482602218505602;
// sqrt(pi / 2): the same for the mean absolute deviation, used when the MAD is zero
// (the fallback of IBM SPSS / Iglewicz & Hoaglin for data with more than half ties).
inline constexpr double meanad_scale = 1.2533141373155003;

// Sum of |x - m| over the finite values, in fixed blocks combined in order (any thread count).
template <class T>
double deviation_sum(const column<T>& c, double m) {
    std::vector<double> partial(block_count(c.size()));
    for_each_block(c.size(), [&](std::size_t b, std::size_t begin, std::size_t end) {
        double sum = 0.0;
        for (std::size_t i = begin; i < end; ++i)
            if (classify(c, i) == state::finite) sum += std::fabs(value(c, i) - m);
        partial[b] = sum;
    });
    double sum = 0.0;
    for (double s : partial) sum += s;
    return sum;
}

// Flags and scores of the rule |x - m| / scale > threshold (nothing finite is flagged unless
// scale > 0).
template <class T>
void write_deviation(const column<T>& c, const outputs& out, double m, double scale,
                     double threshold) {
    const bool usable = scale > 0.0;
    if (fast_flags::applies(c, out)) {
        if (usable) return fast_flags::write(c, fast_flags::deviation{m, scale, threshold}, out.flags);
        return fast_flags::write(c, fast_flags::outside{-inf, inf}, out.flags);
    }
    write_pointwise(
        c, out, [&](double x) { return usable ? std::fabs(x - m) / scale : 0.0; },
        [&](double x) { return usable && std::fabs(x - m) / scale > threshold; });
}

// Two exact selections over the column in place (select.hpp): the median m, then the median of
// |x - m| (mapped on the fly, never stored).
template <class T>
summary mad(const column<T>& c, const mad_params& p, const outputs& out) {
    if (!(p.threshold > 0.0)) throw std::invalid_argument("threshold must be > 0");
    column_selector<T> select(c);
    const order_request median;
    const order_result center = select.run(&median, 1);
    const double m = center.value[0];
    const std::size_t n = center.n;

    summary result;
    result.n_used = n;
    result.center = m;
    double scale = nan;
    if (n > 0) {
        scale = mad_scale * select.run(&median, 1, true, m).value[0];
        if (scale == 0.0) scale = meanad_scale * (deviation_sum(c, m) / static_cast<double>(n));
        result.lower = m - p.threshold * scale;
        result.upper = m + p.threshold * scale;
    }
    write_deviation(c, out, m, scale, p.threshold);
    return result;
}

}  // namespace outliers::kernels
