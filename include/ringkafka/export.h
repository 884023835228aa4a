// ringkafka — symbol visibility for the shared library.
//
// The library is built with hidden visibility, so only what a public header
// marks RINGKAFKA_API is exported from libringkafka.so; internals in src/
// never leak into a user's symbol namespace.
#pragma once

// Every public header includes this one first, so a compiler in an older
// mode stops here with the reason, not deep inside <span> or a concept.
// #error alone lets GCC and Clang go on and print pages of follow-on errors
// from our headers and the user's code; a missing header is fatal to both,
// so the one that does not exist below ends the compilation at the reason.
#if !defined(__cplusplus) || __cplusplus <= 201703L
#error "ringkafka needs C++20: compile with -std=c++20 (CMake: the ringkafka targets ask for cxx_std_20)"
#include "ringkafka/stop-compiling-c++20-is-required"
#endif

#if defined(__GNUC__)
#define RINGKAFKA_API __attribute__((visibility("default")))
#else
#define RINGKAFKA_API
#endif
