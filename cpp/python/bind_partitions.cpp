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
#include "outliers/kernels/rolling.hpp"
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

// The outputs of the points [first, last) of a partition extended by its neighbours' values:
// the kernels write by position in the column, into uninitialised buffers of its length of
// which only [first, last) is touched (and so mapped), copied out at the end.
class range_outputs {
  public:
    range_outputs(std::size_t n, std::size_t first, std::size_t last, bool mask, bool scores,
                  bool bounds, bool center)
        : first_(first), len_(last - first) {
        if (first > last || last > n) throw py::value_error("points out of range");
        if (mask) flags_.reset(new std::uint8_t[n]);
        if (scores) score_.reset(new double[n]);
        if (bounds) lower_.reset(new double[n]);
        if (bounds) upper_.reset(new double[n]);
        if (center) middle_.reset(new double[n]);
        out.flags = flags_.get();
        out.scores = score_.get();
        out.lower = lower_.get();
        out.upper = upper_.get();
        out.center = middle_.get();
    }

    outputs out;

    py::dict result() const {
        py::dict d;
        part(d, "mask", flags_);
        part(d, "scores", score_);
        part(d, "lower", lower_);
        part(d, "upper", upper_);
        part(d, "center", middle_);
        return d;
    }

  private:
    template <class T>
    void part(py::dict& d, const char* key, const std::unique_ptr<T[]>& buffer) const {
        if (!buffer) return;
        using Out = std::conditional_t<std::is_same_v<T, std::uint8_t>, bool, T>;
        py::array_t<Out> a(static_cast<py::ssize_t>(len_));
        std::memcpy(a.mutable_data(), buffer.get() + first_, len_ * sizeof(T));
        d[key] = a;
    }

    std::size_t first_, len_;
    std::unique_ptr<std::uint8_t[]> flags_;
    std::unique_ptr<double[]> score_, lower_, upper_, middle_;
};

// hampel's outputs for the points [first, last) of a partition extended by its neighbours'
// values: only those points are computed.
py::dict hampel_points(const py::handle& spec, const std::vector<double>& missing,
                       std::size_t window, double threshold, std::size_t first, std::size_t last,
                       bool mask, bool scores, bool bounds, bool center) {
    const column_source src(spec);
    range_outputs r(src.n, first, last, mask, scores, bounds, center);
    {
        py::gil_scoped_release nogil;
        src.visit(missing, [&](const auto& c) {
            return kernels::hampel(c, {window, threshold}, r.out, first, last);
        });
    }
    return r.result();
}

std::size_t size_of(const py::dict& p, const char* key, std::size_t fallback) {
    if (!p.contains(key)) return fallback;
    const auto v = p[key].cast<long long>();
    if (v < 0) throw py::value_error(std::string(key) + " must be >= 0");
    return static_cast<std::size_t>(v);
}

double real_of(const py::dict& p, const char* key, double fallback) {
    return p.contains(key) ? p[key].cast<double>() : fallback;
}

// A windowed method's parameters, from the keys the core's run_columns reads.
kernels::rolling_params rolling_params_of(const std::string& method, const py::dict& p) {
    kernels::rolling_params r;
    if (method == "zscore")
        r.method = kernels::rolling_method::zscore;
    else if (method == "mad")
        r.method = kernels::rolling_method::mad;
    else if (method == "iqr")
        r.method = kernels::rolling_method::iqr;
    else if (method == "quantile")
        r.method = kernels::rolling_method::quantile;
    else if (method == "hampel")
        r.method = kernels::rolling_method::hampel;
    else
        throw py::value_error("no windows for method " + method);
    r.threshold = real_of(p, "threshold", r.threshold);
    r.ddof = size_of(p, "ddof", r.ddof);
    r.k = real_of(p, "k", r.k);
    r.low = real_of(p, "low", r.low);
    r.high = real_of(p, "high", r.high);
    return r;
}

windows::spec window_of(const py::dict& p) {
    windows::spec w;
    w.count = size_of(p, "window", 0);
    if (p.contains("time_reach")) w.time_reach = p["time_reach"].cast<std::int64_t>();
    if (p.contains("center")) w.center = p["center"].cast<bool>();
    w.min_periods = size_of(p, "min_periods", 1);
    if (w.time_reach >= 0) w.count = 0;  // a span replaces hampel's default count
    return w;
}

// Any method's outputs over windows for the points [first, last) of a partition extended by its
// neighbours' values (and their times, for a time window): only those points are computed.
// `origin`, the position of the buffer's first value in the whole column, places a count
// window's cuts as in memory, so that zscore's moments have the same bits.
py::dict rolling_points(const std::string& method, const py::handle& spec,
                        const std::vector<double>& missing, const py::dict& params,
                        const py::object& times, std::size_t first, std::size_t last,
                        std::size_t origin, bool mask, bool scores, bool bounds, bool center) {
    const column_source src(spec);
    const kernels::rolling_params p = rolling_params_of(method, params);
    const windows::spec window = window_of(params);
    py::array_t<std::int64_t, py::array::c_style> ticks;
    windows::time_axis axis;
    if (!times.is_none()) {
        ticks = times.cast<py::array_t<std::int64_t, py::array::c_style>>();
        axis = {ticks.data(), static_cast<std::size_t>(ticks.size()), 1};
    }
    range_outputs r(src.n, first, last, mask, scores, bounds, center);
    {
        py::gil_scoped_release nogil;
        src.visit(missing, [&](const auto& c) {
            return kernels::rolling(c, p, window, axis, r.out, first, last, origin);
        });
    }
    return r.result();
}

// The windowed methods' share of a partition: its own points, their windows reading the
// neighbours' values the buffer holds.
void bind_partition_windows(py::module_& m) {
    m.def("partition_hampel", &hampel_points, py::arg("column"), py::arg("missing"),
          py::arg("window"), py::arg("threshold"), py::arg("first"), py::arg("last"),
          py::arg("mask"), py::arg("scores"), py::arg("bounds"), py::arg("center"),
          "hampel's outputs (mask, scores, lower, upper, center as asked) for the points "
          "[first, last) of the column only, their windows reading the whole column.");
    m.def("partition_rolling", &rolling_points, py::arg("method"), py::arg("column"),
          py::arg("missing"), py::arg("params"), py::arg("times"), py::arg("first"),
          py::arg("last"), py::arg("origin"), py::arg("mask"), py::arg("scores"), py::arg("bounds"),
          py::arg("center"),
          "A method's outputs over windows (params: its parameters and the window keys of "
          "run_columns; times: int64 ticks for a time window, else None) for the points "
          "[first, last) of the column only, their windows reading the whole column; origin: "
          "the position of the column's first value in the whole data.");
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
    bind_partition_windows(m);
    m.def("partition_apply", &apply, py::arg("rule"), py::arg("column"), py::arg("missing"),
          py::arg("stats"), py::arg("mask"), py::arg("scores"),
          "Flags and scores from statistics over all partitions: rule zscore (mean, std, "
          "threshold), deviation (center, scale, threshold), band (lo, hi, lower, upper), none.");
}

}  // namespace outliers::bindings
