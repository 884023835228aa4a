// RK_SANITIZED is defined when this file is compiled under AddressSanitizer
// or ThreadSanitizer (GCC's and clang's spellings): tests that replace
// malloc or watch system calls skip there, because the sanitizer's runtime
// owns malloc and makes calls of its own.
#pragma once

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define RK_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define RK_SANITIZED 1
#endif
#endif
