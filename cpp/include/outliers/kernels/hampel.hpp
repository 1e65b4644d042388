// Hampel filter (Hampel 1974; Pearson 2002): exact median and MAD of each centred window (SPEC §4, `hampel`).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "outliers/simd/cpu.hpp"
#include "outliers/interrupt.hpp"
#include "outliers/outputs.hpp"
#include "outliers/kernels/mad.hpp"

namespace outliers::kernels {

struct hampel_params {
    std::size_t window = 7;
    double threshold = 3.0;
};

namespace hampel_detail {

// Windows up to these sizes run a sorting network over several outputs at once; longer ones keep
// their window sorted as it slides. Timed on 10^7 normal values: with 4 or 8 lanes the network
// is 3x faster than the sliding window at 31, with 2 lanes (SSE2, NEON) only up to about 21.
// Each size is its own unrolled function: compile time grows with the total of comparators.
inline constexpr std::size_t network_max = 31;
inline constexpr std::size_t portable_network_max = 21;

inline std::size_t network_limit(cpu::level level) noexcept {
    return level >= cpu::level::avx2 ? network_max : portable_network_max;
}

// ------------------------------------------------------------------ reading the input
// Every value the kernel reads is "encoded" as one double: NaN for a missing value (whatever
// declared it missing), +-inf as is, finite values plus 0.0. Adding 0.0 turns -0.0 into +0.0:
// the two compare equal, so which one a selection returns would otherwise depend on the
// algorithm; with one zero, every path returns the same bits.
template <class T>
bool values_decide(const column<T>& c) noexcept {
    bool nat = false;
    if constexpr (std::is_same_v<T, std::int64_t>) nat = c.int_min_is_missing;
    return !c.has_mask() && !c.valid_bits && c.sentinel_count == 0 && !nat;
}

template <bool Plain, class T>
double encoded(const column<T>& c, std::size_t j) noexcept {
    if constexpr (!Plain)
        if (classify(c, j) == state::missing) return nan;
    return value(c, j) + 0.0;
}

// buf[k] = encoded value of x[first + k] for k < len, NaN where first + k lies outside [0, n):
// a window cut at the array's ends is a window with missing values.
template <bool Plain, class T>
void load(const column<T>& c, std::ptrdiff_t first, std::size_t len, double* buf) {
    const auto n = static_cast<std::ptrdiff_t>(c.size());
    std::size_t k = 0;
    for (; k < len && first + static_cast<std::ptrdiff_t>(k) < 0; ++k) buf[k] = nan;
    auto j = static_cast<std::size_t>(first + static_cast<std::ptrdiff_t>(k));
    const std::size_t stop =
        std::min(len, static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, n - first)));
    if (Plain && c.values.stride == 1) {
        const T* p = c.values.data + j;
        for (std::size_t q = 0; k < stop; ++k, ++q) buf[k] = static_cast<double>(p[q]) + 0.0;
    } else {
        for (; k < stop; ++k, ++j) buf[k] = encoded<Plain>(c, j);
    }
    for (; k < len; ++k) buf[k] = nan;
}

inline bool is_finite(double v) noexcept { return std::fabs(v) < inf; }

// ------------------------------------------------------------------ one point's statistics
struct point_stats {
    double median = nan;
    double mad = nan;  // unscaled
};

// Median and MAD of the sorted finite values s[0, n), with the rounding of the brute force
// (median_inplace on the window, then on fabs(w - m)). Values left of c = n/2 are <= m and those
// from c on are >= m, so the distances are two sorted sequences: A_t = m - s[c-1-t] (rising in t)
// and B_t = s[c+t] - m. In round-to-nearest fl(m - w) = -fl(w - m), so these are exactly
// fabs(w - m). The MAD's rank(s) then come from the k-th smallest of the union of two sorted
// arrays (Cormen et al., Introduction to Algorithms, 3rd ed., exercise 9.3-8): the K = c + 1
// smallest distances are the first i of A and the first K - i of B, for the smallest i in
// [lo, hi] with A_i >= B_{K-i-1} (the next value of A is no smaller than the last of B taken),
// found in O(log n) instead of a second selection.
// `split` carries that i from one window to the next: a sliding window changes by one value, so
// i moves by a step or two and a check around the previous i usually finds it at once.
template <class Sorted>  // s[r] is the value of rank r
point_stats sorted_stats(const Sorted& s, std::size_t n, std::size_t& split) noexcept {
    point_stats r;
    if (n == 0) return r;
    const std::size_t c = n / 2;
    const bool odd = n % 2 == 1;
    const double m = numpy_median(s[odd ? c : c - 1], s[c], !odd);  // finite where a + b overflows
    r.median = m;
    const std::size_t K = c + 1;
    const std::size_t lo = odd ? 0 : 1;  // |B| = n - c: K - |B| is 0 (odd n) or 1 (even n)
    const std::size_t hi = c;            // |A| = c; the test holds at hi by definition
    // Whether the split i is at or past the answer (only called with lo <= i < hi).
    const auto past = [&](std::size_t i) { return m - s[c - 1 - i] >= s[c + K - i - 1] - m; };
    std::size_t i;
    // Near the previous split g: if the test fails at g - 2 and holds at g + 1, the answer is
    // g - 2 plus the number of failures among g - 2 .. g + 1 (four independent tests, no branch).
    const std::size_t g = split;
    if (g >= lo + 2 && g + 1 < hi && !past(g - 2) && past(g + 1)) {
        i = g - 1 + !past(g - 1) + !past(g);
    } else {
        // Galloping from g (Bentley & Yao 1976, "An almost optimal algorithm for unbounded
        // searching"): steps of 1, 2, 4, ... bound the answer to [first, last] in O(log d) tests
        // for an answer d away from g. (A far jump, one in ten points near the array's ends of
        // a window as long as the array, costs a ranked window a descent per test.)
        std::size_t first = lo, last = hi;
        const std::size_t at = std::min(std::max(g, lo), hi);
        if (at == hi || past(at)) {
            last = at;
            for (std::size_t step = 1; last - first > step; step *= 2) {
                if (!past(last - step)) {
                    first = last - step + 1;
                    break;
                }
                last -= step;
            }
        } else {
            first = at + 1;
            for (std::size_t step = 1; last - first > step; step *= 2) {
                if (past(first + step - 1)) {
                    last = first + step - 1;
                    break;
                }
                first += step;
            }
        }
        // Then branch-free halving over the candidates [i, i + len): the outcome of each test
        // is a coin flip (Khuong & Morin 2017, "Array layouts for comparison-based searching").
        i = first;
        for (std::size_t len = last - first + 1; len > 1;) {
            const std::size_t half = len / 2;
            i += static_cast<std::size_t>(!past(i + half - 1)) * half;
            len -= half;
        }
    }
    split = i;
    const std::size_t j = K - i;
    const double a1 = i > 0 ? m - s[c - i] : -inf;  // largest taken from A
    const double b1 = j > 0 ? s[c + j - 1] - m : -inf;
    const double kth = std::max(a1, b1);
    if (odd) {
        r.mad = kth;
        return r;
    }
    // Even n: the mean of ranks c - 1 and c, the two largest of the K taken.
    double second;
    if (i > 0 && a1 >= b1)
        second = std::max(i > 1 ? m - s[c - i + 1] : -inf, b1);
    else
        second = std::max(a1, j > 1 ? s[c + j - 2] - m : -inf);
    r.mad = numpy_median(second, kth, true);
    return r;
}

