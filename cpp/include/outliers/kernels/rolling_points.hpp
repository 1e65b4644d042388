// What a windowed method writes for one point from its own window's statistics: the rules of
// the methods over the whole sample (stats/rules.hpp, band.hpp), applied window by window. The
// order-statistic rules read the window's finite values sorted (by rank: a sorted sliding
// window or a ranked one), zscore its moments (stats/window_moments.hpp).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "outliers/column.hpp"
#include "outliers/kernels/band.hpp"
#include "outliers/kernels/hampel_points.hpp"
#include "outliers/order/numpy_formulas.hpp"
#include "outliers/order/sorted_stats.hpp"
#include "outliers/outputs.hpp"
#include "outliers/stats/rules.hpp"
#include "outliers/stats/window_moments.hpp"

namespace outliers::kernels::rolling_detail {

// A point with too few finite values in its window (min_periods) is not judged: no bounds, no
// center, score NaN and no flag; an infinite value is flagged all the same (score +inf), as
// every method flags it.
inline void write_unjudged(const outputs& out, std::size_t i, double x) noexcept {
    if (out.center) out.center[i] = nan;
    if (out.lower) out.lower[i] = nan;
    if (out.upper) out.upper[i] = nan;
    if (out.scores) out.scores[i] = std::isinf(x) ? inf : nan;
    if (out.flags) out.flags[i] = std::isinf(x);
}

// Center and bounds of point i, then its score and flag: score(x) and flagged(x) see finite x
// only; a missing x scores NaN unflagged, an infinite one +inf flagged.
template <class Score, class Flag>
void write_point(const outputs& out, std::size_t i, double x, double center,
                 const rules::band& bounds, Score score, Flag flagged) {
    if (out.center) out.center[i] = center;
    if (out.lower) out.lower[i] = bounds.lower;
    if (out.upper) out.upper[i] = bounds.upper;
    const bool finite = std::fabs(x) < inf;
    if (out.scores) out.scores[i] = finite ? score(x) : std::isnan(x) ? nan : inf;
    if (out.flags) out.flags[i] = finite ? flagged(x) : std::isinf(x);
}

// The q-quantile of the sorted s[0, n), n > 0, as np.quantile(method="linear") computes it.
template <class Sorted>
double sorted_quantile(const Sorted& s, std::size_t n, double q) {
    const quantile_position p = numpy_position(n, q);
    return numpy_lerp(s[p.below], s[p.above], p.gamma);
}

// zscore over a window: mean and std (ddof) of its finite values (rules::zscore_rule, with the
// division by n - ddof read from the tables as a product).
struct zscore_rule {
    const outputs& out;
    double threshold;
    std::size_t ddof;
    const double* inverse;  // 1 / k up to the most values a window holds

    void operator()(std::size_t i, double x, const stats::running_moments& w) const {
        const double mean = w.mean;
        const double variance = w.count > ddof ? w.m2 * inverse[w.count - ddof] : nan;
        const bool usable = variance > 0.0;  // false for NaN (count <= ddof) and 0
        if (!out.center && !out.lower && !out.upper && !out.scores) {
            // Flags alone (the commonest call): |x - mean| > t sigma compared squared, no root.
            const double d = x - mean;
            out.flags[i] = std::fabs(x) < inf ? usable && d * d > threshold * threshold * variance
                                              : std::isinf(x);
            return;
        }
        const double sigma = std::sqrt(variance);
        const double limit = threshold * sigma;
        const rules::band bounds =
            std::isnan(sigma) ? rules::band{} : rules::around(mean, threshold, sigma);
        write_point(
            out, i, x, mean, bounds,
            [&](double v) { return usable && sigma < inf ? std::fabs(v - mean) / sigma : 0.0; },
            [&](double v) { return usable && std::fabs(v - mean) > limit; });
    }
};

// The modified z-score over a window: its median and MAD, or its MeanAD where the MAD is 0.
struct mad_rule {
    const outputs& out;
    double threshold;
    std::size_t split = 0;  // sorted_median_mad's guess, carried from point to point

    template <class Sorted>
    void operator()(std::size_t i, double x, const Sorted& s, std::size_t n) {
        const order::median_mad st = order::sorted_median_mad(s, n, split);
        const double m = st.median;
        const double scale = rules::mad_spread(st.mad, [&] {  // O(n), only where the MAD is 0
            double sum = 0.0;
            for (std::size_t r = 0; r < n; ++r) sum += std::fabs(s[r] - m);
            return sum / static_cast<double>(n);
        });
        const bool usable = scale > 0.0;
        const auto score = [&](double v) { return usable ? std::fabs(v - m) / scale : 0.0; };
        write_point(out, i, x, m, rules::around(m, threshold, scale), score,
                    [&](double v) { return usable && score(v) > threshold; });
    }
};

// Two quantiles of a window and the band a rule makes of them (iqr: Tukey's fences; quantile:
// the quantiles themselves); scores relative to the quantiles, the center the window's median.
template <class Band>
struct band_rule {
    const outputs& out;
    double q_low, q_high;
    Band band;

    template <class Sorted>
    void operator()(std::size_t i, double x, const Sorted& s, std::size_t n) const {
        const double lo = sorted_quantile(s, n, q_low), hi = sorted_quantile(s, n, q_high);
        const rules::band b = band(lo, hi);
        write_point(
            out, i, x, order::sorted_median(s, n), b,
            [&](double v) { return outside_score(v, lo, hi); },
            [&](double v) { return v < b.lower || v > b.upper; });
    }
};

template <class Band>
band_rule<Band> make_band_rule(const outputs& out, double q_low, double q_high, Band band) {
    return {out, q_low, q_high, band};
}

// hampel over any window: the window's median and MAD, hampel's own point rule.
struct hampel_rule {
    hampel_detail::point_writer writer;
    std::size_t split = 0;

    template <class Sorted>
    void operator()(std::size_t i, double x, const Sorted& s, std::size_t n) {
        writer.write(i, x, order::sorted_median_mad(s, n, split));
    }
};

}  // namespace outliers::kernels::rolling_detail
