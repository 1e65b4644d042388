// A window of doubles for very wide windows: a bitmap of the values it holds over their sorted
// order, with a Fenwick tree of the bitmap's counts (hampel's windows beyond ranked_window_min
// values today; rolling windows as wide later). The values a sequence of windows can hold are
// sorted once; each is then a slot, and a window the set of its slots.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "outliers/interrupt.hpp"
#include "outliers/order/sorted_stats.hpp"

namespace outliers::order {

// Windows of more than ranked_window_min values: the blocked window moves O(w / 64) blocks per
// step, and a window about as long as the array (whose windows grow at one end and shrink at the
// other, every value entering or leaving near the sorted sequence's end) moved the blocks of the
// whole array every step. Here the values a block's windows can hold, x[lo, hi), are sorted
// once, each position getting a slot (its rank in that order, ties by position), and a window
// is the set of its slots: one bit per slot, and the count of each 64-bit word of bits in a
// Fenwick tree (Fenwick 1994, "A new data structure for cumulative frequency tables"). A value
// enters or leaves in O(log w) (a bit and log(w / 64) counts); the value of rank r is found by
// descending the tree to its word, then selecting a bit in that word. sorted_median_mad reads a
// few runs of neighbouring ranks that move by a step or two from one point to the next, so cursors
// (a rank and its slot) are kept, and moved to the neighbouring set bits; the tree is descended
// when no cursor is near. A step costs O(log w); O(log^2 w) when the MAD's split has to be
// searched anew. The blocked window is faster up to about 32000 values (10^6 normal values, one
// thread, ns per point blocked/ranked: window 2001 64/211, 20001 160/216, 30001 209/216, 40001
// 258/207, 100001 599/204).
inline constexpr std::size_t ranked_window_min = 32000;

// Slot of the k-th (from 0) set bit of `word`, which has more than k: halving by counts.
inline std::size_t select_bit(std::uint64_t word, std::size_t k) noexcept {
    std::size_t bit = 0;
    for (unsigned width = 32; width > 0; width /= 2) {
        const auto low = static_cast<std::size_t>(
            __builtin_popcountll(word & ((std::uint64_t{1} << width) - 1)));
        if (k >= low) {
            k -= low;
            word >>= width;
            bit += width;
        }
    }
    return bit;
}

template <class Index>  // std::uint32_t, or std::uint64_t for blocks of 2^32 values or more
class ranked_window {
  public:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    // sorted: the values of the slots, in slot order.
    explicit ranked_window(std::vector<double> sorted)
        : sorted_(std::move(sorted)),
          words_(sorted_.size() / 64 + 1, 0),
          tree_(words_.size() + 1, 0),
          top_(std::size_t{1} << (63 - __builtin_clzll(words_.size()))) {}

    std::size_t size() const noexcept { return count_; }

    void insert(std::size_t slot) noexcept {
        words_[slot / 64] |= std::uint64_t{1} << (slot % 64);
        for (std::size_t j = slot / 64 + 1; j < tree_.size(); j += j & (~j + 1)) ++tree_[j];
        ++count_;
        for (cursor& c : cursors_)
            if (c.rank != npos && slot < c.slot) ++c.rank;
    }

    void erase(std::size_t slot) noexcept {
        words_[slot / 64] &= ~(std::uint64_t{1} << (slot % 64));
        for (std::size_t j = slot / 64 + 1; j < tree_.size(); j += j & (~j + 1)) --tree_[j];
        --count_;
        for (cursor& c : cursors_) {
            if (c.rank == npos) continue;
            if (slot == c.slot)
                c.rank = npos;
            else if (slot < c.slot)
                --c.rank;
        }
    }

    // The value of rank r (from 0), r < size(); not const: it moves a cursor.
    double kth(std::size_t r) noexcept { return at(r); }

    // The value of rank r, for sorted_median_mad.
    struct view {
        ranked_window* w;
        double operator[](std::size_t r) const noexcept { return w->at(r); }
    };
    view values() noexcept { return {this}; }

  private:
    struct cursor {
        std::size_t rank = npos, slot = 0;  // npos: unused, or its value left
        std::uint64_t used = 0;
    };
    static constexpr std::size_t near = 8;  // ranks a cursor moves by, at most, bit by bit
    static constexpr std::size_t scan = 4;  // words searched for the next set bit, at most

