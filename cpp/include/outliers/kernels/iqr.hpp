// Tukey's fences (Tukey 1977, Exploratory Data Analysis): outside [Q1 - k IQR, Q3 + k IQR] (SPEC §4, `iqr`).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "../outputs.hpp"
#include "../select.hpp"

namespace outliers::kernels {

struct iqr_params {
    double k = 1.5;
};

// Distance outside [lo, hi] relative to its width; +inf outside a zero-width interval.
inline double outside_score(double x, double lo, double hi) {
    const double distance = std::max({lo - x, x - hi, 0.0});
    if (distance == 0.0) return 0.0;
    return distance / (hi - lo);  // hi == lo gives +inf, as the spec asks
}

template <class T>
summary iqr(const column<T>& c, const iqr_params& p, const outputs& out,
            std::vector<double>& scratch) {
    if (!(p.k >= 0.0)) throw std::invalid_argument("k must be >= 0");
    gather_finite(c, scratch);
    double* first = scratch.data();
    double* last = first + scratch.size();
    const double q1 = quantile_inplace(first, last, 0.25);
    const double q3 = quantile_inplace(first, last, 0.75);
    const double width = q3 - q1;

    summary result;
    result.n_used = scratch.size();
    result.lower = q1 - p.k * width;
    result.upper = q3 + p.k * width;
    if (out.want_center) result.center = median_inplace(first, last);
    const double lower = result.lower, upper = result.upper;
    write_pointwise(
        c, out, [&](double x) { return outside_score(x, q1, q3); },
        [&](double x) { return x < lower || x > upper; });
    return result;
}

}  // namespace outliers::kernels