// Writes point i from its encoded value x and its window's statistics, as SPEC §3/§4 say.
struct point_writer {
    const outputs& out;
    double threshold;

    // The score and flag of a finite x whose distance |x - m| overflowed (x and m of opposite
    // signs near +-1e308): inf / S would be NaN for an S that overflowed too (a finite value
    // with the score SPEC §3 keeps for missing ones), inf for a finite true score. Both are
    // taken from the halves, exact at these magnitudes (far from the subnormals): the score
    // and the comparison of arithmetic without overflow.
    void write_overflowed(std::size_t i, double x, double m, double mad) const noexcept {
        const double d = std::fabs(x / 2.0 - m / 2.0), s = mad_scale * (mad / 2.0);
        if (out.scores) out.scores[i] = s > 0.0 ? d / s : inf;
        if (out.flags) out.flags[i] = d > threshold * s;
    }

    void write(std::size_t i, double x, const point_stats& st) const noexcept {
        const double m = st.median;
        const double s = mad_scale * st.mad;
        if (out.center) out.center[i] = m;
        if (out.lower) out.lower[i] = m - threshold * s;
        if (out.upper) out.upper[i] = m + threshold * s;
        if (std::isnan(x)) {
            if (out.scores) out.scores[i] = nan;
            if (out.flags) out.flags[i] = 0;
            return;
        }
        if (std::isinf(x)) {
            if (out.scores) out.scores[i] = inf;
            if (out.flags) out.flags[i] = 1;
            return;
        }
        const double d = std::fabs(x - m);
        if (d == inf) return write_overflowed(i, x, m, st.mad);
        if (out.scores) out.scores[i] = s > 0.0 ? d / s : d == 0.0 ? 0.0 : inf;
        if (out.flags) out.flags[i] = d > threshold * s;
    }
};

// ------------------------------------------------------------------ small windows: networks
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

#if defined(__has_builtin)
#if __has_builtin(__builtin_shufflevector)
#define OUTLIERS_HAMPEL_SHUFFLE 1
#endif
#endif

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

// Any window, any content: its finite values sorted by insertion (at most network_max of them).
[[gnu::noinline]] inline void scalar_point(const double* win, std::size_t w, std::size_t i,
                                           const point_writer& pw) {
    double s[network_max];
    std::size_t n = 0;
    for (std::size_t k = 0; k < w; ++k) {
        const double v = win[k];
        if (!is_finite(v)) continue;
        std::size_t j = n++;
        for (; j > 0 && s[j - 1] > v; --j) s[j] = s[j - 1];
        s[j] = v;
    }
    std::size_t split = 0;
    pw.write(i, win[w / 2], sorted_stats(static_cast<const double*>(s), n, split));
}

