// Order statistics shared by mad, iqr, quantile and hampel: median and numpy-compatible linear quantiles.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "missing.hpp"

namespace outliers {

// The k-th smallest of v[first, last) (0-based k), reordering that range.
inline double select_kth(double* first, double* last, std::size_t k) {
    std::nth_element(first, first + k, last);
    return first[k];
}

// Smallest element of v[first, last).
inline double min_of(const double* first, const double* last) {
    return *std::min_element(first, last);
}

// Median as numpy computes it: the middle value, or (a + b) / 2 for an even count.
inline double median_inplace(double* first, double* last) {
    const auto n = static_cast<std::size_t>(last - first);
    if (n == 0) return nan;
    const std::size_t h = n / 2;
    const double hi = select_kth(first, last, h);
    if (n % 2 == 1) return hi;
    // nth_element leaves every element of [first, first + h) <= hi: the lower middle is their max.
    const double lo = *std::max_element(first, first + h);
    return (lo + hi) / 2.0;
}

// Linear interpolation exactly as numpy's _lerp writes it, so results are bit-identical
// to np.quantile(method="linear"). The build compiles with -ffp-contract=off: an FMA here
// would round differently from numpy.
inline double numpy_lerp(double a, double b, double t) {
    const double diff = b - a;
    return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

// The q-quantile (Hyndman–Fan type 7, numpy's default "linear") of [first, last), reordering it.
inline double quantile_inplace(double* first, double* last, double q) {
    const auto n = static_cast<std::size_t>(last - first);
    if (n == 0) return nan;
    const double virtual_index = static_cast<double>(n - 1) * q;
    const double below = std::floor(virtual_index);
    const double gamma = virtual_index - below;
    auto k = static_cast<std::size_t>(below);
    if (k > n - 1) k = n - 1;
    const double a = select_kth(first, last, k);
    if (k + 1 >= n) return a;
    // After nth_element, everything right of k is >= a: its minimum is the (k+1)-th value.
    const double b = min_of(first + k + 1, last);
    return numpy_lerp(a, b, gamma);
}

}  // namespace outliers
