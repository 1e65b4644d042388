// Every per-point output a kernel can write (flags, scores, bounds, center), owned by a test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <outliers/outputs.hpp>
#include <vector>

namespace outliers::testing {

struct outputs_buffer {
    std::vector<std::uint8_t> flags;
    std::vector<double> scores, lower, upper, center;
    outputs out;  // points into the vectors above (a move keeps their buffers)
    explicit outputs_buffer(std::size_t n) : flags(n), scores(n), lower(n), upper(n), center(n) {
        out.flags = flags.data();
        out.scores = scores.data();
        out.lower = lower.data();
        out.upper = upper.data();
        out.center = center.data();
        out.want_center = true;
    }
};

}  // namespace outliers::testing
