// The radix path of a column-level selection, exact whatever the data: most-significant-digit
// radix select on the keys' unsigned image (e.g. Alabi et al., "Fast k-selection algorithms for
// graphics processing units", 2012). A pass histograms the next 16 bits (8 on small columns) of
// the keys sharing each wanted rank's prefix (the first: sign, exponent and 4 mantissa bits);
// once a prefix holds few enough keys, one vectorised scan gathers them by their key range,
// which cannot miss, and selection among them ends the search. On smooth data that is one
// histogram pass and one scan. Memory: a histogram per followed prefix and at most `budget`
// keys.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "outliers/order/column_keys.hpp"
#include "outliers/order/floyd_rivest.hpp"
#include "outliers/order/ranks.hpp"
#include "outliers/read_doubles.hpp"
#include "outliers/simd/scan.hpp"

namespace outliers::select_detail {

// The keys whose image starts with `prefix` (its top `bits` bits), and the wanted ranks among
// them.
struct prefix_group {
    std::uint64_t prefix = 0;
    int bits = 0;
    std::uint64_t below = 0, count = 0;  // keys before the group's range, and in it
    std::vector<std::size_t> wanted;     // indexes into the rank_set
    std::vector<std::uint64_t> hist;
    order_key lo() const { return key_of_image(prefix << (64 - bits)); }
    order_key hi() const {
        return key_of_image((prefix << (64 - bits)) | (~std::uint64_t{0} >> bits));
    }
};

// Splits a histogrammed group (`digit` bits a bin) into the bins holding wanted ranks; a bin
// whose prefix is the whole key is that key, set in `ranks` at once.
inline void split(const prefix_group& g, int digit, rank_set& ranks,
                  std::vector<prefix_group>& out) {
    const std::size_t bins = std::size_t{1} << digit;
    std::uint64_t below = g.below;
    std::size_t w = 0;
    for (std::size_t bin = 0; bin < bins && w < g.wanted.size(); ++bin) {
        prefix_group child;
        child.prefix = (g.prefix << digit) | bin;
        child.bits = g.bits + digit;
        child.below = below;
        child.count = g.hist[bin];
        below += g.hist[bin];
        while (w < g.wanted.size() && ranks.rank[g.wanted[w]] < below)
            child.wanted.push_back(g.wanted[w++]);
        if (child.wanted.empty()) continue;
        if (child.bits == 64)  // all its keys are one key
            for (std::size_t i : child.wanted) ranks.key[i] = key_of_image(child.prefix);
        else
            out.push_back(std::move(child));
    }
}

// Gathers the keys of each group by its key range, up to max_intervals groups a scan (they
// are in key order), and selects the wanted ranks among them.
template <class T>
void gather_groups(const double_reader<T>& src, const value_map& map,
                   const std::vector<prefix_group>& gather, rank_set& ranks) {
    for (std::size_t first = 0; first < gather.size(); first += max_intervals) {
        const std::size_t count = std::min<std::size_t>(max_intervals, gather.size() - first);
        scan_plan plan;
        plan.intervals = static_cast<int>(count);
        plan.strict = false;
        plan.deviations = map.deviations;
        plan.center = map.center;
        gather_regions regions;
        std::size_t total = 0;
        for (std::size_t j = 0; j < count; ++j) {
            const prefix_group& g = gather[first + j];
            plan.lo[j] = std::max(g.lo(), key_lowest);
            plan.hi[j] = std::min(g.hi(), key_highest);
            regions.capacity[j] = static_cast<std::size_t>(g.count);
            total += regions.capacity[j];
        }
        std::unique_ptr<order_key[]> store(new order_key[std::max<std::size_t>(1, total)]);
        for (std::size_t j = 0, offset = 0; j < count; offset += regions.capacity[j++])
            regions.data[j] = store.get() + offset;
        scan_column(src, plan, regions);
        for (std::size_t j = 0; j < count; ++j) {
            const prefix_group& g = gather[first + j];
            std::size_t local[2 * max_requests];
            order_key found[2 * max_requests];
            for (std::size_t i = 0; i < g.wanted.size(); ++i)
                local[i] = ranks.rank[g.wanted[i]] - static_cast<std::size_t>(g.below);
            select_ranks(regions.data[j], regions.capacity[j], local, g.wanted.size(), found);
            for (std::size_t i = 0; i < g.wanted.size(); ++i) ranks.key[g.wanted[i]] = found[i];
        }
    }
}

// The requests by radix selection; returns the number of values selected among (0: none,
// nothing set).
template <class T>
std::size_t radix(const double_reader<T>& src, const value_map& map, const order_request* req,
                  std::size_t m, rank_set& ranks, std::size_t budget) {
    // 16-bit digits on large columns; on small ones a 65536-bin histogram would cost more
    // to clear than the pass itself.
    const int digit = src.size() >= (std::size_t{1} << 18) ? 16 : 8;
    const std::size_t bins = std::size_t{1} << digit;

    // First pass: every key. Overflowed deviations (+inf) sit above all others.
    prefix_group all;
    all.hist.assign(bins, 0);
    std::uint64_t overflow = 0;
    for_each_key(src, map, [&](order_key k) {
        if (k == key_pos_inf)
            ++overflow;
        else
            ++all.hist[image_of(k) >> (64 - digit)];
    });
    std::uint64_t finite = 0;
    for (std::uint64_t h : all.hist) finite += h;
    const auto n = static_cast<std::size_t>(finite + overflow);
    if (n == 0) return 0;
    ranks.plan(req, m, n);
    for (std::size_t i = 0; i < ranks.count; ++i) {
        if (ranks.rank[i] < finite)
            all.wanted.push_back(i);
        else
            ranks.key[i] = key_pos_inf;
    }
    std::vector<prefix_group> groups;
    split(all, digit, ranks, groups);
    all.hist = {};

    while (!groups.empty()) {
        const std::size_t limit = budget / groups.size();
        std::vector<prefix_group> gather, deeper;
        for (prefix_group& g : groups) (g.count <= limit ? gather : deeper).push_back(std::move(g));
        gather_groups(src, map, gather, ranks);
        if (deeper.empty()) break;
        // Histogram the next digit of every group still too large, in one pass.
        for (prefix_group& g : deeper) g.hist.assign(bins, 0);
        for_each_key(src, map, [&](order_key k) {
            const std::uint64_t u = image_of(k);
            for (prefix_group& g : deeper)
                if ((u >> (64 - g.bits)) == g.prefix)
                    ++g.hist[(u >> (64 - g.bits - digit)) & (bins - 1)];
        });
        groups.clear();
        for (const prefix_group& g : deeper) split(g, digit, ranks, groups);
    }
    return n;
}

}  // namespace outliers::select_detail
