// RK_DEBUG: the sender's debug lines on stderr while RINGKAFKA_DEBUG is set
// (read once).  Off the record path only: connections, metadata, the
// producer id.  A log callback with levels replaces it in issue 16.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace ringkafka::core {

inline bool debug_enabled() noexcept {
  static const bool on = std::getenv("RINGKAFKA_DEBUG") != nullptr;
  return on;
}

}  // namespace ringkafka::core

#define RK_DEBUG(...)                                  \
  do {                                                 \
    if (::ringkafka::core::debug_enabled()) {          \
      std::fprintf(stderr, "ringkafka: " __VA_ARGS__); \
      std::fputc('\n', stderr);                        \
    }                                                  \
  } while (0)
