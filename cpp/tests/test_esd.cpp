// Tests of kernels/esd.hpp: the NIST/SEMATECH worked example, edge cases and a naive reference.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

#include "check.hpp"
#include "outliers/kernels/esd.hpp"

namespace {

using outliers::column;
using outliers::make_strided;
using outliers::outputs;
using outliers::summary;
using outliers::kernels::esd;
using outliers::kernels::esd_detail;
using outliers::kernels::esd_params;

const double nan = std::numeric_limits<double>::quiet_NaN();
const double inf = std::numeric_limits<double>::infinity();

bool close_rel(double got, double want, double rtol) {
    if (std::isnan(want)) return std::isnan(got);
    if (got == want) return true;
    return std::fabs(got - want) <= rtol * std::fabs(want);
}

// Rosner (1983) / NIST e-Handbook §1.3.5.17.3: the 54 values of tests/rosner_esd.csv.
const double rosner[] = {-0.25, 0.68, 0.94, 1.15, 1.20, 1.26, 1.26, 1.34, 1.38, 1.43, 1.49,
                         1.49,  1.55, 1.56, 1.58, 1.65, 1.69, 1.70, 1.76, 1.77, 1.81, 1.91,
                         1.94,  1.96, 1.99, 2.06, 2.09, 2.10, 2.14, 2.15, 2.23, 2.24, 2.26,
                         2.35,  2.37, 2.40, 2.47, 2.54, 2.62, 2.64, 2.90, 2.92, 2.92, 2.93,
                         3.21,  3.26, 3.30, 3.59, 3.68, 4.30, 4.64, 5.34, 5.42, 6.01};
// The handbook's table for max_outliers = 10, alpha = 0.05, truncated to three decimals.
const double rosner_r[] = {3.118, 2.942, 3.179, 2.810, 2.815, 2.848, 2.279, 2.310, 2.101, 2.067};
const double rosner_lambda[] = {3.158, 3.151, 3.143, 3.136, 3.128,
                                3.120, 3.111, 3.103, 3.094, 3.085};

// Everything one call produces.
struct result {
    summary s;
    esd_detail d;
    std::vector<double> scores;
    std::vector<std::uint8_t> flags;
};

template <class T>
result run(const column<T>& c, esd_params p = {}) {
    result r;
    r.scores.assign(c.size(), -1.0);
    r.flags.assign(c.size(), 7);
    outputs out;
    out.scores = r.scores.data();
    out.flags = r.flags.data();
    r.s = esd(c, p, out, &r.d);
    // The same flags written around the caches, as for the columns of a large frame.
    std::vector<std::uint8_t> streamed(c.size(), 7);
    outputs around;
    around.flags = streamed.data();
    around.stream_flags = true;
    esd(c, p, around);
    CHECK(streamed == r.flags);
    return r;
}

result run(const std::vector<double>& x, esd_params p = {}) {
    return run(column<double>{make_strided<const double>(x.data(), x.size())}, p);
}

// A slow, obviously correct version: mean and std recomputed over the remaining values at
// every step, as the numpy reference does.
struct naive_result {
    std::vector<double> r_stats, lambdas, scores;
    std::vector<std::uint8_t> flags;
    std::size_t k = 0;
    double lower = nan, upper = nan, center = nan;
};

naive_result naive_esd(const std::vector<double>& x, std::size_t max_outliers, double alpha) {
    naive_result res;
    std::vector<std::size_t> left;
    res.scores.resize(x.size());
    res.flags.resize(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        res.scores[i] = std::isnan(x[i]) ? nan : std::isinf(x[i]) ? inf : 0.0;
        res.flags[i] = std::isinf(x[i]) ? 1 : 0;
        if (std::isfinite(x[i])) left.push_back(i);
    }
    const std::size_t n = left.size();
    const auto stats = [&](double& mean, double& sd) {
        double s = 0.0;
        for (std::size_t i : left) s += x[i];
        mean = s / static_cast<double>(left.size());
        double m2 = 0.0;
        for (std::size_t i : left) m2 += (x[i] - mean) * (x[i] - mean);
        sd = std::sqrt(m2 / static_cast<double>(left.size() - 1));
    };
    if (n < 3) {
        double s = 0.0;
        for (std::size_t i : left) s += x[i];
        res.center = n ? s / static_cast<double>(n) : nan;
        return res;
    }
    const std::size_t r = std::min(max_outliers, n - 2);
    std::vector<std::size_t> removed;
    std::vector<double> means, sds;
    for (std::size_t i = 1; i <= r + 1; ++i) {
        double mean, sd;
        stats(mean, sd);
        means.push_back(mean);
        sds.push_back(sd);
        if (i > r) break;
        std::size_t best = 0;
        for (std::size_t j = 1; j < left.size(); ++j)
            if (std::fabs(x[left[j]] - mean) > std::fabs(x[left[best]] - mean)) best = j;
        res.r_stats.push_back(sd > 0 ? std::fabs(x[left[best]] - mean) / sd : 0.0);
        res.lambdas.push_back(outliers::detail::esd_impl::critical_value(n, i, alpha));
        removed.push_back(left[best]);
        left.erase(left.begin() + static_cast<std::ptrdiff_t>(best));
    }
    for (std::size_t i = 0; i < r; ++i)
        if (res.r_stats[i] > res.lambdas[i]) res.k = i + 1;
    for (std::size_t i = 0; i < r; ++i) {
        res.scores[removed[i]] = res.r_stats[i];
        res.flags[removed[i]] = i < res.k;
    }
    const std::size_t k = res.k;
    const double lam = k < r           ? res.lambdas[k]
                       : n - k - 2 > 0 ? outliers::detail::esd_impl::critical_value(n, k + 1, alpha)
                                       : nan;
    res.center = means[k];
    res.lower = means[k] - lam * sds[k];
    res.upper = means[k] + lam * sds[k];
    return res;
}

// Deterministic pseudo-random numbers (Knuth's MMIX LCG), so the test needs no seed handling.
struct lcg {
    std::uint64_t s;
    double uniform() {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<double>(s >> 11) * 0x1.0p-53;
    }
    double normal() {  // Box–Muller
        const double u = 1.0 - uniform(), v = uniform();
        return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v);
    }
};

