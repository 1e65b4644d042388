// Generalized ESD test (Rosner 1983; NIST/SEMATECH e-Handbook §1.3.5.17.3): flags, scores, bounds.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

#include "../missing.hpp"
#include "../outputs.hpp"
#include "../parallel.hpp"
#include "../student_t.hpp"

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
inline bool low_first(const point& a, const point& b) noexcept {
    return a.x < b.x || (a.x == b.x && a.pos < b.pos);
}
inline bool high_first(const point& a, const point& b) noexcept {
    return a.x > b.x || (a.x == b.x && a.pos < b.pos);
}

// Keeps the `cap` points that come first under `first`, in a heap whose front is the last kept.
template <class First>
void keep_first(std::vector<point>& heap, std::size_t cap, const point& p, First first) {
    if (heap.size() < cap) {
        heap.push_back(p);
        std::push_heap(heap.begin(), heap.end(), first);
    } else if (cap > 0 && first(p, heap.front())) {
        std::pop_heap(heap.begin(), heap.end(), first);
        heap.back() = p;
        std::push_heap(heap.begin(), heap.end(), first);
    }
}

// Neumaier's compensated summation (Neumaier 1974): the core's mean stays exact to rounding
// even for 1e7 values, closer to numpy's pairwise sum than a plain running sum.
struct compensated_sum {
    double s = 0.0, c = 0.0;
    void add(double x) noexcept {
        const double t = s + x;
        c += std::fabs(s) >= std::fabs(x) ? (s - t) + x : (x - t) + s;
        s = t;
    }
    void add(const compensated_sum& o) noexcept {
        add(o.s);
        add(o.c);
    }
    double value() const noexcept { return s + c; }
};

// Count, mean and sum of squared deviations of a set of values.
struct moments {
    double count = 0.0, mean = 0.0, m2 = 0.0;
};

// Pooled moments of two disjoint sets (Chan, Golub & LeVeque 1979, "Updating formulae and a
// pairwise algorithm for computing sample variances"). Both inputs come from two-pass sums,
// so nothing is ever subtracted back out of a total: a huge outlier that has been removed
// leaves no cancellation error behind.
inline moments combine(const moments& a, const moments& b) noexcept {
    if (a.count == 0.0) return b;
    if (b.count == 0.0) return a;
    const double n = a.count + b.count;
    const double delta = b.mean - a.mean;
    return {n, a.mean + delta * (b.count / n), a.m2 + b.m2 + delta * delta * (a.count * b.count / n)};
}

// λ_i = (n−i) t_{p, n−i−1} / sqrt((n−i−1 + t²)(n−i+1)), p = 1 − α/(2(n−i+1)) (Rosner 1983,
// eq. 2.5; e-Handbook 1.3.5.17.3). p is formed exactly as the reference writes it, so the
// same double reaches the quantile; only when 1 − q rounds to 1 (n > ~1e14) is the upper
// tail q used directly.
inline double critical_value(std::size_t n, std::size_t i, double alpha) {
    const auto m = static_cast<double>(n - i);  // n − i
    const double q = alpha / (2.0 * (m + 1.0));
    const double p = 1.0 - q;
    const double df = m - 1.0;
    const double t = p < 1.0 ? student_t_quantile(p, df) : -student_t_quantile(q, df);
    return m * t / std::sqrt((m - 1.0 + t * t) * (m + 1.0));
}

struct removal {
    std::size_t pos;
    double score;
    bool flagged;
};

// Per-point outputs: removed values get their R_i (flagged when among the first k), other
// finite values 0, missing NaN (never flagged), infinite +inf (always flagged). `removed` is
// sorted by position.
template <class T>
void write_outputs(const column<T>& c, const outputs& out, const std::vector<removal>& removed) {
    if (!out.flags && !out.scores) return;
    for_each_block(c.size(), [&](std::size_t, std::size_t begin, std::size_t end) {
        auto it = std::lower_bound(removed.begin(), removed.end(), begin,
                                   [](const removal& r, std::size_t p) { return r.pos < p; });
        for (std::size_t i = begin; i < end; ++i) {
            const state s = classify(c, i);
            double score = s == state::finite ? 0.0 : s == state::missing ? nan : inf;
            bool flag = s == state::infinite;
            if (it != removed.end() && it->pos == i) {
                score = it->score;
                flag = it->flagged;
                ++it;
            }
            if (out.scores) out.scores[i] = score;
            if (out.flags) out.flags[i] = flag ? 1 : 0;
        }
    });
}

}  // namespace outliers::detail::esd_impl

