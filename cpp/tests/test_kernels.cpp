// Edge cases of the zscore, mad, iqr, quantile and hampel kernels and of select.hpp, without
// Python.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "check.hpp"
#include "outliers/kernels/hampel.hpp"
#include "outliers/kernels/iqr.hpp"
#include "outliers/kernels/mad.hpp"
#include "outliers/kernels/quantile.hpp"
#include "outliers/kernels/zscore.hpp"
#include "outputs_buffer.hpp"
#include "quantile_inplace.hpp"

namespace {

using outliers::column;
using outliers::make_strided;
using outliers::outputs;
using outliers::summary;
namespace k = outliers::kernels;

const double nan = std::nan("");
const double inf = INFINITY;

template <class T>
column<T> col(const std::vector<T>& v) {
    return column<T>{make_strided(v.data(), v.size()), {}, false};
}

using result = outliers::testing::outputs_buffer;

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

void test_select_matches_numpy() {
    // Values from np.quantile / np.median on the same data (linear interpolation).
    std::vector<double> x{3, 1, 4, 1, 5, 9, 2, 6};
    CHECK(outliers::quantile_inplace(x.data(), x.data() + x.size(), 0.25) == 1.75);
    CHECK(outliers::quantile_inplace(x.data(), x.data() + x.size(), 0.75) == 5.25);
    CHECK(outliers::quantile_inplace(x.data(), x.data() + x.size(), 0.99) == 8.79);
    CHECK(outliers::median_inplace(x.data(), x.data() + x.size()) == 3.5);
    std::vector<double> y{0.1, 0.7, 0.3, 0.9, 0.2};
    CHECK(outliers::quantile_inplace(y.data(), y.data() + y.size(), 0.3) == 0.22);
    CHECK(outliers::quantile_inplace(y.data(), y.data() + y.size(), 0.77) == 0.716);
    std::vector<double> none;
    CHECK(std::isnan(outliers::median_inplace(none.data(), none.data())));
}

void test_zscore_edges() {
    std::vector<double> empty;
    result r0(0);
    const summary s0 = k::zscore(col(empty), {}, r0.out);
    CHECK(std::isnan(s0.lower) && std::isnan(s0.upper) && s0.n_used == 0);

    std::vector<double> all_nan{nan, nan, nan};
    result r1(3);
    k::zscore(col(all_nan), {}, r1.out);
    CHECK(std::isnan(r1.scores[0]) && r1.flags[0] == 0);

    std::vector<double> constant{2, 2, 2, inf, nan};
    result r2(5);
    const summary s2 = k::zscore(col(constant), {}, r2.out);
    CHECK(s2.n_used == 3 && s2.lower == 2.0 && s2.upper == 2.0);
    CHECK(r2.scores[0] == 0.0 && r2.flags[0] == 0);
    CHECK(r2.scores[3] == inf && r2.flags[3] == 1);
    CHECK(std::isnan(r2.scores[4]) && r2.flags[4] == 0);

    std::vector<double> one{5.0};
    result r3(1);
    const summary s3 = k::zscore(col(one), {3.0, 1}, r3.out);  // n - ddof = 0: undefined std
    CHECK(std::isnan(s3.lower) && r3.scores[0] == 0.0 && r3.flags[0] == 0);

    bool threw = false;
    try {
        k::zscore(col(one), {0.0, 0}, r3.out);
    } catch (const std::invalid_argument&) {
        threw = true;
    }
    CHECK(threw);
}

void test_mad_fallback() {
    // More than half equal: MAD = 0, the mean absolute deviation takes over.
    std::vector<std::int32_t> ties{5, 5, 5, 5, 5, 6, 100};
    result r(7);
    const summary s = k::mad(col(ties), {}, r.out);
    const double meanad = (1.0 + 95.0) / 7.0;
    CHECK(s.center == 5.0);
    CHECK(r.scores[6] == 95.0 / (outliers::rules::meanad_scale * meanad));
    CHECK(r.flags[6] == 1 && r.flags[5] == 0);

    std::vector<double> constant{1, 1, 1};
    result rc(3);
    k::mad(col(constant), {}, rc.out);
    CHECK(rc.scores[0] == 0.0 && rc.flags[0] == 0);
}

void test_iqr_and_quantile_zero_width() {
    std::vector<double> x{1, 1, 1, 1, 1, 1, 2};
    result r(7);
    const summary s = k::iqr(col(x), {1.5}, r.out);
    CHECK(s.lower == 1.0 && s.upper == 1.0 && s.center == 1.0);
    CHECK(r.flags[6] == 1 && r.scores[6] == inf && r.scores[0] == 0.0);

    result q(7);
    const summary sq = k::quantile(col(x), {0.0, 0.5}, q.out);
    CHECK(sq.lower == 1.0 && sq.upper == 1.0);
    CHECK(q.flags[6] == 1 && q.scores[6] == inf);
}

void test_hampel_edges() {
    // A window longer than the data: every point sees the whole array.
    std::vector<double> x{1, 2, 3, 100, 4};
    result r(5);
    k::hampel(col(x), {101, 3.0}, r.out);
    for (std::size_t i = 0; i < x.size(); ++i) CHECK(r.center[i] == 3.0);
    CHECK(r.flags[3] == 1 && r.flags[0] == 0);

    // A run of NaN longer than the window: the middle has an empty window.
    std::vector<double> gap{1, 2, nan, nan, nan, nan, nan, 3, 4};
    result g(gap.size());
    k::hampel(col(gap), {3, 3.0}, g.out);
    CHECK(std::isnan(g.center[4]) && std::isnan(g.scores[4]) && g.flags[4] == 0);
    CHECK(g.center[1] == 1.5);  // window {1, 2}: even count, mean of the middle two

    // A plateau with one step: zero MAD, so any deviation is infinitely far out.
    std::vector<double> plateau{7, 7, 7, 7, 8, 7, 7, 7};
    result p(plateau.size());
    k::hampel(col(plateau), {5, 3.0}, p.out);
    CHECK(p.flags[4] == 1 && p.scores[4] == inf && p.scores[3] == 0.0);
}

void test_results_independent_of_threads() {
    std::mt19937_64 rng(42);
    std::normal_distribution<double> normal;
    std::vector<double> x(300000);
    for (auto& v : x) v = normal(rng);
    x[17] = nan;
    x[90001] = inf;
    result a(x.size()), b(x.size());
    outliers::set_num_threads(1);
    const summary sa = k::zscore(col(x), {}, a.out);
    k::hampel(col(x), {21, 3.0}, a.out);
    outliers::set_num_threads(4);
    const summary sb = k::zscore(col(x), {}, b.out);
    k::hampel(col(x), {21, 3.0}, b.out);
    CHECK(sa.lower == sb.lower && sa.upper == sb.upper);
    CHECK(same_bits(a.scores, b.scores) && same_bits(a.center, b.center));
    CHECK(a.flags == b.flags);
}

void test_strided_and_reversed_views() {
    std::vector<float> storage{9, 1, 9, 2, 9, 3, 9, 50};
    // Every second element, backwards: 50, 3, 2, 1.
    const float* last = storage.data() + 7;
    const column<float> c{make_strided(last, 4, -2), {}, false};
    result r(4);
    const summary s = k::iqr(c, {1.5}, r.out);
    CHECK(s.n_used == 4 && r.flags[0] == 1 && r.flags[3] == 0);
}

void test_missing_sources() {
    // Bitmap (arrow, bit set = valid, offset 3), byte mask, sentinel and NaT, all read in place.
    std::vector<std::int64_t> v{7, 1, 2, std::numeric_limits<std::int64_t>::min(), -9999, 3, 100};
    const std::vector<std::uint8_t> bits{static_cast<std::uint8_t>(0xFF & ~(1u << (3 + 1))), 0xFF};
    const std::vector<std::uint8_t> mask{0, 0, 0, 0, 0, 1, 0};
    const double sentinel = -9999.0;
    column<std::int64_t> c = col(v);
    c.int_min_is_missing = true;
    c.valid_bits = bits.data();
    c.bit_offset = 3;
    c.mask = make_strided(mask.data(), mask.size());
    c.sentinels = &sentinel;
    c.sentinel_count = 1;
    using outliers::state;
    CHECK(outliers::classify(c, 0) == state::finite);
    CHECK(outliers::classify(c, 1) == state::missing);  // bit 4 cleared
    CHECK(outliers::classify(c, 3) == state::missing);  // NaT
    CHECK(outliers::classify(c, 4) == state::missing);  // the sentinel
    CHECK(outliers::classify(c, 5) == state::missing);  // masked
    result r(v.size());
    const summary s = k::mad(c, {}, r.out);
    CHECK(s.n_used == 3);  // 7, 2, 100
    CHECK(std::isnan(r.scores[4]) && r.flags[4] == 0);
}

void test_tasks_match_serial_runs() {
    // Columns run as parallel tasks give what each column gives alone.
    std::mt19937_64 rng(7);
    std::normal_distribution<double> normal;
    std::vector<std::vector<double>> cols(5, std::vector<double>(200000));
    for (auto& c : cols)
        for (auto& v : c) v = normal(rng);
    std::vector<result> alone, tasks;
    outliers::set_num_threads(1);
    for (auto& c : cols) {
        alone.emplace_back(c.size());
        k::zscore(col(c), {}, alone.back().out);
    }
    for (auto& c : cols) tasks.emplace_back(c.size());
    outliers::set_num_threads(3);
    outliers::for_each_task(cols.size(), [&](std::size_t j) {
        CHECK(outliers::get_num_threads() == 1);  // kernels inside a task stay single-threaded
        k::zscore(col(cols[j]), {}, tasks[j].out);
    });
    for (std::size_t j = 0; j < cols.size(); ++j)
        CHECK(same_bits(alone[j].scores, tasks[j].scores));
    CHECK(outliers::get_num_threads() == 3);
}

}  // namespace

int main() {
    test_select_matches_numpy();
    test_zscore_edges();
    test_mad_fallback();
    test_iqr_and_quantile_zero_width();
    test_hampel_edges();
    test_results_independent_of_threads();
    test_strided_and_reversed_views();
    test_missing_sources();
    test_tasks_match_serial_runs();
    return outliers::testing::report("test_kernels");
}
