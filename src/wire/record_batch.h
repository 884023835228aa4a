// RecordBatch v2 (magic 2, KIP-98), written in place into caller memory.
//
//   offset  field                   filled
//   0       baseOffset       int64  at begin (0 from a producer)
//   8       batchLength      int32  at seal: bytes after this field
//   12      partitionLeaderEpoch    at begin (-1 from a producer)
//   16      magic            int8   2
//   17      crc              uint32 at seal: CRC32C of bytes 21..end
//   21      attributes       int16  compression bits 0-2, timestamp type
//                                   bit 3, transactional bit 4
//   23      lastOffsetDelta  int32  at seal
//   27      baseTimestamp    int64  first record's timestamp
//   35      maxTimestamp     int64  at seal
//   43      producerId       int64  set_producer(), before seal
//   51      producerEpoch    int16  set_producer()
//   53      baseSequence     int32  set_producer()
//   57      recordCount      int32  at seal
//   61      records ...
//
// A record: length varint, attributes int8 (0), timestampDelta varlong,
// offsetDelta varint, key (varint length, -1 = null), value (likewise),
// header count varint, then per header a key (varint length + bytes, never
// null) and a value (varint length, -1 = null).
//
// The writer never allocates and never writes past its span: append()
// refuses a record that does not fit and leaves the batch as it was.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace ringkafka::wire {

inline constexpr std::size_t kRecordBatchHeaderSize = 61;
inline constexpr std::int8_t kRecordBatchMagic = 2;

// Attribute bits 0-2.
enum class Compression : std::uint8_t { kNone = 0, kGzip = 1, kSnappy = 2, kLz4 = 3, kZstd = 4 };

// Kafka's nullable BYTES: null is distinct from empty.
struct NullableBytes {
  std::span<const std::byte> bytes;
  bool is_null = true;

  static NullableBytes null() noexcept { return {}; }
  static NullableBytes of(std::span<const std::byte> b) noexcept { return {b, false}; }
  static NullableBytes of(std::string_view s) noexcept {
    return {std::as_bytes(std::span(s.data(), s.size())), false};
  }
};

struct RecordHeader {
  std::string_view key;
  NullableBytes value;
};

// Producer fields of the batch header; the defaults mean "not idempotent".
struct ProducerFields {
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  std::int32_t base_sequence = -1;
  bool transactional = false;
};

// The producer sequence after a batch of `count` records starting at
// `base`: sequences wrap from INT32_MAX to 0, never negative (as the Java
// client's DefaultRecordBatch.incrementSequence and the broker count).
[[nodiscard]] constexpr std::int32_t sequence_after(std::int32_t base, std::int32_t count) noexcept {
  const std::int64_t next = static_cast<std::int64_t>(base) + count;
  return static_cast<std::int32_t>(next > INT32_MAX ? next - INT32_MAX - 1 : next);
}

// Bytes a record takes in a batch, length prefix included.
[[nodiscard]] std::size_t record_size(std::int64_t timestamp_delta, std::int32_t offset_delta,
                                      const NullableBytes& key, const NullableBytes& value,
                                      std::span<const RecordHeader> headers) noexcept;

class RecordBatchWriter {
 public:
  // Starts a batch at the front of `buffer`.  ok() is false when the buffer
  // cannot even hold the 61-byte header.
  explicit RecordBatchWriter(std::span<std::byte> buffer, std::int64_t base_offset = 0,
                             std::int32_t partition_leader_epoch = -1) noexcept;

  [[nodiscard]] bool ok() const noexcept { return buffer_.size() >= kRecordBatchHeaderSize; }

  // Appends one record; false (batch unchanged) if it does not fit, or if
  // it would take more than `max_bytes` (as record_size() counts them): the
  // caller's own limits, checked without sizing the record twice.
  [[nodiscard]] bool append(std::int64_t timestamp, const NullableBytes& key,
                            const NullableBytes& value,
                            std::span<const RecordHeader> headers = {},
                            std::size_t max_bytes = SIZE_MAX) noexcept;

  void set_producer(const ProducerFields& fields) noexcept { producer_ = fields; }

  [[nodiscard]] std::int32_t record_count() const noexcept { return count_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  // The record bytes written so far (what a codec compresses).
  [[nodiscard]] std::span<const std::byte> records() const noexcept {
    return {buffer_.data() + kRecordBatchHeaderSize, size_ - kRecordBatchHeaderSize};
  }

  // Fills the header (count, deltas, timestamps, producer fields, length,
  // CRC) for an uncompressed batch and returns the finished batch.  An empty
  // batch is valid but no broker accepts one; callers seal only non-empty
  // batches.
  [[nodiscard]] std::span<const std::byte> seal() noexcept;

  // seal() for a batch whose records section is stored in another form:
  // `batch` is the whole batch, its records section (from byte 61) already
  // holds this writer's records as `codec` compressed them.  Writes the
  // header into batch's first 61 bytes, with `codec` in the attributes and
  // batchLength and CRC over all of `batch`, and returns `batch`; empty if
  // `batch` cannot hold a header.  seal() is seal_as(kNone, the writer's own
  // bytes).
  [[nodiscard]] std::span<const std::byte> seal_as(Compression codec,
                                                   std::span<std::byte> batch) const noexcept;

 private:
  std::span<std::byte> buffer_;
  std::size_t size_ = kRecordBatchHeaderSize;
  std::int64_t base_offset_;
  std::int32_t partition_leader_epoch_;
  std::int32_t count_ = 0;
  std::int64_t base_timestamp_ = 0;
  std::int64_t max_timestamp_ = 0;
  ProducerFields producer_{};
};

}  // namespace ringkafka::wire
