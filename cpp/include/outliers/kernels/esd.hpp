// Generalized ESD test (Rosner 1983; NIST/SEMATECH e-Handbook §1.3.5.17.3): flags, scores, bounds.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "outliers/column.hpp"
#include "outliers/outputs.hpp"
#include "outliers/parallel.hpp"
#include "outliers/read_doubles.hpp"
#include "outliers/simd/lanes.hpp"
#include "outliers/stats/moments.hpp"
#include "outliers/stats/rules.hpp"
#include "outliers/stats/student_t.hpp"

namespace outliers::kernels {

struct esd_params {
    std::size_t max_outliers = 10;
    double alpha = 0.05;
};

// The test's tables, for tests and reports: r_stats[i-1] = R_i, lambdas[i-1] = λ_i, i = 1..r.
struct esd_detail {
    std::vector<double> r_stats, lambdas;
    std::size_t n_outliers = 0;
};

}  // namespace outliers::kernels

namespace outliers::detail::esd_impl {

struct point {
    double x;
    std::size_t pos;
};

// The order in which the test removes values from each end. Among equal |x − mean| the
// reference (np.argmax on the remaining array) takes the smallest position, so ties in value
// go by position on both ends.
// Function objects rather than functions: passed as pointers, they were not inlined.
inline constexpr auto low_first = [](const point& a, const point& b) noexcept {
    return a.x < b.x || (a.x == b.x && a.pos < b.pos);
};
inline constexpr auto high_first = [](const point& a, const point& b) noexcept {
    return a.x > b.x || (a.x == b.x && a.pos < b.pos);
};

// Keeps at least the `cap` (> 0) points that come first under `first` among those offered,
// and `limit`, the value of the cap-th first once cap have been offered (+-inf before): only a
// value strictly before it can still be among the first (a later one tying with it comes after
// it). Offers are appended, and when 2 cap are held the cap first are selected and the rest
// dropped: amortised O(1) an offer, where a heap took O(log cap) scattered accesses (half of
// esd's time at cap = 10^6).
template <class First>
void keep_first(std::vector<point>& kept, double& limit, std::size_t cap, const point& p,
                First first) {
    kept.push_back(p);
    if (kept.size() == cap || kept.size() == 2 * cap) {
        const auto last = kept.begin() + static_cast<std::ptrdiff_t>(cap - 1);
        std::nth_element(kept.begin(), last, kept.end(), first);
        limit = last->x;
        kept.resize(cap);
    }
}

// The first r points under `first` (there are at least r), in that order.
template <class First>
void keep_first_r(std::vector<point>& v, std::size_t r, First first) {
    if (v.size() > r) {
        std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(r), v.end(), first);
        v.resize(r);
    }
    std::sort(v.begin(), v.end(), first);
}

// The points of a and b by position, each once (the two ends overlap when n < 2r or when many
// values tie).
inline std::vector<point> union_by_position(const std::vector<point>& a,
                                            const std::vector<point>& b) {
    std::vector<point> u(a);
    u.insert(u.end(), b.begin(), b.end());
    std::sort(u.begin(), u.end(), [](const point& p, const point& q) { return p.pos < q.pos; });
    u.erase(std::unique(u.begin(), u.end(),
                        [](const point& p, const point& q) { return p.pos == q.pos; }),
            u.end());
    return u;
}

// Compensated summation (the rounding error of every addition, exact by TwoSum, summed apart:
// Neumaier 1974), for the total of what is left at each step: the core's compensated sum
// (moments.hpp) plus the remaining candidates.
struct compensated_sum {
    double s = 0.0, c = 0.0;
    void add(double x) noexcept { lanes::detail::two_sum(s, c, x); }
    void add(const compensated_sum& o) noexcept {
        add(o.s);
        add(o.c);
    }
    double value() const noexcept { return s + c; }
};

// Count, mean and sum of squared deviations of a set of values.
struct spread_of {
    double count = 0.0, mean = 0.0, m2 = 0.0;
};

