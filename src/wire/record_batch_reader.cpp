#include "wire/record_batch_reader.h"

#include "wire/crc32c.h"

namespace ringkafka::wire {

std::string_view to_string(BatchStatus s) noexcept {
  switch (s) {
    case BatchStatus::kOk: return "ok";
    case BatchStatus::kTruncated: return "batch truncated";
    case BatchStatus::kBadMagic: return "not a RecordBatch v2 (magic)";
    case BatchStatus::kBadLength: return "batch length too small";
    case BatchStatus::kCrcMismatch: return "CRC32C mismatch";
    case BatchStatus::kBadRecords: return "malformed records";
  }
  return "unknown";
}

BatchStatus read_record_batch(std::span<const std::byte> in, RecordBatchHeader& h,
                              std::span<const std::byte>& records) noexcept {
  if (in.size() < kRecordBatchHeaderSize) return BatchStatus::kTruncated;
  Reader r(in);
  h.base_offset = r.int64();
  h.batch_length = r.int32();
  h.partition_leader_epoch = r.int32();
  h.magic = r.int8();
  h.crc = r.fixed<std::uint32_t>();
  h.attributes = r.int16();
  h.last_offset_delta = r.int32();
  h.base_timestamp = r.int64();
  h.max_timestamp = r.int64();
  h.producer_id = r.int64();
  h.producer_epoch = r.int16();
  h.base_sequence = r.int32();
  h.record_count = r.int32();
  if (h.magic != kRecordBatchMagic) return BatchStatus::kBadMagic;
  if (h.batch_length < static_cast<std::int32_t>(kRecordBatchHeaderSize - 12)) {
    return BatchStatus::kBadLength;
  }
  if (h.total_size() > in.size()) return BatchStatus::kTruncated;
  const auto crc_covered = in.subspan(21, h.total_size() - 21);
  if (crc32c(crc_covered) != h.crc) return BatchStatus::kCrcMismatch;
  if (h.record_count < 0) return BatchStatus::kBadRecords;
  records = in.subspan(kRecordBatchHeaderSize, h.total_size() - kRecordBatchHeaderSize);
  return BatchStatus::kOk;
}

bool RecordIterator::next(RecordView& out) noexcept {
  if (failed_ || left_ <= 0) return false;
  Reader r(in_.subspan(pos_));
  const std::int32_t length = r.varint();
  if (!r.ok() || length < 0 || static_cast<std::size_t>(length) > r.remaining()) {
    failed_ = true;
    return false;
  }
  const std::size_t prefix = r.position();
  // Every field is read inside the record's own length.
  Reader rec(r.raw(static_cast<std::size_t>(length)));
  out.attributes = rec.int8();
  out.timestamp_delta = rec.varlong();
  out.offset_delta = rec.varint();
  const auto nullable = [&rec]() -> NullableBytes {
    const std::int32_t n = rec.varint();
    if (n < -1) rec.fail();
    if (n < 0) return NullableBytes::null();
    return NullableBytes::of(rec.raw(static_cast<std::size_t>(n)));
  };
  out.key = nullable();
  out.value = nullable();
  out.header_count = rec.varint();
  // Each header takes at least two bytes (two zero lengths).
  if (out.header_count < 0 ||
      static_cast<std::size_t>(out.header_count) * 2 > rec.remaining()) {
    rec.fail();
  }
  out.headers = rec.raw(rec.remaining());
  if (!rec.ok()) {
    failed_ = true;
    return false;
  }
  pos_ += prefix + static_cast<std::size_t>(length);
  --left_;
  return true;
}

BatchStatus RecordIterator::status() const noexcept {
  if (failed_ || left_ != 0 || pos_ != in_.size()) return BatchStatus::kBadRecords;
  return BatchStatus::kOk;
}

}  // namespace ringkafka::wire
