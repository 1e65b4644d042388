// Order statistics shared by mad, iqr, quantile and hampel: medians and linear quantiles
// bit-identical to numpy's, taken from a column in place (no copy of the data).
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "outliers/simd/cpu.hpp"
#include "outliers/missing.hpp"
#include "outliers/parallel.hpp"
#include "outliers/simd/scan.hpp"

namespace outliers {

// ---------------------------------------------------------------- numpy's formulas

// np.median returns np.mean of the middle value(s), and np.add.reduce starts from its identity
// +0.0: the result is (a + b) / 2 or a, except that -0.0 comes out as +0.0. Where a + b
// overflows (numpy gives +-inf, though the midpoint is finite) the halves are added instead:
// a / 2 and b / 2 are exact there (both are far from the subnormals), so the sum is the
// correctly rounded midpoint. Elsewhere the result stays bit-identical to numpy's.
inline double numpy_median(double lower_middle, double upper_middle, bool even) {
    if (!even) return lower_middle + 0.0;
    const double sum = (lower_middle + upper_middle) + 0.0;
    if (std::isinf(sum) && std::isfinite(lower_middle) && std::isfinite(upper_middle))
        return lower_middle / 2.0 + upper_middle / 2.0;
    return sum / 2.0;
}

// Linear interpolation exactly as numpy's _lerp writes it (a + (b - a) t, or b - (b - a)(1 - t)
// for t >= 1/2), so results are bit-identical to np.quantile(method="linear"). The build
// compiles with -ffp-contract=off: an FMA here would round differently from numpy.
// When b - a overflows (a = -1.7e308, b = 1.7e308) numpy returns +-inf or NaN (inf * 0) though
// the interpolated value lies in [a, b]: the same formula is then applied to the halves, which
// cannot overflow, and doubled (exact), so the result is finite and right to within rounding.
inline double numpy_lerp(double a, double b, double t) {
    const double diff = b - a;
    if (std::isinf(diff) && std::isfinite(a) && std::isfinite(b)) {
        const double ha = a / 2.0, hb = b / 2.0, half_diff = hb - ha;
        return 2.0 * (t >= 0.5 ? hb - half_diff * (1.0 - t) : ha + half_diff * t);
    }
    return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

// Where np.quantile(method="linear") reads n sorted values for q (numpy's _get_indexes and
// _get_gamma): the ranks below and above the virtual index (n - 1) q, and the weight.
struct quantile_position {
    std::size_t below, above;
    double gamma;
};

inline quantile_position numpy_position(std::size_t n, double q) {
    const double virtual_index = static_cast<double>(n - 1) * q;
    // At or past the last value numpy takes index -1 for both, and gamma = virtual - (-1).
    if (virtual_index >= static_cast<double>(n - 1)) return {n - 1, n - 1, virtual_index + 1.0};
    const double below = std::floor(virtual_index);
    const auto k = static_cast<std::size_t>(below);
    return {k, k + 1, virtual_index - below};
}

// ---------------------------------------------------------------- small arrays

// The k-th smallest of v[first, last) (0-based k), reordering that range.
inline double select_kth(double* first, double* last, std::size_t k) {
    std::nth_element(first, first + k, last);
    return first[k];
}

// Smallest element of v[first, last).
inline double min_of(const double* first, const double* last) {
    return *std::min_element(first, last);
}

// Median as numpy computes it (numpy_median), reordering [first, last). Meant for small
// ranges (hampel's windows); columns go through column_selector.
inline double median_inplace(double* first, double* last) {
    const auto n = static_cast<std::size_t>(last - first);
    if (n == 0) return nan;
    const std::size_t h = n / 2;
    const double hi = select_kth(first, last, h);
    if (n % 2 == 1) return numpy_median(hi, hi, false);
    // nth_element leaves every element of [first, first + h) <= hi: the lower middle is their max.
    const double lo = *std::max_element(first, first + h);
    return numpy_median(lo, hi, true);
}

// The q-quantile (Hyndman–Fan type 7, numpy's default "linear") of [first, last), reordering it.
inline double quantile_inplace(double* first, double* last, double q) {
    const auto n = static_cast<std::size_t>(last - first);
    if (n == 0) return nan;
    const quantile_position at = numpy_position(n, q);
    const double a = select_kth(first, last, at.below);
    // After nth_element, everything right of `below` is >= a: its minimum is the next value.
    const double b = at.above == at.below ? a : min_of(first + at.below + 1, last);
    return numpy_lerp(a, b, at.gamma);
}

// ---------------------------------------------------------------- columns

// What a column-level selection is asked for: the median, or the linear q-quantile.
struct order_request {
    bool median = true;
    double q = 0.5;
};

inline constexpr std::size_t max_requests = 3;

struct order_result {
    std::size_t n = 0;  // values the statistics were taken of
    double value[max_requests] = {nan, nan, nan};
};

namespace select_detail {

// Test hook: while set, every column-level selection takes the radix path (the fallback).
inline std::atomic<bool>& force_radix() {
    static std::atomic<bool> value{false};
    return value;
}

// How many selections took the radix path since start-up (tests check they reached it).
inline std::atomic<unsigned long>& radix_runs() {
    static std::atomic<unsigned long> value{0};
    return value;
}

// The knobs of the bracket path; tests shrink them to reach every branch on small data.
struct tuning {
    std::size_t direct_limit = 32768;  // up to this many values: gather all keys, select
    std::size_t sample_size = 65536;   // at most; stratified, one value per stratum
    double z = 4.0;                    // bracket half-width, in sample standard deviations
    std::size_t budget = 0;            // most keys held at once; 0: n / 12, at least 131072 (1 MiB)
};

// Floyd & Rivest's SELECT, Algorithm 489 (CACM 18(3), 1975), in place on a[left..right]
// (inclusive): afterwards a[k] holds the key of rank k, smaller keys lie left of it and
// larger ones right. Recursing on a sample brackets k before each partition, which makes it
// about 1.5x faster than std::nth_element (introselect) on the large arrays it gets here.
inline void floyd_rivest_select(order_key* a, std::ptrdiff_t left, std::ptrdiff_t right,
                                std::ptrdiff_t k) {
    while (right > left) {
        if (right - left > 600) {
            const double n = static_cast<double>(right - left + 1);
            const double i = static_cast<double>(k - left + 1);
            const double z = std::log(n);
            const double s = 0.5 * std::exp(2.0 * z / 3.0);
            const double sd = 0.5 * std::sqrt(z * s * (n - s) / n) * (i < n / 2 ? -1.0 : 1.0);
            const double kd = static_cast<double>(k);
            floyd_rivest_select(
                a, std::max(left, static_cast<std::ptrdiff_t>(kd - i * s / n + sd)),
                std::min(right, static_cast<std::ptrdiff_t>(kd + (n - i) * s / n + sd)), k);
        }
        const order_key t = a[k];
        std::ptrdiff_t i = left, j = right;
        std::swap(a[left], a[k]);
        if (a[right] > t) std::swap(a[right], a[left]);
        while (i < j) {
            std::swap(a[i], a[j]);
            ++i;
            --j;
            while (a[i] < t) ++i;
            while (a[j] > t) --j;
        }
        if (a[left] == t) {
            std::swap(a[left], a[j]);
        } else {
            ++j;
            std::swap(a[j], a[right]);
        }
        if (j <= k) left = j + 1;
        if (k <= j) right = j - 1;
    }
}

// The k-th (k = ranks[i], ascending and distinct) smallest keys of a[0, len), reordering a:
// successive Floyd-Rivest selections on the shrinking right part; a rank right after the
// previous one is just the minimum of that part.
inline void select_ranks_in_place(order_key* a, std::size_t len, const std::size_t* ranks,
                                  std::size_t r, order_key* out) {
    std::size_t from = 0;  // a[from, len) holds exactly the keys of rank >= from
    for (std::size_t i = 0; i < r; ++i) {
        const std::size_t k = ranks[i];
        if (k == from)
            std::iter_swap(a + k, std::min_element(a + k, a + len));
        else
            floyd_rivest_select(a, static_cast<std::ptrdiff_t>(from),
                                static_cast<std::ptrdiff_t>(len) - 1,
                                static_cast<std::ptrdiff_t>(k));
        out[i] = a[k];
        from = k + 1;
    }
}

inline void select_ranks(order_key* a, std::size_t len, const std::size_t* ranks, std::size_t r,
                         order_key* out);

// A group of close ranks of a[0, len) by the column-level method in memory: a strided
// subsample brackets them, one branchless pass counts the keys below and at the bounds and
// copies those strictly between, and the ranks are read from that copy (a tenth or less of
// a). Branchless, unlike a partition, so several times faster than selecting in a. False if
// the bracket missed a rank; `a` is left as it was.
inline bool select_group_bracketed(const order_key* a, std::size_t len, const std::size_t* ranks,
                                   std::size_t r, order_key* out) {
    const auto t = static_cast<std::size_t>(
        std::clamp(std::pow(static_cast<double>(len), 2.0 / 3.0), 256.0, 8192.0));
    std::vector<order_key> sub(t);
    for (std::size_t i = 0; i < t; ++i) sub[i] = a[(i * len) / t + len / (2 * t)];
    const auto sample_rank = [&](std::size_t rank, double side) {
        const double q = static_cast<double>(rank) / static_cast<double>(len);
        const double d = 4.0 * std::sqrt(static_cast<double>(t) * q * (1.0 - q)) + 3.0;
        const double at = q * static_cast<double>(t - 1) + side * d;
        return static_cast<long long>(side < 0 ? std::floor(at) : std::ceil(at) + 1);
    };
    const long long lo = sample_rank(ranks[0], -1.0), hi = sample_rank(ranks[r - 1], 1.0);
    const auto tl = static_cast<long long>(t);
    std::size_t wanted[2]{}, count = 0;
    if (lo >= 0) wanted[count++] = static_cast<std::size_t>(lo);
    if (hi < tl) wanted[count++] = static_cast<std::size_t>(hi);
    order_key found[2]{};
    select_ranks_in_place(sub.data(), t, wanted, count, found);
    const order_key lower = lo >= 0 ? found[0] : std::numeric_limits<order_key>::min();
    const order_key upper = hi < tl ? found[count - 1] : std::numeric_limits<order_key>::max();

    const double expected = static_cast<double>(std::min(hi, tl) - std::max(lo, -1LL)) *
                            static_cast<double>(len) / static_cast<double>(t);
    const std::size_t cap = static_cast<std::size_t>(1.5 * expected) + 64;
    std::vector<order_key> inside(cap + 1);
    std::size_t lt_lo = 0, le_lo = 0, le_hi = 0, w = 0;
    for (std::size_t i = 0; i < len; ++i) {
        const order_key k = a[i];
        lt_lo += static_cast<std::size_t>(k < lower);
        le_lo += static_cast<std::size_t>(k <= lower);
        le_hi += static_cast<std::size_t>(k <= upper);
        inside[std::min(w, cap)] = k;
        w += static_cast<std::size_t>((k > lower) & (k < upper));
    }
    if (w > cap) return false;
    std::size_t local[2 * max_requests]{}, slot[2 * max_requests]{}, m = 0;
    for (std::size_t i = 0; i < r; ++i) {
        const std::size_t k = ranks[i];
        if (k < lt_lo || k >= le_hi) return false;
        if (k < le_lo) {
            out[i] = lower;
        } else if (k >= le_lo + w) {
            out[i] = upper;
        } else {
            local[m] = k - le_lo;
            slot[m++] = i;
        }
    }
    order_key got[2 * max_requests]{};
    select_ranks(inside.data(), w, local, m, got);
    for (std::size_t i = 0; i < m; ++i) out[slot[i]] = got[i];
    return true;
}

// The k-th (k = ranks[i], ascending and distinct, at most 2 * max_requests) smallest keys of
// a[0, len); `a` may be reordered. Large arrays go group by group (ranks within len/32 of
// each other) through select_group_bracketed, small ones and missed brackets through
// Floyd-Rivest.
inline void select_ranks(order_key* a, std::size_t len, const std::size_t* ranks, std::size_t r,
                         order_key* out) {
    if (len < 16384) return select_ranks_in_place(a, len, ranks, r, out);
    for (std::size_t first = 0; first < r;) {
        std::size_t last = first + 1;
        while (last < r && ranks[last] - ranks[last - 1] <= len / 32) ++last;
        if (!select_group_bracketed(a, len, ranks + first, last - first, out + first))
            select_ranks_in_place(a, len, ranks + first, last - first, out + first);
        first = last;
    }
}

// A column seen as a stream of doubles. `plain`: no mask, bitmap, sentinel or NaT, so NaN and
// +-inf are the only values to skip, and the scan kernels skip those themselves. `direct`:
// plain contiguous float64, scanned where it lies.
template <class T>
struct source {
    const column<T>& c;
    bool plain;
    bool direct;

    explicit source(const column<T>& col)
        : c(col),
          plain(!col.has_mask() && !col.valid_bits && col.sentinel_count == 0 &&
                !(std::is_same_v<T, std::int64_t> && col.int_min_is_missing)),
          direct(plain && std::is_same_v<T, double> && col.values.stride == 1) {}

    std::size_t size() const noexcept { return c.size(); }

    // [begin, end) as doubles into buf; missing values are dropped (plain columns keep NaN
    // and infinities, the kernels exclude them). Returns how many were written.
    std::size_t read(std::size_t begin, std::size_t end, double* buf) const {
        std::size_t k = 0;
        if (plain && c.values.stride == 1) {  // a loop the compiler vectorises
            const T* p = c.values.data + begin;
            for (std::size_t i = 0; i < end - begin; ++i) buf[i] = static_cast<double>(p[i]);
            k = end - begin;
        } else if (plain) {
            for (std::size_t i = begin; i < end; ++i) buf[k++] = value(c, i);
        } else {
            for (std::size_t i = begin; i < end; ++i)
                if (classify(c, i) == state::finite) buf[k++] = value(c, i);
        }
        return k;
    }

    bool finite_at(std::size_t i, double& v) const {
        if (plain) {
            v = value(c, i);
            return std::isfinite(v);
        }
        if (classify(c, i) != state::finite) return false;
        v = value(c, i);
        return true;
    }
};

// Which values a selection is over: the column's finite values, or their absolute deviations
// |x - center| (the MAD's second median), computed on the fly. A deviation may overflow to +inf
// for finite x: it is then a value (the largest), as it is for numpy.
struct value_map {
    bool deviations = false;
    double center = 0.0;
    order_key key(double x) const noexcept {
        return key_of(deviations ? std::fabs(x - center) : x);
    }
};

// Calls f(key) for every value of the selection, in order, single-threaded. Contiguous
// float64 is read in place, the rest through a small buffer of doubles.
template <class T, class F>
void for_each_key(const source<T>& s, const value_map& map, F&& f) {
    const auto each = [&](const double* x, std::size_t count) {
        for (std::size_t i = 0; i < count; ++i)
            if (std::isfinite(x[i])) f(map.key(x[i]));
    };
    if constexpr (std::is_same_v<T, double>) {
        if (s.direct) return each(s.c.values.data, s.size());
    }
    constexpr std::size_t chunk = 1024;
    double buf[chunk];
    for (std::size_t begin = 0; begin < s.size(); begin += chunk)
        each(buf, s.read(begin, std::min(s.size(), begin + chunk), buf));
}

// splitmix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", 2014):
// a fixed-seed position inside each sampling stratum.
inline std::uint64_t splitmix64(std::uint64_t x) noexcept {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// How many positions to sample among n. Floyd & Rivest's sample size grows as n^(2/3):
// (z n / 2)^(2/3) balances selecting in the sample against selecting among the gathered
// values. Below a few million values that would leave brackets wide enough (about 2z / sqrt(s)
// of the values each) to strain the memory budget with three of them: at least n / 16, up to
// 32768, then.
inline std::size_t sample_count(std::size_t n, const tuning& t) {
    const double optimal = std::pow(t.z * static_cast<double>(n) / 2.0, 2.0 / 3.0);
    const std::size_t wanted =
        std::max(static_cast<std::size_t>(optimal) + 64, std::min<std::size_t>(n / 16, 32768));
    return std::max<std::size_t>(1, std::min({t.sample_size, n / 4, wanted}));
}

// The s sample positions in [0, n), in increasing order: position j is in stratum
// [floor(j n / s), floor((j + 1) n / s)), at a fixed-seed place inside it (Lemire's
// multiply-shift range reduction, "Fast random integer generation in an interval", 2019).
// Deterministic and spread over the whole column, so neither sorted nor periodic data can
// hide from it as they could from a fixed stride. Strata bounds are stepped without division.
class sample_positions {
  public:
    sample_positions(std::size_t s, std::size_t n) : s_(s), width_(n / s), extra_(n % s) {}

    std::size_t next() noexcept {
        std::size_t end = begin_ + width_;
        carry_ += extra_;
        if (carry_ >= s_) {
            carry_ -= s_;
            ++end;
        }
        const std::uint64_t h = splitmix64(j_++);
        const std::uint64_t w = end - begin_;
        const std::uint64_t offset = w < (std::uint64_t{1} << 32) ? ((h >> 32) * w) >> 32 : h % w;
        const std::size_t at = begin_ + static_cast<std::size_t>(offset);
        begin_ = end;
        return at;
    }

  private:
    std::size_t s_, width_, extra_;
    std::size_t begin_ = 0, carry_ = 0;
    std::uint64_t j_ = 0;
};

// The answer for the wanted ranks: which ranks, and their keys once found.
struct rank_set {
    std::size_t rank[2 * max_requests]{};
    order_key key[2 * max_requests]{};
    std::size_t count = 0;

    // The ranks the requests read among n values, ascending and distinct.
    void plan(const order_request* req, std::size_t m, std::size_t n) {
        count = 0;
        for (std::size_t j = 0; j < m; ++j) {
            std::size_t a, b;
            if (req[j].median) {
                a = (n - 1) / 2;
                b = n / 2;
            } else {
                const quantile_position at = numpy_position(n, req[j].q);
                a = at.below;
                b = at.above;
            }
            rank[count++] = a;
            rank[count++] = b;
        }
        std::sort(rank, rank + count);
        count = static_cast<std::size_t>(std::unique(rank, rank + count) - rank);
    }

    double at(std::size_t r) const {
        const std::size_t i =
            static_cast<std::size_t>(std::lower_bound(rank, rank + count, r) - rank);
        return value_of(key[i]);
    }

    order_result assemble(const order_request* req, std::size_t m, std::size_t n) const {
        order_result out;
        out.n = n;
        for (std::size_t j = 0; j < m; ++j) {
            if (req[j].median) {
                out.value[j] = numpy_median(at((n - 1) / 2), at(n / 2), n % 2 == 0);
            } else {
                const quantile_position p = numpy_position(n, req[j].q);
                out.value[j] = numpy_lerp(at(p.below), at(p.above), p.gamma);
            }
        }
        return out;
    }
};

}  // namespace select_detail

// Exact order statistics of a column's finite values (or of their absolute deviations from
// a center), without copying the column.
//
// The bracket path is Floyd & Rivest's selection ("Expected time bounds for selection", CACM
// 18(3), 1975) turned into a streaming pass: a fixed-seed stratified sample gives, for each
// wanted rank, two bounds that almost surely bracket it; one vectorised pass (select_scan.hpp)
// counts the values below each bracket and gathers the few inside it (about 1.5 % of the
// values; ties at a bound are counted instead of gathered when the sample shows them), and
// selection among those gives the answer. Whether the bracket held is known exactly from the
// counts; if it did not (or too many values fell inside), the radix path finds the same answer.
// Small columns are simply gathered whole. The sample, the bounds and every decision depend on
// the data only: never on the thread count or the CPU level.
template <class T>
class column_selector {
  public:
    explicit column_selector(const column<T>& c, select_detail::tuning t = {})
        : src_(c), tune_(t) {}

    // The requests (at most max_requests), over the finite values, or over |x - center|.
    order_result run(const order_request* req, std::size_t m, bool deviations = false,
                     double center = 0.0) {
        using namespace select_detail;
        const value_map map{deviations, center};
        const std::size_t n_all = src_.size();
        const bool forced = force_radix().load();
        if (n_all == 0) return {};
        if (n_all <= tune_.direct_limit && !forced) return direct(map, req, m);
        const std::size_t budget =
            tune_.budget ? tune_.budget : std::max<std::size_t>(131072, n_all / 12);
        rank_set ranks;
        if (!forced) {
            std::size_t n = 0;
            if (bracketed(map, req, m, budget, ranks, n))
                return n == 0 ? order_result{} : ranks.assemble(req, m, n);
        }
        radix_runs().fetch_add(1);
        const std::size_t n = radix(map, req, m, ranks, budget);
        return n == 0 ? order_result{} : ranks.assemble(req, m, n);
    }

  private:
    select_detail::source<T> src_;
    select_detail::tuning tune_;
    std::vector<select_detail::order_key> sample_;  // keys of finite values at fixed positions
    std::size_t drawn_ = 0;                         // positions sampled (finite or not)
    bool sample_ready_ = false;  // sample_ holds the values' own keys (not deviations)

    order_result direct(const select_detail::value_map& map, const order_request* req,
                        std::size_t m) {
        using namespace select_detail;
        std::vector<order_key> keys;
        for_each_key(src_, map, [&](order_key k) { keys.push_back(k); });
        if (keys.empty()) return {};
        rank_set ranks;
        ranks.plan(req, m, keys.size());
        select_ranks(keys.data(), keys.size(), ranks.rank, ranks.count, ranks.key);
        return ranks.assemble(req, m, keys.size());
    }

    // The sample: the keys of the finite values at select_detail::sample_positions.
    void draw_sample() {
        const std::size_t n_all = src_.size();
        const std::size_t s = select_detail::sample_count(n_all, tune_);
        drawn_ = s;
        sample_.clear();
        sample_.reserve(s);
        // Every read is a cache miss: positions are prefetched `ahead` reads in advance.
        constexpr std::size_t ahead = 64;
        select_detail::sample_positions walk(s, n_all);
        std::size_t upcoming[ahead];
        for (std::size_t j = 0; j < std::min(s, ahead); ++j) {
            upcoming[j] = walk.next();
            __builtin_prefetch(&src_.c.values[upcoming[j]]);
        }
        for (std::size_t j = 0; j < s; ++j) {
            const std::size_t at = upcoming[j % ahead];
            if (j + ahead < s) {
                upcoming[j % ahead] = walk.next();
                __builtin_prefetch(&src_.c.values[upcoming[j % ahead]]);
            }
            double v;
            if (src_.finite_at(at, v)) sample_.push_back(select_detail::key_of(v));
        }
        sample_ready_ = true;
    }

    // The bracket path; false when the bracket missed or overflowed (then nothing is set).
    bool bracketed(const select_detail::value_map& map, const order_request* req, std::size_t m,
                   std::size_t budget, select_detail::rank_set& ranks, std::size_t& n) {
        using namespace select_detail;
        if (!sample_ready_) draw_sample();
        // Selection reorders the sample, which is harmless; mapping it to deviations is not,
        // so a later run draws it again.
        if (map.deviations) {
            for (order_key& k : sample_) k = map.key(value_of(k));
            sample_ready_ = false;
        }
        std::vector<order_key>& keys = sample_;
        const std::size_t s = keys.size();

        // Sample ranks of each request's bounds; beyond the sample, the bound is the extreme.
        struct bracket {
            double q;
            long long lo, hi;  // sample ranks, may fall outside [0, s)
        };
        bracket br[max_requests];
        std::vector<std::size_t> wanted;
        for (std::size_t j = 0; j < m; ++j) {
            const double q = req[j].median ? 0.5 : req[j].q;
            const double r = q * static_cast<double>(s ? s - 1 : 0);
            const double d = tune_.z * std::sqrt(static_cast<double>(s) * q * (1.0 - q)) + 3.0;
            br[j] = {q, static_cast<long long>(std::floor(r - d)),
                     static_cast<long long>(std::ceil(r + d)) + 1};
            for (long long rank : {br[j].lo, br[j].hi})
                if (rank >= 0 && rank < static_cast<long long>(s))
                    wanted.push_back(static_cast<std::size_t>(rank));
        }
        std::sort(wanted.begin(), wanted.end());
        wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
        std::vector<order_key> at(wanted.size());
        select_ranks(keys.data(), s, wanted.data(), wanted.size(), at.data());
        const auto sample_key = [&](long long rank, order_key beyond) {
            if (rank < 0 || rank >= static_cast<long long>(s)) return beyond;
            const auto i =
                std::lower_bound(wanted.begin(), wanted.end(), static_cast<std::size_t>(rank)) -
                wanted.begin();
            return std::clamp(at[static_cast<std::size_t>(i)], key_lowest, key_highest);
        };

        // Intervals in increasing order, overlapping ones merged.
        std::size_t
            order[max_requests];  // insertion sort (std::sort trips GCC 12's -Warray-bounds)
        for (std::size_t j = 0; j < m; ++j) {
            std::size_t i = j;
            for (; i > 0 && br[order[i - 1]].q > br[j].q; --i) order[i] = order[i - 1];
            order[i] = j;
        }
        scan_plan plan;
        plan.deviations = map.deviations;
        plan.center = map.center;
        for (std::size_t o = 0; o < m; ++o) {
            const bracket& b = br[order[o]];
            const order_key lo = sample_key(b.lo, key_lowest), hi = sample_key(b.hi, key_highest);
            const int last = plan.intervals - 1;
            if (last >= 0 && lo <= plan.hi[last]) {
                plan.hi[last] = std::max(plan.hi[last], hi);
                continue;
            }
            plan.lo[plan.intervals] = lo;
            plan.hi[plan.intervals] = hi;
            ++plan.intervals;
        }

        // Room for the keys each interval gathers: the sample's count, scaled to the column,
        // with a margin of five standard deviations (a count k has a relative standard deviation
        // of about 1/sqrt(k): 5 % for a typical 400). Strict gathering (ties at the bounds counted,
        // not kept) is chosen when the sample shows such ties matter; the lighter inclusive pass
        // otherwise. If even the estimate exceeds the budget, the bracket is hopeless: go radix at
        // once.
        std::size_t within[max_intervals] = {}, strictly[max_intervals] = {};
        for (order_key k : keys)
            for (int j = 0; j < plan.intervals; ++j) {
                within[j] += static_cast<std::size_t>(k >= plan.lo[j] && k <= plan.hi[j]);
                strictly[j] += static_cast<std::size_t>(k > plan.lo[j] && k < plan.hi[j]);
            }
        plan.strict = false;
        for (int j = 0; j < plan.intervals; ++j)
            if (within[j] - strictly[j] > std::max<std::size_t>(4, strictly[j] / 16))
                plan.strict = true;
        gather_regions regions;
        std::size_t total = 0;
        const double scale = static_cast<double>(src_.size()) / static_cast<double>(drawn_);
        for (int j = 0; j < plan.intervals; ++j) {
            const double kept = static_cast<double>(plan.strict ? strictly[j] : within[j]);
            const double margin = 1.0 + 5.0 / std::sqrt(kept + 1.0);
            regions.capacity[j] = static_cast<std::size_t>(margin * kept * scale) + 1024;
            total += regions.capacity[j];
        }
        if (total > budget) return false;
        std::unique_ptr<order_key[]> store(new order_key[total]);  // pages touched as filled
        std::size_t offset = 0;
        for (int j = 0; j < plan.intervals; ++j) {
            regions.data[j] = store.get() + offset;
            offset += regions.capacity[j];
        }

        const scan_counts counts = scan_all(plan, regions);

        const std::uint64_t low = counts.at_or_below_neg_inf;
        const std::size_t finite = static_cast<std::size_t>(counts.below_pos_inf - low);
        n = finite + static_cast<std::size_t>(counts.overflow);
        if (n == 0) return true;  // every value is missing: nothing to select
        ranks.plan(req, m, n);
        // Each rank lies below, at or above a bound, or in the gathered keys (then all ranks of
        // one interval are read in one select_ranks call). The gathered keys run from rank
        // `first` to `end`: the keys at the bounds are among them unless the plan is strict.
        std::size_t local[max_intervals][2 * max_requests], slot[max_intervals][2 * max_requests];
        std::size_t local_count[max_intervals] = {};
        std::size_t lt_lo[max_intervals], le_hi[max_intervals], first[max_intervals],
            end[max_intervals];
        for (int j = 0; j < plan.intervals; ++j) {
            lt_lo[j] = static_cast<std::size_t>(counts.lt_lo[j] - low);
            le_hi[j] = static_cast<std::size_t>(counts.le_hi[j] - low);
            first[j] = plan.strict ? static_cast<std::size_t>(counts.le_lo[j] - low) : lt_lo[j];
            end[j] = plan.strict ? static_cast<std::size_t>(counts.lt_hi[j] - low) : le_hi[j];
        }
        for (std::size_t i = 0; i < ranks.count; ++i) {
            const std::size_t r = ranks.rank[i];
            if (r >= finite) {  // only overflowed deviations lie beyond the finite keys
                ranks.key[i] = key_pos_inf;
                continue;
            }
            int j = 0;
            while (j < plan.intervals && !(lt_lo[j] <= r && r < le_hi[j])) ++j;
            if (j == plan.intervals) return false;  // the bracket missed this rank
            if (r < first[j]) {
                ranks.key[i] = plan.lo[j];
            } else if (r >= end[j]) {
                ranks.key[i] = plan.hi[j];
            } else {
                local[j][local_count[j]] = r - first[j];
                slot[j][local_count[j]++] = i;
            }
        }
        for (int j = 0; j < plan.intervals; ++j) {
            if (local_count[j] == 0) continue;
            const std::size_t kept = end[j] - first[j];
            if (kept > regions.capacity[j])
                return false;  // more fell inside than there was room for
            order_key found[2 * max_requests];
            select_ranks(regions.data[j], kept, local[j], local_count[j], found);
            for (std::size_t i = 0; i < local_count[j]; ++i) ranks.key[slot[j][i]] = found[i];
        }
        return true;
    }

    // Exact selection by most-significant-digit radix on the keys' unsigned image (radix
    // select; e.g. Alabi et al., "Fast k-selection algorithms for graphics processing units",
    // 2012). A pass histograms the next 16 bits (8 on small columns) of the keys sharing each
    // wanted rank's prefix (the first: sign, exponent and 4 mantissa bits); once a prefix holds few
    // enough keys, one vectorised scan gathers them by their key range, which cannot miss, and
    // selection among them ends the search. On smooth data that is one histogram pass and one
    // scan. Memory: a 65536-bin histogram per followed prefix and at most `budget` keys.
    std::size_t radix(const select_detail::value_map& map, const order_request* req, std::size_t m,
                      select_detail::rank_set& ranks, std::size_t budget) {
        using namespace select_detail;
        // 16-bit digits on large columns; on small ones a 65536-bin histogram would cost more
        // to clear than the pass itself.
        const int digit = src_.size() >= (std::size_t{1} << 18) ? 16 : 8;
        const std::size_t bins = std::size_t{1} << digit;
        struct prefix_group {
            std::uint64_t prefix = 0;  // the top `bits` bits of the image of its keys
            int bits = 0;
            std::uint64_t below = 0, count = 0;  // keys before the group's range, and in it
            std::vector<std::size_t> wanted;     // indexes into ranks
            std::vector<std::uint64_t> hist;
            order_key lo() const { return key_of_image(prefix << (64 - bits)); }
            order_key hi() const {
                return key_of_image((prefix << (64 - bits)) | (~std::uint64_t{0} >> bits));
            }
        };
        // Splits a histogrammed group into the bins holding wanted ranks.
        const auto split = [&](const prefix_group& g, std::vector<prefix_group>& out) {
            std::uint64_t below = g.below;
            std::size_t w = 0;
            for (std::size_t bin = 0; bin < bins && w < g.wanted.size(); ++bin) {
                prefix_group child;
                child.prefix = (g.prefix << digit) | bin;
                child.bits = g.bits + digit;
                child.below = below;
                child.count = g.hist[bin];
                below += g.hist[bin];
                while (w < g.wanted.size() && ranks.rank[g.wanted[w]] < below)
                    child.wanted.push_back(g.wanted[w++]);
                if (child.wanted.empty()) continue;
                if (child.bits == 64)  // all its keys are one key
                    for (std::size_t i : child.wanted) ranks.key[i] = key_of_image(child.prefix);
                else
                    out.push_back(std::move(child));
            }
        };

        // First pass: every key. Overflowed deviations (+inf) sit above all others.
        prefix_group all;
        all.hist.assign(bins, 0);
        std::uint64_t overflow = 0;
        for_each_key(src_, map, [&](order_key k) {
            if (k == key_pos_inf)
                ++overflow;
            else
                ++all.hist[image_of(k) >> (64 - digit)];
        });
        std::uint64_t finite = 0;
        for (std::uint64_t h : all.hist) finite += h;
        const auto n = static_cast<std::size_t>(finite + overflow);
        if (n == 0) return 0;
        ranks.plan(req, m, n);
        for (std::size_t i = 0; i < ranks.count; ++i) {
            if (ranks.rank[i] < finite)
                all.wanted.push_back(i);
            else
                ranks.key[i] = key_pos_inf;
        }
        std::vector<prefix_group> groups;
        split(all, groups);
        all.hist = {};

        while (!groups.empty()) {
            const std::size_t limit = budget / groups.size();
            std::vector<prefix_group> gather, deeper;
            for (prefix_group& g : groups)
                (g.count <= limit ? gather : deeper).push_back(std::move(g));
            // Gather by key range, up to max_intervals groups a scan (they are in key order).
            for (std::size_t first = 0; first < gather.size(); first += max_intervals) {
                const std::size_t count =
                    std::min<std::size_t>(max_intervals, gather.size() - first);
                scan_plan plan;
                plan.intervals = static_cast<int>(count);
                plan.strict = false;
                plan.deviations = map.deviations;
                plan.center = map.center;
                gather_regions regions;
                std::size_t total = 0;
                for (std::size_t j = 0; j < count; ++j) {
                    const prefix_group& g = gather[first + j];
                    plan.lo[j] = std::max(g.lo(), key_lowest);
                    plan.hi[j] = std::min(g.hi(), key_highest);
                    regions.capacity[j] = static_cast<std::size_t>(g.count);
                    total += regions.capacity[j];
                }
                std::unique_ptr<order_key[]> store(new order_key[std::max<std::size_t>(1, total)]);
                for (std::size_t j = 0, offset = 0; j < count; offset += regions.capacity[j++])
                    regions.data[j] = store.get() + offset;
                scan_all(plan, regions);
                for (std::size_t j = 0; j < count; ++j) {
                    const prefix_group& g = gather[first + j];
                    std::size_t local[2 * max_requests];
                    order_key found[2 * max_requests];
                    for (std::size_t i = 0; i < g.wanted.size(); ++i)
                        local[i] = ranks.rank[g.wanted[i]] - static_cast<std::size_t>(g.below);
                    select_ranks(regions.data[j], regions.capacity[j], local, g.wanted.size(),
                                 found);
                    for (std::size_t i = 0; i < g.wanted.size(); ++i)
                        ranks.key[g.wanted[i]] = found[i];
                }
            }
            if (deeper.empty()) break;
            // Histogram the next digit of every group still too large, in one pass.
            for (prefix_group& g : deeper) g.hist.assign(bins, 0);
            for_each_key(src_, map, [&](order_key k) {
                const std::uint64_t u = image_of(k);
                for (prefix_group& g : deeper)
                    if ((u >> (64 - g.bits)) == g.prefix)
                        ++g.hist[(u >> (64 - g.bits - digit)) & (bins - 1)];
            });
            groups.clear();
            for (const prefix_group& g : deeper) split(g, groups);
        }
        return n;
    }

    // One pass over the column, in fixed blocks (threads optional): counts summed per block.
    select_detail::scan_counts scan_all(const select_detail::scan_plan& plan,
                                        select_detail::gather_regions& regions) {
        using namespace select_detail;
        const cpu::level level = cpu::active();
        const std::size_t n_all = src_.size();
        std::vector<scan_counts> partial(block_count(n_all));
        for_each_block(n_all, [&](std::size_t b, std::size_t begin, std::size_t end) {
            std::unique_ptr<scan_stage> stage(new scan_stage);  // keys left uninitialised
            stage->regions = &regions;
            scan_counts local;
            if (src_.direct) {
                if constexpr (std::is_same_v<T, double>)
                    scan(src_.c.values.data + begin, end - begin, plan, local, *stage, level);
            } else {
                double buf[scan_stage::piece];
                for (std::size_t i = begin; i < end; i += scan_stage::piece) {
                    const std::size_t count =
                        src_.read(i, std::min(end, i + scan_stage::piece), buf);
                    scan(buf, count, plan, local, *stage, level);
                }
            }
            stage->flush(plan.intervals);
            partial[b] = local;
        });
        scan_counts total;
        for (const scan_counts& c : partial) total.add(c);
        return total;
    }
};

}  // namespace outliers
