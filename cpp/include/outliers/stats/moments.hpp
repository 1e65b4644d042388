// Count, mean and sum of squared deviations of a column's finite values, sub-block by sub-block.
//
// Each sub-block (lanes::sub_block values) is read from memory once for its lane sums, then
// swept again while it sits in the L1 cache for its squared deviations from its own mean: the
// two-pass algorithm, exact to rounding, for the price of one read. Sub-blocks are pooled with
// the parallel formula of Chan, Golub & LeVeque (1979) in a fixed order (pool() below), so
// nothing depends on the thread count or the CPU level.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "outliers/column.hpp"
#include "outliers/parallel.hpp"
#include "outliers/read_doubles.hpp"
#include "outliers/simd/lanes.hpp"

namespace outliers {

// The statistics of a set of finite values. `sum + sum_err` is the (compensated) sum; `mean`
// is a double, and `m2` and `d1` are the sums of (x - mean)^2 and x - mean about that rounded
// mean, as numpy's std takes them (d1 is zero but for the mean's rounding). When every value
// equals `first`, `constant` is set and the mean is `first` exactly (a computed mean could be an
// ulp off and give a spurious nonzero spread).
struct moments {
    double count = 0.0;  // exact below 2^53
    double sum = 0.0, sum_err = 0.0;
    double mean = nan;
    double m2 = 0.0, d1 = 0.0;
    double first = nan;
    bool constant = true;
    int scale = 0;  // the fields describe the values times 2^scale (below; else 0)
};

// The moments of the finite values of p[0, len) from their lane sums `a` (lanes::sums()):
// count and sum, then, from the cache, the squared deviations from that mean: the two-pass
// algorithm.
inline moments finish(cpu::level level, const double* p, std::size_t len,
                      const lanes::lane_sums& a) noexcept {
    using lanes::detail::two_sum;
    moments m;
    for (std::size_t l = 0; l < lanes::width; ++l) {
        m.count += a.n[l];
        two_sum(m.sum, m.sum_err, a.s[l]);
        m.sum_err += a.c[l];
    }
    if (m.count == 0.0) return m;
    std::size_t i = 0;
    while (!(std::fabs(p[i]) < inf)) ++i;  // the first finite value (count > 0: there is one)
    m.first = p[i];
    m.mean = (m.sum + m.sum_err) / m.count;
    const bool all_finite = m.count == static_cast<double>(len);
    const lanes::lane_spread s = lanes::spread(level, p, len, m.mean, m.first, all_finite, false);
    for (std::size_t l = 0; l < lanes::width; ++l) {
        m.d1 += s.d1[l];
        m.m2 += s.m2[l];
    }
    // Values all equal to `first` leave deviations from the computed mean of at most ~2^-45
    // |first| (128 rounded additions per lane), so a larger M2 proves the values differ; only
    // below that is the sum of |x - first| taken (zero iff every value equals `first`).
    const double scale = 0x1p-36 * std::fabs(m.first);
    if (m.m2 > m.count * scale * scale) {
        m.constant = false;
    } else {
        const lanes::lane_spread t =
            lanes::spread(level, p, len, m.mean, m.first, all_finite, true);
        double dev = 0.0;
        for (std::size_t l = 0; l < lanes::width; ++l) dev += t.dev[l];
        m.constant = dev == 0.0;
    }
    if (m.constant) {
        m.mean = m.first;
        m.m2 = m.d1 = 0.0;
    }
    return m;
}

// The moments of the finite values of p[0, len), two-pass. Compensated: TwoSum in every lane
// (ESD's means decide ties, see esd.hpp); otherwise plain lane sums.
inline moments measure(cpu::level level, const double* p, std::size_t len,
                       bool compensated) noexcept {
    return finish(level, p, len, lanes::sums(level, p, len, compensated));
}

// Pools the moments of disjoint sets, in order, with the parallel formula of Chan, Golub &
// LeVeque (1979, "Updating formulae and a pairwise algorithm for computing sample variances"):
// nothing is ever subtracted back out, so a huge value in one part leaves no cancellation error
// in another. Each part's deviations are about its own rounded mean m_j, so the exact identity
// sum (x - mean)^2 = sum_j (M2_j + 2 (m_j - mean) D_j + n_j (m_j - mean)^2), with D_j the sum of
// x - m_j, keeps the term the rounding of m_j leaves (it matters when |mean| >> std).
inline moments pool(const moments* parts, std::size_t count) noexcept {
    using lanes::detail::two_sum;
    moments all;
    for (std::size_t j = 0; j < count; ++j) {
        const moments& p = parts[j];
        if (p.count == 0.0) continue;
        if (all.count == 0.0) all.first = p.first;
        all.constant = all.constant && p.constant && p.first == all.first;
        all.count += p.count;
        two_sum(all.sum, all.sum_err, p.sum);
        all.sum_err += p.sum_err;
    }
    if (all.count == 0.0) return all;
    if (all.constant) {
        all.mean = all.first;
        return all;
    }
    all.mean = (all.sum + all.sum_err) / all.count;
    for (std::size_t j = 0; j < count; ++j) {
        const moments& p = parts[j];
        if (p.count == 0.0) continue;
        // d (2 D_j + n_j d) rather than 2 d D_j + n_j d^2: when squares overflow (|x| ~ 1e200),
        // the sum is +inf, as numpy's, not inf - inf.
        const double d = p.mean - all.mean;
        all.m2 += p.m2 + d * (2.0 * p.d1 + p.count * d);
        all.d1 += p.d1 + p.count * d;
    }
    return all;
}

// ---------------------------------------------------------------- moments with a scale
//
// Values near +-DBL_MAX overflow a sum. The values times 2^scale (scale < 0) cannot, for few
// enough of them: moments then describe the scaled values (moments::scale), exactly but for
// values below 2^(scale - 1022), which do not matter beside values whose sum overflows. Pooling
// brings every part to the smallest scale first: powers of two, so exact.

// The scale of a segment's moments whose sum overflows (any count below 2^62).
inline constexpr int overflow_scale = -64;

// True when the sum overflowed (constant values keep a finite mean: their first value).
inline bool overflowed(const moments& m) noexcept {
    return m.count > 0.0 && !(std::isfinite(m.sum) && std::isfinite(m.mean));
}

// The same moments in units of 2^scale.
inline moments rescaled(moments m, int scale) noexcept {
    const double f = std::ldexp(1.0, scale - m.scale);
    m.sum *= f;
    m.sum_err *= f;
    m.mean *= f;
    m.m2 *= f * f;
    m.d1 *= f;
    m.first *= f;
    m.scale = scale;
    return m;
}

// pool() over moments that may be scaled: at the smallest scale among them, and again at
// overflow_scale when the pooled sum overflows. (The in-memory zscore keeps pool() and detects
// overflow by its non-finite mean: its scale depends on the count, not on overflow_scale.)
inline moments pool_scaled(const moments* parts, std::size_t count) {
    const auto at = [&](int scale) {
        std::vector<moments> same(parts, parts + count);
        for (moments& m : same)
            if (m.count > 0.0) m = rescaled(m, scale);
        moments all = pool(same.data(), same.size());
        all.scale = scale;
        return all;
    };
    int scale = 0;
    for (std::size_t j = 0; j < count; ++j)
        if (parts[j].count > 0.0) scale = std::min(scale, parts[j].scale);
    moments all = at(scale);
    if (overflowed(all) && scale > overflow_scale) all = at(overflow_scale);
    // A part whose deviations overflow has an infinite M2 and D_j: the cross term d * D_j can
    // meet it as inf - inf. Either way the squares overflow: numpy's M2 is +inf.
    if (std::isnan(all.m2) && all.count > 0.0) all.m2 = inf;
    return all;
}

// ---------------------------------------------------------------- moments of a column

// The moments of a column's finite values, exact to rounding: two-pass per sub-block, pooled
// per parallel block, then over blocks, always in the same order (any thread count).
template <class T>
moments column_moments(const double_reader<T>& reader, cpu::level level) {
    const std::size_t n_all = reader.size();
    std::vector<moments> parts(block_count(n_all));
    for_each_block(n_all, [&](std::size_t b, std::size_t begin, std::size_t end) {
        moments subs[block_size / lanes::sub_block];
        double buf[lanes::sub_block];
        std::size_t k = 0;
        for (std::size_t s = begin; s < end; s += lanes::sub_block, ++k) {
            const std::size_t len = std::min(lanes::sub_block, end - s);
            subs[k] = measure(level, reader.read(s, len, buf), len, false);
        }
        parts[b] = pool(subs, k);
    });
    return pool(parts.data(), parts.size());
}

// The moments of the column's finite values times 2^scale, but for the positions in `skip`
// (ascending), one sub-block after another: for values whose sum overflows, a rare path, so
// single-threaded.
template <class T>
moments column_moments_scaled(const double_reader<T>& reader, cpu::level level, int scale,
                              const std::vector<std::size_t>& skip = {}) {
    const std::size_t n_all = reader.size();
    const double factor = std::ldexp(1.0, scale);
    std::vector<moments> subs(block_count(n_all, lanes::sub_block));
    double buf[lanes::sub_block];
    std::size_t next = 0;  // the first position of `skip` not yet passed
    for (std::size_t s = 0; s < n_all; s += lanes::sub_block) {
        const std::size_t len = std::min(lanes::sub_block, n_all - s);
        const double* x = reader.read(s, len, buf);
        for (std::size_t i = 0; i < len; ++i) buf[i] = x[i] * factor;
        for (; next < skip.size() && skip[next] < s + len; ++next) buf[skip[next] - s] = nan;
        subs[s / lanes::sub_block] = measure(level, buf, len, false);
    }
    moments all = pool(subs.data(), subs.size());
    all.scale = scale;
    return all;
}

}  // namespace outliers
