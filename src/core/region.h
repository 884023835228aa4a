// Large, long-lived memory of the library's own (rings, report queues,
// batch arenas), straight from the kernel with mmap(2): page-aligned,
// zero-filled, returned whole with munmap(2) when the producer goes.
//
// Why not an allocator: these regions are made once at create (or, for
// batches larger than batch.size, when the traffic first needs one) and
// never freed while records flow, so an allocator's speed buys nothing; and
// linking a malloc replacement such as mimalloc's shared library replaces
// the host program's malloc and operator new for the whole process.  The
// library must never change its host's allocator.
#pragma once

#include <sys/mman.h>

#include <cstddef>

namespace ringkafka::core {

// `bytes` of zeroed memory, page-aligned, or nullptr.  `large_pages` asks
// for transparent huge pages (memory.large.pages), where the system has
// them; without them the region is still made.
inline void* map_region(std::size_t bytes, bool large_pages = false) noexcept {
  if (bytes == 0) return nullptr;
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  if (large_pages) madvise(p, bytes, MADV_HUGEPAGE);
  return p;
}

// Returns a region of map_region(); nullptr is ignored.
inline void unmap_region(void* p, std::size_t bytes) noexcept {
  if (p != nullptr) munmap(p, bytes);
}

}  // namespace ringkafka::core