// L consecutive points whose windows (b[0, L - 1 + W)) hold only finite values: lane j sorts
// the window of point i + j. Then m = r[h], and with the distances A and B of sorted_stats
// (|A| = h, |B| = h + 1, B_0 = 0) the MAD, rank h of A u B, is min over the splits i of
// max(A_{i-1}, B_{h-i}): every split's maximum bounds the rank from above, the right one meets it.
template <int L, std::size_t W>
[[gnu::always_inline]] inline void network_group(const double* b, std::size_t i,
                                                 const point_writer& pw) {
    using V = typename lanes<L>::vd;
    using VB = typename lanes<L>::vb;
    constexpr std::size_t h = W / 2;
    using VU = typename lanes<L>::vd_unaligned;
    V r[W];
#pragma GCC unroll 64
    for (std::size_t k = 0; k < W; ++k) r[k] = *reinterpret_cast<const VU*>(b + k);
    const V x = r[h];
    // A loop the compiler unrolls (rather than a fold over the comparators): as fast, and it
    // compiles in half the time.
    using net = sorting_network<W>;
#pragma GCC unroll 4096
    for (std::size_t k = 0; k < net::size; ++k)
        compare_exchange(r[net::pairs[k].lo], r[net::pairs[k].hi]);
    const V m = r[h];
    const V all_b = r[2 * h] - m, all_a = m - r[0];  // B_h and A_{h-1}: the splits i = 0, h
    V mad = all_b < all_a ? all_b : all_a;
    for (std::size_t q = 1; q < h; ++q) {
        const V a = m - r[h - q], b = r[2 * h - q] - m;  // A_{q-1} and B_{h-q}
        const V split = a > b ? a : b;
        mad = split < mad ? split : mad;
    }
    const V s = mad_scale * mad;
    const V ts = pw.threshold * s;
    const outputs& out = pw.out;
    if (out.center) std::memcpy(out.center + i, &m, sizeof(V));
    if (out.lower) {
        const V lo = m - ts;
        std::memcpy(out.lower + i, &lo, sizeof(V));
    }
    if (out.upper) {
        const V hi = m + ts;
        std::memcpy(out.upper + i, &hi, sizeof(V));
    }
    if (!out.scores && !out.flags) return;
    const V d = x > m ? x - m : m - x;  // fabs(x - m): fl(m - x) = -fl(x - m)
    if (out.scores) {
        const V zero{};
        const V score = s > zero ? d / s : d == zero ? zero : zero + inf;
        std::memcpy(out.scores + i, &score, sizeof(V));
    }
    if (out.flags) {
        const auto flagged = d > ts;  // all bits set in the lanes flagged
        VB f;
#ifdef OUTLIERS_HAMPEL_SHUFFLE
        if constexpr (L == 4) {  // AVX2 has no 64-to-8-bit narrowing: pick each lane's low byte
            typedef char v32c __attribute__((vector_size(32)));
            const auto bytes = reinterpret_cast<v32c>(flagged);
            f = reinterpret_cast<VB>(__builtin_shufflevector(bytes, bytes, 0, 8, 16, 24)) & 1;
        } else
#endif
            f = __builtin_convertvector(flagged, VB) & 1;
        std::memcpy(out.flags + i, &f, sizeof(VB));
    }
    const auto overflowed = d == V{} + inf;  // rare: values near +-1e308 on both sides of m
    bool any = false;
    for (int l = 0; l < L; ++l) any |= overflowed[l] != 0;
    if (__builtin_expect(any, 0))
        for (int l = 0; l < L; ++l)
            if (overflowed[l])
                pw.write_overflowed(i + static_cast<std::size_t>(l), x[l], m[l], mad[l]);
}

// The points [begin, begin + len) of one block; buf holds their windows (buf[k] is the encoded
// x[begin - h + k]) and bad the sorted positions of buf's non-finite values. Groups of L points
// whose windows are all finite take the network, the others (array ends, NaN, inf) one by one.
template <int L, std::size_t W>
[[gnu::always_inline]] inline void network_block(const double* buf, std::size_t len,
                                                 const std::uint32_t* bad, std::size_t nbad,
                                                 std::size_t begin, const point_writer& pw) {
    std::size_t p = 0, g = 0;
    for (; g + L <= len; g += L) {
        while (p < nbad && bad[p] < g) ++p;
        if (p == nbad || bad[p] >= g + L - 1 + W) {
            network_group<L, W>(buf + g, begin + g, pw);
        } else {
            for (std::size_t j = 0; j < L; ++j) scalar_point(buf + g + j, W, begin + g + j, pw);
        }
    }
    for (; g < len; ++g) scalar_point(buf + g, W, begin + g, pw);
}

// One function per window size and CPU level: the same template compiled for wider lanes. (One
// function per size, not one for all: the compiler's time grows faster than a function's size.)
#ifdef OUTLIERS_X86
template <std::size_t W>
OUTLIERS_TARGET_AVX512 void network_avx512(
    const double* buf, std::size_t len, const std::uint32_t* bad, std::size_t nbad,
    std::size_t begin, const point_writer& pw) {
    network_block<8, W>(buf, len, bad, nbad, begin, pw);
}
template <std::size_t W>
OUTLIERS_TARGET_AVX2 void network_avx2(const double* buf, std::size_t len,
                                                  const std::uint32_t* bad, std::size_t nbad,
                                                  std::size_t begin, const point_writer& pw) {
    network_block<4, W>(buf, len, bad, nbad, begin, pw);
}
#endif
template <std::size_t W>
void network_portable(const double* buf, std::size_t len, const std::uint32_t* bad,
                      std::size_t nbad, std::size_t begin, const point_writer& pw) {
    network_block<2, W>(buf, len, bad, nbad, begin, pw);
}

// Compile-time window sizes 3, 5, ..., network_limit(level), each with its own unrolled network.
template <std::size_t W = 3>
void network_dispatch(cpu::level level, std::size_t w, const double* buf, std::size_t len,
                      const std::uint32_t* bad, std::size_t nbad, std::size_t begin,
                      const point_writer& pw) {
    if constexpr (W + 2 <= network_max) {
        if (w != W) return network_dispatch<W + 2>(level, w, buf, len, bad, nbad, begin, pw);
    }
#ifdef OUTLIERS_X86
    if (level >= cpu::level::avx512) return network_avx512<W>(buf, len, bad, nbad, begin, pw);
    if (level >= cpu::level::avx2) return network_avx2<W>(buf, len, bad, nbad, begin, pw);
#endif
    if constexpr (W <= portable_network_max) network_portable<W>(buf, len, bad, nbad, begin, pw);
}

