// Every method over windows (docs/methods.md, "Windows"): each point judged by the statistics of
// its own window of positions or of time (windows/extent.hpp). This file is the driver: it cuts
// the points into blocks of a size set by the windows alone (never by the thread count, so that
// results are the same for any), and slides through each block either the moments of its
// windows (zscore: stats/window_moments.hpp, O(1) per point) or their finite values kept sorted
// (the others: order/sliding_window.hpp, order/ranked_window.hpp, O(log w) searches per point);
// each point is then written by its method's rule (rolling_points.hpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "outliers/column.hpp"
#include "outliers/interrupt.hpp"
#include "outliers/kernels/hampel_input.hpp"
#include "outliers/kernels/rolling_points.hpp"
#include "outliers/order/ranked_window.hpp"
#include "outliers/order/sliding_window.hpp"
#include "outliers/outputs.hpp"
#include "outliers/parallel.hpp"
#include "outliers/simd/cpu.hpp"
#include "outliers/stats/window_moments.hpp"
#include "outliers/windows/extent.hpp"

namespace outliers::kernels {

namespace rolling_detail {

using hampel_detail::encoded;
using order::is_finite;
using windows::range;

// Points between two interruption points (about a millisecond of work).
constexpr std::size_t stop_check_points = std::size_t{1} << 12;

// What a block's driver needs: the column read as hampel reads it (NaN for a missing value, one
// zero), the windows, and the most positions a window spans.
template <bool Plain, class T>
struct source {
    const column<T>& c;
    const windows::spec& spec;
    const windows::time_axis& times;
    std::size_t longest;
    std::size_t origin;  // the position of c[0] in the whole data

