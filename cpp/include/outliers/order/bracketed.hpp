// The bracket path of a column-level selection: Floyd & Rivest's selection ("Expected time bounds
// for selection", CACM 18(3), 1975) turned into a streaming pass. The sample (sample.hpp) gives,
// for each wanted rank, two bounds that almost surely bracket it; one vectorised pass
// (column_keys.hpp) counts the values below each bracket and gathers the few inside it (about
// 1.5 % of the values; ties at a bound are counted instead of gathered when the sample shows
// them), and selection among those gives the answer. Whether the bracket held is known exactly
// from the counts; when it did not, the caller falls back to the radix path (radix.hpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "outliers/order/column_keys.hpp"
#include "outliers/order/floyd_rivest.hpp"
#include "outliers/order/ranks.hpp"
#include "outliers/order/sample.hpp"
#include "outliers/read_doubles.hpp"
#include "outliers/simd/scan.hpp"

namespace outliers::select_detail {

// The intervals to scan, in increasing order, overlapping ones merged: for each request, the
// keys at the sample ranks z standard deviations either side of its own (beyond the sample,
// the extreme key). Reorders `keys`.
inline scan_plan bracket_plan(std::vector<order_key>& keys, double z, const value_map& map,
                              const order_request* req, std::size_t m) {
    const std::size_t s = keys.size();
    struct bracket {
        double q;
        long long lo, hi;  // sample ranks, may fall outside [0, s)
    };
    bracket br[max_requests];
    std::vector<std::size_t> wanted;
    for (std::size_t j = 0; j < m; ++j) {
        const double q = req[j].median ? 0.5 : req[j].q;
        const double r = q * static_cast<double>(s ? s - 1 : 0);
        const double d = z * std::sqrt(static_cast<double>(s) * q * (1.0 - q)) + 3.0;
        br[j] = {q, static_cast<long long>(std::floor(r - d)),
                 static_cast<long long>(std::ceil(r + d)) + 1};
        for (long long rank : {br[j].lo, br[j].hi})
            if (rank >= 0 && rank < static_cast<long long>(s))
                wanted.push_back(static_cast<std::size_t>(rank));
    }
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    std::vector<order_key> at(wanted.size());
    select_ranks(keys.data(), s, wanted.data(), wanted.size(), at.data());
    const auto sample_key = [&](long long rank, order_key beyond) {
        if (rank < 0 || rank >= static_cast<long long>(s)) return beyond;
        const auto i =
            std::lower_bound(wanted.begin(), wanted.end(), static_cast<std::size_t>(rank)) -
            wanted.begin();
        return std::clamp(at[static_cast<std::size_t>(i)], key_lowest, key_highest);
    };

    std::size_t order[max_requests];  // insertion sort (std::sort trips GCC 12's -Warray-bounds)
    for (std::size_t j = 0; j < m; ++j) {
        std::size_t i = j;
        for (; i > 0 && br[order[i - 1]].q > br[j].q; --i) order[i] = order[i - 1];
        order[i] = j;
    }
    scan_plan plan;
    plan.deviations = map.deviations;
    plan.center = map.center;
    for (std::size_t o = 0; o < m; ++o) {
        const bracket& b = br[order[o]];
        const order_key lo = sample_key(b.lo, key_lowest), hi = sample_key(b.hi, key_highest);
        const int last = plan.intervals - 1;
        if (last >= 0 && lo <= plan.hi[last]) {
            plan.hi[last] = std::max(plan.hi[last], hi);
            continue;
        }
        plan.lo[plan.intervals] = lo;
        plan.hi[plan.intervals] = hi;
        ++plan.intervals;
    }
    return plan;
}

// Room for the keys each interval gathers: the sample's count, scaled to the column (`scale`
// values per sampled position), with a margin of five standard deviations (a count k has a
// relative standard deviation of about 1/sqrt(k): 5 % for a typical 400). Strict gathering
// (ties at the bounds counted, not kept) is chosen when the sample shows such ties matter; the
// lighter inclusive pass otherwise. Sets plan.strict and the capacities; returns their total.
inline std::size_t size_regions(const std::vector<order_key>& keys, double scale, scan_plan& plan,
                                gather_regions& regions) {
    std::size_t within[max_intervals] = {}, strictly[max_intervals] = {};
    for (order_key k : keys)
        for (int j = 0; j < plan.intervals; ++j) {
            within[j] += static_cast<std::size_t>(k >= plan.lo[j] && k <= plan.hi[j]);
            strictly[j] += static_cast<std::size_t>(k > plan.lo[j] && k < plan.hi[j]);
        }
    plan.strict = false;
    for (int j = 0; j < plan.intervals; ++j)
        if (within[j] - strictly[j] > std::max<std::size_t>(4, strictly[j] / 16))
            plan.strict = true;
    std::size_t total = 0;
    for (int j = 0; j < plan.intervals; ++j) {
        const double kept = static_cast<double>(plan.strict ? strictly[j] : within[j]);
        const double margin = 1.0 + 5.0 / std::sqrt(kept + 1.0);
        regions.capacity[j] = static_cast<std::size_t>(margin * kept * scale) + 1024;
        total += regions.capacity[j];
    }
    return total;
}

// The wanted ranks from the scan's counts and gathered keys: each lies below, at or above a
// bound, or among the gathered keys (then all ranks of one interval are read in one
// select_ranks call). Sets n, the values selected among; false when the bracket missed a rank
// or more keys fell inside an interval than there was room for.
inline bool read_ranks(const scan_counts& counts, const scan_plan& plan,
                       const gather_regions& regions, const order_request* req, std::size_t m,
                       rank_set& ranks, std::size_t& n) {
    const std::uint64_t low = counts.at_or_below_neg_inf;
    const std::size_t finite = static_cast<std::size_t>(counts.below_pos_inf - low);
    n = finite + static_cast<std::size_t>(counts.overflow);
    if (n == 0) return true;  // every value is missing: nothing to select
    ranks.plan(req, m, n);
    // The gathered keys run from rank `first` to `end`: the keys at the bounds are among them
    // unless the plan is strict.
    std::size_t local[max_intervals][2 * max_requests], slot[max_intervals][2 * max_requests];
    std::size_t local_count[max_intervals] = {};
    std::size_t lt_lo[max_intervals], le_hi[max_intervals], first[max_intervals],
        end[max_intervals];
    for (int j = 0; j < plan.intervals; ++j) {
        lt_lo[j] = static_cast<std::size_t>(counts.lt_lo[j] - low);
        le_hi[j] = static_cast<std::size_t>(counts.le_hi[j] - low);
        first[j] = plan.strict ? static_cast<std::size_t>(counts.le_lo[j] - low) : lt_lo[j];
        end[j] = plan.strict ? static_cast<std::size_t>(counts.lt_hi[j] - low) : le_hi[j];
    }
    for (std::size_t i = 0; i < ranks.count; ++i) {
        const std::size_t r = ranks.rank[i];
        if (r >= finite) {  // only overflowed deviations lie beyond the finite keys
            ranks.key[i] = key_pos_inf;
            continue;
        }
        int j = 0;
        while (j < plan.intervals && !(lt_lo[j] <= r && r < le_hi[j])) ++j;
        if (j == plan.intervals) return false;  // the bracket missed this rank
        if (r < first[j]) {
            ranks.key[i] = plan.lo[j];
        } else if (r >= end[j]) {
            ranks.key[i] = plan.hi[j];
        } else {
            local[j][local_count[j]] = r - first[j];
            slot[j][local_count[j]++] = i;
        }
    }
    for (int j = 0; j < plan.intervals; ++j) {
        if (local_count[j] == 0) continue;
        const std::size_t kept = end[j] - first[j];
        if (kept > regions.capacity[j]) return false;  // more fell inside than there was room
        order_key found[2 * max_requests];
        select_ranks(regions.data[j], kept, local[j], local_count[j], found);
        for (std::size_t i = 0; i < local_count[j]; ++i) ranks.key[slot[j][i]] = found[i];
    }
    return true;
}

// The bracket path from the sample's keys (of the selection's values: mapped to deviations
// already if asked; reordered here), `drawn` positions sampled. False when the bracket missed
// or the gathered keys would exceed `budget` (then nothing is set).
template <class T>
bool bracketed(const double_reader<T>& src, std::vector<order_key>& keys, std::size_t drawn,
               const tuning& tune, const value_map& map, const order_request* req, std::size_t m,
               std::size_t budget, rank_set& ranks, std::size_t& n) {
    scan_plan plan = bracket_plan(keys, tune.z, map, req, m);
    gather_regions regions;
    const double scale = static_cast<double>(src.size()) / static_cast<double>(drawn);
    const std::size_t total = size_regions(keys, scale, plan, regions);
    if (total > budget) return false;  // even the estimate exceeds the budget: hopeless
    std::unique_ptr<order_key[]> store(new order_key[total]);  // pages touched as filled
    std::size_t offset = 0;
    for (int j = 0; j < plan.intervals; ++j) {
        regions.data[j] = store.get() + offset;
        offset += regions.capacity[j];
    }
    const scan_counts counts = scan_column(src, plan, regions);
    return read_ranks(counts, plan, regions, req, m, ranks, n);
}

}  // namespace outliers::select_detail
