#include "partition/murmur2.h"

#include <gtest/gtest.h>

#include "golden.h"

namespace rp = ringkafka::partition;
namespace golden = ringkafka::golden;

namespace {

// 4000 keys (1000 "key-N", 3000 random binary keys of 0..64 bytes) hashed and
// partitioned by the Java client's own Utils.murmur2 and
// BuiltInPartitioner.partitionForKey.
TEST(Murmur2, MatchesTheJavaClientOnGoldenKeys) {
  const auto rows = golden::rows("murmur2.txt");
  ASSERT_EQ(rows.size(), 4000U) << "missing or short " << golden::path("murmur2.txt");
  constexpr int kCounts[] = {1, 3, 12, 100, 1000};
  std::size_t empty_keys = 0;
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 7U);
    const auto key = golden::unhex(row[0]);
    empty_keys += key.empty();
    ASSERT_EQ(static_cast<std::int32_t>(rp::murmur2(key)), std::stol(row[1])) << row[0];
    for (std::size_t c = 0; c < 5; ++c) {
      ASSERT_EQ(rp::murmur2_partition(key, kCounts[c]), std::stoi(row[2 + c]))
          << "key " << row[0] << " partitions " << kCounts[c];
    }
  }
  EXPECT_GT(empty_keys, 0U) << "the empty key should be among the vectors";
}

TEST(Murmur2, ToPositiveMasksTheSignBitRatherThanNegating) {
  // A hash with the top bit set: the mask keeps the low 31 bits.
  for (int i = 0; i < 100000; ++i) {
    const auto k = golden::bytes_of(std::to_string(i));
    const auto h = rp::murmur2(k);
    if ((h & 0x80000000U) != 0) {
      EXPECT_EQ(rp::murmur2_partition(k, 1000), static_cast<std::int32_t>((h & 0x7fffffffU) % 1000));
      return;
    }
  }
  FAIL() << "no hash with the sign bit set in 100000 keys";
}

}  // namespace
