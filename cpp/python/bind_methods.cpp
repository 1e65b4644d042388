// The built-in kernels: any number of columns in one call, read in place, run in parallel without
// the GIL.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <string>
#include <vector>

#include "buffers.hpp"
#include "interruptible.hpp"
#include "outliers/kernels/esd.hpp"
#include "outliers/kernels/hampel.hpp"
#include "outliers/kernels/iqr.hpp"
#include "outliers/kernels/mad.hpp"
#include "outliers/kernels/quantile.hpp"
#include "outliers/kernels/rolling.hpp"
#include "outliers/kernels/zscore.hpp"
#include "outliers/simd/lanes.hpp"

namespace outliers::bindings {

namespace {

enum class method_id { zscore, mad, iqr, quantile, hampel, esd };

// One method's parameters, read from the Python dict while the GIL is held.
struct method_params {
    method_id id{};
    kernels::zscore_params zscore;
    kernels::mad_params mad;
    kernels::iqr_params iqr;
    kernels::quantile_params quantile;
    kernels::hampel_params hampel;
    kernels::esd_params esd;
    windows::spec window;             // a count or time window (none: the whole sample)
    kernels::rolling_params rolling;  // the method's parameters, for a windowed run

    bool windowed() const noexcept { return window.windowed(); }
    // hampel's own kernel does centred count windows fastest (sorting networks for short ones).
    bool rolls() const noexcept {
        return windowed() && !(id == method_id::hampel && window.count > 0 && window.center &&
                               window.min_periods == 1);
    }
};

double get_double(const py::dict& p, const char* name) { return p[name].cast<double>(); }

std::size_t get_size(const py::dict& p, const char* name) {
    const auto v = p[name].cast<long long>();
    if (v < 0) throw py::value_error(std::string(name) + " must be >= 0");
    return static_cast<std::size_t>(v);
}

kernels::rolling_method rolling_of(method_id id) {
    switch (id) {
        case method_id::zscore:
            return kernels::rolling_method::zscore;
        case method_id::mad:
            return kernels::rolling_method::mad;
        case method_id::iqr:
            return kernels::rolling_method::iqr;
        case method_id::quantile:
            return kernels::rolling_method::quantile;
        default:
            return kernels::rolling_method::hampel;
    }
}

// The window keys the Python layer resolved (absent: the whole sample; hampel always has a count).
windows::spec parse_window(const py::dict& p) {
    windows::spec w;
    if (p.contains("window") && !p["window"].is_none()) w.count = get_size(p, "window");
    if (p.contains("time_reach")) w.time_reach = p["time_reach"].cast<std::int64_t>();
    if (p.contains("center")) w.center = p["center"].cast<bool>();
    if (p.contains("min_periods")) w.min_periods = get_size(p, "min_periods");
    if (w.time_reach >= 0) w.count = 0;  // hampel's default count gives way to a span
    return w;
}

method_params parse(const std::string& method, const py::dict& p) {
    method_params m;
    m.window = parse_window(p);
    if (method == "zscore") {
        m.id = method_id::zscore;
        m.zscore = {get_double(p, "threshold"), get_size(p, "ddof")};
    } else if (method == "mad") {
        m.id = method_id::mad;
        m.mad = {get_double(p, "threshold")};
    } else if (method == "iqr") {
        m.id = method_id::iqr;
        m.iqr = {get_double(p, "k")};
    } else if (method == "quantile") {
        m.id = method_id::quantile;
        m.quantile = {get_double(p, "low"), get_double(p, "high")};
    } else if (method == "hampel") {
        m.id = method_id::hampel;
        m.hampel = {get_size(p, "window"), get_double(p, "threshold")};
    } else if (method == "esd") {
        m.id = method_id::esd;
        m.esd = {get_size(p, "max_outliers"), get_double(p, "alpha")};
    } else {
        throw py::value_error("unknown method " + method);
    }
    if (m.windowed() && m.id == method_id::esd)
        throw py::value_error("esd tests the whole sample: it takes no window");
    m.rolling.method = rolling_of(m.id);
    m.rolling.threshold = m.id == method_id::zscore ? m.zscore.threshold
                          : m.id == method_id::mad  ? m.mad.threshold
                                                    : m.hampel.threshold;
    m.rolling.ddof = m.zscore.ddof;
    m.rolling.k = m.iqr.k;
    m.rolling.low = m.quantile.low;
    m.rolling.high = m.quantile.high;
    return m;
}

template <class T>
summary run_kernel(const method_params& m, const column<T>& c, const outputs& out,
                   const windows::time_axis& times) {
    if (m.rolls()) return kernels::rolling(c, m.rolling, m.window, times, out);
    switch (m.id) {
        case method_id::zscore:
            return kernels::zscore(c, m.zscore, out);
        case method_id::mad:
            return kernels::mad(c, m.mad, out);
        case method_id::iqr:
            return kernels::iqr(c, m.iqr, out);
        case method_id::quantile:
            return kernels::quantile(c, m.quantile, out);
        case method_id::hampel:
            return kernels::hampel(c, m.hampel, out);
        case method_id::esd:
            return kernels::esd(c, m.esd, out);
    }
    throw std::invalid_argument("unknown method");
}

struct request {
    bool positions, mask, scores, bounds, center;
};

// One column: its buffers, its outputs, its result.
struct column_job {
    column_source src;
    std::size_t n = 0;

