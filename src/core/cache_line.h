// The cache-line size ringkafka pads shared data to.
//
// 128, not 64: on x86 the adjacent-line prefetcher pulls pairs of 64-byte
// lines, so two hot variables 64 bytes apart still interfere (folly and
// rigtorp/SPSCQueue pad to 128 for the same reason).  We use our own
// constant rather than std::hardware_destructive_interference_size, whose
// value GCC warns may change between compiler versions and flags.
#pragma once

#include <cstddef>

namespace ringkafka::core {

inline constexpr std::size_t kCacheLine = 128;

}  // namespace ringkafka::core
