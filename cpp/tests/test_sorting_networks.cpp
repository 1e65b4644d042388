// order/sorting_networks.hpp: the networks sort, and the windows they sort in lanes (with their
// medians and MADs) are those of sorting each window's copy, on every CPU level and window size.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "check.hpp"
#include "outliers/order/sorting_networks.hpp"

namespace {

namespace order = outliers::order;
namespace cpu = outliers::cpu;

void test_networks_sort_every_zero_one_input() {
    // 0-1 principle (Knuth TAOCP vol. 3 §5.3.4, Theorem Z): a comparator network sorts every
    // input iff it sorts every 0-1 input. 64 inputs at a time, one per bit.
    const auto check = [](auto net, std::size_t n) {
        for (std::uint64_t block = 0; block < (std::uint64_t{1} << n) / 64 + 1; ++block) {
            std::uint64_t wire[64];
            for (std::size_t j = 0; j < n; ++j) {
                wire[j] = 0;
                for (std::uint64_t b = 0; b < 64; ++b)
                    wire[j] |= (((block * 64 + b) >> j) & 1u) << b;
            }
            for (const auto& cmp : net.pairs) {
                const std::uint64_t lo = wire[cmp.lo] & wire[cmp.hi];
                wire[cmp.hi] |= wire[cmp.lo];
                wire[cmp.lo] = lo;
            }
            for (std::size_t j = 0; j + 1 < n; ++j)
                if (wire[j] & ~wire[j + 1]) return false;
        }
        return true;
    };
    using order::sorting_network;
    CHECK(check(sorting_network<3>{}, 3));
    CHECK(check(sorting_network<7>{}, 7));
    CHECK(check(sorting_network<11>{}, 11));
    CHECK(check(sorting_network<15>{}, 15));
    CHECK(check(sorting_network<21>{}, 21));
    CHECK(sorting_network<7>::size == 16);  // Batcher's count for 7, also the optimum
}

// What the lanes computed, lane by lane: the sorted window, its median and MAD.
struct lanes_result {
    std::vector<double> sorted, median, mad;
};

// The test's body for with_network: the windows b[j, j + W) of the L points of each group.
struct record {
    template <int L, std::size_t W>
    [[gnu::always_inline]] static inline void run(const double* b, std::size_t groups,
                                                  lanes_result* out) {
        using V = typename order::lanes<L>::vd;
        for (std::size_t g = 0; g < groups; ++g) {
            V r[W], m, mad;
            order::sort_windows<L, W>(b + g * L, r);
            order::windows_median_mad<L, W>(r, m, mad);
            for (int l = 0; l < L; ++l) {
                for (std::size_t k = 0; k < W; ++k) out->sorted.push_back(r[k][l]);
                out->median.push_back(m[l]);
                out->mad.push_back(mad[l]);
            }
        }
    }
};

double median_of(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];  // odd sizes only
}

bool same(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Every window of 3..network_limit values, normal values and ties (+0.0 only: the networks'
// min/max do not order the two zeros), on every CPU level the CPU has.
void test_windows_sorted_in_lanes() {
    std::mt19937_64 rng(1);
    std::normal_distribution<double> normal;
    std::uniform_int_distribution<int> small(0, 3);
    for (cpu::level level : {cpu::level::portable, cpu::level::avx2, cpu::level::avx512}) {
        if (level > cpu::detected()) continue;
        const std::size_t lanes = std::size_t{2} << static_cast<int>(level);
        for (std::size_t w = 3; w <= order::network_limit(level); w += 2) {
            for (bool ties : {false, true}) {
                const std::size_t groups = 5, points = groups * lanes;
                std::vector<double> x(points + w - 1);
                for (auto& v : x) v = ties ? static_cast<double>(small(rng)) : normal(rng);
                lanes_result got;
                order::with_network<record>(level, w, x.data(), groups, &got);
                bool ok = got.median.size() == points;
                for (std::size_t i = 0; ok && i < points; ++i) {
                    std::vector<double> win(x.begin() + static_cast<std::ptrdiff_t>(i),
                                            x.begin() + static_cast<std::ptrdiff_t>(i + w));
                    const double m = median_of(win);
                    std::vector<double> d;
                    for (double v : win) d.push_back(std::fabs(v - m));
                    std::sort(win.begin(), win.end());
                    const std::size_t g = i / lanes, l = i % lanes;
                    for (std::size_t k = 0; k < w; ++k)
                        ok = ok && same(got.sorted[(g * lanes + l) * w + k], win[k]);
                    ok = ok && same(got.median[i], m) && same(got.mad[i], median_of(d));
                }
                if (!ok)
                    std::printf("level %d window %zu ties %d differs\n", static_cast<int>(level), w,
                                ties);
                CHECK(ok);
            }
        }
    }
}

}  // namespace

int main() {
    test_networks_sort_every_zero_one_input();
    test_windows_sorted_in_lanes();
    return outliers::testing::report("test_sorting_networks");
}
