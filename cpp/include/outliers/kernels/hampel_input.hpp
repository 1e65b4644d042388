// How hampel reads its input: every value as one double ("encoded"), a window cut at the array's
// ends padded with missing values, and where a block's non-finite values are.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "outliers/column.hpp"
#include "outliers/order/sorted_stats.hpp"
#include "outliers/read_doubles.hpp"

namespace outliers::kernels::hampel_detail {

using order::is_finite;

// Every value the kernel reads is "encoded" as one double: NaN for a missing value (whatever
// declared it missing), +-inf as is, finite values plus 0.0. Adding 0.0 turns -0.0 into +0.0:
// the two compare equal, so which one a selection returns would otherwise depend on the
// algorithm; with one zero, every path returns the same bits. Plain: the values alone decide
// what is missing (values_decide, column.hpp), so that only NaN is. A template, not
// double_reader::at, which decides that per value: in the sliding paths' per-value reads that
// cost 2-4 % more instructions (windows 101 and 1001, counted with valgrind).
template <bool Plain, class T>
double encoded(const column<T>& c, std::size_t j) noexcept {
    if constexpr (!Plain)
        if (classify(c, j) == state::missing) return nan;
    return value(c, j) + 0.0;
}

// buf[k] = encoded value of x[first + k] for k < len, NaN where first + k lies outside [0, n):
// a window cut at the array's ends is a window with missing values.
template <class T>
void load(const double_reader<T>& reader, std::ptrdiff_t first, std::size_t len, double* buf) {
    const auto n = static_cast<std::ptrdiff_t>(reader.size());
    std::size_t k = 0;
    for (; k < len && first + static_cast<std::ptrdiff_t>(k) < 0; ++k) buf[k] = nan;
    const std::size_t stop =
        std::min(len, static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, n - first)));
    if (k < stop) {
        const auto j = static_cast<std::size_t>(first + static_cast<std::ptrdiff_t>(k));
        const double* src = reader.read(j, stop - k, buf + k);  // buf + k, or the column itself
        for (std::size_t q = k; q < stop; ++q) buf[q] = src[q - k] + 0.0;
        k = stop;
    }
    for (; k < len; ++k) buf[k] = nan;
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

}  // namespace outliers::kernels::hampel_detail
