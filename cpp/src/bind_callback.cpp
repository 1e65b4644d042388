// The custom-function path: a read-only view of the caller's buffer in, validated positions out.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>

#include "buffers.hpp"
#include "outliers/callback.hpp"

namespace outliers::bindings {

namespace {

// Keeps the GIL throughout: the user's function is Python. An exception it raises leaves as
// py::error_already_set and reaches the caller as the very same object.
py::array_t<std::int64_t> call_detector(const py::object& func, const py::array& values,
                                        const py::dict& params, const std::string& name) {
    if (values.ndim() != 1) throw py::value_error("values must be 1-D");
    const auto n = static_cast<std::size_t>(values.shape(0));
    const py::object result = func(callback::readonly_view(values), **params);
    const auto positions = callback::validate_result(result, n, name);
    py::array_t<std::int64_t> out(static_cast<py::ssize_t>(positions.size()));
    std::copy(positions.begin(), positions.end(), out.mutable_data());
    return out;
}

}  // namespace

void bind_callback(py::module_& m) {
    m.def("call_detector", &call_detector, py::arg("func"), py::arg("values"), py::arg("params"),
          py::arg("name"),
          "Call func(read-only view of values, **params) and validate the positions it returns.");
}

}  // namespace outliers::bindings