// Pooled moments of two disjoint sets (Chan, Golub & LeVeque 1979, "Updating formulae and a
// pairwise algorithm for computing sample variances"). Both inputs come from two-pass sums,
// so nothing is ever subtracted back out of a total: a huge outlier that has been removed
// leaves no cancellation error behind.
inline spread_of combine(const spread_of& a, const spread_of& b) noexcept {
    if (a.count == 0.0) return b;
    if (b.count == 0.0) return a;
    const double n = a.count + b.count;
    const double delta = b.mean - a.mean;
    return {n, a.mean + delta * (b.count / n),
            a.m2 + b.m2 + delta * delta * (a.count * b.count / n)};
}

// The moments of v[a, b) for a sorted v, as a only grows and b only shrinks (the candidates
// left after each removal, which takes the lowest or the highest), without ever subtracting a
// value back out. From a split point s in [a, b], side_[j] holds the moments of v[j, s) for
// j < s and of v[s, j) for j > s, each built by adding one value at a time outward from s
// (Welford's update, as combine() with a single value), and v[a, b) pools side_[a] and
// side_[b]. When a or b passes s the tables are rebuilt around the middle of [a, b): an end
// must then move half the range before the next rebuild, so the total work is O(size)
// (amortised O(1) per removal), where recomputing what is left at each step cost O(size) each.
class shrinking_range {
  public:
    explicit shrinking_range(const std::vector<double>& v) : v_(v), side_(v.size() + 1) {
        rebuild(0, v.size());
    }

    // Compensated sum and moments of v[a, b).
    void of(std::size_t a, std::size_t b, compensated_sum& sum, spread_of& spread) {
        if (a > split_ || b < split_) rebuild(a, b);
        sum = side_[a].sum;
        sum.add(side_[b].sum);
        spread = combine(side_[a].spread, side_[b].spread);
    }

  private:
    struct entry {
        compensated_sum sum;
        spread_of spread;
    };
    const std::vector<double>& v_;
    std::vector<entry> side_;
    std::size_t split_ = 0;

    static entry with(entry e, double x) noexcept {
        e.sum.add(x);
        e.spread = combine(e.spread, {1.0, x, 0.0});
        return e;
    }

    void rebuild(std::size_t a, std::size_t b) {
        split_ = a + (b - a) / 2;
        side_[split_] = entry{};
        for (std::size_t j = split_; j > a; --j) side_[j - 1] = with(side_[j], v_[j - 1]);
        for (std::size_t j = split_; j < b; ++j) side_[j + 1] = with(side_[j], v_[j]);
    }
};

// λ_i = (n−i) t_{p, n−i−1} / sqrt((n−i−1+t²)(n−i+1)), p = 1 − α/(2(n−i+1)) (Rosner 1983,
// eq. 2.5; e-Handbook 1.3.5.17.3). p is formed exactly as the reference writes it, so the
// same double reaches the quantile; only when 1 − q rounds to 1 (n > ~1e14, or a tiny α) is
// the upper tail q used directly, and where q itself underflows (α = 5e-324) its logarithm.
// A t too large to square (or beyond the doubles: df = 1) gives λ's limit form
// (n−i) / sqrt((1 + (n−i−1)/t²)(n−i+1)), which tends to (n−i)/sqrt(n−i+1).
inline double critical_value(std::size_t n, std::size_t i, double alpha) {
    const auto m = static_cast<double>(n - i);  // n − i
    const double q = alpha / (2.0 * (m + 1.0));
    const double p = 1.0 - q;
    const double df = m - 1.0;
    const double log_q = std::log(alpha) - std::log(2.0 * (m + 1.0));
    const double t = p < 1.0 ? student_t_quantile(p, df)
                     : q >= std::numeric_limits<double>::min()
                         ? -student_t_quantile(q, df)
                         : student_t_upper_quantile_log(log_q, df);
    if (!std::isfinite(t * t)) return m / std::sqrt(((m - 1.0) / t / t + 1.0) * (m + 1.0));
    return m * t / std::sqrt((m - 1.0 + t * t) * (m + 1.0));
}