    py::array_t<bool> mask_out;
    std::vector<std::uint8_t> flag_scratch;  // flags when only positions are wanted
    py::array_t<double> scores_out, lower_out, upper_out, center_out;
    outputs out;
    summary result;
};

// Reads one column spec (column_source) and allocates the outputs asked for, but the mask
// (allocated by run_columns). Everything that touches Python happens here, with the GIL.
column_job prepare(const py::handle& spec, const request& want, bool per_point) {
    column_job job;
    job.src = column_source(spec);
    job.n = job.src.n;

    const auto n = static_cast<py::ssize_t>(job.n);
    if (want.mask) {
        // set by run_columns
    } else if (want.positions) {
        job.flag_scratch.resize(job.n);
        job.out.flags = job.flag_scratch.data();
    }
    if (want.scores) {
        job.scores_out = py::array_t<double>(n);
        job.out.scores = job.scores_out.mutable_data();
    }
    if (per_point && (want.bounds || want.center)) {
        job.lower_out = py::array_t<double>(n);
        job.upper_out = py::array_t<double>(n);
        job.center_out = py::array_t<double>(n);
        job.out.lower = job.lower_out.mutable_data();
        job.out.upper = job.upper_out.mutable_data();
        job.out.center = job.center_out.mutable_data();
    }
    job.out.want_center = want.center;
    return job;
}

// Positions of the set flags, as int64, ascending.
py::array_t<std::int64_t> positions_of(const std::uint8_t* flags, std::size_t n) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < n; ++i) count += flags[i];
    py::array_t<std::int64_t> pos(static_cast<py::ssize_t>(count));
    auto* p = pos.mutable_data();
    for (std::size_t i = 0; i < n; ++i)
        if (flags[i]) *p++ = static_cast<std::int64_t>(i);
    return pos;
}

py::dict finish(column_job& job, const request& want, bool per_point) {
    py::dict result;
    if (want.mask) result["mask"] = job.mask_out;
    if (want.positions) result["positions"] = positions_of(job.out.flags, job.n);
    if (want.scores) result["scores"] = job.scores_out;
    if (per_point && (want.bounds || want.center)) {
        result["lower"] = job.lower_out;
        result["upper"] = job.upper_out;
        result["center"] = job.center_out;
    } else {
        result["lower"] = job.result.lower;
        result["upper"] = job.result.upper;
        result["center"] = job.result.center;
    }
    result["n_used"] = job.result.n_used;
    return result;
}