// Appends to `bad` the positions (plus offset) of buf's non-finite values; returns how many.
// Eight values at a time are tested on their exponent bits alone, which vectorises: data with
// no NaN or inf costs one cheap pass.
inline std::size_t find_non_finite(const double* buf, std::size_t len, std::size_t offset,
                                   std::vector<std::uint32_t>& bad) {
    const std::size_t before = bad.size();
    constexpr std::uint64_t exponent = 0x7ff0000000000000;
    std::size_t k = 0;
    for (; k + 8 <= len; k += 8) {
        std::uint64_t bits[8];
        std::memcpy(bits, buf + k, sizeof bits);
        bool any = false;
        for (int j = 0; j < 8; ++j) any |= (bits[j] & exponent) == exponent;
        if (!any) continue;
        for (std::size_t j = k; j < k + 8; ++j)
            if (!is_finite(buf[j])) bad.push_back(static_cast<std::uint32_t>(offset + j));
    }
    for (; k < len; ++k)
        if (!is_finite(buf[k])) bad.push_back(static_cast<std::uint32_t>(offset + k));
    return bad.size() - before;
}

// One block in chunks small enough that a chunk's windows stay in L1 between the pass that reads
// the input and the network that sorts them.
template <bool Plain, class T>
std::size_t network_path(const column<T>& c, std::size_t w, std::size_t begin, std::size_t end,
                         cpu::level level, const point_writer& pw) {
    constexpr std::size_t chunk = 2048;
    const std::size_t h = w / 2;
    std::vector<double> buf(std::min(chunk, end - begin) + 2 * h);
    std::vector<std::uint32_t> bad;
    std::size_t used = 0;
    for (std::size_t first = begin; first < end; first += chunk) {
        const std::size_t len = std::min(chunk, end - first);
        load<Plain>(c, static_cast<std::ptrdiff_t>(first) - static_cast<std::ptrdiff_t>(h),
                    len + 2 * h, buf.data());
        bad.clear();
        find_non_finite(buf.data(), h, 0, bad);
        used += len - find_non_finite(buf.data() + h, len, h, bad);
        find_non_finite(buf.data() + h + len, h, h + len, bad);
        network_dispatch(level, w, buf.data(), len, bad.data(), bad.size(), first, pw);
    }
    return used;
}

// ------------------------------------------------------------------ long windows: sorted window
// The window's finite values kept sorted as it slides: per step one value leaves and one enters,
// and the values between their ranks move by one (the step of binary insertion sort, Knuth TAOCP
// vol. 3 §5.2.1). Up to flat_window_max values, one flat array (flat_window). Beyond, so that few
// values move, the sorted sequence is cut into blocks of 64, block j holding ranks
// [64 j, 64 j + 64) (blocked_window, a tiered vector: Goodrich & Kloss 1999, "Tiered vectors:
// efficient dynamic arrays for rank-based sequences"): the value of rank r is found in O(1),
// values move inside at most two blocks, and each block between them passes one value on to its
// neighbour. A block lies in a slot twice its size (a gap buffer), so passing a value on moves
// the block's start rather than its values. Ranks past the window's count hold +inf: the number
// of slots in use never changes, and adding or removing a value is a replacement with +inf.
inline constexpr std::size_t block_values = 64;
inline constexpr std::size_t block_slot = 2 * block_values;
inline constexpr std::uint32_t block_centre = (block_slot - block_values) / 2;

// The values below x among s[0, N), counted in SIMD lanes (8 comparisons of 8 lanes for 64).
template <int L, std::size_t N>
[[gnu::always_inline]] inline std::size_t count_below(const double* s, double x) noexcept {
    using V = typename lanes<L>::vd;
    using VU = typename lanes<L>::vd_unaligned;
    using VI = typename lanes<L>::vi;
    const V vx = V{} + x;
    VI count{};
#pragma GCC unroll 32
    for (std::size_t k = 0; k < N; k += L)
        count -= *reinterpret_cast<const VU*>(s + k) < vx;  // true is -1
    std::int64_t sum = 0;
    for (int l = 0; l < L; ++l) sum += count[l];
    return static_cast<std::size_t>(sum);
}

// The values below x in the sorted s[0, n), s padded with +inf: branch-free halving (Khuong &
// Morin 2017, "Array layouts for comparison-based searching") down to 8 vectors' worth, then
// count_below (the rest of the search at once instead of in dependent steps).
template <int L>
[[gnu::always_inline]] inline std::size_t rank_of(const double* s, std::size_t n,
                                                  double x) noexcept {
    std::size_t base = 0;
    for (std::size_t len = n; len > 8 * L;) {
        const std::size_t half = len / 2;
        base =
            __builtin_expect_with_probability(s[base + half - 1] < x, 1, 0.5) ? base + half : base;
        len -= half;
    }
    return base + count_below<L, 8 * L>(s + base, x);
}
inline constexpr std::size_t rank_padding = 64;  // 8 vectors of the widest lanes

// The rank of x in the blocked window: the blocks whose first value is below x say which block
// holds the boundary (all values of the blocks before it are below x, none after it); that
// block's 64 values are then counted.
template <int L>
[[gnu::always_inline]] inline std::size_t blocked_rank(const double* slots,
                                                       const std::uint32_t* start,
                                                       const double* firsts, std::size_t blocks,
                                                       double x) noexcept {
    std::size_t below;  // blocks whose first value is below x
    if (blocks <= 2 * L) {
        below = count_below<L, 2 * L>(firsts, x);
    } else {
        below = rank_of<L>(firsts, blocks, x);
    }
    const std::size_t j = std::max<std::size_t>(below, 1) - 1;
    return j * block_values + count_below<L, block_values>(slots + j * block_slot + start[j], x);
}

// Both ranks a step needs (independent: the two searches overlap), in a flat window (its sorted
// values, +inf after) or a blocked one; one entry point per CPU level and kind of window, with
// the same ranks on every level. The two ranks come back in registers.
struct rank_pair {
    std::size_t x, y;
};
using flat_ranks_fn = rank_pair (*)(const double*, std::size_t, double, double) noexcept;
using blocked_ranks_fn = rank_pair (*)(const double*, const std::uint32_t*, const double*,
                                       std::size_t, double, double) noexcept;