// What the test finds from the candidates and the moments of every other finite value.
struct esd_outcome {
    summary result;                        // center and bounds (n_used: the finite values)
    std::vector<std::size_t> removed_pos;  // the r tested values, in removal order
    std::vector<double> r_stats, lambdas;  // R_i and λ_i, i = 1..r
    std::size_t n_outliers = 0;            // k: the first k removed values are outliers
};

// Steps 3 and 4 of esd() below, for n finite values of which `core` holds all but the
// candidates `cand` (sorted by position, distinct); `low` and `high` are the r first
// candidates from each end in removal order (r = min(max_outliers, n − 2), n >= 3).
inline esd_outcome esd_iterate(const moments& core, const std::vector<point>& cand,
                               const std::vector<point>& low, const std::vector<point>& high,
                               std::size_t n, std::size_t r, double alpha) {
    std::vector<std::size_t> cand_pos(cand.size());
    for (std::size_t j = 0; j < cand.size(); ++j) cand_pos[j] = cand[j].pos;
    const auto index_of = [&](std::size_t pos) {
        return static_cast<std::size_t>(std::lower_bound(cand_pos.begin(), cand_pos.end(), pos) -
                                        cand_pos.begin());
    };
    std::vector<std::size_t> low_order(r), high_order(r);
    for (std::size_t j = 0; j < r; ++j) {
        low_order[j] = index_of(low[j].pos);
        high_order[j] = index_of(high[j].pos);
    }

    const compensated_sum core_sum{core.sum, core.sum_err};
    const spread_of core_m{core.count, core.count > 0.0 ? core.mean : 0.0, core.m2};

    // The candidates' values in increasing order: those left at any step are a run of them,
    // v[a, b), since a removal takes the lowest or the highest remaining value.
    std::vector<double> v(cand.size());
    for (std::size_t j = 0; j < cand.size(); ++j) v[j] = cand[j].x;
    std::sort(v.begin(), v.end());
    shrinking_range left(v);
    std::size_t a = 0, b = v.size();

    // Step 3. Step i (1-based) sees the values left after i − 1 removals; step r + 1 only
    // provides the moments for the bounds when all r removals are flagged.
    std::vector<char> removed(cand.size(), 0);
    std::size_t low_head = 0, high_head = 0;  // first not-yet-removed entry of each order
    std::vector<double> means(r + 2, nan), sds(r + 2, nan), r_stats(r, 0.0), lambdas(r, nan);
    std::vector<std::size_t> removed_pos(r, 0);
    for (std::size_t i = 1; i <= r + 1; ++i) {
        while (low_head < r && removed[low_order[low_head]]) ++low_head;
        while (high_head < r && removed[high_order[high_head]]) ++high_head;

        spread_of cm;
        compensated_sum total = core_sum, rest_sum;
        left.of(a, b, rest_sum, cm);
        total.add(rest_sum);
        // Constant: the core is (empty or) all one value and every remaining candidate equals it.
        const double common = core.count > 0.0 ? core.first : a < b ? v[a] : nan;
        const bool constant = (core.count == 0.0 || core.constant) &&
                              (a == b || (v[a] == common && v[b - 1] == common));
        const spread_of all = combine(core_m, cm);
        // The mean from the compensated total of what is left (core and remaining candidates,
        // never a difference): correctly rounded in practice, as numpy's is whenever its sum is
        // exact, so exact ties in |x − mean| (integer data) resolve as the reference's do.
        means[i] = constant ? common : total.value() / all.count;
        sds[i] = constant ? 0.0 : std::sqrt(all.m2 / (all.count - 1.0));
        if (i > r) break;

        // The value farthest from the mean is the lowest or the highest remaining candidate.
        const point& lo = cand[low_order[low_head]];
        const point& hi = cand[high_order[high_head]];
        const double d_lo = std::fabs(lo.x - means[i]), d_hi = std::fabs(hi.x - means[i]);
        const bool take_low = d_lo > d_hi || (d_lo == d_hi && lo.pos < hi.pos);
        const std::size_t j = take_low ? low_order[low_head] : high_order[high_head];
        removed[j] = 1;
        if (take_low)
            ++a;
        else
            --b;
        removed_pos[i - 1] = cand[j].pos;
        r_stats[i - 1] = sds[i] > 0.0 ? std::max(d_lo, d_hi) / sds[i] : 0.0;
        lambdas[i - 1] = critical_value(n, i, alpha);
    }

    // The number of outliers is the largest i with R_i > λ_i, not the first failure.
    std::size_t k = 0;
    for (std::size_t i = r; i >= 1; --i)
        if (r_stats[i - 1] > lambdas[i - 1]) {
            k = i;
            break;
        }

    // Bounds from the values left after the k flagged ones: mean_k ± λ_{k+1} s_k.
    esd_outcome o;
    o.result.center = means[k + 1];
    // λ_{k+1} needs n − k − 2 > 0 degrees of freedom; with k = n − 2 there are none left.
    const double lambda_next = k < r           ? lambdas[k]
                               : n - k - 2 > 0 ? critical_value(n, k + 1, alpha)
                                               : nan;
    const rules::band bounds = rules::around(o.result.center, lambda_next, sds[k + 1]);
    o.result.lower = bounds.lower;
    o.result.upper = bounds.upper;

    o.result.n_used = n;
    o.removed_pos = std::move(removed_pos);
    o.r_stats = std::move(r_stats);
    o.lambdas = std::move(lambdas);
    o.n_outliers = k;
    return o;
}

