// The methods whose band comes from two quantiles of the column (iqr, quantile): the selection,
// and flags and scores of a band with scores relative to the two quantiles.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "outliers/column.hpp"
#include "outliers/fast_flags.hpp"
#include "outliers/order/select.hpp"
#include "outliers/outputs.hpp"
#include "outliers/stats/rules.hpp"

namespace outliers::kernels {

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

// The q_low and q_high quantiles (and the median, only when asked for) in one selection over
// the column; the band is rule(lo, hi) (stats/rules.hpp), scores relative to [lo, hi].
template <class T, class Rule>
summary band_of_quantiles(const column<T>& c, double q_low, double q_high, const outputs& out,
                          Rule rule) {
    const order_request wanted[] = {{false, q_low}, {false, q_high}, {true, 0.5}};
    const order_result r = column_selector<T>(c).run(wanted, out.want_center ? 3 : 2);
    const double lo = r.value[0], hi = r.value[1];
    const rules::band band = rule(lo, hi);

    summary result;
    result.n_used = r.n;
    result.lower = band.lower;
    result.upper = band.upper;
    if (out.want_center) result.center = r.value[2];
    write_band(c, out, lo, hi, band.lower, band.upper);
    return result;
}

}  // namespace outliers::kernels
