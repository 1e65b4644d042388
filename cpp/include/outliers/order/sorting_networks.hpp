// Small sorted windows by sorting networks: the windows of L consecutive points sorted at once,
// one per SIMD lane, and their medians and MADs (hampel's short windows today, rolling windows
// later). A network's comparators do not depend on the data, so one sequence of vector min/max
// sorts every lane; exact, so every lane width gives the same bits.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "outliers/simd/cpu.hpp"
#include "outliers/simd/dispatch.hpp"

#define OUTLIERS_SIMD_LOOPS "outliers/order/network_loops.inc"
#include "outliers/simd/each_level.inc"

namespace outliers::order {

// Windows up to these sizes are worth a network over several points at once; longer ones are
// better kept sorted as they slide (sliding_window.hpp). Timed on 10^7 normal values: with 4 or
// 8 lanes the network is 3x faster than the sliding window at 31, with 2 lanes (SSE2, NEON) only
// up to about 21. Each size is its own unrolled function: compile time grows with the total of
// comparators.
inline constexpr std::size_t network_max = 31;
inline constexpr std::size_t portable_network_max = 21;

inline std::size_t network_limit(cpu::level level) noexcept {
    return level >= cpu::level::avx2 ? network_max : portable_network_max;
}

// Batcher's merge exchange (Knuth TAOCP vol. 3 §5.2.2, Algorithm M): a sorting network for any
// n, data-independent, so the same comparators sort many windows at once in SIMD lanes.
struct comparator {
    int lo, hi;
};

constexpr std::size_t merge_exchange(std::size_t n, comparator* out) {
    std::size_t count = 0;
    int t = 0;
    while ((std::size_t{1} << t) < n) ++t;
    for (int p = 1 << (t - 1); p > 0; p >>= 1) {
        int q = 1 << (t - 1), r = 0, d = p;
        for (;;) {
            for (int i = 0; i + d < static_cast<int>(n); ++i)
                if ((i & p) == r) {
                    if (out) out[count] = {i, i + d};
                    ++count;
                }
            if (q == p) break;
            d = q - p;
            q >>= 1;
            r = p;
        }
    }
    return count;
}

template <std::size_t N>
struct sorting_network {
    static constexpr std::size_t size = merge_exchange(N, nullptr);
    static constexpr std::array<comparator, size> pairs = [] {
        std::array<comparator, size> a{};
        merge_exchange(N, a.data());
        return a;
    }();
};

// L doubles in one vector (GCC/Clang vector extensions: the compiler picks the instructions of
// the CPU level the calling function is compiled for).
template <int L>
struct lanes {
    typedef double vd __attribute__((vector_size(8 * L)));
    typedef double vd_unaligned __attribute__((vector_size(8 * L), aligned(8), may_alias));
    typedef std::int64_t vi __attribute__((vector_size(8 * L)));
    typedef std::uint8_t vb __attribute__((vector_size(L)));
};

// One comparator: the smaller value to a, the larger to b, as x86's minpd/maxpd define min and
// max; exact, so every lane width gives the same result. (Vectors pass by reference: by value,
// a wide vector's calling convention would depend on the CPU level.)
template <class V>
[[gnu::always_inline]] inline void compare_exchange(V& a, V& b) {
    const V lo = a < b ? a : b;
    b = a > b ? a : b;
    a = lo;
}

// The windows b[j, j + W) of L consecutive points j < L, lane j of r[k] being the value of rank
// k in window j. The values must be comparable (no NaN: sort only windows of finite values).
template <int L, std::size_t W>
[[gnu::always_inline]] inline void sort_windows(const double* b, typename lanes<L>::vd (&r)[W]) {
    using VU = typename lanes<L>::vd_unaligned;
#pragma GCC unroll 64
    for (std::size_t k = 0; k < W; ++k) r[k] = *reinterpret_cast<const VU*>(b + k);
    // A loop the compiler unrolls (rather than a fold over the comparators): as fast, and it
    // compiles in half the time.
    using net = sorting_network<W>;
#pragma GCC unroll 4096
    for (std::size_t k = 0; k < net::size; ++k)
        compare_exchange(r[net::pairs[k].lo], r[net::pairs[k].hi]);
}

// Median m and unscaled MAD of each lane of sorted windows of odd size W (as sort_windows
// leaves them). m = r[h], and with the distances A_t = m - r[h-1-t] and B_t = r[h+t] - m
// (|A| = h, |B| = h + 1, B_0 = 0: see sorted_median_mad) the MAD, rank h of A u B, is the
// minimum over the splits i of max(A_{i-1}, B_{h-i}): every split's maximum bounds the rank from
// above, the right one meets it. No search: the same operations in every lane.
template <int L, std::size_t W>
[[gnu::always_inline]] inline void windows_median_mad(const typename lanes<L>::vd (&r)[W],
                                                      typename lanes<L>::vd& m,
                                                      typename lanes<L>::vd& mad) {
    static_assert(W % 2 == 1, "odd windows only");
    using V = typename lanes<L>::vd;
    constexpr std::size_t h = W / 2;
    m = r[h];
    const V all_b = r[2 * h] - m, all_a = m - r[0];  // B_h and A_{h-1}: the splits i = 0, h
    mad = all_b < all_a ? all_b : all_a;
    for (std::size_t q = 1; q < h; ++q) {
        const V a = m - r[h - q], b = r[2 * h - q] - m;  // A_{q-1} and B_{h-q}
        const V split = a > b ? a : b;
        mad = split < mad ? split : mad;
    }
}

// ------------------------------------------------------------------ one function per CPU level
// Body::template run<L, W>(args...) with W = w (odd, 3 <= w <= network_limit(level)) as a
// constant and L the doubles per vector of the level, compiled per level (simd/dispatch.hpp);
// Body::run must be [[gnu::always_inline]]. One function per window size, not one for all: the
// compiler's time grows faster than a function's size. The portable level stops at
// portable_network_max: its longer networks are never called, and not compiled.
template <class Body, std::size_t W = 3, class... Args>
void with_network(cpu::level level, std::size_t w, Args... args) {
    if constexpr (W + 2 <= network_max) {
        if (w != W) return with_network<Body, W + 2>(level, w, args...);
    }
    simd::dispatch(level, [&](auto at) {
        if constexpr (decltype(at)::level != cpu::level::portable || W <= portable_network_max)
            network_detail::network_at<Body, W>(at, args...);
    });
}

}  // namespace outliers::order
