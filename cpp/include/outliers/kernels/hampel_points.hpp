// What hampel writes for a point from its value and its window's median and MAD: center,
// bounds, score and flag, one point at a time or L points at once (from sorting networks).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "outliers/column.hpp"
#include "outliers/order/sorted_stats.hpp"
#include "outliers/order/sorting_networks.hpp"
#include "outliers/outputs.hpp"
#include "outliers/stats/rules.hpp"

#if defined(__has_builtin)
#if __has_builtin(__builtin_shufflevector)
#define OUTLIERS_HAMPEL_SHUFFLE 1
#endif
#endif

namespace outliers::kernels::hampel_detail {

using rules::mad_scale;

// Writes point i from its encoded value x and its window's statistics, as docs/methods.md says.
struct point_writer {
    const outputs& out;
    double threshold;

    // The score and flag of a finite x whose distance |x - m| overflowed (x and m of opposite
    // signs near +-1e308): inf / S would be NaN for an S that overflowed too (a finite value
    // with the score the missing-value rules keep for missing ones), inf for a finite true score.
    // Both are taken from the halves, exact at these magnitudes (far from the subnormals): the
    // score and the comparison of arithmetic without overflow.
    void write_overflowed(std::size_t i, double x, double m, double mad) const noexcept {
        const double d = std::fabs(x / 2.0 - m / 2.0), s = mad_scale * (mad / 2.0);
        if (out.scores) out.scores[i] = s > 0.0 ? d / s : inf;
        if (out.flags) out.flags[i] = d > threshold * s;
    }

    void write(std::size_t i, double x, const order::median_mad& st) const noexcept {
        const double m = st.median;
        const double s = mad_scale * st.mad;
        if (out.center) out.center[i] = m;
        const rules::band bounds = rules::around(m, threshold, s);
        if (out.lower) out.lower[i] = bounds.lower;
        if (out.upper) out.upper[i] = bounds.upper;
        if (std::isnan(x)) {
            if (out.scores) out.scores[i] = nan;
            if (out.flags) out.flags[i] = 0;
            return;
        }
        if (std::isinf(x)) {
            if (out.scores) out.scores[i] = inf;
            if (out.flags) out.flags[i] = 1;
            return;
        }
        const double d = std::fabs(x - m);
        if (d == inf) return write_overflowed(i, x, m, st.mad);
        if (out.scores) out.scores[i] = s > 0.0 ? d / s : d == 0.0 ? 0.0 : inf;
        if (out.flags) out.flags[i] = d > threshold * s;
    }

    // write() for the L points i, i + 1, ... at once: lane j of x, m and mad holds point i + j's
    // value (finite), median and unscaled MAD.
    template <int L>
    [[gnu::always_inline]] inline void write_lanes(std::size_t i,
                                                   const typename order::lanes<L>::vd& x,
                                                   const typename order::lanes<L>::vd& m,
                                                   const typename order::lanes<L>::vd& mad) const {
        using V = typename order::lanes<L>::vd;
        using VB = typename order::lanes<L>::vb;
        const V s = mad_scale * mad;
        const V ts = threshold * s;
        if (out.center) std::memcpy(out.center + i, &m, sizeof(V));
        // The bounds of rules::around, in lanes.
        if (out.lower) {
            const V lo = m - ts;
            std::memcpy(out.lower + i, &lo, sizeof(V));
        }
        if (out.upper) {
            const V hi = m + ts;
            std::memcpy(out.upper + i, &hi, sizeof(V));
        }
        if (!out.scores && !out.flags) return;
        const V d = x > m ? x - m : m - x;  // fabs(x - m): fl(m - x) = -fl(x - m)
        if (out.scores) {
            const V zero{};
            const V score = s > zero ? d / s : d == zero ? zero : zero + inf;
            std::memcpy(out.scores + i, &score, sizeof(V));
        }
        if (out.flags) {
            const auto flagged = d > ts;  // all bits set in the lanes flagged
            VB f;
#ifdef OUTLIERS_HAMPEL_SHUFFLE
            if constexpr (L == 4) {  // AVX2 has no 64-to-8-bit narrowing: pick each lane's low byte
                typedef char v32c __attribute__((vector_size(32)));
                const auto bytes = reinterpret_cast<v32c>(flagged);
                f = reinterpret_cast<VB>(__builtin_shufflevector(bytes, bytes, 0, 8, 16, 24)) & 1;
            } else
#endif
                f = __builtin_convertvector(flagged, VB) & 1;
            std::memcpy(out.flags + i, &f, sizeof(VB));
        }
        const auto overflowed = d == V{} + inf;  // rare: values near +-1e308 on both sides of m
        bool any = false;
        for (int l = 0; l < L; ++l) any |= overflowed[l] != 0;
        if (__builtin_expect(any, 0))
            for (int l = 0; l < L; ++l)
                if (overflowed[l])
                    write_overflowed(i + static_cast<std::size_t>(l), x[l], m[l], mad[l]);
    }
};

}  // namespace outliers::kernels::hampel_detail
