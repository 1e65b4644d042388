// What a kernel reads: a column of values seen through a strided view, every way a value can be
// declared missing, and the one policy for missing and infinite values that every kernel follows.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace outliers {

inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();
inline constexpr double inf = std::numeric_limits<double>::infinity();

// A non-owning 1-D view (pointer, length, signed element stride): the kernels' only array type.
template <class T>
struct strided {
    T* data = nullptr;
    std::size_t size = 0;
    std::ptrdiff_t stride = 1;  // in elements, may be negative or zero

    T& operator[](std::size_t i) const noexcept {
        return data[static_cast<std::ptrdiff_t>(i) * stride];
    }
    bool empty() const noexcept { return size == 0; }
};

template <class T>
strided<T> make_strided(T* data, std::size_t size, std::ptrdiff_t stride = 1) noexcept {
    return strided<T>{data, size, stride};
}

// The values, and every way a value can be declared missing, each read in place: a byte mask
// (pandas masked arrays, true = missing), an arrow validity bitmap (bit set = valid, starting at
// bit_offset), the int64 minimum as NaT (datetime64/timedelta64), and sentinel values the user
// declares missing (e.g. NOAA's -9999).
template <class T>
struct column {
    strided<const T> values;
    strided<const std::uint8_t> mask{};  // empty view: no mask
    bool int_min_is_missing = false;     // read for int64 values only
    const std::uint8_t* valid_bits = nullptr;
    std::size_t bit_offset = 0;
    const double* sentinels = nullptr;
    std::size_t sentinel_count = 0;

    std::size_t size() const noexcept { return values.size; }
    bool has_mask() const noexcept { return mask.data != nullptr; }
};

// True when the values alone decide what is missing (NaN) or infinite: no mask, bitmap,
// sentinel or NaT. Such columns can be read as plain numbers, by vector loops that skip NaN.
template <class T>
bool values_decide(const column<T>& c) noexcept {
    return !c.has_mask() && !c.valid_bits && c.sentinel_count == 0 &&
           !(std::is_same_v<T, std::int64_t> && c.int_min_is_missing);
}

enum class state : std::uint8_t { finite, missing, infinite };

// Missing: masked, not valid in the bitmap, NaN, NaT or a declared sentinel. Infinite: +-inf.
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

}  // namespace outliers
