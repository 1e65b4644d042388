// The CPU levels a C++ test runs (simd/cpu.hpp): those the CPU has, portable first. Each level it
// lacks is said once per program with a SKIP line, rather than run again as a lower level.
#pragma once

#include <cstdio>
#include <vector>

#include "outliers/simd/cpu.hpp"

namespace outliers::testing {

inline std::vector<cpu::level> cpu_levels() {
    static const std::vector<cpu::level> runnable = [] {
        std::vector<cpu::level> out;
        for (const cpu::level l : {cpu::level::portable, cpu::level::avx2, cpu::level::avx512}) {
            if (l <= cpu::detected()) {
                out.push_back(l);
            } else {
                std::printf("SKIP level %s: this CPU has %s at most\n", cpu::name(l),
                            cpu::name(cpu::detected()));
            }
        }
        return out;
    }();
    return runnable;
}

}  // namespace outliers::testing
