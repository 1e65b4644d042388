// strided<T>: a non-owning 1-D view (pointer, length, signed element stride); the kernels' only array type.
#pragma once

#include <cstddef>
#include <cstdint>

namespace outliers {

template <class T>
struct strided {
    T* data = nullptr;
    std::size_t size = 0;
    std::ptrdiff_t stride = 1;  // in elements, may be negative or zero

    T& operator[](std::size_t i) const noexcept {
        return data[static_cast<std::ptrdiff_t>(i) * stride];
    }
    bool empty() const noexcept { return size == 0; }
};

template <class T>
strided<T> make_strided(T* data, std::size_t size, std::ptrdiff_t stride = 1) noexcept {
    return strided<T>{data, size, stride};
}

}  // namespace outliers
