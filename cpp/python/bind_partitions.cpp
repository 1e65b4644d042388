// What one partition of a dask collection contributes (outliers/partitions.hpp), and the
// combination steps that belong in C++: pooled moments, numpy's order-statistic formulas,
// the ESD test over every partition's candidates. Kernels run without the GIL.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "buffers.hpp"
#include "moments_tuple.hpp"
#include "outliers/kernels/band.hpp"
#include "outliers/kernels/hampel.hpp"
#include "outliers/kernels/mad.hpp"
#include "outliers/kernels/zscore.hpp"
#include "outliers/partitions.hpp"

namespace outliers::bindings {

namespace {

using points = std::vector<std::pair<double, std::size_t>>;

points to_pairs(const std::vector<detail::esd_impl::point>& v) {
    points out;
    for (const auto& p : v) out.emplace_back(p.x, p.pos);
    return out;
}

std::vector<detail::esd_impl::point> from_pairs(const points& v) {
    std::vector<detail::esd_impl::point> out;
    for (const auto& [x, pos] : v) out.push_back({x, pos});
    return out;
}

// Values (center NaN) or their absolute deviations from `center`.
select_detail::value_map value_map_for(double center) {
    select_detail::value_map map;
    if (!std::isnan(center)) {
        map.deviations = true;
        map.center = center;
    }
    return map;
}

std::vector<partitions::group> groups_of(const std::vector<std::uint64_t>& prefixes,
                                         const std::vector<int>& bits, bool histogram) {
    if (prefixes.size() != bits.size()) throw py::value_error("prefixes and bits differ in length");
    std::vector<partitions::group> groups;
    for (std::size_t g = 0; g < prefixes.size(); ++g) {
        const int limit = histogram ? 64 - partitions::digit_bits : 64;
        if (bits[g] < 0 || bits[g] > limit || bits[g] % partitions::digit_bits != 0)
            throw py::value_error("bits must be a multiple of 16 in [0, " + std::to_string(limit) +
                                  "]");
        groups.push_back({prefixes[g], bits[g]});
    }
    return groups;
}

std::vector<order_request> requests_of(const std::vector<double>& qs) {
    std::vector<order_request> req;
    for (double q : qs) req.push_back(std::isnan(q) ? order_request{} : order_request{false, q});
    return req;
}

py::tuple histogram(const py::handle& spec, const std::vector<double>& missing,
                    const std::vector<std::uint64_t>& prefixes, const std::vector<int>& bits,
                    double center) {
    const column_source src(spec);
    const auto groups = groups_of(prefixes, bits, true);
    py::array_t<std::uint64_t> counts({static_cast<py::ssize_t>(groups.size()),
                                       static_cast<py::ssize_t>(partitions::digit_bins)});
    py::array_t<std::uint64_t> lowest(static_cast<py::ssize_t>(groups.size()));
    py::array_t<std::uint64_t> highest(static_cast<py::ssize_t>(groups.size()));
    std::uint64_t* out = counts.mutable_data();
    std::uint64_t* lo = lowest.mutable_data();
    std::uint64_t* hi = highest.mutable_data();
    std::uint64_t n = 0;
    {
        py::gil_scoped_release nogil;
        n = src.visit(missing, [&](const auto& c) {
            return partitions::histogram(c, value_map_for(center), groups, out, lo, hi);
        });
    }
    return py::make_tuple(n, counts, lowest, highest);
}

std::vector<py::array_t<double>> gather(const py::handle& spec, const std::vector<double>& missing,
                                        const std::vector<std::uint64_t>& prefixes,
                                        const std::vector<int>& bits, double center) {
    const column_source src(spec);
    const auto groups = groups_of(prefixes, bits, false);
    std::vector<std::vector<double>> values;
    {
        py::gil_scoped_release nogil;
        values = src.visit(missing, [&](const auto& c) {
            return partitions::gather(c, value_map_for(center), groups);
        });
    }
    std::vector<py::array_t<double>> out;
    for (const auto& v : values) out.emplace_back(static_cast<py::ssize_t>(v.size()), v.data());
    return out;
}

py::dict apply(const std::string& rule, const py::handle& spec, const std::vector<double>& missing,
               const std::vector<double>& stats, bool mask, bool scores) {
    const column_source src(spec);
    const auto n = static_cast<py::ssize_t>(src.n);
    const std::size_t needed = rule == "band" ? 4 : rule == "none" ? 0 : 3;
    if (rule != "zscore" && rule != "deviation" && rule != "band" && rule != "none")
        throw py::value_error("unknown rule " + rule);
    if (stats.size() != needed)
        throw py::value_error(rule + " takes " + std::to_string(needed) + " statistics");
    py::array_t<bool> mask_out(mask ? n : 0);
    py::array_t<double> scores_out(scores ? n : 0);
    outputs out;
    if (mask) out.flags = reinterpret_cast<std::uint8_t*>(mask_out.mutable_data());
    if (scores) out.scores = scores_out.mutable_data();
    {
        py::gil_scoped_release nogil;
        src.visit(missing, [&](const auto& c) {
            if (rule == "zscore")
                kernels::write_zscore(c, out, stats[0], stats[1], stats[2]);
            else if (rule == "deviation")
                kernels::write_deviation(c, out, stats[0], stats[1], stats[2]);
            else if (rule == "band")
                kernels::write_band(c, out, stats[0], stats[1], stats[2], stats[3]);
            else  // nothing finite is flagged (the ESD test's flags are set by position)
                write_pointwise(c, out, [](double) { return 0.0; }, [](double) { return false; });
        });
    }
    py::dict result;
    if (mask) result["mask"] = mask_out;
    if (scores) result["scores"] = scores_out;
    return result;
}

// hampel's outputs for the points [first, last) of a partition extended by its neighbours'
// values: only those points are computed. The kernel writes by position in the column, into
// uninitialised buffers of its length of which only [first, last) is touched (and so mapped),
// copied out at the end.
py::dict hampel_points(const py::handle& spec, const std::vector<double>& missing,
                       std::size_t window, double threshold, std::size_t first, std::size_t last,
                       bool mask, bool scores, bool bounds, bool center) {
    const column_source src(spec);
    if (first > last || last > src.n) throw py::value_error("points out of range");
    const std::size_t len = last - first;
    std::unique_ptr<std::uint8_t[]> flags(mask ? new std::uint8_t[src.n] : nullptr);
    std::unique_ptr<double[]> score(scores ? new double[src.n] : nullptr);
    std::unique_ptr<double[]> lower(bounds ? new double[src.n] : nullptr);
    std::unique_ptr<double[]> upper(bounds ? new double[src.n] : nullptr);
    std::unique_ptr<double[]> middle(center ? new double[src.n] : nullptr);
    outputs out;
    out.flags = flags.get();
    out.scores = score.get();
    out.lower = lower.get();
    out.upper = upper.get();
    out.center = middle.get();
    {
        py::gil_scoped_release nogil;
        src.visit(missing, [&](const auto& c) {
            return kernels::hampel(c, {window, threshold}, out, first, last);
        });
    }
    py::dict result;
    const auto part = [&](const char* key, const auto& buffer) {
        using T = std::remove_reference_t<decltype(buffer[0])>;
        using Out = std::conditional_t<std::is_same_v<T, std::uint8_t>, bool, T>;
        py::array_t<Out> a(static_cast<py::ssize_t>(len));
        std::memcpy(a.mutable_data(), buffer.get() + first, len * sizeof(T));
        result[key] = a;
    };
    if (mask) part("mask", flags);
    if (scores) part("scores", score);
    if (bounds) {
        part("lower", lower);
        part("upper", upper);
    }
    if (center) part("center", middle);
    return result;
}

}  // namespace

void bind_partitions(py::module_& m) {
    m.def(
        "partition_moments",
        [](const py::handle& spec, const std::vector<double>& missing) {
            const column_source src(spec);
            py::gil_scoped_release nogil;
            return to_tuple(
                src.visit(missing, [](const auto& c) { return partitions::partial_moments(c); }));
        },
        py::arg("column"), py::arg("missing"),
        "Moments of a partition's finite values: (count, sum, sum_err, mean, m2, d1, first, "
        "constant, scale): of the values times 2**scale, scale < 0 where their sum overflows.");
    m.def(
        "pool_moments",
        [](const std::vector<moments_tuple>& parts) {
            std::vector<moments> ms;
            for (const auto& t : parts) ms.push_back(from_tuple(t));
            return to_tuple(pool_scaled(ms.data(), ms.size()));
        },
        py::arg("parts"), "Moments of the union of disjoint parts, pooled in order.");
    m.def("partition_histogram", &histogram, py::arg("column"), py::arg("missing"),
          py::arg("prefixes"), py::arg("bits"), py::arg("center"),
          "(finite count, counts[group, 65536], lowest[group], highest[group]): each group's "
          "values by their next 16-bit digit of the order image (of |x - center| unless "
          "center is NaN), and its smallest and largest image.");
    m.def("partition_gather", &gather, py::arg("column"), py::arg("missing"), py::arg("prefixes"),
          py::arg("bits"), py::arg("center"), "Each group's (mapped) values, as float64 arrays.");
    m.def(
        "order_ranks",
        [](std::size_t n, const std::vector<double>& qs) {
            return partitions::ranks_for(requests_of(qs), n);
        },
        py::arg("n"), py::arg("qs"),
        "The ranks numpy reads for each q among n values (q NaN: the median).");
    m.def(
        "order_assemble",
        [](std::size_t n, const std::vector<double>& qs, const std::vector<double>& values) {
            if (values.size() != partitions::ranks_for(requests_of(qs), n).size())
                throw py::value_error("one value per rank of order_ranks(n, qs)");
            return partitions::assemble(requests_of(qs), n, values);
        },
        py::arg("n"), py::arg("qs"), py::arg("values"),
        "numpy's median / linear quantiles from the values at order_ranks(n, qs).");
    m.def(
        "partition_deviation_sum",
        [](const py::handle& spec, const std::vector<double>& missing, double center) {
            const column_source src(spec);
            py::gil_scoped_release nogil;
            return src.visit(missing,
                             [&](const auto& c) { return kernels::deviation_sum(c, center); });
        },
        py::arg("column"), py::arg("missing"), py::arg("center"),
        "Sum of |x - center| over the finite values.");
    m.def(
        "partition_esd",
        [](const py::handle& spec, const std::vector<double>& missing, std::size_t cap) {
            const column_source src(spec);
            partitions::esd_share share;
            {
                py::gil_scoped_release nogil;
                share = src.visit(
                    missing, [&](const auto& c) { return partitions::esd_candidates(c, cap); });
            }
            return py::make_tuple(to_tuple(share.core), to_pairs(share.low), to_pairs(share.high));
        },
        py::arg("column"), py::arg("missing"), py::arg("max_outliers"),
        "(moments of the rest, low candidates, high candidates): (value, position) pairs in "
        "removal order.");
    m.def(
        "esd_combine",
        [](const std::vector<std::tuple<moments_tuple, points, points>>& shares,
           std::size_t max_outliers, double alpha) {
            std::vector<partitions::esd_share> all;
            for (const auto& [core, low, high] : shares)
                all.push_back({from_tuple(core), from_pairs(low), from_pairs(high)});
            const auto o = partitions::esd_combine(all, {max_outliers, alpha});
            py::dict d;
            d["center"] = o.result.center;
            d["lower"] = o.result.lower;
            d["upper"] = o.result.upper;
            d["n_used"] = o.result.n_used;
            d["removed"] = o.removed_pos;
            d["r_stats"] = o.r_stats;
            d["n_outliers"] = o.n_outliers;
            return d;
        },
        py::arg("shares"), py::arg("max_outliers"), py::arg("alpha"),
        "The ESD test from every partition's share (positions global).");
    m.def("partition_hampel", &hampel_points, py::arg("column"), py::arg("missing"),
          py::arg("window"), py::arg("threshold"), py::arg("first"), py::arg("last"),
          py::arg("mask"), py::arg("scores"), py::arg("bounds"), py::arg("center"),
          "hampel's outputs (mask, scores, lower, upper, center as asked) for the points "
          "[first, last) of the column only, their windows reading the whole column.");
    m.def("partition_apply", &apply, py::arg("rule"), py::arg("column"), py::arg("missing"),
          py::arg("stats"), py::arg("mask"), py::arg("scores"),
          "Flags and scores from statistics over all partitions: rule zscore (mean, std, "
          "threshold), deviation (center, scale, threshold), band (lo, hi, lower, upper), none.");
}

}  // namespace outliers::bindings
