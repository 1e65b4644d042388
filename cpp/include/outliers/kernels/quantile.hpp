// Quantile trimming: flagged outside [q_low, q_high], linear (Hyndman–Fan type 7) quantiles.
#pragma once

#include <stdexcept>

#include "outliers/column.hpp"
#include "outliers/kernels/band.hpp"
#include "outliers/outputs.hpp"
#include "outliers/stats/rules.hpp"

namespace outliers::kernels {

struct quantile_params {
    double low = 0.01;
    double high = 0.99;
};

template <class T>
summary quantile(const column<T>& c, const quantile_params& p, const outputs& out) {
    if (!(0.0 <= p.low && p.low < p.high && p.high <= 1.0))
        throw std::invalid_argument("need 0 <= low < high <= 1");
    return band_of_quantiles(c, p.low, p.high, out, rules::quantile_band);
}

}  // namespace outliers::kernels
