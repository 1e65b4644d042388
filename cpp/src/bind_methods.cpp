// The built-in kernels, one binding for all dtypes: buffers in, caller-visible numpy outputs out, GIL released.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>
#include <vector>

#include "buffers.hpp"
#include "outliers/kernels/esd.hpp"
#include "outliers/kernels/hampel.hpp"
#include "outliers/kernels/iqr.hpp"
#include "outliers/kernels/mad.hpp"
#include "outliers/kernels/quantile.hpp"
#include "outliers/kernels/zscore.hpp"

namespace outliers::bindings {

namespace {

double get_double(const py::dict& p, const char* name) { return p[name].cast<double>(); }

std::size_t get_size(const py::dict& p, const char* name) {
    const auto v = p[name].cast<long long>();
    if (v < 0) throw py::value_error(std::string(name) + " must be >= 0");
    return static_cast<std::size_t>(v);
}

template <class T>
summary run_kernel(const std::string& method, const column<T>& c, const py::dict& params,
                   const outputs& out) {
    // Parameters are read while the GIL is held; the kernel then runs without it.
    std::vector<double> scratch;
    if (method == "zscore") {
        const kernels::zscore_params p{get_double(params, "threshold"), get_size(params, "ddof")};
        py::gil_scoped_release nogil;  // safe: the kernel touches raw memory only
        return kernels::zscore(c, p, out);
    }
    if (method == "mad") {
        const kernels::mad_params p{get_double(params, "threshold")};
        py::gil_scoped_release nogil;  // safe: the kernel touches raw memory only
        return kernels::mad(c, p, out, scratch);
    }
    if (method == "iqr") {
        const kernels::iqr_params p{get_double(params, "k")};
        py::gil_scoped_release nogil;  // safe: the kernel touches raw memory only
        return kernels::iqr(c, p, out, scratch);
    }
    if (method == "quantile") {
        const kernels::quantile_params p{get_double(params, "low"), get_double(params, "high")};
        py::gil_scoped_release nogil;  // safe: the kernel touches raw memory only
        return kernels::quantile(c, p, out, scratch);
    }
    if (method == "hampel") {
        const kernels::hampel_params p{get_size(params, "window"),
                                       get_double(params, "threshold")};
        py::gil_scoped_release nogil;  // safe: the kernel touches raw memory only
        return kernels::hampel(c, p, out);
    }
    if (method == "esd") {
        const kernels::esd_params p{get_size(params, "max_outliers"),
                                    get_double(params, "alpha")};
        py::gil_scoped_release nogil;  // safe: the kernel touches raw memory only
        return kernels::esd(c, p, out);
    }
    throw py::value_error("unknown method " + method);
}

// Positions of the set flags, as int64, ascending.
py::array_t<std::int64_t> positions_of(const std::vector<std::uint8_t>& flags) {
    std::size_t count = 0;
    for (auto f : flags) count += f;
    py::array_t<std::int64_t> pos(static_cast<py::ssize_t>(count));
    auto* p = pos.mutable_data();
    for (std::size_t i = 0; i < flags.size(); ++i)
        if (flags[i]) *p++ = static_cast<std::int64_t>(i);
    return pos;
}

py::dict run(const std::string& method, const py::array& values, const py::object& mask,
             bool int_min_is_missing, const py::dict& params, bool want_positions,
             bool want_mask, bool want_scores, bool want_bounds, bool want_center) {
    require_viewable(values, "values");
    const auto n = static_cast<std::size_t>(values.shape(0));
    const auto missing = as_mask(mask, n);
    const bool per_point = method == "hampel";

    py::dict result;
    outputs out;
    std::vector<std::uint8_t> flag_scratch;
    py::array_t<bool> mask_out;
    if (want_mask) {
        mask_out = py::array_t<bool>(static_cast<py::ssize_t>(n));
        out.flags = reinterpret_cast<std::uint8_t*>(mask_out.mutable_data());
    } else if (want_positions) {
        flag_scratch.resize(n);
        out.flags = flag_scratch.data();
    }
    py::array_t<double> scores_out, lower_out, upper_out, center_out;
    if (want_scores) {
        scores_out = py::array_t<double>(static_cast<py::ssize_t>(n));
        out.scores = scores_out.mutable_data();
    }
    if (per_point && (want_bounds || want_center)) {
        lower_out = py::array_t<double>(static_cast<py::ssize_t>(n));
        upper_out = py::array_t<double>(static_cast<py::ssize_t>(n));
        center_out = py::array_t<double>(static_cast<py::ssize_t>(n));
        out.lower = lower_out.mutable_data();
        out.upper = upper_out.mutable_data();
        out.center = center_out.mutable_data();
    }
    out.want_center = want_center;

    const summary s = dispatch_dtype(values.dtype(), [&](auto t) {
        using T = typename decltype(t)::type;
        const column<T> c{as_strided<T>(values), missing, int_min_is_missing};
        return run_kernel(method, c, params, out);
    });

    if (want_mask) result["mask"] = mask_out;
    if (want_positions) {
        if (want_mask) {
            const auto* f = reinterpret_cast<const std::uint8_t*>(mask_out.data());
            flag_scratch.assign(f, f + n);
        }
        result["positions"] = positions_of(flag_scratch);
    }
    if (want_scores) result["scores"] = scores_out;
    if (per_point && (want_bounds || want_center)) {
        result["lower"] = lower_out;
        result["upper"] = upper_out;
        result["center"] = center_out;
    } else {
        result["lower"] = s.lower;
        result["upper"] = s.upper;
        result["center"] = s.center;
    }
    result["n_used"] = s.n_used;
    return result;
}

}  // namespace

void bind_methods(py::module_& m) {
    m.def("run", &run, py::arg("method"), py::arg("values"), py::arg("mask"),
          py::arg("int_min_is_missing"), py::arg("params"), py::arg("positions") = false,
          py::arg("mask_out") = false, py::arg("scores") = false, py::arg("bounds") = false,
          py::arg("center") = false,
          "Run a built-in method on a 1-D numeric buffer without copying it.");
    m.def("set_num_threads", [](int n) {
        if (n < 1) throw py::value_error("thread count must be >= 1");
        set_num_threads(n);
    });
    m.def("get_num_threads", &get_num_threads);
}

}  // namespace outliers::bindings
