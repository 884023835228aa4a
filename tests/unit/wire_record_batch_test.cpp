#include "wire/record_batch.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "golden.h"
#include "recipe_batch.h"
#include "test_bytes.h"
#include "wire/crc32c.h"
#include "wire/byte_order.h"

namespace w = ringkafka::wire;
namespace golden = ringkafka::golden;

namespace {

using GoldenBatch = golden::RecipeBatch;

std::vector<GoldenBatch> golden_batches() { return golden::recipe_batches(); }

// Builds the golden recipe's batch with our writer.
std::vector<std::byte> write_recipe(const GoldenBatch& g, std::size_t capacity = 1 << 16) {
  std::vector<std::byte> buf(capacity);
  w::RecordBatchWriter writer(buf);
  if (!golden::fill(writer, g)) return {};
  const auto sealed = writer.seal();
  return {sealed.begin(), sealed.end()};
}

using ringkafka::testing::hex;

TEST(RecordBatchWriter, UncompressedBatchesEqualTheJavaClientsByteForByte) {
  const auto batches = golden_batches();
  ASSERT_GE(batches.size(), 7U) << "missing " << golden::path("record_batches.txt");
  int compared = 0;
  for (const auto& g : batches) {
    if (g.codec != "none") continue;
    const auto ours = write_recipe(g);
    ASSERT_FALSE(ours.empty()) << g.name;
    EXPECT_EQ(hex(ours), hex(g.bytes)) << "batch " << g.name;
    ++compared;
  }
  EXPECT_EQ(compared, 7);
}

TEST(RecordBatchWriter, HeaderFieldsAndCrcOfASealedBatch) {
  const auto batches = golden_batches();
  const auto it = std::find_if(batches.begin(), batches.end(),
                               [](const auto& g) { return g.name == "transactional"; });
  ASSERT_NE(it, batches.end());
  const auto b = write_recipe(*it);
  ASSERT_GE(b.size(), w::kRecordBatchHeaderSize);
  EXPECT_EQ(w::load_be<std::int32_t>(b.data() + 8), static_cast<std::int32_t>(b.size() - 12));
  EXPECT_EQ(static_cast<int>(b[16]), 2);
  EXPECT_EQ(w::load_be<std::uint32_t>(b.data() + 17),
            w::crc32c(std::span<const std::byte>(b).subspan(21)));
  EXPECT_EQ(w::load_be<std::int16_t>(b.data() + 21) & 0x10, 0x10) << "transactional bit";
  EXPECT_EQ(w::load_be<std::int32_t>(b.data() + 23), 2) << "last offset delta";
  // Record 2's timestamp is 10 ms early, so the maximum is record 1's.
  EXPECT_EQ(w::load_be<std::int64_t>(b.data() + 27), golden::timestamp(0));
  EXPECT_EQ(w::load_be<std::int64_t>(b.data() + 35), golden::timestamp(1));
  EXPECT_EQ(w::load_be<std::int64_t>(b.data() + 43), 987654321012);
  EXPECT_EQ(w::load_be<std::int16_t>(b.data() + 51), 3);
  EXPECT_EQ(w::load_be<std::int32_t>(b.data() + 53), 2147483600);
  EXPECT_EQ(w::load_be<std::int32_t>(b.data() + 57), 3);
}

TEST(RecordBatchWriter, RefusesWhatDoesNotFitAndKeepsTheBatchIntact) {
  const auto batches = golden_batches();
  const auto& keyed = *std::find_if(batches.begin(), batches.end(),
                                    [](const auto& g) { return g.name == "keyed"; });
  const auto full = write_recipe(keyed);
  ASSERT_FALSE(full.empty());
  // One byte short of the whole batch: the last record is refused.
  std::vector<std::byte> buf(full.size() - 1, std::byte{0xee});
  w::RecordBatchWriter writer(buf);
  int appended = 0;
  for (int i = 0; i < keyed.count; ++i) {
    const auto key = golden::key(i);
    const auto value = golden::value(i);
    if (writer.append(golden::timestamp(i), w::NullableBytes::of(key), w::NullableBytes::of(value))) {
      ++appended;
    }
  }
  EXPECT_EQ(appended, keyed.count - 1);
  EXPECT_EQ(writer.record_count(), keyed.count - 1);
  const auto sealed = writer.seal();
  EXPECT_LT(sealed.size(), buf.size());
  // The bytes past the batch were never touched.
  for (std::size_t i = sealed.size(); i < buf.size(); ++i) ASSERT_EQ(buf[i], std::byte{0xee}) << i;
  // A buffer too small for the header is refused outright.
  std::vector<std::byte> tiny(w::kRecordBatchHeaderSize - 1);
  w::RecordBatchWriter small(tiny);
  EXPECT_FALSE(small.ok());
  EXPECT_FALSE(small.append(0, w::NullableBytes::null(), w::NullableBytes::null()));
  EXPECT_TRUE(small.seal().empty());
}

TEST(RecordBatchWriter, RecordSizeMatchesWhatAppendWrites) {
  std::vector<std::byte> buf(1 << 12);
  w::RecordBatchWriter writer(buf);
  const std::string big(300, 'v');
  const w::RecordHeader headers[] = {{"trace", w::NullableBytes::of("abc")},
                                     {"empty", w::NullableBytes::of(std::string_view{})},
                                     {"null", w::NullableBytes::null()}};
  std::size_t before = writer.size();
  ASSERT_TRUE(writer.append(1000, w::NullableBytes::of("k"), w::NullableBytes::of(big), headers));
  EXPECT_EQ(writer.size() - before,
            w::record_size(0, 0, w::NullableBytes::of("k"), w::NullableBytes::of(big), headers));
  before = writer.size();
  ASSERT_TRUE(writer.append(900, w::NullableBytes::null(), w::NullableBytes::of(""), {}));
  EXPECT_EQ(writer.size() - before,
            w::record_size(-100, 1, w::NullableBytes::null(), w::NullableBytes::of(""), {}));
}

}  // namespace

TEST(ProducerSequence, WrapsFromInt32MaxToZeroNeverNegative) {
  EXPECT_EQ(w::sequence_after(0, 5), 5);
  EXPECT_EQ(w::sequence_after(INT32_MAX - 5, 5), INT32_MAX);
  EXPECT_EQ(w::sequence_after(INT32_MAX - 5, 6), 0);
  EXPECT_EQ(w::sequence_after(INT32_MAX - 5, 10), 4);
  EXPECT_EQ(w::sequence_after(INT32_MAX, 1), 0);
  // A whole run of batches past the wrap stays in [0, INT32_MAX].
  std::int32_t seq = INT32_MAX - 1000;
  for (int i = 0; i < 100; ++i) {
    seq = w::sequence_after(seq, 37);
    ASSERT_GE(seq, 0);
  }
  EXPECT_EQ(seq, 37 * 100 - 1000 - 1);
}
