// Per-segment statistics: what one segment of a larger data set contributes to a method's
// statistics over the whole, and how the contributions combine. A segment is any column view
// (read in place): a dask partition today, a group or a window later. The pieces: moments with
// a scale (stats/moments.hpp), radix histograms and gathers for exact order statistics (numpy's
// medians and quantiles of the whole), the ESD test's candidates and the test over all of them.
// Flags and scores from the combined statistics come from the kernels' own writers
// (write_zscore, write_deviation, write_band). The rounds' bookkeeping between segments is the
// caller's (outliers/dask/ today).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "outliers/column.hpp"
#include "outliers/kernels/esd.hpp"
#include "outliers/order/column_keys.hpp"
#include "outliers/order/ranks.hpp"
#include "outliers/outputs.hpp"
#include "outliers/read_doubles.hpp"
#include "outliers/simd/cpu.hpp"
#include "outliers/simd/scan.hpp"
#include "outliers/stats/moments.hpp"

namespace outliers::partitions {

// ---------------------------------------------------------------- exact order statistics
//
// Radix selection across segments (the MSD radix select of order/radix.hpp, one digit per
// round, each round one reduction): a value is followed through the order-preserving 64-bit
// image of its key (simd/scan.hpp); a "group" is the set of images that share their
// top `bits` bits with `prefix`; a round counts the group's values by their next 16 bits, so
// four rounds pin any rank, and the few values of a small group can be gathered instead.

inline constexpr int digit_bits = 16;
inline constexpr std::size_t digit_bins = std::size_t{1} << digit_bits;

struct group {
    std::uint64_t prefix = 0;  // the top `bits` bits of the images it holds
    int bits = 0;              // 0: every value; at most 64 - digit_bits for a histogram