bool matches_naive(const std::vector<double>& x, std::size_t max_outliers, double alpha) {
    const result got = run(x, {max_outliers, alpha});
    const naive_result want = naive_esd(x, max_outliers, alpha);
    bool ok = got.d.n_outliers == want.k && got.d.r_stats.size() == want.r_stats.size() &&
              got.flags == want.flags;
    for (std::size_t i = 0; ok && i < want.r_stats.size(); ++i)
        ok = close_rel(got.d.r_stats[i], want.r_stats[i], 1e-11) &&
             close_rel(got.d.lambdas[i], want.lambdas[i], 0.0);
    for (std::size_t i = 0; ok && i < x.size(); ++i)
        ok = close_rel(got.scores[i], want.scores[i], 1e-11);
    ok = ok && close_rel(got.s.center, want.center, 1e-12) &&
         close_rel(got.s.lower, want.lower, 1e-11) && close_rel(got.s.upper, want.upper, 1e-11);
    if (!ok)
        std::printf("mismatch with the naive reference: n=%zu max_outliers=%zu alpha=%g\n",
                    x.size(), max_outliers, alpha);
    return ok;
}

void test_esd_reproduces_nist_example() {
    const std::vector<double> x(std::begin(rosner), std::end(rosner));
    CHECK(x.size() == 54);
    const result r = run(x, {10, 0.05});
    CHECK(r.d.r_stats.size() == 10 && r.d.lambdas.size() == 10);
    for (std::size_t i = 0; i < 10 && i < r.d.r_stats.size(); ++i) {
        // The handbook truncates: compare floor(v * 1000) / 1000 with its table.
        const auto trunc3 = [](double v) { return std::floor(v * 1000.0) / 1000.0; };
        if (std::fabs(trunc3(r.d.r_stats[i]) - rosner_r[i]) > 1e-9 ||
            std::fabs(trunc3(r.d.lambdas[i]) - rosner_lambda[i]) > 1e-9) {
            std::printf("NIST table row %zu: R %.6f (want %.3f), lambda %.6f (want %.3f)\n", i + 1,
                        r.d.r_stats[i], rosner_r[i], r.d.lambdas[i], rosner_lambda[i]);
            ++outliers::testing::failures;
        }
    }
    // R_1, R_2 fail but R_3 passes: three outliers, the largest i, not the first failure.
    CHECK(r.d.n_outliers == 3);
    std::vector<std::size_t> flagged;
    for (std::size_t i = 0; i < x.size(); ++i)
        if (r.flags[i]) flagged.push_back(i);
    CHECK((flagged == std::vector<std::size_t>{51, 52, 53}));  // 5.34, 5.42, 6.01
    CHECK(x[51] == 5.34 && x[52] == 5.42 && x[53] == 6.01);
    CHECK(r.scores[53] == r.d.r_stats[0] && r.scores[52] == r.d.r_stats[1] &&
          r.scores[51] == r.d.r_stats[2]);
    // The other seven removed values keep their R_i as score; the rest score 0.
    std::size_t scored = 0;
    for (double s : r.scores) scored += s != 0.0;
    CHECK(scored == 10);
    // Bounds: mean and std of the 51 values left, λ_4.
    double mean = 0.0, m2 = 0.0;
    for (std::size_t i = 0; i < 51; ++i) mean += x[i];
    mean /= 51.0;
    for (std::size_t i = 0; i < 51; ++i) m2 += (x[i] - mean) * (x[i] - mean);
    const double sd = std::sqrt(m2 / 50.0);
    CHECK(close_rel(r.s.center, mean, 1e-14));
    CHECK(close_rel(r.s.lower, mean - r.d.lambdas[3] * sd, 1e-13));
    CHECK(close_rel(r.s.upper, mean + r.d.lambdas[3] * sd, 1e-13));
    CHECK(r.s.n_used == 54);
    CHECK(matches_naive(x, 10, 0.05));
}

