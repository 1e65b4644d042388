// A column's finite values, or their absolute deviations from a center, as order keys: read one
// by one (for_each_key) or counted and gathered against brackets by the vectorised scan
// (scan_column), the two ways every selection path reads a column.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <memory>
#include <vector>

#include "outliers/parallel.hpp"
#include "outliers/read_doubles.hpp"
#include "outliers/simd/cpu.hpp"
#include "outliers/simd/scan.hpp"

namespace outliers::select_detail {

// Which values a selection is over: the column's finite values, or their absolute deviations
// |x - center| (the MAD's second median), computed on the fly. A deviation may overflow to +inf
// for finite x: it is then a value (the largest), as it is for numpy.
struct value_map {
    bool deviations = false;
    double center = 0.0;
    order_key key(double x) const noexcept {
        return key_of(deviations ? std::fabs(x - center) : x);
    }
};

// Calls f(key) for every value of the selection, in order, single-threaded (read_doubles.hpp:
// contiguous float64 in place, the rest through a small buffer of doubles).
template <class T, class F>
void for_each_key(const double_reader<T>& s, const value_map& map, F&& f) {
    const auto each = [&](const double* x, std::size_t count) {
        for (std::size_t i = 0; i < count; ++i)
            if (std::isfinite(x[i])) f(map.key(x[i]));
    };
    if (s.direct()) return each(s.read(0, s.size(), nullptr), s.size());
    constexpr std::size_t chunk = 1024;
    double buf[chunk];
    for (std::size_t begin = 0; begin < s.size(); begin += chunk) {
        const std::size_t len = std::min(chunk, s.size() - begin);
        each(s.read(begin, len, buf), len);
    }
}

// One counting pass over the column (simd/scan.hpp) in fixed blocks, threads optional: counts
// summed per block in order; gathered keys land in `regions`.
template <class T>
scan_counts scan_column(const double_reader<T>& src, const scan_plan& plan,
                        gather_regions& regions) {
    const cpu::level level = cpu::active();
    const std::size_t n_all = src.size();
    std::vector<scan_counts> partial(block_count(n_all));
    for_each_block(n_all, [&](std::size_t b, std::size_t begin, std::size_t end) {
        std::unique_ptr<scan_stage> stage(new scan_stage);  // keys left uninitialised
        stage->regions = &regions;
        scan_counts local;
        if (src.direct()) {
            scan(src.read(begin, end - begin, nullptr), end - begin, plan, local, *stage, level);
        } else {  // missing values read as NaN, which the scan skips
            double buf[scan_stage::piece];
            for (std::size_t i = begin; i < end; i += scan_stage::piece) {
                const std::size_t count = std::min(end - i, scan_stage::piece);
                scan(src.read(i, count, buf), count, plan, local, *stage, level);
            }
        }
        stage->flush(plan.intervals);
        partial[b] = local;
    });
    scan_counts total;
    for (const scan_counts& c : partial) total.add(c);
    return total;
}

}  // namespace outliers::select_detail
