// Selection of a few ranks among keys in memory: Floyd & Rivest's SELECT, and for large arrays
// a branchless bracketing pass that narrows each group of close ranks first.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <utility>
#include <vector>

#include "outliers/order/ranks.hpp"
#include "outliers/simd/scan.hpp"

namespace outliers::select_detail {

// Floyd & Rivest's SELECT, Algorithm 489 (CACM 18(3), 1975), in place on a[left..right]
// (inclusive): afterwards a[k] holds the key of rank k, smaller keys lie left of it and
// larger ones right. Recursing on a sample brackets k before each partition, which makes it
// about 1.5x faster than std::nth_element (introselect) on the large arrays it gets here.
inline void floyd_rivest_select(order_key* a, std::ptrdiff_t left, std::ptrdiff_t right,
                                std::ptrdiff_t k) {
    while (right > left) {
        if (right - left > 600) {
            const double n = static_cast<double>(right - left + 1);
            const double i = static_cast<double>(k - left + 1);
            const double z = std::log(n);
            const double s = 0.5 * std::exp(2.0 * z / 3.0);
            const double sd = 0.5 * std::sqrt(z * s * (n - s) / n) * (i < n / 2 ? -1.0 : 1.0);
            const double kd = static_cast<double>(k);
            floyd_rivest_select(
                a, std::max(left, static_cast<std::ptrdiff_t>(kd - i * s / n + sd)),
                std::min(right, static_cast<std::ptrdiff_t>(kd + (n - i) * s / n + sd)), k);
        }
        const order_key t = a[k];
        std::ptrdiff_t i = left, j = right;
        std::swap(a[left], a[k]);
        if (a[right] > t) std::swap(a[right], a[left]);
        while (i < j) {
            std::swap(a[i], a[j]);
            ++i;
            --j;
            while (a[i] < t) ++i;
            while (a[j] > t) --j;
        }
        if (a[left] == t) {
            std::swap(a[left], a[j]);
        } else {
            ++j;
            std::swap(a[j], a[right]);
        }
        if (j <= k) left = j + 1;
        if (k <= j) right = j - 1;
    }
}

// The k-th (k = ranks[i], ascending and distinct) smallest keys of a[0, len), reordering a:
// successive Floyd-Rivest selections on the shrinking right part; a rank right after the
// previous one is just the minimum of that part.
inline void select_ranks_in_place(order_key* a, std::size_t len, const std::size_t* ranks,
                                  std::size_t r, order_key* out) {
    std::size_t from = 0;  // a[from, len) holds exactly the keys of rank >= from
    for (std::size_t i = 0; i < r; ++i) {
        const std::size_t k = ranks[i];
        if (k == from)
            std::iter_swap(a + k, std::min_element(a + k, a + len));
        else
            floyd_rivest_select(a, static_cast<std::ptrdiff_t>(from),
                                static_cast<std::ptrdiff_t>(len) - 1,
                                static_cast<std::ptrdiff_t>(k));
        out[i] = a[k];
        from = k + 1;
    }
}

inline void select_ranks(order_key* a, std::size_t len, const std::size_t* ranks, std::size_t r,
                         order_key* out);

// A group of close ranks of a[0, len) by the column-level method in memory: a strided
// subsample brackets them, one branchless pass counts the keys below and at the bounds and
// copies those strictly between, and the ranks are read from that copy (a tenth or less of
// a). Branchless, unlike a partition, so several times faster than selecting in a. False if
// the bracket missed a rank; `a` is left as it was.
inline bool select_group_bracketed(const order_key* a, std::size_t len, const std::size_t* ranks,
                                   std::size_t r, order_key* out) {
    const auto t = static_cast<std::size_t>(
        std::clamp(std::pow(static_cast<double>(len), 2.0 / 3.0), 256.0, 8192.0));
    std::vector<order_key> sub(t);
    for (std::size_t i = 0; i < t; ++i) sub[i] = a[(i * len) / t + len / (2 * t)];
    const auto sample_rank = [&](std::size_t rank, double side) {
        const double q = static_cast<double>(rank) / static_cast<double>(len);
        const double d = 4.0 * std::sqrt(static_cast<double>(t) * q * (1.0 - q)) + 3.0;
        const double at = q * static_cast<double>(t - 1) + side * d;
        return static_cast<long long>(side < 0 ? std::floor(at) : std::ceil(at) + 1);
    };
    const long long lo = sample_rank(ranks[0], -1.0), hi = sample_rank(ranks[r - 1], 1.0);
    const auto tl = static_cast<long long>(t);
    std::size_t wanted[2]{}, count = 0;
    if (lo >= 0) wanted[count++] = static_cast<std::size_t>(lo);
    if (hi < tl) wanted[count++] = static_cast<std::size_t>(hi);
    order_key found[2]{};
    select_ranks_in_place(sub.data(), t, wanted, count, found);
    const order_key lower = lo >= 0 ? found[0] : std::numeric_limits<order_key>::min();
    const order_key upper = hi < tl ? found[count - 1] : std::numeric_limits<order_key>::max();

    const double expected = static_cast<double>(std::min(hi, tl) - std::max(lo, -1LL)) *
                            static_cast<double>(len) / static_cast<double>(t);
    const std::size_t cap = static_cast<std::size_t>(1.5 * expected) + 64;
    std::vector<order_key> inside(cap + 1);
    std::size_t lt_lo = 0, le_lo = 0, le_hi = 0, w = 0;
    for (std::size_t i = 0; i < len; ++i) {
        const order_key k = a[i];
        lt_lo += static_cast<std::size_t>(k < lower);
        le_lo += static_cast<std::size_t>(k <= lower);
        le_hi += static_cast<std::size_t>(k <= upper);
        inside[std::min(w, cap)] = k;
        w += static_cast<std::size_t>((k > lower) & (k < upper));
    }
    if (w > cap) return false;
    std::size_t local[2 * max_requests]{}, slot[2 * max_requests]{}, m = 0;
    for (std::size_t i = 0; i < r; ++i) {
        const std::size_t k = ranks[i];
        if (k < lt_lo || k >= le_hi) return false;
        if (k < le_lo) {
            out[i] = lower;
        } else if (k >= le_lo + w) {
            out[i] = upper;
        } else {
            local[m] = k - le_lo;
            slot[m++] = i;
        }
    }
    order_key got[2 * max_requests]{};
    select_ranks(inside.data(), w, local, m, got);
    for (std::size_t i = 0; i < m; ++i) out[slot[i]] = got[i];
    return true;
}

// The k-th (k = ranks[i], ascending and distinct, at most 2 * max_requests) smallest keys of
// a[0, len); `a` may be reordered. Large arrays go group by group (ranks within len/32 of
// each other) through select_group_bracketed, small ones and missed brackets through
// Floyd-Rivest.
inline void select_ranks(order_key* a, std::size_t len, const std::size_t* ranks, std::size_t r,
                         order_key* out) {
    if (len < 16384) return select_ranks_in_place(a, len, ranks, r, out);
    for (std::size_t first = 0; first < r;) {
        std::size_t last = first + 1;
        while (last < r && ranks[last] - ranks[last - 1] <= len / 32) ++last;
        if (!select_group_bracketed(a, len, ranks + first, last - first, out + first))
            select_ranks_in_place(a, len, ranks + first, last - first, out + first);
        first = last;
    }
}

}  // namespace outliers::select_detail
