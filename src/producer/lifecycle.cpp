#include "producer/lifecycle.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <new>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/futex.h"
#include "producer/waiting.h"
#include "sender/sender.h"

namespace ringkafka::lifecycle {

using core::mono_ns;

Errc flush(handoff::Shared& shared, std::chrono::milliseconds timeout) noexcept {
  // Wait for what each slot had accepted when flush began.
  const std::uint32_t used = shared.slots_in_use.load(std::memory_order_acquire);
  // On the stack for up to 256 threads (2 KiB): no allocation in the usual
  // case; more threads than that need the heap, and say so if it fails.
  std::array<std::uint64_t, 256> local;
  std::vector<std::uint64_t> heap;
  std::uint64_t* target = local.data();
  if (used > local.size()) {
    try {
      heap.resize(used);
    } catch (...) {
      return Errc::kResource;
    }
    target = heap.data();
  }
  for (std::uint32_t i = 0; i < used; ++i) {
    target[i] = shared.slots[i]->accepted.load(std::memory_order_acquire);
  }
  // The sender sends open batches at once while flush_waiters is not 0,
  // from its next pass on (within sender.idle.park.max.us).
  shared.flush_waiters.fetch_add(1, std::memory_order_acq_rel);
  const std::int64_t deadline = core::deadline_after_ms(mono_ns(), timeout.count());
  Errc result = Errc::kOk;
  {
    waiting::Waiting waiting(shared);
    for (std::uint32_t i = 0; i < used && result == Errc::kOk; ++i) {
      while (true) {
        const std::uint32_t seen = shared.progress.load(std::memory_order_acquire);
        if (shared.slots[i]->reported.load(std::memory_order_acquire) >= target[i]) break;
        const std::int64_t now = mono_ns();
        if (now >= deadline || shared.sender_exited.load(std::memory_order_acquire)) {
          result = Errc::kTimedOut;
          break;
        }
        core::futex_wait(shared.progress, seen,
                         std::min(deadline - now, handoff::Shared::kWaitSliceNs));
      }
    }
  }
  shared.flush_waiters.fetch_sub(1, std::memory_order_acq_rel);
  return result;
}

ProducerStats stats(const handoff::Shared& shared) noexcept {
  const auto& c = shared.counters;
  ProducerStats s;
  s.batch_buffers = c.batch_buffers.load(std::memory_order_relaxed);
  s.batch_buffer_bytes = c.batch_buffer_bytes.load(std::memory_order_relaxed);
  s.produce_requests = c.produce_requests.load(std::memory_order_relaxed);
  s.batches_sent = c.batches_sent.load(std::memory_order_relaxed);
  s.batch_retries = c.batch_retries.load(std::memory_order_relaxed);
  s.connections = c.connections.load(std::memory_order_relaxed);
  s.reauthentications = c.reauthentications.load(std::memory_order_relaxed);
  return s;
}

Errc statistics(handoff::Shared& shared, Statistics& out, std::chrono::milliseconds timeout) noexcept {
  // A callback on the sender thread would wait for its own thread.
  if (sender::Sender::on_sender_thread()) return Errc::kState;
  try {
    // No time to wait: the last snapshot published, if there is one.
    if (timeout.count() <= 0) return shared.statistics.read(out, 0) ? Errc::kOk : Errc::kTimedOut;
  } catch (const std::bad_alloc&) {
    return Errc::kResource;
  }
  const std::int64_t deadline = core::deadline_after_ms(mono_ns(), timeout.count());
  const std::uint64_t request = shared.statistics.ask();
  try {
    // The sender answers on its next pass (within its idle strategy's
    // longest park); a reader that holds the lock makes it try again.
    while (!shared.statistics.read(out, request)) {
      if (shared.sender_exited.load(std::memory_order_acquire)) return Errc::kClosed;
      if (mono_ns() >= deadline) return Errc::kTimedOut;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  } catch (const std::bad_alloc&) {
    return Errc::kResource;
  }
  return Errc::kOk;
}

void warn_unpolled(handoff::Shared& shared) noexcept {
  if (shared.settings.callback != nullptr) return;  // every report was handed over
  std::uint64_t left = 0;
  std::uint64_t failed = 0;
  std::uint64_t possibly = 0;
  DeliveryReport batch[64];
  const std::uint32_t used = shared.slots_in_use.load(std::memory_order_acquire);
  for (std::uint32_t i = 0; i < used; ++i) {
    while (true) {
      const std::size_t n = shared.slots[i]->reports.pop_into(batch);
      if (n == 0) break;
      left += n;
      for (std::size_t k = 0; k < n; ++k) {
        if (batch[k].ok()) continue;
        ++failed;
        if (batch[k].persisted == Persistence::kPossiblyPersisted) ++possibly;
      }
    }
  }
  if (left == 0) return;
  RK_LOG(shared.settings.log, LogLevel::kWarning, config::Context::kGeneric,
         "producer destroyed with %llu delivery reports never polled "
         "(%llu failed, %llu of them possibly persisted)",
         static_cast<unsigned long long>(left), static_cast<unsigned long long>(failed),
         static_cast<unsigned long long>(possibly));
}


}  // namespace ringkafka::lifecycle
