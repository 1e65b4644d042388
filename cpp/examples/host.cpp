// A native host that hands its own buffer to a Python detect function (docs: embedding): the seed
// data, several host threads at once, a Python exception and an invalid result, then close.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <outliers/embed.hpp>
#include <random>
#include <thread>
#include <utility>
#include <vector>

namespace {

int fail(const char* what) {
    std::fprintf(stderr, "host: FAILED: %s\n", what);
    return 1;
}

// Best time of one detect() call on n values over `repeats` rounds, in microseconds.
double time_host_call(const outliers::embed::detector& d, std::size_t n, int calls) {
    std::vector<double> x(n);
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<double> u;
    for (auto& v : x) v = u(rng);
    double best = 1e300;
    for (int round = 0; round < 5; ++round) {
        const auto t0 = std::chrono::steady_clock::now();
        for (int c = 0; c < calls; ++c) d.detect(x);
        const std::chrono::duration<double, std::micro> dt = std::chrono::steady_clock::now() - t0;
        best = std::min(best, dt.count() / calls);
    }
    return best;
}

// The same function called from Python itself, in the same interpreter, in microseconds.
double time_python_call(std::size_t n, int calls) {
    namespace py = pybind11;
    py::gil_scoped_acquire gil;
    py::dict scope;
    scope["n"] = n;
    scope["calls"] = calls;
    py::exec(R"(
import timeit, numpy as np, example_detect
x = np.random.default_rng(1).random(n)
best = min(timeit.repeat(lambda: example_detect.detect(x), number=calls, repeat=5)) / calls
)",
             scope);
    return scope["best"].cast<double>() * 1e6;
}

}  // namespace

int main() {
    using outliers::embed::detector;
    using outliers::embed::python_error;

    // The seed's data: 1,000 uniform values in [0, 1) and three planted outliers.
    std::vector<double> data(1000);
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> uniform;
    for (auto& v : data) v = uniform(rng);
    data[7] = 97.3;
    data[113] = 92.1;
    data[835] = 93.2;

    detector d("example_detect:detect");
    const std::vector<std::int64_t> want{7, 113, 835};
    if (d.detect(data) != want) return fail("seed data: expected positions 7, 113, 835");
    std::printf("host: detect flagged 7, 113, 835\n");

    if (detector("example_detect:shares_memory_probe").detect(data).size() != 1)
        return fail("the function did not get a read-only view of the host's memory");

    // Several host threads calling the same detector at once.
    std::vector<std::thread> threads;
    std::vector<int> ok(8, 0);
    for (std::size_t t = 0; t < ok.size(); ++t)
        threads.emplace_back([&, t] {
            for (int r = 0; r < 50; ++r) ok[t] += d.detect(data) == want;
        });
    for (auto& t : threads) t.join();
    for (int v : ok)
        if (v != 50) return fail("concurrent calls from host threads");
    std::printf("host: 8 threads x 50 calls agreed\n");

    try {
        detector("example_detect:broken").detect(data);
        return fail("a Python exception did not reach the host");
    } catch (const python_error& e) {
        if (e.type() != "ValueError" ||
            e.traceback().find("cannot handle 1000 values") == std::string::npos)
            return fail("the Python exception lost its type or traceback");
        std::printf("host: Python exception arrived as C++: %s\n", e.what());
    }
    try {
        detector("example_detect:bad_result").detect(data);
        return fail("an out-of-range position was accepted");
    } catch (const python_error& e) {
        std::printf("host: invalid result refused: %s\n", e.what());
    }
    try {
        detector("example_detect:no_such_function");
        return fail("a missing function was loaded");
    } catch (const python_error& e) {
        std::printf("host: missing function reported: %s\n", e.type().c_str());
    }

    for (const auto& [n, calls] : {std::pair<std::size_t, int>{1000, 2000}, {1000000, 20}}) {
        const double host = time_host_call(d, n, calls), python = time_python_call(n, calls);
        std::printf(
            "host: %zu values: %.1f us per call from C++, %.1f us from Python: "
            "overhead %.1f us\n",
            n, host, python, host - python);
    }

    d.close();
    try {
        d.detect(data);
        return fail("a closed detector still ran");
    } catch (const std::logic_error&) {
        std::printf("host: closed detector refuses calls\n");
    }
    std::printf("host: all checks passed\n");
    return 0;
}
