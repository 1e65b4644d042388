// PYBIND11_MODULE(_core): wires the bindings together, nothing else.
#include <pybind11/pybind11.h>

namespace outliers::bindings {
void bind_methods(pybind11::module_& m);
void bind_callback(pybind11::module_& m);
void bind_partitions(pybind11::module_& m);
void bind_rules(pybind11::module_& m);
void bind_runtime(pybind11::module_& m);
}  // namespace outliers::bindings

// mod_gil_used: the module makes no free-threading claim (and the macro gets its argument).
PYBIND11_MODULE(_core, m, pybind11::mod_gil_used()) {
    m.doc() = "outliers C++ core: zero-copy kernels and the custom-function bridge";
    outliers::bindings::bind_methods(m);
    outliers::bindings::bind_callback(m);
    outliers::bindings::bind_partitions(m);
    outliers::bindings::bind_rules(m);
    outliers::bindings::bind_runtime(m);
}
