// The custom-function path: a read-only view of the caller's buffer in, validated positions out.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>

#include "buffers.hpp"
#include "callback.hpp"

namespace outliers::bindings {

namespace {

// Keeps the GIL throughout: the user's function is Python. An exception it raises leaves as
// py::error_already_set and reaches the caller as the very same object.
// `name` (the function's name for messages) is only turned into text when a result is wrong.
py::array call_detector(const py::object& func, const py::array& values, const py::dict& params,
                        const py::object& name, bool as_mask) {
    if (values.ndim() != 1) throw py::value_error("values must be 1-D");
    const auto n = static_cast<std::size_t>(values.shape(0));
    const py::array view = callback::readonly_view(values);
    const py::object result = params.empty() ? func(view) : func(view, **params);
    if (as_mask) return callback::mask_array(result, n, name);
    return callback::positions_array(result, n, name);
}

}  // namespace

void bind_callback(py::module_& m) {
    m.def("call_detector", &call_detector, py::arg("func"), py::arg("values"), py::arg("params"),
          py::arg("name"), py::arg("as_mask") = false,
          "Call func(read-only view of values, **params) and validate what it returns: sorted "
          "unique int64 positions, or with as_mask a boolean mask of values' length.");
}

}  // namespace outliers::bindings
