// An asymmetric fence: a fast side that pays only a compiler barrier and a
// slow side that pays a membarrier() system call, which runs a full memory
// barrier on every CPU currently running a thread of this process (the
// technique of userspace RCU and folly's asymmetricHeavyBarrier).
//
// Pattern: the fast side stores A then loads B, with light() between; the
// slow side stores B then loads A, with heavy() between.  Then at least one
// of them sees the other's store, as if both had used a full fence.
#pragma once

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

namespace ringkafka::core {

inline void light_fence() noexcept { std::atomic_signal_fence(std::memory_order_seq_cst); }

// Registers the process once; false where the kernel lacks the command, and
// then heavy_fence() must not be relied on.
inline bool heavy_fence_available() noexcept {
  static const bool ok =
      syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
  return ok;
}

// False if it could not run (see above).
inline bool heavy_fence() noexcept {
  return heavy_fence_available() &&
         syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0;
}

}  // namespace ringkafka::core
