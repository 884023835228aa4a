// The partition choice for records the application did not pin to a
// partition: one Partitioner per producer, chosen once at creation, and one
// TopicState per topic for the partitioners that remember something.  Both
// belong to the sender thread; nothing here locks, allocates or throws.
//
// `partitioner` config values (librdkafka's names where it has one):
//
//   name               key (also empty)        null key
//   murmur2            murmur2                 murmur2 of no bytes: one fixed partition
//   murmur2_random     murmur2                 uniformly random, per record
//   consistent         CRC32                   CRC32 of no bytes = 0: partition 0
//   consistent_random  CRC32; EMPTY -> random  uniformly random, per record
//   random             random, key ignored     uniformly random, per record
//   round_robin        murmur2                 next partition in turn
//   sticky             murmur2                 uniform sticky (KIP-794), below
//
//   murmur2  = toPositive(murmur2(key)) % partitions, the Java client's
//              keyed choice bit for bit (murmur2.h).
//   CRC32    = crc32(key) % partitions, unsigned, crc32 being zlib's (IEEE
//              802.3): librdkafka's `consistent` (rd_crc32 is zlib's crc32).
//
// `sticky` is the Java producer's default (no partitioner.class): keys by
// murmur2, null keys stuck to one partition for about batch.size bytes.
// librdkafka's default is consistent_random; librdkafka users who want
// Java's placement of keys set murmur2_random.
//
// Facts from librdkafka 2.0.2 (rdkafka_msg.c, rdkafka_topic.c) these follow,
// and where we part from it:
// - consistent_random sends keys of length 0, empty or null, away from CRC32;
//   murmur2_random only null ones (an empty key is hashed, as in Java).
// - consistent and murmur2 hash a null key as zero bytes, so every unkeyed
//   record lands on one partition (their documented "single partition").
// - librdkafka's producer does not call random, consistent_random or
//   murmur2_random for a null key (nor consistent_random for an empty one)
//   while sticky.partitioning.linger.ms > 0 (default 10): those records go to
//   a random partition held for that many milliseconds.  Here `random` and
//   the `_random` names are random per record, as the partitioner functions
//   themselves are; `sticky` is the batching-friendly choice, and it switches
//   by bytes, as Java does, not by time.
//
// Uniform sticky, as chosen here (Java: BuiltInPartitioner, KIP-794):
// - A topic's first null-key record picks a uniformly random partition.
//   Every null-key record adds its `record_bytes` (what it adds to its
//   batch; Java counts the batch's growth) to the partition's count;
//   the record that brings it to batch.size or more still goes there, and
//   the next one goes to a partition drawn uniformly from the OTHERS.  Keyed
//   records neither count nor move the sticky partition.
// - Java draws among all available partitions (the same one again, too), so
//   with few partitions it sometimes stays for 2x batch.size; drawing among
//   the others keeps each stay near batch.size.  Java also defers a switch
//   while the partition's open batch is not full, up to 2x batch.size; that
//   needs the accumulator's view and is not done here: we switch at
//   batch.size.  Java skips partitions without a leader; this stage has no
//   leader view, so it draws among all partitions.
// - Adaptive partitioning (partitioner.adaptive.partitioning.enable, true by
//   default in Java) weights the next partition by how few batches wait for
//   it, from queue sizes the sender gathers on every drain, and
//   partitioner.availability.timeout.ms drops slow brokers' partitions.  Not
//   implemented: it needs a per-topic table of queue sizes rebuilt by the
//   accumulator, which does not exist yet, and it would make TopicState
//   O(partitions) instead of 16 bytes.  The draw is uniform: nearest to Java
//   with adaptive partitioning off and partitioner.availability.timeout.ms
//   0.  If queue sizes are wanted later, next_sticky() is where they would
//   weight the draw.
//
// round_robin keeps keyed records on their murmur2 partition; Java's
// RoundRobinPartitioner class spreads keyed records too (losing per-key
// order), which a user partitioner can still do.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ringkafka::partition {

enum class Kind : std::uint8_t {
  kMurmur2,
  kMurmur2Random,
  kConsistent,
  kConsistentRandom,
  kRandom,
  kRoundRobin,
  kSticky,
  kUser,  // set through Partitioner::create_user, never by name
};

