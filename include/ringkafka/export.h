// ringkafka — symbol visibility for the shared library.
//
// The library is built with hidden visibility, so only what a public header
// marks RINGKAFKA_API is exported from libringkafka.so; internals in src/
// never leak into a user's symbol namespace.
#pragma once

#if defined(__GNUC__)
#define RINGKAFKA_API __attribute__((visibility("default")))
#else
#define RINGKAFKA_API
#endif
