// Quantile trimming: flagged outside [q_low, q_high], linear (Hyndman–Fan type 7) quantiles.
#pragma once

#include <cstddef>
#include <stdexcept>

#include "outliers/kernels/iqr.hpp"
#include "outliers/order/select.hpp"
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
    const order_request wanted[] = {{false, p.low}, {false, p.high}, {true, 0.5}};
    const order_result r = column_selector<T>(c).run(wanted, out.want_center ? 3 : 2);
    const double lo = r.value[0], hi = r.value[1];

    const rules::band band = rules::quantile_band(lo, hi);

    summary result;
    result.n_used = r.n;
    result.lower = band.lower;
    result.upper = band.upper;
    if (out.want_center) result.center = r.value[2];
    write_band(c, out, lo, hi, band.lower, band.upper);
    return result;
}

}  // namespace outliers::kernels
