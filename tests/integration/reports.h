// Taking delivery reports in the integration tests: poll() on the calling
// thread until a test has the reports it waits for.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <thread>
#include <vector>

#include "ringkafka/producer.h"

namespace ringkafka::testing {

// Appends what one poll() returns to `into`; returns how many.
inline std::size_t take_reports(Producer& p, std::vector<DeliveryReport>& into) {
  thread_local std::array<DeliveryReport, 512> batch;  // not re-initialized per call
  const std::size_t n = p.poll(batch);
  into.insert(into.end(), batch.begin(), batch.begin() + static_cast<std::ptrdiff_t>(n));
  return n;
}

// Polls until `into` holds `count` reports or `deadline` passes, napping
// when a poll() finds nothing.
inline void await_reports(Producer& p, std::vector<DeliveryReport>& into, std::size_t count,
                          std::chrono::steady_clock::time_point deadline,
                          std::chrono::microseconds nap = std::chrono::microseconds(200)) {
  while (into.size() < count && std::chrono::steady_clock::now() < deadline) {
    if (take_reports(p, into) == 0) std::this_thread::sleep_for(nap);
  }
}

// The next `count` reports, or fewer if `timeout` passes first.
inline std::vector<DeliveryReport> await_reports(Producer& p, std::size_t count,
                                                 std::chrono::milliseconds timeout) {
  std::vector<DeliveryReport> out;
  await_reports(p, out, count, std::chrono::steady_clock::now() + timeout);
  return out;
}

}  // namespace ringkafka::testing
