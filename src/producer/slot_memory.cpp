#include "producer/slot_memory.h"

#include <string>

#include "core/region.h"

namespace ringkafka::slot_memory {

SlotMemory::~SlotMemory() {
  core::unmap_region(ring_, ring_bytes_);
  core::unmap_region(large_, large_bytes_);
  core::unmap_region(reports_, reports_bytes_);
}

std::optional<Error> SlotMemory::map(const config::Settings& s,
                                     std::vector<std::unique_ptr<handoff::Slot>>& slots) {
  const std::size_t threads = s.max_producer_threads;
  ring_bytes_ = s.ring_bytes * threads;
  ring_ = core::map_region(ring_bytes_, s.large_pages);
  large_bytes_ = s.large_ring_bytes * threads;
  large_ = core::map_region(large_bytes_, false);
  const bool poll_mode = s.callback == nullptr;
  const std::size_t report_bytes = s.report_queue_size * sizeof(DeliveryReport);
  if (poll_mode) {
    reports_bytes_ = report_bytes * threads;
    reports_ = core::map_region(reports_bytes_, s.large_pages);
  }
  if (ring_ == nullptr || large_ == nullptr || (poll_mode && reports_ == nullptr)) {
    return Error{Errc::kResource,
                 "cannot allocate " + std::to_string((s.ring_bytes + s.large_ring_bytes) * threads) +
                     " bytes of rings ((ring.bytes + a max.request.size ring) x producer.threads.max)"};
  }
  slots.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    std::span<std::byte> ring(static_cast<std::byte*>(ring_) + s.ring_bytes * i, s.ring_bytes);
    std::span<std::byte> large(static_cast<std::byte*>(large_) + s.large_ring_bytes * i,
                               s.large_ring_bytes);
    std::span<DeliveryReport> reports;
    if (poll_mode) {
      reports = {reinterpret_cast<DeliveryReport*>(static_cast<std::byte*>(reports_) + report_bytes * i),
                 s.report_queue_size};
    }
    slots.push_back(std::make_unique<handoff::Slot>(ring, large, reports, static_cast<std::uint32_t>(i)));
  }
  return std::nullopt;
}

// Byte 64 of each page, not byte 0: the sender may already be polling this
// ring's first length word (a slot below slots_in_use), and a write there
// would race with it.  The memory is zero from mmap, so the zeros written
// change nothing.
void SlotMemory::prefault(const handoff::Slot& slot, const config::Settings& s) const noexcept {
  std::byte* r = static_cast<std::byte*>(ring_) + s.ring_bytes * slot.index;
  for (std::size_t off = 64; off < s.ring_bytes; off += 4096) {
    reinterpret_cast<volatile char*>(r)[off] = 0;
  }
  // The large ring is not touched here: only records above an eighth of the
  // ring use it, whose copy costs more than the pages' first touch.
  if (s.callback == nullptr) {
    const std::size_t n = s.report_queue_size * sizeof(DeliveryReport);
    std::byte* q = static_cast<std::byte*>(reports_) + n * slot.index;
    for (std::size_t off = 0; off < n; off += 4096) {
      reinterpret_cast<volatile char*>(q)[off] = 0;
    }
  }
}

}  // namespace ringkafka::slot_memory
