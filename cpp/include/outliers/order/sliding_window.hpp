// A sorted sliding window of doubles: the finite values of a window kept sorted as it moves, so
// that the value of any rank, the median and the MAD are read without selecting (hampel's long
// windows today; rolling medians, quantiles and MADs and streaming windows later).
//
// Two layouts with one API, flat_window (up to flat_window_max values) and blocked_window
// (beyond); with_sorted_window picks the faster for a capacity. For either, `Window win(capacity,
// cpu::active())` holds up to `capacity` values, and:
//   win.size()                  how many values it holds
//   win.kth(r)                  the value of rank r (from 0: the smallest), r < size()
//   win.rank(x)                 how many values are below x
//   win.add(v), win.remove(v)   one value in, one out (remove: v must be held); a NaN or +-inf
//                               is never held, and adding or removing one does nothing
//   win.assign(values)          all values at once (sorted here, values reordered; finite only)
//   median(win), window_median_mad(win, split), median_distance(win, v)   (below)
// A window that slides by one value per step can do better than remove + add: ranks(out, in)
// searches both ranks at once (the two searches overlap), replace(out, p, in, q) moves once, and
// values() reads ranks without a call (what hampel's driver does, one step ahead).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "outliers/column.hpp"
#include "outliers/order/sorted_stats.hpp"
#include "outliers/order/sorting_networks.hpp"
#include "outliers/simd/cpu.hpp"
#include "outliers/simd/dispatch.hpp"

namespace outliers::order {

// The window's finite values kept sorted as it slides: per step one value leaves and one enters,
// and the values between their ranks move by one (the step of binary insertion sort, Knuth TAOCP
// vol. 3 §5.2.1). Up to flat_window_max values, one flat array (flat_window). Beyond, so that few
// values move, the sorted sequence is cut into blocks of 64, block j holding ranks
// [64 j, 64 j + 64) (blocked_window, a tiered vector: Goodrich & Kloss 1999, "Tiered vectors:
// efficient dynamic arrays for rank-based sequences"): the value of rank r is found in O(1),
// values move inside at most two blocks, and each block between them passes one value on to its
// neighbour. A block lies in a slot twice its size (a gap buffer), so passing a value on moves
// the block's start rather than its values. Ranks past the window's count hold +inf: the number
// of slots in use never changes, and adding or removing a value is a replacement with +inf.
inline constexpr std::size_t block_values = 64;
inline constexpr std::size_t block_slot = 2 * block_values;
inline constexpr std::uint32_t block_centre = (block_slot - block_values) / 2;

// The values below x among s[0, N), counted in SIMD lanes (8 comparisons of 8 lanes for 64).
template <int L, std::size_t N>
[[gnu::always_inline]] inline std::size_t count_below(const double* s, double x) noexcept {
    using V = typename lanes<L>::vd;
    using VU = typename lanes<L>::vd_unaligned;
    using VI = typename lanes<L>::vi;
    const V vx = V{} + x;
    VI count{};
#pragma GCC unroll 32
    for (std::size_t k = 0; k < N; k += L)
        count -= *reinterpret_cast<const VU*>(s + k) < vx;  // true is -1
    std::int64_t sum = 0;
    for (int l = 0; l < L; ++l) sum += count[l];
    return static_cast<std::size_t>(sum);
}

// The values below x in the sorted s[0, n), s padded with +inf: branch-free halving (Khuong &
// Morin 2017, "Array layouts for comparison-based searching") down to 8 vectors' worth, then
// count_below (the rest of the search at once instead of in dependent steps).
template <int L>
[[gnu::always_inline]] inline std::size_t rank_of(const double* s, std::size_t n,
                                                  double x) noexcept {
    std::size_t base = 0;
    for (std::size_t len = n; len > 8 * L;) {
        const std::size_t half = len / 2;
        base =
            __builtin_expect_with_probability(s[base + half - 1] < x, 1, 0.5) ? base + half : base;
        len -= half;
    }
    return base + count_below<L, 8 * L>(s + base, x);
}
inline constexpr std::size_t rank_padding = 64;  // 8 vectors of the widest lanes

// The rank of x in the blocked window: the blocks whose first value is below x say which block
// holds the boundary (all values of the blocks before it are below x, none after it); that
// block's 64 values are then counted.
template <int L>
[[gnu::always_inline]] inline std::size_t blocked_rank(const double* slots,
                                                       const std::uint32_t* start,
                                                       const double* firsts, std::size_t blocks,
                                                       double x) noexcept {
    std::size_t below;  // blocks whose first value is below x
    if (blocks <= 2 * L) {
        below = count_below<L, 2 * L>(firsts, x);
    } else {
        below = rank_of<L>(firsts, blocks, x);
    }
    const std::size_t j = std::max<std::size_t>(below, 1) - 1;
    return j * block_values + count_below<L, block_values>(slots + j * block_slot + start[j], x);
}

// Both ranks a step needs (independent: the two searches overlap), in a flat window (its sorted
// values, +inf after) or a blocked one; one entry point per CPU level and kind of window, with
// the same ranks on every level (rank_loops.inc). The two ranks come back in registers.
struct rank_pair {
    std::size_t x, y;
};
using flat_ranks_fn = rank_pair (*)(const double*, std::size_t, double, double) noexcept;
using blocked_ranks_fn = rank_pair (*)(const double*, const std::uint32_t*, const double*,
                                       std::size_t, double, double) noexcept;

template <int L>
[[gnu::always_inline]] inline rank_pair flat_ranks(const double* s, std::size_t n, double x,
                                                   double y) noexcept {
    return {rank_of<L>(s, n, x), rank_of<L>(s, n, y)};
}
template <int L>
[[gnu::always_inline]] inline rank_pair blocked_ranks(const double* slots,
                                                      const std::uint32_t* start,
                                                      const double* firsts, std::size_t blocks,
                                                      double x, double y) noexcept {
    return {blocked_rank<L>(slots, start, firsts, blocks, x),
            blocked_rank<L>(slots, start, firsts, blocks, y)};
}

// The rank searches of a CPU level, compiled per level (simd/dispatch.hpp).
struct rank_searches {
    flat_ranks_fn flat;
    blocked_ranks_fn blocked;
};

}  // namespace outliers::order

