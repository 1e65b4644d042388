// select.hpp against a sort-based reference, bit for bit: every path (gather-all, sample
// bracket, radix fallback), every CPU level, every dtype, adversarial data.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "check.hpp"
#include "outliers/kernels/iqr.hpp"
#include "outliers/kernels/mad.hpp"
#include "outliers/kernels/quantile.hpp"
#include "outliers/order/select.hpp"
#include "outliers/simd/cpu.hpp"
#include "quantile_inplace.hpp"

namespace {

using outliers::column;
using outliers::make_strided;
using outliers::order_request;
using outliers::order_result;
namespace sd = outliers::select_detail;
namespace cpu = outliers::cpu;

const double nan = std::numeric_limits<double>::quiet_NaN();
const double inf = std::numeric_limits<double>::infinity();

// A read-only view, from const or mutable storage.
template <class T>
outliers::strided<const T> view(const T* data, std::size_t n, std::ptrdiff_t stride = 1) {
    return make_strided(data, n, stride);
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// ---------------------------------------------------------------- the reference

// Sorted by the total order -0.0 < +0.0 that every path of select.hpp follows (numpy orders
// the two zeros however its partition leaves them; with one sign of zero they agree).
std::vector<double> sorted_total(std::vector<double> v) {
    std::sort(v.begin(), v.end(), [](double a, double b) {
        return a < b || (a == b && std::signbit(a) && !std::signbit(b));
    });
    return v;
}

// numpy's median and linear quantile, written from numpy 2.x's _median / _quantile /
// _get_indexes / _get_gamma / _lerp, on a sorted vector.
double ref_median(const std::vector<double>& s) {
    const std::size_t n = s.size();
    if (n == 0) return nan;
    if (n % 2) return 0.0 + s[n / 2];
    return (0.0 + s[n / 2 - 1] + s[n / 2]) / 2.0;
}

double ref_quantile(const std::vector<double>& s, double q) {
    const std::size_t n = s.size();
    if (n == 0) return nan;
    const double virtual_index = static_cast<double>(n - 1) * q;
    double prev = std::floor(virtual_index);
    std::size_t a = static_cast<std::size_t>(prev), b = a + 1;
    if (virtual_index >= static_cast<double>(n - 1)) {
        a = b = n - 1;
        prev = -1.0;
    }
    const double t = virtual_index - prev;
    const double diff = s[b] - s[a];
    return t >= 0.5 ? s[b] - diff * (1 - t) : s[a] + diff * t;
}

double ref_request(const std::vector<double>& s, const order_request& r) {
    return r.median ? ref_median(s) : ref_quantile(s, r.q);
}

template <class T>
std::vector<double> finite_values(const column<T>& c) {
    std::vector<double> v;
    for (std::size_t i = 0; i < c.size(); ++i)
        if (outliers::classify(c, i) == outliers::state::finite) v.push_back(outliers::value(c, i));
    return v;
}

// ---------------------------------------------------------------- the paths

struct path {
    const char* name;
    sd::tuning tune;
    bool force_radix;
};

const path paths[] = {
    {"default", {}, false},
    {"bracket", {0, 64, 4.0, 0}, false},        // the sample bracket even on tiny data
    {"narrow", {0, 16, 0.0, 0}, false},         // zero-width brackets: most miss
    {"tight-budget", {0, 64, 4.0, 24}, false},  // gathers overflow; radix in small steps
    {"radix", {0, 64, 4.0, 0}, true},           // the fallback alone
    {"radix-tight", {0, 64, 4.0, 3}, true},     // the fallback to its last digit
};

const cpu::level levels[] = {cpu::level::portable, cpu::level::avx2, cpu::level::avx512};

const std::vector<std::vector<order_request>> request_sets = {
    {{true, 0.5}},
    {{false, 0.25}, {false, 0.75}, {true, 0.5}},
    {{false, 0.01}, {false, 0.99}, {true, 0.5}},
    {{false, 0.0}, {false, 1.0}},
    {{false, 0.3}, {false, 0.77}},
    {{false, 0.5}, {false, 0.5000001}, {true, 0.5}},  // overlapping brackets, merged
    {{false, 0.999}, {false, 0.001}},                 // not in increasing order
};

std::string label;  // the data set being tested, printed on failure

// `light`: only the default and the forced radix path, two request sets (for large columns).
template <class T>
void check_column(const column<T>& c, const std::vector<double>& finite, bool light = false) {
    const std::vector<double> s = sorted_total(finite);
    const double m = ref_median(s);
    std::vector<double> dev;
    for (double x : finite) dev.push_back(std::fabs(x - m));
    const double mad = ref_median(sorted_total(dev));

    for (const path& p : paths) {
        if (light && std::strcmp(p.name, "default") != 0 && std::strcmp(p.name, "radix") != 0)
            continue;
        sd::force_radix().store(p.force_radix);
        for (cpu::level level : levels) {
            cpu::limit(level);
            for (std::size_t set = 0; set < (light ? 2 : request_sets.size()); ++set) {
                const auto& req = request_sets[set];
                outliers::column_selector<T> sel(c, p.tune);
                const order_result r = sel.run(req.data(), req.size());
                bool ok = r.n == s.size();
                for (std::size_t j = 0; j < req.size(); ++j)
                    ok = ok && same_bits(r.value[j], ref_request(s, req[j]));
                if (!ok) {
                    std::printf("  %s: path %s, level %d, %zu requests, n %zu vs %zu\n",
                                label.c_str(), p.name, static_cast<int>(level), req.size(), r.n,
                                s.size());
                    for (std::size_t j = 0; j < req.size(); ++j)
                        std::printf("    q %.17g: %.17g vs %.17g\n", req[j].q, r.value[j],
                                    ref_request(s, req[j]));
                }
                CHECK(ok);
                if (req.size() == 1 && !s.empty()) {  // then the MAD's second median
                    const order_request median;
                    const order_result d = sel.run(&median, 1, true, r.value[0]);
                    if (!same_bits(d.value[0], mad))
                        std::printf("  %s: path %s, level %d: MAD %.17g vs %.17g\n", label.c_str(),
                                    p.name, static_cast<int>(level), d.value[0], mad);
                    CHECK(same_bits(d.value[0], mad) && d.n == s.size());
                }
            }
        }
    }
    sd::force_radix().store(false);
    cpu::limit(cpu::level::avx512);
}

template <class T>
void check(const std::string& name, const std::vector<T>& v, bool light = false) {
    label = name;
    const column<T> c{view(v.data(), v.size()), {}, false};
    check_column(c, finite_values(c), light);
}

// ---------------------------------------------------------------- data

std::vector<double> normal(std::size_t n, unsigned seed, double spikes = 0.0) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> dist;
    std::vector<double> v(n);
    for (double& x : v) x = dist(rng);
    for (std::size_t i = 0; spikes > 0 && i < n; i += 997) v[i] *= spikes;
    return v;
}

std::vector<std::pair<std::string, std::vector<double>>> adversarial(std::size_t n) {
    std::vector<std::pair<std::string, std::vector<double>>> sets;
    const auto add = [&](const std::string& name, std::vector<double> v) {
        sets.emplace_back(name + " n=" + std::to_string(n), std::move(v));
    };
    std::vector<double> v(n);
    add("normal", normal(n, 1, 25.0));
    for (std::size_t i = 0; i < n; ++i) v[i] = 7.25;
    add("all-equal", v);
    for (std::size_t i = 0; i < n; ++i) v[i] = i % 3 ? 1.0 : -2.0;
    add("two-values", v);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<double>(i) * 0.5 - 3.0;
    add("sorted", v);
    std::reverse(v.begin(), v.end());
    add("reverse-sorted", v);
    // Ties at every wanted rank: a plateau over the middle and at the quartiles.
    for (std::size_t i = 0; i < n; ++i) v[i] = std::floor(static_cast<double>(i % 13) / 3.0);
    add("plateaus", v);
    {
        auto w = normal(n, 2);
        for (std::size_t i = 0; i < n; ++i)
            if (i % 5 != 0) w[i] = 0.5;  // 80 % ties at the median and quartiles
        add("many-ties", w);
    }
    {
        auto w = normal(n, 3);
        for (std::size_t i = 0; i < n; ++i) w[i] = std::ldexp(w[i], i % 2 ? 996 : -996);
        add("huge-tiny", w);  // about 1e300 and 1e-300
    }
    {
        auto w = normal(n, 4);
        for (double& x : w) x *= std::numeric_limits<double>::denorm_min() * 1e6;
        add("denormals", w);
    }
    {
        std::vector<double> w(n);
        for (std::size_t i = 0; i < n; ++i)
            w[i] = i % 4 == 0 ? 0.0 : i % 4 == 1 ? -0.0 : i % 4 == 2 ? 1.0 : -1.0;
        add("signed-zeros", w);
        for (double& x : w) x = -0.0;
        add("negative-zeros", w);
    }
    {
        auto w = normal(n, 5);
        for (std::size_t i = 0; i < n; ++i) {
            if (i % 7 == 0) w[i] = nan;
            if (i % 11 == 0) w[i] = i % 22 ? inf : -inf;
            if (i % 13 == 0) w[i] = -nan;
        }
        add("nan-inf", w);
    }
    {
        std::vector<double> w(n, nan);
        if (n > 3) {
            w[n / 3] = 4.0;
            w[n - 1] = -inf;
            w[0] = 1.5;
        }
        add("almost-all-nan", w);
    }
    {
        // The deviations overflow to +inf: numpy keeps them as the largest values.
        std::vector<double> w(n);
        for (std::size_t i = 0; i < n; ++i) w[i] = i % 2 ? 1.7e308 : -1.7e308;
        if (n) w[0] = 1.0;
        add("overflowing-deviations", w);
    }
    {
        // A period equal to a sampling stride: a fixed-stride sample would see one value.
        std::vector<double> w(n);
        for (std::size_t i = 0; i < n; ++i)
            w[i] = i % 64 == 0 ? 100.0 + static_cast<double>(i) : -static_cast<double>(i % 64);
        add("periodic", w);
    }
    return sets;
}

// Values v cast to T (as integers where T is one), checked as a T column.
template <class T>
const char* dtype_name() {
    if constexpr (std::is_same_v<T, float>)
        return "float32";
    else if constexpr (std::is_same_v<T, std::int8_t>)
        return "int8";
    else if constexpr (std::is_same_v<T, std::uint8_t>)
        return "uint8";
    else if constexpr (std::is_same_v<T, std::int16_t>)
        return "int16";
    else if constexpr (std::is_same_v<T, std::uint16_t>)
        return "uint16";
    else if constexpr (std::is_same_v<T, std::int32_t>)
        return "int32";
    else if constexpr (std::is_same_v<T, std::uint32_t>)
        return "uint32";
    else if constexpr (std::is_same_v<T, std::int64_t>)
        return "int64";
    else
        return "uint64";
}

template <class T>
void check_as(const std::string& name, const std::vector<double>& v, bool light = false) {
    std::vector<T> w;
    for (double x : v) {
        if constexpr (std::is_integral_v<T>) {
            if (!std::isfinite(x)) continue;
            const double lo = static_cast<double>(std::numeric_limits<T>::min());
            const double hi = static_cast<double>(std::numeric_limits<T>::max()) / 2;
            w.push_back(static_cast<T>(std::clamp(std::round(x * 10.0), lo, hi)));
        } else {
            w.push_back(static_cast<T>(x));
        }
    }
    check(name + " as " + dtype_name<T>(), w, light);
}

void test_small_sizes() {
    for (std::size_t n = 0; n <= 100; ++n)
        for (const auto& [name, v] : adversarial(n)) check(name, v);
}

void test_dtypes() {
    for (std::size_t n : {0u, 1u, 2u, 3u, 10u, 77u, 1000u}) {
        for (const auto& [name, v] : adversarial(n)) {
            check_as<float>(name, v);
            check_as<std::int8_t>(name, v);
            check_as<std::uint8_t>(name, v);
            check_as<std::int16_t>(name, v);
            check_as<std::uint16_t>(name, v);
            check_as<std::int32_t>(name, v);
            check_as<std::uint32_t>(name, v);
            check_as<std::int64_t>(name, v);
            check_as<std::uint64_t>(name, v);
        }
    }
    // 64-bit integers beyond 2^53: distinct integers that round to the same double.
    std::vector<std::int64_t> big;
    std::vector<std::uint64_t> ubig;
    for (std::int64_t i = 0; i < 300; ++i) {
        big.push_back(std::numeric_limits<std::int64_t>::max() - i * 37);
        big.push_back(std::numeric_limits<std::int64_t>::min() + i * 1001);
        ubig.push_back(std::numeric_limits<std::uint64_t>::max() -
                       static_cast<std::uint64_t>(i) * 3);
        ubig.push_back((std::uint64_t{1} << 53) + static_cast<std::uint64_t>(i));
    }
    check("int64 extremes", big);
    check("uint64 extremes", ubig);
}

// Missing values of every kind (mask, bitmap, sentinels, NaT) and strides: the general path.
void test_missing_and_strides() {
    const std::size_t n = 3000;
    const std::vector<double> v = normal(2 * n, 9, 30.0);
    std::vector<std::uint8_t> mask(2 * n), bits((2 * n + 7) / 8 + 1);
    for (std::size_t i = 0; i < 2 * n; ++i) {
        mask[i] = i % 5 == 0;
        if (i % 3)
            bits[(i + 3) / 8] =
                static_cast<std::uint8_t>(bits[(i + 3) / 8] | (1u << ((i + 3) % 8)));
    }
    const double sentinels[] = {v[10], v[20], -9999.0};

    column<double> masked{view(v.data(), n), view(mask.data(), n), false};
    label = "masked";
    check_column(masked, finite_values(masked));

    column<double> bitmap{view(v.data(), n), {}, false};
    bitmap.valid_bits = bits.data();
    bitmap.bit_offset = 3;
    label = "bitmap";
    check_column(bitmap, finite_values(bitmap));

    column<double> sentinel{view(v.data(), n), {}, false};
    sentinel.sentinels = sentinels;
    sentinel.sentinel_count = 3;
    label = "sentinels";
    check_column(sentinel, finite_values(sentinel));

    column<double> strided{view(v.data(), n, 2), {}, false};
    label = "stride 2";
    check_column(strided, finite_values(strided));

    column<double> reversed{view(v.data() + 2 * n - 1, 2 * n, -1), {}, false};
    label = "stride -1";
    check_column(reversed, finite_values(reversed));

    std::vector<std::int64_t> times(n);
    for (std::size_t i = 0; i < n; ++i)
        times[i] = i % 4 == 0 ? std::numeric_limits<std::int64_t>::min()
                              : static_cast<std::int64_t>(v[i] * 1e9);
    column<std::int64_t> nat{view(times.data(), n), {}, true};
    label = "NaT";
    check_column(nat, finite_values(nat));
}

// The large case, where the default tuning takes the bracket path; and the radix fallback
// on the same data. Also checks that the fallback really ran.
void test_large() {
    const std::size_t n = 1000000;
    const unsigned long before = sd::radix_runs().load();
    for (const auto& [name, v] : adversarial(n)) {
        label = name;
        const column<double> c{view(v.data(), v.size()), {}, false};
        const std::vector<double> s = sorted_total(finite_values(c));
        const std::vector<order_request> req = {{false, 0.25}, {false, 0.75}, {true, 0.5}};
        for (bool force : {false, true}) {
            sd::force_radix().store(force);
            for (cpu::level level : levels) {
                cpu::limit(level);
                outliers::set_num_threads(level == cpu::level::avx2 ? 3 : 1);
                const order_result r =
                    outliers::column_selector<double>(c).run(req.data(), req.size());
                bool ok = r.n == s.size();
                for (std::size_t j = 0; j < req.size(); ++j)
                    ok = ok && same_bits(r.value[j], ref_request(s, req[j]));
                if (!ok)
                    std::printf("  %s: force %d level %d\n", name.c_str(), force,
                                static_cast<int>(level));
                CHECK(ok);
            }
        }
        sd::force_radix().store(false);
        cpu::limit(cpu::level::avx512);
        outliers::set_num_threads(1);
        // float32 and int32 copies go through the converting path.
        if (name.rfind("normal", 0) == 0 || name.rfind("many-ties", 0) == 0) {
            check_as<float>(name, v, true);
            check_as<std::int32_t>(name, v, true);
        }
    }
    CHECK(sd::radix_runs().load() > before);
}

// Data built against the sample: every sampled position holds a huge value, so the bracket
// lands far from the true ranks and the run must notice and fall back to the radix path.
void test_bracket_miss_detected() {
    const unsigned long before = sd::radix_runs().load();
    const std::size_t n = 200000;
    std::vector<double> v = normal(n, 11);
    const sd::tuning tune{0, 4096, 4.0, 0};
    const std::size_t s = sd::sample_count(n, tune);
    sd::sample_positions walk(s, n);
    for (std::size_t j = 0; j < s; ++j) v[walk.next()] = 1e6 + static_cast<double>(j);
    label = "sample-hostile";
    const column<double> c{view(v.data(), v.size()), {}, false};
    const std::vector<double> sorted = sorted_total(v);
    for (cpu::level level : levels) {
        cpu::limit(level);
        const std::vector<order_request> req = {{false, 0.25}, {false, 0.75}, {true, 0.5}};
        const order_result r = outliers::column_selector<double>(c, tune).run(req.data(), 3);
        for (std::size_t j = 0; j < 3; ++j)
            CHECK(same_bits(r.value[j], ref_request(sorted, req[j])));
    }
    cpu::limit(cpu::level::avx512);
    CHECK(sd::radix_runs().load() >= before + 3);
}

// Friendly data never needs the fallback: the bracket must hold (and fit its budget) for the
// requests the kernels make, at every size from the gather-all limit up (a needless fallback
// would be correct, only several times slower).
void test_no_needless_fallback() {
    const std::vector<std::vector<order_request>> kernel_requests = {
        {{true, 0.5}},
        {{false, 0.25}, {false, 0.75}},
        {{false, 0.25}, {false, 0.75}, {true, 0.5}},
        {{false, 0.01}, {false, 0.99}, {true, 0.5}},
    };
    for (std::size_t n : {40000u, 100000u, 300000u, 1000000u, 2000000u}) {
        for (int kind = 0; kind < 3; ++kind) {
            std::vector<double> v = normal(n, 31, 25.0);
            for (std::size_t i = 0; kind > 0 && i < n; ++i)
                if (kind == 1 ? i % 3 != 0 : i % 100 == 0) v[i] = std::round(v[i] * 4.0) / 4.0;
            const column<double> c{view(v.data(), n), {}, false};
            for (const auto& req : kernel_requests) {
                const unsigned long before = sd::radix_runs().load();
                outliers::column_selector<double> sel(c);
                const order_result r = sel.run(req.data(), req.size());
                if (req.size() == 1) {
                    const order_request median;
                    sel.run(&median, 1, true, r.value[0]);
                }
                if (sd::radix_runs().load() != before)
                    std::printf("  needless fallback: n=%zu kind=%d requests=%zu\n", n, kind,
                                req.size());
                CHECK(sd::radix_runs().load() == before);
            }
        }
    }
}

// The kernels' vectorised flags equal write_pointwise's, level by level, for a column of any
// dtype and stride.
template <class T>
void check_fast_flags(const column<T>& c) {
    namespace k = outliers::kernels;
    for (cpu::level level : levels) {
        cpu::limit(level);
        for (int method = 0; method < 3; ++method) {
            std::vector<std::uint8_t> fast(c.size()), general(c.size());
            std::vector<double> scores(c.size());
            outliers::outputs only_flags, with_scores;
            only_flags.flags = fast.data();
            with_scores.flags = general.data();
            with_scores.scores = scores.data();
            if (method == 0) {
                k::mad(c, {}, only_flags);
                k::mad(c, {}, with_scores);
            } else if (method == 1) {
                k::iqr(c, {}, only_flags);
                k::iqr(c, {}, with_scores);
            } else {
                k::quantile(c, {}, only_flags);
                k::quantile(c, {}, with_scores);
            }
            CHECK(fast == general);
        }
    }
    cpu::limit(cpu::level::avx512);
}

void test_fast_flags() {
    std::vector<double> v = normal(5000, 12, 40.0);
    v[3] = nan;
    v[4] = inf;
    v[5] = -inf;
    v[77] = -0.0;
    check_fast_flags(column<double>{view(v.data(), v.size()), {}, false});
    check_fast_flags(column<double>{view(v.data() + 1, v.size() / 2, 2), {}, false});
    std::vector<float> f(v.begin(), v.end());
    check_fast_flags(column<float>{view(f.data(), f.size()), {}, false});
    std::vector<std::int32_t> i32;
    for (double x : v) i32.push_back(std::isfinite(x) ? static_cast<std::int32_t>(x * 100) : 0);
    check_fast_flags(column<std::int32_t>{view(i32.data(), i32.size()), {}, false});
    std::vector<std::uint8_t> u8(1000);
    for (std::size_t i = 0; i < u8.size(); ++i)
        u8[i] = static_cast<std::uint8_t>(i % 7 == 0 ? 250 : i % 5);
    check_fast_flags(column<std::uint8_t>{view(u8.data(), u8.size()), {}, false});

    // Infinite values are flagged and NaN never, on the vectorised path too.
    const column<double> c{view(v.data(), v.size()), {}, false};
    std::vector<std::uint8_t> flags(v.size());
    outliers::outputs out;
    out.flags = flags.data();
    outliers::kernels::mad(c, {}, out);
    CHECK(flags[3] == 0 && flags[4] == 1 && flags[5] == 1);
}

// The scan kernels, level by level, against naive counts: a miscount would only send a run to
// the (exact) fallback, so the selection tests alone could not see it.
void test_scan_counts() {
    std::mt19937_64 rng(13);
    for (std::size_t n : {0u, 1u, 7u, 8u, 9u, 31u, 64u, 65u, 1000u, 5003u}) {
        std::vector<double> v = normal(n, static_cast<unsigned>(n) + 20, 10.0);
        for (std::size_t i = 0; i < n; ++i) {
            if (i % 9 == 1) v[i] = std::round(v[i]);  // ties at the bounds
            if (i % 17 == 2) v[i] = i % 2 ? 0.0 : -0.0;
            if (i % 19 == 3) v[i] = i % 2 ? nan : -nan;
            if (i % 23 == 4) v[i] = i % 2 ? inf : -inf;
            if (i % 29 == 5) v[i] = i % 2 ? 1.7e308 : -1.7e308;
        }
        for (int intervals = 1; intervals <= 3; ++intervals) {
            for (int mode = 0; mode < 4; ++mode) {
                const bool dev = mode & 1, strict = mode & 2;
                sd::scan_plan plan;
                plan.intervals = intervals;
                plan.strict = strict;
                plan.deviations = dev;
                plan.center = dev ? 0.25 : 0.0;
                std::vector<sd::order_key> bounds;
                for (int b = 0; b < 2 * intervals; ++b) {
                    const double x = n ? v[rng() % n] : 0.0;
                    const double y = dev ? std::fabs(x - plan.center) : x;
                    bounds.push_back(std::clamp(sd::key_of(std::isnan(y) ? 0.5 : y), sd::key_lowest,
                                                sd::key_highest));
                }
                std::sort(bounds.begin(), bounds.end());
                for (int j = 0; j < intervals; ++j) {
                    plan.lo[j] = bounds[static_cast<std::size_t>(2 * j)];
                    plan.hi[j] = bounds[static_cast<std::size_t>(2 * j + 1)];
                }
                sd::scan_counts want;
                std::vector<std::vector<sd::order_key>> inside(3);
                for (double x : v) {
                    const sd::order_key k = sd::key_of(dev ? std::fabs(x - plan.center) : x);
                    want.at_or_below_neg_inf += !dev && k <= sd::key_neg_inf;
                    want.below_pos_inf += k < sd::key_pos_inf;
                    want.overflow += dev && std::isfinite(x) && k == sd::key_pos_inf;
                    for (int j = 0; j < intervals; ++j) {
                        want.lt_lo[j] += k < plan.lo[j];
                        want.le_lo[j] += strict && k <= plan.lo[j];
                        want.lt_hi[j] += strict && k < plan.hi[j];
                        want.le_hi[j] += k <= plan.hi[j];
                        if (strict ? k > plan.lo[j] && k < plan.hi[j]
                                   : k >= plan.lo[j] && k <= plan.hi[j])
                            inside[static_cast<std::size_t>(j)].push_back(k);
                    }
                }
                for (cpu::level level : levels) {
                    sd::gather_regions regions;
                    std::vector<sd::order_key> store(3 * (n + 16));
                    for (int j = 0; j < 3; ++j) {
                        regions.data[j] = store.data() + static_cast<std::size_t>(j) * (n + 16);
                        regions.capacity[j] = n + 16;
                    }
                    auto stage = std::make_unique<sd::scan_stage>();
                    stage->regions = &regions;
                    sd::scan_counts got;
                    sd::scan(v.data(), n, plan, got, *stage, level);
                    stage->flush(intervals);
                    bool ok = got.at_or_below_neg_inf == want.at_or_below_neg_inf &&
                              got.below_pos_inf == want.below_pos_inf &&
                              got.overflow == want.overflow;
                    for (int j = 0; j < intervals; ++j) {
                        ok = ok && got.lt_lo[j] == want.lt_lo[j] && got.le_lo[j] == want.le_lo[j] &&
                             got.lt_hi[j] == want.lt_hi[j] && got.le_hi[j] == want.le_hi[j];
                        const auto jj = static_cast<std::size_t>(j);
                        std::vector<sd::order_key> kept(regions.data[j],
                                                        regions.data[j] + regions.used[j].load());
                        std::sort(kept.begin(), kept.end());
                        std::sort(inside[jj].begin(), inside[jj].end());
                        ok = ok && kept == inside[jj];
                    }
                    if (!ok)
                        std::printf("  scan n=%zu intervals=%d dev=%d strict=%d level=%d\n", n,
                                    intervals, dev, strict, static_cast<int>(level));
                    CHECK(ok);
                }
            }
        }
    }
}

// select_ranks on key arrays large enough for its in-memory bracket, including arrays built to
// make that bracket miss (huge keys at the strided subsample's positions).
void test_select_ranks() {
    std::mt19937_64 rng(17);
    for (std::size_t len : {16384u, 20000u, 65536u, 150001u}) {
        for (int kind = 0; kind < 6; ++kind) {
            std::vector<sd::order_key> a(len);
            for (std::size_t i = 0; i < len; ++i) {
                const auto r = static_cast<sd::order_key>(rng() >> 4);
                a[i] = kind == 0   ? r
                       : kind == 1 ? 42
                       : kind == 2 ? static_cast<sd::order_key>(i)
                       : kind == 3 ? r % 5
                       : kind == 4 ? -static_cast<sd::order_key>(i % 1000)
                                   : r % 1000000;
            }
            if (kind == 5) {  // every subsample position (as select_group_bracketed takes it)
                const auto t = static_cast<std::size_t>(
                    std::clamp(std::pow(static_cast<double>(len), 2.0 / 3.0), 256.0, 8192.0));
                for (std::size_t i = 0; i < t; ++i) a[(i * len) / t + len / (2 * t)] = 1LL << 60;
            }
            std::vector<sd::order_key> sorted = a;
            std::sort(sorted.begin(), sorted.end());
            const std::vector<std::vector<std::size_t>> rank_sets = {
                {0},
                {len - 1},
                {len / 2},
                {len / 2 - 1, len / 2},
                {len / 4, len / 4 + 1, len * 3 / 4, len * 3 / 4 + 1},
                {len / 100, len / 100 + 1, len / 2, len - len / 100, len - len / 100 + 1},
                {0, 1, len - 2, len - 1}};
            for (const auto& ranks : rank_sets) {
                std::vector<sd::order_key> work = a, out(ranks.size());
                sd::select_ranks(work.data(), len, ranks.data(), ranks.size(), out.data());
                bool ok = true;
                for (std::size_t i = 0; i < ranks.size(); ++i)
                    ok = ok && out[i] == sorted[ranks[i]];
                if (!ok) std::printf("  select_ranks len=%zu kind=%d\n", len, kind);
                CHECK(ok);
            }
        }
    }
}

void test_helpers() {
    // Keys order doubles totally and invert exactly.
    const double xs[] = {-inf, -1e308, -1.0, -4.9e-324, -0.0, 0.0, 4.9e-324, 1.0, 1e308, inf};
    for (std::size_t i = 0; i + 1 < std::size(xs); ++i)
        CHECK(sd::key_of(xs[i]) < sd::key_of(xs[i + 1]));
    for (double x : xs) CHECK(same_bits(sd::value_of(sd::key_of(x)), x));
    CHECK(sd::key_of(inf) == sd::key_pos_inf && sd::key_of(-inf) == sd::key_neg_inf);
    CHECK(sd::key_of(1.7976931348623157e308) == sd::key_highest);
    CHECK(sd::key_of(-1.7976931348623157e308) == sd::key_lowest);
    CHECK(sd::key_of(nan) > sd::key_pos_inf && sd::key_of(-nan) < sd::key_neg_inf);
    // numpy: median of -0.0 values is +0.0; quantile(q=1) of [-0., -0.] is +0.0, q=0.3 is +0.
    std::vector<double> z{-0.0, -0.0};
    CHECK(same_bits(outliers::median_inplace(z.data(), z.data() + 2), 0.0));
    CHECK(same_bits(outliers::quantile_inplace(z.data(), z.data() + 2, 1.0), 0.0));
    CHECK(same_bits(outliers::quantile_inplace(z.data(), z.data() + 2, 0.7), -0.0));
    CHECK(same_bits(outliers::quantile_inplace(z.data(), z.data() + 2, 0.3), 0.0));
}

// Where numpy's (a + b) / 2 or b - a overflows although the result is finite, the midpoint and
// the interpolation are formed from halves: finite and right to within rounding.
void test_overflow_safe_formulas() {
    const double big = std::numeric_limits<double>::max();
    const auto near = [](double a, double b) { return std::fabs(a - b) <= 1e-15 * std::fabs(b); };
    CHECK(outliers::numpy_median(-big, big, true) == 0.0);
    CHECK(outliers::numpy_median(big, big, true) == big);
    CHECK(near(outliers::numpy_median(1.6e308, 1.7e308, true), 1.65e308));
    CHECK(near(outliers::numpy_median(-1.7e308, -1.6e308, true), -1.65e308));
    CHECK(outliers::numpy_lerp(-big, big, 0.0) == -big);
    CHECK(outliers::numpy_lerp(-big, big, 1.0) == big);
    CHECK(outliers::numpy_lerp(-big, big, 0.5) == 0.0);
    CHECK(outliers::numpy_lerp(-big, big, 0.25) == -big / 2.0);
    CHECK(outliers::numpy_lerp(-big, big, 0.75) == big / 2.0);
    CHECK(near(outliers::numpy_lerp(-1.7e308, 1.7e308, 0.99), 1.7e308 * 0.98));
    std::vector<double> two{big, -big};
    CHECK(outliers::median_inplace(two.data(), two.data() + 2) == 0.0);
    CHECK(outliers::quantile_inplace(two.data(), two.data() + 2, 0.0) == -big);
    CHECK(near(outliers::quantile_inplace(two.data(), two.data() + 2, 0.01), -big * 0.98));
    // The column-level paths, direct and radix, assemble through the same formulas.
    for (bool forced : {false, true}) {
        sd::force_radix().store(forced);
        const std::vector<double> v{big, -big};
        const column<double> c{view(v.data(), 2), {}, false};
        const order_request req[] = {{true, 0.5}, {false, 0.0}, {false, 0.99}};
        const order_result r = outliers::column_selector<double>(c).run(req, 3);
        CHECK(r.value[0] == 0.0 && r.value[1] == -big && near(r.value[2], big * 0.98));
    }
    sd::force_radix().store(false);
}

}  // namespace

// Prints how long each part took (the sanitizer build runs them much slower).
template <class F>
void timed(const char* name, F f) {
    const auto start = std::chrono::steady_clock::now();
    f();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    std::printf("%-28s %7.2f s\n", name, took.count());
}

int main() {
    timed("helpers", test_helpers);
    timed("overflow-safe formulas", test_overflow_safe_formulas);
    timed("scan counts", test_scan_counts);
    timed("select_ranks", test_select_ranks);
    timed("sizes 0..100", test_small_sizes);
    timed("dtypes", test_dtypes);
    timed("missing values and strides", test_missing_and_strides);
    timed("bracket miss", test_bracket_miss_detected);
    timed("fast flags", test_fast_flags);
    timed("no needless fallback", test_no_needless_fallback);
    timed("10^6 values", test_large);
    return outliers::testing::report("test_select");
}
