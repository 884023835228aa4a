#include "wire/record_batch.h"

#include <algorithm>
#include <cstring>

#include "wire/crc32c.h"
#include "wire/byte_order.h"
#include "wire/varint.h"

namespace ringkafka::wire {
namespace {

// Header field offsets (see the table in record_batch.h).
constexpr std::size_t kBaseOffset = 0;
constexpr std::size_t kBatchLength = 8;
constexpr std::size_t kPartitionLeaderEpoch = 12;
constexpr std::size_t kMagic = 16;
constexpr std::size_t kCrc = 17;
constexpr std::size_t kAttributes = 21;
constexpr std::size_t kLastOffsetDelta = 23;
constexpr std::size_t kBaseTimestamp = 27;
constexpr std::size_t kMaxTimestamp = 35;
constexpr std::size_t kProducerId = 43;
constexpr std::size_t kProducerEpoch = 51;
constexpr std::size_t kBaseSequence = 53;
constexpr std::size_t kRecordCount = 57;
constexpr std::uint16_t kTransactionalBit = 1U << 4;

std::int32_t wire_length(const NullableBytes& b) noexcept {
  return b.is_null ? -1 : static_cast<std::int32_t>(b.bytes.size());
}

std::size_t nullable_size(const NullableBytes& b) noexcept {
  return varint_size(wire_length(b)) + (b.is_null ? 0 : b.bytes.size());
}

std::size_t body_size(std::int64_t timestamp_delta, std::int32_t offset_delta,
                      const NullableBytes& key, const NullableBytes& value,
                      std::span<const RecordHeader> headers) noexcept {
  std::size_t n = 1 /* attributes */ + varlong_size(timestamp_delta) + varint_size(offset_delta) +
                  nullable_size(key) + nullable_size(value) +
                  varint_size(static_cast<std::int32_t>(headers.size()));
  for (const auto& h : headers) {
    n += varint_size(static_cast<std::int32_t>(h.key.size())) + h.key.size() +
         nullable_size(h.value);
  }
  return n;
}

std::byte* put_nullable(std::byte* p, const NullableBytes& b) noexcept {
  p += write_varint(p, wire_length(b));
  if (!b.is_null && !b.bytes.empty()) {
    std::memcpy(p, b.bytes.data(), b.bytes.size());
    p += b.bytes.size();
  }
  return p;
}

}  // namespace

std::size_t record_size(std::int64_t timestamp_delta, std::int32_t offset_delta,
                        const NullableBytes& key, const NullableBytes& value,
                        std::span<const RecordHeader> headers) noexcept {
  const std::size_t body = body_size(timestamp_delta, offset_delta, key, value, headers);
  return varint_size(static_cast<std::int32_t>(body)) + body;
}

RecordBatchWriter::RecordBatchWriter(std::span<std::byte> buffer, std::int64_t base_offset,
                                     std::int32_t partition_leader_epoch) noexcept
    : buffer_(buffer), base_offset_(base_offset), partition_leader_epoch_(partition_leader_epoch) {}

bool RecordBatchWriter::append(std::int64_t timestamp, const NullableBytes& key,
                               const NullableBytes& value,
                               std::span<const RecordHeader> headers,
                               std::size_t max_bytes) noexcept {
  if (!ok()) return false;
  // The first record fixes the batch's base timestamp; later deltas may be
  // negative (a producer's clock or the caller's timestamps can go back).
  const std::int64_t base = count_ == 0 ? timestamp : base_timestamp_;
  const std::int64_t timestamp_delta = timestamp - base;
  const std::int32_t offset_delta = count_;
  const std::size_t body = body_size(timestamp_delta, offset_delta, key, value, headers);
  const std::size_t total = varint_size(static_cast<std::int32_t>(body)) + body;
  if (total > buffer_.size() - size_ || total > max_bytes) return false;

  std::byte* p = buffer_.data() + size_;
  p += write_varint(p, static_cast<std::int32_t>(body));
  *p++ = std::byte{0};  // record attributes: unused in v2
  p += write_varlong(p, timestamp_delta);
  p += write_varint(p, offset_delta);
  p = put_nullable(p, key);
  p = put_nullable(p, value);
  p += write_varint(p, static_cast<std::int32_t>(headers.size()));
  for (const auto& h : headers) {
    p += write_varint(p, static_cast<std::int32_t>(h.key.size()));
    std::memcpy(p, h.key.data(), h.key.size());
    p += h.key.size();
    p = put_nullable(p, h.value);
  }
  size_ += total;

  if (count_ == 0) {
    base_timestamp_ = timestamp;
    max_timestamp_ = timestamp;
  } else {
    max_timestamp_ = std::max(max_timestamp_, timestamp);
  }
  ++count_;
  return true;
}

std::span<const std::byte> RecordBatchWriter::seal() noexcept {
  if (!ok()) return {};
  return seal_as(Compression::kNone, buffer_.first(size_));
}

std::span<const std::byte> RecordBatchWriter::seal_as(Compression codec,
                                                      std::span<std::byte> batch) const noexcept {
  if (batch.size() < kRecordBatchHeaderSize) return {};
  std::byte* b = batch.data();
  const std::size_t size = batch.size();
  std::uint16_t attributes = static_cast<std::uint16_t>(codec);
  if (producer_.transactional) attributes |= kTransactionalBit;
  store_be(b + kBaseOffset, base_offset_);
  store_be(b + kBatchLength, static_cast<std::int32_t>(size - kBatchLength - 4));
  store_be(b + kPartitionLeaderEpoch, partition_leader_epoch_);
  b[kMagic] = static_cast<std::byte>(kRecordBatchMagic);
  store_be(b + kAttributes, attributes);
  store_be(b + kLastOffsetDelta, count_ > 0 ? count_ - 1 : 0);
  store_be(b + kBaseTimestamp, base_timestamp_);
  store_be(b + kMaxTimestamp, max_timestamp_);
  store_be(b + kProducerId, producer_.producer_id);
  store_be(b + kProducerEpoch, producer_.producer_epoch);
  store_be(b + kBaseSequence, producer_.base_sequence);
  store_be(b + kRecordCount, count_);
  // The CRC covers attributes to the end, so it is computed last.
  const auto crc = crc32c(std::span<const std::byte>(b + kAttributes, size - kAttributes));
  store_be(b + kCrc, crc);
  return {b, size};
}

}  // namespace ringkafka::wire