void test_esd_reads_strides_masks_and_integers() {
    // Reversed through a negative stride: the same values, positions mirrored.
    const std::vector<double> x(std::begin(rosner), std::end(rosner));
    const result rev = run(column<double>{make_strided<const double>(x.data() + 53, 54, -1)});
    CHECK(rev.d.n_outliers == 3 && rev.flags[0] && rev.flags[1] && rev.flags[2]);
    // Every other value of a buffer interleaved with garbage.
    std::vector<double> wide;
    for (double v : x) {
        wide.push_back(v);
        wide.push_back(1e300);
    }
    const result strided = run(column<double>{make_strided<const double>(wide.data(), 54, 2)});
    CHECK(strided.d.n_outliers == 3 && strided.flags[53] && !strided.flags[50]);
    // A mask entry is missing whatever the value underneath.
    std::vector<std::uint8_t> mask(55, 0);
    std::vector<double> masked(x);
    masked.push_back(1e9);
    mask[54] = 1;
    column<double> cm{make_strided<const double>(masked.data(), 55)};
    cm.mask = make_strided<const std::uint8_t>(mask.data(), 55);
    const result m = run(cm);
    CHECK(m.d.n_outliers == 3 && m.s.n_used == 54 && std::isnan(m.scores[54]) && !m.flags[54]);
    // Integers (hundredths), computed in double: same decision, R scale-invariant.
    std::vector<std::int32_t> cents;
    for (double v : x) cents.push_back(static_cast<std::int32_t>(std::lround(v * 100.0)));
    const result ri = run(column<std::int32_t>{make_strided<const std::int32_t>(cents.data(), 54)});
    CHECK(ri.d.n_outliers == 3 && ri.flags[51] && ri.flags[52] && ri.flags[53]);
    const result rd = run(x);
    for (std::size_t i = 0; i < 10; ++i) CHECK(close_rel(ri.d.r_stats[i], rd.d.r_stats[i], 1e-12));
    // int64 with NaT (the int64 minimum) missing.
    std::vector<std::int64_t> times(cents.begin(), cents.end());
    times.push_back(std::numeric_limits<std::int64_t>::min());
    column<std::int64_t> ct{make_strided<const std::int64_t>(times.data(), 55)};
    ct.int_min_is_missing = true;
    const result rt = run(ct);
    CHECK(rt.d.n_outliers == 3 && rt.s.n_used == 54 && std::isnan(rt.scores[54]) && !rt.flags[54]);
}

