// The runtime's controls: the worker pool's thread count, and for tests and benchmarks the CPU
// level cap and the selection's radix fallback.
#include <pybind11/pybind11.h>

#include <string>

#include "outliers/order/select.hpp"
#include "outliers/parallel.hpp"
#include "outliers/simd/cpu.hpp"

namespace outliers::bindings {

namespace py = pybind11;

void bind_runtime(py::module_& m) {
    m.def("set_num_threads", [](int n) {
        if (n < 1) throw py::value_error("thread count must be >= 1");
        set_num_threads(n);
    });
    m.def("get_num_threads", []() { return get_num_threads(); });
    // For tests and benchmarks: cap the vectorised paths ("portable", "avx2", "avx512").
    m.def("_limit_cpu", [](const std::string& name) {
        if (name == "portable")
            cpu::limit(cpu::level::portable);
        else if (name == "avx2")
            cpu::limit(cpu::level::avx2);
        else if (name == "avx512")
            cpu::limit(cpu::level::avx512);
        else
            throw py::value_error("cpu level must be portable, avx2 or avx512");
    });
    // For tests: send every mad/iqr/quantile selection down the radix fallback (exact anyway).
    m.def("_force_radix_select", [](bool on) { select_detail::force_radix().store(on); });
    m.def("_cpu_level", []() {
        static const char* names[] = {"portable", "avx2", "avx512"};
        return std::string(names[static_cast<int>(cpu::active())]);
    });
}

}  // namespace outliers::bindings