// What one read of a column gives the test (step 1 of esd() below): the moments of every
// sub-block, and the union of the threads' candidate sets (keep_first) from each end (not
// sorted; it holds the `cap` first overall). Missing and infinite values get their outputs.
struct scanned {
    std::vector<moments> subs;
    std::vector<point> low, high;
};

template <class T>
scanned scan(const double_reader<T>& reader, std::size_t size, std::size_t cap, const outputs& out,
             cpu::level level) {
    // Each thread keeps one pair of candidate sets (keep_first) over all the blocks it reads,
    // so that after its first `cap` values only values beyond a limit can enter.
    // for_each_block hands a thread its blocks in increasing order (parallel.hpp), so a value
    // tying with a limit comes after it in removal order and is rightly left out by the strict
    // comparisons. The union of the threads' sets holds the `cap` first from each end whatever
    // the timing; the caller sorts it by (value, position).
    struct worker {
        std::thread::id id;
        std::vector<point> low, high;
        double low_limit = inf, high_limit = -inf;
    };
    std::mutex workers_mutex;
    std::deque<worker> workers;  // a deque: references stay valid as threads join
    const auto mine = [&]() -> worker& {
        const std::lock_guard<std::mutex> lock(workers_mutex);
        const auto id = std::this_thread::get_id();
        for (auto& w : workers)
            if (w.id == id) return w;
        workers.push_back(worker{id, {}, {}, inf, -inf});
        return workers.back();
    };
    scanned sc;
    sc.subs.resize(block_count(size, lanes::sub_block));
    for_each_block(size, [&](std::size_t, std::size_t begin, std::size_t end) {
        worker& w = mine();
        double buf[lanes::sub_block];
        std::uint16_t hits[lanes::sub_block];
        bool missing_before = false;  // in the previous sub-block: the careful loop at once
        for (std::size_t s = begin; s < end; s += lanes::sub_block) {
            const std::size_t len = std::min(lanes::sub_block, end - s);
            const double* x = reader.read(s, len, buf);
            // Without candidates to find (cap 0) no finite value passes these limits.
            double lo = cap ? w.low_limit : -inf, hi = cap ? w.high_limit : inf;
            std::size_t n_hits = 0;
            const lanes::lane_sums a =
                lanes::extremes(level, x, len, out.flags ? out.flags + s : nullptr,
                                out.scores ? out.scores + s : nullptr, lo, hi, hits, n_hits,
                                out.stream_flags || size >= lanes::stream_min, missing_before);
            const moments& m = sc.subs[s / lanes::sub_block] = finish(level, x, len, a);
            missing_before = m.count < static_cast<double>(len);
            for (std::size_t j = 0; j < n_hits; ++j) {
                const point pt{x[hits[j]], s + hits[j]};
                if (pt.x < lo) {
                    keep_first(w.low, w.low_limit, cap, pt, low_first);
                    lo = w.low_limit;
                }
                if (pt.x > hi) {
                    keep_first(w.high, w.high_limit, cap, pt, high_first);
                    hi = w.high_limit;
                }
            }
        }
        lanes::store_fence();
    });
    for (const auto& w : workers) {
        sc.low.insert(sc.low.end(), w.low.begin(), w.low.end());
        sc.high.insert(sc.high.end(), w.high.begin(), w.high.end());
    }
    return sc;
}