template <int L>
[[gnu::always_inline]] inline rank_pair flat_ranks(const double* s, std::size_t n, double x,
                                                   double y) noexcept {
    return {rank_of<L>(s, n, x), rank_of<L>(s, n, y)};
}
template <int L>
[[gnu::always_inline]] inline rank_pair blocked_ranks(const double* slots,
                                                      const std::uint32_t* start,
                                                      const double* firsts, std::size_t blocks,
                                                      double x, double y) noexcept {
    return {blocked_rank<L>(slots, start, firsts, blocks, x),
            blocked_rank<L>(slots, start, firsts, blocks, y)};
}
#ifdef OUTLIERS_X86
OUTLIERS_TARGET_AVX512 inline rank_pair flat_ranks_avx512(
    const double* s, std::size_t n, double x, double y) noexcept {
    return flat_ranks<8>(s, n, x, y);
}
OUTLIERS_TARGET_AVX2 inline rank_pair flat_ranks_avx2(const double* s, std::size_t n,
                                                                 double x, double y) noexcept {
    return flat_ranks<4>(s, n, x, y);
}
OUTLIERS_TARGET_AVX512 inline rank_pair blocked_ranks_avx512(
    const double* slots, const std::uint32_t* start, const double* firsts, std::size_t blocks,
    double x, double y) noexcept {
    return blocked_ranks<8>(slots, start, firsts, blocks, x, y);
}
OUTLIERS_TARGET_AVX2 inline rank_pair blocked_ranks_avx2(const double* slots,
                                                                    const std::uint32_t* start,
                                                                    const double* firsts,
                                                                    std::size_t blocks, double x,
                                                                    double y) noexcept {
    return blocked_ranks<4>(slots, start, firsts, blocks, x, y);
}
#endif
inline rank_pair flat_ranks_portable(const double* s, std::size_t n, double x, double y) noexcept {
    return flat_ranks<2>(s, n, x, y);
}
inline rank_pair blocked_ranks_portable(const double* slots, const std::uint32_t* start,
                                        const double* firsts, std::size_t blocks, double x,
                                        double y) noexcept {
    return blocked_ranks<2>(slots, start, firsts, blocks, x, y);
}

// The rank searches of the CPU level.
struct rank_searches {
    flat_ranks_fn flat = flat_ranks_portable;
    blocked_ranks_fn blocked = blocked_ranks_portable;
};
inline rank_searches ranks_for(cpu::level level) noexcept {
#ifdef OUTLIERS_X86
    if (level >= cpu::level::avx512) return {flat_ranks_avx512, blocked_ranks_avx512};
    if (level >= cpu::level::avx2) return {flat_ranks_avx2, blocked_ranks_avx2};
#endif
    (void)level;
    return {};
}

// Windows up to this many values stay one flat sorted array: the values between the leaving
// and the entering rank (a third of them on average) move by one, which costs less than the
// blocked window's bookkeeping up to about 800 values (timed on 10^7 normal values).
inline constexpr std::size_t flat_window_max = 800;

class flat_window {
  public:
    flat_window(std::size_t capacity, cpu::level level)
        : v_(capacity + rank_padding, inf), ranks_(ranks_for(level).flat) {}

    const double* values() const noexcept { return v_.data(); }
    std::size_t size() const noexcept { return n_; }

    void assign(std::vector<double>& finite) {
        std::sort(finite.begin(), finite.end());
        n_ = finite.size();
        std::copy(finite.begin(), finite.end(), v_.begin());
        std::fill(v_.begin() + static_cast<std::ptrdiff_t>(n_), v_.end(), inf);
    }

    // The first positions whose values are >= x and >= y (the number of values below each).
    rank_pair ranks(double x, double y) const noexcept { return ranks_(v_.data(), n_, x, y); }

    void replace(double out, std::size_t p, double in, std::size_t q) noexcept {
        const bool o = is_finite(out), a = is_finite(in);
        double* s = v_.data();
        if (o && a) {
            if (q <= p) {  // in <= out: s[q, p) move up by one
                std::memmove(s + q + 1, s + q, (p - q) * sizeof(double));
                s[q] = in;
            } else {  // in > out: s[p + 1, q) move down by one
                std::memmove(s + p, s + p + 1, (q - p - 1) * sizeof(double));
                s[q - 1] = in;
            }
        } else if (o) {
            std::memmove(s + p, s + p + 1, (n_ - p - 1) * sizeof(double));
            s[--n_] = inf;  // the padding
        } else if (a) {
            std::memmove(s + q + 1, s + q, (n_ - q) * sizeof(double));
            s[q] = in;
            ++n_;
        }
    }

  private:
    std::vector<double> v_;  // the window's values, then +inf up to the end
    std::size_t n_ = 0;
    flat_ranks_fn ranks_;
};

class blocked_window {
  public:
    // The value of rank r, for sorted_stats.
    struct view {
        const double* slots;
        const std::uint32_t* start;
        double operator[](std::size_t r) const noexcept {
            const std::size_t j = r / block_values;
            return slots[j * block_slot + start[j] + r % block_values];
        }
    };

    // Room for `capacity` values and one +inf at least.
    blocked_window(std::size_t capacity, cpu::level level)
        : blocks_(capacity / block_values + 1),
          slots_(blocks_ * block_slot, inf),
          start_(blocks_, block_centre),
          firsts_(blocks_ + rank_padding, inf),
          ranks_(ranks_for(level).blocked) {}

    view values() const noexcept { return {slots_.data(), start_.data()}; }
    std::size_t size() const noexcept { return n_; }