namespace outliers::kernels {

// Generalized ESD many-outlier test (Rosner 1983, Technometrics 25(2); NIST/SEMATECH
// e-Handbook §1.3.5.17.3), exactly as SPEC §4 defines it.
//
// Only the r smallest and the r largest finite values can ever be removed (each removal takes
// the current minimum or maximum), so instead of r passes over all n values:
//   1. one pass counts the finite values and keeps those 2r candidates (bounded heaps per
//      block, merged in block order: the result does not depend on the thread count);
//   2. two more passes give the count, mean and M2 of the "core" (every other finite value),
//      two-pass and compensated;
//   3. at each step the remaining candidates' own moments are recomputed two-pass (at most 2r
//      values) and pooled with the core's (Chan et al.), so no removed outlier is ever
//      "downdated" out of a running sum.
// Cost O(n + r²) time, O(r · blocks) memory.
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
    if (detail) *detail = esd_detail{};

    const std::size_t size = c.size();
    // No more than n − 2 <= size − 2 values are ever removed: bound the heaps by that too.
    const std::size_t cap = std::min(p.max_outliers, size >= 2 ? size - 2 : std::size_t{0});

    // Pass 1: count the finite values and keep each block's candidates.
    const std::size_t blocks = block_count(size);
    std::vector<std::size_t> block_n(blocks, 0);
    std::vector<std::vector<point>> block_low(blocks), block_high(blocks);
    for_each_block(size, [&](std::size_t b, std::size_t begin, std::size_t end) {
        std::size_t count = 0;
        auto& low = block_low[b];
        auto& high = block_high[b];
        for (std::size_t i = begin; i < end; ++i) {
            if (classify(c, i) != state::finite) continue;
            ++count;
            const point pt{value(c, i), i};
            keep_first(low, cap, pt, low_first);
            keep_first(high, cap, pt, high_first);
        }
        block_n[b] = count;
    });
    std::size_t n = 0;
    for (std::size_t k : block_n) n += k;

    summary result;
    result.n_used = n;

    if (n < 3) {
        // Too few values for a standard deviation after one removal: nothing finite is flagged.
        double sum = 0.0;
        for (std::size_t i = 0; i < size; ++i)
            if (classify(c, i) == state::finite) sum += value(c, i);
        result.center = n > 0 ? sum / static_cast<double>(n) : nan;
        write_outputs(c, out, {});
        return result;
    }

    const std::size_t r = std::min(p.max_outliers, n - 2);

    // The r first candidates from each end, in removal order.
    std::vector<point> low, high;
    for (std::size_t b = 0; b < blocks; ++b) {
        low.insert(low.end(), block_low[b].begin(), block_low[b].end());
        high.insert(high.end(), block_high[b].begin(), block_high[b].end());
    }
    block_low.clear();
    block_high.clear();
    const auto first_r = static_cast<std::ptrdiff_t>(r);
    std::partial_sort(low.begin(), low.begin() + first_r, low.end(), low_first);
    std::partial_sort(high.begin(), high.begin() + first_r, high.end(), high_first);
    low.resize(r);
    high.resize(r);

    // Their union, by position (the two ends overlap when n < 2r or when many values tie).
    std::vector<point> cand(low);
    cand.insert(cand.end(), high.begin(), high.end());
    std::sort(cand.begin(), cand.end(), [](const point& a, const point& b) { return a.pos < b.pos; });
    cand.erase(std::unique(cand.begin(), cand.end(),
                           [](const point& a, const point& b) { return a.pos == b.pos; }),
               cand.end());
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

    // Passes 2 and 3: the core's moments, two-pass (mean, then squared deviations), walking the
    // sorted candidate positions to skip them.
    struct core_block {
        compensated_sum sum, dev, sq;
        std::size_t count = 0;
        double lo = inf, hi = -inf;
    };
    std::vector<core_block> core(blocks);
    const auto for_each_core = [&](auto&& body) {
        for_each_block(size, [&](std::size_t b, std::size_t begin, std::size_t end) {
            auto it = std::lower_bound(cand_pos.begin(), cand_pos.end(), begin);
            for (std::size_t i = begin; i < end; ++i) {
                if (it != cand_pos.end() && *it == i) {
                    ++it;
                    continue;
                }
                if (classify(c, i) == state::finite) body(core[b], value(c, i));
            }
        });
    };
    for_each_core([](core_block& cb, double x) {
        cb.sum.add(x);
        ++cb.count;
        cb.lo = std::min(cb.lo, x);
        cb.hi = std::max(cb.hi, x);
    });
    compensated_sum core_sum;
    std::size_t core_count = 0;
    double core_lo = inf, core_hi = -inf;
    for (const auto& cb : core) {
        core_sum.add(cb.sum);
        core_count += cb.count;
        core_lo = std::min(core_lo, cb.lo);
        core_hi = std::max(core_hi, cb.hi);
    }
    moments core_m;
    if (core_count > 0) {
        core_m.count = static_cast<double>(core_count);
        core_m.mean = core_sum.value() / core_m.count;
        const double mean = core_m.mean;
        for_each_core([mean](core_block& cb, double x) {
            const double d = x - mean;
            cb.dev.add(d);
            cb.sq.add(d * d);
        });
        compensated_sum dev, sq;
        for (const auto& cb : core) {
            dev.add(cb.dev);
            sq.add(cb.sq);
        }
        // Corrected two-pass algorithm (Chan, Golub & LeVeque 1983): removes the residual error
        // of the mean.
        const double d = dev.value();
        core_m.m2 = std::max(0.0, sq.value() - d * d / core_m.count);
    }

