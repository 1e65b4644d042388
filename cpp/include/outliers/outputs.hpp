// What a kernel writes: caller-allocated per-point outputs and a summary of its statistics.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "outliers/column.hpp"
#include "outliers/parallel.hpp"
#include "outliers/read_doubles.hpp"

namespace outliers {

// Every pointer may be null: the kernel then skips that output. Per-point arrays have the
// input's length and are contiguous.
struct outputs {
    std::uint8_t* flags = nullptr;  // 1 = flagged
    double* scores = nullptr;
    double* lower = nullptr;  // per-point bounds and center: hampel only
    double* upper = nullptr;
    double* center = nullptr;
    bool want_center = false;  // scalar center costs an extra selection for iqr/quantile
    // Set by a caller that reads the flags only after more data than the caches hold has been
    // read (the other columns of a large frame): zscore and esd then write them with
    // non-temporal stores, as they do anyway from lanes::stream_min values on.
    bool stream_flags = false;
};

// The scalar statistics of a method (NaN where the method has per-point bounds).
struct summary {
    double lower = nan;
    double upper = nan;
    double center = nan;
    std::size_t n_used = 0;  // finite values that entered the statistics
};

// Writes flags and scores for methods whose rule depends on the value alone. score_of(x) and
// flagged(x) see finite x only; missing values get score NaN and are never flagged, infinite
// values score +inf and are always flagged (docs/methods.md: missing and infinite values).
template <class T, class Score, class Flag>
void write_pointwise(const column<T>& c, const outputs& out, Score score_of, Flag flagged) {
    if (!out.flags && !out.scores) return;
    const double_reader<T> reader(c);  // missing values read as NaN
    for_each_block(c.size(), [&](std::size_t, std::size_t begin, std::size_t end) {
        constexpr std::size_t piece = 1024;
        double buf[piece];
        for (std::size_t s = begin; s < end; s += piece) {
            const std::size_t len = std::min(piece, end - s);
            const double* x = reader.read(s, len, buf);
            for (std::size_t k = 0; k < len; ++k) {
                const bool finite = std::fabs(x[k]) < inf;
                if (out.scores)
                    out.scores[s + k] = finite ? score_of(x[k]) : std::isnan(x[k]) ? nan : inf;
                if (out.flags) out.flags[s + k] = finite ? flagged(x[k]) : std::isinf(x[k]);
            }
        }
    });
}

}  // namespace outliers
