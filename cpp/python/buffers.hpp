// numpy buffer -> column<T> view: checks dtype, ndim, alignment and strides; never copies.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>
#include <vector>

#include "outliers/column.hpp"

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

template <class T>
struct tag {
    using type = T;
};

// The numeric dtypes the kernels read, as numpy spells them: kind ('f', 'i', 'u') and size.
struct dtype_code {
    char kind;
    py::ssize_t size;
};

// True for a dtype the kernels read (float32/64, signed and unsigned 8 to 64-bit integers),
// with its code in `code`: the one list of them on the C++ side.
inline bool kernel_dtype(const py::dtype& dt, dtype_code& code) {
    code = {dt.kind(), dt.itemsize()};
    return (code.kind == 'f' && (code.size == 4 || code.size == 8)) ||
           ((code.kind == 'i' || code.kind == 'u') &&
            (code.size == 1 || code.size == 2 || code.size == 4 || code.size == 8));
}

inline dtype_code numeric_dtype(const py::dtype& dt) {
    dtype_code code{};
    if (!kernel_dtype(dt, code))
        throw py::type_error("unsupported dtype " + py::str(py::object(dt)).cast<std::string>() +
                             ": expected a float or integer dtype");
    return code;
}

// An arrow validity bitmap (bit set = valid), read in place: it must hold offset + n bits.
inline const std::uint8_t* as_bitmap(const py::object& bits, std::size_t offset, std::size_t n) {
    if (bits.is_none()) return nullptr;
    const auto b = py::reinterpret_borrow<py::array>(bits);
    if (b.ndim() != 1 || b.itemsize() != 1 || b.dtype().kind() != 'u' || b.strides(0) != 1)
        throw py::type_error("validity bitmap must be a contiguous uint8 array");
    if (static_cast<std::size_t>(b.shape(0)) * 8 < offset + n)
        throw py::value_error("validity bitmap is shorter than the values");
    return static_cast<const std::uint8_t*>(b.data());
}

// Calls f(tag<T>{}) with T the C++ type of a dtype checked by numeric_dtype(); no Python
// object is touched, so this runs without the GIL.
template <class F>
decltype(auto) dispatch_dtype(dtype_code code, F&& f) {
    switch (code.kind) {
        case 'f':
            if (code.size == 8) return f(tag<double>{});
            return f(tag<float>{});
        case 'i':
            if (code.size == 8) return f(tag<std::int64_t>{});
            if (code.size == 4) return f(tag<std::int32_t>{});
            if (code.size == 2) return f(tag<std::int16_t>{});
            return f(tag<std::int8_t>{});
        default:
            if (code.size == 8) return f(tag<std::uint64_t>{});
            if (code.size == 4) return f(tag<std::uint32_t>{});
            if (code.size == 2) return f(tag<std::uint16_t>{});
            return f(tag<std::uint8_t>{});
    }
}

// One column as the Python layer hands it over: a (values, mask, validity bitmap, bit offset,
// NaT-is-missing) tuple (outliers/_inputs.py). Reading it needs the GIL; the raw pointers it
// keeps are then read without it, while the Python objects keep the memory alive.
struct column_source {
    py::array values;
    py::object mask_owner, bits_owner;
    dtype_code dtype{};
    const void* data = nullptr;
    std::ptrdiff_t stride = 0;
    strided<const std::uint8_t> mask{};
    const std::uint8_t* bits = nullptr;
    std::size_t bit_offset = 0;
    bool int_min_is_missing = false;
    std::size_t n = 0;

    column_source() = default;

    // A plain array the caller checked (1-D, aligned, native order, a kernel dtype): nothing
    // but its values.
    column_source(const py::array& plain, dtype_code code)
        : values(plain),
          dtype(code),
          data(plain.data()),
          stride(static_cast<std::ptrdiff_t>(plain.strides(0) / plain.itemsize())),
          n(static_cast<std::size_t>(plain.shape(0))) {}
    explicit column_source(const py::handle& spec) {
        const auto t = py::reinterpret_borrow<py::tuple>(spec);
        if (t.size() != 5) throw py::value_error("a column is (values, mask, bits, offset, nat)");
        if (!py::isinstance<py::array>(t[0])) throw py::type_error("values must be a numpy array");
        values = py::reinterpret_borrow<py::array>(t[0]);
        require_viewable(values, "values");
        dtype = numeric_dtype(values.dtype());
        n = static_cast<std::size_t>(values.shape(0));
        data = values.data();
        stride = static_cast<std::ptrdiff_t>(values.strides(0) / values.itemsize());
        mask_owner = py::reinterpret_borrow<py::object>(t[1]);
        mask = as_mask(mask_owner, n);
        bits_owner = py::reinterpret_borrow<py::object>(t[2]);
        bit_offset = t[3].cast<std::size_t>();
        bits = as_bitmap(bits_owner, bit_offset, n);
        int_min_is_missing = t[4].cast<bool>();
    }

    // f(column<T>) with T the values' C++ type; `missing` (declared sentinels) must outlive the
    // call. Touches no Python object: may run without the GIL.
    template <class F>
    decltype(auto) visit(const std::vector<double>& missing, F&& f) const {
        return dispatch_dtype(dtype, [&](auto tag_value) {
            using T = typename decltype(tag_value)::type;
            column<T> c;
            c.values = make_strided(static_cast<const T*>(data), n, stride);
            c.mask = mask;
            c.int_min_is_missing = int_min_is_missing;
            c.valid_bits = bits;
            c.bit_offset = bit_offset;
            c.sentinels = missing.data();
            c.sentinel_count = missing.size();
            return f(c);
        });
    }
};

}  // namespace outliers::bindings
