// Ctrl-C during a kernel: work run without the GIL that stops when Python has a signal pending.
#pragma once

#include <pybind11/pybind11.h>

#include <optional>
#include <utility>

#include "outliers/interrupt.hpp"

namespace outliers::bindings {

namespace py = pybind11;

// Runs work() without the GIL. The kernels' interruption points ask, on this thread, whether
// Python has a signal pending: PyErr_CheckSignals runs Python's handlers with the GIL taken for
// the moment (SIGINT's raises KeyboardInterrupt, in a terminal as in Jupyter, whose interrupt
// button sends SIGINT; Python runs handlers on its main thread only, elsewhere the answer is
// always no). If a handler raised, the work stops at its next point and the handler's
// exception leaves here.
template <class Work>
void run_interruptible(Work&& work) {
    std::optional<py::error_already_set> raised;
    const auto signal_pending = [](void* raised_out) {
        py::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() == 0) return false;
        // takes the exception the handler raised
        static_cast<std::optional<py::error_already_set>*>(raised_out)->emplace();
        return true;
    };
    const interruption call(signal_pending, &raised);
    try {
        py::gil_scoped_release nogil;
        std::forward<Work>(work)();
    } catch (const interrupted&) {
        if (raised) throw std::move(*raised);
        PyErr_SetNone(PyExc_KeyboardInterrupt);
        throw py::error_already_set();
    }
}

}  // namespace outliers::bindings
