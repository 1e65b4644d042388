// The one policy for missing (NaN, masked, NaT) and infinite values that every kernel follows (SPEC §3).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "outliers/strided.hpp"

namespace outliers {

// What a kernel reads: the values, and every way a value can be declared missing, each read
// in place: a byte mask (pandas masked arrays, true = missing), an arrow validity bitmap
// (bit set = valid, starting at bit_offset), the int64 minimum as NaT (datetime64/timedelta64),
// and sentinel values the user declares missing (e.g. NOAA's -9999).
template <class T>
struct column {
    strided<const T> values;
    strided<const std::uint8_t> mask{};  // empty view: no mask
    bool int_min_is_missing = false;
    const std::uint8_t* valid_bits = nullptr;
    std::size_t bit_offset = 0;
    const double* sentinels = nullptr;
    std::size_t sentinel_count = 0;

    std::size_t size() const noexcept { return values.size; }
    bool has_mask() const noexcept { return mask.data != nullptr; }
};

enum class state : std::uint8_t { finite, missing, infinite };

template <class T>
inline state classify(const column<T>& c, std::size_t i) noexcept {
    if (c.has_mask() && c.mask[i]) return state::missing;
    if (c.valid_bits) {
        const std::size_t bit = c.bit_offset + i;
        if (!((c.valid_bits[bit / 8] >> (bit % 8)) & 1u)) return state::missing;
    }
    const T v = c.values[i];
    if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(v)) return state::missing;
        if (std::isinf(v)) return state::infinite;
    } else if constexpr (std::is_same_v<T, std::int64_t>) {
        if (c.int_min_is_missing && v == std::numeric_limits<std::int64_t>::min())
            return state::missing;
    }
    for (std::size_t k = 0; k < c.sentinel_count; ++k)
        if (static_cast<double>(v) == c.sentinels[k]) return state::missing;
    return state::finite;
}

// The value as double; only meaningful where classify() says finite or infinite.
template <class T>
inline double value(const column<T>& c, std::size_t i) noexcept {
    return static_cast<double>(c.values[i]);
}

inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();
inline constexpr double inf = std::numeric_limits<double>::infinity();

// Copies the finite values, as double, into `out` (cleared first). Selection reorders
// this scratch copy; the caller's buffer is never touched.
template <class T, class Vec>
void gather_finite(const column<T>& c, Vec& out) {
    out.clear();
    out.reserve(c.size());
    for (std::size_t i = 0; i < c.size(); ++i)
        if (classify(c, i) == state::finite) out.push_back(value(c, i));
}

}  // namespace outliers
