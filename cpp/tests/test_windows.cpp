// Window membership (windows/extent.hpp) and the sliding moments (stats/window_moments.hpp)
// against the obvious references: each window's positions by its definition, tested position by
// position, and each window's mean and M2 computed two-pass from its values.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "check.hpp"
#include "outliers/stats/window_moments.hpp"
#include "outliers/windows/extent.hpp"

namespace {

namespace windows = outliers::windows;
namespace stats = outliers::stats;
using outliers::testing::throws;

// Whether position j belongs to the window of point i, straight from the definitions.
bool member(const windows::spec& s, const std::vector<std::int64_t>& t, std::size_t i,
            std::size_t j) {
    const auto n = static_cast<long long>(t.size());
    const auto a = static_cast<long long>(i), b = static_cast<long long>(j);
    if (s.count > 0) {
        const auto w = static_cast<long long>(s.count);
        if (s.center) return b >= a - w / 2 && b <= a + w / 2 && b < n;
        return b <= a && b > a - w;
    }
    const long double d = static_cast<long double>(t[j]) - static_cast<long double>(t[i]);
    if (s.center) return std::fabs(d) <= static_cast<long double>(s.time_reach);
    return j <= i && -d < static_cast<long double>(s.time_reach);
}

void check_walker(const windows::spec& s, const std::vector<std::int64_t>& t, std::size_t from) {
    const windows::time_axis axis{t.data(), t.size(), 1};
    windows::walker walk(s, axis, t.size());
    for (std::size_t i = from; i < t.size(); ++i) {
        const windows::range r = walk.at(i);
        bool right = r.lo <= i && i < r.hi;
        for (std::size_t j = 0; j < t.size(); ++j)
            right = right && member(s, t, i, j) == (j >= r.lo && j < r.hi);
        CHECK(right);
    }
}

void test_walker() {
    std::mt19937_64 rng(7);
    for (std::size_t n : {1u, 2u, 9u, 60u}) {
        std::vector<std::int64_t> t(n);
        std::int64_t now = -50;  // negative times too; many duplicates
        for (auto& v : t) v = now += static_cast<std::int64_t>(rng() % 4);
        for (bool center : {true, false}) {
            for (std::size_t count : {2u, 3u, 5u, 7u, 101u}) {
                if (center && count % 2 == 0) continue;
                check_walker(windows::spec{count, -1, center, 1}, t, 0);
                check_walker(windows::spec{count, -1, center, 1}, t, n / 2);
            }
            for (std::int64_t reach : {0, 1, 2, 5, 1000}) {
                if (!center && reach == 0) continue;
                check_walker(windows::spec{0, reach, center, 1}, t, 0);
                check_walker(windows::spec{0, reach, center, 1}, t, n / 2);
            }
        }
    }
    // Times at the ends of int64: their differences exceed INT64_MAX and must not wrap.
    const std::int64_t low = std::numeric_limits<std::int64_t>::min() + 1;
    const std::int64_t high = std::numeric_limits<std::int64_t>::max();
    const std::vector<std::int64_t> ends{low, low + 1, 0, high - 1, high};
    check_walker(windows::spec{0, 1, true, 1}, ends, 0);
    check_walker(windows::spec{0, high, false, 1}, ends, 0);
}

void test_check() {
    const std::vector<std::int64_t> t{1, 2, 2, 3};
    const windows::time_axis axis{t.data(), t.size(), 1};
    CHECK(throws<std::invalid_argument>([&] { windows::check({4, -1, true, 1}, {}, 4); }));
    CHECK(throws<std::invalid_argument>([&] { windows::check({1, -1, false, 1}, {}, 4); }));
    CHECK(throws<std::invalid_argument>([&] { windows::check({0, 3, true, 1}, {}, 4); }));
    CHECK(throws<std::invalid_argument>([&] { windows::check({0, 3, true, 1}, axis, 5); }));
    CHECK(throws<std::invalid_argument>([&] { windows::check({0, 0, false, 1}, axis, 4); }));
    CHECK(throws<std::invalid_argument>([&] { windows::check({3, -1, true, 0}, axis, 4); }));
    const std::vector<std::int64_t> back{1, 3, 2};
    CHECK(throws<std::invalid_argument>(
        [&] { windows::check({0, 3, true, 1}, {back.data(), 3, 1}, 3); }));
    const std::vector<std::int64_t> nat{1, std::numeric_limits<std::int64_t>::min()};
    CHECK(throws<std::invalid_argument>(
        [&] { windows::check({0, 3, true, 1}, {nat.data(), 2, 1}, 2); }));
    windows::check({0, 3, true, 1}, axis, 4);  // valid: returns
    windows::check({2, -1, false, 1}, {}, 4);
}

// Sliding moments against two-pass moments of each window's finite values, with values of 1e15
// entering and leaving among unit-scale ones: the moments after they left must not keep their
// trace (the relative error stays at rounding level); also far from zero (an offset of 1e9 over
// unit-scale noise), where sums of squares without a shift would lose nine digits.
void test_moments(double offset) {
    std::mt19937_64 rng(11);
    std::normal_distribution<double> normal;
    const std::size_t n = 5000;
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) {
        x[i] = offset + normal(rng);
        if (i % 997 == 3) x[i] = 1e15;
        if (i % 31 == 5) x[i] = std::nan("");
        if (i % 101 == 7) x[i] = -INFINITY;
    }
    const stats::moment_tables tables(n + 2);
    for (std::size_t w : {2u, 5u, 64u, 333u}) {
        stats::sliding_moments moments(tables);
        const auto value = [&](std::size_t j) { return x[j]; };
        double worst = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            // Windows of varying length: both ends move by 0, 1 or more positions per point.
            const std::size_t lo = i >= w ? i - w + (i % 3 == 0) : 0, hi = std::min(n, i + 1);
            const std::size_t mid = std::clamp<std::size_t>((lo + hi) / 2 / 50 * 50, lo, hi);
            const stats::running_moments got = moments.window(lo, mid, hi, value);
            double count = 0.0, sum = 0.0;
            for (std::size_t j = lo; j < hi; ++j)
                if (std::isfinite(x[j])) count += 1.0, sum += x[j];
            const double mean = sum / count;
            double m2 = 0.0;
            for (std::size_t j = lo; j < hi; ++j)
                if (std::isfinite(x[j])) m2 += (x[j] - mean) * (x[j] - mean);
            CHECK(static_cast<double>(got.count) == count);
            if (count == 0.0) continue;
            const double scale = std::sqrt(m2 / count) + std::fabs(mean) + 1e-300;
            worst = std::max(worst, std::fabs(got.mean - mean) / scale);
            // The spread relative to itself, beyond what the reference's own mean can be off by
            // (values near 1e9 round the mean by up to 1e-7, which adds count * that^2 to its M2).
            const double own = 4e-16 * std::fabs(mean) * std::sqrt(count);
            if (m2 > 0.0)
                worst = std::max(
                    worst, (std::fabs(std::sqrt(got.m2) - std::sqrt(m2)) - own) / std::sqrt(m2));
        }
        CHECK(worst < 1e-12);
    }
}

