// Which vectorised code paths this CPU may run, decided at run time (simd/dispatch.hpp says why).
#pragma once

#include <algorithm>
#include <atomic>

// OUTLIERS_X86: the build has the AVX2 and AVX-512 levels (compiled by simd/each_level.inc).
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define OUTLIERS_X86 1
#endif

namespace outliers::cpu {

// Ordered: a kernel takes the best path whose level <= active().
enum class level : int { portable = 0, avx2 = 1, avx512 = 2 };

inline level detected() noexcept {
#if defined(OUTLIERS_X86)
    static const level best = [] {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
            return level::avx512;
        if (__builtin_cpu_supports("avx2")) return level::avx2;
        return level::portable;
    }();
    return best;
#else
    return level::portable;
#endif
}

namespace detail {
inline std::atomic<int>& ceiling() {
    static std::atomic<int> value{static_cast<int>(level::avx512)};
    return value;
}
}  // namespace detail

// The level kernels use: what the CPU has, capped by limit() (tests run every path).
inline level active() noexcept {
    return static_cast<level>(
        std::min(static_cast<int>(detected()), detail::ceiling().load(std::memory_order_relaxed)));
}

// The level's name, as the tests and the Python binding spell it.
inline const char* name(level l) noexcept {
    return l == level::avx512 ? "avx512" : l == level::avx2 ? "avx2" : "portable";
}

// Caps the level (e.g. level::portable to run the fallback paths); results never depend on it.
inline void limit(level l) noexcept { detail::ceiling().store(static_cast<int>(l)); }

}  // namespace outliers::cpu
