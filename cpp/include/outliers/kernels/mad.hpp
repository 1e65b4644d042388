// Modified z-score (Iglewicz & Hoaglin 1993): |x - median| / (1.482602218505602 * MAD) (SPEC §4, `mad`).
#pragma once

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "../outputs.hpp"
#include "../select.hpp"

namespace outliers::kernels {

struct mad_params {
    double threshold = 3.5;
};

// 1 / Phi^-1(3/4): makes the MAD a consistent estimator of the normal standard deviation.
inline constexpr double mad_scale = 1.482602218505602;
// sqrt(pi / 2): the same for the mean absolute deviation, used when the MAD is zero
// (the fallback of IBM SPSS / Iglewicz & Hoaglin for data with more than half ties).
inline constexpr double meanad_scale = 1.2533141373155003;

template <class T>
summary mad(const column<T>& c, const mad_params& p, const outputs& out,
            std::vector<double>& scratch) {
    if (!(p.threshold > 0.0)) throw std::invalid_argument("threshold must be > 0");
    gather_finite(c, scratch);  // selection reorders the scratch copy, never the caller's data
    double* first = scratch.data();
    double* last = first + scratch.size();
    const double m = median_inplace(first, last);
    for (double& v : scratch) v = std::fabs(v - m);
    double scale = mad_scale * median_inplace(first, last);
    if (scale == 0.0 && !scratch.empty()) {
        double sum = 0.0;
        for (double v : scratch) sum += v;
        scale = meanad_scale * (sum / static_cast<double>(scratch.size()));
    }

    summary result;
    result.n_used = scratch.size();
    result.center = m;
    if (!scratch.empty()) {
        result.lower = m - p.threshold * scale;
        result.upper = m + p.threshold * scale;
    }
    const bool usable = scale > 0.0;
    write_pointwise(
        c, out, [&](double x) { return usable ? std::fabs(x - m) / scale : 0.0; },
        [&](double x) { return usable && std::fabs(x - m) / scale > p.threshold; });
    return result;
}

}  // namespace outliers::kernels
