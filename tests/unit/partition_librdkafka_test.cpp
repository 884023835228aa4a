// Our librdkafka-named partitioners against librdkafka's own functions
// (rd_kafka_msg_partitioner_*, librdkafka 2.0.2 as Debian ships it).  Only
// this test binary links librdkafka; the library never does.
//
// The hashing partitioners ignore their topic handle, so they are called with
// a null one.  The random paths do not: they ask the handle whether a
// partition is available, so the one test that reaches them makes a real
// handle.
#include <librdkafka/rdkafka.h>

#include <gtest/gtest.h>

#include <climits>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "golden.h"
#include "partition/partitioner.h"

namespace rp = ringkafka::partition;
namespace golden = ringkafka::golden;

namespace {

constexpr std::int32_t kCounts[] = {1, 2, 3, 7, 12, 100, 1000, 65536, 1 << 30, INT_MAX};

// librdkafka tells a null key from an empty one by the pointer alone.
const std::byte kNotNull{0};

struct Key {
  std::vector<std::byte> bytes;
  bool is_null = false;
  [[nodiscard]] const void* data() const {
    if (is_null) return nullptr;
    return bytes.empty() ? &kNotNull : bytes.data();
  }
};

// The golden keys (Java's), "key-N" strings, random binary keys of 0..300
// bytes (lengths crossing every 4- and 8-byte boundary), the empty key and
// the null key.
std::vector<Key> keys() {
  std::vector<Key> out;
  for (const auto& row : golden::rows("murmur2.txt")) out.push_back({golden::unhex(row[0]), false});
  for (int i = 0; i < 3000; ++i) {
    std::string s = "key-";
    out.push_back({golden::bytes_of(s.append(std::to_string(i))), false});
  }
  std::mt19937 rng(2024);
  for (int i = 0; i < 3000; ++i) {
    std::vector<std::byte> k(rng() % 301);
    for (auto& b : k) b = static_cast<std::byte>(rng());
    out.push_back({std::move(k), false});
  }
  out.push_back({{}, false});
  out.push_back({{}, true});
  return out;
}

using RdPartitioner = std::int32_t (*)(const rd_kafka_topic_t*, const void*, std::size_t,
                                       std::int32_t, void*, void*);

std::int32_t theirs(RdPartitioner f, const Key& k, std::int32_t n) {
  return f(nullptr, k.data(), k.bytes.size(), n, nullptr, nullptr);
}

std::int32_t ours(rp::Partitioner& p, const Key& k, std::int32_t n) {
  rp::TopicState t;
  const auto c = p.choose(t, k.bytes, k.is_null, 100, n);
  EXPECT_TRUE(c.ok());
  return c.partition;
}

std::string describe(const Key& k) {
  if (k.is_null) return "null key";
  std::string s = "key of ";
  return s.append(std::to_string(k.bytes.size())).append(" bytes");
}

TEST(PartitionLibrdkafka, KeysAreEnough) {
  const auto all = keys();
  EXPECT_GE(all.size(), 10000U) << "golden keys missing: " << golden::path("murmur2.txt");
}

TEST(PartitionLibrdkafka, ConsistentMatchesOnEveryKeyIncludingNullAndEmpty) {
  auto p = *rp::Partitioner::create(rp::Kind::kConsistent, 1);
  for (const auto& k : keys()) {
    for (auto n : kCounts) {
      ASSERT_EQ(ours(p, k, n), theirs(rd_kafka_msg_partitioner_consistent, k, n))
          << describe(k) << ", " << n << " partitions";
    }
  }
}

TEST(PartitionLibrdkafka, ConsistentRandomMatchesOnNonEmptyKeys) {
  auto p = *rp::Partitioner::create(rp::Kind::kConsistentRandom, 1);
  std::size_t compared = 0;
  for (const auto& k : keys()) {
    if (k.bytes.empty()) continue;  // librdkafka's random path; see the test below
    for (auto n : kCounts) {
      ASSERT_EQ(ours(p, k, n), theirs(rd_kafka_msg_partitioner_consistent_random, k, n))
          << describe(k) << ", " << n << " partitions";
      ++compared;
    }
  }
  EXPECT_GT(compared, 90000U);
}

TEST(PartitionLibrdkafka, Murmur2RandomMatchesOnEveryNonNullKey) {
  auto p = *rp::Partitioner::create(rp::Kind::kMurmur2Random, 1);
  for (const auto& k : keys()) {
    if (k.is_null) continue;  // librdkafka's random path
    for (auto n : kCounts) {
      ASSERT_EQ(ours(p, k, n), theirs(rd_kafka_msg_partitioner_murmur2_random, k, n))
          << describe(k) << ", " << n << " partitions";
    }
  }
}

TEST(PartitionLibrdkafka, Murmur2MatchesOnEveryKeyIncludingNull) {
  auto p = *rp::Partitioner::create(rp::Kind::kMurmur2, 1);
  for (const auto& k : keys()) {
    for (auto n : kCounts) {
      ASSERT_EQ(ours(p, k, n), theirs(rd_kafka_msg_partitioner_murmur2, k, n))
          << describe(k) << ", " << n << " partitions";
    }
  }
}

// What the table in partitioner.h says of librdkafka's empty and null keys,
// seen from librdkafka itself: consistent_random spreads both, murmur2_random
// spreads null keys only.
TEST(PartitionLibrdkafka, ItsRandomPathsTakeTheKeysWeSendToRandom) {
  char errstr[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  ASSERT_EQ(rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof errstr), RD_KAFKA_CONF_OK);
  std::unique_ptr<rd_kafka_t, void (*)(rd_kafka_t*)> rk(
      rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr), rd_kafka_destroy);
  ASSERT_NE(rk, nullptr) << errstr;
  std::unique_ptr<rd_kafka_topic_t, void (*)(rd_kafka_topic_t*)> rkt(
      rd_kafka_topic_new(rk.get(), "partition-test", nullptr), rd_kafka_topic_destroy);
  ASSERT_NE(rkt, nullptr);

  const auto spread = [&](RdPartitioner f, const void* key) {
    std::set<std::int32_t> seen;
    for (int i = 0; i < 2000; ++i) seen.insert(f(rkt.get(), key, 0, 12, nullptr, nullptr));
    return seen.size();
  };
  EXPECT_EQ(spread(rd_kafka_msg_partitioner_consistent_random, nullptr), 12U);
  EXPECT_EQ(spread(rd_kafka_msg_partitioner_consistent_random, &kNotNull), 12U);
  EXPECT_EQ(spread(rd_kafka_msg_partitioner_murmur2_random, nullptr), 12U);
  EXPECT_EQ(spread(rd_kafka_msg_partitioner_murmur2_random, &kNotNull), 1U);
  EXPECT_EQ(spread(rd_kafka_msg_partitioner_consistent, &kNotNull), 1U);
  EXPECT_EQ(spread(rd_kafka_msg_partitioner_consistent, nullptr), 1U);
}

}  // namespace
