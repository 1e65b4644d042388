// Ctrl-C during a kernel: work run without the GIL that stops when Python has a signal pending.
#pragma once

#include <pybind11/pybind11.h>

#include <optional>
#include <utility>

#include "outliers/interrupt.hpp"

namespace outliers::bindings {

namespace py = pybind11;

// The kernels' interruption points ask, on the calling thread, whether Python has a signal
// pending: PyErr_CheckSignals runs Python's handlers (SIGINT's raises KeyboardInterrupt, in a
// terminal as in Jupyter, whose interrupt button sends SIGINT) with the GIL taken for the
// moment. Python runs handlers on its main thread only; elsewhere the answer is always no.
class signal_check {
  public:
    // Runs work() without the GIL. If a signal handler raised meanwhile, the work stops at its
    // next interruption point and the handler's exception (KeyboardInterrupt) leaves here.
    template <class Work>
    void run_without_gil(Work&& work) {
        const interruption call(&signal_check::poll, this);
        try {
            py::gil_scoped_release nogil;
            std::forward<Work>(work)();
        } catch (const interrupted&) {
            if (error_) throw std::move(*error_);
            PyErr_SetNone(PyExc_KeyboardInterrupt);
            throw py::error_already_set();
        }
    }

  private:
    static bool poll(void* self) {
        py::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() == 0) return false;
        static_cast<signal_check*>(self)->error_.emplace();  // takes the raised exception
        return true;
    }

    std::optional<py::error_already_set> error_;
};

// Runs work() without the GIL, stoppable by Ctrl-C (see signal_check).
template <class Work>
void run_interruptible(Work&& work) {
    signal_check check;
    check.run_without_gil(std::forward<Work>(work));
}

}  // namespace outliers::bindings