// Each point's moments are bit for bit the same whether the points are visited from the start
// or from elsewhere (another block, a dask partition whose buffer starts later): the window is
// cut where the grid says, not where the walk began.
void test_moments_independent_of_start() {
    std::mt19937_64 rng(5);
    std::normal_distribution<double> normal;
    const std::size_t n = 3000;
    std::vector<double> x(n);
    std::vector<std::int64_t> t(n);
    std::int64_t now = 1000;
    for (std::size_t i = 0; i < n; ++i) {
        x[i] = 1e6 + normal(rng) * (i % 400 < 200 ? 1.0 : 1e3);
        t[i] = now += static_cast<std::int64_t>(rng() % 3);
    }
    const stats::moment_tables tables(n + 2);
    const windows::time_axis axis{t.data(), n, 1};
    const windows::spec specs[] = {
        {101, -1, true, 1}, {50, -1, false, 1}, {0, 40, true, 1}, {0, 77, false, 1}};
    for (const windows::spec& s : specs) {
        std::vector<stats::running_moments> whole(n);
        {
            windows::walker walk(s, axis, n);
            stats::sliding_moments moments(tables);
            for (std::size_t i = 0; i < n; ++i) {
                const windows::range r = walk.at(i);
                whole[i] = moments.window(r.lo, walk.split(i, r), r.hi,
                                          [&](std::size_t j) { return x[j]; });
            }
        }
        for (std::size_t start : {1u, 137u, 1500u}) {
            // The data from `start - 200` on, as a buffer of its own (count windows: origin).
            const std::size_t base = start - std::min<std::size_t>(start, 200);
            const windows::time_axis part{t.data() + base, n - base, 1};
            windows::walker walk(s, part, n - base, base);
            stats::sliding_moments moments(tables);
            bool same = true;
            for (std::size_t i = start; i < n; ++i) {
                const windows::range r = walk.at(i - base);
                const stats::running_moments got =
                    moments.window(r.lo, walk.split(i - base, r), r.hi,
                                   [&](std::size_t j) { return x[base + j]; });
                same = same && got.count == whole[i].count &&
                       std::memcmp(&got.mean, &whole[i].mean, sizeof(double)) == 0 &&
                       std::memcmp(&got.m2, &whole[i].m2, sizeof(double)) == 0;
            }
            CHECK(same);
        }
    }
}

}  // namespace

int main() {
    test_walker();
    test_check();
    test_moments(0.0);
    test_moments(1e9);
    test_moments_independent_of_start();
    return outliers::testing::report("test_windows");
}
