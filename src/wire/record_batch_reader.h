// Reading RecordBatch v2, the other direction of record_batch.h: for the
// test broker, which checks every batch it receives, and for tests.  The
// producer itself never parses batches.
//
// Everything is bounds-checked and validated before use: magic, lengths, the
// CRC, the record count against the bytes present, each record's own length.
// Compressed records are handed back as bytes for the caller to decompress
// (the compress module sits above wire).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "wire/protocol.h"
#include "wire/record_batch.h"

namespace ringkafka::wire {

struct RecordBatchHeader {
  std::int64_t base_offset = 0;
  std::int32_t batch_length = 0;  // bytes after this field
  std::int32_t partition_leader_epoch = -1;
  std::int8_t magic = 0;
  std::uint32_t crc = 0;
  std::int16_t attributes = 0;
  std::int32_t last_offset_delta = 0;
  std::int64_t base_timestamp = 0;
  std::int64_t max_timestamp = 0;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  std::int32_t base_sequence = -1;
  std::int32_t record_count = 0;

  [[nodiscard]] Compression compression() const noexcept {
    return static_cast<Compression>(attributes & 0x7);
  }
  [[nodiscard]] bool transactional() const noexcept { return (attributes & 0x10) != 0; }
  [[nodiscard]] bool control() const noexcept { return (attributes & 0x20) != 0; }
  [[nodiscard]] std::size_t total_size() const noexcept {
    return static_cast<std::size_t>(batch_length) + 12;
  }
};

enum class BatchStatus : std::uint8_t {
  kOk = 0,
  kTruncated,       // fewer bytes than the header or its batchLength claims
  kBadMagic,        // not magic 2
  kBadLength,       // batchLength too small for a header
  kCrcMismatch,     // the CRC32C does not match the bytes
  kBadRecords,      // a record's fields disagree with its length or the count
};
[[nodiscard]] std::string_view to_string(BatchStatus s) noexcept;

// Parses the batch at the front of `in` (one batch; use total_size() to step
// to the next).  On kOk, `records` is the (possibly compressed) records
// section of exactly that batch.
[[nodiscard]] BatchStatus read_record_batch(std::span<const std::byte> in, RecordBatchHeader& header,
                                            std::span<const std::byte>& records) noexcept;

struct RecordView {
  std::int8_t attributes = 0;
  std::int64_t timestamp_delta = 0;
  std::int32_t offset_delta = 0;
  NullableBytes key;
  NullableBytes value;
  std::int32_t header_count = 0;
  std::span<const std::byte> headers;  // the raw header section, for for_each_header
};

// Walks the records of an uncompressed records section.  next() returns
// false at the end or on the first malformed record; status() tells which.
class RecordIterator {
 public:
  RecordIterator(std::span<const std::byte> records, std::int32_t record_count) noexcept
      : in_(records), left_(record_count) {}
  [[nodiscard]] bool next(RecordView& out) noexcept;
  // kOk once every record was read and no byte is left over.
  [[nodiscard]] BatchStatus status() const noexcept;

 private:
  std::span<const std::byte> in_;
  std::size_t pos_ = 0;
  std::int32_t left_;
  bool failed_ = false;
};

// Calls fn(key, value) for each header of a record; false if malformed.
template <typename Fn>
[[nodiscard]] bool for_each_header(const RecordView& record, Fn&& fn) noexcept {
  Reader r(record.headers);
  for (std::int32_t i = 0; i < record.header_count; ++i) {
    const std::int32_t key_len = r.varint();
    if (key_len < 0) return false;
    const auto key = r.raw(static_cast<std::size_t>(key_len));
    const std::int32_t value_len = r.varint();
    if (value_len < -1) return false;
    NullableBytes value = value_len < 0 ? NullableBytes::null()
                                        : NullableBytes::of(r.raw(static_cast<std::size_t>(value_len)));
    if (!r.ok()) return false;
    fn(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()), value);
  }
  return r.ok() && r.remaining() == 0;
}

}  // namespace ringkafka::wire
