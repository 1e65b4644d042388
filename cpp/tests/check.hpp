// The few lines every C++ test program shares: a CHECK that counts failures, and exit codes.
#pragma once

#include <cstdio>

namespace outliers::testing {

inline int failures = 0;
inline int checks = 0;

// True when f() throws an E, false when it throws something else or nothing.
template <class E, class F>
bool throws(F f) {
    try {
        f();
    } catch (const E&) {
        return true;
    } catch (...) {
        return false;
    }
    return false;
}

// The program's exit status: 0 when every check passed.
inline int report(const char* name) {
    if (failures)
        std::printf("%s: %d of %d checks failed\n", name, failures, checks);
    else
        std::printf("%s: all %d checks passed\n", name, checks);
    return failures ? 1 : 0;
}

}  // namespace outliers::testing

#define CHECK(cond)                                                              \
    do {                                                                         \
        ++outliers::testing::checks;                                             \
        if (!(cond)) {                                                           \
            std::printf("%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            ++outliers::testing::failures;                                       \
        }                                                                        \
    } while (0)
