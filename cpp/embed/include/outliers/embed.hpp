// A native host hands its own memory to a Python detection function and gets positions back
// (docs: embedding): load "module:function", call it on a read-only numpy view of the host's buffer
// (no copy), validate and copy back the positions, release the function on close. Needs
// pybind11's embed support; the interpreter is started once, thread-safely, on first use.
#pragma once

#include <pybind11/embed.h>
#include <pybind11/numpy.h>

#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "callback.hpp"

namespace outliers::embed {

namespace py = pybind11;

// A Python exception seen from C++: what() is "Type: message"; traceback() the formatted
// Python traceback, as Python would print it.
// Hidden visibility, like pybind11's own types: these hold Python objects.
#if defined(__GNUC__)
#define OUTLIERS_EMBED_HIDDEN __attribute__((visibility("hidden")))
#else
#define OUTLIERS_EMBED_HIDDEN
#endif

class python_error : public std::runtime_error {
  public:
    python_error(const std::string& what, std::string type, std::string traceback)
        : std::runtime_error(what), type_(std::move(type)), traceback_(std::move(traceback)) {}
    const std::string& type() const noexcept { return type_; }
    const std::string& traceback() const noexcept { return traceback_; }

  private:
    std::string type_, traceback_;
};

namespace detail {

// Starts the interpreter once for the whole process (std::call_once: safe from any thread)
// and then lets go of the GIL, so that every host thread can take it when it calls Python.
// The interpreter lives until the process ends: finalizing it while extension modules such
// as numpy are loaded is not supported by CPython.
inline void ensure_interpreter() {
    static std::once_flag started;
    std::call_once(started, [] {
        if (Py_IsInitialized()) return;  // the host already embeds Python
        py::initialize_interpreter();
        PyEval_SaveThread();
    });
}

// Turns the pending Python exception into a python_error carrying its traceback text.
[[noreturn]] inline void rethrow(py::error_already_set& e) {
    std::string type = e.type() ? py::str(e.type().attr("__name__")).cast<std::string>() : "";
    std::string trace;
    try {
        // An error raised before any Python frame ran (e.g. a missing attribute) has no
        // traceback object: pass None then, as Python itself would.
        const py::object trace_obj =
            e.trace() ? py::reinterpret_borrow<py::object>(e.trace()) : py::none();
        const auto lines = py::module_::import("traceback")
                               .attr("format_exception")(e.type(), e.value(), trace_obj);
        trace = py::str("").attr("join")(lines).cast<std::string>();
    } catch (const py::error_already_set&) {
        trace = e.what();
    }
    throw python_error(e.what(), std::move(type), std::move(trace));
}

}  // namespace detail

// A Python detection function loaded from "module:function". Safe to call from several host
// threads at once (calls take the GIL in turn); close() releases the function.
class OUTLIERS_EMBED_HIDDEN detector {
  public:
    explicit detector(const std::string& path) : path_(path) {
        const auto colon = path.find(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == path.size())
            throw std::invalid_argument("expected \"module:function\", got \"" + path + "\"");
        detail::ensure_interpreter();
        py::gil_scoped_acquire gil;
        try {
            func_ = py::module_::import(path.substr(0, colon).c_str())
                        .attr(path.substr(colon + 1).c_str());
        } catch (py::error_already_set& e) {
            detail::rethrow(e);
        }
    }

    detector(const detector&) = delete;
    detector& operator=(const detector&) = delete;
    ~detector() { close(); }

    // Positions (sorted, unique, in [0, n)) the function flags in data[0, n). The function
    // sees a read-only float64 view of this memory, valid for the duration of the call only.
    std::vector<std::int64_t> detect(const double* data, std::size_t n) const {
        py::gil_scoped_acquire gil;
        if (!func_) throw std::logic_error("detector for " + path_ + " is closed");
        try {
            // The capsule owns nothing: the host's memory outlives the call, and the view
            // must not copy it (pybind11 copies when an array has no base object).
            const py::capsule no_owner(data, [](void*) {});
            const py::object result = func_(callback::readonly_view(data, n, no_owner));
            return callback::validate_result(result, n, path_);
        } catch (py::error_already_set& e) {
            detail::rethrow(e);
        } catch (const py::builtin_exception& e) {  // the validation's TypeError/ValueError
            throw python_error(e.what(), "ValueError", e.what());
        }
    }

    std::vector<std::int64_t> detect(const std::vector<double>& values) const {
        return detect(values.data(), values.size());
    }

    // Releases the function (idempotent); later detect() calls throw std::logic_error.
    void close() {
        if (!func_) return;
        py::gil_scoped_acquire gil;
        func_ = py::object();
    }

    const std::string& path() const noexcept { return path_; }

  private:
    std::string path_;
    py::object func_;
};

}  // namespace outliers::embed
