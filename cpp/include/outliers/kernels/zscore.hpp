// z-score: |x - mean| / std(ddof), flagged above a threshold.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>

#include "outliers/column.hpp"
#include "outliers/kernels/zscore_sweep.hpp"
#include "outliers/outputs.hpp"
#include "outliers/parallel.hpp"
#include "outliers/read_doubles.hpp"
#include "outliers/simd/lanes.hpp"
#include "outliers/stats/moments.hpp"
#include "outliers/stats/rules.hpp"

namespace outliers::kernels {

struct zscore_params {
    double threshold = 3.0;
    std::size_t ddof = 0;
};

// Flags |x - mean| > threshold * sigma and scores |x - mean| / sigma of every value, given the
// statistics (nothing finite is flagged unless sigma > 0): two-pass's second pass, also run on
// one partition of a larger data set with statistics pooled over all (partitions.hpp).
// A sigma of +inf (squares that overflow, as numpy's) scores every finite value 0, also where
// |x - mean| overflows too (numpy: inf / inf = NaN).
template <class T>
void write_zscore(const column<T>& c, const outputs& out, double mean, double sigma,
                  double threshold) {
    if (!out.flags && !out.scores) return;
    const cpu::level level = cpu::active();
    const double_reader<T> reader(c);
    const bool usable = sigma > 0.0;
    const double limit = threshold * sigma;
    // The vector loops need a finite center and limit; overflowed statistics take the rule below.
    const bool fast = usable && std::isfinite(mean) && std::isfinite(limit);
    for_each_block(c.size(), [&](std::size_t, std::size_t begin, std::size_t end) {
        double buf[lanes::sub_block];
        for (std::size_t s = begin; s < end; s += lanes::sub_block) {
            const std::size_t len = std::min(lanes::sub_block, end - s);
            const double* x = reader.read(s, len, buf);
            if (fast) {
                if (out.flags) lanes::beyond(level, x, len, mean, limit, out.flags + s);
                if (out.scores) lanes::ratio(level, x, len, mean, sigma, out.scores + s);
                continue;
            }
            for (std::size_t i = 0; i < len; ++i) {
                const double ax = std::fabs(x[i]);
                const bool finite = ax < inf;
                if (out.flags)
                    out.flags[s + i] =
                        ax == inf || (usable && finite && std::fabs(x[i] - mean) > limit);
                if (out.scores)
                    out.scores[s + i] = std::isnan(x[i])        ? nan
                                        : !finite               ? inf
                                        : usable && sigma < inf ? std::fabs(x[i] - mean) / sigma
                                                                : 0.0;
            }
        }
    });
}

// Mean and std exact to rounding, the same for every thread count and CPU level; flags compare
// |x - mean| with threshold * std, which differs from score > threshold only by rounding, i.e.
// for scores within a few ulps of the threshold (the methods' contract allows 1e-9 relative).
//
// Small columns: two-pass moments per sub-block, pooled with Chan, Golub & LeVeque's parallel
// formula (moments.hpp), then a pass writing flags or scores, all from the caches.
//
// Large columns are read once: a fixed sample gives a shift K close to the mean and two bands
// around the expected bounds; one sweep then sums d = x - K and d^2 (the "shifted data"
// algorithm, whose error grows with (mean - K)^2 / var: Chan, Golub & LeVeque 1983, "Algorithms
// for computing the sample variance: analysis and recommendations") and writes each flag whose
// value lies inside the inner band (0) or outside the outer band (1), keeping the few values in
// between. The sweep has two phases: an eighth of the data, spread over the column, with the
// sample's bands, then the rest with narrower bands from the first phase's exact sums. Once
// the exact mean and std are known, each phase's bands are checked exactly and the kept values
// settled. Where a guess misled (a phase's bands miss the bounds, or K is far from the mean),
// that work is redone: the data can change the speed, never the answer.
template <class T>
summary zscore(const column<T>& c, const zscore_params& p, const outputs& out) {
    using namespace outliers::detail::zscore_impl;
    if (!(p.threshold > 0.0)) throw std::invalid_argument("threshold must be > 0");
    static_assert(block_size % lanes::sub_block == 0, "blocks are whole sub-blocks");
    static_assert(block_size <= 65536, "undecided offsets are 16-bit");
    const std::size_t n_all = c.size();
    const cpu::level level = cpu::active();
    const double_reader<T> reader(c);
    const bool stream = out.stream_flags || n_all >= lanes::stream_min;

    double count = 0.0, mean = nan, m2 = 0.0;
    sweep_state st;
    if (n_all >= single_read_min)
        one_read(reader, level, p.threshold, out, stream, st, count, mean, m2);
    if (n_all < single_read_min || count < 0.0) {
        const moments all = column_moments(reader, level);
        count = all.count;
        mean = all.mean;
        m2 = all.m2;
    }
    // Near +-DBL_MAX the values' sum overflows: numpy's mean is then +-inf or NaN and every score
    // NaN. The values times 2^-k with 2^k >= 2n cannot overflow their sum (it stays below
    // DBL_MAX / 2): scaled back, their moments give the true mean, and the std as numpy's formula
    // gives it with that mean (+inf when squares overflow, beyond a spread of ~1e154).
    double unit = 1.0;
    if (count > 0.0 && !std::isfinite(mean)) {
        const moments scaled = column_moments_scaled(reader, level, -(std::ilogb(count) + 2));
        unit = std::ldexp(1.0, scaled.scale);
        mean = scaled.mean / unit;
        m2 = scaled.m2;
    }

    const rules::zscore_stats z = rules::zscore_rule(count, mean, m2, unit, p.threshold, p.ddof);
    summary result;
    result.n_used = static_cast<std::size_t>(count);
    result.center = z.center;
    result.lower = z.bounds.lower;
    result.upper = z.bounds.upper;
    if (!out.flags && !out.scores) return result;

    const double sigma = z.sigma;
    const double limit = p.threshold * sigma;
    // The vector loops need a finite center and limit; overflowed statistics take the rule below.
    const bool fast = sigma > 0.0 && std::isfinite(mean) && std::isfinite(limit);
    if (st.phased && fast) {
        settle(reader, level, st, mean, limit, out.flags);
        return result;
    }
    write_zscore(c, out, mean, sigma, p.threshold);
    return result;
}

}  // namespace outliers::kernels
