// Count, mean and sum of squared deviations of a column's finite values, sub-block by sub-block.
//
// Each sub-block (lanes::sub_block values) is read from memory once for its lane sums, then
// swept again while it sits in the L1 cache for its squared deviations from its own mean: the
// two-pass algorithm, exact to rounding, for the price of one read. Sub-blocks are pooled with
// the parallel formula of Chan, Golub & LeVeque (1979) in a fixed order (pool() below), so
// nothing depends on the thread count or the CPU level.
#pragma once

#include <cmath>
#include <cstddef>
#include <type_traits>

#include "outliers/simd/lanes.hpp"
#include "outliers/missing.hpp"

namespace outliers {

// A column read as doubles, a range at a time: missing values (NaN, mask, bitmap, NaT,
// sentinels) become NaN, infinities stay infinite, finite values are value(c, i). Contiguous
// float64 without a mask is read in place; anything else is converted into a caller's buffer.
template <class T>
class double_reader {
public:
    explicit double_reader(const column<T>& c) noexcept
        : c_(c),
          plain_(!c.has_mask() && !c.valid_bits && c.sentinel_count == 0 &&
                 !c.int_min_is_missing),
          direct_(std::is_same_v<T, double> && plain_ && c.values.stride == 1) {}

    // The values [begin, begin + len) as doubles; `buf` must hold `len` of them.
    const double* read(std::size_t begin, std::size_t len, double* buf) const noexcept {
        if constexpr (std::is_same_v<T, double>)
            if (direct_) return c_.values.data + begin;
        if (plain_ && c_.values.stride == 1) {
            const T* src = c_.values.data + begin;
            for (std::size_t i = 0; i < len; ++i) buf[i] = static_cast<double>(src[i]);
        } else if (plain_) {
            for (std::size_t i = 0; i < len; ++i) buf[i] = static_cast<double>(c_.values[begin + i]);
        } else {
            for (std::size_t i = 0; i < len; ++i) buf[i] = at(begin + i);
        }
        return buf;
    }

    // A hint that at(i) comes soon (the value's cache line is fetched meanwhile).
    void prefetch(std::size_t i) const noexcept { __builtin_prefetch(&c_.values[i]); }

    double at(std::size_t i) const noexcept {
        if (!plain_ && classify(c_, i) == state::missing) return nan;
        return value(c_, i);
    }

private:
    const column<T>& c_;
    bool plain_;   // the values alone say what is missing (NaN) or infinite
    bool direct_;  // contiguous float64: no conversion
};

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
    int scale = 0;  // the fields describe the values times 2^scale (partitions.hpp; else 0)
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

}  // namespace outliers
