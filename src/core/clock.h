// The two clocks the producer reads: monotonic nanoseconds for deadlines
// and latencies (the same clock as std::chrono::steady_clock on Linux, and
// DeliveryReport::sent_ns), and wall-clock milliseconds for Kafka
// timestamps.  Both are vDSO reads, not system calls.
#pragma once

#include <cstdint>
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

}  // namespace ringkafka::core
