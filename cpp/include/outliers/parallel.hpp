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

// Set inside a worker that already runs one task of a parallel loop (e.g. one column of a
// frame), so that the kernel it calls does not start threads of its own.
inline thread_local bool inside_parallel_task = false;

inline int get_num_threads() noexcept {
    return inside_parallel_task ? 1 : detail::thread_setting().load();
}
inline void set_num_threads(int n) noexcept { detail::thread_setting().store(std::max(1, n)); }

// Work is cut into blocks of a fixed size that does not depend on the thread count; each
// block's result lands in its own slot and slots are combined in block order. That is what
// makes sums bit-for-bit identical for 1, 2 or 64 threads.
inline constexpr std::size_t block_size = std::size_t{1} << 16;

inline std::size_t block_count(std::size_t n, std::size_t block = block_size) noexcept {
    return (n + block - 1) / block;
}

namespace detail {
// Runs run(b) for b in [0, blocks) on `workers` threads (the caller's included); the first
// exception thrown by any block is rethrown here once all threads have stopped.
template <class Run>
void run_blocks(std::size_t blocks, std::size_t workers, Run&& run) {
    if (workers <= 1) {
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
    pool.reserve(workers - 1);
    for (std::size_t t = 1; t < workers; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
}
}  // namespace detail

// Calls body(b, begin, end) for every block b of [0, n), spread over up to `threads` threads.
// Threads are only started when there are at least two blocks per thread. Each thread gets its
// blocks in increasing order (esd.hpp relies on it).
template <class Body>
void for_each_block(std::size_t n, Body&& body, std::size_t block = block_size,
                    int threads = get_num_threads()) {
    const std::size_t blocks = block_count(n, block);
    const std::size_t workers =
        std::min<std::size_t>(static_cast<std::size_t>(std::max(1, threads)), blocks / 2);
    detail::run_blocks(blocks, workers, [&](std::size_t b) {
        const std::size_t begin = b * block;
        body(b, begin, std::min(n, begin + block));
    });
}

// Calls task(k) for k in [0, count), one task per thread at a time, each task running its
// kernels single-threaded. For independent tasks (the columns of a frame): every task's result
// is what it would be alone, so results do not depend on the thread count either.
template <class Task>
void for_each_task(std::size_t count, Task&& task, int threads = get_num_threads()) {
    if (count == 1) {  // a lone task may use every thread itself
        task(0);
        return;
    }
    const std::size_t workers =
        std::min<std::size_t>(static_cast<std::size_t>(std::max(1, threads)), count);
    detail::run_blocks(count, workers, [&](std::size_t k) {
        const bool outer = inside_parallel_task;
        inside_parallel_task = true;
        try {
            task(k);
        } catch (...) {
            inside_parallel_task = outer;
            throw;
        }
        inside_parallel_task = outer;
    });
}

}  // namespace outliers