    double operator()(std::size_t j) const noexcept { return encoded<Plain>(c, j); }
    std::size_t size() const noexcept { return c.size(); }
    windows::walker walker() const noexcept { return {spec, times, c.size(), origin}; }
};

// The points [begin, end) with their windows' moments.
template <class Source>
std::size_t moments_block(const Source& src, const stats::moment_tables& tables, std::size_t begin,
                          std::size_t end, const zscore_rule& rule) {
    windows::walker walk = src.walker();
    stats::sliding_moments moments(tables);
    std::size_t used = 0;
    for (std::size_t i = begin; i < end; ++i) {
        const range r = walk.at(i);
        const stats::running_moments w = moments.window(r.lo, walk.split(i, r), r.hi, src);
        const double x = src(i);
        used += is_finite(x);
        if (w.count < src.spec.min_periods)
            write_unjudged(rule.out, i, x);
        else
            rule(i, x, w);
        if (i % stop_check_points == 0) interruption_point();
    }
    return used;
}

// Point i by its window's finite values, held sorted in `win` (or unjudged, too few of them);
// true when x_i itself is finite. An interruption point every stop_check_points points.
template <class Source, class Window, class Rule>
bool judge(const Source& src, std::size_t i, Window& win, Rule& rule, const outputs& out) {
    const double x = src(i);
    if (win.size() < src.spec.min_periods)
        write_unjudged(out, i, x);
    else
        rule(i, x, win.values(), win.size());
    if (i % stop_check_points == 0) interruption_point();
    return is_finite(x);
}

// How the window moves from one point to the next: by one position at both ends (the common
// case: count windows, and time windows on regular times) one value is replaced, its ranks
// searched beforehand; any other move removes and adds value by value.
struct window_step {
    range to;
    bool simple = false;
    double leaving = nan, entering = nan;
    std::size_t p = 0, q = 0;  // their ranks, for a simple step
};

// The points [begin, end) with a sorted sliding window (flat_window or blocked_window). The
// ranks of a simple step are searched one step ahead, in the window before the step in between
// and corrected for it (order::rank_after): the search then does not wait for that step's
// stores, and the two overlap (hampel's sliding path does the same: ~1.7x at window 101).
template <class Source, class Window, class Rule>
std::size_t sorted_block(const Source& src, std::size_t begin, std::size_t end, Window& win,
                         Rule& rule, const outputs& out) {
    windows::walker walk = src.walker();
    range cur = walk.at(begin);
    std::vector<double> first;
    for (std::size_t j = cur.lo; j < cur.hi; ++j)
        if (is_finite(src(j))) first.push_back(src(j));
    win.assign(first);
    // The step from `from` to `to`, its ranks searched in the window as it is now.
    const auto plan = [&](const range& from, const range& to) __attribute__((always_inline)) {
        window_step s{to};
        s.simple = to.lo == from.lo + 1 && to.hi == from.hi + 1;
        if (s.simple) {
            s.leaving = src(from.lo);
            s.entering = src(from.hi);
            const order::rank_pair r = win.ranks(s.leaving, s.entering);
            s.p = r.x;
            s.q = r.y;
        }
        return s;
    };
    window_step next;
    if (begin + 1 < end) next = plan(cur, walk.at(begin + 1));
    std::size_t used = 0;
    for (std::size_t i = begin; i < end; ++i) {
        if (i > begin) {
            const window_step now = next;
            bool planned = false;
            range after{};
            if (i + 1 < end) {
                after = walk.at(i + 1);
                if (now.simple) {  // plan the next step before this one moves the values
                    next = plan(now.to, after);
                    next.p = order::rank_after(next.p, next.leaving, now.leaving, now.entering);
                    next.q = order::rank_after(next.q, next.entering, now.leaving, now.entering);
                    planned = true;
                }
            }
            if (now.simple) {
                win.replace(now.leaving, now.p, now.entering, now.q);
            } else {
                for (std::size_t j = cur.lo; j < now.to.lo; ++j) win.remove(src(j));
                for (std::size_t j = cur.hi; j < now.to.hi; ++j) win.add(src(j));
            }
            cur = now.to;
            if (i + 1 < end && !planned) next = plan(cur, after);
        }
        used += judge(src, i, win, rule, out);
    }
    return used;
}

// The points [begin, end) with a ranked window over the values their windows read: for windows
// of more than order::ranked_window_min values, where the sorted windows move too much.
template <class Index, class Source, class Rule>
std::size_t ranked_block(const Source& src, std::size_t begin, std::size_t end, Rule& rule,
                         const outputs& out) {
    windows::walker walk = src.walker();
    range cur = walk.at(begin);
    const std::size_t base = cur.lo;
    const std::size_t top = walk.at(end - 1).hi;  // the windows of the block read [base, top)
    walk = src.walker();
    cur = walk.at(begin);
    constexpr auto none = static_cast<Index>(-1);
    std::vector<Index> slot;
    order::ranked_window<Index> win(
        order::rank_slots<Index>(top - base, [&](std::size_t k) { return src(base + k); }, slot));
    const auto add = [&](std::size_t j) {
        if (slot[j - base] != none) win.insert(slot[j - base]);
    };
    const auto remove = [&](std::size_t j) {
        if (slot[j - base] != none) win.erase(slot[j - base]);
    };
    for (std::size_t j = cur.lo; j < cur.hi; ++j) {
        add(j);
        if (j % stop_check_points == 0) interruption_point();
    }
    std::size_t used = 0;
    for (std::size_t i = begin; i < end; ++i) {
        if (i > begin) {
            const range r = walk.at(i);
            for (std::size_t j = cur.lo; j < r.lo; ++j) remove(j);
            for (std::size_t j = cur.hi; j < r.hi; ++j) add(j);
            cur = r;
        }
        used += judge(src, i, win, rule, out);
    }
    return used;
}

// The points [begin, end) on the order-statistic path for the windows' size.
template <class Source, class Rule>
std::size_t order_block(const Source& src, std::size_t begin, std::size_t end, Rule& rule,
                        const outputs& out, cpu::level level) {
    const std::size_t capacity = src.longest;
    if (capacity <= order::ranked_window_min)
        return order::with_sorted_window(capacity, level, [&](auto& win) {
            return sorted_block(src, begin, end, win, rule, out);
        });
    if (src.size() < UINT32_MAX) return ranked_block<std::uint32_t>(src, begin, end, rule, out);
    return ranked_block<std::uint64_t>(src, begin, end, rule, out);
}

// Blocks of points long enough that priming each one's window (O(w log w) for sorted values,
// O(w) for moments) stays a small part of its work: 16 windows, 4 for ranked windows (which
// hold 28 bytes per value while they prime), at least 2^14 points.
inline std::size_t block_length(std::size_t longest) noexcept {
    const std::size_t windows = longest > order::ranked_window_min ? 4 : 16;
    const std::size_t most = SIZE_MAX / windows;
    return std::max<std::size_t>(std::size_t{1} << 14, std::min(longest, most) * windows);
}

// The points [first, last) of the column, each block on its own thread; `block(begin, end)`
// returns the finite values among its points.
template <class Block>
summary run_blocks(std::size_t first, std::size_t last, std::size_t longest, const Block& block) {
    const std::size_t length = block_length(longest);
    std::vector<std::size_t> used(block_count(last - first, length));
    for_each_block(
        last - first,
        [&](std::size_t b, std::size_t begin, std::size_t end) {
            used[b] = block(first + begin, first + end);
        },
        length);
    summary result;
    for (std::size_t u : used) result.n_used += u;
    return result;
}

}  // namespace rolling_detail

// Which method runs over windows, with its parameters (the same as over the whole sample).
enum class rolling_method { zscore, mad, iqr, quantile, hampel };

struct rolling_params {
    rolling_method method = rolling_method::zscore;
    double threshold = 3.0;          // zscore, mad, hampel
    std::size_t ddof = 0;            // zscore
    double k = 1.5;                  // iqr
    double low = 0.01, high = 0.99;  // quantile
};

// The points [first, last) of c judged by their own windows: `out` is indexed by position in c
// (per-point center, lower and upper included) and the other points are not written; a window
// still reads c outside that range (a dask partition's points in a buffer its neighbours'
// values extend, `origin` the position of c[0] in the whole data: every point's result is then
// bit for bit what it is in memory). n_used counts the range's finite values.
template <class T>
summary rolling(const column<T>& c, const rolling_params& p, const windows::spec& spec,
                const windows::time_axis& times, const outputs& out, std::size_t first,
                std::size_t last, std::size_t origin = 0) {
    using namespace rolling_detail;
    const std::size_t n = c.size();
    windows::check(spec, times, n);
    if (!spec.windowed()) throw std::invalid_argument("no window given");
    if (first > last || last > n) throw std::invalid_argument("points out of range");
    if (first == last) return {};
    windows::walker walk(spec, times, n);
    const std::size_t longest =
        spec.by_time() ? walk.longest(first, last) : std::min(spec.count, n);
    const cpu::level level = cpu::active();
    const auto on = [&](auto plain) {
        const source<decltype(plain)::value, T> src{c, spec, times, longest, origin};
        if (p.method == rolling_method::zscore) {
            const stats::moment_tables tables(longest + 2);
            const zscore_rule rule{out, p.threshold, p.ddof, tables.inverse.data()};
            return run_blocks(first, last, longest, [&](std::size_t b, std::size_t e) {
                return moments_block(src, tables, b, e, rule);
            });
        }
        return run_blocks(first, last, longest, [&](std::size_t b, std::size_t e) {
            const auto run = [&](auto rule) { return order_block(src, b, e, rule, out, level); };
            switch (p.method) {
                case rolling_method::mad:
                    return run(mad_rule{out, p.threshold});
                case rolling_method::iqr:
                    return run(make_band_rule(out, 0.25, 0.75, [&](double q1, double q3) {
                        return rules::iqr_fences(q1, q3, p.k);
                    }));
                case rolling_method::quantile:
                    return run(make_band_rule(out, p.low, p.high, rules::quantile_band));
                default:
                    return run(hampel_rule{hampel_detail::point_writer{out, p.threshold}});
            }
        });
    };
    return values_decide(c) ? on(std::true_type{}) : on(std::false_type{});
}

template <class T>
summary rolling(const column<T>& c, const rolling_params& p, const windows::spec& spec,
                const windows::time_axis& times, const outputs& out) {
    return rolling(c, p, spec, times, out, 0, c.size());
}

}  // namespace outliers::kernels
