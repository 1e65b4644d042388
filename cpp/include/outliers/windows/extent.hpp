// Which positions form each point's window: a count of positions or a span of time, centred or
// trailing (docs/methods.md, "Windows"). A window is the half-open range of positions [lo, hi);
// both ends never move backwards from one point to the next, which is what lets the kernels slide
// their statistics instead of recomputing them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>

namespace outliers::windows {

// A window as the caller asked for it. Exactly one of count (> 0) and time_reach (>= 0) is set
// for a windowed call; neither for a call over the whole sample.
//   count window, centred:  [i - h, i + h], h = count / 2 (count odd), cut at the ends
//   count window, trailing: [i - count + 1, i], cut at the start
//   time window, centred:   {j : |t_j - t_i| <= time_reach}
//   time window, trailing:  {j <= i : t_i - t_j < time_reach}   (pandas' closed="right")
// time_reach is in the unit of the times; the caller converts the span (half of it, rounded
// down, for a centred window: |d| <= span / 2 is |d| <= floor(span / 2) for an integer d; rounded
// up for a trailing one: d < span is d < ceil(span)).
struct spec {
    std::size_t count = 0;
    std::int64_t time_reach = -1;
    bool center = true;
    std::size_t min_periods = 1;  // fewer finite values in a window: the point is not judged

    bool by_time() const noexcept { return time_reach >= 0; }
    bool windowed() const noexcept { return count > 0 || by_time(); }
};

// The times of a time window: int64 ticks read in place through a stride (in elements).
struct time_axis {
    const std::int64_t* data = nullptr;
    std::size_t size = 0;
    std::ptrdiff_t stride = 1;

    std::int64_t operator[](std::size_t i) const noexcept {
        return data[static_cast<std::ptrdiff_t>(i) * stride];
    }
};

// t_later - t_earlier for t_earlier <= t_later, exact for any two int64 (the difference of two
// int64 can exceed INT64_MAX; as an unsigned number it never wraps).
inline std::uint64_t elapsed(std::int64_t earlier, std::int64_t later) noexcept {
    return static_cast<std::uint64_t>(later) - static_cast<std::uint64_t>(earlier);
}

// Throws std::invalid_argument for a window the kernels cannot use: an even or too short count,
// a time window without times (or with times of another length, NaT, or going backwards).
inline void check(const spec& s, const time_axis& t, std::size_t n) {
    if (s.min_periods < 1) throw std::invalid_argument("min_periods must be >= 1");
    if (s.count > 0 && s.by_time())
        throw std::invalid_argument("a window is a count or a time span, not both");
    if (s.count > 0 && s.center && (s.count < 3 || s.count % 2 == 0))
        throw std::invalid_argument("a centred window must be odd and >= 3");
    if (s.count > 0 && !s.center && s.count < 2)
        throw std::invalid_argument("a trailing window must be >= 2");
    if (!s.by_time()) return;
    if (s.time_reach == 0 && !s.center)
        throw std::invalid_argument("a trailing time window must be longer than 0");
    if (!t.data) throw std::invalid_argument("a time window needs times");
    if (t.size != n) throw std::invalid_argument("times must have the data's length");
    for (std::size_t i = 0; i < n; ++i) {
        if (t[i] == std::numeric_limits<std::int64_t>::min())
            throw std::invalid_argument("times must not contain NaT");
        if (i > 0 && t[i] < t[i - 1]) throw std::invalid_argument("times must be non-decreasing");
    }
}

struct range {
    std::size_t lo = 0, hi = 0;
};

// The windows of points i, i + 1, ... in turn: `at(i)` for non-decreasing i. A count window is
// arithmetic; a time window moves its two ends forward along the times (two pointers, O(1)
// amortised per point), after a binary search for the first point asked.
class walker {
  public:
    // `origin`: the position of the column's first value in the whole data (a dask partition's
    // buffer starts there), so that split() cuts windows where it cuts them in memory.
    walker(const spec& s, const time_axis& t, std::size_t n, std::size_t origin = 0) noexcept
        : s_(s), t_(t), n_(n), origin_(origin) {}

    // at() and split() run once per point: always inlined (out of line, a call and the
    // registers it saves cost a windowed zscore a fifth of its time).
    [[gnu::always_inline]] inline range at(std::size_t i) noexcept {
        if (!s_.by_time()) return counted(i);
        if (!started_) start(i);
        const std::int64_t ti = t_[i];
        const auto reach = static_cast<std::uint64_t>(s_.time_reach);
        if (s_.center) {
            while (elapsed(t_[r_.lo], ti) > reach) ++r_.lo;
            if (r_.hi <= i) r_.hi = i + 1;
            while (r_.hi < n_ && elapsed(ti, t_[r_.hi]) <= reach) ++r_.hi;
        } else {
            while (elapsed(t_[r_.lo], ti) >= reach) ++r_.lo;
            r_.hi = i + 1;
        }
        return r_;
    }

