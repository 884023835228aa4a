// Delivery reports on their way from the sender thread (the only producer)
// back to the thread that produced the records (the only consumer, in
// poll()).  A fixed power-of-two array in caller memory.
//
// It never fills: produce() accepts a record only while the thread has
// fewer than capacity() records unreported-or-unpolled, so there is always
// room for every report the sender can owe that thread.
//
// Ordering as in core::SpscByteRing: the sender writes a slot, then
// publishes it with a release store of tail_; poll() reads it after an
// acquire load of tail_, and hands the slot back with a release store of
// head_.  head_ and tail_ live on separate cache lines so that the two
// threads do not write the same line.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/cache_line.h"
#include "ringkafka/producer.h"

namespace ringkafka::handoff {

class ReportQueue {
 public:
  ReportQueue() noexcept = default;
  // `slots` has a power-of-two size.
  explicit ReportQueue(std::span<DeliveryReport> slots) noexcept
      : slots_(slots.data()), mask_(slots.size() - 1) {}

  [[nodiscard]] std::size_t capacity() const noexcept { return mask_ + 1; }

  // Sender side.  The caller guarantees room (see above).
  void push(const DeliveryReport& report) noexcept {
    const std::uint64_t t = tail_.load(std::memory_order_relaxed);
    slots_[t & mask_] = report;
    tail_.store(t + 1, std::memory_order_release);  // pairs with pop_into()'s acquire
  }

  // Consumer side: moves up to out.size() reports, oldest first.
  std::size_t pop_into(std::span<DeliveryReport> out) noexcept {
    const std::uint64_t h = head_.load(std::memory_order_relaxed);
    const std::uint64_t t = tail_.load(std::memory_order_acquire);
    std::size_t n = static_cast<std::size_t>(t - h);
    if (n > out.size()) n = out.size();
    for (std::size_t i = 0; i < n; ++i) out[i] = slots_[(h + i) & mask_];
    head_.store(h + n, std::memory_order_release);  // the slots may be written again
    return n;
  }

  // Reports taken by poll() so far (the consumer's position).
  [[nodiscard]] std::uint64_t consumed() const noexcept {
    return head_.load(std::memory_order_acquire);
  }

 private:
  DeliveryReport* slots_ = nullptr;
  std::size_t mask_ = 0;
  alignas(core::kCacheLine) std::atomic<std::uint64_t> tail_{0};
  alignas(core::kCacheLine) std::atomic<std::uint64_t> head_{0};
};

}  // namespace ringkafka::handoff
