// Vectorised flags for the common call (a mask, no scores, of a column without mask, bitmap,
// sentinels or NaT) of the methods whose rule is a fixed band (iqr, quantile) or a scaled
// deviation (mad).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "cpu.hpp"
#include "missing.hpp"
#include "outputs.hpp"
#include "parallel.hpp"
#include "select_scan.hpp"

namespace outliers::fast_flags {

// Only flags asked for, and nothing but NaN and +-inf can be missing or infinite (no mask,
// bitmap, sentinel or NaT): then the rule needs nothing but the values.
template <class T>
bool applies(const column<T>& c, const outputs& out) {
    return out.flags && !out.scores && !c.has_mask() && !c.valid_bits && c.sentinel_count == 0 &&
           !(std::is_same_v<T, std::int64_t> && c.int_min_is_missing);
}

// The rules, one value at a time, as write_pointwise applies them: a finite x is flagged by the
// method's test, +-inf always, NaN never. `outside`: x < lower || x > upper. `deviation`:
// |x - center| / scale > threshold. Same operations in the same order in every path, so the
// flags are identical (comparisons with NaN are false everywhere, as in C++).
struct outside {
    double lower, upper;
    bool operator()(double x) const noexcept {
        return x < lower || x > upper || std::fabs(x) == HUGE_VAL;
    }
};
struct deviation {
    double center, scale, threshold;
    bool operator()(double x) const noexcept {
        return std::fabs(x - center) / scale > threshold || std::fabs(x) == HUGE_VAL;
    }
};

template <class Rule>
void flag_portable(const double* x, std::size_t n, const Rule& rule, std::uint8_t* flags) {
    for (std::size_t i = 0; i < n; ++i) flags[i] = rule(x[i]);
}

#ifdef OUTLIERS_SELECT_X86

// Lanes holding +-inf (an integer compare of the magnitude bits: NaN is not equal).
OUTLIERS_TARGET_AVX512 inline __mmask8 infinite_avx512(__m512d v) {
    return _mm512_cmpeq_epi64_mask(
        _mm512_and_si512(_mm512_castpd_si512(v), _mm512_set1_epi64(0x7FFFFFFFFFFFFFFF)),
        _mm512_set1_epi64(select_detail::key_pos_inf));
}

OUTLIERS_TARGET_AVX512 inline __mmask8 lanes_avx512(__m512d v, const outside& r) {
    return static_cast<__mmask8>(_mm512_cmp_pd_mask(v, _mm512_set1_pd(r.lower), _CMP_LT_OQ) |
                                 _mm512_cmp_pd_mask(v, _mm512_set1_pd(r.upper), _CMP_GT_OQ) |
                                 infinite_avx512(v));
}

OUTLIERS_TARGET_AVX512 inline __mmask8 lanes_avx512(__m512d v, const deviation& r) {
    const __m512d d = _mm512_abs_pd(_mm512_sub_pd(v, _mm512_set1_pd(r.center)));
    const __m512d score = _mm512_div_pd(d, _mm512_set1_pd(r.scale));
    return static_cast<__mmask8>(
        _mm512_cmp_pd_mask(score, _mm512_set1_pd(r.threshold), _CMP_GT_OQ) | infinite_avx512(v));
}

template <class Rule>
OUTLIERS_TARGET_AVX512 void flag_avx512(const double* x, std::size_t n, const Rule& rule,
                                        std::uint8_t* flags) {
    std::size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        std::uint64_t bits = 0;
        for (unsigned u = 0; u < 8; ++u)
            bits |= std::uint64_t{lanes_avx512(_mm512_loadu_pd(x + i + 8 * u), rule)} << (8 * u);
        _mm512_storeu_si512(flags + i, _mm512_maskz_set1_epi8(bits, 1));
    }
    flag_portable(x + i, n - i, rule, flags + i);
}

// Lanes holding +-inf, as in infinite_avx512.
OUTLIERS_TARGET_AVX2 inline __m256d infinite_avx2(__m256d v) {
    return _mm256_castsi256_pd(_mm256_cmpeq_epi64(
        _mm256_and_si256(_mm256_castpd_si256(v), _mm256_set1_epi64x(0x7FFFFFFFFFFFFFFF)),
        _mm256_set1_epi64x(select_detail::key_pos_inf)));
}

OUTLIERS_TARGET_AVX2 inline unsigned lanes_avx2(__m256d v, const outside& r) {
    const __m256d hit =
        _mm256_or_pd(_mm256_or_pd(_mm256_cmp_pd(v, _mm256_set1_pd(r.lower), _CMP_LT_OQ),
                                  _mm256_cmp_pd(v, _mm256_set1_pd(r.upper), _CMP_GT_OQ)),
                     infinite_avx2(v));
    return static_cast<unsigned>(_mm256_movemask_pd(hit));
}

OUTLIERS_TARGET_AVX2 inline unsigned lanes_avx2(__m256d v, const deviation& r) {
    const __m256d d =
        _mm256_andnot_pd(_mm256_set1_pd(-0.0), _mm256_sub_pd(v, _mm256_set1_pd(r.center)));
    const __m256d score = _mm256_div_pd(d, _mm256_set1_pd(r.scale));
    const __m256d hit = _mm256_or_pd(_mm256_cmp_pd(score, _mm256_set1_pd(r.threshold), _CMP_GT_OQ),
                                     infinite_avx2(v));
    return static_cast<unsigned>(_mm256_movemask_pd(hit));
}

template <class Rule>
OUTLIERS_TARGET_AVX2 void flag_avx2(const double* x, std::size_t n, const Rule& rule,
                                    std::uint8_t* flags) {
    // 32 flag bits to 32 bytes of 0/1: byte j takes bit j of the word.
    const __m256i spread = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2,
                                            2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
    const __m256i bit = _mm256_set1_epi64x(static_cast<long long>(0x8040201008040201ull));
    const __m256i one = _mm256_set1_epi8(1);
    std::size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        unsigned bits = 0;
        for (unsigned u = 0; u < 8; ++u)
            bits |= lanes_avx2(_mm256_loadu_pd(x + i + 4 * u), rule) << (4 * u);
        __m256i b = _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int>(bits)), spread);
        b = _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(b, bit), bit), one);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(flags + i), b);
    }
    flag_portable(x + i, n - i, rule, flags + i);
}

#endif  // OUTLIERS_SELECT_X86

template <class Rule>
void flag_level(const double* x, std::size_t n, const Rule& rule, std::uint8_t* flags,
                cpu::level level) {
#ifdef OUTLIERS_SELECT_X86
    if (level == cpu::level::avx512) return flag_avx512(x, n, rule, flags);
    if (level == cpu::level::avx2) return flag_avx2(x, n, rule, flags);
#else
    (void)level;
#endif
    flag_portable(x, n, rule, flags);
}

// flags[i] = rule(x[i]) over a column `applies` accepted, in fixed blocks (threads optional).
// Contiguous float64 is read in place; other dtypes and strides through a small buffer of
// doubles (the conversion is exact or the same rounding the general path applies).
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
