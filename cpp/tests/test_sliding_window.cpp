// The sorted windows of order/ (flat, blocked, ranked) and the median/MAD of sorted values, each
// against the obvious reference: keep the window's values in a vector, sort a copy.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "check.hpp"
#include "outliers/order/ranked_window.hpp"
#include "outliers/order/sliding_window.hpp"
#include "outliers/order/sorted_stats.hpp"

namespace {

namespace order = outliers::order;
namespace cpu = outliers::cpu;
const double nan = std::nan("");
const double inf = INFINITY;

// Equal values (a -0.0 held in a window may come back as the +0.0 beside it), or both NaN.
bool same(double a, double b) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    if (a == 0.0 && b == 0.0) return true;
    return std::memcmp(&a, &b, sizeof a) == 0;
}

// numpy's median of a sorted vector: the mean of the middle two, from the halves where their
// sum overflows; NaN when empty.
double median_of_sorted(const std::vector<double>& s) {
    if (s.empty()) return nan;
    const std::size_t h = s.size() / 2;
    if (s.size() % 2 == 1) return s[h] + 0.0;
    const double mean = (s[h - 1] + s[h]) / 2.0;
    return std::isinf(mean) ? s[h - 1] / 2.0 + s[h] / 2.0 : mean;
}

// What a window holds: its finite values (NaN and +-inf are never in it).
struct reference {
    std::vector<double> held;

    void add(double v) {
        if (std::isfinite(v)) held.push_back(v);
    }
    void remove(double v) {
        if (!std::isfinite(v)) return;
        held.erase(std::find_if(held.begin(), held.end(), [&](double h) { return h == v; }));
    }
    std::vector<double> sorted() const {
        auto s = held;
        std::sort(s.begin(), s.end());
        return s;
    }
    double median() const { return median_of_sorted(sorted()); }
    // The median of fabs(x - v) over the held values.
    double distance_median(double v) const {
        std::vector<double> d;
        for (double x : held) d.push_back(std::fabs(x - v));
        std::sort(d.begin(), d.end());
        return median_of_sorted(d);
    }
};

// Every statistic of the window equal to the reference's.
template <class Window>
bool agrees(const Window& win, const reference& ref, std::size_t& split, const std::string& ctx) {
    const auto s = ref.sorted();
    bool ok = win.size() == s.size();
    for (std::size_t r = 0; ok && r < s.size(); ++r) ok = same(win.kth(r), s[r]);
    for (double probe : {s.empty() ? 0.0 : s.front(), s.empty() ? 0.0 : s.back(), 0.5, -1e308}) {
        const auto below = std::lower_bound(s.begin(), s.end(), probe) - s.begin();
        ok = ok && win.rank(probe) == static_cast<std::size_t>(below);
    }
    const double m = ref.median();
    ok = ok && same(order::median(win), m);
    const order::median_mad st = order::window_median_mad(win, split);
    ok = ok && same(st.median, m) && same(st.mad, ref.distance_median(m));
    for (double v : {m, 0.0, 3.25, -7.0})
        if (std::isfinite(v))
            ok = ok && same(order::median_distance(win, v), ref.distance_median(v));
    if (!ok) std::printf("%s: size %zu differs from the reference\n", ctx.c_str(), s.size());
    return ok;
}

std::vector<double> values(std::size_t n, std::uint64_t seed, bool ties) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    std::uniform_int_distribution<int> pick(0, 19);
    std::vector<double> x(n);
    for (auto& v : x) {
        const int p = pick(rng);
        v = ties ? static_cast<double>(p % 4) : normal(rng);
        if (p == 0) v = nan;
        if (p == 1) v = ties ? -inf : inf;
        if (p == 2) v = ties ? -0.0 : 1.7e308;
        if (p == 3 && !ties) v = -1.6e308;  // sums of the middle two overflow
    }
    return x;
}

const cpu::level levels[] = {cpu::level::portable, cpu::level::avx2, cpu::level::avx512};

// A trailing window of every width 1..n slid over n values by add and remove, checked at every
// step; on every CPU level (a level the CPU lacks runs as the best it has).
template <class Window>
void test_every_width(const char* name, std::size_t n) {
    for (cpu::level level : levels) {
        for (bool ties : {false, true}) {
            const auto x = values(n, n + ties, ties);
            for (std::size_t w = 1; w <= n; ++w) {
                Window win(w, level);
                reference ref;
                std::size_t split = 0;
                for (std::size_t i = 0; i < n; ++i) {
                    if (i >= w) {
                        win.remove(x[i - w]);
                        ref.remove(x[i - w]);
                    }
                    win.add(x[i]);
                    ref.add(x[i]);
                    CHECK(agrees(
                        win, ref, split,
                        std::string(name) + " w=" + std::to_string(w) + " i=" + std::to_string(i)));
                }
            }
        }
    }
}

