// What a column-level selection is asked for (medians, linear quantiles), the ranks numpy's
// formulas read among n sorted values for it, and the statistics from the keys found there.
#pragma once

#include <algorithm>
#include <cstddef>

#include "outliers/column.hpp"
#include "outliers/order/numpy_formulas.hpp"
#include "outliers/simd/scan.hpp"

namespace outliers {

// The median, or the linear q-quantile.
struct order_request {
    bool median = true;
    double q = 0.5;
};

inline constexpr std::size_t max_requests = 3;

struct order_result {
    std::size_t n = 0;  // values the statistics were taken of
    double value[max_requests] = {nan, nan, nan};
};

namespace select_detail {

// The answer for the wanted ranks: which ranks, and their keys once found.
struct rank_set {
    std::size_t rank[2 * max_requests]{};
    order_key key[2 * max_requests]{};
    std::size_t count = 0;

    // The ranks the requests read among n values, ascending and distinct.
    void plan(const order_request* req, std::size_t m, std::size_t n) {
        count = 0;
        for (std::size_t j = 0; j < m; ++j) {
            std::size_t a, b;
            if (req[j].median) {
                a = (n - 1) / 2;
                b = n / 2;
            } else {
                const quantile_position at = numpy_position(n, req[j].q);
                a = at.below;
                b = at.above;
            }
            rank[count++] = a;
            rank[count++] = b;
        }
        std::sort(rank, rank + count);
        count = static_cast<std::size_t>(std::unique(rank, rank + count) - rank);
    }

    double at(std::size_t r) const {
        const std::size_t i =
            static_cast<std::size_t>(std::lower_bound(rank, rank + count, r) - rank);
        return value_of(key[i]);
    }

    order_result assemble(const order_request* req, std::size_t m, std::size_t n) const {
        order_result out;
        out.n = n;
        for (std::size_t j = 0; j < m; ++j) {
            if (req[j].median) {
                out.value[j] = numpy_median(at((n - 1) / 2), at(n / 2), n % 2 == 0);
            } else {
                const quantile_position p = numpy_position(n, req[j].q);
                out.value[j] = numpy_lerp(at(p.below), at(p.above), p.gamma);
            }
        }
        return out;
    }
};

}  // namespace select_detail

}  // namespace outliers