#define OUTLIERS_SIMD_LOOPS "outliers/order/rank_loops.inc"
#include "outliers/simd/each_level.inc"

namespace outliers::order {

inline rank_searches ranks_for(cpu::level level) noexcept {
    return simd::dispatch(level, [](auto at) { return window_detail::searches(at); });
}

// Windows up to this many values stay one flat sorted array: the values between the leaving
// and the entering rank (a third of them on average) move by one, which costs less than the
// blocked window's bookkeeping up to about 800 values (timed on 10^7 normal values).
inline constexpr std::size_t flat_window_max = 800;

// What both layouts do alike, written once on top of ranks() and replace() (CRTP).
template <class Window>
class sorted_window_api {
  public:
    double kth(std::size_t r) const noexcept { return self().values()[r]; }
    // Both searches of ranks() on one value: they overlap, costing about one.
    std::size_t rank(double x) const noexcept { return self().ranks(x, x).x; }
    void add(double v) noexcept {
        if (is_finite(v)) self().replace(nan, 0, v, rank(v));
    }
    // Removes one value equal to v (all of them are alike): the first, whose rank is rank(v).
    void remove(double v) noexcept {
        if (is_finite(v)) self().replace(v, rank(v), nan, 0);
    }

  private:
    const Window& self() const noexcept { return static_cast<const Window&>(*this); }
    Window& self() noexcept { return static_cast<Window&>(*this); }
};

class flat_window : public sorted_window_api<flat_window> {
  public:
    // Room for `capacity` values.
    flat_window(std::size_t capacity, cpu::level level)
        : v_(capacity + rank_padding, inf), ranks_(ranks_for(level).flat) {}

    // The values by rank (+inf from size() on): sorted_median_mad reads them without a call.
    const double* values() const noexcept { return v_.data(); }
    std::size_t size() const noexcept { return n_; }

    // The window's values (finite), sorted here (the vector is reordered).
    void assign(std::vector<double>& finite) {
        std::sort(finite.begin(), finite.end());
        n_ = finite.size();
        std::copy(finite.begin(), finite.end(), v_.begin());
        std::fill(v_.begin() + static_cast<std::ptrdiff_t>(n_), v_.end(), inf);
    }

    // The first positions whose values are >= x and >= y (the number of values below each).
    rank_pair ranks(double x, double y) const noexcept { return ranks_(v_.data(), n_, x, y); }

