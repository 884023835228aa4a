#include "partition/partitioner.h"

#include <sys/random.h>

#include <array>
#include <chrono>
#include <cstring>

#include "core/slicing_crc.h"
#include "partition/murmur2.h"

namespace ringkafka::partition {

namespace {

constexpr std::array<std::string_view, 8> kNames = {
    "murmur2", "murmur2_random", "consistent", "consistent_random",
    "random",  "round_robin",    "sticky",     "user",
};

// zlib's crc32 gives the same values but, on Debian's zlib 1.2.13, costs
// 3-5x more on 16-64 byte keys (docs/benchmarks.md).
using IeeeCrc32 = core::SlicingCrc32<0xEDB88320>;

constexpr Choice fail(ChoiceError e) noexcept { return {-1, e}; }
constexpr Choice at(std::int32_t p) noexcept { return {p, ChoiceError::kNone}; }

}  // namespace

std::string_view name(Kind kind) noexcept { return kNames[static_cast<std::size_t>(kind)]; }

std::optional<Kind> kind_from_name(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name && static_cast<Kind>(i) != Kind::kUser) return static_cast<Kind>(i);
  }
  return std::nullopt;
}

std::uint32_t crc32(std::span<const std::byte> data) noexcept { return IeeeCrc32::update(data); }

std::int32_t consistent_partition(std::span<const std::byte> key,
                                  std::int32_t partitions) noexcept {
  // The CRC of zero bytes is 0, so null and empty keys both go to partition
  // 0, as in librdkafka.  The modulo is unsigned there too.
  return static_cast<std::int32_t>(crc32(key) % static_cast<std::uint32_t>(partitions));
}

std::optional<Partitioner> Partitioner::create(Kind kind, std::uint64_t seed,
                                               std::int32_t batch_size) noexcept {
  if (kind == Kind::kUser || batch_size < 1) return std::nullopt;
  Partitioner p;
  p.kind_ = kind;
  p.batch_size_ = batch_size;
  p.rng_ = seed;
  return p;
}

std::optional<Partitioner> Partitioner::create_user(UserPartitionFn fn, void* opaque) noexcept {
  if (fn == nullptr) return std::nullopt;
  Partitioner p;
  p.kind_ = Kind::kUser;
  p.user_fn_ = fn;
  p.user_opaque_ = opaque;
  return p;
}

std::uint64_t Partitioner::next_random() noexcept {
  std::uint64_t z = (rng_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint32_t Partitioner::random_below(std::uint32_t n) noexcept {
  return static_cast<std::uint32_t>((next_random() >> 32) * n >> 32);
}

std::int32_t Partitioner::next_sticky(TopicState& topic, std::int32_t partition_count) noexcept {
  const auto n = static_cast<std::uint32_t>(partition_count);
  const std::int32_t current = topic.sticky_partition;
  if (current < 0 || current >= partition_count || n == 1) {
    return static_cast<std::int32_t>(random_below(n));
  }
  // Among the n - 1 others: skip over the current one.
  const std::uint32_t r = random_below(n - 1);
  return static_cast<std::int32_t>(r >= static_cast<std::uint32_t>(current) ? r + 1 : r);
}

Choice Partitioner::choose(TopicState& topic, std::span<const std::byte> key, bool key_is_null,
                           std::size_t record_bytes, std::int32_t partition_count) noexcept {
  if (partition_count <= 0) return fail(ChoiceError::kNoPartitions);
  const auto n = static_cast<std::uint32_t>(partition_count);
  // murmur2 and consistent hash a null key as no bytes, as librdkafka does,
  // whatever span the caller passed with it.
  if (key_is_null) key = {};
  switch (kind_) {
    case Kind::kMurmur2:
      return at(murmur2_partition(key, partition_count));
    case Kind::kMurmur2Random:
      if (key_is_null) return at(static_cast<std::int32_t>(random_below(n)));
      return at(murmur2_partition(key, partition_count));
    case Kind::kConsistent:
      return at(consistent_partition(key, partition_count));
    case Kind::kConsistentRandom:
      // librdkafka tests the length, so empty keys are spread too.
      if (key.empty()) return at(static_cast<std::int32_t>(random_below(n)));
      return at(consistent_partition(key, partition_count));
    case Kind::kRandom:
      return at(static_cast<std::int32_t>(random_below(n)));
    case Kind::kRoundRobin: {
      if (!key_is_null) return at(murmur2_partition(key, partition_count));
      std::int32_t p = topic.round_robin_next;
      // A random start, so that producers started together do not all begin
      // on partition 0.
      if (p < 0) p = static_cast<std::int32_t>(random_below(n));
      // Past the end if metadata reported fewer partitions since.
      if (p >= partition_count) p %= partition_count;
      topic.round_robin_next = p + 1 == partition_count ? 0 : p + 1;
      return at(p);
    }
    case Kind::kSticky: {
      if (!key_is_null) return at(murmur2_partition(key, partition_count));
      if (topic.sticky_partition < 0 || topic.sticky_partition >= partition_count) {
        topic.sticky_partition = next_sticky(topic, partition_count);
        topic.sticky_bytes = 0;
      }
      const std::int32_t p = topic.sticky_partition;
      topic.sticky_bytes += record_bytes;
      if (topic.sticky_bytes >= static_cast<std::uint64_t>(batch_size_)) {
        topic.sticky_partition = next_sticky(topic, partition_count);
        topic.sticky_bytes = 0;
      }
      return at(p);
    }
    case Kind::kUser: {
      const std::int32_t p = user_fn_(key, key_is_null, partition_count, user_opaque_);
      if (p < 0 || p >= partition_count) return fail(ChoiceError::kUserPartitionOutOfRange);
      return at(p);
    }
  }
  return fail(ChoiceError::kNoPartitions);  // unreachable: every Kind is handled above
}

std::uint64_t random_seed() noexcept {
  std::uint64_t seed = 0;
  if (getrandom(&seed, sizeof seed, 0) == static_cast<ssize_t>(sizeof seed)) return seed;
  // No getrandom (old kernel, seccomp): the clock still differs per producer,
  // which is all the spreading needs.
  return static_cast<std::uint64_t>(
             std::chrono::steady_clock::now().time_since_epoch().count()) ^
         reinterpret_cast<std::uintptr_t>(&seed);
}

}  // namespace ringkafka::partition
