// Modified z-score (Iglewicz & Hoaglin 1993): |x - median| / (1.4826 MAD), or the MeanAD where
// the MAD is 0 (the constants and formulas: stats/rules.hpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "outliers/fast_flags.hpp"
#include "outliers/order/select.hpp"
#include "outliers/outputs.hpp"
#include "outliers/read_doubles.hpp"
#include "outliers/stats/rules.hpp"

namespace outliers::kernels {

struct mad_params {
    double threshold = 3.5;
};

// Sum of |x - m| over the finite values, in fixed blocks combined in order (any thread count).
template <class T>
double deviation_sum(const column<T>& c, double m) {
    const double_reader<T> reader(c);  // missing values read as NaN
    std::vector<double> partial(block_count(c.size()));
    for_each_block(c.size(), [&](std::size_t b, std::size_t begin, std::size_t end) {
        constexpr std::size_t piece = 1024;
        double buf[piece];
        double sum = 0.0;
        for (std::size_t s = begin; s < end; s += piece) {
            const std::size_t len = std::min(piece, end - s);
            const double* x = reader.read(s, len, buf);
            for (std::size_t k = 0; k < len; ++k)
                if (std::fabs(x[k]) < inf) sum += std::fabs(x[k] - m);
        }
        partial[b] = sum;
    });
    double sum = 0.0;
    for (double s : partial) sum += s;
    return sum;
}

// Flags and scores of the rule |x - m| / scale > threshold (nothing finite is flagged unless
// scale > 0). `unit` (1, or 1/4 when the deviations overflow: mad_in_quarters) multiplies x and
// m before they are subtracted; scale is then that of the scaled deviations.
template <class T>
void write_deviation(const column<T>& c, const outputs& out, double m, double scale,
                     double threshold, double unit = 1.0) {
    const bool usable = scale > 0.0;
    if (fast_flags::applies(c, out) && unit == 1.0) {
        if (usable)
            return fast_flags::write(c, fast_flags::deviation{m, scale, threshold}, out.flags);
        return fast_flags::write(c, fast_flags::outside{-inf, inf}, out.flags);
    }
    const double mu = m * unit;
    const auto score = [&](double x) {
        const double d = std::fabs(x * unit - mu);
        // |x - m| overflowed (numpy: inf), although the ratio is finite: taken in quarters.
        return d < inf ? d / scale : std::fabs(x / 4.0 - m / 4.0) / (scale / 4.0);
    };
    write_pointwise(
        c, out, [&](double x) { return usable ? score(x) : 0.0; },
        [&](double x) { return usable && score(x) > threshold; });
}

// The scale of mad (1.4826 MAD, or 1.2533 MeanAD when the MAD is 0) of the values times 1/4,
// for when it overflows at full scale: near +-DBL_MAX, |x - m| is +inf for finite x (m = -1e308,
// x = 1e308), and so can be the MAD, the MeanAD (or its sum) and 1.4826 MAD; numpy's
// |x - m| / inf then gives 0 or NaN. Quarters cannot overflow there (x / 4 is exact but for
// subnormals), nor can the sum of their deviations each divided by n, and every score is a
// ratio, the same in quarters. Only data at the ends of the doubles comes here: the deviations
// are simply copied and selected (numpy_median's midpoint, as the column path).
template <class T>
double mad_in_quarters(const column<T>& c, double m, std::size_t n) {
    std::vector<double> d;
    d.reserve(n);
    const double mq = m / 4.0;
    const double_reader<T> reader(c);
    for (std::size_t i = 0; i < c.size(); ++i) {
        const double x = reader.at(i);
        if (std::fabs(x) < inf) d.push_back(std::fabs(x / 4.0 - mq));
    }
    return rules::mad_spread(median_inplace(d.data(), d.data() + d.size()), [&] {
        double mean = 0.0;
        for (double v : d) mean += v / static_cast<double>(d.size());
        return mean;
    });
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
    double scale = nan, unit = 1.0;
    if (n > 0) {
        scale = rules::mad_spread(select.run(&median, 1, true, m).value[0],
                                  [&] { return deviation_sum(c, m) / static_cast<double>(n); });
        if (std::isinf(scale)) {
            unit = 0.25;
            scale = mad_in_quarters(c, m, n);
        } else if (!std::isfinite(p.threshold * scale)) {
            // Bounds beyond the doubles: a deviation that overflows (+inf) may still be within
            // them, so every comparison is made in quarters (exact scaling, the same scores).
            unit = 0.25;
            scale /= 4.0;
        }
        const rules::band bounds = rules::deviation_band(m, p.threshold, scale, unit);
        result.lower = bounds.lower;
        result.upper = bounds.upper;
    }
    write_deviation(c, out, m, scale, p.threshold, unit);
    return result;
}

}  // namespace outliers::kernels