void test_esd_empty_and_tiny_inputs() {
    {
        const result r = run(std::vector<double>{});
        CHECK(r.s.n_used == 0 && std::isnan(r.s.center) && std::isnan(r.s.lower) &&
              std::isnan(r.s.upper));
        CHECK(r.d.r_stats.empty() && r.d.lambdas.empty() && r.d.n_outliers == 0);
    }
    {
        const result r = run(std::vector<double>{4.0});
        CHECK(r.s.n_used == 1 && r.s.center == 4.0 && std::isnan(r.s.lower) &&
              std::isnan(r.s.upper));
        CHECK(r.scores[0] == 0.0 && r.flags[0] == 0);
    }
    {
        const result r = run(std::vector<double>{1.0, 1e12});
        CHECK(r.s.n_used == 2 && r.s.center == (1.0 + 1e12) / 2.0 && std::isnan(r.s.lower));
        CHECK(r.scores[0] == 0.0 && r.scores[1] == 0.0 && !r.flags[0] && !r.flags[1]);
        CHECK(r.d.r_stats.empty());
    }
    {
        // Two finite values among missing and infinite ones: still n < 3.
        const result r = run(std::vector<double>{nan, 2.0, inf, 3.0, -inf, nan});
        CHECK(r.s.n_used == 2 && r.s.center == 2.5);
        CHECK(std::isnan(r.scores[0]) && r.scores[1] == 0.0 && r.scores[2] == inf &&
              r.scores[4] == inf);
        CHECK(!r.flags[0] && !r.flags[1] && r.flags[2] && !r.flags[3] && r.flags[4] && !r.flags[5]);
    }
    {
        const result r = run(std::vector<double>(5, nan));
        CHECK(r.s.n_used == 0 && std::isnan(r.s.center) && std::isnan(r.s.lower));
        for (std::size_t i = 0; i < 5; ++i) CHECK(std::isnan(r.scores[i]) && r.flags[i] == 0);
    }
    {
        // Null outputs: only the summary is produced.
        const std::vector<double> x(std::begin(rosner), std::end(rosner));
        esd_detail d;
        const summary s = esd(column<double>{make_strided<const double>(x.data(), 54)},
                              esd_params{}, outputs{}, &d);
        CHECK(d.n_outliers == 3 && s.n_used == 54);
        const summary s2 =
            esd(column<double>{make_strided<const double>(x.data(), 54)}, esd_params{}, outputs{});
        CHECK(s2.center == s.center && s2.lower == s.lower);
    }
}

