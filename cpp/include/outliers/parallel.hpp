// Splitting work over threads so that results never depend on the thread count.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace outliers {

namespace detail {
inline std::atomic<int>& thread_setting() {
    static std::atomic<int> n{static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))};
    return n;
}
}  // namespace detail

inline int get_num_threads() noexcept { return detail::thread_setting().load(); }
inline void set_num_threads(int n) noexcept { detail::thread_setting().store(std::max(1, n)); }

// Work is cut into blocks of a fixed size that does not depend on the thread count; each
// block's result lands in its own slot and slots are combined in block order. That is what
// makes sums bit-for-bit identical for 1, 2 or 64 threads.
inline constexpr std::size_t block_size = std::size_t{1} << 16;

inline std::size_t block_count(std::size_t n, std::size_t block = block_size) noexcept {
    return (n + block - 1) / block;
}

// Calls body(b, begin, end) for every block b of [0, n), spread over up to get_num_threads()
// threads. Threads are only started when there are at least two blocks per thread; the first
// exception thrown by any block is rethrown here.
template <class Body>
void for_each_block(std::size_t n, Body&& body, std::size_t block = block_size,
                    int threads = get_num_threads()) {
    const std::size_t blocks = block_count(n, block);
    const auto run = [&](std::size_t b) {
        const std::size_t begin = b * block;
        body(b, begin, std::min(n, begin + block));
    };
    const std::size_t wanted = std::min<std::size_t>(static_cast<std::size_t>(std::max(1, threads)),
                                                     blocks / 2);
    if (wanted <= 1) {
        for (std::size_t b = 0; b < blocks; ++b) run(b);
        return;
    }
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    std::atomic<bool> failed{false};
    const auto worker = [&] {
        for (std::size_t b; (b = next.fetch_add(1)) < blocks;) {
            if (failed.load()) return;
            try {
                run(b);
            } catch (...) {
                if (!failed.exchange(true)) error = std::current_exception();
                return;
            }
        }
    };
    std::vector<std::thread> pool;
    pool.reserve(wanted - 1);
    for (std::size_t t = 1; t < wanted; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
}

}  // namespace outliers
