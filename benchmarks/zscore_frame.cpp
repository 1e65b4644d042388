// Where the frame zscore call's time goes, without Python: the kernel over K columns of N
// float64 values (normal, one in 10,000 multiplied by 25, as bench_methods.py's data), next to
// its one-read sweep alone (lanes::shifted over each column: no sample, no phases, no
// settling) and a plain vectorised sum, each on 1 and 2 threads, in alternating rounds.
//
//   g++ -std=c++17 -O3 -ffp-contract=off -pthread -Icpp/include
//       benchmarks/zscore_frame.cpp -o /tmp/zscore_frame   (one line)
//   /tmp/zscore_frame [rows = 1000000] [columns = 8] [rounds = 61]
//
// Prints the median times and the 2-thread speed-ups. The sum is the memory's yardstick: a
// kernel that reads at the memory's speed cannot gain more from a second thread than it does.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "outliers/kernels/zscore.hpp"

namespace {

using namespace outliers;

double sum_of(const double* p, std::size_t n) {
    double part[8] = {};
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (std::size_t l = 0; l < 8; ++l) part[l] += p[i + l];
    for (; i < n; ++i) part[0] += p[i];
    double s = 0.0;
    for (double v : part) s += v;
    return s;
}

double sweep_of(const double* p, std::size_t n, std::uint8_t* flags) {
    std::uint16_t offsets[lanes::sub_block];
    double values[lanes::sub_block];
    const lanes::bands bands{2.9, 3.1};
    double s = 0.0;
    for (std::size_t i = 0; i < n; i += lanes::sub_block) {
        std::size_t undecided = 0;
        const std::size_t len = std::min(lanes::sub_block, n - i);
        s += lanes::shifted(cpu::active(), p + i, len, 0.0, bands, flags + i, true, offsets, values,
                            &undecided)
                 .s1[0];
    }
    lanes::store_fence();
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t rows = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000000;
    const std::size_t cols = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 8;
    const int rounds = argc > 3 ? std::atoi(argv[3]) : 61;
    std::vector<double> x(rows * cols);
    std::mt19937_64 rng(1);
    std::normal_distribution<double> z;
    for (double& v : x) v = z(rng);
    for (std::size_t k = 0; k < x.size() / 10000; ++k) x[rng() % x.size()] *= 25.0;
    std::vector<std::uint8_t> flags(x.size());
    std::vector<double> sink(cols);

    const char* names[] = {"zscore", "sweep", "sum"};
    const auto run = [&](int what, int threads) {
        set_num_threads(threads);
        const auto start = std::chrono::steady_clock::now();
        for_each_task(cols, [&](std::size_t k) {
            const double* p = x.data() + k * rows;
            if (what == 0) {
                column<double> c;
                c.values = {p, rows, 1};
                outputs out;
                out.flags = flags.data() + k * rows;
                out.stream_flags = x.size() >= lanes::stream_min;  // as run_columns sets it
                sink[k] = kernels::zscore(c, {}, out).center;
            } else if (what == 1) {
                sink[k] = sweep_of(p, rows, flags.data() + k * rows);
            } else {
                sink[k] = sum_of(p, rows);
            }
        });
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count();
    };
    std::vector<double> times[3][2];
    for (int r = 0; r < rounds; ++r)
        for (int what = 0; what < 3; ++what)
            for (int t = 0; t < 2; ++t) times[what][t].push_back(run(what, t + 1));
    const auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    std::printf("%zu x %zu float64, median of %d rounds\n", cols, rows, rounds);
    for (int what = 0; what < 3; ++what) {
        const double one = median(times[what][0]), two = median(times[what][1]);
        std::printf("%-7s 1 thread %7.3f ms  2 threads %7.3f ms  speed-up %.2f\n", names[what], one,
                    two, one / two);
    }
    return sink[0] == 12345.0;  // keeps the results alive
}
