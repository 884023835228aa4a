// Where the sender leaves its statistics snapshot for Producer::statistics()
// (ringkafka/statistics.h).  The sender never waits for a reader: it
// publishes with try_lock and, if a reader holds the lock, keeps the
// snapshot and tries again on its next pass.  Publishing swaps two
// snapshots' storage, so once both have grown to the producer's size a
// snapshot costs no allocation; a reader copies into its own Statistics,
// whose storage it reuses the same way.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <utility>

#include "ringkafka/statistics.h"

namespace ringkafka::handoff {

class StatisticsExchange {
 public:
  // A reader asks for a snapshot newer than any published so far; the
  // number to wait for with read().
  std::uint64_t ask() noexcept { return asked_.fetch_add(1, std::memory_order_acq_rel) + 1; }
  // The sender: the requests so far (a snapshot built after this load
  // answers them all).
  [[nodiscard]] std::uint64_t asked() const noexcept {
    return asked_.load(std::memory_order_acquire);
  }

  // The sender: `built` becomes the published snapshot (and `built` the
  // previous one, storage to reuse), answering requests up to `answers`.
  // false: a reader holds the lock; nothing changed.
  bool publish(Statistics& built, std::uint64_t answers) noexcept {
    const std::unique_lock lock(mu_, std::try_to_lock);
    if (!lock.owns_lock()) return false;
    std::swap(latest_, built);
    answered_.store(answers, std::memory_order_release);
    published_ = true;
    return true;
  }

  // A reader: the published snapshot into `out` if it answers `request`
  // (0: any published one).  Copying may allocate (first call; a bigger
  // producer), and throws std::bad_alloc then.
  bool read(Statistics& out, std::uint64_t request) {
    if (answered_.load(std::memory_order_acquire) < request) return false;
    const std::lock_guard lock(mu_);
    if (!published_) return false;
    out = latest_;
    return true;
  }

 private:
  std::atomic<std::uint64_t> asked_{0};
  std::atomic<std::uint64_t> answered_{0};
  std::mutex mu_;
  bool published_ = false;  // under mu_
  Statistics latest_;       // under mu_
};

}  // namespace ringkafka::handoff
