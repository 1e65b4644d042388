// The hampel kernel against a brute-force window loop, bit for bit, on every path and CPU level.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "check.hpp"
#include "outliers/kernels/hampel.hpp"
#include "outliers/stats/rules.hpp"
#include "outputs_buffer.hpp"

namespace {

using outliers::column;
using outliers::make_strided;
using outliers::outputs;
namespace k = outliers::kernels;
namespace cpu = outliers::cpu;

const double nan = std::nan("");
const double inf = INFINITY;

// Every output, and the count of finite values the kernel reports.
struct result : outliers::testing::outputs_buffer {
    using outputs_buffer::outputs_buffer;
    std::size_t n_used = 0;
};

double median_of(std::vector<double> v) {
    if (v.empty()) return nan;
    const std::size_t h = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(h), v.end());
    const double hi = v[h];
    if (v.size() % 2 == 1) return hi;
    const double lo = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(h));
    const double mean = (lo + hi) / 2.0;  // numpy's, but finite where lo + hi overflows
    return std::isinf(mean) && std::isfinite(lo) && std::isfinite(hi) ? lo / 2.0 + hi / 2.0 : mean;
}

// The obvious algorithm (docs/methods.md): copy each window's finite values, select twice.
template <class T>
result brute_force(const column<T>& c, std::size_t window, double threshold) {
    using outliers::state;
    const std::size_t n = c.size(), h = window / 2;
    result r(n);
    std::vector<double> w;
    for (std::size_t i = 0; i < n; ++i) {
        w.clear();
        for (std::size_t j = i >= h ? i - h : 0; j < std::min(n, i + h + 1); ++j)
            if (classify(c, j) == state::finite) w.push_back(value(c, j));
        const double m = median_of(w);
        for (double& v : w) v = std::fabs(v - m);
        const double mad = median_of(w), s = outliers::rules::mad_scale * mad;
        r.center[i] = m;
        r.lower[i] = m - threshold * s;
        r.upper[i] = m + threshold * s;
        const state st = classify(c, i);
        const double d = std::fabs(value(c, i) - m);
        r.scores[i] = st == state::missing    ? nan
                      : st == state::infinite ? inf
                      : s > 0.0               ? d / s
                      : d == 0.0              ? 0.0
                                              : inf;
        r.flags[i] = st == state::infinite || (st == state::finite && d > threshold * s);
        if (st == state::finite && std::isinf(d)) {  // in halves: as without overflow
            const double half_d = std::fabs(value(c, i) / 2.0 - m / 2.0);
            const double half_s = outliers::rules::mad_scale * (mad / 2.0);
            r.scores[i] = half_s > 0.0 ? half_d / half_s : inf;
            r.flags[i] = half_d > threshold * half_s;
        }
        r.n_used += st == state::finite;
    }
    return r;
}

// Bit-identical, except that +0.0 and -0.0 (equal values) count as the same: which of the two a
// selection returns is the selection algorithm's choice.
bool same(double a, double b) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    if (a == 0.0 && b == 0.0) return true;
    return std::memcmp(&a, &b, sizeof a) == 0;
}

bool same_result(const result& a, const result& b, const std::string& ctx) {
    if (a.n_used != b.n_used) {
        std::printf("%s: n_used %zu vs %zu\n", ctx.c_str(), a.n_used, b.n_used);
        return false;
    }
    for (std::size_t i = 0; i < a.flags.size(); ++i) {
        if (a.flags[i] != b.flags[i] || !same(a.scores[i], b.scores[i]) ||
            !same(a.lower[i], b.lower[i]) || !same(a.upper[i], b.upper[i]) ||
            !same(a.center[i], b.center[i])) {
            std::printf(
                "%s: point %zu differs: flag %d/%d score %.17g/%.17g center %.17g/%.17g "
                "lower %.17g/%.17g\n",
                ctx.c_str(), i, a.flags[i], b.flags[i], a.scores[i], b.scores[i], a.center[i],
                b.center[i], a.lower[i], b.lower[i]);
            return false;
        }
    }
    return true;
}

