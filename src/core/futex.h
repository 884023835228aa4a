// A thread waiting for the sender without spinning: futex(2) on a 32-bit
// counter the sender bumps.  Used only where a caller has asked to wait
// (flush(), a full ring under max.block.ms); produce() and poll() never
// reach it, and the sender calls wake_all() only while someone waits.
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <ctime>

namespace ringkafka::core {

static_assert(sizeof(std::atomic<std::uint32_t>) == 4, "a futex word is 32 bits");

// Sleeps while `word` holds `expected`, for at most `timeout_ns`; returns
// early on wake_all(), a signal or a spurious wake-up.  The caller re-checks
// its condition, as with any futex.
inline void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected,
                       std::int64_t timeout_ns) noexcept {
  if (timeout_ns <= 0) return;
  timespec ts{static_cast<time_t>(timeout_ns / 1'000'000'000),
              static_cast<long>(timeout_ns % 1'000'000'000)};
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_PRIVATE, expected, &ts,
          nullptr, 0);
}

inline void futex_wake_all(std::atomic<std::uint32_t>& word) noexcept {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE_PRIVATE, INT32_MAX,
          nullptr, nullptr, 0);
}

}  // namespace ringkafka::core
