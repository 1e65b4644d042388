// Hampel filter (Hampel 1974; Pearson 2002): exact median and MAD of each centred window
// (docs/methods.md, `hampel`). This file is the driver: it cuts the points into blocks, picks for
// each the way its windows are kept sorted (order/: sorting networks, a sorted sliding window, a
// ranked window), and writes the points' outputs (hampel_points.hpp) from the values as hampel
// reads them (hampel_input.hpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "outliers/column.hpp"
#include "outliers/interrupt.hpp"
#include "outliers/kernels/hampel_input.hpp"
#include "outliers/kernels/hampel_points.hpp"
#include "outliers/order/ranked_window.hpp"
#include "outliers/order/sliding_window.hpp"
#include "outliers/order/sorted_stats.hpp"
#include "outliers/order/sorting_networks.hpp"
#include "outliers/outputs.hpp"
#include "outliers/parallel.hpp"
#include "outliers/simd/cpu.hpp"

namespace outliers::kernels {

struct hampel_params {
    std::size_t window = 7;
    double threshold = 3.0;
};

namespace hampel_detail {

// ------------------------------------------------------------------ small windows: networks
// Any window, any content: its finite values sorted by insertion (at most network_max of them).
[[gnu::noinline]] inline void scalar_point(const double* win, std::size_t w, std::size_t i,
                                           const point_writer& pw) {
    double s[order::network_max];
    std::size_t n = 0;
    for (std::size_t k = 0; k < w; ++k) {
        const double v = win[k];
        if (!is_finite(v)) continue;
        std::size_t j = n++;
        for (; j > 0 && s[j - 1] > v; --j) s[j] = s[j - 1];
        s[j] = v;
    }
    std::size_t split = 0;
    pw.write(i, win[w / 2], order::sorted_median_mad(static_cast<const double*>(s), n, split));
}

// The points [begin, begin + len) of one block; buf holds their windows (buf[k] is the encoded
// x[begin - h + k]) and bad the sorted positions of buf's non-finite values. Groups of L points
// whose windows are all finite take the network (lane j sorting the window of point g + j), the
// others (array ends, NaN, inf) one by one.
struct network_points {
    template <int L, std::size_t W>
    [[gnu::always_inline]] static inline void run(const double* buf, std::size_t len,
                                                  const std::uint32_t* bad, std::size_t nbad,
                                                  std::size_t begin, const point_writer& pw) {
        using V = typename order::lanes<L>::vd;
        using VU = typename order::lanes<L>::vd_unaligned;
        std::size_t p = 0, g = 0;
        for (; g + L <= len; g += L) {
            while (p < nbad && bad[p] < g) ++p;
            if (p == nbad || bad[p] >= g + L - 1 + W) {
                const double* b = buf + g;
                V r[W], m, mad;
                const V x = *reinterpret_cast<const VU*>(b + W / 2);
                order::sort_windows<L, W>(b, r);
                order::windows_median_mad<L, W>(r, m, mad);
                pw.write_lanes<L>(begin + g, x, m, mad);
            } else {
                for (std::size_t j = 0; j < L; ++j) scalar_point(buf + g + j, W, begin + g + j, pw);
            }
        }
        for (; g < len; ++g) scalar_point(buf + g, W, begin + g, pw);
    }
};

// One block in chunks small enough that a chunk's windows stay in L1 between the pass that reads
// the input and the network that sorts them.
template <class T>
std::size_t network_path(const column<T>& c, std::size_t w, std::size_t begin, std::size_t end,
                         cpu::level level, const point_writer& pw) {
    const double_reader<T> reader(c);
    constexpr std::size_t chunk = 2048;
    const std::size_t h = w / 2;
    std::vector<double> buf(std::min(chunk, end - begin) + 2 * h);
    std::vector<std::uint32_t> bad;
    std::size_t used = 0;
    for (std::size_t first = begin; first < end; first += chunk) {
        const std::size_t len = std::min(chunk, end - first);
        load(reader, static_cast<std::ptrdiff_t>(first) - static_cast<std::ptrdiff_t>(h),
             len + 2 * h, buf.data());
        bad.clear();
        find_non_finite(buf.data(), h, 0, bad);
        used += len - find_non_finite(buf.data() + h, len, h, bad);
        find_non_finite(buf.data() + h + len, h, h + len, bad);
        const double* b = buf.data();
        const std::uint32_t* bads = bad.data();
        order::with_network<network_points>(level, w, b, len, bads, bad.size(), first, pw);
    }
    return used;
}

// ------------------------------------------------------------------ long windows: sliding
// Points between two interruption points of the sliding paths (about a millisecond of work).
constexpr std::size_t stop_check_points = std::size_t{1} << 12;

// The points [begin, end) with a sorted sliding window (flat_window or blocked_window).
template <bool Plain, class Window, class T>
std::size_t sliding_path(const column<T>& c, std::size_t w, std::size_t begin, std::size_t end,
                         const point_writer& pw, Window& win) {
    const std::size_t n = c.size(), h = w / 2;
    const auto at = [&](std::size_t j) { return j < n ? encoded<Plain>(c, j) : nan; };
    // The values that leave and enter the window when it moves to point i.
    const auto leaving = [&](std::size_t i) { return i >= h + 1 ? at(i - h - 1) : nan; };
    const auto entering = [&](std::size_t i) { return at(i + h); };
    std::vector<double> first;
    for (std::size_t j = begin >= h ? begin - h : 0; j < std::min(n, begin + h + 1); ++j) {
        const double v = at(j);
        if (is_finite(v)) first.push_back(v);
    }
    win.assign(first);
    std::size_t used = 0, split = 0;
    // The ranks of step i's values are searched one step ahead, in the array before step i - 1
    // changes it, and corrected for that change: the next search then does not wait for the
    // shift's stores, and the two overlap (about 1.7x faster at window 101).
    double out = nan, in = nan, next_out = nan, next_in = nan;
    std::size_t p = 0, q = 0, next_p = 0, next_q = 0;
    for (std::size_t i = begin; i < end; ++i) {
        if (i + 1 < end) {
            next_out = leaving(i + 1);
            next_in = entering(i + 1);
            const order::rank_pair r = win.ranks(next_out, next_in);
            next_p = r.x;
            next_q = r.y;
            if (i > begin) {
                next_p = order::rank_after(next_p, next_out, out, in);
                next_q = order::rank_after(next_q, next_in, out, in);
            }
        }
        if (i > begin) win.replace(out, p, in, q);
        out = next_out;
        in = next_in;
        p = next_p;
        q = next_q;
        const double x = at(i);
        used += is_finite(x);
        pw.write(i, x, order::window_median_mad(win, split));
        if (i % stop_check_points == 0) interruption_point();
    }
    return used;
}

// ------------------------------------------------------------------ very long windows: ranked
// The points [begin, end) with a ranked_window over the values their windows read.
template <bool Plain, class Index, class T>
std::size_t ranked_path(const column<T>& c, std::size_t w, std::size_t begin, std::size_t end,
                        const point_writer& pw) {
    const std::size_t n = c.size(), h = w / 2;  // h <= n (run clamps the window)
    const std::size_t lo = begin >= h ? begin - h : 0, hi = std::min(n, end + h);
    constexpr auto none = static_cast<Index>(-1);
    std::vector<Index> slot;  // of x[lo + k]; none for a missing or inf value
    order::ranked_window<Index> win(order::rank_slots<Index>(
        hi - lo, [&](std::size_t k) { return encoded<Plain>(c, lo + k); }, slot));
    const auto add = [&](std::size_t j) {
        if (slot[j - lo] != none) win.insert(slot[j - lo]);
    };
    for (std::size_t j = lo; j < std::min(n, begin + h + 1); ++j) {
        add(j);  // up to n values when the window spans the column: stoppable too
        if (j % stop_check_points == 0) interruption_point();
    }
    std::size_t used = 0, split = 0;
    for (std::size_t i = begin; i < end; ++i) {
        if (i > begin) {
            if (i > h && slot[i - h - 1 - lo] != none) win.erase(slot[i - h - 1 - lo]);
            if (i + h < n) add(i + h);
        }
        const double x = encoded<Plain>(c, i);
        used += is_finite(x);
        pw.write(i, x, order::sorted_median_mad(win.values(), win.size(), split));
        if (i % stop_check_points == 0) interruption_point();
    }
    return used;
}

// ------------------------------------------------------------------ the driver
// The points [begin, end) of one block, on the path for the window's size: networks up to
// network_limit, then a flat, a blocked and a ranked window as the window grows. `capacity` is
// the most finite values a window can hold, min(w, n).
template <bool Plain, class T>
std::size_t block_points(const column<T>& c, std::size_t w, std::size_t capacity, std::size_t begin,
                         std::size_t end, cpu::level level, const point_writer& pw) {
    if (w <= order::network_limit(level)) return network_path(c, w, begin, end, level, pw);
    if (capacity <= order::ranked_window_min)
        return order::with_sorted_window(capacity, level, [&](auto& win) {
            return sliding_path<Plain>(c, w, begin, end, pw, win);
        });
    // Slots as 32-bit numbers when the block's values allow it: half the memory.
    const std::size_t n = c.size();
    if (std::min(n, end + w / 2) - (begin >= w / 2 ? begin - w / 2 : 0) < UINT32_MAX)
        return ranked_path<Plain, std::uint32_t>(c, w, begin, end, pw);
    return ranked_path<Plain, std::uint64_t>(c, w, begin, end, pw);
}

template <bool Plain, class T>
summary run(const column<T>& c, const hampel_params& p, const outputs& out, std::size_t first,
            std::size_t last) {
    const std::size_t n = c.size();
    // A window of 2n + 1 values already holds the whole array at every point (h = n): longer
    // ones give the same windows, and every size below stays far from overflowing.
    const std::size_t w = std::min(p.window, n <= (SIZE_MAX - 1) / 2 ? 2 * n + 1 : SIZE_MAX);
    const point_writer pw{out, p.threshold};
    const std::size_t capacity = std::min(w, n);
    // Blocks of a size set by the window only (never by the thread count); each primes its own
    // window, a cost of O(w log w) that the block's length keeps small. Ranked windows hold 28
    // bytes per value of x[begin - h, end + h) while they prime: their blocks are 4 windows
    // long, not 16 (a third of the memory, for 1.5 sorts per point instead of 1.1).
    const std::size_t windows = capacity > order::ranked_window_min ? 4 : 16;
    const std::size_t block =
        std::max<std::size_t>(std::size_t{1} << 14, w <= n / windows ? windows * w : n);
    std::vector<std::size_t> used_per_block(block_count(last - first, block));
    const cpu::level level = cpu::active();
    for_each_block(
        last - first,
        [&](std::size_t b, std::size_t begin, std::size_t end) {
            used_per_block[b] =
                block_points<Plain>(c, w, capacity, first + begin, first + end, level, pw);
        },
        block);
    summary result;
    for (std::size_t u : used_per_block) result.n_used += u;
    return result;
}

}  // namespace hampel_detail

// For each i, the window holds the finite values of x[i-h .. i+h], cut at the array's ends.
// Its median and MAD are exact, bit for bit those of a selection on a copy of the window (the
// median as (a + b) / 2 for an even count, distances as fabs(w - m)), never a rolling-median
// approximation. Windows up to network_max sort many points at once in SIMD lanes; longer
// windows slide a sorted copy. Results depend neither on the thread count nor on the CPU level.
// The points [first, last) of c only (their windows still read c outside that range): a dask
// partition's own points in a buffer that its neighbours' values extend. `out` is indexed by
// position in c; the other points are not written, and n_used counts the range's values.
template <class T>
summary hampel(const column<T>& c, const hampel_params& p, const outputs& out, std::size_t first,
               std::size_t last) {
    if (p.window < 3 || p.window % 2 == 0)
        throw std::invalid_argument("window must be odd and >= 3");
    if (!(p.threshold > 0.0)) throw std::invalid_argument("threshold must be > 0");
    if (first > last || last > c.size()) throw std::invalid_argument("points out of range");
    if (first == last) return {};
    return values_decide(c) ? hampel_detail::run<true>(c, p, out, first, last)
                            : hampel_detail::run<false>(c, p, out, first, last);
}

template <class T>
summary hampel(const column<T>& c, const hampel_params& p, const outputs& out) {
    return hampel(c, p, out, 0, c.size());
}

}  // namespace outliers::kernels