    // Removes `out` (if finite; it is in the window, at position p = its rank) and adds `in` (if
    // finite; q = its rank before `out` leaves).
    void replace(double out, std::size_t p, double in, std::size_t q) noexcept {
        const bool o = is_finite(out), a = is_finite(in);
        double* s = v_.data();
        if (o && a) {
            if (q <= p) {  // in <= out: s[q, p) move up by one
                std::memmove(s + q + 1, s + q, (p - q) * sizeof(double));
                s[q] = in;
            } else {  // in > out: s[p + 1, q) move down by one
                std::memmove(s + p, s + p + 1, (q - p - 1) * sizeof(double));
                s[q - 1] = in;
            }
        } else if (o) {
            std::memmove(s + p, s + p + 1, (n_ - p - 1) * sizeof(double));
            s[--n_] = inf;  // the padding
        } else if (a) {
            std::memmove(s + q + 1, s + q, (n_ - q) * sizeof(double));
            s[q] = in;
            ++n_;
        }
    }

  private:
    std::vector<double> v_;  // the window's values, then +inf up to the end
    std::size_t n_ = 0;
    flat_ranks_fn ranks_;
};

class blocked_window : public sorted_window_api<blocked_window> {
  public:
    // The value of rank r, for sorted_median_mad.
    struct view {
        const double* slots;
        const std::uint32_t* start;
        double operator[](std::size_t r) const noexcept {
            const std::size_t j = r / block_values;
            return slots[j * block_slot + start[j] + r % block_values];
        }
    };

    // Room for `capacity` values and one +inf at least.
    blocked_window(std::size_t capacity, cpu::level level)
        : blocks_(capacity / block_values + 1),
          slots_(blocks_ * block_slot, inf),
          start_(blocks_, block_centre),
          firsts_(blocks_ + rank_padding, inf),
          ranks_(ranks_for(level).blocked) {}

    view values() const noexcept { return {slots_.data(), start_.data()}; }
    std::size_t size() const noexcept { return n_; }

    // The window's first values, sorted here (the vector is reordered).
    void assign(std::vector<double>& finite) {
        std::sort(finite.begin(), finite.end());
        n_ = finite.size();
        for (std::size_t j = 0; j < blocks_; ++j) {
            start_[j] = block_centre;
            double* b = block(j);
            for (std::size_t k = 0; k < block_values; ++k) {
                const std::size_t r = j * block_values + k;
                b[k] = r < n_ ? finite[r] : inf;
            }
            firsts_[j] = b[0];
        }
    }

    rank_pair ranks(double x, double y) const noexcept {
        return ranks_(slots_.data(), start_.data(), firsts_.data(), blocks_, x, y);
    }

    // As flat_window::replace.
    void replace(double out, std::size_t p, double in, std::size_t q) noexcept {
        const bool o = is_finite(out), a = is_finite(in);
        if (o && a) {
            move(p, q, in);
        } else if (o) {
            move(p, n_, inf);  // +inf takes the value's place: its rank is the count
            --n_;
        } else if (a) {
            move(n_, q, in);  // the value takes the place of the first +inf
            ++n_;
        }
    }

  private:
    double* block(std::size_t j) noexcept { return slots_.data() + j * block_slot + start_[j]; }

    // Moves block j's start by one (delta = -1 or +1), first back to the slot's centre when it
    // is at the slot's edge: the gap buffer's only copy of a whole block, rare.
    void move_start(std::size_t j, int delta) noexcept {
        std::uint32_t s = start_[j];
        if ((delta < 0 && s == 0) || (delta > 0 && s == block_slot - block_values)) {
            double* slot = slots_.data() + j * block_slot;
            std::memmove(slot + block_centre, slot + s, block_values * sizeof(double));
            s = block_centre;
        }
        start_[j] = delta < 0 ? s - 1 : s + 1;
    }

    // The value of rank p leaves, `in` (of rank q among the values before) enters.
    void move(std::size_t p, std::size_t q, double in) noexcept {
        if (q <= p)
            move_up(p, q, in);
        else
            move_down(p, q, in);
    }

