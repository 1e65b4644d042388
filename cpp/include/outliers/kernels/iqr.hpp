// Tukey's fences (Tukey 1977, Exploratory Data Analysis): flagged outside
// [Q1 - k IQR, Q3 + k IQR].
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>

#include "outliers/fast_flags.hpp"
#include "outliers/order/select.hpp"
#include "outliers/outputs.hpp"
#include "outliers/stats/rules.hpp"

namespace outliers::kernels {

struct iqr_params {
    double k = 1.5;
};

// Distance outside [lo, hi] relative to its width; +inf outside a zero-width interval. Near
// +-DBL_MAX the distance or the width can overflow (numpy's inf / inf is NaN, or a finite
// ratio comes out inf or 0): the same ratio is then taken of the halves, which cannot.
inline double outside_score(double x, double lo, double hi) {
    const double distance = std::max({lo - x, x - hi, 0.0});
    if (distance == 0.0) return 0.0;
    const double width = hi - lo;
    if (std::isinf(distance) || std::isinf(width))
        return std::max(lo / 2.0 - x / 2.0, x / 2.0 - hi / 2.0) / (hi / 2.0 - lo / 2.0);
    return distance / width;  // hi == lo gives +inf, as the spec asks
}

// Flags and scores of a band [lower, upper] with scores relative to [lo, hi] (iqr, quantile).
template <class T>
void write_band(const column<T>& c, const outputs& out, double lo, double hi, double lower,
                double upper) {
    if (fast_flags::applies(c, out))
        return fast_flags::write(c, fast_flags::outside{lower, upper}, out.flags);
    write_pointwise(
        c, out, [&](double x) { return outside_score(x, lo, hi); },
        [&](double x) { return x < lower || x > upper; });
}

// The quartiles (and the median, only when asked for) in one selection over the column.
template <class T>
summary iqr(const column<T>& c, const iqr_params& p, const outputs& out) {
    if (!(p.k >= 0.0)) throw std::invalid_argument("k must be >= 0");
    const order_request wanted[] = {{false, 0.25}, {false, 0.75}, {true, 0.5}};
    const order_result r = column_selector<T>(c).run(wanted, out.want_center ? 3 : 2);
    const double q1 = r.value[0], q3 = r.value[1];
    const rules::band fences = rules::iqr_fences(q1, q3, p.k);

    summary result;
    result.n_used = r.n;
    result.lower = fences.lower;
    result.upper = fences.upper;
    if (out.want_center) result.center = r.value[2];
    write_band(c, out, q1, q3, result.lower, result.upper);
    return result;
}

}  // namespace outliers::kernels
