// numpy buffer -> column<T> view: checks dtype, ndim, alignment and strides; never copies.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>

#include "outliers/missing.hpp"

namespace outliers::bindings {

namespace py = pybind11;

// Checks the cheap invariants the Python layer already ensured (1-D, native order, aligned);
// anything else is a bug in the caller, reported as a ValueError rather than a crash.
inline void require_viewable(const py::array& a, const char* what) {
    if (a.ndim() != 1)
        throw py::value_error(std::string(what) + " must be 1-D, got " + std::to_string(a.ndim()) +
                              "-D");
    const auto flags = a.flags();
    if (!(flags & py::detail::npy_api::NPY_ARRAY_ALIGNED_))
        throw py::value_error(std::string(what) + " must be aligned");
    if (a.dtype().byteorder() == '>')
        throw py::value_error(std::string(what) + " must be in native byte order");
    if (a.strides(0) % a.itemsize() != 0)
        throw py::value_error(std::string(what) + " stride is not a multiple of its item size");
}

template <class T>
strided<const T> as_strided(const py::array& a) {
    return make_strided(static_cast<const T*>(a.data()), static_cast<std::size_t>(a.shape(0)),
                        static_cast<std::ptrdiff_t>(a.strides(0) / a.itemsize()));
}

// The mask of a pandas masked array (bool, 1 byte per entry, true = missing), read in place.
inline strided<const std::uint8_t> as_mask(const py::object& mask, std::size_t n) {
    if (mask.is_none()) return {};
    const auto m = py::reinterpret_borrow<py::array>(mask);
    require_viewable(m, "mask");
    if (m.itemsize() != 1 || (m.dtype().kind() != 'b' && m.dtype().kind() != 'u'))
        throw py::type_error("mask must be a bool array");
    if (static_cast<std::size_t>(m.shape(0)) != n)
        throw py::value_error("mask length differs from the values' length");
    return as_strided<std::uint8_t>(m);
}

// Calls f(tag<T>) with T the C++ type of the array's numeric dtype.
template <class T>
struct tag {
    using type = T;
};

template <class F>
decltype(auto) dispatch_dtype(const py::dtype& dt, F&& f) {
    const char kind = dt.kind();
    const auto size = dt.itemsize();
    if (kind == 'f' && size == 8) return f(tag<double>{});
    if (kind == 'f' && size == 4) return f(tag<float>{});
    if (kind == 'i' && size == 8) return f(tag<std::int64_t>{});
    if (kind == 'i' && size == 4) return f(tag<std::int32_t>{});
    if (kind == 'i' && size == 2) return f(tag<std::int16_t>{});
    if (kind == 'i' && size == 1) return f(tag<std::int8_t>{});
    if (kind == 'u' && size == 8) return f(tag<std::uint64_t>{});
    if (kind == 'u' && size == 4) return f(tag<std::uint32_t>{});
    if (kind == 'u' && size == 2) return f(tag<std::uint16_t>{});
    if (kind == 'u' && size == 1) return f(tag<std::uint8_t>{});
    throw py::type_error("unsupported dtype " + py::str(py::object(dt)).cast<std::string>() +
                         ": expected a float or integer dtype");
}

}  // namespace outliers::bindings
