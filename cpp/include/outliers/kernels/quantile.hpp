// Quantile trimming: outside [q_low, q_high], linear (Hyndman–Fan type 7) quantiles (SPEC §4, `quantile`).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <vector>

#include "../outputs.hpp"
#include "../select.hpp"
#include "iqr.hpp"

namespace outliers::kernels {

struct quantile_params {
    double low = 0.01;
    double high = 0.99;
};

template <class T>
summary quantile(const column<T>& c, const quantile_params& p, const outputs& out,
                 std::vector<double>& scratch) {
    if (!(0.0 <= p.low && p.low < p.high && p.high <= 1.0))
        throw std::invalid_argument("need 0 <= low < high <= 1");
    gather_finite(c, scratch);
    double* first = scratch.data();
    double* last = first + scratch.size();
    const double lo = quantile_inplace(first, last, p.low);
    const double hi = quantile_inplace(first, last, p.high);

    summary result;
    result.n_used = scratch.size();
    result.lower = lo;
    result.upper = hi;
    if (out.want_center) result.center = median_inplace(first, last);
    write_pointwise(
        c, out, [&](double x) { return outside_score(x, lo, hi); },
        [&](double x) { return x < lo || x > hi; });
    return result;
}

}  // namespace outliers::kernels