// True when a sum of n of the values could overflow: the largest |x| (the candidates from both
// ends hold the smallest and the largest value) is above DBL_MAX / (2n).
inline bool sums_may_overflow(const scanned& sc, std::size_t n) {
    double biggest = 0.0;
    for (const point& q : sc.low) biggest = std::max(biggest, std::fabs(q.x));
    for (const point& q : sc.high) biggest = std::max(biggest, std::fabs(q.x));
    return biggest > std::numeric_limits<double>::max() / (2.0 * static_cast<double>(n));
}

// The moments of every finite value but the candidates `cand` (sorted by position): the
// sub-blocks holding candidates measured again with the candidates as NaN (their entries of
// `subs` replaced), then all pooled.
template <class T>
moments core_without(const double_reader<T>& reader, std::size_t size, std::vector<moments>& subs,
                     const std::vector<point>& cand, cpu::level level) {
    for (std::size_t j = 0; j < cand.size();) {
        const std::size_t sub = cand[j].pos / lanes::sub_block;
        const std::size_t start = sub * lanes::sub_block;
        const std::size_t len = std::min(lanes::sub_block, size - start);
        double buf[lanes::sub_block];
        const double* x = reader.read(start, len, buf);
        if (x != buf) std::copy(x, x + len, buf);
        for (; j < cand.size() && cand[j].pos < start + len; ++j) buf[cand[j].pos - start] = nan;
        subs[sub] = measure(level, buf, len, true);
    }
    return pool(subs.data(), subs.size());
}

}  // namespace outliers::detail::esd_impl

