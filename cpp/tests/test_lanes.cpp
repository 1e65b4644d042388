// The lane loops (lanes.hpp) and the one-read zscore and esd kernels, without Python: every CPU
// level gives the scalar twins' bits, and the kernels match naive references at every level and
// thread count, on data chosen to hit every fallback.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "check.hpp"
#include "cpu_levels.hpp"
#include "outliers/kernels/esd.hpp"
#include "outliers/kernels/zscore.hpp"

namespace {

std::string context;

namespace lanes = outliers::lanes;
namespace cpu = outliers::cpu;
using outliers::column;
using outliers::make_strided;
using outliers::outputs;
using outliers::summary;

const double nan = std::numeric_limits<double>::quiet_NaN();
const double inf = std::numeric_limits<double>::infinity();

template <class T>
bool same_bits(const T& a, const T& b) {
    return std::memcmp(&a, &b, sizeof(T)) == 0;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() &&
           (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

// Data sets meant to break lanes: NaN, ±inf, signed zeros, denormals, huge values, constants.
std::vector<std::vector<double>> nasty_ranges() {
    std::mt19937_64 g(5);
    std::normal_distribution<double> z;
    std::vector<std::vector<double>> out;
    for (std::size_t len : {0, 1, 7, 15, 16, 17, 31, 100, 2047, 2048}) {
        std::vector<double> a(len), b(len), c(len, 2.5), d(len), e(len);
        for (std::size_t i = 0; i < len; ++i) {
            a[i] = z(g);
            const double u = std::uniform_real_distribution<double>()(g);
            b[i] = u < 0.1 ? nan : u < 0.15 ? inf : u < 0.2 ? -inf : u < 0.25 ? -0.0 : z(g) * 1e300;
            d[i] = z(g) * 1e-310;  // denormal
            e[i] = 1e9 + z(g) * 1e-3;
        }
        out.insert(out.end(), {a, b, c, d, e});
    }
    return out;
}

void test_loops_give_the_scalar_twins_bits() {
    const lanes::bands bands{1.0, 1.5};
    for (const auto& x : nasty_ranges()) {
        const std::size_t n = x.size();
        // The definition: element i into lane i % width, through the scalar twin.
        lanes::lane_sums want_plain, want_comp;
        lanes::lane_spread want_spread;
        lanes::shifted_sums want_shifted;
        std::vector<std::uint8_t> want_codes(n), want_beyond(n), want_flags(n), want_outside(n),
            want_deviation(n);
        std::vector<double> want_ratio(n), want_scores(n);
        std::vector<std::uint16_t> want_undecided, want_hits;
        std::vector<double> want_values;
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t l = i % lanes::width;
            lanes::detail::sum_one(want_plain, l, x[i], false);
            lanes::detail::sum_one(want_comp, l, x[i], true);
            lanes::detail::spread_one(want_spread, l, x[i], 0.25, 0.5);
            lanes::detail::shifted_one(want_shifted, l, x[i], 0.125);
            want_codes[i] = lanes::detail::band_code(x[i], 0.125, bands);
            if (want_codes[i] == 2) {
                want_undecided.push_back(static_cast<std::uint16_t>(i));
                want_values.push_back(x[i]);
            }
            want_beyond[i] = lanes::detail::beyond_one(x[i], 0.1, 1.2);
            want_outside[i] = lanes::detail::outside_rule(x[i], -0.5, 0.75);
            want_deviation[i] = lanes::detail::deviation_rule(x[i], 0.1, 0.7, 1.3);
            want_ratio[i] = lanes::detail::ratio_one(x[i], 0.1, 0.7);
            lanes::detail::special_one(x[i], &want_flags[i], &want_scores[i]);
            if (lanes::detail::outside_one(x[i], -0.5, 0.5))
                want_hits.push_back(static_cast<std::uint16_t>(i));
        }
        for (const cpu::level l : outliers::testing::cpu_levels()) {
            context = std::string(cpu::name(l)) + " n=" + std::to_string(n);
            CHECK(same_bits(lanes::sums(l, x.data(), n, false), want_plain));
            CHECK(same_bits(lanes::sums(l, x.data(), n, true), want_comp));
            CHECK(same_bits(lanes::spread(l, x.data(), n, 0.25, 0.5), want_spread));
            CHECK(same_bits(lanes::shifted(l, x.data(), n, 0.125), want_shifted));
            std::vector<std::uint8_t> codes(n, 9);
            std::vector<std::uint16_t> undecided(n + 1);
            std::vector<double> values(n + 1);
            std::size_t n_undecided = 0;
            for (const bool stream : {false, true}) {
                std::fill(codes.begin(), codes.end(), 9);
                undecided.assign(n + 1, 0);
                values.assign(n + 1, 0.0);
                n_undecided = 0;
                // One byte past the start: the streamed stores handle an unaligned head.
                std::vector<std::uint8_t> shifted_out(n + 1, 9);
                std::uint8_t* flags = stream ? shifted_out.data() + 1 : codes.data();
                // The masked loop at once when streaming, the quick one first otherwise.
                CHECK(
                    same_bits(lanes::shifted(l, x.data(), n, 0.125, bands, flags, stream,
                                             undecided.data(), values.data(), &n_undecided, stream),
                              want_shifted));
                undecided.resize(n_undecided);
                values.resize(n_undecided);
                CHECK(
                    std::equal(want_codes.begin(), want_codes.end(), flags,
                               [](std::uint8_t code, std::uint8_t f) { return f == (code == 1); }));
                CHECK(undecided == want_undecided);
                CHECK(same_bits(values, want_values));
            }
            std::vector<std::uint8_t> beyond(n, 9), flags(n, 9);
            lanes::beyond(l, x.data(), n, 0.1, 1.2, beyond.data());
            CHECK(beyond == want_beyond);
            std::vector<std::uint8_t> outside(n, 9), deviation(n, 9);
            lanes::outside_flags(l, x.data(), n, -0.5, 0.75, outside.data());
            CHECK(outside == want_outside);
            lanes::deviation_flags(l, x.data(), n, 0.1, 0.7, 1.3, deviation.data());
            CHECK(deviation == want_deviation);
            std::vector<double> ratio(n), scores(n);
            lanes::ratio(l, x.data(), n, 0.1, 0.7, ratio.data());
            CHECK(same_bits(ratio, want_ratio));
            for (const bool stream : {false, true}) {
                std::vector<std::uint16_t> hits(n + 1);
                std::size_t n_hits = 0;
                // One byte past the start: the streamed stores handle an unaligned head.
                std::vector<std::uint8_t> shifted_flags(n + 1, 9);
                std::uint8_t* f = stream ? shifted_flags.data() + 1 : flags.data();
                // The careful loop at once when streaming, the quick one first otherwise.
                CHECK(same_bits(lanes::extremes(l, x.data(), n, f, scores.data(), -0.5, 0.5,
                                                hits.data(), n_hits, stream, stream),
                                want_comp));
                hits.resize(n_hits);
                CHECK(std::equal(want_flags.begin(), want_flags.end(), f) &&
                      same_bits(scores, want_scores) && hits == want_hits);
            }
            std::vector<std::uint16_t> hits(n + 1);
            std::size_t n_hits = 0;
            n_hits = 0;
            lanes::extremes(l, x.data(), n, nullptr, nullptr, -0.5, 0.5, hits.data(), n_hits);
            CHECK(n_hits == want_hits.size());
        }
    }
}

// Constant runs are told apart from runs one ulp away from constant, at every magnitude: the
// moments of a sub-block take the sum of |x - first| only when M2 is too small to decide.
void test_moments_constancy() {
    for (const double f : {3.7, -1e300, 1e-300, 5e-324, 1e154, 2.5e-160, 0.0}) {
        for (const cpu::level l : outliers::testing::cpu_levels()) {
            context = std::string("constancy ") + cpu::name(l) + " f=" + std::to_string(f);
            std::vector<double> x(lanes::sub_block, f);
            CHECK(outliers::measure(l, x.data(), x.size(), true).constant);
            CHECK(outliers::measure(l, x.data(), x.size(), false).constant);
            x[777] = std::nextafter(f, inf);
            CHECK(!outliers::measure(l, x.data(), x.size(), true).constant);
            x[5] = nan;  // the masked loop
            CHECK(!outliers::measure(l, x.data(), x.size(), false).constant);
            x[777] = f;
            CHECK(outliers::measure(l, x.data(), x.size(), false).constant);
        }
    }
}

// ------------------------------------------------------------------------------------ zscore

struct zresult {
    summary s;
    std::vector<std::uint8_t> flags, flags_only;  // with scores, and alone (the coded path)
    std::vector<double> scores;
};

template <class T>
zresult run_zscore(const column<T>& c, outliers::kernels::zscore_params p) {
    zresult r;
    const std::size_t n = c.size();
    r.flags.assign(n, 7);
    r.flags_only.assign(n, 7);
    r.scores.assign(n, -1.0);
    outputs both, alone;
    both.flags = r.flags.data();
    both.scores = r.scores.data();
    alone.flags = r.flags_only.data();
    r.s = outliers::kernels::zscore(c, p, both);
    outliers::kernels::zscore(c, p, alone);
    // The same flags written around the caches, as for the columns of a large frame.
    std::vector<std::uint8_t> streamed(n, 7);
    outputs around;
    around.flags = streamed.data();
    around.stream_flags = true;
    outliers::kernels::zscore(c, p, around);
    CHECK(streamed == r.flags_only);
    return r;
}

zresult run_zscore(const std::vector<double>& x, outliers::kernels::zscore_params p = {}) {
    return run_zscore(column<double>{make_strided(x.data(), x.size())}, p);
}

bool close(double got, double want, double rtol) {
    if (std::isnan(want)) return std::isnan(got);
    if (std::isinf(want)) return got == want;
    return std::fabs(got - want) <= rtol * std::fabs(want) + 1e-300;
}

// The textbook two-pass statistics, summed in long double, and the flags of docs/methods.md; flags
// may differ only where the score is within 1e-9 of the threshold.
bool matches_naive(const std::vector<double>& x, const zresult& r,
                   outliers::kernels::zscore_params p = {}) {
    long double sum = 0, m2 = 0;
    std::size_t n = 0;
    for (double v : x)
        if (std::isfinite(v)) {
            sum += v;
            ++n;
        }
    const double mean = n ? static_cast<double>(sum / n) : nan;
    bool constant = true;
    double first = nan;
    for (double v : x)
        if (std::isfinite(v)) {
            // Each square in double, as numpy forms it: 1e-200 squares to 0, 1e200 to inf.
            const double d = v - mean;
            m2 += d * d;
            if (std::isnan(first)) first = v;
            constant = constant && v == first;
        }
    const double sigma =
        n > p.ddof ? (constant ? 0.0 : static_cast<double>(std::sqrt(m2 / (n - p.ddof)))) : nan;
    bool ok = r.s.n_used == n && close(r.s.center, mean, 1e-12);
    if (n > p.ddof)
        ok = ok && close(r.s.upper, mean + p.threshold * sigma, 1e-12) &&
             close(r.s.lower, mean - p.threshold * sigma, 1e-12);
    std::size_t bad = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double score = std::isnan(x[i])   ? nan
                             : std::isinf(x[i]) ? inf
                             : sigma > 0        ? std::fabs(x[i] - mean) / sigma
                                                : 0.0;
        const bool flag = std::isinf(x[i]) || (std::isfinite(x[i]) && score > p.threshold);
        const bool near = std::fabs(score - p.threshold) <= 1e-9 * p.threshold;
        if (!near && (r.flags[i] != flag || r.flags_only[i] != flag)) ++bad;
        // Scores near 0 are differences of two close numbers: the mean's last bits (the kernel's
        // and this long double one's) count relative to sigma there, not to the score.
        if (!close(r.scores[i], score, 1e-10) && !(std::fabs(r.scores[i] - score) <= 1e-14)) ++bad;
    }
    if (bad) std::printf("  %zu points differ from the naive reference\n", bad);
    return ok && bad == 0;
}

// Everything identical to the portable, one-thread run, at every level and thread count.
bool same_everywhere(const std::vector<double>& x, outliers::kernels::zscore_params p = {}) {
    const int before = outliers::get_num_threads();
    cpu::limit(cpu::level::portable);
    outliers::set_num_threads(1);
    const zresult base = run_zscore(x, p);
    bool ok = true;
    for (const cpu::level l : outliers::testing::cpu_levels())
        for (int threads : {1, 2, 3}) {
            cpu::limit(l);
            outliers::set_num_threads(threads);
            const zresult r = run_zscore(x, p);
            ok = ok && r.flags == base.flags && r.flags_only == base.flags_only &&
                 same_bits(r.scores, base.scores) && same_bits(r.s.center, base.s.center) &&
                 same_bits(r.s.lower, base.s.lower) && same_bits(r.s.upper, base.s.upper);
        }
    cpu::limit(cpu::level::avx512);
    outliers::set_num_threads(before);
    return ok;
}

std::vector<double> normal(std::size_t n, std::uint64_t seed, double scale = 1.0,
                           double offset = 0.0) {
    std::mt19937_64 g(seed);
    std::normal_distribution<double> z;
    std::vector<double> x(n);
    for (auto& v : x) v = offset + scale * z(g);
    return x;
}

constexpr std::size_t big = 300000;  // above the one-read threshold, several blocks

void check_zscore(const std::string& what, const std::vector<double>& x,
                  outliers::kernels::zscore_params p = {}) {
    context = "zscore " + what;
    const zresult r = run_zscore(x, p);
    CHECK(matches_naive(x, r, p));
    CHECK(same_everywhere(x, p));
}

void test_zscore_large_inputs() {
    static_assert(big >= outliers::detail::zscore_impl::single_read_min, "one-read path");
    auto spikes = normal(big, 1);
    for (std::size_t i = 0; i < big; i += 997) spikes[i] *= 25.0;
    check_zscore("spikes", spikes);
    check_zscore("spikes ddof=1 t=2", spikes, {2.0, 1});
    auto holes = normal(big, 2, 3.0, 10.0);
    for (std::size_t i = 0; i < big; i += 101) holes[i] = nan;
    for (std::size_t i = 50; i < big; i += 3001) holes[i] = i % 2 ? inf : -inf;
    check_zscore("NaN and inf", holes);
    auto ties = std::vector<double>(big);
    for (std::size_t i = 0; i < big; ++i)
        ties[i] = static_cast<double>(static_cast<int>(i * 7 % 5) - 2);
    ties[12345] = 40.0;
    check_zscore("ties", ties);
    auto sorted = normal(big, 3);
    std::sort(sorted.begin(), sorted.end());
    check_zscore("sorted", sorted);
    std::reverse(sorted.begin(), sorted.end());
    check_zscore("reverse sorted", sorted);
    check_zscore("offset 1e9, spread 1e-3", normal(big, 4, 1e-3, 1e9));
    check_zscore("tiny", normal(big, 5, 1e-200));
    check_zscore("huge: squares overflow", normal(big, 6, 1e200));
    auto trend = normal(big, 7);
    for (std::size_t i = 0; i < big; ++i) trend[i] += 1e-4 * static_cast<double>(i);
    check_zscore("trend", trend);
}

// The two-phase sweep (every eighth run of sub-blocks first, then the rest with bands from the
// first phase's sums), with first phases that do and do not represent the rest.
void test_zscore_two_phases() {
    using outliers::detail::zscore_impl::phase_of;
    using outliers::detail::zscore_impl::phase_run;
    constexpr std::size_t n = 16 * outliers::block_size + 1000, sub = lanes::sub_block;
    auto spikes = normal(n, 11);
    for (std::size_t i = 0; i < n; i += 9973) spikes[i] *= 25.0;
    check_zscore("two phases, spikes", spikes);
    // The first phase's sub-blocks are narrower: the bands from them are too narrow for the
    // others, whose flags are then recomputed.
    auto uneven = normal(n, 12);
    for (std::size_t i = 0; i < n; ++i)
        if (phase_of(i / sub, phase_run((n + sub - 1) / sub)) == 0) uneven[i] *= 0.5;
    check_zscore("two phases, unrepresentative first phase", uneven);
    // Spikes between the sample's runs (zscore_impl::sample's): the sample's bands, used by
    // the first phase, are too narrow; the second phase's, from the first phase's sums, hold.
    auto hidden = normal(n, 13);
    const std::size_t runs = outliers::detail::zscore_impl::sample_lines(n);
    for (std::size_t k = 0; k + 1 < runs; ++k) hidden[k * (n - 8) / (runs - 1) + 200] *= 30.0;
    check_zscore("two phases, spikes the sample misses", hidden);
    // A spike inside the sample: its kurtosis leaves the sample no usable bands; the second
    // try, without it, has them. Spikes of graded sizes leave the second try none either, so
    // the first phase codes no flags (they are written at the end); the second phase's bands,
    // from the first phase's sums, do.
    const auto sample_banded = [&](const std::vector<double>& x) {
        outliers::column<double> c;
        c.values = {x.data(), x.size(), 1};
        const outliers::double_reader<double> reader(c);
        return outliers::detail::zscore_impl::sample(reader, x.size(), 3.0).banded;
    };
    auto sampled = normal(n, 15);
    sampled[3] = 60.0;  // in the sample's first run
    context = "zscore sample, one spike";
    CHECK(sample_banded(sampled));
    check_zscore("two phases, a spike in the sample", sampled);
    const std::size_t lines = outliers::detail::zscore_impl::sample_lines(n);
    const auto run_start = [&](std::size_t k) { return k * (n - 8) / (lines - 1); };
    sampled[run_start(1)] = 1e7;
    sampled[run_start(2)] = -1e5;
    sampled[run_start(3)] = 1e3;
    context = "zscore sample, graded spikes";
    CHECK(!sample_banded(sampled));
    check_zscore("two phases, graded spikes in the sample", sampled);
    // One finite value in the sample (no spread to trim by), and all missing.
    auto lone = std::vector<double>(n, nan);
    lone[3] = 2.0;
    lone[run_start(7) + 100] = 40.0;  // between the sample's runs
    context = "zscore sample, one finite value";
    CHECK(!sample_banded(lone));
    check_zscore("two phases, one finite value in the sample", lone);
    auto sorted = normal(n, 14);
    std::sort(sorted.begin(), sorted.end());
    check_zscore("two phases, sorted", sorted);
}

void test_zscore_fallbacks() {
    // Constant data (and a constant sample over non-constant data): exact mean, nothing flagged.
    check_zscore("constant", std::vector<double>(big, 0.1));
    auto one_off = std::vector<double>(big, 7.0);
    one_off[123457] = 8.0;
    check_zscore("constant but one", one_off);
    // Huge values the sample misses: the bands are far inside the final bounds, so every
    // block's flags are recomputed.
    auto hidden = normal(big, 8);
    const std::size_t runs = outliers::detail::zscore_impl::sample_lines(big);
    for (std::size_t k = 0; k < runs; k += 97) hidden[k * (big - 8) / (runs - 1) + 60] = 1e6;
    check_zscore("hidden huge values", hidden);
    // One block full of values near the expected bound: too many undecided, the block is redone.
    auto crowded = normal(big, 9);
    for (std::size_t i = 70000; i < 140000; ++i)
        crowded[i] = (i % 2 ? 3.0 : -3.0) * (1.0 + 1e-3 * static_cast<double>(i % 7));
    check_zscore("crowded bounds", crowded);
    // All missing but a handful, all infinite.
    auto sparse = std::vector<double>(big, nan);
    sparse[10] = 1.0;
    sparse[200000] = 2.0;
    sparse[299999] = inf;
    check_zscore("mostly NaN", sparse);
    check_zscore("all inf", std::vector<double>(big, -inf));
}

void test_zscore_bands_hold_is_exact() {
    using outliers::detail::zscore_impl::bands_hold;
    context = "bands_hold";
    const lanes::bands b{2.9, 3.1};
    CHECK(bands_hold(b, 0.0, 0.0, 3.0));
    CHECK(!bands_hold(b, 0.0, 0.0, 2.8));  // the inner band reaches beyond the limit
    CHECK(!bands_hold(b, 0.0, 0.0, 3.2));  // the outer band is inside the limit
    CHECK(!bands_hold(b, 0.0, 0.2, 3.0));  // shifted mean
    CHECK(!bands_hold(b, 0.2, 0.0, 3.0));
    CHECK(bands_hold(b, 0.0, 0.05, 3.0));
    CHECK(bands_hold(b, 1e6, 1e6 - 0.05, 3.0));
    // Touching the limit is not enough: rounding of x - shift could carry a value across.
    CHECK(!bands_hold({3.0, 3.5}, 0.0, 0.0, 3.0));
    CHECK(!bands_hold({2.0, 3.0}, 0.0, 0.0, 3.0));
    // Exhaustively, on a grid of doubles a few ulps around both bands: no value coded 0 is
    // flagged and no value coded 1 is not, whenever bands_hold says so.
    const double limit = 3.0;
    for (const double shift : {0.0, 0.1, -0.1, 1e3, 1e15}) {
        for (const double mean : {shift, std::nextafter(shift, 1e300), shift + 0.05}) {
            for (const double inner : {2.9, std::nextafter(limit - std::fabs(shift - mean), 0.0)}) {
                const lanes::bands t{inner, 3.1};
                if (!bands_hold(t, shift, mean, limit)) continue;
                for (const double edge : {shift + inner, shift - inner, shift + 3.1, shift - 3.1,
                                          mean + limit, mean - limit}) {
                    double x = edge;
                    for (int k = 0; k < 8; ++k) x = std::nextafter(x, -1e300);
                    for (int k = 0; k < 17; ++k, x = std::nextafter(x, 1e300)) {
                        const std::uint8_t code = lanes::detail::band_code(x, shift, t);
                        const bool flag = std::fabs(x - mean) > limit;
                        CHECK(code == 2 || code == static_cast<std::uint8_t>(flag));
                    }
                }
            }
        }
    }
}

// Other dtypes and a strided, masked column take the conversion path of double_reader.
void test_zscore_converted_columns() {
    auto x = normal(big, 10, 100.0);
    for (std::size_t i = 0; i < big; i += 4999) x[i] *= 30.0;
    std::vector<float> f(x.begin(), x.end());
    std::vector<std::int32_t> k(big);
    for (std::size_t i = 0; i < big; ++i) k[i] = static_cast<std::int32_t>(std::lround(x[i]));
    const zresult rf = run_zscore(column<float>{make_strided<const float>(f.data(), big)}, {});
    const zresult rk =
        run_zscore(column<std::int32_t>{make_strided<const std::int32_t>(k.data(), big)}, {});
    context = "float32";
    CHECK(matches_naive(std::vector<double>(f.begin(), f.end()), rf));
    context = "int32";
    CHECK(matches_naive(std::vector<double>(k.begin(), k.end()), rk));
    // Every other value of a 2 * big array, with a byte mask hiding a tenth of them.
    std::vector<double> wide(2 * big);
    std::vector<std::uint8_t> mask(big);
    std::vector<double> seen(big);
    for (std::size_t i = 0; i < big; ++i) {
        wide[2 * i] = x[i];
        wide[2 * i + 1] = 1e300;
        mask[i] = i % 10 == 3;
        seen[i] = mask[i] ? nan : x[i];
    }
    column<double> c{make_strided<const double>(wide.data(), big, 2)};
    c.mask = make_strided<const std::uint8_t>(mask.data(), big);
    context = "strided and masked";
    CHECK(matches_naive(seen, run_zscore(c, {})));
}

// --------------------------------------------------------------------------------------- esd

struct eresult {
    summary s;
    outliers::kernels::esd_detail d;
    std::vector<std::uint8_t> flags;
    std::vector<double> scores;
    bool operator==(const eresult& o) const {
        return flags == o.flags && same_bits(scores, o.scores) && same_bits(s.center, o.s.center) &&
               same_bits(s.lower, o.s.lower) && same_bits(s.upper, o.s.upper) &&
               d.n_outliers == o.d.n_outliers && same_bits(d.r_stats, o.d.r_stats);
    }
};

eresult run_esd(const std::vector<double>& x, std::size_t r) {
    eresult out;
    out.flags.assign(x.size(), 7);
    out.scores.assign(x.size(), -1.0);
    outputs o;
    o.flags = out.flags.data();
    o.scores = out.scores.data();
    out.s = outliers::kernels::esd(column<double>{make_strided(x.data(), x.size())}, {r, 0.05}, o,
                                   &out.d);
    return out;
}

// Rosner's procedure done literally on the finite values (mean and std recomputed each step).
void check_esd_naive(const std::vector<double>& x, std::size_t r, const eresult& got) {
    std::vector<std::size_t> left;
    for (std::size_t i = 0; i < x.size(); ++i)
        if (std::isfinite(x[i])) left.push_back(i);
    const std::size_t n = left.size();
    r = std::min(r, n - 2);
    std::vector<std::size_t> removed;
    std::vector<double> rs;
    for (std::size_t step = 0; step < r; ++step) {
        long double s = 0;
        for (std::size_t i : left) s += x[i];
        const double mean = static_cast<double>(s / left.size());
        long double m2 = 0;
        for (std::size_t i : left) m2 += (x[i] - mean) * static_cast<long double>(x[i] - mean);
        const double sd = static_cast<double>(std::sqrt(m2 / (left.size() - 1)));
        std::size_t best = 0;
        for (std::size_t j = 1; j < left.size(); ++j)
            if (std::fabs(x[left[j]] - mean) > std::fabs(x[left[best]] - mean)) best = j;
        rs.push_back(sd > 0 ? std::fabs(x[left[best]] - mean) / sd : 0.0);
        removed.push_back(left[best]);
        left.erase(left.begin() + static_cast<std::ptrdiff_t>(best));
    }
    bool ok = got.d.r_stats.size() == r;
    for (std::size_t i = 0; ok && i < r; ++i)
        ok = close(got.d.r_stats[i], rs[i], 1e-9) && got.scores[removed[i]] == got.d.r_stats[i] &&
             got.flags[removed[i]] == (i < got.d.n_outliers);
    CHECK(ok);
}

void check_esd(const std::string& what, const std::vector<double>& x, std::size_t r) {
    context = "esd " + what + " r=" + std::to_string(r);
    const int before = outliers::get_num_threads();
    cpu::limit(cpu::level::portable);
    outliers::set_num_threads(1);
    const eresult base = run_esd(x, r);
    check_esd_naive(x, r, base);
    for (const cpu::level l : outliers::testing::cpu_levels())
        for (int threads : {1, 2, 4}) {
            cpu::limit(l);
            outliers::set_num_threads(threads);
            CHECK(run_esd(x, r) == base);
        }
    cpu::limit(cpu::level::avx512);
    outliers::set_num_threads(before);
}

void test_esd_large_inputs() {
    auto spikes = normal(big, 11);
    for (std::size_t i = 17; i < big; i += 30011) spikes[i] = 9.0 + static_cast<double>(i % 5);
    check_esd("spikes", spikes, 10);
    check_esd("spikes", spikes, 100);
    // Heavy ties at both ends in every block: positions decide who goes first.
    std::vector<double> ties(big);
    for (std::size_t i = 0; i < big; ++i)
        ties[i] = static_cast<double>(static_cast<int>(i * 13 % 9) - 4);
    for (std::size_t i = 1000; i < big; i += 65536) ties[i] = 30.0;
    check_esd("ties", ties, 10);
    check_esd("ties", ties, 100);
    auto sorted = normal(big, 12);
    std::sort(sorted.begin(), sorted.end());
    check_esd("sorted", sorted, 10);
    std::reverse(sorted.begin(), sorted.end());
    check_esd("reverse sorted", sorted, 10);
    auto holes = normal(big, 13, 2.0, -5.0);
    for (std::size_t i = 0; i < big; i += 77) holes[i] = nan;
    for (std::size_t i = 5; i < big; i += 10007) holes[i] = -inf;
    holes[150000] = 1e12;
    check_esd("NaN, inf and a huge value", holes, 10);
    check_esd("constant", std::vector<double>(big, 3.25), 10);
}

}  // namespace

int main() {
    test_loops_give_the_scalar_twins_bits();
    test_moments_constancy();
    test_zscore_bands_hold_is_exact();
    test_zscore_large_inputs();
    test_zscore_two_phases();
    test_zscore_fallbacks();
    test_zscore_converted_columns();
    test_esd_large_inputs();
    return outliers::testing::report("test_lanes");
}
