#include "wire/record_batch_reader.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "golden.h"

namespace w = ringkafka::wire;
namespace golden = ringkafka::golden;

namespace {

std::string text(std::span<const std::byte> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// Reads the Java client's own uncompressed batches and finds the recipe.
TEST(RecordBatchReader, ReadsEveryJavaGoldenBatch) {
  int read = 0;
  for (const auto& row : golden::rows("record_batches.txt")) {
    const auto bytes = golden::unhex(row.at(10));
    w::RecordBatchHeader h;
    std::span<const std::byte> records;
    ASSERT_EQ(w::read_record_batch(bytes, h, records), w::BatchStatus::kOk) << row[0];
    const int count = std::stoi(row[2]);
    EXPECT_EQ(h.record_count, count) << row[0];
    EXPECT_EQ(h.last_offset_delta, count - 1) << row[0];
    EXPECT_EQ(h.producer_id, std::stoll(row[6])) << row[0];
    EXPECT_EQ(h.base_sequence, std::stoi(row[8])) << row[0];
    EXPECT_EQ(h.transactional(), row[9] == "1") << row[0];
    EXPECT_EQ(h.total_size(), bytes.size());
    if (row[1] != "none") {
      EXPECT_NE(h.compression(), w::Compression::kNone) << row[0];
      continue;
    }
    w::RecordIterator it(records, h.record_count);
    w::RecordView rec;
    int i = 0;
    while (it.next(rec)) {
      EXPECT_EQ(rec.offset_delta, i);
      EXPECT_EQ(h.base_timestamp + rec.timestamp_delta, golden::timestamp(i));
      EXPECT_EQ(rec.key.is_null, row[3] == "0");
      if (!rec.key.is_null) {
        EXPECT_EQ(rec.key.bytes.size(), golden::key(i).size());
      }
      EXPECT_EQ(rec.value.is_null, row[4] == "1");
      const auto expected_headers = row[5] == "1" ? golden::headers(i) : std::vector<golden::Header>{};
      EXPECT_EQ(rec.header_count, static_cast<std::int32_t>(expected_headers.size()));
      std::size_t j = 0;
      EXPECT_TRUE(w::for_each_header(rec, [&](std::string_view k, const w::NullableBytes& v) {
        ASSERT_LT(j, expected_headers.size());
        EXPECT_EQ(k, expected_headers[j].name);
        EXPECT_EQ(v.is_null, expected_headers[j].null_value);
        ++j;
      }));
      ++i;
    }
    EXPECT_EQ(it.status(), w::BatchStatus::kOk) << row[0];
    EXPECT_EQ(i, count) << row[0];
    ++read;
  }
  EXPECT_EQ(read, 7);
}

std::vector<std::byte> sample_batch() {
  std::vector<std::byte> buf(4096);
  w::RecordBatchWriter writer(buf);
  const w::RecordHeader headers[] = {{"h", w::NullableBytes::of("v")}};
  for (int i = 0; i < 5; ++i) {
    std::string k = "k";
    k.append(std::to_string(i));
    EXPECT_TRUE(writer.append(1000 + i, w::NullableBytes::of(k), w::NullableBytes::of("value"), headers));
  }
  const auto s = writer.seal();
  return {s.begin(), s.end()};
}

TEST(RecordBatchReader, EveryTruncationAndEveryFlippedByteIsCaught) {
  const auto batch = sample_batch();
  for (std::size_t len = 0; len < batch.size(); ++len) {
    std::vector<std::byte> cut(batch.begin(), batch.begin() + static_cast<std::ptrdiff_t>(len));
    w::RecordBatchHeader h;
    std::span<const std::byte> records;
    EXPECT_NE(w::read_record_batch(cut, h, records), w::BatchStatus::kOk) << len;
  }
  // Past the base offset, length and leader epoch, every byte is covered by
  // the magic check, the length check or the CRC.
  for (std::size_t i = 8; i < batch.size(); ++i) {
    if (i >= 12 && i < 16) continue;  // partition leader epoch: not covered, by design
    auto bad = batch;
    bad[i] ^= std::byte{0x40};
    w::RecordBatchHeader h;
    std::span<const std::byte> records;
    EXPECT_NE(w::read_record_batch(bad, h, records), w::BatchStatus::kOk) << "byte " << i;
  }
}

TEST(RecordBatchReader, RecordsThatLieAboutTheirLengthOrCountAreRejected) {
  const auto batch = sample_batch();
  w::RecordBatchHeader h;
  std::span<const std::byte> records;
  ASSERT_EQ(w::read_record_batch(batch, h, records), w::BatchStatus::kOk);
  {  // A count larger than the records present.
    w::RecordIterator it(records, h.record_count + 1);
    w::RecordView r;
    int n = 0;
    while (it.next(r)) ++n;
    EXPECT_EQ(n, h.record_count);
    EXPECT_EQ(it.status(), w::BatchStatus::kBadRecords);
  }
  {  // A count smaller: bytes left over.
    w::RecordIterator it(records, h.record_count - 1);
    w::RecordView r;
    while (it.next(r)) {
    }
    EXPECT_EQ(it.status(), w::BatchStatus::kBadRecords);
  }
  {  // A record length past the end.
    ASSERT_GE(records.size(), 10U);
    // Length varint 63, longer than the 9 bytes that follow.
    std::vector<std::byte> bad{std::byte{0x7e}};
    bad.insert(bad.end(), records.begin() + 1, records.begin() + 10);
    w::RecordIterator it(bad, 1);
    w::RecordView r;
    EXPECT_FALSE(it.next(r));
    EXPECT_EQ(it.status(), w::BatchStatus::kBadRecords);
  }
  {  // The first record's text survives a round trip.
    w::RecordIterator it(records, h.record_count);
    w::RecordView r;
    ASSERT_TRUE(it.next(r));
    EXPECT_EQ(text(r.key.bytes), "k0");
    EXPECT_EQ(text(r.value.bytes), "value");
    EXPECT_EQ(h.base_timestamp + r.timestamp_delta, 1000);
  }
}

}  // namespace