// The masks of columns of one length are the rows of one C-ordered (columns, rows) array:
// its transpose is a frame's single bool block (the frame accessor builds its result from it
// without copying); each row is a contiguous view that keeps the array alive.
void allocate_masks(std::vector<column_job>& jobs) {
    if (jobs.empty()) return;
    const std::size_t n = jobs[0].n;
    bool same = true;
    for (const auto& job : jobs) same = same && job.n == n;
    if (!same) {
        for (auto& job : jobs) {
            job.mask_out = py::array_t<bool>(static_cast<py::ssize_t>(job.n));
            job.out.flags = reinterpret_cast<std::uint8_t*>(job.mask_out.mutable_data());
        }
        return;
    }
    py::array_t<bool> block({static_cast<py::ssize_t>(jobs.size()), static_cast<py::ssize_t>(n)});
    for (std::size_t k = 0; k < jobs.size(); ++k) {
        const py::object row = block[py::int_(k)];
        jobs[k].mask_out = row.cast<py::array_t<bool>>();
        jobs[k].out.flags = reinterpret_cast<std::uint8_t*>(jobs[k].mask_out.mutable_data());
    }
}

// The times of a time window, read in place: None, or a 1-D int64 array of any stride.
windows::time_axis time_axis_of(const py::object& times) {
    windows::time_axis t;
    if (times.is_none()) return t;
    if (!py::isinstance<py::array>(times)) throw py::type_error("times must be an int64 array");
    const auto a = py::reinterpret_borrow<py::array>(times);
    if (a.ndim() != 1 || !a.dtype().is(py::dtype::of<std::int64_t>()))
        throw py::type_error("times must be a 1-D int64 array");
    if (a.strides(0) % static_cast<py::ssize_t>(sizeof(std::int64_t)) != 0)
        throw py::value_error("times must be aligned");
    t.data = static_cast<const std::int64_t*>(a.data());
    t.size = static_cast<std::size_t>(a.shape(0));
    t.stride = a.strides(0) / static_cast<py::ssize_t>(sizeof(std::int64_t));
    return t;
}

py::list run_columns(const std::string& method, const py::sequence& columns, const py::dict& params,
                     const std::vector<double>& missing, bool positions, bool mask, bool scores,
                     bool bounds, bool center, const py::object& times) {
    const request want{positions, mask, scores, bounds, center};
    const method_params m = parse(method, params);
    const windows::time_axis axis = time_axis_of(times);
    const bool per_point = m.id == method_id::hampel || m.windowed();
    std::vector<column_job> jobs;
    jobs.reserve(columns.size());
    for (const auto& spec : columns) jobs.push_back(prepare(spec, want, per_point));
    if (want.mask) allocate_masks(jobs);
    // Masks of a frame larger than the caches would be evicted by its later columns before
    // Python sees them: written around the caches, like one column of that size.
    std::size_t total = 0;
    for (const auto& job : jobs) total += job.n;
    for (auto& job : jobs) job.out.stream_flags = total >= lanes::stream_min;

    // Safe to release the GIL: from here on only raw memory is touched, no Python object.
    run_interruptible([&] {
        for_each_task(jobs.size(), [&](std::size_t k) {
            column_job& job = jobs[k];
            job.result = job.src.visit(
                missing, [&](const auto& c) { return run_kernel(m, c, job.out, axis); });
        });
    });

    py::list results;
    for (auto& job : jobs) results.append(finish(job, want, per_point));
    return results;
}

// What run_plain returns; the same codes as outliers/_api.py's _POSITIONS ... _BOUNDS.
enum class plain_output : int { positions = 0, mask = 1, scores = 2, bounds = 3 };

