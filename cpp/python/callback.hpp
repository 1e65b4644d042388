// Calling a user's Python detection function on a read-only view of a host's memory and
// validating what it returns. Needs pybind11 (unlike the kernels); shared by the _core module
// and by native hosts that embed Python (docs: custom functions, embedding). Every function here
// needs the GIL.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

namespace outliers::callback {

namespace py = pybind11;

namespace detail {
// Clears NPY_ARRAY_WRITEABLE on a view this code just made (numpy's PyArray_CLEARFLAGS): the
// same effect as view.setflags(write=False) without a Python attribute call.
inline void make_read_only(py::array& view) {
    py::detail::array_proxy(view.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
}
}  // namespace detail

namespace detail {
// A capsule holding a reference to `owner`: a view's base that keeps the owner alive but is
// neither an array nor a writable buffer. numpy lets setflags(write=True) succeed when it
// finds a writable array or buffer at the end of a view's .base chain (_IsWriteable in
// numpy/_core/src/multiarray/flagsobject.c); with a capsule there it refuses (ValueError),
// and the caller's array cannot be reached through .base to write it either.
inline py::capsule opaque_owner(const py::handle& owner) {
    // Called by the capsule's deallocator, with the GIL held.
    void (*release)(void*) = [](void* p) { Py_DECREF(static_cast<PyObject*>(p)); };
    py::capsule capsule(static_cast<const void*>(owner.ptr()), release);
    owner.inc_ref();  // after the capsule exists: a failed allocation leaks nothing
    return capsule;
}
}  // namespace detail

// A read-only array over `source`'s memory (no copy), kept alive by `source` through an
// opaque base: a write raises in Python and the view cannot be made writable again.
inline py::array readonly_view(const py::array& source) {
    py::array view(source.dtype(), {source.shape(0)}, {source.strides(0)}, source.data(),
                   detail::opaque_owner(source));
    detail::make_read_only(view);
    return view;
}

// A read-only float64 array over a host's buffer, without copying it.
inline py::array readonly_view(const double* data, std::size_t n, py::handle owner) {
    py::array view(py::dtype::of<double>(), {static_cast<py::ssize_t>(n)},
                   {static_cast<py::ssize_t>(sizeof(double))}, data, owner);
    detail::make_read_only(view);
    return view;
}

namespace detail {

template <class I>
void collect_positions(const py::array& a, std::size_t n, const std::string& name,
                       std::vector<std::int64_t>& out) {
    const auto* base = static_cast<const char*>(a.data());
    const auto count = static_cast<std::size_t>(a.shape(0));
    const auto stride = a.strides(0);
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        I v;
        std::memcpy(&v, base + static_cast<py::ssize_t>(i) * stride, sizeof(I));
        bool negative = false;
        if constexpr (std::is_signed_v<I>) negative = v < 0;
        if (negative || static_cast<std::uint64_t>(v) >= n)
            throw py::value_error("detection function " + name + " returned position " +
                                  std::to_string(v) + ", outside the valid range [0, " +
                                  std::to_string(n) + ")");
        out.push_back(static_cast<std::int64_t>(v));
    }
}

// A numpy masked array's mask is honoured, as missing values are (never flagged): a
// masked entry of a boolean mask is not flagged, a masked position is not a position. Any
// other result is given back as it is.
inline py::object unmasked(py::handle result) {
    const auto same = py::reinterpret_borrow<py::object>(result);
    // A plain ndarray (the common answer) is not a masked array: no import, no attribute call.
    if (!py::isinstance<py::array>(result) ||
        Py_TYPE(result.ptr()) == py::detail::npy_api::get().PyArray_Type_)
        return same;
    const py::module_ ma = py::module_::import("numpy.ma");
    if (!py::isinstance(result, ma.attr("MaskedArray"))) return same;
    const auto a = py::reinterpret_borrow<py::array>(result);
    const char kind = a.dtype().kind();
    if (kind == 'b') return result.attr("filled")(false);
    if ((kind == 'i' || kind == 'u') && a.ndim() == 1) return result.attr("compressed")();
    return ma.attr("getdata")(result);  // anything else is refused below for its dtype or shape
}

inline std::string type_name(py::handle obj) {
    return py::str(py::type::of(obj).attr("__name__")).cast<std::string>();
}

}  // namespace detail

// Treats what a detection function returned as untrusted input: it must be 1-D integer
// positions in [0, n) or a boolean mask of length n. Returns sorted, unique int64 positions.
inline std::vector<std::int64_t> validate_result(py::handle returned, std::size_t n,
                                                 const std::string& name) {
    const py::object result = detail::unmasked(returned);
    py::array a = py::array::ensure(result);
    // Values are read as raw bytes below: byte-swapped results (">i8") are swapped first.
    if (a && !a.dtype().attr("isnative").cast<bool>())
        a = a.attr("astype")(a.dtype().attr("newbyteorder")("="));
    if (!a)
        throw py::type_error("detection function " + name + " returned " +
                             detail::type_name(result) +
                             ", which is not an array of positions or a boolean mask");
    // None, a str, a dict, a set, a generator or a number: numpy makes any of them a 0-D array;
    // what the function gave is the helpful thing to name.
    if (a.ndim() == 0 && !py::isinstance<py::array>(result))
        throw py::type_error("detection function " + name + " returned " +
                             detail::type_name(result) +
                             "; expected positions (1-D integers) or a boolean mask");
    if (a.ndim() != 1)
        throw py::value_error("detection function " + name + " returned a " +
                              std::to_string(a.ndim()) +
                              "-D result; expected 1-D positions or a boolean mask");
    std::vector<std::int64_t> positions;
    const char kind = a.dtype().kind();
    const auto count = static_cast<std::size_t>(a.shape(0));
    if (kind == 'b') {
        if (count != n)
            throw py::value_error("detection function " + name +
                                  " returned a boolean mask of length " + std::to_string(count) +
                                  " for " + std::to_string(n) + " values");
        const auto* base = static_cast<const char*>(a.data());
        for (std::size_t i = 0; i < count; ++i)
            if (base[static_cast<py::ssize_t>(i) * a.strides(0)])
                positions.push_back(static_cast<std::int64_t>(i));
        return positions;
    }
    if (count == 0) return positions;  // `return []` means "nothing flagged", whatever its dtype
    const auto size = a.itemsize();
    if (kind == 'i') {
        if (size == 1)
            detail::collect_positions<std::int8_t>(a, n, name, positions);
        else if (size == 2)
            detail::collect_positions<std::int16_t>(a, n, name, positions);
        else if (size == 4)
            detail::collect_positions<std::int32_t>(a, n, name, positions);
        else
            detail::collect_positions<std::int64_t>(a, n, name, positions);
    } else if (kind == 'u') {
        if (size == 1)
            detail::collect_positions<std::uint8_t>(a, n, name, positions);
        else if (size == 2)
            detail::collect_positions<std::uint16_t>(a, n, name, positions);
        else if (size == 4)
            detail::collect_positions<std::uint32_t>(a, n, name, positions);
        else
            detail::collect_positions<std::uint64_t>(a, n, name, positions);
    } else {
        throw py::type_error("detection function " + name + " returned an array of dtype " +
                             py::str(py::object(a.dtype())).cast<std::string>() +
                             "; expected integer positions or a boolean mask");
    }
    std::sort(positions.begin(), positions.end());
    positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
    return positions;
}

namespace detail {
// True for a 1-D, one-byte boolean array of length n: the commonest answer of a detection
// function (np.abs(x - m) > k * s), read as it is.
inline bool is_mask_of(const py::array& a, std::size_t n) {
    const py::dtype dt = a.dtype();
    return a.ndim() == 1 && dt.kind() == 'b' && dt.itemsize() == 1 &&
           static_cast<std::size_t>(a.shape(0)) == n;
}
}  // namespace detail

// validate_result's answer as a new int64 array. The commonest answers are checked in one pass
// and copied as they are: int64 positions already strictly increasing (np.flatnonzero,
// np.where(...)[0]) and boolean masks. Anything else, and every error, goes through
// validate_result, so messages and results are the same whichever way a result arrives.
inline py::array_t<std::int64_t> positions_array(py::handle returned, std::size_t n,
                                                 py::handle name) {
    const py::object result = detail::unmasked(returned);
    const auto general = [&] {
        const auto positions = validate_result(result, n, py::str(name).cast<std::string>());
        py::array_t<std::int64_t> out(static_cast<py::ssize_t>(positions.size()));
        std::copy(positions.begin(), positions.end(), out.mutable_data());
        return out;
    };
    if (!py::isinstance<py::array>(result)) return general();
    const auto a = py::reinterpret_borrow<py::array>(result);
    if (a.ndim() != 1) return general();
    const py::dtype dt = a.dtype();
    const auto count = static_cast<std::size_t>(a.shape(0));
    const auto* base = static_cast<const char*>(a.data());
    const py::ssize_t stride = a.strides(0);
    if (detail::is_mask_of(a, n)) {
        std::size_t set = 0;
        for (std::size_t i = 0; i < n; ++i) set += base[static_cast<py::ssize_t>(i) * stride] != 0;
        py::array_t<std::int64_t> out(static_cast<py::ssize_t>(set));
        auto* p = out.mutable_data();
        for (std::size_t i = 0; i < n; ++i)
            if (base[static_cast<py::ssize_t>(i) * stride]) *p++ = static_cast<std::int64_t>(i);
        return out;
    }
    if (dt.kind() != 'i' || dt.itemsize() != 8 || dt.byteorder() == '>') return general();
    py::array_t<std::int64_t> out(static_cast<py::ssize_t>(count));
    auto* p = out.mutable_data();
    std::int64_t previous = -1;
    for (std::size_t i = 0; i < count; ++i) {
        std::int64_t v;
        std::memcpy(&v, base + static_cast<py::ssize_t>(i) * stride, sizeof v);
        // Strictly increasing from -1 and below n: in range, sorted and unique.
        if (v <= previous || static_cast<std::uint64_t>(v) >= n) return general();
        p[i] = previous = v;
    }
    return out;
}

// The same answer as a new boolean mask of length n. A boolean mask of length n is copied as
// it is (each byte read as a bool): no positions in between.
inline py::array_t<bool> mask_array(py::handle returned, std::size_t n, py::handle name) {
    const py::object result = detail::unmasked(returned);
    py::array_t<bool> out(static_cast<py::ssize_t>(n));
    auto* mask = reinterpret_cast<std::uint8_t*>(out.mutable_data());
    if (py::isinstance<py::array>(result)) {
        const auto a = py::reinterpret_borrow<py::array>(result);
        if (detail::is_mask_of(a, n)) {
            const auto* base = static_cast<const char*>(a.data());
            const py::ssize_t stride = a.strides(0);
            for (std::size_t i = 0; i < n; ++i)
                mask[i] = base[static_cast<py::ssize_t>(i) * stride] != 0;
            return out;
        }
    }
    const py::array_t<std::int64_t> positions = positions_array(result, n, name);
    std::fill(mask, mask + n, std::uint8_t{0});
    const std::int64_t* p = positions.data();
    for (py::ssize_t i = 0; i < positions.size(); ++i) mask[p[i]] = 1;
    return out;
}

}  // namespace outliers::callback
