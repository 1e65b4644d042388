// parallel.hpp's loops and the worker pool under them: every block run once, errors passed on,
// loops from several host threads at once, loops inside loops, the pool after fork(), and
// loops that the host asks to stop (interrupt.hpp).
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <thread>
#include <vector>

#include "check.hpp"
#include "outliers/parallel.hpp"

#if defined(__unix__) || defined(__APPLE__)
#include <sys/wait.h>
#include <unistd.h>
#endif

namespace {

// for_each_block over n values in blocks of 7: each value visited once, each block's
// (begin, end) where it should be; true when all of that holds.
bool covers_once(std::size_t n, int threads) {
    std::vector<std::atomic<int>> seen(n);
    std::atomic<bool> bounds_ok{true};
    outliers::for_each_block(
        n,
        [&](std::size_t b, std::size_t begin, std::size_t end) {
            if (begin != b * 7 || end != std::min(n, begin + 7)) bounds_ok = false;
            for (std::size_t i = begin; i < end; ++i) seen[i].fetch_add(1);
        },
        7, threads);
    for (auto& s : seen)
        if (s.load() != 1) return false;
    return bounds_ok.load();
}

void test_every_block_once() {
    // Thread counts up and down: the pool keeps the threads it made, and uses as many as asked.
    for (int threads : {1, 2, 5, 3, 2, 8, 1, 4})
        for (std::size_t n : {0, 1, 7, 8, 13, 14, 100, 7000}) CHECK(covers_once(n, threads));
}

void test_error_reaches_caller() {
    for (int threads : {2, 4}) {
        std::atomic<int> ran{0};
        CHECK(outliers::testing::throws<std::runtime_error>([&] {
            outliers::for_each_block(
                1000,
                [&](std::size_t b, std::size_t, std::size_t) {
                    ran.fetch_add(1);
                    if (b == 37) throw std::runtime_error("block 37");
                },
                1, threads);
        }));
        CHECK(ran.load() >= 38 && ran.load() <= 1000);
        CHECK(covers_once(5000, threads));  // the pool still works after the error
    }
}

void test_host_threads_at_once() {
    // One host thread's loop holds the pool; the others start threads of their own.
    std::vector<std::thread> hosts;
    std::atomic<int> good{0};
    for (int h = 0; h < 4; ++h)
        hosts.emplace_back([&, h] {
            for (int r = 0; r < 100; ++r) good += covers_once(700 + 13 * h, 2 + h % 2);
        });
    for (auto& t : hosts) t.join();
    CHECK(good.load() == 400);
}

void test_loop_inside_loop() {
    std::atomic<int> inner_good{0};
    outliers::for_each_block(
        40, [&](std::size_t, std::size_t, std::size_t) { inner_good += covers_once(300, 2); }, 1,
        2);
    CHECK(inner_good.load() == 40);
    // Tasks: their kernels run single-threaded, and results land in their slots.
    std::vector<int> slot(9, 0);
    outliers::for_each_task(
        slot.size(),
        [&](std::size_t k) {
            slot[k] = outliers::get_num_threads() == 1 ? static_cast<int>(k) + 1 : -1;
        },
        3);
    for (std::size_t k = 0; k < slot.size(); ++k) CHECK(slot[k] == static_cast<int>(k) + 1);
}

void test_after_fork() {
#if defined(__unix__) || defined(__APPLE__)
    if (std::getenv("OUTLIERS_TEST_EMULATED")) {
        // qemu-user aborts in a child forked from a threaded process (its own assertion,
        // cpu == current_cpu), whatever the program: nothing of ours to test there.
        std::printf("test_parallel: fork check skipped under an emulator\n");
        return;
    }
    CHECK(covers_once(1000, 2));  // the parent's pool has a thread now
    std::fflush(stdout);
    const pid_t child = ::fork();
    if (child == 0) {
        // The inherited pool's threads are gone: a loop must not wait for them.
        alarm(20);
        ::_exit(covers_once(1000, 2) && covers_once(5000, 3) ? 0 : 1);
    }
    CHECK(child > 0);
    int status = 0;
    CHECK(::waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(covers_once(1000, 2));  // and the parent's still serves it
#endif
}

// A host that says "stop" from its `after`-th question on, counting the questions.
struct stop_after {
    int after;
    std::atomic<int> asked{0};
    static bool poll(void* self) {
        auto* s = static_cast<stop_after*>(self);
        return ++s->asked >= s->after;
    }
};

void test_interrupted_loop_stops() {
    using namespace std::chrono_literals;
    for (int threads : {1, 2, 4}) {
        // 400 blocks of 5 ms would take 2 s on one thread; the host says stop at its second
        // question, one poll interval (100 ms) after the first: the loop must end soon after.
        stop_after host{2};
        std::atomic<int> ran{0};
        const auto start = std::chrono::steady_clock::now();
        const bool stopped = outliers::testing::throws<outliers::interrupted>([&] {
            const outliers::interruption call(&stop_after::poll, &host);
            outliers::for_each_block(
                400,
                [&](std::size_t, std::size_t, std::size_t) {
                    std::this_thread::sleep_for(5ms);
                    ran.fetch_add(1);
                },
                1, threads);
        });
        const auto took = std::chrono::steady_clock::now() - start;
        CHECK(stopped);
        CHECK(ran.load() < 400);
        CHECK(took < 1s);
        CHECK(outliers::current_interruption() == nullptr);  // the scope is gone with the call
        CHECK(covers_once(5000, threads));                   // and nothing is left stopped
    }
}

void test_helpers_see_the_stop() {
    using namespace std::chrono_literals;
    // The caller's blocks are short (the first waits for a helper to start); a helper's block
    // is long, with interruption points inside. The caller, waiting for it, keeps asking the
    // host, and the helper leaves at its next point instead of running its 3 s to the end.
    stop_after host{1};
    const auto caller = std::this_thread::get_id();
    std::atomic<bool> helper_started{false}, helper_stopped{false};
    const auto start = std::chrono::steady_clock::now();
    const bool stopped = outliers::testing::throws<outliers::interrupted>([&] {
        const outliers::interruption call(&stop_after::poll, &host);
        outliers::for_each_block(
            4,
            [&](std::size_t, std::size_t, std::size_t) {
                if (std::this_thread::get_id() == caller) {
                    while (!helper_started && std::chrono::steady_clock::now() - start < 2s)
                        std::this_thread::sleep_for(1ms);
                    return;
                }
                helper_started = true;
                for (int i = 0; i < 3000; ++i) {
                    std::this_thread::sleep_for(1ms);
                    try {
                        outliers::interruption_point();
                    } catch (const outliers::interrupted&) {
                        helper_stopped = true;
                        throw;
                    }
                }
            },
            1, 2);
    });
    CHECK(stopped);
    CHECK(helper_started.load() && helper_stopped.load());
    CHECK(std::chrono::steady_clock::now() - start < 1s);
}

void test_no_interruption_no_cost() {
    // Without a host's interruption in scope the points never throw, on any thread.
    CHECK(!outliers::testing::throws<outliers::interrupted>([] {
        outliers::for_each_block(
            100, [](std::size_t, std::size_t, std::size_t) { outliers::interruption_point(); }, 1,
            3);
    }));
}

}  // namespace

int main() {
    test_every_block_once();
    test_error_reaches_caller();
    test_host_threads_at_once();
    test_loop_inside_loop();
    test_after_fork();
    test_interrupted_loop_stops();
    test_helpers_see_the_stop();
    test_no_interruption_no_cost();
    return outliers::testing::report("test_parallel");
}
