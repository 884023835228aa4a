// Batches and their pool without a sender: records fill a batch up to
// batch.size, their metadata comes back in order, a sealed batch is a valid
// RecordBatch v2 and a restamp changes only the producer fields, and the
// pool stays inside buffer.memory while recycling its buffers.
#include "accumulator/batch.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "wire/record_batch_reader.h"

namespace rs = ringkafka::accumulator;
namespace w = ringkafka::wire;

namespace {

constexpr std::size_t kBatchSize = 1024;

TEST(AccumulatorBatch, RecordsFillUpToBatchSizeAndKeepTheirMeta) {
  rs::BatchPool pool(kBatchSize, 64 * 1024);
  ASSERT_TRUE(pool.preallocate(false));
  rs::Batch* b = pool.acquire(0);
  ASSERT_NE(b, nullptr);
  b->reset(2, 5, 0);
  const std::string value(100, 'v');
  int opaques[64];
  std::uint32_t n = 0;
  while (n < 64 && b->append(1000 + n, w::NullableBytes::of("key"), w::NullableBytes::of(value), {},
                             rs::RecordMeta{&opaques[n], 1000 + n, n % 3, 0}, kBatchSize)) {
    ++n;
  }
  ASSERT_GT(n, 1U);
  EXPECT_LT(n, 64U) << "batch.size bounds the batch";
  EXPECT_EQ(b->count(), n);
  for (std::uint32_t i = 0; i < n; ++i) {
    EXPECT_EQ(b->meta(i).opaque, &opaques[i]);
    EXPECT_EQ(b->meta(i).slot, i % 3);
  }

  w::ProducerFields fields;
  fields.producer_id = 9;
  fields.producer_epoch = 1;
  fields.base_sequence = 40;
  b->seal(fields, nullptr, {});
  ASSERT_TRUE(b->is_sealed());
  w::RecordBatchHeader h;
  std::span<const std::byte> records;
  ASSERT_EQ(w::read_record_batch(b->sealed, h, records), w::BatchStatus::kOk);
  EXPECT_EQ(h.record_count, static_cast<std::int32_t>(n));
  EXPECT_EQ(h.producer_id, 9);
  EXPECT_EQ(h.base_sequence, 40);

  // A new epoch and sequence: the header changes, the CRC follows, the
  // records stay.
  fields.producer_epoch = 2;
  fields.base_sequence = 0;
  const std::vector<std::byte> before(records.begin(), records.end());
  b->restamp(fields);
  ASSERT_EQ(w::read_record_batch(b->sealed, h, records), w::BatchStatus::kOk);
  EXPECT_EQ(h.producer_epoch, 2);
  EXPECT_EQ(h.base_sequence, 0);
  EXPECT_EQ(std::vector<std::byte>(records.begin(), records.end()), before);
  pool.release(b);
}

TEST(AccumulatorBatch, ThePoolStaysInsideBufferMemoryAndRecyclesItsBuffers) {
  const std::size_t budget = 8 * rs::class_capacity(0, kBatchSize);
  rs::BatchPool pool(kBatchSize, budget);
  ASSERT_TRUE(pool.preallocate(false));
  std::vector<rs::Batch*> taken;
  while (rs::Batch* b = pool.acquire(0)) {
    taken.push_back(b);
    ASSERT_LE(taken.size(), 64U);
  }
  EXPECT_EQ(taken.size(), 8U);
  EXPECT_LE(pool.bytes_in_use(), budget);
  const std::size_t allocated = pool.bytes_allocated();
  for (rs::Batch* b : taken) pool.release(b);
  EXPECT_EQ(pool.bytes_in_use(), 0U);
  // Taken again: the same buffers, nothing new allocated.
  for (int i = 0; i < 8; ++i) ASSERT_NE(pool.acquire(0), nullptr);
  EXPECT_EQ(pool.bytes_allocated(), allocated);
}

TEST(AccumulatorBatch, ARecordAboveBatchSizeTakesALargerClassAndStillGoesOut) {
  EXPECT_EQ(rs::size_class_for(100, kBatchSize), 0);
  EXPECT_EQ(rs::size_class_for(2 * kBatchSize, kBatchSize), 0);
  EXPECT_GT(rs::size_class_for(10 * kBatchSize, kBatchSize), 0);
  rs::BatchPool pool(kBatchSize, 4 * kBatchSize);
  ASSERT_TRUE(pool.preallocate(false));
  const std::uint8_t big = rs::size_class_for(100 * kBatchSize, kBatchSize);
  rs::Batch* b = pool.acquire(big);
  ASSERT_NE(b, nullptr) << "one buffer is always allowed when none is in use";
  EXPECT_GE(b->capacity, 100 * kBatchSize);
  b->reset(0, 0, 0);
  const std::string value(100 * kBatchSize - 200, 'x');
  EXPECT_TRUE(b->append(0, w::NullableBytes::null(), w::NullableBytes::of(value), {},
                        rs::RecordMeta{nullptr, 0, 0, 0}, kBatchSize))
      << "the first record goes in whatever batch.size says";
  pool.release(b);
}

}  // namespace
