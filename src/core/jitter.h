// Spread for backoffs: `ms` give or take 20 %, as the Java client's
// ExponentialBackoff draws it, so producers (or connections) that failed
// together do not retry together.  xorshift64: cheap, no allocation, one
// owner thread.
#pragma once

#include <cstdint>

namespace ringkafka::core {

class Jitter {
 public:
  explicit Jitter(std::uint64_t seed) noexcept : state_(seed | 1) {}

  std::int64_t operator()(std::int64_t ms) noexcept {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    const std::int64_t spread = ms / 5 * 2;  // not ms * 2: ms may be near INT64_MAX
    if (spread <= 0) return ms;
    return ms - ms / 5 + static_cast<std::int64_t>(state_ % static_cast<std::uint64_t>(spread + 1));
  }

 private:
  std::uint64_t state_;
};

}  // namespace ringkafka::core
