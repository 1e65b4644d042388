// The sample a column-level selection starts from: fixed-seed positions spread over the whole
// column (stratified), and the keys of the finite values found there.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "outliers/read_doubles.hpp"
#include "outliers/simd/scan.hpp"

namespace outliers::select_detail {

// The knobs of the bracket path; tests shrink them to reach every branch on small data.
struct tuning {
    std::size_t direct_limit = 32768;  // up to this many values: gather all keys, select
    std::size_t sample_size = 65536;   // at most; stratified, one value per stratum
    double z = 4.0;                    // bracket half-width, in sample standard deviations
    std::size_t budget = 0;            // most keys held at once; 0: n / 12, at least 131072 (1 MiB)
};

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

// The keys of the finite values at sample_positions(s, n), s = sample_count(n, t), into `keys`
// (cleared first); returns s, the positions read (finite or not).
template <class T>
std::size_t draw_sample(const double_reader<T>& src, const tuning& t,
                        std::vector<order_key>& keys) {
    const std::size_t n_all = src.size();
    const std::size_t s = sample_count(n_all, t);
    keys.clear();
    keys.reserve(s);
    // Every read is a cache miss: positions are prefetched `ahead` reads in advance.
    constexpr std::size_t ahead = 64;
    sample_positions walk(s, n_all);
    std::size_t upcoming[ahead];
    for (std::size_t j = 0; j < std::min(s, ahead); ++j) {
        upcoming[j] = walk.next();
        src.prefetch(upcoming[j]);
    }
    for (std::size_t j = 0; j < s; ++j) {
        const std::size_t at = upcoming[j % ahead];
        if (j + ahead < s) {
            upcoming[j % ahead] = walk.next();
            src.prefetch(upcoming[j % ahead]);
        }
        const double v = src.at(at);
        if (std::isfinite(v)) keys.push_back(key_of(v));
    }
    return s;
}

}  // namespace outliers::select_detail
