// column_selector: exact order statistics (numpy's medians and linear quantiles) of a column's
// finite values, or of their absolute deviations from a center, taken in place: mad, iqr and
// quantile's selections. It picks the path: small columns are gathered whole and selected in
// memory (floyd_rivest.hpp); larger ones take the bracket path (bracketed.hpp) from a sample
// (sample.hpp), and the radix path (radix.hpp) where a bracket misses. The sample, the bounds
// and every decision depend on the data only: never on the thread count or the CPU level.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <vector>

#include "outliers/column.hpp"
#include "outliers/order/bracketed.hpp"
#include "outliers/order/column_keys.hpp"
#include "outliers/order/floyd_rivest.hpp"
#include "outliers/order/numpy_formulas.hpp"
#include "outliers/order/radix.hpp"
#include "outliers/order/ranks.hpp"
#include "outliers/order/sample.hpp"
#include "outliers/read_doubles.hpp"

namespace outliers {

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

}  // namespace select_detail

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
            if (!sample_ready_) {
                drawn_ = draw_sample(src_, tune_, sample_);
                sample_ready_ = true;
            }
            // Selection reorders the sample, which is harmless; mapping it to deviations is
            // not, so a later run draws it again.
            if (map.deviations) {
                for (order_key& k : sample_) k = map.key(value_of(k));
                sample_ready_ = false;
            }
            std::size_t n = 0;
            if (bracketed(src_, sample_, drawn_, tune_, map, req, m, budget, ranks, n))
                return n == 0 ? order_result{} : ranks.assemble(req, m, n);
        }
        radix_runs().fetch_add(1);
        const std::size_t n = radix(src_, map, req, m, ranks, budget);
        return n == 0 ? order_result{} : ranks.assemble(req, m, n);
    }

  private:
    double_reader<T> src_;
    select_detail::tuning tune_;
    std::vector<select_detail::order_key> sample_;  // keys of finite values at fixed positions
    std::size_t drawn_ = 0;                         // positions sampled (finite or not)
    bool sample_ready_ = false;  // sample_ holds the values' own keys (not deviations)

    // Small columns: every key gathered, the ranks selected among them.
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
};

}  // namespace outliers