    // in <= out: ranks [q, p) move up by one, in takes rank q.
    void move_up(std::size_t p, std::size_t q, double in) noexcept {
        constexpr std::size_t B = block_values;
        const std::size_t jp = p / B, kp = p % B, jq = q / B, kq = q % B;
        if (jp == jq) {
            double* b = block(jp);
            std::memmove(b + kq + 1, b + kq, (kp - kq) * sizeof(double));
            b[kq] = in;
            firsts_[jp] = b[0];
            return;
        }
        // Block jp drops rank p and frees its first place, by moving what lies on the
        // shorter side of p.
        if (kp <= B - 1 - kp) {
            double* b = block(jp);
            std::memmove(b + 1, b, kp * sizeof(double));
        } else {
            double* b = block(jp);
            std::memmove(b + kp, b + kp + 1, (B - 1 - kp) * sizeof(double));
            move_start(jp, -1);
        }
        // Every block from jp - 1 down to jq passes its last value on to the next block's
        // first place, then moves its start back by one: its own first place is free.
        for (std::size_t j = jp; j-- > jq;) {
            const double last = block(j)[B - 1];
            block(j + 1)[0] = last;
            firsts_[j + 1] = last;
            if (j > jq) move_start(j, -1);
        }
        // Block jq: its last place is free; in goes to kq.
        double* b = block(jq);
        if (B - 1 - kq <= kq) {
            std::memmove(b + kq + 1, b + kq, (B - 1 - kq) * sizeof(double));
        } else {
            move_start(jq, -1);
            b = block(jq);
            std::memmove(b, b + 1, kq * sizeof(double));
        }
        b[kq] = in;
        firsts_[jq] = b[0];
    }

    // in > out: ranks (p, q) move down by one, in takes rank t = q - 1.
    void move_down(std::size_t p, std::size_t q, double in) noexcept {
        constexpr std::size_t B = block_values;
        const std::size_t t = q - 1;
        const std::size_t jp = p / B, kp = p % B, jt = t / B, kt = t % B;
        if (jp == jt) {
            double* b = block(jp);
            std::memmove(b + kp, b + kp + 1, (kt - kp) * sizeof(double));
            b[kt] = in;
            firsts_[jp] = b[0];
            return;
        }
        // Block jp drops rank p and frees its last place.
        if (B - 1 - kp <= kp) {
            double* b = block(jp);
            std::memmove(b + kp, b + kp + 1, (B - 1 - kp) * sizeof(double));
        } else {
            double* b = block(jp);
            std::memmove(b + 1, b, kp * sizeof(double));
            move_start(jp, +1);
        }
        firsts_[jp] = block(jp)[0];
        // Every block from jp + 1 up to jt passes its first value back to the previous
        // block's last place, then moves its start on by one: its own last place is free.
        for (std::size_t j = jp + 1; j <= jt; ++j) {
            block(j - 1)[B - 1] = block(j)[0];
            if (j < jt) {
                move_start(j, +1);
                firsts_[j] = block(j)[0];
            }
        }
        // Block jt: its first place is free; in goes to kt.
        double* b = block(jt);
        if (kt <= B - 1 - kt) {
            std::memmove(b, b + 1, kt * sizeof(double));
        } else {
            move_start(jt, +1);
            b = block(jt);
            std::memmove(b + kt + 1, b + kt, (B - 1 - kt) * sizeof(double));
        }
        b[kt] = in;
        firsts_[jt] = b[0];
    }

    std::size_t blocks_;
    std::vector<double> slots_;         // block j: slots_[j * 128 + start_[j] ...][0, 64)
    std::vector<std::uint32_t> start_;  // where each block begins in its slot
    std::vector<double> firsts_;        // each block's first value, then +inf
    std::size_t n_ = 0;                 // finite values: ranks [0, n_); +inf after
    blocked_ranks_fn ranks_;
};

// The rank a value v had before removing `out` and adding `in` (each only if finite), after it:
// how a rank searched one step ahead is corrected for the step in between.
inline std::size_t rank_after(std::size_t rank, double v, double out, double in) noexcept {
    return rank - (is_finite(out) && out < v) + (is_finite(in) && in < v);
}

// The window's median (NaN when empty).
template <class Window>
double median(const Window& win) noexcept {
    return sorted_median(win.values(), win.size());
}

// Its median and unscaled MAD; `split` carries a hint from one step to the next (start at 0).
template <class Window>
median_mad window_median_mad(const Window& win, std::size_t& split) noexcept {
    return sorted_median_mad(win.values(), win.size(), split);
}

// The median of fabs(x - v) over its values x (v finite; NaN when empty): the MAD about v.
template <class Window>
double median_distance(const Window& win, double v) noexcept {
    return sorted_median_distance(win.values(), win.size(), v, win.rank(v));
}

// Calls f(window) with an empty window of the faster layout for `capacity` values.
template <class F>
decltype(auto) with_sorted_window(std::size_t capacity, cpu::level level, F&& f) {
    if (capacity <= flat_window_max) {
        flat_window win(capacity, level);
        return f(win);
    }
    blocked_window win(capacity, level);
    return f(win);
}

}  // namespace outliers::order
