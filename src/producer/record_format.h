// How produce() lays a record out in its thread's ring, and how the sender
// reads it back.  Native byte order and alignment: both ends are this
// process.
//
//   RecordHead (40 bytes) | key | value | headers...
//   header: u16 name length | i32 value length (-1 null) | name | value
//
// The sender encodes the Kafka record itself, because timestampDelta and
// offsetDelta depend on the batch the record ends up in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "ringkafka/producer.h"

namespace ringkafka::producer {

struct RecordHead {
  std::uint32_t topic;
  std::int32_t partition;  // kAnyPartition or explicit
  std::int64_t timestamp_ms;
  void* opaque;
  std::int32_t key_len;    // -1: null
  std::int32_t value_len;  // -1: null
  std::uint32_t header_count;
  std::uint32_t header_bytes;
};
static_assert(sizeof(RecordHead) == 40);

inline constexpr std::size_t kHeaderOverhead = sizeof(std::uint16_t) + sizeof(std::int32_t);

// Bytes the record takes in the ring; 0 if a length does not fit the format
// (a header name over 65535 bytes, a key or value over 2 GiB).
[[nodiscard]] inline std::size_t encoded_size(Bytes key, Bytes value,
                                              std::span<const Header> headers) noexcept {
  constexpr std::size_t kMax = 0x7fffffff;
  if (key.size > kMax || value.size > kMax) return 0;
  std::size_t n = sizeof(RecordHead) + key.size + value.size;
  for (const Header& h : headers) {
    if (h.name.size() > 0xffff || h.value.size > kMax) return 0;
    n += kHeaderOverhead + h.name.size() + h.value.size;
  }
  return n;
}

// Writes the record's head and headers into `out`, which holds
// encoded_size() bytes, leaving the key's and value's bytes to the caller:
// they go at record_key(out) and record_key(out) + key.size.  `key` and
// `value` give only sizes and nullness here.
inline void encode_frame(std::byte* out, std::uint32_t topic, std::int32_t partition,
                         std::int64_t timestamp_ms, void* opaque, Bytes key, Bytes value,
                         std::span<const Header> headers, std::size_t header_bytes) noexcept {
  RecordHead head{topic,
                  partition,
                  timestamp_ms,
                  opaque,
                  key.is_null ? -1 : static_cast<std::int32_t>(key.size),
                  value.is_null ? -1 : static_cast<std::int32_t>(value.size),
                  static_cast<std::uint32_t>(headers.size()),
                  static_cast<std::uint32_t>(header_bytes)};
  std::memcpy(out, &head, sizeof head);
  std::byte* p = out + sizeof head + key.size + value.size;
  for (const Header& h : headers) {
    const auto name_len = static_cast<std::uint16_t>(h.name.size());
    const std::int32_t value_len = h.value.is_null ? -1 : static_cast<std::int32_t>(h.value.size);
    std::memcpy(p, &name_len, sizeof name_len);
    std::memcpy(p + sizeof name_len, &value_len, sizeof value_len);
    p += kHeaderOverhead;
    if (!h.name.empty()) std::memcpy(p, h.name.data(), h.name.size());
    p += h.name.size();
    if (h.value.size != 0) std::memcpy(p, h.value.data, h.value.size);
    p += h.value.size;
  }
}

[[nodiscard]] inline std::byte* record_key(std::byte* record) noexcept {
  return record + sizeof(RecordHead);
}

// Writes the whole record into `out`, which holds encoded_size() bytes.
inline void encode(std::byte* out, std::uint32_t topic, std::int32_t partition,
                   std::int64_t timestamp_ms, void* opaque, Bytes key, Bytes value,
                   std::span<const Header> headers, std::size_t header_bytes) noexcept {
  encode_frame(out, topic, partition, timestamp_ms, opaque, key, value, headers, header_bytes);
  std::byte* p = record_key(out);
  if (key.size != 0) std::memcpy(p, key.data, key.size);
  if (value.size != 0) std::memcpy(p + key.size, value.data, value.size);
}

// The sender's view of one record in the ring.
struct RecordView {
  RecordHead head;
  std::span<const std::byte> key;
  std::span<const std::byte> value;
  std::span<const std::byte> headers;  // header_count entries in the format above

  [[nodiscard]] bool key_is_null() const noexcept { return head.key_len < 0; }
  [[nodiscard]] bool value_is_null() const noexcept { return head.value_len < 0; }
};

[[nodiscard]] inline RecordView decode(std::span<const std::byte> message) noexcept {
  RecordView v{};
  std::memcpy(&v.head, message.data(), sizeof v.head);
  const std::byte* p = message.data() + sizeof v.head;
  const auto key_len = static_cast<std::size_t>(v.head.key_len < 0 ? 0 : v.head.key_len);
  const auto value_len = static_cast<std::size_t>(v.head.value_len < 0 ? 0 : v.head.value_len);
  v.key = {p, key_len};
  v.value = {p + key_len, value_len};
  v.headers = {p + key_len + value_len, v.head.header_bytes};
  return v;
}

// Calls fn(name, value_bytes, value_is_null) for each header of `view`.
template <typename Fn>
void for_each_header(const RecordView& view, Fn&& fn) noexcept {
  const std::byte* p = view.headers.data();
  for (std::uint32_t i = 0; i < view.head.header_count; ++i) {
    std::uint16_t name_len = 0;
    std::int32_t value_len = 0;
    std::memcpy(&name_len, p, sizeof name_len);
    std::memcpy(&value_len, p + sizeof name_len, sizeof value_len);
    p += kHeaderOverhead;
    const std::string_view name(reinterpret_cast<const char*>(p), name_len);
    p += name_len;
    const auto n = static_cast<std::size_t>(value_len < 0 ? 0 : value_len);
    fn(name, std::span<const std::byte>(p, n), value_len < 0);
    p += n;
  }
}

}  // namespace ringkafka::producer