    // The steps. Step i (1-based) sees the values left after i − 1 removals; step r + 1 only
    // provides the moments for the bounds when all r removals are flagged.
    std::vector<char> removed(cand.size(), 0);
    std::size_t low_head = 0, high_head = 0;  // first not-yet-removed entry of each order
    std::vector<double> means(r + 2, nan), sds(r + 2, nan), r_stats(r, 0.0), lambdas(r, nan);
    std::vector<std::size_t> removed_pos(r, 0);
    std::vector<double> rest;
    rest.reserve(cand.size());
    for (std::size_t i = 1; i <= r + 1; ++i) {
        while (low_head < r && removed[low_order[low_head]]) ++low_head;
        while (high_head < r && removed[high_order[high_head]]) ++high_head;

        rest.clear();
        for (std::size_t j = 0; j < cand.size(); ++j)
            if (!removed[j]) rest.push_back(cand[j].x);
        moments cm;
        compensated_sum total = core_sum;
        double rest_lo = core_lo, rest_hi = core_hi;
        if (!rest.empty()) {
            compensated_sum s;
            for (double x : rest) s.add(x);
            total.add(s);
            cm.count = static_cast<double>(rest.size());
            cm.mean = s.value() / cm.count;
            for (double x : rest) {
                const double d = x - cm.mean;
                cm.m2 += d * d;
                rest_lo = std::min(rest_lo, x);
                rest_hi = std::max(rest_hi, x);
            }
        }
        const moments all = combine(core_m, cm);
        const bool constant = rest_lo == rest_hi;
        // The mean from the compensated total of what is left (core and remaining candidates,
        // never a difference): correctly rounded in practice, as numpy's is whenever its sum is
        // exact, so exact ties in |x − mean| (integer data) resolve as the reference's do.
        means[i] = constant ? rest_lo : total.value() / all.count;
        sds[i] = constant ? 0.0 : std::sqrt(all.m2 / (all.count - 1.0));
        if (i > r) break;

        // The value farthest from the mean is the lowest or the highest remaining candidate.
        const point& lo = cand[low_order[low_head]];
        const point& hi = cand[high_order[high_head]];
        const double d_lo = std::fabs(lo.x - means[i]), d_hi = std::fabs(hi.x - means[i]);
        const bool take_low = d_lo > d_hi || (d_lo == d_hi && lo.pos < hi.pos);
        const std::size_t j = take_low ? low_order[low_head] : high_order[high_head];
        removed[j] = 1;
        removed_pos[i - 1] = cand[j].pos;
        r_stats[i - 1] = sds[i] > 0.0 ? std::max(d_lo, d_hi) / sds[i] : 0.0;
        lambdas[i - 1] = critical_value(n, i, p.alpha);
    }

    // The number of outliers is the largest i with R_i > λ_i, not the first failure.
    std::size_t k = 0;
    for (std::size_t i = r; i >= 1; --i)
        if (r_stats[i - 1] > lambdas[i - 1]) {
            k = i;
            break;
        }

    // Bounds from the values left after the k flagged ones: mean_k ± λ_{k+1} s_k.
    result.center = means[k + 1];
    // λ_{k+1} needs n − k − 2 > 0 degrees of freedom; with k = n − 2 there are none left.
    const double lambda_next = k < r            ? lambdas[k]
                               : n - k - 2 > 0 ? critical_value(n, k + 1, p.alpha)
                                               : nan;
    result.lower = result.center - lambda_next * sds[k + 1];
    result.upper = result.center + lambda_next * sds[k + 1];

    std::vector<removal> outcome(r);
    for (std::size_t i = 0; i < r; ++i) outcome[i] = {removed_pos[i], r_stats[i], i < k};
    std::sort(outcome.begin(), outcome.end(),
              [](const removal& a, const removal& b) { return a.pos < b.pos; });
    write_outputs(c, out, outcome);

    if (detail) {
        detail->r_stats = std::move(r_stats);
        detail->lambdas = std::move(lambdas);
        detail->n_outliers = k;
    }
    return result;
}

}  // namespace outliers::kernels
