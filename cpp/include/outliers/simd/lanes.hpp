// Lane-parallel loops written once and compiled for every CPU level, with bit-identical results.
//
// A loop here keeps `lanes::width` (16) independent accumulators: element i of a range feeds
// lane i % 16, every lane applies the same IEEE operations in the same order, and callers
// combine the lanes in one fixed order. The vector width only decides how many lanes one
// instruction updates (2 portable, 4 with AVX2, 8 with AVX-512), so a result is bit-for-bit
// the same on every level (simd/dispatch.hpp). The loops (lanes_loops.inc) use GCC/Clang
// vector extensions, and x86 intrinsics where those compile poorly: comparison bits, mask
// registers, non-temporal stores.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "outliers/simd/cpu.hpp"
#include "outliers/simd/dispatch.hpp"

#if defined(OUTLIERS_X86)
#include <immintrin.h>
#endif

namespace outliers::lanes {

inline constexpr std::size_t width = 16;

// Ranges of this many elements are read from memory once and, where a method needs it, swept
// again from the L1 cache (16 KiB of doubles); parallel blocks are a whole number of them.
inline constexpr std::size_t sub_block = 2048;

// From this many values on (32 MiB of float64, more than a last-level cache slice holds), the
// kernels write flags with non-temporal stores: they would be evicted by the data streaming in
// before anyone reads them, and each write would first read the flag's line from memory.
inline constexpr std::size_t stream_min = std::size_t{1} << 22;

// Per-lane sums over the finite values of a range: sum (plus TwoSum compensation) and count.
struct lane_sums {
    double s[width] = {}, c[width] = {}, n[width] = {};
};

// Per-lane sums of x - mean, (x - mean)^2 and |x - first| over the finite values. The first
// lets pooled moments take deviations from a rounded mean exactly (moments.hpp); the last is
// zero iff every finite value equals `first` (a difference of two distinct doubles is never
// zero, and a sum of non-negative terms is zero only if every term is).
struct lane_spread {
    double d1[width] = {}, m2[width] = {}, dev[width] = {};
};

// Per-lane sums of d = x - shift and of d^2, and the count, over the finite values.
struct shifted_sums {
    double s1[width] = {}, s2[width] = {}, n[width] = {};
};

// Two thresholds on |x - shift| around a method's expected limit: once the exact limit is known
// to lie between them (zscore_impl::bands_hold), a value with |x - shift| <= inner is surely not
// flagged and one with |x - shift| > outer surely is. The loops compare (x - shift)^2, which
// the sums need anyway, with inner^2 and outer^2; both squares must be finite normal numbers.
struct bands {
    double inner = 0.0, outer = 0.0;
};

namespace detail {

inline constexpr double inf = std::numeric_limits<double>::infinity();

// The scalar twins of the loops' bodies: tails and the portable reading of each lane.

// s + x into s, its rounding error into c: Knuth's TwoSum (TAOCP vol. 2, §4.2.2), exact and
// branch-free.
inline void two_sum(double& s, double& c, double x) noexcept {
    const double t = s + x;
    const double z = t - s;
    c = c + ((s - (t - z)) + (x - z));
    s = t;
}

inline void sum_one(lane_sums& a, std::size_t l, double x, bool compensated) noexcept {
    const bool finite = std::fabs(x) < inf;
    const double xs = finite ? x : 0.0;
    if (compensated) {
        two_sum(a.s[l], a.c[l], xs);
    } else {
        a.s[l] = a.s[l] + xs;
    }
    a.n[l] = a.n[l] + (finite ? 1.0 : 0.0);
}

inline void spread_one(lane_spread& a, std::size_t l, double x, double mean,
                       double first) noexcept {
    const bool finite = std::fabs(x) < inf;
    const double d = x - mean;
    a.d1[l] = a.d1[l] + (finite ? d : 0.0);
    a.m2[l] = a.m2[l] + (finite ? d * d : 0.0);
    a.dev[l] = a.dev[l] + (finite ? std::fabs(x - first) : 0.0);
}

inline void shifted_one(shifted_sums& a, std::size_t l, double x, double shift) noexcept {
    const bool finite = std::fabs(x) < inf;
    const double d = finite ? x - shift : 0.0;
    a.s1[l] = a.s1[l] + d;
    a.s2[l] = a.s2[l] + d * d;
    a.n[l] = a.n[l] + (finite ? 1.0 : 0.0);
}

// 0 for (x - shift)^2 <= inner^2 (NaN too: it compares false), 1 above outer^2 (±inf too), 2 in
// between (undecided).
inline std::uint8_t band_code(double x, double shift, const bands& b) noexcept {
    const double d = x - shift;
    const double d2 = d * d;
    const int in = d2 > b.inner * b.inner, out = d2 > b.outer * b.outer;
    return static_cast<std::uint8_t>(in + in - out);
}

// |x - center| > limit: with a finite center and limit, NaN is never and ±inf always beyond.
inline std::uint8_t beyond_one(double x, double center, double limit) noexcept {
    return std::fabs(x - center) > limit ? 1 : 0;
}

// The rules of fast_flags.hpp: a finite x is flagged by the method's test, ±inf always, NaN
// never (comparisons with NaN are false).
inline std::uint8_t outside_rule(double x, double lower, double upper) noexcept {
    return x < lower || x > upper || std::fabs(x) == inf;
}
inline std::uint8_t deviation_rule(double x, double center, double scale,
                                   double threshold) noexcept {
    return std::fabs(x - center) / scale > threshold || std::fabs(x) == inf;
}

inline double ratio_one(double x, double center, double scale) noexcept {
    return std::fabs(x - center) / scale;
}

inline bool outside_one(double x, double lo, double hi) noexcept {
    return (x < lo || x > hi) && std::fabs(x) < inf;
}

// The missing/infinite rules for a method that flags nothing finite yet: flag ±inf; score 0
// (finite), NaN (NaN), +inf (±inf).
inline void special_one(double x, std::uint8_t* flag, double* score) noexcept {
    const double ax = std::fabs(x);
    if (flag) *flag = ax == inf;
    if (score) *score = ax < inf ? 0.0 : ax;
}

}  // namespace detail
}  // namespace outliers::lanes

