// Tukey's fences (Tukey 1977, Exploratory Data Analysis): flagged outside
// [Q1 - k IQR, Q3 + k IQR].
#pragma once

#include <stdexcept>

#include "outliers/column.hpp"
#include "outliers/kernels/band.hpp"
#include "outliers/outputs.hpp"
#include "outliers/stats/rules.hpp"

namespace outliers::kernels {

struct iqr_params {
    double k = 1.5;
};

template <class T>
summary iqr(const column<T>& c, const iqr_params& p, const outputs& out) {
    if (!(p.k >= 0.0)) throw std::invalid_argument("k must be >= 0");
    return band_of_quantiles(c, 0.25, 0.75, out,
                             [&](double q1, double q3) { return rules::iqr_fences(q1, q3, p.k); });
}

}  // namespace outliers::kernels
