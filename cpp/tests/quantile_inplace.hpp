// The q-quantile of a small array by numpy's formulas, reordering it: a reference for the tests
// (the kernels take columns' quantiles through column_selector).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "outliers/order/numpy_formulas.hpp"

namespace outliers {

// Hyndman–Fan type 7, numpy's default "linear", of [first, last).
inline double quantile_inplace(double* first, double* last, double q) {
    const auto n = static_cast<std::size_t>(last - first);
    if (n == 0) return std::nan("");
    const quantile_position at = numpy_position(n, q);
    std::nth_element(first, first + at.below, last);
    const double a = first[at.below];
    // After nth_element, everything right of `below` is >= a: its minimum is the next value.
    const double b = at.above == at.below ? a : *std::min_element(first + at.below + 1, last);
    return numpy_lerp(a, b, at.gamma);
}

}  // namespace outliers
