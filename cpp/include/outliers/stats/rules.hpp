// The rules that turn a method's statistics into its center, spread and bounds, and the methods'
// constants: written once, used by the kernels, by the per-segment statistics (partitions.hpp)
// and, through the extension module, by the Python layers that pool statistics themselves
// (dask), so that no formula is retyped there.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>

namespace outliers::rules {

inline constexpr double no_value = std::numeric_limits<double>::quiet_NaN();

// 1 / Phi^-1(3/4): makes the MAD a consistent estimator of the normal standard deviation
// (Iglewicz & Hoaglin 1993).
inline constexpr double mad_scale = 1.482602218505602;
// sqrt(pi / 2): the same for the mean absolute deviation, used when the MAD is zero (the
// fallback of IBM SPSS / Iglewicz & Hoaglin for data with more than half ties).
inline constexpr double meanad_scale = 1.2533141373155003;

// A method's bounds: a value is flagged outside [lower, upper]. NaN where undefined.
struct band {
    double lower = no_value;
    double upper = no_value;
};

// center -+ t * spread: zscore (mean, std), mad (median, scaled MAD), esd (mean, lambda * sd).
inline band around(double center, double t, double spread) noexcept {
    return {center - t * spread, center + t * spread};
}

// zscore's statistics: center = mean, sigma = std(ddof), bounds mean -+ threshold * sigma.
struct zscore_stats {
    double center = no_value;
    double sigma = no_value;
    band bounds;
};

// From `count` values' mean and M2 (the sum of squared deviations): `mean` is that of the values
// themselves, `m2` that of the values times `unit` (a power of two: 1, or smaller where their
// sum overflows; dividing by it is exact). std is NaN for count <= ddof.
inline zscore_stats zscore_rule(double count, double mean, double m2, double unit, double threshold,
                                std::size_t ddof) noexcept {
    zscore_stats z;
    const auto n = static_cast<std::size_t>(count);
    if (n == 0) return z;
    z.center = mean;
    if (n <= ddof) return z;
    z.sigma = std::sqrt(m2 / static_cast<double>(n - ddof)) / unit;
    z.bounds = around(mean, threshold, z.sigma);
    return z;
}

// mad's scale: 1.4826 MAD, or 1.2533 MeanAD where the MAD is 0. `mean_deviation()` gives the
// mean absolute deviation; it is called only then (it costs a pass over the data).
template <class MeanDeviation>
double mad_spread(double mad, MeanDeviation mean_deviation) {
    const double scale = mad_scale * mad;
    return scale == 0.0 ? meanad_scale * mean_deviation() : scale;
}

// mad's bounds, m -+ threshold * scale taken in units of `unit` (1, or 1/4 where the
// deviations overflow: kernels/mad.hpp): with unit 1 they are around(m, threshold, scale)
// exactly, in quarters a bound is +-inf only when it lies beyond the doubles.
inline band deviation_band(double m, double threshold, double scale, double unit) noexcept {
    return {(m * unit - threshold * scale) / unit, (m * unit + threshold * scale) / unit};
}

// Tukey's fences (Tukey 1977): [Q1 - k IQR, Q3 + k IQR]. Where Q3 - Q1 overflows, k IQR is twice
// k times the half width (k = 0 then leaves the quartiles themselves, not inf * 0 = NaN; a reach
// beyond the doubles is +inf).
inline band iqr_fences(double q1, double q3, double k) noexcept {
    const double width = q3 - q1;
    const double reach = std::isinf(width) && std::isfinite(q1) && std::isfinite(q3)
                             ? 2.0 * (k * (q3 / 2.0 - q1 / 2.0))
                             : k * width;
    return {q1 - reach, q3 + reach};
}

// Quantile trimming: the band is the two quantiles themselves.
inline band quantile_band(double low_value, double high_value) noexcept {
    return {low_value, high_value};
}

}  // namespace outliers::rules
