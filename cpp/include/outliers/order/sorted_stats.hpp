// Median and MAD (median of absolute deviations) of values already sorted, read by rank: the
// statistics a sorted window gives without selecting anything (hampel's windows today, rolling
// and streaming windows later). Exact, with the rounding of a selection on a copy of the values.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "outliers/column.hpp"
#include "outliers/order/numpy_formulas.hpp"

namespace outliers::order {

// What a sorted window holds: its finite values only (NaN and +-inf are never in it).
inline bool is_finite(double v) noexcept { return std::fabs(v) < inf; }

struct median_mad {
    double median = nan;
    double mad = nan;  // unscaled
};

// The smallest i in [lo, hi] at which `past` holds, `past` being false then true over [lo, hi)
// and true at hi by definition; `guess` is where the answer was last time. Galloping from the
// guess (Bentley & Yao 1976, "An almost optimal algorithm for unbounded searching"): steps of 1,
// 2, 4, ... bound the answer to [first, last] in O(log d) tests for an answer d away from it.
// (A far jump, one in ten points near the array's ends of a window as long as the array, costs
// a ranked window a descent per test.) Then branch-free halving over the candidates: the outcome
// of each test is a coin flip (Khuong & Morin 2017, "Array layouts for comparison-based
// searching"). Always inlined: left out of line, as GCC did in a unit holding every kernel, it
// cost hampel 2 % more instructions at window 101.
template <class Past>
[[gnu::always_inline]] inline std::size_t gallop(const Past& past, std::size_t lo, std::size_t hi,
                                                 std::size_t guess) noexcept {
    std::size_t first = lo, last = hi;
    const std::size_t at = std::min(std::max(guess, lo), hi);
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
    std::size_t i = first;
    for (std::size_t len = last - first + 1; len > 1;) {
        const std::size_t half = len / 2;
        i += static_cast<std::size_t>(!past(i + half - 1)) * half;
        len -= half;
    }
    return i;
}

// Median and MAD of the sorted finite values s[0, n) (s[r] is the value of rank r), with the
// rounding of the brute force (median_inplace on the window, then on fabs(w - m)). Values left
// of c = n/2 are <= m and those from c on are >= m, so the distances are two sorted sequences:
// A_t = m - s[c-1-t] (rising in t) and B_t = s[c+t] - m. In round-to-nearest fl(m - w) =
// -fl(w - m), so these are exactly fabs(w - m). The MAD's rank(s) then come from the k-th
// smallest of the union of two sorted arrays (Cormen et al., Introduction to Algorithms, 3rd
// ed., exercise 9.3-8): the K = c + 1 smallest distances are the first i of A and the first
// K - i of B, for the smallest i in [lo, hi] with A_i >= B_{K-i-1} (the next value of A is no
// smaller than the last of B taken), found in O(log n) instead of a second selection.
// `split` carries that i from one window to the next: a sliding window changes by one value, so
// i moves by a step or two and a check around the previous i usually finds it at once.
// Always inlined, its test too: left out of line in a unit holding several sliding paths, as
// GCC did for the windowed methods, the calls cost a third of a point's time at window 101.
template <class Sorted>
[[gnu::always_inline]] inline median_mad sorted_median_mad(const Sorted& s, std::size_t n,
                                                           std::size_t& split) noexcept {
    median_mad r;
    if (n == 0) return r;
    const std::size_t c = n / 2;
    const bool odd = n % 2 == 1;
    const double m = numpy_median(s[odd ? c : c - 1], s[c], !odd);  // finite where a + b overflows
    r.median = m;
    const std::size_t K = c + 1;
    const std::size_t lo = odd ? 0 : 1;  // |B| = n - c: K - |B| is 0 (odd n) or 1 (even n)
    const std::size_t hi = c;            // |A| = c; the test holds at hi by definition
    // Whether the split i is at or past the answer (only called with lo <= i < hi).
    const auto past = [&](std::size_t i) __attribute__((always_inline)) {
        return m - s[c - 1 - i] >= s[c + K - i - 1] - m;
    };
    std::size_t i;
    // Near the previous split g: if the test fails at g - 2 and holds at g + 1, the answer is
    // g - 2 plus the number of failures among g - 2 .. g + 1 (four independent tests, no branch).
    const std::size_t g = split;
    if (g >= lo + 2 && g + 1 < hi && !past(g - 2) && past(g + 1)) {
        i = g - 1 + !past(g - 1) + !past(g);
    } else {
        i = gallop(past, lo, hi, g);
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

// The median of the sorted s[0, n), as numpy computes it (NaN when n = 0).
template <class Sorted>
double sorted_median(const Sorted& s, std::size_t n) noexcept {
    if (n == 0) return nan;
    const std::size_t c = n / 2;
    return numpy_median(s[n % 2 == 1 ? c : c - 1], s[c], n % 2 == 0);
}

// The k-th smallest (from 0, k < n) of the distances fabs(s[r] - v) of the sorted s[0, n) from
// v, the rank of v (the number of values below it) given: the union of the two sorted runs of
// distances below and above v, as in sorted_median_mad (Cormen et al., exercise 9.3-8), halved
// over the number i taken from below.
template <class Sorted>
double sorted_kth_distance(const Sorted& s, std::size_t n, double v, std::size_t rank,
                           std::size_t k) noexcept {
    const std::size_t K = k + 1, above = n - rank;
    // A_t = v - s[rank-1-t] (t < rank), B_t = s[rank+t] - v (t < above); i taken from A.
    const std::size_t lo = K > above ? K - above : 0, hi = std::min(K, rank);
    const auto past = [&](std::size_t i) {  // A_i >= B_{K-i-1}, for lo <= i < hi
        return v - s[rank - 1 - i] >= s[rank + K - i - 1] - v;
    };
    std::size_t i = lo;
    for (std::size_t len = hi - lo + 1; len > 1;) {
        const std::size_t half = len / 2;
        if (!past(i + half - 1)) i += half;
        len -= half;
    }
    const std::size_t j = K - i;
    const double a = i > 0 ? v - s[rank - i] : -inf;
    const double b = j > 0 ? s[rank + j - 1] - v : -inf;
    return std::max(a, b);
}

// The median of fabs(s[r] - v) over the sorted s[0, n) (NaN when n = 0): with v the median, the
// MAD of sorted_median_mad; with another center, the MAD about it.
template <class Sorted>
double sorted_median_distance(const Sorted& s, std::size_t n, double v, std::size_t rank) noexcept {
    if (n == 0) return nan;
    const std::size_t c = n / 2;
    const double upper = sorted_kth_distance(s, n, v, rank, c);
    if (n % 2 == 1) return numpy_median(upper, upper, false);
    return numpy_median(sorted_kth_distance(s, n, v, rank, c - 1), upper, true);
}

}  // namespace outliers::order
