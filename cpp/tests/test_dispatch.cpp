// simd/dispatch.hpp and simd/each_level.inc: a file of loops is compiled once per CPU level with
// that level's instruction sets (and never FMA), and simd::dispatch calls the copy of the level
// it is given; the copies of levels the CPU has run.
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <vector>

#include "check.hpp"
#include "cpu_levels.hpp"
#include "outliers/simd/dispatch.hpp"

#if defined(OUTLIERS_X86)
#include <immintrin.h>
#endif

namespace dispatch_test {
struct copy_info {
    int level = -1, doubles = 0;
    bool avx2 = false, avx512 = false, beyond_baseline = false;
};
}  // namespace dispatch_test

// The path is relative to each_level.inc, which includes it.
#define OUTLIERS_SIMD_LOOPS "../../../tests/test_dispatch_loops.inc"
#include "outliers/simd/each_level.inc"

namespace {

namespace cpu = outliers::cpu;
namespace simd = outliers::simd;
using dispatch_test::copy_info;

const cpu::level all_levels[] = {cpu::level::portable, cpu::level::avx2, cpu::level::avx512};

// dispatch hands f the tag of the level asked for (the portable one off x86-64), and passes
// f's result through, a value or void.
void test_dispatch_picks_the_levels_tag() {
    for (const cpu::level l : all_levels) {
        const cpu::level got = simd::dispatch(l, [](auto at) { return decltype(at)::level; });
#if defined(OUTLIERS_X86)
        CHECK(got == l);
#else
        CHECK(got == cpu::level::portable);
#endif
        const int doubles = simd::dispatch(l, [](auto at) { return decltype(at)::doubles; });
        CHECK(doubles == 2 << static_cast<int>(got));
        int calls = 0;
        simd::dispatch(l, [&](auto) { ++calls; });
        CHECK(calls == 1);
    }
}

// Each copy is compiled for its own level (the intrinsics of test_dispatch_loops.inc compile only
// under the level's instruction sets), and the build itself for the baseline, without FMA: no
// -march=native, and a * b + c rounds twice everywhere.
void test_each_copy_is_compiled_for_its_level() {
    for (const cpu::level l : all_levels) {
        const copy_info info = simd::dispatch(l, [](auto at) { return dispatch_test::which(at); });
        const int want = simd::dispatch(l, [](auto at) { return static_cast<int>(at.level); });
        CHECK(info.level == want);
        CHECK(info.doubles == 2 << want);
        CHECK(!info.beyond_baseline);
    }
    // Run where the CPU has the level: the intrinsics compute what they should.
    for (const cpu::level l : outliers::testing::cpu_levels()) {
        const copy_info info = simd::dispatch(l, [](auto at) { return dispatch_test::which(at); });
        CHECK(info.avx2 == (l >= cpu::level::avx2));
        CHECK(info.avx512 == (l >= cpu::level::avx512));
    }
}

// The copies of the levels this CPU has run, and give the same sum (the data are small
// integers: every order of addition is exact).
void test_copies_run_on_the_levels_the_cpu_has() {
    std::vector<double> x(1000);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(i % 17);
    for (const cpu::level l : outliers::testing::cpu_levels()) {
        const double s = simd::dispatch(
            l, [&](auto at) { return dispatch_test::vector_sum(at, x.data(), x.size()); });
        CHECK(s == 7979.0);
    }
}

}  // namespace

int main() {
    test_dispatch_picks_the_levels_tag();
    test_each_copy_is_compiled_for_its_level();
    test_copies_run_on_the_levels_the_cpu_has();
    return outliers::testing::report("test_dispatch");
}
