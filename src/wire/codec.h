// Kafka's protocol primitive types (the "Protocol Primitive Types" of the
// protocol guide; KIP-482 for the compact and tagged-field forms), written
// into caller memory and read from a span.
//
// Both sides keep a sticky error: after the first overflow (Writer) or the
// first truncated or malformed field (Reader) every later call does nothing
// and returns a zero value, so a codec writes its fields straight through and
// checks ok() once at the end.  Neither allocates, and neither ever touches a
// byte outside its span.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "wire/byte_order.h"
#include "wire/varint.h"

namespace ringkafka::wire {

class Writer {
 public:
  explicit Writer(std::span<std::byte> out) noexcept : out_(out) {}

  [[nodiscard]] bool ok() const noexcept { return ok_; }
  [[nodiscard]] std::size_t position() const noexcept { return pos_; }
  [[nodiscard]] std::span<const std::byte> written() const noexcept { return out_.first(pos_); }

  template <typename T>
  void fixed(T v) noexcept {
    if (std::byte* p = reserve(sizeof(T))) store_be(p, v);
  }
  void int8(std::int8_t v) noexcept { fixed(v); }
  void int16(std::int16_t v) noexcept { fixed(v); }
  void int32(std::int32_t v) noexcept { fixed(v); }
  void int64(std::int64_t v) noexcept { fixed(v); }
  void boolean(bool v) noexcept { fixed(static_cast<std::int8_t>(v ? 1 : 0)); }

  void uvarint(std::uint64_t v) noexcept {
    if (std::byte* p = reserve(uvarint_size(v))) write_uvarint(p, v);
  }
  void varint(std::int32_t v) noexcept { uvarint(zigzag_encode(v)); }
  void varlong(std::int64_t v) noexcept { uvarint(zigzag_encode(v)); }

  void raw(std::span<const std::byte> b) noexcept {
    if (std::byte* p = reserve(b.size()); p != nullptr && !b.empty()) {
      std::memcpy(p, b.data(), b.size());
    }
  }

  // STRING / NULLABLE_STRING: int16 length (-1 = null), then UTF-8 bytes.
  void string(std::string_view s) noexcept {
    if (s.size() > 0x7fff) return fail();
    int16(static_cast<std::int16_t>(s.size()));
    raw(as_bytes(s));
  }
  void null_string() noexcept { int16(-1); }
  // COMPACT_STRING / COMPACT_NULLABLE_STRING: uvarint length + 1 (0 = null).
  void compact_string(std::string_view s) noexcept {
    uvarint(s.size() + 1);
    raw(as_bytes(s));
  }
  void compact_null_string() noexcept { uvarint(0); }
  // BYTES: int32 length; COMPACT_BYTES: uvarint length + 1.
  void bytes(std::span<const std::byte> b) noexcept {
    if (b.size() > 0x7fffffff) return fail();
    int32(static_cast<std::int32_t>(b.size()));
    raw(b);
  }
  void compact_bytes(std::span<const std::byte> b) noexcept {
    uvarint(b.size() + 1);
    raw(b);
  }
  // ARRAY: int32 count (-1 = null); COMPACT_ARRAY: uvarint count + 1.
  void array_length(std::int32_t n) noexcept { int32(n); }
  void compact_array_length(std::size_t n) noexcept { uvarint(n + 1); }
  // A flexible version's tagged-field section with no fields in it.
  void empty_tagged_fields() noexcept { uvarint(0); }

  // Reserves n bytes to fill later (lengths, CRCs); nullptr on overflow.
  [[nodiscard]] std::byte* reserve(std::size_t n) noexcept {
    if (!ok_ || n > out_.size() - pos_) {
      fail();
      return nullptr;
    }
    std::byte* p = out_.data() + pos_;
    pos_ += n;
    return p;
  }

 private:
  static std::span<const std::byte> as_bytes(std::string_view s) noexcept {
    return std::as_bytes(std::span(s.data(), s.size()));
  }
  void fail() noexcept { ok_ = false; }

  std::span<std::byte> out_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

class Reader {
 public:
  explicit Reader(std::span<const std::byte> in) noexcept : in_(in) {}

  [[nodiscard]] bool ok() const noexcept { return ok_; }
  [[nodiscard]] std::size_t remaining() const noexcept { return in_.size() - pos_; }
  [[nodiscard]] std::size_t position() const noexcept { return pos_; }
  // Marks the input malformed, for checks a codec makes itself.
  void fail() noexcept { ok_ = false; }

