// The counting/gathering pass of select.hpp: one read of the values that counts them against
// a few bracket bounds and keeps the few strictly inside a bracket; its loops (scan_loops.inc) are
// compiled per CPU level (simd/dispatch.hpp).
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "outliers/simd/cpu.hpp"
#include "outliers/simd/dispatch.hpp"

#if defined(OUTLIERS_X86)
#include <immintrin.h>
#endif

namespace outliers::select_detail {

// Doubles are compared through an order-preserving integer image (the radix-sort key of
// Herf, "Radix tricks", 2001; also Knuth TAOCP vol. 3, 5.2.5): positive values keep their
// bits, negative ones flip all bits but the sign. As signed integers the keys order as
// -NaN < -inf < ... < -0.0 < +0.0 < ... < +inf < +NaN. A total order that puts -0.0 before
// +0.0 makes every order statistic one well-defined value, whichever path computes it.
using order_key = std::int64_t;

inline order_key key_of(double x) noexcept {
    std::uint64_t b;
    std::memcpy(&b, &x, sizeof b);
    std::int64_t s;
    std::memcpy(&s, &b, sizeof s);
    b ^= static_cast<std::uint64_t>(s >> 63) >> 1;
    std::memcpy(&s, &b, sizeof s);
    return s;
}

// key_of is its own inverse.
inline double value_of(order_key k) noexcept {
    std::uint64_t b;
    std::memcpy(&b, &k, sizeof b);
    b ^= static_cast<std::uint64_t>(k >> 63) >> 1;
    double x;
    std::memcpy(&x, &b, sizeof x);
    return x;
}

// The keys as unsigned integers in the same order (the sign bit flipped): their digits are what
// radix selection histograms.
inline std::uint64_t image_of(order_key k) noexcept {
    return static_cast<std::uint64_t>(k) ^ (std::uint64_t{1} << 63);
}
inline order_key key_of_image(std::uint64_t u) noexcept {
    const std::uint64_t b = u ^ (std::uint64_t{1} << 63);
    order_key k;
    std::memcpy(&k, &b, sizeof k);
    return k;
}

inline constexpr order_key key_pos_inf = 0x7FF0000000000000;  // key_of(+inf)
inline constexpr order_key key_highest = key_pos_inf - 1;     // key_of(DBL_MAX)
inline constexpr order_key key_lowest = -key_pos_inf;         // key_of(-DBL_MAX)
inline constexpr order_key key_neg_inf = key_lowest - 1;      // key_of(-inf)

inline constexpr int max_intervals = 3;

// What one pass looks for. Each interval [lo, hi] (finite keys, lo <= hi, intervals ordered and
// disjoint) brackets wanted ranks; the pass counts the keys below each interval and gathers
// those inside. `strict`: gather only lo < key < hi and count the keys at each bound, so that
// a mass of ties at a bound costs nothing; otherwise (fewer operations per value) gather
// lo <= key <= hi and count only below lo and up to hi. With `deviations`, the keys are those
// of |x - center|.
struct scan_plan {
    int intervals = 0;
    order_key lo[max_intervals]{};
    order_key hi[max_intervals]{};
    bool strict = true;
    bool deviations = false;
    double center = 0.0;
};

// Raw counts over every value read, NaN and infinities included in whatever they compare to.
// le_lo and lt_hi are counted in strict plans only.
struct scan_counts {
    std::uint64_t at_or_below_neg_inf = 0;  // keys <= key(-inf): -inf, negative NaN
    std::uint64_t below_pos_inf = 0;        // keys < key(+inf)
    std::uint64_t overflow = 0;             // deviations only: x finite but |x - center| = inf
    std::uint64_t lt_lo[max_intervals]{}, le_lo[max_intervals]{};
    std::uint64_t lt_hi[max_intervals]{}, le_hi[max_intervals]{};

    void add(const scan_counts& o) noexcept {
        at_or_below_neg_inf += o.at_or_below_neg_inf;
        below_pos_inf += o.below_pos_inf;
        overflow += o.overflow;
        for (int j = 0; j < max_intervals; ++j) {
            lt_lo[j] += o.lt_lo[j];
            le_lo[j] += o.le_lo[j];
            lt_hi[j] += o.lt_hi[j];
            le_hi[j] += o.le_hi[j];
        }
    }
};

// The shared destination of the gathered keys: one region per interval, filled through an
// atomic cursor by every block. Keys beyond a region's capacity are dropped, but `used` counts
// them all, so the caller sees an overflow whatever the thread count.
struct gather_regions {
    order_key* data[max_intervals]{};
    std::size_t capacity[max_intervals]{};
    std::atomic<std::size_t> used[max_intervals]{};
};

// A block's own staging area: gathered keys are copied to the shared regions in bulk.
struct scan_stage {
    static constexpr std::size_t piece = 1024;  // elements between two flush checks
    static constexpr std::size_t capacity = 2 * piece + 16;
    order_key keys[max_intervals][capacity];
    std::size_t fill[max_intervals]{};
    gather_regions* regions = nullptr;

