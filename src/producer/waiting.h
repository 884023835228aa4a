// How the application threads wait for the sender: counted in
// Shared::waiters while asleep on Shared::progress (see there for the
// ordering), and how close() waits for produce() calls in progress.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

#include "core/asymmetric_fence.h"
#include "handoff/shared.h"

namespace ringkafka::waiting {

// Counts a thread in Shared::waiters for as long as it lives.
struct Waiting {
  explicit Waiting(handoff::Shared& s) noexcept : shared(s) {
    shared.waiters.fetch_add(1, std::memory_order_acq_rel);  // see Shared::waiters
  }
  ~Waiting() { shared.waiters.fetch_sub(1, std::memory_order_relaxed); }
  Waiting(const Waiting&) = delete;
  Waiting& operator=(const Waiting&) = delete;
  handoff::Shared& shared;
};

// After `closed` is set, waits until no produce() is between its check of
// `closed` and its commit: every record is then either refused or in a
// ring, where the sender's final purge finds it.  The producer's side
// stores `busy` and then loads `closed` with only a compiler barrier; the
// heavy fence here supplies the rest (core/asymmetric_fence.h).
inline void wait_for_producers(handoff::Shared& shared) noexcept {
  if (!core::heavy_fence()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const std::uint32_t used = shared.slots_in_use.load(std::memory_order_acquire);
  for (std::uint32_t i = 0; i < used; ++i) {
    while (shared.slots[i]->busy.load(std::memory_order_acquire)) std::this_thread::yield();
  }
}

}  // namespace ringkafka::waiting