void test_esd_constant_data() {
    // 0.1 is inexact: a computed mean may miss it by an ulp, yet std is exactly 0 and nothing is
    // flagged.
    const std::vector<double> x(20, 0.1);
    const result r = run(x, {5, 0.05});
    CHECK(r.d.n_outliers == 0 && r.d.r_stats.size() == 5);
    for (double v : r.d.r_stats) CHECK(v == 0.0);
    for (std::size_t i = 0; i < x.size(); ++i) CHECK(r.scores[i] == 0.0 && r.flags[i] == 0);
    CHECK(r.s.center == 0.1 && r.s.lower == 0.1 && r.s.upper == 0.1);
    // Constant apart from one value: that one is removed, the rest is constant (R_2.. = 0).
    std::vector<double> y(20, 3.0);
    y[7] = 50.0;
    const result ry = run(y, {4, 0.05});
    CHECK(ry.d.n_outliers == 1 && ry.flags[7] && ry.d.r_stats[1] == 0.0);
    CHECK(ry.s.center == 3.0 && ry.s.lower == 3.0 && ry.s.upper == 3.0);
}

void test_esd_infinite_values_flagged_not_counted() {
    const std::vector<double> x(std::begin(rosner), std::end(rosner));
    std::vector<double> y;
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (i == 10) y.push_back(inf);
        if (i == 30) y.push_back(-inf);
        if (i == 40) y.push_back(nan);
        y.push_back(x[i]);
    }
    const result a = run(x), b = run(y);
    CHECK(b.s.n_used == 54 && b.d.n_outliers == 3);
    CHECK(b.s.center == a.s.center && b.s.lower == a.s.lower && b.s.upper == a.s.upper);
    for (std::size_t i = 0; i < 10; ++i) CHECK(b.d.r_stats[i] == a.d.r_stats[i]);
    CHECK(b.flags[10] && b.scores[10] == inf && b.flags[31] && b.scores[31] == inf);
    CHECK(!b.flags[42] && std::isnan(b.scores[42]));
    CHECK(b.flags[56] && b.flags[55] && b.flags[54] && !b.flags[53]);
}

void test_esd_max_outliers_beyond_n_minus_2() {
    // n = 3: r = 1. Two close values and a far one: R_1 = 1.1547 > λ_1 = 1.1543, so k = r = n − 2
    // and λ_2 would need 0 degrees of freedom: bounds NaN, center the mean of the two left.
    const std::vector<double> x{0.0, 1e-9, 1.0};
    const result r = run(x, {10, 0.05});
    CHECK(r.d.r_stats.size() == 1 && r.d.lambdas.size() == 1);
    CHECK(r.d.n_outliers == 1 && r.flags[2] && !r.flags[0] && !r.flags[1]);
    CHECK(std::isnan(r.s.lower) && std::isnan(r.s.upper) && close_rel(r.s.center, 0.5e-9, 1e-15));
    // n = 6, max_outliers = 100: r = 4.
    const std::vector<double> y{1.0, 2.0, 1.5, 40.0, 1.2, 1.7};
    const result ry = run(y, {100, 0.05});
    CHECK(ry.d.r_stats.size() == 4 && ry.d.lambdas.size() == 4);
    CHECK(ry.d.n_outliers >= 1 && ry.flags[3]);
    CHECK(matches_naive(y, 100, 0.05));
    CHECK(matches_naive(x, 10, 0.05));
}

void test_esd_ties_go_to_the_smallest_position() {
    // |5 − 0| == |−5 − 0|: position 0 goes first, whichever end it is on.
    const std::vector<double> a{5.0, 1.0, -1.0, 2.0, -2.0, 0.0, -5.0};
    const result ra = run(a, {2, 0.05});
    CHECK(ra.scores[0] == ra.d.r_stats[0] && ra.scores[6] == ra.d.r_stats[1]);
    const std::vector<double> b{-5.0, 1.0, -1.0, 2.0, -2.0, 0.0, 5.0};
    const result rb = run(b, {2, 0.05});
    CHECK(rb.scores[0] == rb.d.r_stats[0] && rb.scores[6] == rb.d.r_stats[1]);
    // Equal values: the first one is removed first.
    const std::vector<double> c{9.0, 0.0, 1.0, -1.0, 9.0, 2.0, -2.0, 0.5};
    const result rc = run(c, {1, 0.05});
    CHECK(rc.scores[0] == rc.d.r_stats[0] && rc.scores[4] == 0.0);
    CHECK(matches_naive(a, 2, 0.05) && matches_naive(b, 2, 0.05) && matches_naive(c, 3, 0.05));
}

