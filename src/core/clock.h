// The two clocks the producer reads: monotonic nanoseconds for deadlines
// and latencies (the same clock as std::chrono::steady_clock on Linux, and
// DeliveryReport::sent_ns), and wall-clock milliseconds for Kafka
// timestamps.  Both are vDSO reads, not system calls.
#pragma once

#include <cstdint>
#include <climits>
#include <ctime>

namespace ringkafka::core {

inline std::int64_t mono_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
}

inline std::int64_t wall_ms() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1'000'000;
}

// Milliseconds as nanoseconds, saturating: keys such as max.block.ms take
// values up to INT64_MAX (Java users write Long.MAX_VALUE for "forever"),
// and a plain multiplication would overflow (undefined behaviour).  Negative
// values count as 0.
constexpr std::int64_t ms_to_ns(std::int64_t ms) noexcept {
  constexpr std::int64_t kMax = INT64_MAX / 1'000'000;
  if (ms <= 0) return 0;
  return ms >= kMax ? INT64_MAX : ms * 1'000'000;
}

// now + ms, saturating at INT64_MAX ("never").
constexpr std::int64_t deadline_after_ms(std::int64_t now_ns, std::int64_t ms) noexcept {
  const std::int64_t d = ms_to_ns(ms);
  return d > INT64_MAX - now_ns ? INT64_MAX : now_ns + d;
}

}  // namespace ringkafka::core
