// The methods' constants and the rules that turn pooled statistics into centers, spreads and
// bounds (outliers/stats/rules.hpp), for the Python code that pools statistics itself (dask):
// the formulas stay written once, in C++.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstddef>
#include <tuple>

#include "moments_tuple.hpp"
#include "outliers/stats/moments.hpp"
#include "outliers/stats/rules.hpp"

namespace outliers::bindings {

namespace py = pybind11;

namespace {

std::tuple<double, double, double, double> zscore_bounds(const moments_tuple& pooled,
                                                         double threshold, std::size_t ddof) {
    // The moments are those of the values times 2**scale (sums that overflow).
    const moments m = from_tuple(pooled);
    const double unit = std::ldexp(1.0, m.scale);
    const rules::zscore_stats z =
        rules::zscore_rule(m.count, m.mean / unit, m.m2, unit, threshold, ddof);
    return {z.center, z.sigma, z.bounds.lower, z.bounds.upper};
}

std::tuple<double, double, double> mad_bounds(std::size_t n, double median, double mad,
                                              double deviation_sum, double threshold) {
    if (n == 0) return {rules::no_value, rules::no_value, rules::no_value};
    const double scale =
        rules::mad_spread(mad, [&] { return deviation_sum / static_cast<double>(n); });
    const rules::band b = rules::around(median, threshold, scale);
    return {scale, b.lower, b.upper};
}

std::tuple<double, double> iqr_bounds(double q1, double q3, double k) {
    const rules::band b = rules::iqr_fences(q1, q3, k);
    return {b.lower, b.upper};
}

std::tuple<double, double> quantile_bounds(double low_value, double high_value) {
    const rules::band b = rules::quantile_band(low_value, high_value);
    return {b.lower, b.upper};
}

}  // namespace

void bind_rules(py::module_& m) {
    m.attr("MAD_SCALE") = rules::mad_scale;
    m.attr("MEANAD_SCALE") = rules::meanad_scale;
    m.def("zscore_bounds", &zscore_bounds, py::arg("moments"), py::arg("threshold"),
          py::arg("ddof"),
          "(center, sigma, lower, upper) of zscore from pooled moments (pool_moments): the "
          "mean, std(ddof) and mean -+ threshold * std; NaN where undefined.");
    m.def("mad_bounds", &mad_bounds, py::arg("n"), py::arg("median"), py::arg("mad"),
          py::arg("deviation_sum"), py::arg("threshold"),
          "(scale, lower, upper) of mad from n finite values' median, the median of their "
          "absolute deviations and the sum of those: scale 1.4826 MAD, or 1.2533 MeanAD where "
          "the MAD is 0; bounds median -+ threshold * scale. NaN for n = 0.");
    m.def("iqr_bounds", &iqr_bounds, py::arg("q1"), py::arg("q3"), py::arg("k"),
          "(lower, upper): Tukey's fences Q1 - k IQR, Q3 + k IQR.");
    m.def("quantile_bounds", &quantile_bounds, py::arg("low_value"), py::arg("high_value"),
          "(lower, upper) of quantile trimming: the two quantiles.");
}

}  // namespace outliers::bindings