#define OUTLIERS_SIMD_LOOPS "outliers/simd/lanes_loops.inc"
#include "outliers/simd/each_level.inc"

namespace outliers::lanes {

// Lane sums of the finite values of p[0, len): plain, or compensated (TwoSum per lane).
inline lane_sums sums(cpu::level level, const double* p, std::size_t len,
                      bool compensated) noexcept {
    return simd::dispatch(level, [&](auto at) { return detail::sums(at, p, len, compensated); });
}

// Lane sums of x - mean, (x - mean)^2 and, `with_dev`, |x - first| over the finite values of
// p[0, len) (without it, dev is left 0). `all_finite` says that every value is (a faster loop,
// the same result).
inline lane_spread spread(cpu::level level, const double* p, std::size_t len, double mean,
                          double first, bool all_finite = false, bool with_dev = true) noexcept {
    return simd::dispatch(level, [&](auto at) {
        return detail::spread(at, p, len, mean, first, all_finite, with_dev);
    });
}

// Lane sums of x - shift and (x - shift)^2 over the finite values of p[0, len); with `flags`,
// also flags[i] = (band_code(p[i], shift, b) == 1), and the offsets and values of the code-2
// values, ascending, appended to offsets[] and values[] (room for len of each), counted in
// n_undecided; then len <= sub_block. `stream` writes the flags with non-temporal stores (for
// outputs larger than the caches). `expect_missing` (a hint: the result is the same) skips a
// quick loop that assumes every value finite.
inline shifted_sums shifted(cpu::level level, const double* p, std::size_t len, double shift,
                            const bands& b = {}, std::uint8_t* flags = nullptr, bool stream = false,
                            std::uint16_t* offsets = nullptr, double* values = nullptr,
                            std::size_t* n_undecided = nullptr,
                            bool expect_missing = false) noexcept {
    std::size_t none = 0;
    std::size_t& count = n_undecided ? *n_undecided : none;
    return simd::dispatch(level, [&](auto at) {
        return detail::shifted(at, p, len, shift, b, flags, stream, offsets, values, count,
                               expect_missing);
    });
}

// Orders the non-temporal stores of shifted(..., stream = true) before every later store, so
// that they are seen by another thread once it sees a later one (e.g. a task's completion):
// once per parallel block, as a fence costs the time to drain them.
inline void store_fence() noexcept {
#if defined(OUTLIERS_X86)
    _mm_sfence();
#endif
}

// flags[i] = |p[i] - center| > limit (center and limit finite).
inline void beyond(cpu::level level, const double* p, std::size_t len, double center, double limit,
                   std::uint8_t* flags) noexcept {
    return simd::dispatch(
        level, [&](auto at) { return detail::beyond(at, p, len, center, limit, flags); });
}

// flags[i] = detail::outside_rule(p[i], lower, upper).
inline void outside_flags(cpu::level level, const double* p, std::size_t len, double lower,
                          double upper, std::uint8_t* flags) noexcept {
    return simd::dispatch(
        level, [&](auto at) { return detail::outside_flags(at, p, len, lower, upper, flags); });
}

// flags[i] = detail::deviation_rule(p[i], center, scale, threshold).
inline void deviation_flags(cpu::level level, const double* p, std::size_t len, double center,
                            double scale, double threshold, std::uint8_t* flags) noexcept {
    return simd::dispatch(level, [&](auto at) {
        return detail::deviation_flags(at, p, len, center, scale, threshold, flags);
    });
}

// scores[i] = |p[i] - center| / scale (center finite, scale finite and > 0).
inline void ratio(cpu::level level, const double* p, std::size_t len, double center, double scale,
                  double* scores) noexcept {
    return simd::dispatch(
        level, [&](auto at) { return detail::ratio(at, p, len, center, scale, scores); });
}

// Compensated lane sums of the finite values of p[0, len) (as sums()); special_one's outputs
// into flags[] and scores[] (either may be null; `stream` writes the flags with non-temporal
// stores, see store_fence); and the offsets, ascending, of the finite values below lo or above
// hi into hits[] (room for len), counted in n_hits. len <= sub_block. `expect_missing` (a hint:
// the result is the same) skips a quick first try that assumes every value finite.
inline lane_sums extremes(cpu::level level, const double* p, std::size_t len, std::uint8_t* flags,
                          double* scores, double lo, double hi, std::uint16_t* hits,
                          std::size_t& n_hits, bool stream = false,
                          bool expect_missing = false) noexcept {
    return simd::dispatch(level, [&](auto at) {
        return detail::extremes(at, p, len, flags, scores, stream, lo, hi, hits, n_hits,
                                expect_missing);
    });
}

}  // namespace outliers::lanes