// True for an array the kernels read where it lies with nothing beside it: 1-D, aligned,
// native byte order, a float or integer dtype of the kernels' sizes.
bool plain_viewable(const py::array& a, dtype_code& code) {
    if (a.ndim() != 1 || !(a.flags() & py::detail::npy_api::NPY_ARRAY_ALIGNED_)) return false;
    const py::dtype dt = a.dtype();
    return kernel_dtype(dt, code) && dt.byteorder() != '>' && a.strides(0) % dt.itemsize() == 0;
}

// The short door for the commonest call, one plain numpy array (the zero-copy case),
// for small inputs where the general path's Python and dict work would dominate: returns the
// one output asked for, or None when `values` is not plain (the caller then takes
// run_columns). Parameters are already resolved and checked by the Python layer.
py::object run_plain(const std::string& method, const py::handle& values, const py::dict& params,
                     int output) {
    if (!py::isinstance<py::array>(values)) return py::none();
    const auto a = py::reinterpret_borrow<py::array>(values);
    dtype_code dtype{};
    if (!plain_viewable(a, dtype)) return py::none();
    const method_params m = parse(method, params);
    const auto what = static_cast<plain_output>(output);
    const column_source src(a, dtype);
    const std::size_t n = src.n;
    const auto size = static_cast<py::ssize_t>(n);

    outputs out;
    py::array_t<bool> mask_out;
    py::array_t<double> scores_out, lower_out, upper_out, center_out;
    std::vector<std::uint8_t> flags;
    const bool per_point = m.id == method_id::hampel || m.windowed();
    if (m.window.by_time()) return py::none();  // needs times: run_columns
    switch (what) {
        case plain_output::positions:
            flags.resize(n);
            out.flags = flags.data();
            break;
        case plain_output::mask:
            mask_out = py::array_t<bool>(size);
            out.flags = reinterpret_cast<std::uint8_t*>(mask_out.mutable_data());
            break;
        case plain_output::scores:
            scores_out = py::array_t<double>(size);
            out.scores = scores_out.mutable_data();
            break;
        case plain_output::bounds:
            if (per_point) {
                lower_out = py::array_t<double>(size);
                upper_out = py::array_t<double>(size);
                center_out = py::array_t<double>(size);
                out.lower = lower_out.mutable_data();
                out.upper = upper_out.mutable_data();
                out.center = center_out.mutable_data();
            }
            break;
        default:
            throw py::value_error("unknown output code " + std::to_string(output));
    }
    summary result;
    static const std::vector<double> no_sentinels;
    // Safe to release the GIL: only raw memory is touched below, no Python object.
    run_interruptible([&] {
        result = src.visit(no_sentinels, [&](const auto& c) { return run_kernel(m, c, out, {}); });
    });
    switch (what) {
        case plain_output::positions:
            return positions_of(flags.data(), n);
        case plain_output::mask:
            return std::move(mask_out);
        case plain_output::scores:
            return std::move(scores_out);
        default:
            if (per_point) return py::make_tuple(lower_out, upper_out);
            return py::make_tuple(result.lower, result.upper);
    }
}

}  // namespace

void bind_methods(py::module_& m) {
    m.def("run_columns", &run_columns, py::arg("method"), py::arg("columns"), py::arg("params"),
          py::arg("missing"), py::arg("positions") = false, py::arg("mask") = false,
          py::arg("scores") = false, py::arg("bounds") = false, py::arg("center") = false,
          py::arg("times") = py::none(),
          "Run a built-in method on each column, given as (values, mask, validity bitmap, bit "
          "offset, NaT-is-missing), without copying; columns run in parallel without the GIL. "
          "`times` (an int64 array, read in place) are the times of a time window.");
    m.def("run_plain", &run_plain, py::arg("method"), py::arg("values"), py::arg("params"),
          py::arg("output"),
          "One plain 1-D numpy array (aligned, native order, float or integer): the output "
          "asked for (0 positions, 1 mask, 2 scores, 3 bounds), or None for any other input.");
}

}  // namespace outliers::bindings