    // The window's first values, sorted here (the vector is reordered).
    void assign(std::vector<double>& finite) {
        std::sort(finite.begin(), finite.end());
        n_ = finite.size();
        for (std::size_t j = 0; j < blocks_; ++j) {
            start_[j] = block_centre;
            double* b = block(j);
            for (std::size_t k = 0; k < block_values; ++k) {
                const std::size_t r = j * block_values + k;
                b[k] = r < n_ ? finite[r] : inf;
            }
            firsts_[j] = b[0];
        }
    }

    rank_pair ranks(double x, double y) const noexcept {
        return ranks_(slots_.data(), start_.data(), firsts_.data(), blocks_, x, y);
    }

    // Removes `out` (if finite; it is in the window, at position p = its rank) and adds `in` (if
    // finite; q = its rank).
    void replace(double out, std::size_t p, double in, std::size_t q) noexcept {
        const bool o = is_finite(out), a = is_finite(in);
        if (o && a) {
            move(p, q, in);
        } else if (o) {
            move(p, n_, inf);  // +inf takes the value's place: its rank is the count
            --n_;
        } else if (a) {
            move(n_, q, in);  // the value takes the place of the first +inf
            ++n_;
        }
    }

  private:
    double* block(std::size_t j) noexcept { return slots_.data() + j * block_slot + start_[j]; }

    // Moves block j's start by one (delta = -1 or +1), first back to the slot's centre when it
    // is at the slot's edge: the gap buffer's only copy of a whole block, rare.
    void move_start(std::size_t j, int delta) noexcept {
        std::uint32_t s = start_[j];
        if ((delta < 0 && s == 0) || (delta > 0 && s == block_slot - block_values)) {
            double* slot = slots_.data() + j * block_slot;
            std::memmove(slot + block_centre, slot + s, block_values * sizeof(double));
            s = block_centre;
        }
        start_[j] = delta < 0 ? s - 1 : s + 1;
    }

    // The value of rank p leaves, `in` (of rank q among the values before) enters.
    void move(std::size_t p, std::size_t q, double in) noexcept {
        constexpr std::size_t B = block_values;
        if (q <= p) {  // in <= out: ranks [q, p) move up by one, in takes rank q
            const std::size_t jp = p / B, kp = p % B, jq = q / B, kq = q % B;
            if (jp == jq) {
                double* b = block(jp);
                std::memmove(b + kq + 1, b + kq, (kp - kq) * sizeof(double));
                b[kq] = in;
                firsts_[jp] = b[0];
                return;
            }
            // Block jp drops rank p and frees its first place, by moving what lies on the
            // shorter side of p.
            if (kp <= B - 1 - kp) {
                double* b = block(jp);
                std::memmove(b + 1, b, kp * sizeof(double));
            } else {
                double* b = block(jp);
                std::memmove(b + kp, b + kp + 1, (B - 1 - kp) * sizeof(double));
                move_start(jp, -1);
            }
            // Every block from jp - 1 down to jq passes its last value on to the next block's
            // first place, then moves its start back by one: its own first place is free.
            for (std::size_t j = jp; j-- > jq;) {
                const double last = block(j)[B - 1];
                block(j + 1)[0] = last;
                firsts_[j + 1] = last;
                if (j > jq) move_start(j, -1);
            }
            // Block jq: its last place is free; in goes to kq.
            double* b = block(jq);
            if (B - 1 - kq <= kq) {
                std::memmove(b + kq + 1, b + kq, (B - 1 - kq) * sizeof(double));
            } else {
                move_start(jq, -1);
                b = block(jq);
                std::memmove(b, b + 1, kq * sizeof(double));
            }
            b[kq] = in;
            firsts_[jq] = b[0];
        } else {  // in > out: ranks (p, q) move down by one, in takes rank t = q - 1
            const std::size_t t = q - 1;
            const std::size_t jp = p / B, kp = p % B, jt = t / B, kt = t % B;
            if (jp == jt) {
                double* b = block(jp);
                std::memmove(b + kp, b + kp + 1, (kt - kp) * sizeof(double));
                b[kt] = in;
                firsts_[jp] = b[0];
                return;
            }
            // Block jp drops rank p and frees its last place.
            if (B - 1 - kp <= kp) {
                double* b = block(jp);
                std::memmove(b + kp, b + kp + 1, (B - 1 - kp) * sizeof(double));
            } else {
                double* b = block(jp);
                std::memmove(b + 1, b, kp * sizeof(double));
                move_start(jp, +1);
            }
            firsts_[jp] = block(jp)[0];
            // Every block from jp + 1 up to jt passes its first value back to the previous
            // block's last place, then moves its start on by one: its own last place is free.
            for (std::size_t j = jp + 1; j <= jt; ++j) {
                block(j - 1)[B - 1] = block(j)[0];
                if (j < jt) {
                    move_start(j, +1);
                    firsts_[j] = block(j)[0];
                }
            }
            // Block jt: its first place is free; in goes to kt.
            double* b = block(jt);
            if (kt <= B - 1 - kt) {
                std::memmove(b, b + 1, kt * sizeof(double));
            } else {
                move_start(jt, +1);
                b = block(jt);
                std::memmove(b + kt + 1, b + kt, (B - 1 - kt) * sizeof(double));
            }
            b[kt] = in;
            firsts_[jt] = b[0];
        }
    }

    std::size_t blocks_;
    std::vector<double> slots_;         // block j: slots_[j * 128 + start_[j] ...][0, 64)
    std::vector<std::uint32_t> start_;  // where each block begins in its slot
    std::vector<double> firsts_;        // each block's first value, then +inf
    std::size_t n_ = 0;                 // finite values: ranks [0, n_); +inf after
    blocked_ranks_fn ranks_;
};

// Points between two interruption points of the sliding paths (about a millisecond of work).
constexpr std::size_t stop_check_points = std::size_t{1} << 12;

