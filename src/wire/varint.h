// Kafka's variable-length integers (KIP-98 record format, KIP-482 flexible
// versions): unsigned LEB128 ("unsigned varint") and its zig-zag signed forms
// ("varint" for int32, "varlong" for int64), as the Java client's ByteUtils
// writes them.
//
// Writers need room for the worst case (kMaxVarint32Bytes/kMaxVarint64Bytes)
// or for exactly *_size(v) bytes.  Readers are bounds-checked: they return the
// number of bytes consumed, or 0 when the input is truncated or over-long
// (more bytes than the type holds, or bits set past its width), and never
// read past the span.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace ringkafka::wire {

inline constexpr std::size_t kMaxVarint32Bytes = 5;
inline constexpr std::size_t kMaxVarint64Bytes = 10;

[[nodiscard]] constexpr std::uint32_t zigzag_encode(std::int32_t v) noexcept {
  return (static_cast<std::uint32_t>(v) << 1) ^ static_cast<std::uint32_t>(v >> 31);
}
[[nodiscard]] constexpr std::uint64_t zigzag_encode(std::int64_t v) noexcept {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
[[nodiscard]] constexpr std::int32_t zigzag_decode(std::uint32_t v) noexcept {
  return static_cast<std::int32_t>((v >> 1) ^ (~(v & 1) + 1));
}
[[nodiscard]] constexpr std::int64_t zigzag_decode(std::uint64_t v) noexcept {
  return static_cast<std::int64_t>((v >> 1) ^ (~(v & 1) + 1));
}

// Bytes that write_uvarint(v) produces: 1 + floor(log128(v)).
[[nodiscard]] constexpr std::size_t uvarint_size(std::uint64_t v) noexcept {
  // (bit width * 9 + 64) / 64 == ceil(bit width / 7) for widths 1..64, with
  // a one-byte result for zero; cheaper than a loop on the record path.
  const int width = 64 - __builtin_clzll(v | 1);
  return static_cast<std::size_t>((width * 9 + 64) / 64);
}
[[nodiscard]] constexpr std::size_t varint_size(std::int32_t v) noexcept {
  return uvarint_size(zigzag_encode(v));
}
[[nodiscard]] constexpr std::size_t varlong_size(std::int64_t v) noexcept {
  return uvarint_size(zigzag_encode(v));
}

// Writes v at out, returns the bytes written (uvarint_size(v)).
inline std::size_t write_uvarint(std::byte* out, std::uint64_t v) noexcept {
  std::size_t n = 0;
  while (v >= 0x80) {
    out[n++] = static_cast<std::byte>(v | 0x80);
    v >>= 7;
  }
  out[n++] = static_cast<std::byte>(v);
  return n;
}
inline std::size_t write_varint(std::byte* out, std::int32_t v) noexcept {
  return write_uvarint(out, zigzag_encode(v));
}
inline std::size_t write_varlong(std::byte* out, std::int64_t v) noexcept {
  return write_uvarint(out, zigzag_encode(v));
}

namespace detail {
template <typename U, std::size_t kMaxBytes>
[[nodiscard]] inline std::size_t read_uvarint(std::span<const std::byte> in, U& out) noexcept {
  constexpr unsigned kBits = sizeof(U) * 8;
  U value = 0;
  const std::size_t limit = in.size() < kMaxBytes ? in.size() : kMaxBytes;
  for (std::size_t i = 0; i < limit; ++i) {
    const auto b = static_cast<std::uint8_t>(in[i]);
    const unsigned shift = static_cast<unsigned>(7 * i);
    if (i == kMaxBytes - 1) {
      // The last byte may only carry the bits left in U, and ends the number.
      if ((b >> (kBits - shift)) != 0) return 0;
    }
    value |= static_cast<U>(static_cast<U>(b & 0x7f) << shift);
    if ((b & 0x80) == 0) {
      out = value;
      return i + 1;
    }
  }
  return 0;  // truncated, or more than kMaxBytes bytes
}
}  // namespace detail

[[nodiscard]] inline std::size_t read_uvarint(std::span<const std::byte> in,
                                              std::uint32_t& out) noexcept {
  return detail::read_uvarint<std::uint32_t, kMaxVarint32Bytes>(in, out);
}
[[nodiscard]] inline std::size_t read_uvarint(std::span<const std::byte> in,
                                              std::uint64_t& out) noexcept {
  return detail::read_uvarint<std::uint64_t, kMaxVarint64Bytes>(in, out);
}
[[nodiscard]] inline std::size_t read_varint(std::span<const std::byte> in,
                                             std::int32_t& out) noexcept {
  std::uint32_t u = 0;
  const std::size_t n = read_uvarint(in, u);
  if (n != 0) out = zigzag_decode(u);
  return n;
}
[[nodiscard]] inline std::size_t read_varlong(std::span<const std::byte> in,
                                              std::int64_t& out) noexcept {
  std::uint64_t u = 0;
  const std::size_t n = read_uvarint(in, u);
  if (n != 0) out = zigzag_decode(u);
  return n;
}

}  // namespace ringkafka::wire