void test_esd_huge_outlier_leaves_no_cancellation() {
    // Removing 1e15 from a running sum would leave an error of ~0.1 in the mean of the rest;
    // the pooled two-pass moments must match a from-scratch computation.
    lcg g{42};
    std::vector<double> x;
    for (int i = 0; i < 2000; ++i) x.push_back(1000.0 + g.normal());
    x[17] = 1e15;
    x[1500] = -3e13;
    x[900] = 1010.0;
    const result r = run(x, {10, 0.05});
    CHECK(r.flags[17] && r.flags[1500] && r.flags[900]);
    CHECK(matches_naive(x, 10, 0.05));
}

void test_esd_matches_naive_reference() {
    lcg g{7};
    for (int trial = 0; trial < 300; ++trial) {
        const auto n = static_cast<std::size_t>(g.uniform() * 80.0);
        std::vector<double> x(n);
        for (auto& v : x) {
            switch (trial % 5) {
                case 0:
                    v = g.normal();
                    break;
                case 1:
                    v = std::floor(g.uniform() * 4.0);
                    break;  // many ties
                case 2:
                    v = g.normal() / (0.05 + g.uniform());
                    break;  // heavy tails
                case 3:
                    v = g.uniform() < 0.1 ? nan : g.uniform() < 0.05 ? -inf : g.normal();
                    break;
                default:
                    v = g.uniform() < 0.05 ? 1e12 * g.normal() : 5.0 + g.normal();
                    break;
            }
        }
        const auto max_outliers = 1 + static_cast<std::size_t>(g.uniform() * 30.0);
        const double alpha = trial % 3 == 0 ? 0.05 : trial % 3 == 1 ? 0.01 : 0.5;
        CHECK(matches_naive(x, max_outliers, alpha));
    }
}

// Removals deep into the data (max_outliers up to n): the candidate sets compact many times
// and the moments of what is left are rebuilt around new split points.
void test_esd_many_removals_match_naive_reference() {
    lcg g{19};
    for (int trial = 0; trial < 60; ++trial) {
        const auto n = 3 + static_cast<std::size_t>(g.uniform() * 400.0);
        std::vector<double> x(n);
        for (auto& v : x) {
            switch (trial % 4) {
                case 0:
                    v = g.normal();
                    break;
                case 1:
                    v = std::floor(g.uniform() * 6.0);
                    break;  // ties
                case 2:
                    v = g.normal() / (0.05 + g.uniform());
                    break;  // heavy tails
                default:
                    v = g.uniform() < 0.1 ? 1e12 * g.normal() : 5.0 + g.normal();
                    break;
            }
        }
        const auto max_outliers =
            1 + static_cast<std::size_t>(g.uniform() * static_cast<double>(n));
        CHECK(matches_naive(x, max_outliers, 0.05));
    }
}

// alpha = 5e-324 is valid: q = alpha / (2(n − i + 1)) underflows to 0, and t is then beyond
// 1e19 for n = 20, so λ_i is its limit (n − i) / sqrt(n − i + 1) to double precision.
void test_esd_smallest_alpha() {
    for (std::size_t i = 1; i <= 16; ++i) {
        const double m = static_cast<double>(20 - i);
        const double lambda = outliers::detail::esd_impl::critical_value(20, i, 5e-324);
        CHECK(std::fabs(lambda - m / std::sqrt(m + 1.0)) <= 1e-15 * lambda);
    }
    // df = 1 (the last step of max_outliers = n − 2): t = inf, λ = 2 / sqrt(3).
    const double last = outliers::detail::esd_impl::critical_value(20, 18, 5e-324);
    CHECK(std::fabs(last - 2.0 / std::sqrt(3.0)) < 1e-15);
    lcg g{23};
    std::vector<double> x(20);
    for (auto& v : x) v = g.normal();
    x[7] = 1e6;
    const result r = run(x, {18, 5e-324});
    CHECK(r.d.n_outliers == 0 && r.d.lambdas.size() == 18);
    for (double l : r.d.lambdas) CHECK(std::isfinite(l));
}