    // The most positions any window of the points [first, last) spans (for sizing buffers).
    std::size_t longest(std::size_t first, std::size_t last) noexcept {
        std::size_t most = 0;
        for (std::size_t i = first; i < last; ++i) {
            const range r = at(i);
            most = r.hi - r.lo > most ? r.hi - r.lo : most;
        }
        started_ = false;
        return most;
    }

    // Where the window r of point i is cut in two, lo <= mid <= hi, for sums that must not depend
    // on where a block of points starts (window_moments.hpp): at the one line of a fixed grid
    // that the window, uncut, crosses. Centred windows cover w = 2h + 1 consecutive positions
    // (or 2 reach + 1 consecutive ticks), trailing ones w positions (reach ticks): a grid with
    // that spacing, from position 0 of the whole data (from tick 0), has exactly one line in
    // each. Points i are asked in non-decreasing order, after at(i).
    [[gnu::always_inline]] inline std::size_t split(std::size_t i, const range& r) noexcept {
        if (!s_.by_time()) {
            // Positions of the whole data stay below 2^63: signed 64-bit arithmetic suffices.
            const auto w = static_cast<std::int64_t>(s_.count);
            const std::int64_t first =
                static_cast<std::int64_t>(i + origin_) - (s_.center ? w / 2 : w - 1);
            if (!line_set_ || first > count_line_ || first <= count_line_ - w) {
                // The multiple of w at or after first (division rounds towards zero).
                count_line_ = first / w * w;
                if (count_line_ < first) count_line_ += w;
                line_set_ = true;
            }
            const std::int64_t at = count_line_ - static_cast<std::int64_t>(origin_);
            return at <= static_cast<std::int64_t>(r.lo)   ? r.lo
                   : at >= static_cast<std::int64_t>(r.hi) ? r.hi
                                                           : static_cast<std::size_t>(at);
        }
        __extension__ typedef __int128 wide;  // t_i - reach may pass INT64_MIN
        const wide reach = s_.time_reach;
        const wide first = static_cast<wide>(t_[i]) - reach + (s_.center ? 0 : 1);
        const wide spacing = s_.center ? 2 * reach + 1 : reach;
        // The grid line: the multiple of spacing at or after first. Points move it forward by a
        // step or two, so it is carried from point to point (a 128-bit division costs ~50
        // cycles: more than the rest of a point's moments); far jumps divide.
        if (!line_set_ || first - line_ > 4 * spacing || first <= line_ - spacing) {
            line_ = first / spacing * spacing;  // towards zero: up to the multiple >= first
            line_set_ = true;
        }
        while (line_ < first) line_ += spacing;
        // The first position of the window whose time is on or past the line.
        if (mid_ < r.lo) mid_ = r.lo;
        while (mid_ < r.hi && static_cast<wide>(t_[mid_]) < line_) ++mid_;
        return mid_;
    }

  private:
    range counted(std::size_t i) const noexcept {
        if (s_.center) {
            const std::size_t h = s_.count / 2;
            return {i >= h ? i - h : 0, n_ - i > h ? i + h + 1 : n_};
        }
        return {i + 1 >= s_.count ? i + 1 - s_.count : 0, i + 1};
    }

    // The first position j <= i of the window of i, by halving (times non-decreasing).
    [[gnu::noinline]] void start(std::size_t i) noexcept {
        const std::int64_t ti = t_[i];
        const auto reach = static_cast<std::uint64_t>(s_.time_reach);
        std::size_t lo = 0, len = i + 1;
        while (len > 0) {
            const std::size_t half = len / 2;
            const std::uint64_t d = elapsed(t_[lo + half], ti);
            if (s_.center ? d > reach : d >= reach) {
                lo += half + 1;
                len -= half + 1;
            } else {
                len = half;
            }
        }
        r_ = {lo, i + 1};
        started_ = true;
    }

    spec s_;
    time_axis t_;
    std::size_t n_;
    std::size_t origin_;
    std::size_t mid_ = 0;              // split()'s last answer, for time windows
    __extension__ __int128 line_ = 0;  // split()'s last grid line (time windows)
    std::int64_t count_line_ = 0;      // split()'s last grid line (count windows)
    bool line_set_ = false;
    range r_{};
    bool started_ = false;
};

}  // namespace outliers::windows