    void flush(int intervals) noexcept {
        for (int j = 0; j < intervals; ++j) {
            const std::size_t count = fill[j];
            if (count == 0) continue;
            const std::size_t at = regions->used[j].fetch_add(count, std::memory_order_relaxed);
            if (at + count <= regions->capacity[j])
                std::memcpy(regions->data[j] + at, keys[j], count * sizeof(order_key));
            fill[j] = 0;
        }
    }
    // Between two pieces: flushes once a row could not take another piece. `local` is the
    // kernel's own copy of the fill counts (kept in registers), updated here.
    void flush_if_needed(std::size_t* local, int intervals) noexcept {
        for (int j = 0; j < intervals; ++j)
            if (local[j] > capacity - piece - 16) {
                std::copy(local, local + intervals, fill);
                flush(intervals);
                std::fill(local, local + intervals, std::size_t{0});
                return;
            }
    }
};

template <class Count>
inline std::uint64_t as_count(Count c) noexcept {
    return static_cast<std::uint64_t>(c);
}

// The bounds as scan_one reads them: a local copy, so that storing a gathered key (an int64,
// which may alias a plan's keys) does not force them to be read again.
template <int M>
struct bounds {
    order_key lo[M], hi[M];
    double center;
    explicit bounds(const scan_plan& p) : center(p.center) {
        std::copy(p.lo, p.lo + M, lo);
        std::copy(p.hi, p.hi + M, hi);
    }
};

// One value, portable: the reference the vectorised loops must agree with.
template <int M, bool Dev, bool Strict>
inline void scan_one(double x, const bounds<M>& p, scan_counts& c,
                     order_key (*keys)[scan_stage::capacity], std::size_t* fill) noexcept {
    order_key k;
    if constexpr (Dev) {
        k = key_of(std::fabs(x - p.center));
        c.overflow += as_count(std::fabs(x) < HUGE_VAL && k == key_pos_inf);
    } else {
        k = key_of(x);
        c.at_or_below_neg_inf += as_count(k <= key_neg_inf);
    }
    c.below_pos_inf += as_count(k < key_pos_inf);
    for (int j = 0; j < M; ++j) {
        c.lt_lo[j] += as_count(k < p.lo[j]);
        c.le_hi[j] += as_count(k <= p.hi[j]);
        keys[j][fill[j]] = k;
        if constexpr (Strict) {
            c.le_lo[j] += as_count(k <= p.lo[j]);
            c.lt_hi[j] += as_count(k < p.hi[j]);
            fill[j] += static_cast<std::size_t>(k > p.lo[j] && k < p.hi[j]);
        } else {
            fill[j] += static_cast<std::size_t>(k >= p.lo[j] && k <= p.hi[j]);
        }
    }
}

template <int M, bool Dev, bool Strict>
void scan_portable(const double* x, std::size_t len, const scan_plan& p, scan_counts& c,
                   scan_stage& st) {
    // Local counts, fills and bounds: through c, st and p, every stored key (an int64, which
    // may alias them) would send them back to memory.
    const bounds<M> b(p);
    scan_counts local;
    std::size_t fill[M];
    std::copy(st.fill, st.fill + M, fill);
    for (std::size_t i = 0; i < len;) {
        const std::size_t end = std::min(len, i + scan_stage::piece);
        for (; i < end; ++i) scan_one<M, Dev, Strict>(x[i], b, local, st.keys, fill);
        st.flush_if_needed(fill, M);
    }
    std::copy(fill, fill + M, st.fill);
    c.add(local);
}

// The vector kernels' counters, lane totals in this order: -inf side, below +inf, overflow,
// then lt_lo, le_lo, lt_hi, le_hi for each interval.
inline constexpr int counter_count = 3 + 4 * max_intervals;

// Adds a vector kernel's totals to c, then runs the values left over, x[i, len), one by one.
template <int M, bool Dev, bool Strict>
void finish_scan(const std::uint64_t* sums, const double* x, std::size_t i, std::size_t len,
                 const scan_plan& p, scan_counts& c, scan_stage& st, std::size_t* fill) {
    c.at_or_below_neg_inf += sums[0];
    c.below_pos_inf += sums[1];
    c.overflow += sums[2];
    for (int j = 0; j < M; ++j) {
        c.lt_lo[j] += sums[3 + 4 * j];
        c.le_lo[j] += sums[4 + 4 * j];
        c.lt_hi[j] += sums[5 + 4 * j];
        c.le_hi[j] += sums[6 + 4 * j];
    }
    const bounds<M> b(p);
    for (; i < len; ++i) scan_one<M, Dev, Strict>(x[i], b, c, st.keys, fill);
    std::copy(fill, fill + M, st.fill);
}

}  // namespace outliers::select_detail

#define OUTLIERS_SIMD_LOOPS "outliers/simd/scan_loops.inc"
#include "outliers/simd/each_level.inc"

namespace outliers::select_detail {

template <int M, bool Dev, bool Strict>
void scan_level(const double* x, std::size_t len, const scan_plan& p, scan_counts& c,
                scan_stage& st, cpu::level level) {
    simd::dispatch(level, [&](auto at) { scan_at<M, Dev, Strict>(at, x, len, p, c, st); });
}

template <bool Dev, bool Strict>
void scan_mode(const double* x, std::size_t len, const scan_plan& p, scan_counts& c, scan_stage& st,
               cpu::level level) {
    switch (p.intervals) {
        case 1:
            return scan_level<1, Dev, Strict>(x, len, p, c, st, level);
        case 2:
            return scan_level<2, Dev, Strict>(x, len, p, c, st, level);
        default:
            return scan_level<3, Dev, Strict>(x, len, p, c, st, level);
    }
}

// Counts x[0, len) against the plan into c and stages the keys inside an interval. Every CPU
// level gives the same counts and the same multiset of gathered keys.
inline void scan(const double* x, std::size_t len, const scan_plan& p, scan_counts& c,
                 scan_stage& st, cpu::level level) {
    if (p.deviations) {
        if (p.strict)
            scan_mode<true, true>(x, len, p, c, st, level);
        else
            scan_mode<true, false>(x, len, p, c, st, level);
    } else {
        if (p.strict)
            scan_mode<false, true>(x, len, p, c, st, level);
        else
            scan_mode<false, false>(x, len, p, c, st, level);
    }
}

}  // namespace outliers::select_detail