// Values near +-DBL_MAX: sums overflow (numpy's mean is inf, its scores NaN); the test runs on
// values scaled by a power of two, and no finite value gets a NaN score.
void test_esd_values_near_the_largest_double() {
    const double big = std::numeric_limits<double>::max();
    const std::vector<double> x{big, 1.5e308, -big, 1.7e308, 0.0, 1.0, -1.0, big};
    const result r = run(x, {6, 0.05});
    for (double s : r.scores) CHECK(!std::isnan(s));
    // Nothing flagged: the center is the mean of all, (DBL_MAX + 3.2e308) / 8 (numpy: inf). The
    // squares overflow, so the std is +inf, as numpy's, and the bounds are +-inf.
    CHECK(std::fabs(r.s.center - (big / 8.0 + 0.4e308)) <= 1e-15 * r.s.center);
    CHECK(r.s.lower == -inf && r.s.upper == inf);
}

void test_esd_independent_of_thread_count() {
    lcg g{11};
    std::vector<double> x(300000);  // several blocks of outliers::block_size
    for (auto& v : x) v = g.normal();
    x[5] = 40.0;
    x[200000] = -35.0;
    x[299999] = 30.0;
    x[123456] = nan;
    const int before = outliers::get_num_threads();
    outliers::set_num_threads(1);
    const result one = run(x, {20, 0.05});
    outliers::set_num_threads(4);
    const result four = run(x, {20, 0.05});
    outliers::set_num_threads(before);
    CHECK(one.d.n_outliers == 3 && one.flags[5] && one.flags[200000] && one.flags[299999]);
    CHECK(std::memcmp(one.scores.data(), four.scores.data(), x.size() * sizeof(double)) == 0);
    CHECK(one.flags == four.flags && one.d.r_stats == four.d.r_stats);
    CHECK(one.s.center == four.s.center && one.s.lower == four.s.lower &&
          one.s.upper == four.s.upper);
}

void test_esd_rejects_bad_parameters() {
    const std::vector<double> x{1.0, 2.0, 3.0, 4.0};
    const column<double> c{make_strided<const double>(x.data(), x.size())};
    CHECK(outliers::testing::throws<std::invalid_argument>(
        [&] { esd(c, esd_params{0, 0.05}, outputs{}); }));
    CHECK(outliers::testing::throws<std::invalid_argument>(
        [&] { esd(c, esd_params{3, 0.0}, outputs{}); }));
    CHECK(outliers::testing::throws<std::invalid_argument>(
        [&] { esd(c, esd_params{3, 1.0}, outputs{}); }));
    CHECK(outliers::testing::throws<std::invalid_argument>(
        [&] { esd(c, esd_params{3, nan}, outputs{}); }));
    CHECK(outliers::testing::throws<std::invalid_argument>(
        [&] { esd(column<double>{}, esd_params{3, -0.5}, outputs{}); }));
}

}  // namespace

int main() {
    test_esd_reproduces_nist_example();
    test_esd_reads_strides_masks_and_integers();
    test_esd_empty_and_tiny_inputs();
    test_esd_constant_data();
    test_esd_infinite_values_flagged_not_counted();
    test_esd_max_outliers_beyond_n_minus_2();
    test_esd_ties_go_to_the_smallest_position();
    test_esd_huge_outlier_leaves_no_cancellation();
    test_esd_matches_naive_reference();
    test_esd_many_removals_match_naive_reference();
    test_esd_smallest_alpha();
    test_esd_values_near_the_largest_double();
    test_esd_independent_of_thread_count();
    test_esd_rejects_bad_parameters();
    return outliers::testing::report("test_esd");
}