template <class T>
result run(const column<T>& c, std::size_t window, double threshold) {
    result r(c.size());
    r.n_used = k::hampel(c, {window, threshold}, r.out).n_used;
    return r;
}

const cpu::level levels[] = {cpu::level::portable, cpu::level::avx2, cpu::level::avx512};
const char* level_names[] = {"portable", "avx2", "avx512"};

// The kernel on every CPU level and with 1 and 2 threads, each equal to the brute force.
template <class T>
void check_all(const column<T>& c, std::size_t window, double threshold, const std::string& ctx) {
    const result expected = brute_force(c, window, threshold);
    for (int l = 0; l < 3; ++l) {
        if (levels[l] > cpu::detected()) continue;  // it would run the CPU's best level again
        cpu::limit(levels[l]);
        for (int threads : {1, 2}) {
            outliers::set_num_threads(threads);
            const std::string where = ctx + " window=" + std::to_string(window) +
                                      " cpu=" + level_names[l] +
                                      " threads=" + std::to_string(threads);
            CHECK(same_result(run(c, window, threshold), expected, where));
        }
    }
    cpu::limit(cpu::level::avx512);
    outliers::set_num_threads(1);
}

template <class T>
column<T> col(const std::vector<T>& v) {
    column<T> c;
    c.values = make_strided(v.data(), v.size());
    return c;
}

enum class kind { normal, ints, plateaus, nan_runs, infs, trend, sorted, reversed, long_gaps };

std::vector<double> series(kind what, std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    std::uniform_int_distribution<int> small(0, 3);
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) {
        switch (what) {
            case kind::ints:
                x[i] = small(rng);
                break;
            case kind::plateaus:
                x[i] = (i / 8) % 3 == 0 ? 5.0 : static_cast<double>((i / 8) % 4);
                break;
            case kind::trend:
                x[i] = 10 * std::sin(static_cast<double>(i) / 15) + 0.3 * normal(rng);
                break;
            case kind::sorted:  // every step, the smallest value leaves and a largest enters
                x[i] = static_cast<double>(i / 3);
                break;
            case kind::reversed:
                x[i] = -static_cast<double>(i / 3);
                break;
            default:
                x[i] = normal(rng);
        }
    }
    std::uniform_int_distribution<std::size_t> pos(0, n ? n - 1 : 0);
    for (std::size_t s = 0; s < n / 40; ++s) x[pos(rng)] += 25.0;  // spikes
    if (what == kind::nan_runs) {
        for (std::size_t s = 0; s < n / 200 + 1 && n > 0; ++s) {
            const std::size_t at = pos(rng), len = pos(rng) % 60;
            for (std::size_t j = at; j < std::min(n, at + len); ++j) x[j] = nan;
        }
        for (std::size_t s = 0; s < n / 50; ++s) x[pos(rng)] = nan;
    }
    if (what == kind::long_gaps) {  // the window's count falls far and rises again
        for (std::size_t at = n / 7; at < n; at += n / 3)
            for (std::size_t j = at; j < std::min(n, at + pos(rng) % 3000); ++j) x[j] = nan;
    }
    if (what == kind::infs) {
        for (std::size_t s = 0; s < n / 50; ++s) x[pos(rng)] = (s % 2 ? inf : -inf);
        for (std::size_t s = 0; s < n / 100; ++s) x[pos(rng)] = nan;
    }
    return x;
}

void test_hampel_windows_3_to_41_every_kind() {
    const kind kinds[] = {kind::normal,   kind::ints, kind::plateaus,
                          kind::nan_runs, kind::infs, kind::trend};
    for (std::size_t w = 3; w <= 41; w += 2)
        for (kind what : kinds) {
            const auto x = series(what, 1501, 100 * w + static_cast<std::uint64_t>(what));
            check_all(col(x), w, 3.0, "kind=" + std::to_string(static_cast<int>(what)));
        }
}

void test_hampel_long_windows() {
    // Flat sorted windows up to 800 values, blocked ones beyond (kernels/hampel.hpp).
    const kind kinds[] = {kind::normal, kind::ints,     kind::nan_runs, kind::infs,
                          kind::sorted, kind::reversed, kind::long_gaps};
    for (std::size_t w : {101u, 501u, 799u, 801u, 2001u})  // 2001: 32 blocks, some searched
        for (kind what : kinds) {
            const auto x = series(what, 2 * w + 1500, w + static_cast<std::uint64_t>(what));
            check_all(col(x), w, 2.5, "long kind=" + std::to_string(static_cast<int>(what)));
        }
}