// The config name of a kind; "user" for kUser.
[[nodiscard]] std::string_view name(Kind kind) noexcept;
// The kind for a config value, nullopt for anything else (including "user").
[[nodiscard]] std::optional<Kind> kind_from_name(std::string_view name) noexcept;

// CRC-32 as zlib's crc32() and librdkafka's rd_crc32() compute it (IEEE
// 802.3, reflected 0xEDB88320, init and final xor ~0): crc32("123456789") ==
// 0xCBF43926.
[[nodiscard]] std::uint32_t crc32(std::span<const std::byte> data) noexcept;

// librdkafka's `consistent`: crc32(key) % partitions, unsigned.  `partitions`
// must be positive.
[[nodiscard]] std::int32_t consistent_partition(std::span<const std::byte> key,
                                                std::int32_t partitions) noexcept;

// A user partitioner: returns a partition in [0, partition_count); anything
// else makes choose() fail with kUserPartitionOutOfRange.  It runs on the
// sender thread for every record, so it must be fast and must not block.  A
// null key arrives as no bytes with key_is_null set; `opaque` is the pointer
// given to create_user.
using UserPartitionFn = std::int32_t (*)(std::span<const std::byte> key, bool key_is_null,
                                         std::int32_t partition_count, void* opaque) noexcept;

enum class ChoiceError : std::uint8_t {
  kNone,
  kNoPartitions,             // partition_count <= 0: metadata has no partitions yet
  kUserPartitionOutOfRange,  // the user partitioner returned < 0 or >= partition_count
};

struct [[nodiscard]] Choice {
  std::int32_t partition;  // -1 when error != kNone
  ChoiceError error;
  [[nodiscard]] bool ok() const noexcept { return error == ChoiceError::kNone; }
};

// Per-topic memory of round_robin and sticky: default-construct one per
// topic and pass it to every choice for that topic.  Other kinds leave it
// alone.
struct TopicState {
  std::int32_t sticky_partition = -1;  // -1: none yet
  std::int32_t round_robin_next = -1;  // -1: start at a random partition
  std::uint64_t sticky_bytes = 0;      // bytes of null-key records sent to sticky_partition
};
static_assert(sizeof(TopicState) == 16, "four topics to a cache line");

class Partitioner {
 public:
  // Java's batch.size default; sticky's switch threshold.
  static constexpr std::int32_t kDefaultBatchSize = 16384;

  // A built-in kind.  nullopt for kUser or batch_size < 1.  `seed` seeds the
  // random choices; a producer passes random_seed(), tests a constant.
  [[nodiscard]] static std::optional<Partitioner> create(
      Kind kind, std::uint64_t seed, std::int32_t batch_size = kDefaultBatchSize) noexcept;
  // nullopt if fn is null.
  [[nodiscard]] static std::optional<Partitioner> create_user(UserPartitionFn fn,
                                                              void* opaque) noexcept;

  // The partition for one record of a topic with `partition_count`
  // partitions.  `key` is ignored when key_is_null.  `record_bytes` is what
  // the record adds to its batch; only sticky reads it.  Errors: see
  // ChoiceError; the state is then unchanged.
  Choice choose(TopicState& topic, std::span<const std::byte> key, bool key_is_null,
                std::size_t record_bytes, std::int32_t partition_count) noexcept;

  [[nodiscard]] Kind kind() const noexcept { return kind_; }
  [[nodiscard]] std::int32_t batch_size() const noexcept { return batch_size_; }

 private:
  Partitioner() noexcept = default;

  // SplitMix64: 8 bytes of state, a few cycles a draw; plenty for spreading
  // records, and never std::random_device on the hot path.
  std::uint64_t next_random() noexcept;
  // Uniform in [0, n) by multiply-shift; the bias, below n / 2^32, is
  // irrelevant for partition counts.
  std::uint32_t random_below(std::uint32_t n) noexcept;
  std::int32_t next_sticky(TopicState& topic, std::int32_t partition_count) noexcept;

  Kind kind_ = Kind::kSticky;
  std::int32_t batch_size_ = kDefaultBatchSize;
  std::uint64_t rng_ = 0;
  UserPartitionFn user_fn_ = nullptr;
  void* user_opaque_ = nullptr;
};

// 64 bits from the OS, once per producer, for Partitioner::create.
[[nodiscard]] std::uint64_t random_seed() noexcept;

}  // namespace ringkafka::partition