    bool holds(std::uint64_t image) const noexcept {
        return bits == 0 || (image >> (64 - bits)) == prefix;
    }
};

// counts[g * digit_bins + d]: values of group g whose next digit is d; lowest[g], highest[g]:
// the group's smallest and largest image (a group whose two are equal is one repeated value:
// resolved without further rounds). Returns the number of finite values of the segment.
template <class T>
std::uint64_t histogram(const column<T>& c, const select_detail::value_map& map,
                        const std::vector<group>& groups, std::uint64_t* counts,
                        std::uint64_t* lowest, std::uint64_t* highest) {
    std::fill(counts, counts + groups.size() * digit_bins, std::uint64_t{0});
    std::fill(lowest, lowest + groups.size(), ~std::uint64_t{0});
    std::fill(highest, highest + groups.size(), std::uint64_t{0});
    std::uint64_t n = 0;
    const double_reader<T> src(c);
    select_detail::for_each_key(src, map, [&](select_detail::order_key k) {
        ++n;
        const std::uint64_t u = select_detail::image_of(k);
        for (std::size_t g = 0; g < groups.size(); ++g)
            if (groups[g].holds(u)) {
                ++counts[g * digit_bins + ((u << groups[g].bits) >> (64 - digit_bits))];
                lowest[g] = std::min(lowest[g], u);
                highest[g] = std::max(highest[g], u);
            }
    });
    return n;
}

// The (mapped) values of each group, in the segment's order.
template <class T>
std::vector<std::vector<double>> gather(const column<T>& c, const select_detail::value_map& map,
                                        const std::vector<group>& groups) {
    std::vector<std::vector<double>> out(groups.size());
    const double_reader<T> src(c);
    select_detail::for_each_key(src, map, [&](select_detail::order_key k) {
        const std::uint64_t u = select_detail::image_of(k);
        for (std::size_t g = 0; g < groups.size(); ++g)
            if (groups[g].holds(u)) out[g].push_back(select_detail::value_of(k));
    });
    return out;
}

// The ranks (0-based, ascending, distinct) that the requests read among n sorted values, and
// the statistics from the values at those ranks, with numpy's formulas (order/ranks.hpp).
inline std::vector<std::size_t> ranks_for(const std::vector<order_request>& req, std::size_t n) {
    select_detail::rank_set ranks;
    ranks.plan(req.data(), req.size(), n);
    return {ranks.rank, ranks.rank + ranks.count};
}

inline std::vector<double> assemble(const std::vector<order_request>& req, std::size_t n,
                                    const std::vector<double>& values_at_ranks) {
    select_detail::rank_set ranks;
    ranks.plan(req.data(), req.size(), n);
    for (std::size_t i = 0; i < ranks.count; ++i)
        ranks.key[i] = select_detail::key_of(values_at_ranks.at(i));
    const order_result r = ranks.assemble(req.data(), req.size(), n);
    return {r.value, r.value + req.size()};
}

// ---------------------------------------------------------------- moments

// Count, compensated sum, mean and M2 of the segment's finite values, as the zscore kernel's
// exact path takes them; in units of 2^overflow_scale where their sum overflows (moments.hpp).
template <class T>
moments partial_moments(const column<T>& c) {
    const double_reader<T> reader(c);
    moments m = column_moments(reader, cpu::active());
    if (overflowed(m)) m = column_moments_scaled(reader, cpu::active(), overflow_scale);
    return m;
}

// ---------------------------------------------------------------- the ESD test

// One segment's share: its `cap` first candidates from each end (in removal order, with
// positions in the segment) and the moments of its other finite values.
struct esd_share {
    moments core;
    std::vector<detail::esd_impl::point> low, high;
};

template <class T>
esd_share esd_candidates(const column<T>& c, std::size_t cap) {
    using namespace detail::esd_impl;
    const cpu::level level = cpu::active();
    const double_reader<T> reader(c);
    scanned sc = scan(reader, c.size(), cap, outputs{}, level);
    esd_share share;
    share.low = std::move(sc.low);
    share.high = std::move(sc.high);
    keep_first_r(share.low, std::min(cap, share.low.size()), low_first);
    keep_first_r(share.high, std::min(cap, share.high.size()), high_first);
    const std::vector<point> cand = union_by_position(share.low, share.high);
    share.core = core_without(reader, c.size(), sc.subs, cand, level);
    if (overflowed(share.core)) {
        std::vector<std::size_t> skip;
        for (const point& q : cand) skip.push_back(q.pos);
        share.core = column_moments_scaled(reader, level, overflow_scale, skip);
    }
    return share;
}

// The test over all segments from their shares. Candidate positions must already be global
// (any increasing numbering of the concatenated data): ties are broken by them.
inline detail::esd_impl::esd_outcome esd_combine(const std::vector<esd_share>& shares,
                                                 const kernels::esd_params& p) {
    using namespace detail::esd_impl;
    std::vector<point> low, high;
    std::vector<moments> cores;
    for (const esd_share& s : shares) {
        low.insert(low.end(), s.low.begin(), s.low.end());
        high.insert(high.end(), s.high.begin(), s.high.end());
        cores.push_back(s.core);
    }
    // Values whose sum overflows (in the cores, or with the candidates): cores and candidates
    // in units of 2^overflow_scale; R_i and lambda_i do not change, the center and bounds are
    // scaled back at the end.
    moments pooled = pool_scaled(cores.data(), cores.size());
    const auto with = [&](const std::vector<double>& xs) {
        const moments parts[] = {pooled, measure(cpu::active(), xs.data(), xs.size(), true)};
        return pool(parts, 2);
    };
    // The candidates hold every segment's extremes: when the largest |x| exceeds
    // DBL_MAX / (2n), a sum of the test's remaining values may overflow (as esd() decides).
    double biggest = 0.0;
    for (auto* v : {&low, &high})
        for (const point& q : *v) biggest = std::max(biggest, std::fabs(q.x));
    const double count = pooled.count + static_cast<double>(low.size() + high.size());
    if (pooled.scale == 0 && count > 0.0 &&
        (overflowed(pooled) || biggest > std::numeric_limits<double>::max() / (2.0 * count)))
        pooled = rescaled(pooled, overflow_scale);
    const double unit = std::ldexp(1.0, pooled.scale);
    if (pooled.scale != 0)
        for (auto* v : {&low, &high})
            for (point& q : *v) q.x *= unit;
    const auto unscaled = [&](esd_outcome o) {
        o.result.center /= unit;
        o.result.lower /= unit;
        o.result.upper /= unit;
        return o;
    };
    const std::vector<point> all = union_by_position(low, high);
    const auto n = static_cast<std::size_t>(pooled.count) + all.size();
    if (n < 3) {  // nothing can be tested; the center is the mean of every finite value
        std::vector<double> xs;
        for (const point& q : all) xs.push_back(q.x);
        esd_outcome none;
        none.result.n_used = n;
        none.result.center = with(xs).mean;
        return unscaled(none);
    }
    const std::size_t r = std::min(p.max_outliers, n - 2);
    keep_first_r(low, r, low_first);
    keep_first_r(high, r, high_first);
    const std::vector<point> chosen = union_by_position(low, high);
    // A segment's candidates that are not among the r first overall join the core: pooled
    // in, never subtracted out.
    std::vector<double> rest;
    const auto by_pos = [](const point& a, const point& b) { return a.pos < b.pos; };
    for (const point& q : all)
        if (!std::binary_search(chosen.begin(), chosen.end(), q, by_pos)) rest.push_back(q.x);
    return unscaled(esd_iterate(with(rest), chosen, low, high, n, r, p.alpha));
}

}  // namespace outliers::partitions
