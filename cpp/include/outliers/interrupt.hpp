// Stopping a long call early (Ctrl-C in Python or Jupyter) without any Python in the kernels.
//
// A host that wants its calls to be stoppable puts an `interruption` on the stack of the thread
// that makes the call, with a function that answers "should this call stop?" (the Python
// bindings ask Python whether a signal is pending). Kernels and parallel loops call
// interruption_point() between pieces of work: on the calling thread it asks the host, at most
// once per poll_interval; on every thread working for the call it throws `interrupted` once the
// answer was yes. Without an interruption in scope, interruption_point() is a thread-local load.
#pragma once

#include <atomic>
#include <chrono>
#include <exception>
#include <thread>

namespace outliers {

// Thrown out of a kernel when its call was asked to stop; nothing it wrote is to be used.
struct interrupted : std::exception {
    const char* what() const noexcept override { return "the call was interrupted"; }
};

class interruption;

namespace detail {
// The call this thread works for: set by the interruption on the calling thread, and by the
// parallel loops on their helper threads for the duration of the call's work.
inline thread_local interruption* this_thread_call = nullptr;
}  // namespace detail

class interruption {
  public:
    using poll_function = bool (*)(void* context);
    // Half a second of reaction time is the target; a host's answer may cost a
    // lock (Python's GIL), so it is asked ten times a second at most.
    static constexpr std::chrono::milliseconds poll_interval{100};

    interruption(poll_function poll, void* context)
        : poll_(poll),
          context_(context),
          owner_(std::this_thread::get_id()),
          outer_(detail::this_thread_call),
          last_poll_(std::chrono::steady_clock::now()) {
        detail::this_thread_call = this;
    }
    ~interruption() { detail::this_thread_call = outer_; }
    interruption(const interruption&) = delete;
    interruption& operator=(const interruption&) = delete;

    // Asks the host now if this is the calling thread and the last question is old enough;
    // true once the call is to stop. Never throws: for threads that wait for others.
    bool poll() noexcept {
        if (stop_.load(std::memory_order_relaxed)) return true;
        if (std::this_thread::get_id() != owner_) return false;
        const auto now = std::chrono::steady_clock::now();
        if (now - last_poll_ < poll_interval) return false;
        last_poll_ = now;
        if (poll_(context_)) stop_.store(true, std::memory_order_relaxed);
        return stop_.load(std::memory_order_relaxed);
    }

  private:
    poll_function poll_;
    void* context_;
    std::thread::id owner_;
    interruption* outer_;
    std::chrono::steady_clock::time_point last_poll_;  // touched by the owner only
    std::atomic<bool> stop_{false};
};

// The call this thread works for, or null: the parallel loops hand it to their threads.
inline interruption* current_interruption() noexcept { return detail::this_thread_call; }

// Makes `call` the one this thread works for until the scope ends (a helper thread of a loop).
class working_for {
  public:
    explicit working_for(interruption* call) noexcept : outer_(detail::this_thread_call) {
        detail::this_thread_call = call;
    }
    ~working_for() { detail::this_thread_call = outer_; }
    working_for(const working_for&) = delete;
    working_for& operator=(const working_for&) = delete;

  private:
    interruption* outer_;
};

// Throws `interrupted` if the call this thread works for is to stop. Cheap enough for every
// few thousand values: a thread-local load, and on the calling thread a clock read.
inline void interruption_point() {
    interruption* call = detail::this_thread_call;
    if (call && call->poll()) throw interrupted{};
}

}  // namespace outliers