  template <typename T>
  [[nodiscard]] T fixed() noexcept {
    const std::byte* p = take(sizeof(T));
    return p != nullptr ? load_be<T>(p) : T{};
  }
  [[nodiscard]] std::int8_t int8() noexcept { return fixed<std::int8_t>(); }
  [[nodiscard]] std::int16_t int16() noexcept { return fixed<std::int16_t>(); }
  [[nodiscard]] std::int32_t int32() noexcept { return fixed<std::int32_t>(); }
  [[nodiscard]] std::int64_t int64() noexcept { return fixed<std::int64_t>(); }
  [[nodiscard]] bool boolean() noexcept { return int8() != 0; }

  [[nodiscard]] std::uint32_t uvarint() noexcept { return unsigned_varint<std::uint32_t>(); }
  [[nodiscard]] std::int32_t varint() noexcept { return zigzag_decode(uvarint()); }
  [[nodiscard]] std::int64_t varlong() noexcept {
    return zigzag_decode(unsigned_varint<std::uint64_t>());
  }

  // Views into the input; `null` says whether the field was null.  A length
  // past the end of the input is an error, never a read beyond it.
  [[nodiscard]] std::string_view string(bool* null = nullptr) noexcept {
    const std::int16_t n = int16();
    return text(n, null);
  }
  [[nodiscard]] std::string_view compact_string(bool* null = nullptr) noexcept {
    return text(static_cast<std::int64_t>(uvarint()) - 1, null);
  }
  [[nodiscard]] std::span<const std::byte> bytes(bool* null = nullptr) noexcept {
    return blob(int32(), null);
  }
  [[nodiscard]] std::span<const std::byte> compact_bytes(bool* null = nullptr) noexcept {
    return blob(static_cast<std::int64_t>(uvarint()) - 1, null);
  }
  [[nodiscard]] std::span<const std::byte> raw(std::size_t n) noexcept {
    const std::byte* p = take(n);
    return p != nullptr ? std::span<const std::byte>(p, n) : std::span<const std::byte>{};
  }

  // Array element counts, -1 for a null array.  Every element takes at
  // least `min_element_size` bytes, so a count the input cannot hold is
  // rejected before a caller loops over it.
  [[nodiscard]] std::int32_t array_length(std::size_t min_element_size = 1) noexcept {
    return checked_count(int32(), min_element_size);
  }
  [[nodiscard]] std::int32_t compact_array_length(std::size_t min_element_size = 1) noexcept {
    const std::int64_t n = static_cast<std::int64_t>(uvarint()) - 1;
    return checked_count(n, min_element_size);
  }

  // Skips a tagged-field section: none of the fields a producer reads is
  // tagged, and unknown tags must be ignored (KIP-482).
  void skip_tagged_fields() noexcept {
    const std::uint32_t count = uvarint();
    for (std::uint32_t i = 0; ok_ && i < count; ++i) {
      (void)uvarint();  // tag
      (void)raw(uvarint());
    }
  }

 private:
  template <typename U>
  U unsigned_varint() noexcept {
    U v = 0;
    const std::size_t n = ok_ ? read_uvarint(in_.subspan(pos_), v) : 0;
    if (n == 0) {
      fail();
      return 0;
    }
    pos_ += n;
    return v;
  }
  const std::byte* take(std::size_t n) noexcept {
    if (!ok_ || n > remaining()) {
      fail();
      return nullptr;
    }
    const std::byte* p = in_.data() + pos_;
    pos_ += n;
    return p;
  }
  std::string_view text(std::int64_t n, bool* null) noexcept {
    const auto b = blob(n, null);
    return {reinterpret_cast<const char*>(b.data()), b.size()};
  }
  std::span<const std::byte> blob(std::int64_t n, bool* null) noexcept {
    if (null != nullptr) *null = ok_ && n == -1;
    if (!ok_ || n == -1) return {};
    if (n < -1) {
      fail();
      return {};
    }
    return raw(static_cast<std::size_t>(n));
  }
  std::int32_t checked_count(std::int64_t n, std::size_t min_element_size) noexcept {
    if (!ok_) return 0;
    if (n < -1 || (n > 0 && static_cast<std::uint64_t>(n) * min_element_size > remaining())) {
      fail();
      return 0;
    }
    return static_cast<std::int32_t>(n);
  }

  std::span<const std::byte> in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace ringkafka::wire