void test_hampel_across_blocks() {
    // Long enough for several blocks (their windows are primed apart) and two threads.
    const auto x = series(kind::nan_runs, 70000, 3);
    for (std::size_t w : {7u, 31u, 33u, 101u}) check_all(col(x), w, 3.0, "blocks");
}

void test_hampel_tiny_inputs_and_long_windows() {
    for (std::size_t n = 0; n <= 12; ++n) {
        const auto x = series(kind::normal, n, n);
        for (std::size_t w : {3u, 5u, 7u, 9u, 13u, 31u, 33u, 101u})
            check_all(col(x), w, 1.0, "n=" + std::to_string(n));
    }
    const std::vector<double> all_nan(50, nan);
    for (std::size_t w : {3u, 7u, 51u}) check_all(col(all_nan), w, 3.0, "all nan");
    std::vector<double> mixed(64, inf);
    for (std::size_t i = 0; i < mixed.size(); i += 3) mixed[i] = nan;
    mixed[20] = 1.0;
    for (std::size_t w : {3u, 7u, 51u}) check_all(col(mixed), w, 3.0, "only inf and nan");
}

void test_hampel_ties_extremes_and_zeros() {
    std::vector<double> x(4000);
    std::mt19937_64 rng(9);
    std::uniform_int_distribution<int> pick(0, 9);
    const double values[] = {0.0, -0.0, 1e308, -1e308, 5e-324, -5e-324, 1.0, 1.0, 2.0, 1e-300};
    for (auto& v : x) v = values[pick(rng)];
    for (std::size_t w : {3u, 7u, 15u, 31u, 51u, 101u}) check_all(col(x), w, 3.0, "extremes");
}

void test_hampel_masked_and_strided() {
    const auto base = series(kind::trend, 5000, 11);
    // Every third value, backwards.
    column<double> rev;
    rev.values = make_strided(base.data() + base.size() - 1, base.size() / 3, -3);
    // A byte mask and a sentinel, on float32 values.
    std::vector<float> f(base.begin(), base.end());
    std::vector<std::uint8_t> mask(f.size());
    for (std::size_t i = 0; i < mask.size(); i += 7) mask[i] = 1;
    for (std::size_t i = 3; i < f.size(); i += 11) f[i] = -9999.0f;
    const double sentinel = -9999.0;
    column<float> masked = col(f);
    masked.mask = make_strided(static_cast<const std::uint8_t*>(mask.data()), mask.size());
    masked.sentinels = &sentinel;
    masked.sentinel_count = 1;
    // int64 with NaT.
    std::vector<std::int64_t> ints(base.size());
    for (std::size_t i = 0; i < ints.size(); ++i)
        ints[i] = i % 13 == 0 ? INT64_MIN : static_cast<std::int64_t>(base[i] * 10);
    column<std::int64_t> times = col(ints);
    times.int_min_is_missing = true;
    for (std::size_t w : {3u, 7u, 21u, 31u, 33u, 101u}) {
        check_all(rev, w, 3.0, "reversed stride 3");
        check_all(masked, w, 3.0, "float32 masked + sentinel");
        check_all(times, w, 3.0, "int64 NaT");
    }
}

void test_hampel_windows_past_the_array() {
    // Every window of 2n + 1 values or more is the whole array; 16 * window used to wrap around
    // (no block ran, the outputs stayed unwritten).
    for (std::size_t n : {1u, 2u, 31u, 1000u, 3000u}) {
        const auto x = series(kind::infs, n, n);
        const result whole = brute_force(col(x), 2 * n + 1, 3.0);
        for (std::size_t w : {2 * n + 1, 2 * n + 3, std::size_t{0x1fffffffffffffff},
                              std::size_t{INT64_MAX}, SIZE_MAX - 2, SIZE_MAX}) {
            for (int threads : {1, 2}) {
                outliers::set_num_threads(threads);
                result r(n);
                std::fill(r.scores.begin(), r.scores.end(), 12345.0);  // must be overwritten
                r.n_used = k::hampel(col(x), {w, 3.0}, r.out).n_used;
                CHECK(same_result(r, whole, "n=" + std::to_string(n) + " w=" + std::to_string(w)));
            }
        }
    }
    outliers::set_num_threads(1);
}

