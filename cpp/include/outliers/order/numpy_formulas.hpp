// numpy's formulas for the median and linear quantiles, bit-identical to np.median and
// np.quantile(method="linear") and safe where numpy's overflow; and the median of a small array.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "outliers/column.hpp"

namespace outliers {

// np.median returns np.mean of the middle value(s), and np.add.reduce starts from its identity
// +0.0: the result is (a + b) / 2 or a, except that -0.0 comes out as +0.0. Where a + b
// overflows (numpy gives +-inf, though the midpoint is finite) the halves are added instead:
// a / 2 and b / 2 are exact there (both are far from the subnormals), so the sum is the
// correctly rounded midpoint. Elsewhere the result stays bit-identical to numpy's.
inline double numpy_median(double lower_middle, double upper_middle, bool even) {
    if (!even) return lower_middle + 0.0;
    const double sum = (lower_middle + upper_middle) + 0.0;
    if (std::isinf(sum) && std::isfinite(lower_middle) && std::isfinite(upper_middle))
        return lower_middle / 2.0 + upper_middle / 2.0;
    return sum / 2.0;
}

// Linear interpolation exactly as numpy's _lerp writes it (a + (b - a) t, or b - (b - a)(1 - t)
// for t >= 1/2), so results are bit-identical to np.quantile(method="linear"). The build
// compiles with -ffp-contract=off: an FMA here would round differently from numpy.
// When b - a overflows (a = -1.7e308, b = 1.7e308) numpy returns +-inf or NaN (inf * 0) though
// the interpolated value lies in [a, b]: the same formula is then applied to the halves, which
// cannot overflow, and doubled (exact), so the result is finite and right to within rounding.
inline double numpy_lerp(double a, double b, double t) {
    const double diff = b - a;
    if (std::isinf(diff) && std::isfinite(a) && std::isfinite(b)) {
        const double ha = a / 2.0, hb = b / 2.0, half_diff = hb - ha;
        return 2.0 * (t >= 0.5 ? hb - half_diff * (1.0 - t) : ha + half_diff * t);
    }
    return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

// Where np.quantile(method="linear") reads n sorted values for q (numpy's _get_indexes and
// _get_gamma): the ranks below and above the virtual index (n - 1) q, and the weight.
struct quantile_position {
    std::size_t below, above;
    double gamma;
};

inline quantile_position numpy_position(std::size_t n, double q) {
    const double virtual_index = static_cast<double>(n - 1) * q;
    // At or past the last value numpy takes index -1 for both, and gamma = virtual - (-1).
    if (virtual_index >= static_cast<double>(n - 1)) return {n - 1, n - 1, virtual_index + 1.0};
    const double below = std::floor(virtual_index);
    const auto k = static_cast<std::size_t>(below);
    return {k, k + 1, virtual_index - below};
}

// Median as numpy computes it (numpy_median), reordering [first, last). Meant for small
// ranges; columns go through column_selector (order/select.hpp).
inline double median_inplace(double* first, double* last) {
    const auto n = static_cast<std::size_t>(last - first);
    if (n == 0) return nan;
    const std::size_t h = n / 2;
    std::nth_element(first, first + h, last);
    const double hi = first[h];
    if (n % 2 == 1) return numpy_median(hi, hi, false);
    // nth_element leaves every element of [first, first + h) <= hi: the lower middle is their max.
    const double lo = *std::max_element(first, first + h);
    return numpy_median(lo, hi, true);
}

}  // namespace outliers
