// The one reader of any column (any dtype, mask, bitmap, NaT, sentinels, strides) as doubles,
// a range at a time: missing values become NaN, infinities stay infinite, finite values are
// value(c, i). Contiguous float64 whose values alone decide what is missing is read in place;
// anything else is converted into a caller's buffer, never into a copy of the column.
#pragma once

#include <cstddef>
#include <type_traits>

#include "outliers/column.hpp"

namespace outliers {

template <class T>
class double_reader {
  public:
    explicit double_reader(const column<T>& c) noexcept
        : c_(c),
          plain_(values_decide(c)),
          direct_(std::is_same_v<T, double> && plain_ && c.values.stride == 1) {}

    std::size_t size() const noexcept { return c_.size(); }
    // The values alone decide what is missing: NaN and +-inf are the only values to skip.
    bool plain() const noexcept { return plain_; }
    // Contiguous float64 read where it lies: read() returns a pointer into the column.
    bool direct() const noexcept { return direct_; }

    // The values [begin, begin + len) as doubles; `buf` must hold `len` of them (unused, and
    // may be null, when direct()).
    const double* read(std::size_t begin, std::size_t len, double* buf) const noexcept {
        if constexpr (std::is_same_v<T, double>)
            if (direct_) return c_.values.data + begin;
        if (plain_ && c_.values.stride == 1) {  // a loop the compiler vectorises
            const T* src = c_.values.data + begin;
            for (std::size_t i = 0; i < len; ++i) buf[i] = static_cast<double>(src[i]);
        } else if (plain_) {
            for (std::size_t i = 0; i < len; ++i) buf[i] = value(c_, begin + i);
        } else {
            for (std::size_t i = 0; i < len; ++i) buf[i] = at(begin + i);
        }
        return buf;
    }

    // A hint that at(i) comes soon (the value's cache line is fetched meanwhile).
    void prefetch(std::size_t i) const noexcept { __builtin_prefetch(&c_.values[i]); }

    double at(std::size_t i) const noexcept {
        if (!plain_ && classify(c_, i) == state::missing) return nan;
        return value(c_, i);
    }

  private:
    const column<T>& c_;
    bool plain_;
    bool direct_;
};

}  // namespace outliers