// The sliding step hampel takes: both ranks searched one step ahead, corrected by rank_after.
template <class Window>
void test_replace_one_step_ahead(const char* name, std::size_t w, std::size_t n) {
    const auto x = values(n, 7 * w, false);
    Window win(w, cpu::active());
    reference ref;
    std::vector<double> first;
    for (std::size_t i = 0; i < w; ++i) {
        ref.add(x[i]);
        if (std::isfinite(x[i])) first.push_back(x[i]);
    }
    win.assign(first);
    std::size_t split = 0;
    double out = nan, in = nan;
    std::size_t p = 0, q = 0;
    for (std::size_t i = w; i < n; ++i) {
        const double next_out = x[i - w], next_in = x[i];
        order::rank_pair r = win.ranks(next_out, next_in);
        if (i > w) {
            r.x = order::rank_after(r.x, next_out, out, in);
            r.y = order::rank_after(r.y, next_in, out, in);
            win.replace(out, p, in, q);
            CHECK(agrees(win, ref, split, std::string(name) + " step " + std::to_string(i)));
        }
        out = next_out, in = next_in, p = r.x, q = r.y;
        ref.remove(out);
        ref.add(in);
    }
}

// A ranked window over the slots of n values, slid as a centred window of width w.
template <class Index>
void test_ranked(std::size_t n, std::size_t w, bool ties) {
    const auto x = values(n, 3 * n + w, ties);
    std::vector<Index> slot;
    order::ranked_window<Index> win(
        order::rank_slots<Index>(n, [&](std::size_t k) { return x[k] + 0.0; }, slot));
    reference ref;
    std::size_t split = 0;
    for (std::size_t i = 0; i < n + w; ++i) {
        if (i < n && slot[i] != static_cast<Index>(-1)) win.insert(slot[i]);
        ref.add(i < n ? x[i] + 0.0 : nan);
        if (i >= w) {
            if (slot[i - w] != static_cast<Index>(-1)) win.erase(slot[i - w]);
            ref.remove(x[i - w] + 0.0);
        }
        const auto s = ref.sorted();
        bool ok = win.size() == s.size();
        for (std::size_t r = 0; ok && r < s.size(); r += 1 + r / 8) ok = same(win.kth(r), s[r]);
        const auto st = order::sorted_median_mad(win.values(), win.size(), split);
        const double m = ref.median();
        CHECK(ok && same(st.median, m) && same(st.mad, ref.distance_median(m)));
    }
}

void test_sorted_stats_of_arrays() {
    // Arrays of every length up to 40 (all in order: the window's view is any s[r] reader).
    for (std::size_t n = 0; n <= 40; ++n) {
        for (bool ties : {false, true}) {
            reference ref;
            for (double v : values(3 * n, n, ties)) {
                if (ref.held.size() == n) break;
                ref.add(v);
            }
            const auto s = ref.sorted();
            std::size_t split = n / 3;  // a stale hint must not matter
            const auto st = order::sorted_median_mad(s.data(), s.size(), split);
            const double m = ref.median();
            CHECK(same(order::sorted_median(s.data(), s.size()), m));
            CHECK(same(st.median, m) && same(st.mad, ref.distance_median(m)));
            for (double v : {-2.0, 0.0, 0.5, 1.0, 2.5, 1e300}) {
                const auto rank =
                    static_cast<std::size_t>(std::lower_bound(s.begin(), s.end(), v) - s.begin());
                CHECK(same(order::sorted_median_distance(s.data(), s.size(), v, rank),
                           ref.distance_median(v)));
            }
        }
    }
}

void test_layout_choice() {
    const auto is_flat = [](auto& win) {
        return std::is_same_v<std::decay_t<decltype(win)>, order::flat_window>;
    };
    CHECK(order::with_sorted_window(order::flat_window_max, cpu::active(), is_flat));
    CHECK(!order::with_sorted_window(order::flat_window_max + 1, cpu::active(), is_flat));
    // A window past its flat size: the blocked layout on its own, across many blocks.
    order::with_sorted_window(5000, cpu::active(), [](auto& win) {
        reference ref;
        std::size_t split = 0;
        for (double v : values(4000, 5, false)) {
            win.add(v);
            ref.add(v);
        }
        CHECK(agrees(win, ref, split, "5000 values"));
        return 0;
    });
}

}  // namespace

int main() {
    test_sorted_stats_of_arrays();
    test_every_width<order::flat_window>("flat", 70);
    test_every_width<order::blocked_window>("blocked", 150);  // 1 to 3 blocks of 64
    test_replace_one_step_ahead<order::flat_window>("flat", 101, 2000);
    test_replace_one_step_ahead<order::blocked_window>("blocked", 501, 3000);
    test_layout_choice();
    for (std::size_t w : {1u, 2u, 7u, 64u, 65u, 300u}) {
        test_ranked<std::uint32_t>(600, w, false);
        test_ranked<std::uint64_t>(600, w, true);
    }
    return outliers::testing::report("test_sliding_window");
}