// The ranked slots (windows beyond ranked_window_min) on short windows, called directly, in
// blocks as the driver cuts them (each primes its own slots) and with 64-bit slots.
void test_hampel_ranked_path_small_windows() {
    const kind kinds[] = {kind::normal, kind::ints,   kind::plateaus, kind::nan_runs,
                          kind::infs,   kind::sorted, kind::reversed, kind::long_gaps};
    for (std::size_t w : {3u, 5u, 9u, 33u, 101u, 1001u, 3001u, 9001u})
        for (kind what : kinds) {
            const auto x = series(what, 3000, w + 17 * static_cast<std::uint64_t>(what));
            const auto c = col(x);
            const result expected = brute_force(c, w, 2.5);
            for (std::size_t block : {std::size_t{1}, std::size_t{700}, x.size()}) {
                result r(x.size());
                const k::hampel_detail::point_writer writer{r.out, 2.5};
                for (std::size_t b = 0; b < x.size(); b += block) {
                    const std::size_t e = std::min(x.size(), b + block);
                    r.n_used += block == 700 ? k::hampel_detail::ranked_path<true, std::uint64_t>(
                                                   c, w, b, e, writer)
                                             : k::hampel_detail::ranked_path<false, std::uint32_t>(
                                                   c, w, b, e, writer);
                }
                CHECK(same_result(r, expected,
                                  "ranked w=" + std::to_string(w) +
                                      " kind=" + std::to_string(static_cast<int>(what)) +
                                      " block=" + std::to_string(block)));
            }
        }
}

void test_hampel_near_overflow() {
    // numpy's (a + b) / 2 overflows near +-1e308 (the median is then the finite midpoint) and so
    // may |x - m| (the score then from the halves): no finite value gets a NaN score.
    std::vector<double> x(3000);
    std::mt19937_64 rng(4);
    std::uniform_int_distribution<int> pick(0, 7);
    const double values[] = {1.7e308, -1.7e308, 1.6e308, -1.5e308, 1e308, -0.2e308, 0.0, nan};
    for (auto& v : x) v = values[pick(rng)];
    for (std::size_t w : {3u, 5u, 7u, 9u, 31u, 33u, 101u, 801u, 2001u}) {
        check_all(col(x), w, 3.0, "near overflow");
        const result r = run(col(x), w, 3.0);
        for (std::size_t i = 0; i < x.size(); ++i)
            CHECK(std::isnan(x[i]) || (!std::isnan(r.scores[i]) && std::isfinite(r.center[i])));
    }
}

void test_hampel_only_some_outputs() {
    const auto x = series(kind::infs, 3000, 5);
    for (std::size_t w : {7u, 51u}) {
        const result all = run(col(x), w, 3.0);
        std::vector<std::uint8_t> flags(x.size());
        outputs out;
        out.flags = flags.data();
        k::hampel(col(x), {w, 3.0}, out);
        CHECK(flags == all.flags);
        std::vector<double> lower(x.size());
        outputs only_lower;
        only_lower.lower = lower.data();
        k::hampel(col(x), {w, 3.0}, only_lower);
        for (std::size_t i = 0; i < x.size(); ++i) CHECK(same(lower[i], all.lower[i]));
    }
}

}  // namespace

int main() {
    test_hampel_windows_3_to_41_every_kind();
    test_hampel_long_windows();
    test_hampel_across_blocks();
    test_hampel_tiny_inputs_and_long_windows();
    test_hampel_ties_extremes_and_zeros();
    test_hampel_masked_and_strided();
    test_hampel_only_some_outputs();
    test_hampel_windows_past_the_array();
    test_hampel_ranked_path_small_windows();
    test_hampel_near_overflow();
    return outliers::testing::report("test_hampel");
}