// The rank a value v had before removing `out` and adding `in` (each only if finite), after it.
inline std::size_t rank_after(std::size_t rank, double v, double out, double in) noexcept {
    return rank - (is_finite(out) && out < v) + (is_finite(in) && in < v);
}

// All the ways a window (flat_window or blocked_window) is used.
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
            const rank_pair r = win.ranks(next_out, next_in);
            next_p = r.x;
            next_q = r.y;
            if (i > begin) {
                next_p = rank_after(next_p, next_out, out, in);
                next_q = rank_after(next_q, next_in, out, in);
            }
        }
        if (i > begin) win.replace(out, p, in, q);
        out = next_out;
        in = next_in;
        p = next_p;
        q = next_q;
        const double x = at(i);
        used += is_finite(x);
        pw.write(i, x, sorted_stats(win.values(), win.size(), split));
        if (i % stop_check_points == 0) interruption_point();
    }
    return used;
}

// ------------------------------------------------------------------ very long windows: slots
// Windows of more than ranked_window_min values: the blocked window moves O(w / 64) blocks per
// step, and a window about as long as the array (whose windows grow at one end and shrink at the
// other, every value entering or leaving near the sorted sequence's end) moved the blocks of the
// whole array every step. Here the values a block's windows can hold, x[lo, hi), are sorted
// once, each position getting a slot (its rank in that order, ties by position), and a window
// is the set of its slots: one bit per slot, and the count of each 64-bit word of bits in a
// Fenwick tree (Fenwick 1994, "A new data structure for cumulative frequency tables"). A value
// enters or leaves in O(log w) (a bit and log(w / 64) counts); the value of rank r is found by
// descending the tree to its word, then selecting a bit in that word. sorted_stats reads a few
// runs of neighbouring ranks that move by a step or two from one point to the next, so cursors
// (a rank and its slot) are kept, and moved to the neighbouring set bits; the tree is descended
// when no cursor is near. A step costs O(log w); O(log^2 w) when the MAD's split has to be
// searched anew. The blocked window is faster up to about 32000 values (10^6 normal values, one
// thread, ns per point blocked/ranked: window 2001 64/211, 20001 160/216, 30001 209/216, 40001
// 258/207, 100001 599/204).
inline constexpr std::size_t ranked_window_min = 32000;

// Slot of the k-th (from 0) set bit of `word`, which has more than k: halving by counts.
inline std::size_t select_bit(std::uint64_t word, std::size_t k) noexcept {
    std::size_t bit = 0;
    for (unsigned width = 32; width > 0; width /= 2) {
        const auto low = static_cast<std::size_t>(
            __builtin_popcountll(word & ((std::uint64_t{1} << width) - 1)));
        if (k >= low) {
            k -= low;
            word >>= width;
            bit += width;
        }
    }
    return bit;
}

template <class Index>  // std::uint32_t, or std::uint64_t for blocks of 2^32 values or more
class ranked_window {
  public:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    // sorted: the values of the slots, in slot order.
    explicit ranked_window(std::vector<double> sorted)
        : sorted_(std::move(sorted)),
          words_(sorted_.size() / 64 + 1, 0),
          tree_(words_.size() + 1, 0),
          top_(std::size_t{1} << (63 - __builtin_clzll(words_.size()))) {}

    std::size_t size() const noexcept { return count_; }

    void insert(std::size_t slot) noexcept {
        words_[slot / 64] |= std::uint64_t{1} << (slot % 64);
        for (std::size_t j = slot / 64 + 1; j < tree_.size(); j += j & (~j + 1)) ++tree_[j];
        ++count_;
        for (cursor& c : cursors_)
            if (c.rank != npos && slot < c.slot) ++c.rank;
    }

    void erase(std::size_t slot) noexcept {
        words_[slot / 64] &= ~(std::uint64_t{1} << (slot % 64));
        for (std::size_t j = slot / 64 + 1; j < tree_.size(); j += j & (~j + 1)) --tree_[j];
        --count_;
        for (cursor& c : cursors_) {
            if (c.rank == npos) continue;
            if (slot == c.slot) c.rank = npos;
            else if (slot < c.slot) --c.rank;
        }
    }

    // The value of rank r, for sorted_stats.
    struct view {
        ranked_window* w;
        double operator[](std::size_t r) const noexcept { return w->at(r); }
    };
    view values() noexcept { return {this}; }

  private:
    struct cursor {
        std::size_t rank = npos, slot = 0;  // npos: unused, or its value left
        std::uint64_t used = 0;
    };
    static constexpr std::size_t near = 8;  // ranks a cursor moves by, at most, bit by bit
    static constexpr std::size_t scan = 4;  // words searched for the next set bit, at most

    double at(std::size_t r) noexcept {
        cursor* best = nullptr;
        std::size_t distance = npos;
        for (cursor& c : cursors_) {
            if (c.rank == npos) continue;
            const std::size_t d = c.rank > r ? c.rank - r : r - c.rank;
            if (d < distance) {
                distance = d;
                best = &c;
            }
        }
        std::size_t slot = npos;
        if (distance <= near) {
            slot = best->slot;
            for (std::size_t k = best->rank; k < r && slot != npos; ++k) slot = next(slot);
            for (std::size_t k = best->rank; k > r && slot != npos; --k) slot = previous(slot);
        }
        if (slot == npos) {
            slot = select(r);
            best = &cursors_[0];  // the least recently used
            for (cursor& c : cursors_)
                if (c.used < best->used) best = &c;
        }
        *best = {r, slot, ++clock_};
        return sorted_[slot];
    }

    // The slot of rank r: the tree's descent to the word holding it, then the bit.
    std::size_t select(std::size_t r) const noexcept {
        std::size_t word = 0;
        for (std::size_t step = top_; step > 0; step /= 2) {
            if (word + step < tree_.size() && tree_[word + step] <= r) {
                word += step;
                r -= tree_[word];
            }
        }
        return word * 64 + select_bit(words_[word], r);
    }