    double at(std::size_t r) noexcept {
        cursor* best = nullptr;
        std::size_t distance = npos;
        for (cursor& c : cursors_) {
            if (c.rank == npos) continue;
            const std::size_t d = c.rank > r ? c.rank - r : r - c.rank;
            if (d < distance) {
                distance = d;
                best = &c;
            }
        }
        std::size_t slot = npos;
        if (distance <= near) {
            slot = best->slot;
            for (std::size_t k = best->rank; k < r && slot != npos; ++k) slot = next(slot);
            for (std::size_t k = best->rank; k > r && slot != npos; --k) slot = previous(slot);
        }
        if (slot == npos) {
            slot = select(r);
            best = &cursors_[0];  // the least recently used
            for (cursor& c : cursors_)
                if (c.used < best->used) best = &c;
        }
        *best = {r, slot, ++clock_};
        return sorted_[slot];
    }

    // The slot of rank r: the tree's descent to the word holding it, then the bit.
    std::size_t select(std::size_t r) const noexcept {
        std::size_t word = 0;
        for (std::size_t step = top_; step > 0; step /= 2) {
            if (word + step < tree_.size() && tree_[word + step] <= r) {
                word += step;
                r -= tree_[word];
            }
        }
        return word * 64 + select_bit(words_[word], r);
    }

    // The next (previous) set bit after (before) slot, if it lies within `scan` words.
    std::size_t next(std::size_t slot) const noexcept {
        std::size_t j = slot / 64;
        std::uint64_t bits = slot % 64 == 63 ? 0 : words_[j] >> (slot % 64 + 1) << (slot % 64 + 1);
        for (const std::size_t stop = std::min(words_.size(), j + scan); !bits;) {
            if (++j >= stop) return npos;
            bits = words_[j];
        }
        return j * 64 + static_cast<std::size_t>(__builtin_ctzll(bits));
    }
    std::size_t previous(std::size_t slot) const noexcept {
        std::size_t j = slot / 64;
        std::uint64_t bits = words_[j] & ((std::uint64_t{1} << (slot % 64)) - 1);
        for (const std::size_t stop = j >= scan ? j - scan : 0; !bits;) {
            if (j-- <= stop) return npos;
            bits = words_[j];
        }
        return j * 64 + 63 - static_cast<std::size_t>(__builtin_clzll(bits));
    }

    std::vector<double> sorted_;
    std::vector<std::uint64_t> words_;  // bit s set: slot s is in the window
    std::vector<Index> tree_;           // Fenwick tree of the words' counts (1-based)
    std::size_t top_;                   // the largest power of two <= words_.size()
    std::size_t count_ = 0;
    cursor cursors_[3];  // sorted_median_mad reads around the median and the MAD's two split ranks
    std::uint64_t clock_ = 0;
};

// std::sort, stoppable by Ctrl-C: runs of 2^16 sorted, then merged pairwise through a second
// buffer, with interruption points between runs and merges. A window near n = 10^8 primes with
// one sort of every value (about 10 s), which would otherwise not notice a stop request.
template <class V>
void sort_interruptible(std::vector<V>& v) {
    constexpr std::size_t run = std::size_t{1} << 16;
    const std::size_t n = v.size();
    for (std::size_t b = 0; b < n; b += run) {
        interruption_point();
        std::sort(v.begin() + static_cast<std::ptrdiff_t>(b),
                  v.begin() + static_cast<std::ptrdiff_t>(std::min(n, b + run)));
    }
    if (n <= run) return;
    std::vector<V> merged(n);
    for (std::size_t width = run; width < n; width *= 2) {
        for (std::size_t b = 0; b < n; b += 2 * width) {
            interruption_point();
            const auto at = [&](std::size_t k) {
                return v.begin() + static_cast<std::ptrdiff_t>(std::min(n, k));
            };
            std::merge(at(b), at(b + width), at(b + width), at(b + 2 * width),
                       merged.begin() + static_cast<std::ptrdiff_t>(b));
        }
        v.swap(merged);
    }
}

// The slots of the values value(k), k < len: slot[k] is the rank of value k among the finite
// ones (ties by position), `none` for a NaN or +-inf (never in a window). Returns the finite
// values sorted, the slots' values for a ranked_window. Stoppable by Ctrl-C.
template <class Index, class Value>
std::vector<double> rank_slots(std::size_t len, const Value& value, std::vector<Index>& slot) {
    constexpr auto none = static_cast<Index>(-1);
    slot.assign(len, none);
    std::vector<std::pair<double, Index>> order;
    for (std::size_t k = 0; k < len; ++k) {
        const double v = value(k);
        if (is_finite(v)) order.emplace_back(v, static_cast<Index>(k));
    }
    sort_interruptible(order);
    std::vector<double> sorted(order.size());
    for (std::size_t r = 0; r < order.size(); ++r) {
        sorted[r] = order[r].first;
        slot[order[r].second] = static_cast<Index>(r);
    }
    return sorted;
}

}  // namespace outliers::order
