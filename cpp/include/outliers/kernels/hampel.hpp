// Hampel filter (Hampel 1974; Pearson 2002): exact median and MAD of each centred window (SPEC §4, `hampel`).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "../outputs.hpp"
#include "../select.hpp"
#include "mad.hpp"

namespace outliers::kernels {

struct hampel_params {
    std::size_t window = 7;
    double threshold = 3.0;
};

// For each i, the window holds the finite values of x[i-h .. i+h], cut at the array's ends.
// Its median and MAD are exact (selection on a copy of the window), never a rolling-median
// approximation; the cost is O(window) per point, O(n * window) in all.
template <class T>
summary hampel(const column<T>& c, const hampel_params& p, const outputs& out) {
    if (p.window < 3 || p.window % 2 == 0)
        throw std::invalid_argument("window must be odd and >= 3");
    if (!(p.threshold > 0.0)) throw std::invalid_argument("threshold must be > 0");
    const std::size_t n = c.size();
    const std::size_t h = p.window / 2;
    // Small blocks: each point costs O(window), so even modest inputs are worth splitting.
    constexpr std::size_t hampel_block = 2048;
    std::vector<std::size_t> used_per_block(block_count(n, hampel_block));

    for_each_block(n, [&](std::size_t b, std::size_t begin, std::size_t end) {
        std::vector<double> window;
        window.reserve(std::min(p.window, n));  // a window never holds more than the data
        std::size_t used = 0;
        for (std::size_t i = begin; i < end; ++i) {
            window.clear();
            const std::size_t lo = i >= h ? i - h : 0;
            const std::size_t hi = std::min(n, i + h + 1);
            for (std::size_t j = lo; j < hi; ++j)
                if (classify(c, j) == state::finite) window.push_back(value(c, j));
            double* first = window.data();
            double* last = first + window.size();
            const double m = median_inplace(first, last);
            for (double& v : window) v = std::fabs(v - m);
            const double s = mad_scale * median_inplace(first, last);

            if (out.center) out.center[i] = m;
            if (out.lower) out.lower[i] = m - p.threshold * s;
            if (out.upper) out.upper[i] = m + p.threshold * s;
            const state st = classify(c, i);
            if (st == state::finite) ++used;
            const double d = st == state::finite ? std::fabs(value(c, i) - m) : nan;
            if (out.scores)
                out.scores[i] = st == state::missing    ? nan
                                : st == state::infinite ? inf
                                : s > 0.0               ? d / s
                                : d == 0.0              ? 0.0
                                                        : inf;
            if (out.flags)
                out.flags[i] = st == state::infinite || (st == state::finite && d > p.threshold * s);
        }
        used_per_block[b] = used;
    }, hampel_block);

    summary result;
    for (std::size_t u : used_per_block) result.n_used += u;
    return result;
}

}  // namespace outliers::kernels
