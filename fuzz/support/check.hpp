#pragma once
// The properties fuzz targets assert. A failed one prints what failed and traps, which libFuzzer reports as a crash
// and saves the input as an artifact. A macro, so the message can quote the condition.
#include <cstdio>

#define INBOX_FUZZ_CHECK(condition)                                                                  \
    do {                                                                                             \
        if (!(condition)) {                                                                          \
            std::fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", #condition, __FILE__, __LINE__); \
            __builtin_trap();                                                                        \
        }                                                                                            \
    } while (0)
