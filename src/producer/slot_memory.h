// The memory behind the producing threads' slots: one mapping each for the
// record rings, the large rings and the report queues (poll mode), made at
// create() for producer.threads.max slots, so that nothing is allocated
// after it; and the slots built over them.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "config/settings.h"
#include "handoff/shared.h"
#include "ringkafka/error.h"

namespace ringkafka::slot_memory {

class SlotMemory {
 public:
  SlotMemory() = default;
  SlotMemory(const SlotMemory&) = delete;
  SlotMemory& operator=(const SlotMemory&) = delete;
  ~SlotMemory();

  // Maps the regions for `s` and appends a slot per thread to `slots`;
  // kResource naming the sizes when the kernel refuses a mapping.
  std::optional<Error> map(const config::Settings& s,
                           std::vector<std::unique_ptr<handoff::Slot>>& slots);

  // The slot's first use touches its ring's and report queue's pages here,
  // not in produce().
  void prefault(const handoff::Slot& slot, const config::Settings& s) const noexcept;

 private:
  void* ring_ = nullptr;  // core::map_region()
  std::size_t ring_bytes_ = 0;
  void* large_ = nullptr;  // the slots' large rings (Slot::large)
  std::size_t large_bytes_ = 0;
  void* reports_ = nullptr;  // poll mode only
  std::size_t reports_bytes_ = 0;
};

}  // namespace ringkafka::slot_memory
