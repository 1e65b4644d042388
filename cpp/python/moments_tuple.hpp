// The moments of a segment as Python sees them: a plain tuple (count, sum, sum_err, mean, m2,
// d1, first, constant, scale) that dask can pickle and pass between tasks.
#pragma once

#include <tuple>

#include "outliers/stats/moments.hpp"

namespace outliers::bindings {

using moments_tuple = std::tuple<double, double, double, double, double, double, double, bool, int>;

inline moments_tuple to_tuple(const moments& m) {
    return {m.count, m.sum, m.sum_err, m.mean, m.m2, m.d1, m.first, m.constant, m.scale};
}

inline moments from_tuple(const moments_tuple& t) {
    moments m;
    std::tie(m.count, m.sum, m.sum_err, m.mean, m.m2, m.d1, m.first, m.constant, m.scale) = t;
    return m;
}

}  // namespace outliers::bindings
