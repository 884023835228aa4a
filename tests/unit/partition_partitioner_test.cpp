#include "partition/partitioner.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <climits>
#include <set>
#include <string>
#include <vector>

#include "golden.h"
#include "partition/murmur2.h"

namespace rp = ringkafka::partition;
namespace golden = ringkafka::golden;

namespace {

constexpr rp::Kind kBuiltIn[] = {
    rp::Kind::kMurmur2, rp::Kind::kMurmur2Random, rp::Kind::kConsistent,
    rp::Kind::kConsistentRandom, rp::Kind::kRandom, rp::Kind::kRoundRobin, rp::Kind::kSticky,
};

rp::Partitioner make(rp::Kind kind, std::int32_t batch_size = rp::Partitioner::kDefaultBatchSize,
                     std::uint64_t seed = 42) {
  auto p = rp::Partitioner::create(kind, seed, batch_size);
  EXPECT_TRUE(p.has_value());
  return *p;
}

std::int32_t pick(rp::Partitioner& p, rp::TopicState& t, std::span<const std::byte> key,
                  bool is_null, std::size_t bytes, std::int32_t count) {
  const auto c = p.choose(t, key, is_null, bytes, count);
  EXPECT_TRUE(c.ok()) << "kind " << rp::name(p.kind()) << " count " << count;
  EXPECT_GE(c.partition, 0);
  EXPECT_LT(c.partition, count);
  return c.partition;
}

std::int32_t unkeyed(rp::Partitioner& p, rp::TopicState& t, std::int32_t count,
                     std::size_t bytes = 100) {
  return pick(p, t, {}, true, bytes, count);
}

TEST(Partitioner, ConfigNamesAreLibrdkafkasAndRoundTrip) {
  EXPECT_EQ(rp::name(rp::Kind::kMurmur2), "murmur2");
  EXPECT_EQ(rp::name(rp::Kind::kMurmur2Random), "murmur2_random");
  EXPECT_EQ(rp::name(rp::Kind::kConsistent), "consistent");
  EXPECT_EQ(rp::name(rp::Kind::kConsistentRandom), "consistent_random");
  EXPECT_EQ(rp::name(rp::Kind::kRandom), "random");
  EXPECT_EQ(rp::name(rp::Kind::kRoundRobin), "round_robin");
  EXPECT_EQ(rp::name(rp::Kind::kSticky), "sticky");
  for (auto k : kBuiltIn) EXPECT_EQ(rp::kind_from_name(rp::name(k)), k);
  EXPECT_FALSE(rp::kind_from_name("user").has_value());
  EXPECT_FALSE(rp::kind_from_name("fnv1a").has_value());
  EXPECT_FALSE(rp::kind_from_name("Murmur2").has_value());
  EXPECT_FALSE(rp::kind_from_name("").has_value());
}

TEST(Partitioner, CreateRefusesWhatCannotWork) {
  EXPECT_FALSE(rp::Partitioner::create(rp::Kind::kUser, 1).has_value());
  EXPECT_FALSE(rp::Partitioner::create(rp::Kind::kSticky, 1, 0).has_value());
  EXPECT_FALSE(rp::Partitioner::create(rp::Kind::kSticky, 1, -5).has_value());
  EXPECT_FALSE(rp::Partitioner::create_user(nullptr, nullptr).has_value());
  EXPECT_EQ(make(rp::Kind::kSticky, 1).batch_size(), 1);
}

TEST(Partitioner, NoPartitionsIsAnErrorForEveryKind) {
  const auto key = golden::bytes_of("k");
  auto user = *rp::Partitioner::create_user(
      [](std::span<const std::byte>, bool, std::int32_t, void*) noexcept -> std::int32_t {
        ADD_FAILURE() << "called without partitions";
        return 0;
      },
      nullptr);
  std::vector<rp::Partitioner> all{user};
  for (auto k : kBuiltIn) all.push_back(make(k));
  for (auto& p : all) {
    for (std::int32_t count : {0, -1, INT_MIN}) {
      for (bool is_null : {false, true}) {
        rp::TopicState t;
        const auto c = p.choose(t, key, is_null, 100, count);
        EXPECT_FALSE(c.ok());
        EXPECT_EQ(c.error, rp::ChoiceError::kNoPartitions);
        EXPECT_EQ(c.partition, -1);
        EXPECT_EQ(t.sticky_partition, -1);
        EXPECT_EQ(t.round_robin_next, -1);
        EXPECT_EQ(t.sticky_bytes, 0U);
      }
    }
  }
}

// Java's keyed choice, from the golden vectors the Java client wrote, is what
// murmur2, murmur2_random, round_robin and sticky do with a key.
TEST(Partitioner, KeyedKindsMatchTheJavaClientOnGoldenKeys) {
  const auto rows = golden::rows("murmur2.txt");
  ASSERT_EQ(rows.size(), 4000U) << "missing or short " << golden::path("murmur2.txt");
  constexpr std::int32_t kCounts[] = {1, 3, 12, 100, 1000};
  for (auto kind : {rp::Kind::kMurmur2, rp::Kind::kMurmur2Random, rp::Kind::kRoundRobin,
                    rp::Kind::kSticky}) {
    auto p = make(kind);
    rp::TopicState t;
    for (const auto& row : rows) {
      ASSERT_EQ(row.size(), 7U);
      const auto key = golden::unhex(row[0]);
      for (std::size_t c = 0; c < 5; ++c) {
        ASSERT_EQ(pick(p, t, key, false, 100, kCounts[c]), std::stoi(row[2 + c]))
            << rp::name(kind) << " key " << row[0] << " partitions " << kCounts[c];
      }
    }
    EXPECT_EQ(t.sticky_partition, -1) << "keyed records must not touch sticky state";
    EXPECT_EQ(t.round_robin_next, -1);
  }
}

TEST(Partitioner, Murmur2HashesANullKeyAsNoBytes) {
  auto p = make(rp::Kind::kMurmur2);
  for (std::int32_t n : {1, 7, 12, 1000}) {
    rp::TopicState t;
    const auto expected = rp::murmur2_partition({}, n);
    for (int i = 0; i < 50; ++i) EXPECT_EQ(unkeyed(p, t, n), expected);
  }
}

// Our slicing-by-8 CRC32 against zlib's crc32 (what librdkafka's rd_crc32
// is), on every length up to 300 and at every alignment of an 8-byte word:
// the 8-byte loop, its tail, and misaligned loads all take their turn.
TEST(Partitioner, Crc32IsZlibs) {
  std::vector<std::byte> buf(320);
  for (std::size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<std::byte>(i * 131 + 7);
  for (std::size_t offset = 0; offset < 9; ++offset) {
    for (std::size_t len = 0; len <= 300; ++len) {
      const std::span<const std::byte> data(buf.data() + offset, len);
      ASSERT_EQ(rp::crc32(data),
                crc32_z(0, reinterpret_cast<const Bytef*>(data.data()), data.size()))
          << "offset " << offset << " length " << len;
    }
  }
  EXPECT_EQ(rp::crc32({}), 0U);
  EXPECT_EQ(rp::crc32(golden::bytes_of("123456789")), 0xCBF43926U);
}

TEST(Partitioner, ConsistentIsCrc32ModuloPartitions) {
  // CRC-32/ISO-HDLC check value: crc32("123456789") = 0xCBF43926.
  const auto check = golden::bytes_of("123456789");
  constexpr std::uint32_t kCheck = 0xCBF43926U;
  for (std::int32_t n : {1, 2, 3, 12, 1000, 65536, INT_MAX}) {
    EXPECT_EQ(rp::consistent_partition(check, n),
              static_cast<std::int32_t>(kCheck % static_cast<std::uint32_t>(n)));
  }
  // The high bit matters: 0xCBF43926 as int32 is negative, but librdkafka's
  // modulo is unsigned.
  EXPECT_EQ(rp::consistent_partition(check, 1000), 262);
}

TEST(Partitioner, ConsistentSendsNullAndEmptyKeysToPartitionZero) {
  auto p = make(rp::Kind::kConsistent);
  const std::vector<std::byte> empty;
  for (std::int32_t n : {1, 5, 12, 1000}) {
    rp::TopicState t;
    for (int i = 0; i < 20; ++i) {
      EXPECT_EQ(unkeyed(p, t, n), 0);
      EXPECT_EQ(pick(p, t, empty, false, 100, n), 0);
    }
  }
}

TEST(Partitioner, ConsistentRandomHashesKeysAndSpreadsNullAndEmptyOnes) {
  auto cr = make(rp::Kind::kConsistentRandom);
  auto c = make(rp::Kind::kConsistent);
  rp::TopicState t;
  for (int i = 0; i < 2000; ++i) {
    std::string s = "key-";
    const auto key = golden::bytes_of(s.append(std::to_string(i)));
    ASSERT_EQ(pick(cr, t, key, false, 100, 12), pick(c, t, key, false, 100, 12));
  }
  const std::vector<std::byte> empty;
  std::set<std::int32_t> from_null, from_empty;
  for (int i = 0; i < 2000; ++i) {
    from_null.insert(unkeyed(cr, t, 12));
    from_empty.insert(pick(cr, t, empty, false, 100, 12));
  }
  EXPECT_EQ(from_null.size(), 12U);
  EXPECT_EQ(from_empty.size(), 12U);
}

TEST(Partitioner, Murmur2RandomSpreadsNullKeysButHashesEmptyOnes) {
  auto p = make(rp::Kind::kMurmur2Random);
  rp::TopicState t;
  const std::vector<std::byte> empty;
  std::set<std::int32_t> seen;
  for (int i = 0; i < 2000; ++i) {
    seen.insert(unkeyed(p, t, 12));
    ASSERT_EQ(pick(p, t, empty, false, 100, 12), rp::murmur2_partition(empty, 12));
  }
  EXPECT_EQ(seen.size(), 12U);
}

TEST(Partitioner, RandomCoversAllPartitionsEvenlyAndIgnoresKeys) {
  auto p = make(rp::Kind::kRandom);
  rp::TopicState t;
  for (std::int32_t n : {1, 2, 3, 7, 12, 100}) {
    std::vector<int> hits(static_cast<std::size_t>(n));
    const int draws = 1000 * n;
    for (int i = 0; i < draws; ++i) ++hits[static_cast<std::size_t>(unkeyed(p, t, n))];
    for (int h : hits) {
      // 1000 expected; 6 standard deviations (~190) either side.
      EXPECT_GT(h, 800) << n << " partitions";
      EXPECT_LT(h, 1200) << n << " partitions";
    }
  }
  const auto key = golden::bytes_of("same key");
  std::set<std::int32_t> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(pick(p, t, key, false, 100, 12));
  EXPECT_EQ(seen.size(), 12U);
}

TEST(Partitioner, SeedsMakeRandomChoicesRepeatable) {
  auto a = make(rp::Kind::kRandom, 16384, 7);
  auto b = make(rp::Kind::kRandom, 16384, 7);
  auto c = make(rp::Kind::kRandom, 16384, 8);
  rp::TopicState t;
  int same_as_other_seed = 0;
  for (int i = 0; i < 1000; ++i) {
    const auto x = unkeyed(a, t, 1000);
    ASSERT_EQ(x, unkeyed(b, t, 1000));
    same_as_other_seed += x == unkeyed(c, t, 1000);
  }
  EXPECT_LT(same_as_other_seed, 20);
  EXPECT_NE(rp::random_seed(), rp::random_seed());
}

TEST(Partitioner, RoundRobinCyclesThroughEveryPartition) {
  auto p = make(rp::Kind::kRoundRobin);
  for (std::int32_t n : {1, 2, 5, 12}) {
    rp::TopicState t;
    const auto first = unkeyed(p, t, n);
    std::vector<int> hits(static_cast<std::size_t>(n));
    ++hits[static_cast<std::size_t>(first)];
    auto prev = first;
    for (int i = 1; i < 10 * n; ++i) {
      const auto cur = unkeyed(p, t, n);
      ASSERT_EQ(cur, (prev + 1) % n);
      ++hits[static_cast<std::size_t>(cur)];
      prev = cur;
    }
    for (int h : hits) EXPECT_EQ(h, 10);
  }
}

TEST(Partitioner, RoundRobinKeepsKeyedRecordsOutOfTheCycle) {
  auto p = make(rp::Kind::kRoundRobin);
  rp::TopicState t;
  const auto key = golden::bytes_of("key-1");
  auto prev = unkeyed(p, t, 7);
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(pick(p, t, key, false, 100, 7), rp::murmur2_partition(key, 7));
    const auto cur = unkeyed(p, t, 7);
    ASSERT_EQ(cur, (prev + 1) % 7);
    prev = cur;
  }
}

TEST(Partitioner, RoundRobinSurvivesAPartitionCountChange) {
  auto p = make(rp::Kind::kRoundRobin);
  rp::TopicState t;
  for (int i = 0; i < 11; ++i) (void)unkeyed(p, t, 12);
  for (int i = 0; i < 30; ++i) (void)unkeyed(p, t, 3);
  std::set<std::int32_t> seen;
  for (int i = 0; i < 24; ++i) seen.insert(unkeyed(p, t, 24));
  EXPECT_EQ(seen.size(), 24U);
}

TEST(Partitioner, StickyStaysForBatchSizeBytesThenMovesElsewhere) {
  auto p = make(rp::Kind::kSticky, 1000);
  rp::TopicState t;
  for (int stay = 0; stay < 200; ++stay) {
    const auto first = unkeyed(p, t, 12, 100);
    // Records 2..10 bring the count to exactly 1000 bytes: still here.
    for (int i = 1; i < 10; ++i) ASSERT_EQ(unkeyed(p, t, 12, 100), first) << "record " << i;
    ASSERT_NE(t.sticky_partition, first) << "switches once batch.size bytes went to it";
    ASSERT_EQ(t.sticky_bytes, 0U);
  }
}

TEST(Partitioner, StickySwitchesAtTheRecordThatCrossesBatchSize) {
  auto p = make(rp::Kind::kSticky, 1000);
  rp::TopicState t;
  const auto first = unkeyed(p, t, 12, 999);
  EXPECT_EQ(unkeyed(p, t, 12, 300), first) << "the crossing record still goes there";
  const auto second = unkeyed(p, t, 12, 1);
  EXPECT_NE(second, first);
  EXPECT_EQ(unkeyed(p, t, 12, 5000), second);
  // A record bigger than batch.size makes a stay of its own.
  const auto third = unkeyed(p, t, 12, 5000);
  EXPECT_NE(third, second);
  EXPECT_NE(unkeyed(p, t, 12, 1), third);
}

TEST(Partitioner, StickySpreadsOverAllPartitionsEvenly) {
  for (std::int32_t n : {2, 3, 12, 100}) {
    auto p = make(rp::Kind::kSticky, 16384, static_cast<std::uint64_t>(n));
    rp::TopicState t;
    std::vector<std::uint64_t> bytes(static_cast<std::size_t>(n));
    const int stays = 500 * n;
    for (int i = 0; i < stays * 16; ++i) {
      bytes[static_cast<std::size_t>(unkeyed(p, t, n, 1024))] += 1024;
    }
    for (auto b : bytes) {
      // 500 stays of 16 KiB expected per partition; well over 6 sigma slack.
      EXPECT_GT(b, 380U * 16384) << n << " partitions";
      EXPECT_LT(b, 620U * 16384) << n << " partitions";
    }
  }
}

TEST(Partitioner, StickyWithOnePartitionStaysOnIt) {
  auto p = make(rp::Kind::kSticky, 100);
  rp::TopicState t;
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(unkeyed(p, t, 1, 70), 0);
}

TEST(Partitioner, StickyNeverLeavesTheRangeWhenThePartitionCountChanges) {
  auto p = make(rp::Kind::kSticky, 500);
  rp::TopicState t;
  std::uint64_t x = 1;
  for (int i = 0; i < 100000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const auto n = static_cast<std::int32_t>(1 + (x >> 33) % 20);
    const auto bytes = static_cast<std::size_t>((x >> 13) % 700);
    const auto c = p.choose(t, {}, true, bytes, n);
    ASSERT_TRUE(c.ok());
    ASSERT_GE(c.partition, 0);
    ASSERT_LT(c.partition, n);
  }
}

TEST(Partitioner, StickyIgnoresKeyedRecords) {
  auto p = make(rp::Kind::kSticky, 1000);
  rp::TopicState t;
  const auto first = unkeyed(p, t, 12, 500);
  const rp::TopicState before = t;
  for (int i = 0; i < 100; ++i) {
    std::string s = "key-";
    const auto key = golden::bytes_of(s.append(std::to_string(i)));
    ASSERT_EQ(pick(p, t, key, false, 10000, 12), rp::murmur2_partition(key, 12));
  }
  EXPECT_EQ(t.sticky_partition, before.sticky_partition);
  EXPECT_EQ(t.sticky_bytes, before.sticky_bytes);
  EXPECT_EQ(unkeyed(p, t, 12, 499), first);
  EXPECT_EQ(unkeyed(p, t, 12, 1), first);
  EXPECT_NE(t.sticky_partition, first);
}

TEST(Partitioner, StickyStateIsPerTopic) {
  auto p = make(rp::Kind::kSticky, 1000);
  rp::TopicState a, b;
  const auto pa = unkeyed(p, a, 1000, 600);
  const auto pb = unkeyed(p, b, 1000, 600);
  EXPECT_EQ(unkeyed(p, b, 1000, 300), pb);
  EXPECT_EQ(unkeyed(p, a, 1000, 300), pa);
  EXPECT_EQ(a.sticky_bytes, 900U);
  EXPECT_EQ(b.sticky_bytes, 900U);
}

struct UserCall {
  std::vector<std::byte> key;
  bool key_is_null = false;
  std::int32_t count = 0;
  std::int32_t answer = 0;
  int calls = 0;
};

std::int32_t recording_partitioner(std::span<const std::byte> key, bool key_is_null,
                                   std::int32_t partition_count, void* opaque) noexcept {
  auto* u = static_cast<UserCall*>(opaque);
  u->key.assign(key.begin(), key.end());
  u->key_is_null = key_is_null;
  u->count = partition_count;
  ++u->calls;
  return u->answer;
}

TEST(Partitioner, UserPartitionerSeesTheRecordAndItsAnswerIsChecked) {
  UserCall u;
  auto p = *rp::Partitioner::create_user(recording_partitioner, &u);
  EXPECT_EQ(p.kind(), rp::Kind::kUser);
  EXPECT_EQ(rp::name(p.kind()), "user");
  rp::TopicState t;
  const auto key = golden::bytes_of("abc");

  u.answer = 4;
  auto c = p.choose(t, key, false, 100, 5);
  EXPECT_TRUE(c.ok());
  EXPECT_EQ(c.partition, 4);
  EXPECT_EQ(u.key, key);
  EXPECT_FALSE(u.key_is_null);
  EXPECT_EQ(u.count, 5);

  u.answer = 0;
  c = p.choose(t, key, true, 100, 5);
  EXPECT_TRUE(c.ok());
  EXPECT_TRUE(u.key_is_null);
  EXPECT_TRUE(u.key.empty()) << "a null key reaches the user as no bytes";

  for (std::int32_t bad : {-1, 5, 6, INT_MIN, INT_MAX}) {
    u.answer = bad;
    c = p.choose(t, key, false, 100, 5);
    EXPECT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.error, rp::ChoiceError::kUserPartitionOutOfRange) << bad;
    EXPECT_EQ(c.partition, -1);
  }
  EXPECT_EQ(u.calls, 7);
}

}  // namespace
