// The one way to compile code once per CPU level, and the one way to call the level's copy.
//
// Why. A built extension runs on any x86-64 CPU, so nothing is built with -march=native: the
// build targets the baseline (SSE2; NEON on aarch64), and the vectorised loops are compiled a
// second and third time for AVX2 and AVX-512, then chosen at run time by cpu::active()
// (cpu.hpp). Every level must give the same bits: the loops fix their order of operations
// whatever the vector width (simd/lanes.hpp: element i feeds lane i % 16, and the lanes are
// combined in one fixed order; counts and comparisons are exact), so the width only decides
// how many lanes one instruction updates. No level enables FMA, and the build passes
// -ffp-contract=off, so a * b + c rounds twice on every level, as numpy computes it.
//
// Compiling per level. A file of loops is included once per level by each_level.inc (the
// scheme of Google Highway's foreach_target.h), compiled each time under a target pragma for
// that level, its code in a namespace named by OUTLIERS_SIMD_NS:
//
//     // my_loops.inc
//     namespace outliers::mine::detail {
//     namespace OUTLIERS_SIMD_NS {
//     inline double total(OUTLIERS_SIMD_TARGET, const double* p, std::size_t n) noexcept {
//         constexpr int w = OUTLIERS_SIMD_TARGET::doubles;  // doubles per vector: 2, 4, 8
//         ...  // vector extensions; intrinsics under #if OUTLIERS_SIMD_LEVEL == 1 (avx2), 2
//     }
//     }  // namespace OUTLIERS_SIMD_NS
//     using namespace OUTLIERS_SIMD_NS;  // the entry points: overloads told apart by their tag
//     }  // namespace outliers::mine::detail
//
//     // mine.hpp
//     #define OUTLIERS_SIMD_LOOPS "outliers/mine/my_loops.inc"
//     #include "outliers/simd/each_level.inc"
//     inline double total(cpu::level level, const double* p, std::size_t n) noexcept {
//         return simd::dispatch(level, [&](auto at) { return detail::total(at, p, n); });
//     }
//
// Each entry point takes the level's tag, target<L>, first: through the using-directives the
// three copies are overloads of one name, and the tag picks the copy. (Not inline namespaces:
// argument-dependent lookup would then see a helper's three copies from inside any of them.)
// Everything defined inside the included file (helpers, templates, lambdas) gets the level's
// instruction set; the compiler's own macros (__AVX2__, ...) do not follow the pragma in C++, so
// test OUTLIERS_SIMD_LEVEL (tests/test_dispatch.cpp checks each copy's sets). A template defined
// outside it may be called from inside only if
// [[gnu::always_inline]]: otherwise, where GCC does not inline it, it is compiled for the
// baseline, its wide vectors split into SSE2 halves.
//
// Dispatching. simd::dispatch(level, f) calls f with the tag of `level`: one switch per call,
// so callers read cpu::active() once per kernel call and dispatch per block, not per value.
#pragma once

#include <utility>

#include "outliers/simd/cpu.hpp"

#if !defined(__GNUC__)
#error "outliers' vectorised loops need GCC or Clang (vector extensions, target pragmas)"
#endif

namespace outliers::simd {

// The tag of a CPU level: its entry points' first parameter.
template <cpu::level L>
struct target {
    static constexpr cpu::level level = L;
    // Doubles in one vector register: 2 (SSE2, NEON), 4 (AVX2), 8 (AVX-512).
    static constexpr int doubles = 2 << static_cast<int>(L);
};

// f(target<level>{}): the copy compiled for `level`. Off x86-64 there is one level, the portable.
// Always inlined: as a function of its own it is one more call per loop, and a copy of the
// loop's results (lanes.hpp's sums: 384 bytes), which cost small calls 5 %.
template <class F>
[[gnu::always_inline]] inline decltype(auto) dispatch(cpu::level level, F&& f) {
#if defined(OUTLIERS_X86)
    switch (level) {
        case cpu::level::avx512:
            return std::forward<F>(f)(target<cpu::level::avx512>{});
        case cpu::level::avx2:
            return std::forward<F>(f)(target<cpu::level::avx2>{});
        case cpu::level::portable:
            break;
    }
#else
    static_cast<void>(level);
#endif
    return std::forward<F>(f)(target<cpu::level::portable>{});
}

}  // namespace outliers::simd