namespace outliers::kernels {

// Generalized ESD many-outlier test (Rosner 1983, Technometrics 25(2); NIST/SEMATECH
// e-Handbook §1.3.5.17.3), exactly as docs/methods.md defines it.
//
// Only the r smallest and the r largest finite values can ever be removed (each removal takes
// the current minimum or maximum), so instead of r passes over all n values, one read does it:
//   1. every sub-block (lanes::sub_block values) gets, in one vectorised sweep, its count and
//      compensated sum, its per-point outputs for missing and infinite values, and the values
//      beyond the limits of two bounded candidate sets (the r first from each end, one pair per
//      thread, keep_first): after a thread's first r values almost none reach them; then its M2,
//      two-pass, from the cache (moments.hpp);
//   2. the sets are merged and sorted (the result does not depend on the thread count);
//      the few sub-blocks holding one of those 2r candidates are measured again without them,
//      and all sub-blocks are pooled into the moments of the "core" (every other finite value)
//      with Chan, Golub & LeVeque's formula, so no removed outlier is ever "downdated" out of a
//      sum;
//   3. the remaining candidates are a run of the candidates sorted by value (each removal takes
//      the lowest or the highest); at each step that run's moments come from tables built by
//      adding values outward from a split point (shrinking_range, amortised O(1) a step) and
//      are pooled with the core's;
//   4. the removed values' scores and flags are written over the outputs of step 1.
// Cost: one read of the data, plus at most 2r sub-blocks read again; O(n + r log r) time.
//
// When the remaining values are all equal their std is taken as exactly 0 (a computed mean can
// differ from the common value by an ulp and give a spurious nonzero std), and R_i = 0 for that
// step and every later one: nothing more can be an outlier.
template <class T>
summary esd(const column<T>& c, const esd_params& p, const outputs& out,
            esd_detail* detail = nullptr) {
    using namespace outliers::detail::esd_impl;
    if (p.max_outliers < 1) throw std::invalid_argument("esd: max_outliers must be >= 1");
    if (!(p.alpha > 0.0 && p.alpha < 1.0))
        throw std::invalid_argument("esd: alpha must be in (0, 1)");
    static_assert(block_size % lanes::sub_block == 0, "blocks are whole sub-blocks");
    if (detail) *detail = esd_detail{};

    const std::size_t size = c.size();
    // No more than n − 2 <= size − 2 values are ever removed: bound the sets by that too.
    const std::size_t cap = std::min(p.max_outliers, size >= 2 ? size - 2 : std::size_t{0});
    const cpu::level level = cpu::active();
    const double_reader<T> reader(c);

    // Step 1.
    scanned sc = scan(reader, size, cap, out, level);
    const moments everything = pool(sc.subs.data(), sc.subs.size());
    const auto n = static_cast<std::size_t>(everything.count);

    if (n > 0 && (!std::isfinite(everything.mean) || sums_may_overflow(sc, n))) {
        // Values so large that a sum of them can overflow (near +-DBL_MAX; numpy's mean is then
        // inf and its scores NaN): the test runs on a copy times 2^-k, 2^k >= 2n, where no sum
        // can. Scaling by a power of two is exact (but for subnormals), so the removals, R_i and
        // λ_i are those of the values themselves; center and bounds are scaled back (+-inf
        // beyond the doubles). Squares can still overflow: the std is then +inf, as numpy's.
        const double unit = std::ldexp(1.0, -(std::ilogb(static_cast<double>(n)) + 2));
        std::vector<double> scaled(size);
        double buf[lanes::sub_block];
        for (std::size_t s = 0; s < size; s += lanes::sub_block) {
            const std::size_t len = std::min(lanes::sub_block, size - s);
            const double* x = reader.read(s, len, buf);
            for (std::size_t i = 0; i < len; ++i) scaled[s + i] = x[i] * unit;
        }
        summary back =
            esd(column<double>{make_strided<const double>(scaled.data(), size)}, p, out, detail);
        back.center /= unit;
        back.lower /= unit;
        back.upper /= unit;
        return back;
    }

    summary result;
    result.n_used = n;
    if (n < 3) {
        // Too few values for a standard deviation after one removal: nothing finite is flagged.
        result.center = everything.mean;
        return result;
    }

    const std::size_t r = std::min(p.max_outliers, n - 2);

    // Step 2: the r first candidates from each end, in removal order, and the core.
    keep_first_r(sc.low, r, low_first);
    keep_first_r(sc.high, r, high_first);
    const std::vector<point> cand = union_by_position(sc.low, sc.high);
    const moments core = core_without(reader, size, sc.subs, cand, level);
    esd_outcome o = esd_iterate(core, cand, sc.low, sc.high, n, r, p.alpha);

    // Step 4: every tested (removed) value gets its R_i; the first k are flagged.
    for (std::size_t i = 0; i < r; ++i) {
        if (out.scores) out.scores[o.removed_pos[i]] = o.r_stats[i];
        if (out.flags) out.flags[o.removed_pos[i]] = i < o.n_outliers ? 1 : 0;
    }

    if (detail) {
        detail->r_stats = std::move(o.r_stats);
        detail->lambdas = std::move(o.lambdas);
        detail->n_outliers = o.n_outliers;
    }
    return o.result;
}

}  // namespace outliers::kernels
