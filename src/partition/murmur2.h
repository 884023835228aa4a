// The Java client's keyed partition choice, bit for bit: MurmurHash2 with
// Kafka's seed, then toPositive(hash) % partitions.  A key lands on the same
// partition whichever client (Java, ringkafka, or librdkafka with
// partitioner=murmur2_random) wrote it.
//
// toPositive is `hash & 0x7fffffff`, not abs(): abs(INT_MIN) would stay
// negative, and some non-Java clients that used it disagree with Java on
// those keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace ringkafka::partition {

// Utils.murmur2 of the Java client: seed 0x9747b28c, m 0x5bd1e995, r 24,
// little-endian 4-byte words, then the usual tail and final mix.  Java does
// this in signed 32-bit arithmetic; unsigned wrap-around gives the same bits.
[[nodiscard]] inline std::uint32_t murmur2(std::span<const std::byte> key) noexcept {
  constexpr std::uint32_t kSeed = 0x9747b28c;
  constexpr std::uint32_t kM = 0x5bd1e995;
  constexpr unsigned kR = 24;
  const auto* p = reinterpret_cast<const unsigned char*>(key.data());
  const std::size_t n = key.size();
  std::uint32_t h = kSeed ^ static_cast<std::uint32_t>(n);
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    std::uint32_t k;
    std::memcpy(&k, p + i, 4);  // little-endian host, as Java assembles it
    k *= kM;
    k ^= k >> kR;
    k *= kM;
    h *= kM;
    h ^= k;
  }
  switch (n & 3) {
    case 3:
      h ^= static_cast<std::uint32_t>(p[i + 2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= static_cast<std::uint32_t>(p[i + 1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= p[i];
      h *= kM;
      break;
    default:
      break;
  }
  h ^= h >> 13;
  h *= kM;
  h ^= h >> 15;
  return h;
}

// BuiltInPartitioner.partitionForKey: toPositive(murmur2(key)) % partitions.
// `partitions` must be positive.
[[nodiscard]] inline std::int32_t murmur2_partition(std::span<const std::byte> key,
                                                    std::int32_t partitions) noexcept {
  return static_cast<std::int32_t>((murmur2(key) & 0x7fffffffU) %
                                   static_cast<std::uint32_t>(partitions));
}

}  // namespace ringkafka::partition
