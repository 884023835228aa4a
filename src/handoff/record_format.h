// How produce() lays a record out in its thread's ring, and how the sender
// reads it back.  Native byte order: both ends are this process; fields are
// copied with memcpy, so nothing needs aligning.
//
//   prefix (12 bytes): u16 topic | u8 flags | u8 0 | i32 key length | i32 value length
//   then, only where its flag says so:
//     i32 partition (kPartition) | i64 timestamp (kTimestamp) | opaque (kOpaque)
//     | u32 header count, u32 header bytes (kHeaders)
//   then key | value | headers
//   a header: u16 name length | i32 value length (-1 null) | name | value
//
// A length of -1 is null.  Most records give no partition, timestamp,
// opaque or headers, so most heads are 12 bytes: with the ring's own 4-byte
// length word, a 16-byte key and a 100-byte value take 136 bytes of ring,
// not 160 as with the fixed 40-byte head this replaced.
//
// The sender encodes the Kafka record itself, because timestampDelta and
// offsetDelta depend on the batch the record ends up in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "ringkafka/producer.h"

namespace ringkafka::handoff {

// Every field of a record's head, as the sender sees it after decode().
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

enum Flag : std::uint8_t { kPartition = 1, kTimestamp = 2, kOpaque = 4, kHeaders = 8 };

inline constexpr std::size_t kPrefix = 12;
inline constexpr std::size_t kHeaderOverhead = sizeof(std::uint16_t) + sizeof(std::int32_t);

// Bytes the optional fields of `flags` take.
constexpr std::size_t optional_bytes(std::uint8_t flags) noexcept {
  return ((flags & kPartition) != 0 ? sizeof(std::int32_t) : 0) +
         ((flags & kTimestamp) != 0 ? sizeof(std::int64_t) : 0) +
         ((flags & kOpaque) != 0 ? sizeof(void*) : 0) +
         ((flags & kHeaders) != 0 ? 2 * sizeof(std::uint32_t) : 0);
}

// Where a record's parts go: encode_frame() and the caller agree on it.
struct Layout {
  std::size_t size = 0;          // bytes in the ring; 0: the record does not fit the format
  std::size_t head = 0;          // prefix and optional fields: the key starts here
  std::size_t header_bytes = 0;  // the headers' bytes, after the value
  std::uint8_t flags = 0;
};

// A length does not fit the format: a header name over 65535 bytes, a key
// or value over 2 GiB.  Then size is 0.
[[nodiscard]] inline Layout layout(Bytes key, Bytes value, std::span<const Header> headers,
                                   std::int32_t partition, std::int64_t timestamp_ms,
                                   void* opaque) noexcept {
  constexpr std::size_t kMax = 0x7fffffff;
  Layout l;
  if (key.size > kMax || value.size > kMax) return l;
  for (const Header& h : headers) {
    if (h.name.size() > 0xffff || h.value.size > kMax) return l;
    l.header_bytes += kHeaderOverhead + h.name.size() + h.value.size;
  }
  // Without branches: produce() computes this on every call.
  l.flags = static_cast<std::uint8_t>(
      (partition != kAnyPartition ? kPartition : 0) | (timestamp_ms != kTimestampNow ? kTimestamp : 0) |
      (opaque != nullptr ? kOpaque : 0) | (headers.empty() ? 0 : kHeaders));
  l.head = kPrefix + optional_bytes(l.flags);
  l.size = l.head + key.size + value.size + l.header_bytes;
  return l;
}

inline void encode_optional(std::byte* p, const Layout& l, std::int32_t partition,
                            std::int64_t timestamp_ms, void* opaque, Bytes key, Bytes value,
                            std::span<const Header> headers) noexcept;

// Writes the record's head and headers into `out`, which holds l.size
// bytes, leaving the key's and value's bytes to the caller: they go at
// out + l.head and out + l.head + key.size.  `key` and `value` give only
// sizes and nullness here.
inline void encode_frame(std::byte* out, const Layout& l, std::uint32_t topic,
                         std::int32_t partition, std::int64_t timestamp_ms, void* opaque,
                         Bytes key, Bytes value, std::span<const Header> headers) noexcept {
  // topics.max <= 65535, so the index fits 16 bits.  The first 8 bytes in
  // one store: topic | flags | 0 | key length.
  const std::int32_t key_len = key.is_null ? -1 : static_cast<std::int32_t>(key.size);
  const std::int32_t value_len = value.is_null ? -1 : static_cast<std::int32_t>(value.size);
  const std::uint64_t first = (topic & 0xffffU) | (std::uint64_t{l.flags} << 16) |
                              (std::uint64_t{static_cast<std::uint32_t>(key_len)} << 32);
  std::memcpy(out, &first, 8);
  std::memcpy(out + 8, &value_len, 4);
  if (l.flags == 0) [[likely]] return;
  encode_optional(out + kPrefix, l, partition, timestamp_ms, opaque, key, value, headers);
}

// The optional fields and the headers, out of the common path.
inline void encode_optional(std::byte* p, const Layout& l, std::int32_t partition,
                            std::int64_t timestamp_ms, void* opaque, Bytes key, Bytes value,
                            std::span<const Header> headers) noexcept {
  std::byte* const key_at = p - kPrefix + l.head;
  const auto put = [&p](const void* field, std::size_t n) {
    std::memcpy(p, field, n);
    p += n;
  };
  if ((l.flags & kPartition) != 0) put(&partition, sizeof partition);
  if ((l.flags & kTimestamp) != 0) put(&timestamp_ms, sizeof timestamp_ms);
  if ((l.flags & kOpaque) != 0) put(&opaque, sizeof opaque);
  if ((l.flags & kHeaders) != 0) {
    const auto count = static_cast<std::uint32_t>(headers.size());
    const auto bytes = static_cast<std::uint32_t>(l.header_bytes);
    put(&count, sizeof count);
    put(&bytes, sizeof bytes);
  }
  p = key_at + key.size + value.size;
  for (const Header& h : headers) {
    const auto name_len = static_cast<std::uint16_t>(h.name.size());
    const std::int32_t header_value_len =
        h.value.is_null ? -1 : static_cast<std::int32_t>(h.value.size);
    std::memcpy(p, &name_len, sizeof name_len);
    std::memcpy(p + sizeof name_len, &header_value_len, sizeof header_value_len);
    p += kHeaderOverhead;
    if (!h.name.empty()) std::memcpy(p, h.name.data(), h.name.size());
    p += h.name.size();
    if (h.value.size != 0) std::memcpy(p, h.value.data, h.value.size);
    p += h.value.size;
  }
}

// The key's and value's bytes, where encode_frame() left room for them.
inline void copy_key_value(std::byte* out, const Layout& l, Bytes key, Bytes value) noexcept {
  std::byte* k = out + l.head;
  if (key.size != 0) std::memcpy(k, key.data, key.size);
  if (value.size != 0) std::memcpy(k + key.size, value.data, value.size);
}

// Writes the whole record into `out`, which holds l.size bytes.
inline void encode(std::byte* out, const Layout& l, std::uint32_t topic, std::int32_t partition,
                   std::int64_t timestamp_ms, void* opaque, Bytes key, Bytes value,
                   std::span<const Header> headers) noexcept {
  encode_frame(out, l, topic, partition, timestamp_ms, opaque, key, value, headers);
  copy_key_value(out, l, key, value);
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
  const std::byte* p = message.data();
  std::uint16_t topic16 = 0;
  std::memcpy(&topic16, p, 2);
  const auto flags = static_cast<std::uint8_t>(p[2]);
  v.head.topic = topic16;
  v.head.partition = kAnyPartition;
  v.head.timestamp_ms = kTimestampNow;
  std::memcpy(&v.head.key_len, p + 4, 4);
  std::memcpy(&v.head.value_len, p + 8, 4);
  p += kPrefix;
  const auto take = [&p](void* field, std::size_t n) {
    std::memcpy(field, p, n);
    p += n;
  };
  if ((flags & kPartition) != 0) take(&v.head.partition, sizeof v.head.partition);
  if ((flags & kTimestamp) != 0) take(&v.head.timestamp_ms, sizeof v.head.timestamp_ms);
  if ((flags & kOpaque) != 0) take(&v.head.opaque, sizeof v.head.opaque);
  if ((flags & kHeaders) != 0) {
    take(&v.head.header_count, sizeof v.head.header_count);
    take(&v.head.header_bytes, sizeof v.head.header_bytes);
  }
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

}  // namespace ringkafka::handoff
