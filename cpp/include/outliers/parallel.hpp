// Splitting work over threads so that results never depend on the thread count.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "outliers/interrupt.hpp"

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

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

// Threads that sleep between parallel loops, so that a loop wakes them (a few us) instead of
// starting threads (75 us in a Python process: more than an 8 x 1000 frame's whole work, and
// zscore runs three loops per column). One loop at a time; a caller that finds the pool busy
// (another host thread's loop) starts threads of its own, as every loop did before.
class worker_pool {
  public:
    // Runs job(context) on up to `helpers` pool threads while the caller runs it too, and
    // returns once every thread that started it has returned; false, having run nothing, when
    // the pool is busy. Helpers that wake after the caller's own run are not waited for (they
    // would find no work left: a small loop is over before a sleeping thread is up). `job`
    // must not throw. While it waits for helpers, the caller keeps asking whether `call` is to
    // stop (the helpers see the answer at their next interruption point).
    bool run(std::size_t helpers, void (*job)(void*), void* context, interruption* call) {
        std::unique_lock<std::mutex> owner(busy_, std::try_to_lock);
        if (!owner) return false;
        std::unique_lock<std::mutex> lock(state_);
        try {
            while (threads_.size() < helpers) threads_.emplace_back([this] { serve(); });
        } catch (...) {  // no more threads to be had: the loop runs on those there are
            helpers = threads_.size();
        }
        job_ = job;
        context_ = context;
        open_ = helpers;
        ++generation_;
        lock.unlock();
        wake_.notify_all();
        job(context);
        lock.lock();
        open_ = 0;  // the helpers not yet started stay out
        const auto finished = [&] { return running_ == 0; };
        if (!call) {
            done_.wait(lock, finished);
            return true;
        }
        while (!done_.wait_for(lock, interruption::poll_interval, finished)) {
            lock.unlock();
            call->poll();
            lock.lock();
        }
        return true;
    }

  private:
    void serve() {
        std::uint64_t seen = 0;
        std::unique_lock<std::mutex> lock(state_);
        for (;;) {
            wake_.wait(lock, [&] { return generation_ != seen; });
            seen = generation_;
            if (open_ == 0) continue;
            --open_;
            ++running_;
            void (*job)(void*) = job_;
            void* context = context_;
            lock.unlock();
            job(context);
            lock.lock();
            if (--running_ == 0) done_.notify_one();
        }
    }

    std::mutex busy_;   // held by the caller whose loop runs
    std::mutex state_;  // guards everything below
    std::condition_variable wake_, done_;
    std::vector<std::thread> threads_;
    std::uint64_t generation_ = 0;  // one per loop
    std::size_t open_ = 0;          // helpers the current loop may still take
    std::size_t running_ = 0;       // helpers inside the current loop's job
    void (*job_)(void*) = nullptr;
    void* context_ = nullptr;
};

// This process's pool, or null when another thread is getting it. Never destroyed: its
// threads sleep until the process ends. A child of fork() inherits the parent's pool but none
// of its threads, so it makes its own and leaves the inherited one untouched.
inline worker_pool* process_pool() {
    static std::mutex guard;
    static worker_pool* pool = nullptr;
    static long owner = 0;
#if defined(__unix__) || defined(__APPLE__)
    const long self = static_cast<long>(::getpid());
#else
    const long self = 0;  // no fork()
#endif
    std::unique_lock<std::mutex> lock(guard, std::try_to_lock);
    if (!lock) return nullptr;
    if (!pool || owner != self) {
        pool = new worker_pool;
        owner = self;
    }
    return pool;
}

// Runs run(b) for b in [0, blocks) on `workers` threads (the caller's included); the first
// exception thrown by any block is rethrown here once all threads have stopped. Every block
// starts with an interruption point: a stopped call ends after the blocks under way.
template <class Run>
void run_blocks(std::size_t blocks, std::size_t workers, Run&& run) {
    if (workers <= 1) {
        for (std::size_t b = 0; b < blocks; ++b) {
            interruption_point();
            run(b);
        }
        return;
    }
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    std::atomic<bool> failed{false};
    interruption* const call = current_interruption();
    auto worker = [&] {
        const working_for scope(call);
        for (std::size_t b; (b = next.fetch_add(1)) < blocks;) {
            if (failed.load()) return;
            try {
                interruption_point();
                run(b);
            } catch (...) {
                if (!failed.exchange(true)) error = std::current_exception();
                return;
            }
        }
    };
    using worker_type = decltype(worker);
    worker_pool* pool = process_pool();
    if (!pool ||
        !pool->run(
            workers - 1, [](void* w) { (*static_cast<worker_type*>(w))(); }, &worker, call)) {
        std::vector<std::thread> threads;
        threads.reserve(workers - 1);
        for (std::size_t t = 1; t < workers; ++t) threads.emplace_back(worker);
        worker();
        for (auto& t : threads) t.join();
    }
    if (error) std::rethrow_exception(error);
}
}  // namespace detail

// Calls body(b, begin, end) for every block b of [0, n), spread over up to `threads` threads.
// Threads only join in when there are at least two blocks per thread. Each thread gets its
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