    // The next (previous) set bit after (before) slot, if it lies within `scan` words.
    std::size_t next(std::size_t slot) const noexcept {
        std::size_t j = slot / 64;
        std::uint64_t bits = slot % 64 == 63 ? 0 : words_[j] >> (slot % 64 + 1) << (slot % 64 + 1);
        for (const std::size_t stop = std::min(words_.size(), j + scan); !bits;) {
            if (++j >= stop) return npos;
            bits = words_[j];
        }
        return j * 64 + static_cast<std::size_t>(__builtin_ctzll(bits));
    }
    std::size_t previous(std::size_t slot) const noexcept {
        std::size_t j = slot / 64;
        std::uint64_t bits = words_[j] & ((std::uint64_t{1} << (slot % 64)) - 1);
        for (const std::size_t stop = j >= scan ? j - scan : 0; !bits;) {
            if (j-- <= stop) return npos;
            bits = words_[j];
        }
        return j * 64 + 63 - static_cast<std::size_t>(__builtin_clzll(bits));
    }

    std::vector<double> sorted_;
    std::vector<std::uint64_t> words_;  // bit s set: slot s is in the window
    std::vector<Index> tree_;           // Fenwick tree of the words' counts (1-based)
    std::size_t top_;                   // the largest power of two <= words_.size()
    std::size_t count_ = 0;
    cursor cursors_[3];  // sorted_stats reads around the median and the MAD's two split ranks
    std::uint64_t clock_ = 0;
};

// std::sort, stoppable by Ctrl-C: runs of 2^16 sorted, then merged pairwise through a second
// buffer, with interruption points between runs and merges. A window near n = 10^8 primes with
// one sort of every value (about 10 s), which would otherwise not notice a stop request.
template <class V>
void sort_interruptible(std::vector<V>& v) {
    constexpr std::size_t run = std::size_t{1} << 16;
    const std::size_t n = v.size();
    for (std::size_t b = 0; b < n; b += run) {
        interruption_point();
        std::sort(v.begin() + static_cast<std::ptrdiff_t>(b),
                  v.begin() + static_cast<std::ptrdiff_t>(std::min(n, b + run)));
    }
    if (n <= run) return;
    std::vector<V> merged(n);
    for (std::size_t width = run; width < n; width *= 2) {
        for (std::size_t b = 0; b < n; b += 2 * width) {
            interruption_point();
            const auto at = [&](std::size_t k) {
                return v.begin() + static_cast<std::ptrdiff_t>(std::min(n, k));
            };
            std::merge(at(b), at(b + width), at(b + width), at(b + 2 * width),
                       merged.begin() + static_cast<std::ptrdiff_t>(b));
        }
        v.swap(merged);
    }
}

// The points [begin, end) with a ranked_window.
template <bool Plain, class Index, class T>
std::size_t ranked_path(const column<T>& c, std::size_t w, std::size_t begin, std::size_t end,
                        const point_writer& pw) {
    const std::size_t n = c.size(), h = w / 2;  // h <= n (run clamps the window)
    const std::size_t lo = begin >= h ? begin - h : 0, hi = std::min(n, end + h);
    constexpr auto none = static_cast<Index>(-1);
    std::vector<Index> slot(hi - lo, none);  // of x[lo + k]; none for a missing or inf value
    std::vector<double> sorted;
    {
        std::vector<std::pair<double, Index>> order;
        for (std::size_t j = lo; j < hi; ++j) {
            const double v = encoded<Plain>(c, j);
            if (is_finite(v)) order.emplace_back(v, static_cast<Index>(j - lo));
        }
        sort_interruptible(order);
        sorted.resize(order.size());
        for (std::size_t r = 0; r < order.size(); ++r) {
            sorted[r] = order[r].first;
            slot[order[r].second] = static_cast<Index>(r);
        }
    }
    ranked_window<Index> win(std::move(sorted));
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
        pw.write(i, x, sorted_stats(win.values(), win.size(), split));
        if (i % stop_check_points == 0) interruption_point();
    }
    return used;
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
    const std::size_t windows = capacity > ranked_window_min ? 4 : 16;
    const std::size_t block =
        std::max<std::size_t>(std::size_t{1} << 14, w <= n / windows ? windows * w : n);
    std::vector<std::size_t> used_per_block(block_count(last - first, block));
    const cpu::level level = cpu::active();
    for_each_block(
        last - first,
        [&](std::size_t b, std::size_t begin, std::size_t end) {
            begin += first;
            end += first;
            used_per_block[b] = [&] {
                if (w <= network_limit(level))
                    return network_path<Plain>(c, w, begin, end, level, pw);
                if (capacity <= flat_window_max) {
                    flat_window win(capacity, level);
                    return sliding_path<Plain>(c, w, begin, end, pw, win);
                }
                if (capacity <= ranked_window_min) {
                    blocked_window win(capacity, level);
                    return sliding_path<Plain>(c, w, begin, end, pw, win);
                }
                // Slots as 32-bit numbers when the block's values allow it: half the memory.
                if (std::min(n, end + w / 2) - (begin >= w / 2 ? begin - w / 2 : 0) < UINT32_MAX)
                    return ranked_path<Plain, std::uint32_t>(c, w, begin, end, pw);
                return ranked_path<Plain, std::uint64_t>(c, w, begin, end, pw);
            }();
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
    return hampel_detail::values_decide(c) ? hampel_detail::run<true>(c, p, out, first, last)
                                           : hampel_detail::run<false>(c, p, out, first, last);
}

template <class T>
summary hampel(const column<T>& c, const hampel_params& p, const outputs& out) {
    return hampel(c, p, out, 0, c.size());
}

}  // namespace outliers::kernels
