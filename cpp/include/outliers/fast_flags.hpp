// Flags for the common call (a mask, no scores, of a column whose values alone decide what is
// missing) of the methods whose rule is a fixed band (iqr, quantile) or a scaled deviation
// (mad), through the vectorised loops of lanes.hpp.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "outliers/column.hpp"
#include "outliers/outputs.hpp"
#include "outliers/parallel.hpp"
#include "outliers/simd/cpu.hpp"
#include "outliers/simd/lanes.hpp"

namespace outliers::fast_flags {

// Only flags asked for, of a column whose values alone decide what is missing: then the rule
// needs nothing but the values.
template <class T>
bool applies(const column<T>& c, const outputs& out) {
    return out.flags && !out.scores && values_decide(c);
}

// The rules, one value at a time, as write_pointwise applies them: a finite x is flagged by the
// method's test, +-inf always, NaN never. `outside`: x < lower || x > upper. `deviation`:
// |x - center| / scale > threshold. The vectorised loops (lanes.hpp) apply the same operations
// in the same order, so the flags are identical on every CPU level.
struct outside {
    double lower, upper;
};
struct deviation {
    double center, scale, threshold;
};

inline void flag_level(const double* x, std::size_t n, const outside& r, std::uint8_t* flags,
                       cpu::level level) {
    lanes::outside_flags(level, x, n, r.lower, r.upper, flags);
}
inline void flag_level(const double* x, std::size_t n, const deviation& r, std::uint8_t* flags,
                       cpu::level level) {
    lanes::deviation_flags(level, x, n, r.center, r.scale, r.threshold, flags);
}

// flags[i] = rule(x[i]) over a column `applies` accepted, in fixed blocks (threads optional).
// Contiguous float64 is read in place; other dtypes and strides through a small buffer of
// doubles (the conversion is exact or the same rounding the general path applies). Not through
// double_reader: its read() cost 4-8 % more here on int32 and strided columns in the cache.
template <class T, class Rule>
void write(const column<T>& c, const Rule& rule, std::uint8_t* flags) {
    const cpu::level level = cpu::active();
    for_each_block(c.size(), [&](std::size_t, std::size_t begin, std::size_t end) {
        if constexpr (std::is_same_v<T, double>) {
            if (c.values.stride == 1)
                return flag_level(c.values.data + begin, end - begin, rule, flags + begin, level);
        }
        constexpr std::size_t piece = 1024;
        double buf[piece];
        for (std::size_t i = begin; i < end; i += piece) {
            const std::size_t len = std::min(piece, end - i);
            for (std::size_t k = 0; k < len; ++k) buf[k] = value(c, i + k);
            flag_level(buf, len, rule, flags + i, level);
        }
    });
}

}  // namespace outliers::fast_flags
