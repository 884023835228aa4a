// Built with include/ only and linked to libringkafka.so: if a public header
// needs something from src/, or a public symbol is not exported, this fails.
#include <ringkafka/producer.h>
#include <ringkafka/version.h>

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

TEST(PublicApi, VersionIsExportedFromTheSharedLibrary) {
  EXPECT_FALSE(ringkafka::version().empty());
  EXPECT_FALSE(ringkafka::library_versions().zstd.empty());
}

// --- what a caller writes: Bytes from its own buffers, options by name ---

namespace rk = ringkafka;

static_assert(std::is_convertible_v<const std::vector<char>&, rk::Bytes>);
static_assert(std::is_convertible_v<const std::vector<unsigned char>&, rk::Bytes>);
static_assert(std::is_convertible_v<const std::array<std::uint8_t, 4>&, rk::Bytes>);
static_assert(std::is_convertible_v<std::span<const std::byte>, rk::Bytes>);
static_assert(std::is_convertible_v<const std::byte (&)[8], rk::Bytes>);
// Not bytes: a range of wider elements does not convert.
static_assert(!std::is_convertible_v<const std::vector<int>&, rk::Bytes>);
static_assert(!std::is_convertible_v<const std::vector<std::string>&, rk::Bytes>);

TEST(PublicApi, BytesFromContiguousByteRanges) {
  const std::vector<char> v{'a', 'b', 'c'};
  const rk::Bytes from_vector = v;
  EXPECT_EQ(from_vector.data, v.data());
  EXPECT_EQ(from_vector.size, 3u);
  EXPECT_FALSE(from_vector.is_null);

  const std::array<std::uint8_t, 4> a{1, 2, 3, 4};
  const rk::Bytes from_array = a;
  EXPECT_EQ(from_array.data, a.data());
  EXPECT_EQ(from_array.size, 4u);

  const std::vector<char> empty;
  const rk::Bytes from_empty = empty;  // empty, not null: Kafka tells them apart
  EXPECT_EQ(from_empty.size, 0u);
  EXPECT_FALSE(from_empty.is_null);

  const rk::Bytes literal = "key";  // a string literal without its NUL
  EXPECT_EQ(literal.size, 3u);
  EXPECT_TRUE(rk::Bytes::null().is_null);
}

TEST(PublicApi, ProduceOptionsByName) {
  int order = 0;
  const rk::Header h{"trace", "1"};
  const rk::ProduceOptions o{.headers = {&h, 1}, .opaque = &order, .partition = 2};
  EXPECT_EQ(o.headers.size(), 1u);
  EXPECT_EQ(o.timestamp_ms, rk::kTimestampNow);
  EXPECT_EQ(o.opaque, &order);
  EXPECT_EQ(o.partition, 2);
  const rk::ProduceOptions none{};
  EXPECT_EQ(none.partition, rk::kAnyPartition);
  EXPECT_TRUE(none.headers.empty());
}
